"""Judges behaviours (content/behaviours.yaml) over a whole answer or transcript.

A behaviour is something a candidate does rather than a fact they state: asks before designing,
states assumptions with numbers, weighs an alternative and says what it costs, recaps. No single
phrase shows it, so a sentence is a hit when it matches a pattern *or* is close in meaning to an
exemplar (a paraphrase counts), sits where the behaviour belongs, and passes structural checks
(it has a number, names an alternative, gives a reason...).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from agents.estimates import extract_quantities
from agents.models import MiniLMEmbedder
from agents.text import Sentence, reasoning_in
from content.schema import Behaviour

EXEMPLAR_SIM = 0.62  # a sentence this close to one of a behaviour's exemplars shows it
OPENING_SHARE = 0.3  # "opening": the first 30% of the candidate's sentences (at least 4)
CLOSING_SHARE = 0.2  # "closing": the last 20% (at least 3)
OPENING_PHASES = frozenset({"requirements", "estimation"})
CLOSING_PHASES = frozenset({"tradeoffs_and_failures", "wrap_up"})

_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|ten|twenty|fifty|hundred|thousand|million|billion|trillion)\b",
    re.I,
)
_ALTERNATIVE = re.compile(
    r"\b(instead( of)?|rather than|versus|vs\.?|compared (to|with)|alternatives?|alternatively|"
    r"(an|the|one) other option|another option|options? (are|is|would be)|could (also )?"
    r"(use|go with|do|pick)|considered|(the )?(obvious|simpler|naive|classic) (option|approach|"
    r"choice|way)|either\b.{3,60}\bor|(pick|picked|choose|chose|chosen|prefer|preferred|favou?r|"
    r"went with|go with|opt(ed)? for|use|using)\b.{1,50}\bover\b|not .{2,40} because|"
    r"(a|an) \w+(-\w+)? (would|could) (also )?(work|do)|weighed|the trade-?off|"
    r"rather (use|go with|pick|have|take|keep|build|run)\b.{1,60}\bthan)\b|"
    # "I partition by document, not by term": the choice set against the one passed over.
    r",\s+not\s+(by|with|via|through|on|in|from|per|at)\s+\w+|"
    # "Term partitioning would make a query hit few shards but ...": an option weighed.
    r"^\W*(?!(this|that|it|which)\b)([a-z][\w-]*\s+){1,4}(would|could)\s+\w+\b.{3,80}\bbut\b",
    re.I,
)
_COST = re.compile(
    r"\b(at the (cost|expense|price) of|give(s)? up|giving up|trade-?offs?|trading|in exchange|"
    r"downsides?|drawbacks?|the (cost|price|catch|risk) (is|being)|we accept|accept(ing)? (that|"
    r"some|a|the)|acceptable|we lose|loses?|losing|costs?( us)?|penalty|overhead|more expensive|"
    r"expensive|slower|stale(ness)?|lag|complexity|complex|harder|risk|worse|sacrific\w*|"
    r"tolerat\w*|burden)\b",
    re.I,
)
_STORE = re.compile(
    r"\b(postgres\w*|mysql|sql|dynamo\w*|cassandra|scylla|redis|memcached|s3|gcs|bigtable|hbase|"
    r"mongo\w*|elasticsearch|opensearch|kafka|database|db|table|object (store|storage)|"
    r"blob (store|storage)|key-value|kv store|wide-column|document store|ledger|log)\b",
    re.I,
)


def _next_opens_with(sentences: list[Sentence], k: int, test: Callable[[str], object]) -> bool:
    """The sentence after `k` passes `test` in its opening words (what follows a point often
    completes it: the reason for a choice, the store of a schema)."""
    return k + 1 < len(sentences) and bool(test(sentences[k + 1].text[:80]))


def _has_reason(sentences: list[Sentence], k: int) -> bool:
    """The sentence or the one after it says why (a reason often follows the choice)."""
    return reasoning_in(sentences[k].text) or _next_opens_with(sentences, k, reasoning_in)


# A relation written out, "inventory(garage_id, slot_start, booked)": a schema, whose store the
# next sentence often names ("Postgres, sharded by region, because ...").
_RELATION = re.compile(r"\b[a-z_]+\(\s*[a-z_]+\s*(,\s*[a-z_]+\s*){2,}\)", re.I)


def _names_store(sentences: list[Sentence], k: int) -> bool:
    """The sentence names a store, or writes out a schema the next sentence puts in one."""
    return bool(_STORE.search(sentences[k].text)) or (
        bool(_RELATION.search(sentences[k].text)) and _next_opens_with(sentences, k, _STORE.search)
    )


CHECKS: dict[str, Callable[[list[Sentence], int], bool]] = {
    "number": lambda s, k: bool(_NUMBER.search(s[k].text)),
    "reason": _has_reason,
    "question": lambda s, k: "?" in s[k].text,
    "alternative": lambda s, k: bool(_ALTERNATIVE.search(s[k].text)),
    "cost": lambda s, k: bool(_COST.search(s[k].text)),
    "store": _names_store,
}


HARD_CHECKS = frozenset({"number", "question"})
DENSE_FIGURES = 3  # scale figures in one sentence ("200M DAU × 20 ≈ 4B/day, ~46k/s") count twice


def _dense(text: str) -> bool:
    scale = ("count", "rate", "size", "size_rate")
    return sum(q.kind in scale for q in extract_quantities(text)) >= DENSE_FIGURES


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I | re.M)


@dataclass(frozen=True)
class BehaviourResult:
    status: str  # "covered" | "partial" | "missing"
    credit: float
    hits: tuple[int, ...]  # sentence indexes, in order


def region(behaviour: Behaviour, n: int, phases: list[str | None] | None, k: int) -> bool:
    """Whether sentence `k` of `n` sits where the behaviour belongs."""
    if behaviour.where == "any":
        return True
    phase = phases[k] if phases else None
    if behaviour.where == "opening":
        if phase is not None:
            return phase in OPENING_PHASES
        return k < max(4, round(n * OPENING_SHARE))
    if phase is not None and phase in CLOSING_PHASES:
        return True
    return k >= n - max(3, round(n * CLOSING_SHARE))


class BehaviourJudge:
    def __init__(self, embedder: MiniLMEmbedder, behaviours: list[Behaviour]):
        self.embedder = embedder
        self.behaviours = {b.item.id: b for b in behaviours}
        self._lock = threading.Lock()
        self._exemplars: dict[str, np.ndarray] = {}

    def for_item(self, item_id: str) -> Behaviour | None:
        return self.behaviours.get(item_id)

    def _exemplar_vecs(self, b: Behaviour) -> np.ndarray | None:
        if not b.exemplars:
            return None
        with self._lock:
            vecs = self._exemplars.get(b.id)
        if vecs is None:
            vecs = self.embedder.encode(list(b.exemplars))
            with self._lock:
                self._exemplars[b.id] = vecs
        return vecs

    def judge(
        self,
        b: Behaviour,
        sentences: list[Sentence],
        vecs: np.ndarray,
        usable: list[int],
        phases: list[str | None] | None = None,
    ) -> BehaviourResult:
        """`sentences` and `vecs` are parallel; `usable` the positions that may count."""
        ex = self._exemplar_vecs(b)
        sims = (vecs[usable] @ ex.T).max(axis=1) if ex is not None and usable else None
        hits: list[int] = []
        weight = 0  # extra hits: a dense sizing sentence does the work of two
        n = len(sentences)
        for j, k in enumerate(usable):
            if not region(b, n, phases, k):
                continue
            text = sentences[k].text
            close = sims is not None and float(sims[j]) >= EXEMPLAR_SIM
            # With no patterns, the checks themselves define the behaviour. A sentence close in
            # meaning to an exemplar is a paraphrase of the act, so only the hard checks (a
            # number, a question mark) still apply to it; the wording checks are waived.
            if close:
                needs = [c for c in b.needs if c in HARD_CHECKS]
            elif not b.patterns or any(_compiled(p).search(text) for p in b.patterns):
                needs = list(b.needs)
            else:
                continue
            if all(CHECKS[c](sentences, k) for c in needs):
                hits.append(k)
                if "number" in b.needs and _dense(text):
                    weight += 1
        if len(hits) + weight >= b.cover_hits:
            return BehaviourResult("covered", 1.0, tuple(hits))
        if len(hits) >= b.partial_hits:
            return BehaviourResult("partial", 0.5, tuple(hits))
        return BehaviourResult("missing", 0.0, ())
