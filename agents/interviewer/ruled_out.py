"""What a candidate rules out ("we never drop events for slow customers", "codes come from a
counter, not from hashing the URL") and a later message that takes it up anyway ("after an hour
we just drop its events"): a self-contradiction no stance (content/stances.yaml) has to name.

A ruled-out phrase is the few words after a negation or a "rather than"; a later clause takes it
up when it says what the negation denies (the phrase's first word, or the first after "ever")
and at least half of its words (two at least), with no negation, condition, restriction or
preference ("X over Y") of its own. Measured 2026-12-07 on the planted cases
(`evals/data/estimates/`) and on the labelled free-text answers read sentence by sentence: on the
tuning split it finds 1 of 55 self-contradictions the stances miss and reads none of 24
consistent follow-ups as one; 1 of 76 strong and adequate answers contradicts itself by it. A
looser first version (no rule on what is denied) found 7 tuning contradictions, most by accident
of shared subject words, and read consistent follow-ups that name the same subject ("a slow
customer's events wait in the retry tier") as contradictions: 5 more across the report's files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from agents.text import content_words, split_sentences, stem

# A negation or a rejection, then the phrase it rules out.
_RULES_OUT = re.compile(
    r"\b(?:not|never|no|without|instead of|rather than|avoid(?:ing|s)?|won't|will not|don't|"
    r"do not|no longer|nothing)\s+",
    re.I,
)
# "keeping Elasticsearch out of the keystroke path" rules out Elasticsearch in that path.
_KEPT_OUT = re.compile(
    r"\bkeep(?:ing|s)?\s+([\w\- ]{2,40}?)\s+(?:out of|off)\s+(?:the\s+)?([\w\- ]{2,40})", re.I
)
# Where the ruled-out phrase ends: a clause break or a word that starts a reason or a clause.
_PHRASE_END = re.compile(
    r"[.;,:!?\u2014()]|\s(?:because|so|since|which|that|but|and then|while|as|when|where|until)\s",
    re.I,
)
PHRASE_WORDS = 8  # a ruled-out phrase is at most this many words
# A thing that "can never" happen is a guarantee the design gives, not a choice the candidate
# rules out: a later sentence naming the same things ("holds go into Redis, one per seat") does
# not take it up. "We can never drop events" is still theirs to keep.
_GUARANTEE = re.compile(r"(?<!\bwe )(?<!\bi )\b(?:can|could)\s+$", re.I)
# Words that say nothing about which design is meant.
_VAGUE = frozenset(
    "use using want need make go would could also just only every each any all one two some "
    "much many way thing anything something things like even still really".split()
)
# A clause that negates, hedges, restricts or prefers does not take the phrase up: "unless the
# endpoint is down", "only schedules with the jitter flag", "roughly ordered over strictly
# monotonic".
_HELD_BACK = re.compile(
    r"\b(no|not|never|without|don't|doesn't|won't|isn't|aren't|can't|cannot|avoid\w*|instead|"
    r"rather|over|would|could|might|if|unless|whether|only|except|until|before)\b",
    re.I,
)
_CLAUSES = re.compile(r"[;\u2014]|,\s+")
MIN_SHARED = 2  # words of the phrase a later clause must say
MIN_SHARE = 0.5  # and at least half of the phrase's words


@dataclass(frozen=True)
class RuledOut:
    phrase: str  # the words ruled out, as written
    stems: frozenset[str]
    head: str  # the first of them: what the negation denies ("never *drop* events for ...")
    quote: str  # the sentence that rules it out


def _stem_list(text: str) -> list[str]:
    return [stem(w) for w in content_words(text) if w not in _VAGUE and not w.isdigit()]


def _stems(text: str) -> frozenset[str]:
    return frozenset(_stem_list(text))


def ruled_out(text: str) -> list[RuledOut]:
    """The phrases `text` rules out, with the sentence of each."""
    out = []
    for s in split_sentences(text):
        sentence = s.text.strip()
        phrases = []
        for m in _RULES_OUT.finditer(sentence):
            if _GUARANTEE.search(sentence[: m.start()]):
                continue  # "so two fans can never hold the same seat": what the design ensures
            rest = sentence[m.end() :]
            end = _PHRASE_END.search(rest)
            phrases.append(
                " ".join(rest[: end.start() if end else len(rest)].split()[:PHRASE_WORDS])
            )
        phrases += [f"{m.group(1)} {m.group(2)}" for m in _KEPT_OUT.finditer(sentence)]
        for phrase in phrases:
            stems = _stem_list(phrase)
            # "no device ever sees a stale revision" denies the seeing, not the devices.
            denied = _stem_list(phrase.lower().partition(" ever ")[2]) or stems
            if len(set(stems)) >= MIN_SHARED or _one_action(sentence, phrase, stems):
                out.append(RuledOut(phrase, frozenset(stems), denied[0], sentence))
    return out


# A ruled-out action of one word, the candidate's own ("I would not replicate"), taken up only
# when a later clause has them doing it ("I'd replicate each shard to two replicas"); an attitude
# ("we do not care") is no design.
_REFUSES = re.compile(
    r"\b(?:i|we)(?:'d|'ll)?\s+(?:(?:would|will|do|should|can)\s+)?(?:not|never)\s+$|"
    r"\b(?:i|we)\s+(?:won't|don't|wouldn't|shouldn't|never)\s+$",
    re.I,
)
_ATTITUDE = frozenset("care mind know think need want worry matter expect believe like".split())


def _one_action(sentence: str, phrase: str, stems: list[str]) -> bool:
    word = phrase.strip().lower()
    at = sentence.lower().find(f" {word}")
    return (
        len(stems) == 1
        and re.fullmatch(r"[a-z]{4,}", word) is not None
        and word not in _ATTITUDE
        and at >= 0
        and _REFUSES.search(sentence[: at + 1]) is not None
    )


_DOES = re.compile(r"\b(?:i|we)(?:'d|'ll| would| will| can| also| then)*\s+([a-z]+)", re.I)


def _does(r: RuledOut, clause: str) -> bool:
    return len(r.stems) == 1 and any(stem(m[1].lower()) == r.head for m in _DOES.finditer(clause))


def taken_up(earlier: Iterable[RuledOut], text: str) -> tuple[RuledOut, str] | None:
    """The first ruled-out phrase a clause of `text` affirms, with that clause."""
    earlier = list(earlier)
    if not earlier:
        return None
    for s in split_sentences(text):
        for clause in _CLAUSES.split(s.text):
            if _HELD_BACK.search(clause):
                continue
            said = _stems(clause)
            for r in earlier:
                shared = len(r.stems & said)
                # The subject alone is not the thing denied: "their events go to the retry tier"
                # keeps to "we never drop events for slow customers".
                if r.head in said and shared >= MIN_SHARED and shared / len(r.stems) >= MIN_SHARE:
                    return r, clause.strip(" .")
                if _does(r, clause):
                    return r, clause.strip(" .")
    return None
