"""How concrete a sentence is: whether it commits to a number, a named mechanism or a precise
identifier, or only gestures at a topic ("handled carefully with the right mechanisms").

A point made concretely and justified earns full credit even when its wording is far from the
rubric's; a point only gestured at earns half, however close its wording. The vague phrases are
data (content/specificity.yaml); named mechanisms come from the concept bank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from content.schema import Concept, VaguePhrase

_QUANTITY = re.compile(r"\d")
NAME_DROP = 3  # named mechanisms in one bare list, related by nothing: a list, not a design
# Identifiers and code: `backticks`, snake_case, call(), SQL keywords, HTTP verbs with a path.
_IDENTIFIER = re.compile(
    r"`[^`]+`|\b[a-z]+_[a-z_]+\b|\b\w+\([^)]*\)|\b(WHERE|SELECT|UPDATE|INSERT|UNIQUE)\b|"
    r"\b(GET|POST|PUT|PATCH|DELETE)\s+/",
)
_EXPLICIT_REASON = re.compile(
    r"\b(because|since|so that|so (we|the|it|a|an|no|each|every)|which (means|lets|keeps|"
    r"avoids)|otherwise|at the cost of|over \w+|instead of|rather than|to avoid|given)\b",
    re.I,
)


# A bare list of three or more named parts ("microservices, a load balancer and a cache") that
# relates none of them (no data flowing, no order, no figure) names things without designing.
# ("Kafka, Redis, Cassandra, sharding, CDN" is a list without its "and").
_LIST = re.compile(
    r",\s*(?:an?\s+|the\s+)?[\w/-]+(?:\s[\w/-]+)?\s*,?\s*(?:and|or)\s"
    r"|^[^,]{1,40}(?:,[^,]{1,40}){2,}$"
)
_RELATION = re.compile(
    r"\b(sends?|writes?|reads?|calls?|routes?|forwards?|stores?|puts?|pulls?|pushes|publish\w*"
    r"|consum\w*|fans? out|flows?|hits?|goes|returns?|then|in front of|behind|between|into|onto"
    r"|per|each|when|if|until|after|before)\b|->|→",
)


def _union(patterns: list[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile(r"\b(" + "|".join(f"(?:{p})" for p in patterns) + r")\b", re.I)


@dataclass(frozen=True)
class Specificity:
    concrete: bool  # commits to a number, a named mechanism or an identifier
    vague: bool  # uses a filler phrase and commits to nothing, or only lists names
    reasoned: bool  # says why, in so many words
    listed: bool = False  # vague because it only lists names, relating none of them


class SpecificityJudge:
    def __init__(self, concepts: dict[str, Concept], vague: list[VaguePhrase]):
        aliases = sorted({a.lower() for c in concepts.values() for a in c.aliases}, key=len)
        self._aliases = (
            re.compile(
                r"(?<![a-z0-9])("
                + "|".join(re.escape(a) for a in reversed(aliases))
                + r")(?![a-z0-9])"
            )
            if aliases
            else None
        )
        self._vague = _union([v.pattern for v in vague])
        self._intent = _union([v.pattern for v in vague if v.intent])

    @lru_cache(maxsize=65536)  # noqa: B019 - one judge per container (wiring/), sentences repeat
    def of(self, text: str) -> Specificity:
        low = text.lower()
        named = len(set(self._aliases.findall(low))) if self._aliases else 0
        exact = bool(_QUANTITY.search(text)) or bool(_IDENTIFIER.search(text))
        intent = bool(self._intent and self._intent.search(text)) and not exact
        concrete = (exact or named >= 2) and not intent
        vague = bool(self._vague and self._vague.search(text)) and not concrete
        listed = (
            named >= NAME_DROP
            and not _QUANTITY.search(text)
            and bool(_LIST.search(low))
            and not _RELATION.search(low)
        )
        return Specificity(
            concrete, vague or listed, bool(_EXPLICIT_REASON.search(text)), listed and not vague
        )
