"""Reading a candidate's message: what kind of message it is, which concepts it names, which
rubric items it covers, and which scale facts a clarifying question asks for."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from agents.estimates import (
    Estimate,
    ScaleConflict,
    check_message,
    extract_quantities,
    scale_conflicts,
)
from agents.guards import is_dont_know, screen
from agents.judge import ItemJudge
from agents.red_flags import Hit, RedFlagJudge, Wording, negated_before, wording
from agents.rubric import for_question
from agents.text import (
    content_words,
    has_signal,
    is_question,
    labels_of,
    normalise,
    reasoning_in,
    split_sentences,
    stem,
    words,
)
from content.schema import Concept, Question, ScaleFact, Stance
from diagrams.analysis import DiagramReader, diagram_reader
from diagrams.rules import Finding

_REDIRECT = re.compile(
    r"\b(you are now|act as|pretend (to be|you are)|from now on you|stop being|"
    r"(write|give|show|tell) me the (whole |full |complete |entire )?(design|answer|solution)|"
    r"(write|do|solve) (it|this|the design) for me|design it for me|what is the answer|"
    r"reveal|your (system )?prompt|the rubric|reference (answer|outline))",
    re.I,
)
_CLARIFY_START = re.compile(
    r"^\s*(how (many|much|big|fast|often|long)|what( is|'s| are)? (the )?(scale|load|traffic|"
    r"number|size|latency|qps|rate|read|write|budget|target|ratio|retention)|do we|should i|"
    r"can i assume|is it|are there|what kind|which|who)",
    re.I,
)
log = logging.getLogger("tradeoff.interview")
CLARIFY_FACT_SIM = 0.30
MAX_NAMED_FACTS = 3  # "how many users, keys and gateways?" gets all three, no more
MIN_ANSWERED_FACTS = 2  # facts given for the questions inside an answer, at least
# A question of scope ("should suggestions be personalised?", "is it prefix-only?") asks for a
# decision, not a number: it gets a fact only when one is this close in meaning, and is never
# padded with the nearest figures. A question of size ("how many", "what peak", a figure) is.
CLARIFY_SCOPE_SIM = 0.45
_HOW_MUCH = re.compile(
    r"\d|\b(thousands?|millions?|billions?|trillions?|hundreds?|dozens?)\b|"
    r"\bhow (many|much|big|large|fast|often|long|fresh|quickly|soon|far)\b|"
    r"\b(scale|volume|rate|size|load|traffic|throughput|qps|rps|tps|budget|target|numbers?|"
    r"figures?|peak|latency|sla|slo|ratio|growth|retention|per (second|day|month|minute)|"
    # a time a thing must happen in is a target: "do OTPs have a delivery deadline?"
    r"deadlines?|time limits?|availability|uptime|freshness|staleness|delay|lag|p9\d)\b",
    re.I,
)
OFF_TOPIC_SIM = 0.12


@dataclass(frozen=True)
class StanceHit:
    stance: str
    side: str  # "a" | "b"
    quote: str  # the sentence that takes the position


@dataclass
class Reading:
    kind: str  # "answer" | "clarify" | "redirect" | "dont_know" | "off_topic" | "empty"
    text: str  # screened text
    coverage: dict[str, str] = field(default_factory=dict)  # over the whole transcript so far
    named: dict[str, bool] = field(default_factory=dict)  # concept -> justified here
    quotes: dict[str, str] = field(default_factory=dict)  # concept -> the words that named it
    facts: list[ScaleFact] = field(default_factory=list)  # asked for by a question in the message
    estimates: list[Estimate] = field(default_factory=list)
    conflicts: list[ScaleConflict] = field(default_factory=list)
    stances: list[StanceHit] = field(default_factory=list)
    contradiction: tuple[str, str, str] | None = None  # (stance, earlier quote, this quote)
    evidence: dict[str, str] = field(default_factory=dict)  # item id -> its sentence here
    mistakes: list[Hit] = field(default_factory=list)  # known design mistakes in this message
    # This message's sentences that commit to nothing, each with whether it only lists names.
    vague: list[tuple[str, bool]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # from this message's diagrams
    diagram_errors: list[str] = field(default_factory=list)  # diagrams kept as text, and why
    open_asks: list[str] = field(default_factory=list)  # scope asks no fact answers
    # The last question was a scenario or probe and this answer says nothing on it.
    left_unanswered: bool = False
    stuck_on: str | None = None  # "I'm not sure how to handle X": the rubric item X is about
    # Failure scenarios a sentence of this message already answers, and twists it already
    # adapts to: asking them would re-ask what was said.
    answered_scenarios: list[str] = field(default_factory=list)
    met_twists: list[str] = field(default_factory=list)


@lru_cache(maxsize=4096)  # the concept bank has ~400 aliases; all stay compiled
def _alias_pattern(alias: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])" + re.escape(alias.lower()) + r"(?![a-z0-9])")


def _names(alias: str, low: str) -> bool:
    """Whether lower-cased `low` names `alias` as a word; the substring test spares the regex for
    the many aliases a sentence does not contain."""
    return alias.lower() in low and _alias_pattern(alias).search(low) is not None


# Said right after a name, these deny it is had at all: "exactly-once isn't achievable end to
# end", "global ordering is a myth here".
_DENIED_AFTER = re.compile(
    r"^\W*(?:(?:delivery|semantics|guarantees?|processing)\s+)?"
    r"(?:(?:is|are)(?:n't|\s+not)\s+(?:really\s+)?(?:achievable|possible|realistic|feasible"
    r"|attainable|practical|guaranteed|on\s+offer)\b"
    r"|(?:is|are)\s+(?:impossible|unachievable|unrealistic|infeasible|a\s+myth)\b"
    r"|(?:can't|cannot|can\s+not)\s+be\s+(?:guaranteed|achieved|promised|done|had)\b)",
    re.I,
)


def _affirms(alias: str, low: str) -> bool:
    """Whether `low` names `alias` other than to deny it: "we never use Redis as the source of
    truth" does not propose Redis as one, and a probe must not say it did."""
    return _names(alias, low) and any(
        not negated_before(low, m.start()) and not _DENIED_AFTER.match(low[m.end() :])
        for m in _alias_pattern(alias).finditer(low)
    )


def _denied(alias: str, low: str) -> bool:
    """Whether `low` names `alias` only to say it cannot be had."""
    found = list(_alias_pattern(alias).finditer(low))
    return bool(found) and all(_DENIED_AFTER.match(low[m.end() :]) for m in found)


def _asks(sentence: str) -> bool:
    """A question put to the interviewer ("can we lean on Prometheus plus a long-term store?"):
    it names what it asks about without proposing it. A rhetorical one ("Why Kafka?") is the
    candidate's own. Found in a metrics mock (2026-12-07): the probe quoted the ask as a design."""
    ask = sentence.rsplit(":", 1)[-1].strip() if ":" in sentence else sentence.strip()
    return is_question(sentence) and bool(_SCOPE_ASK.match(ask))


def named_concepts(text: str, concepts: dict[str, Concept]) -> dict[str, bool]:
    """Concepts the text names (not only denies), each with whether a sentence naming it also
    justifies it. A sentence saying a concept cannot be had ("exactly-once isn't achievable end
    to end, so ...") proposes nothing, yet has answered for it: a concept named earlier is then
    no longer asked about as a promise."""
    out: dict[str, bool] = {}
    sentences = [s for s in split_sentences(text) if not _asks(s.text)]
    for cid, concept in concepts.items():
        for s in sentences:
            low = s.text.lower()
            if any(_denied(a, low) for a in concept.aliases):
                out[cid] = True
            elif any(_affirms(a, low) for a in concept.aliases):
                out[cid] = out.get(cid, False) or reasoning_in(s.text)
    return out


_CLAUSE = re.compile(r"(?<=[,;:])\s+|\s+[–—]\s+|\s+-\s+")


# A recap line lists what was said by nature: not a hand-wave to ask about.
_RECAP = re.compile(
    r"^\W*(?:summary|in short|in summary|to sum(?:marise|marize| it up| up)|recap"
    r"|(?:so )?overall|(?:so,? )?(?:to )?wrap[- ](?:it )?up|wrapping up)\b",
    re.I,
)
_CONDITION = re.compile(
    r"^\W*(?:if|when|whenever|unless|once|after|before|until|while|because|since)\b", re.I
)

_FOLLOWS = re.compile(r"^\W*(?:so|which|and so|hence|therefore|thus)\b", re.I)


def _clause_breaks(text: str) -> list[re.Match[str]]:
    """The clause breaks of `text` outside brackets: "payments(id, amount, status)" is one
    piece, not three."""
    depth, inside = 0, []
    for ch in text:
        depth = max(0, depth + (ch in "([{") - (ch in ")]}"))
        inside.append(depth > 0)
    return [m for m in _CLAUSE.finditer(text) if not inside[m.start()]]


def clip_quote(text: str, words: int = 16, focus: int | None = None) -> str:
    """A quotable piece of a sentence, in the candidate's own words and punctuation. A sentence
    of up to `words` words is quoted whole; a longer one by whole clauses up to that length,
    around the clause holding `focus` (a character offset: where a stance or a figure was
    read) or else the longest clause, the point's own ("To keep things simple, we call every
    endpoint synchronously, so ..." quotes the middle). A clause longer than that is cut with
    an ellipsis."""
    text = text.strip().rstrip(" ,;:.")
    if len(text.split()) <= words:
        return text
    cuts = [0, *(x for m in _clause_breaks(text) for x in (m.start(), m.end())), len(text)]
    spans = [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=True) if text[a:b].strip()]

    def size(a: int, b: int) -> int:
        return len(text[a:b].split())

    if focus is not None:
        core = next((k for k, (a, b) in enumerate(spans) if a <= focus < b), 0)
    else:
        core = max(range(len(spans)), key=lambda k: (size(*spans[k]), -k))
    lo = hi = core
    if size(*spans[core]) > words:
        return " ".join(text[slice(*spans[core])].split()[:words]).rstrip(" ,;:.") + "…"
    while hi + 1 < len(spans) and size(spans[lo][0], spans[hi + 1][1]) <= words:
        hi += 1
    # A clause before the core is kept when it is the core's condition ("If Redis fails, we
    # add more Redis") or what a core opening with "so" or "which" follows from, not when it
    # is a lead-in ("To keep things simple, ...").
    while (
        lo > 0
        and (
            _CONDITION.match(text[slice(*spans[lo - 1])]) or _FOLLOWS.match(text[slice(*spans[lo])])
        )
        and size(spans[lo - 1][0], spans[hi][1]) <= words
    ):
        lo -= 1
    return text[spans[lo][0] : spans[hi][1]].strip(" ,;:.")


_DANGLING = re.compile(
    r"[~≈$]?[\d.,]+\w?|a|an|the|of|to|in|on|at|by|for|with|from|and|or|but|as|is|are|its|their|our",
    re.I,
)


def quote_around(sentence: str, alias: str, words_each_side: int = 6) -> str:
    """The candidate's words around `alias`, as they wrote them: the clause that holds it when
    the clause is of a quotable length, else a window of words around it."""
    low = sentence.lower()
    at = low.find(alias.lower())
    if at < 0:
        return " ".join(sentence.split()[: 2 * words_each_side])
    marks = (x for m in _clause_breaks(sentence) for x in (m.start(), m.end()))
    cuts = [0, *marks, len(sentence)]
    for start, end in zip(cuts[::2], cuts[1::2], strict=True):
        clause = sentence[start:end]
        if start <= at < end and 3 <= len(clause.split()) <= 2 * words_each_side + 4:
            return clause.strip(" ,;:.")
    head, tail = sentence[:at].split(), sentence[at:].split()
    before, after = head[-words_each_side:], tail[: words_each_side + 1]
    # A window cut inside a phrase does not end on "the" or a bare figure ("absorbs the 1.5"):
    # it ends on a word that carries meaning, and says it was cut.
    while len(after) > 1 and len(after) < len(tail) and _DANGLING.fullmatch(after[-1]):
        after.pop()
    quote = " ".join(before + after).strip(" ,;:.")
    cut_start = len(before) < len(head)
    return ("…" if cut_start else "") + quote + ("…" if len(after) < len(tail) else "")


def in_their_words(question: str, said: str, aliases: tuple[str, ...] | list[str]) -> str:
    """A probe written with one name of a technology, put with the name the candidate used: a
    concept groups alternatives ("postgres": Postgres, MySQL, Aurora), and "Each location ping
    updates the driver's row in Postgres" after "we query MySQL" attributes Postgres to them.
    A generic name ("a relational database") is left for the probe's example of it."""
    low_said, low_q = said.lower(), question.lower()
    theirs = next((a for a in aliases if _affirms(a, low_said)), None)
    if theirs is None or _names(theirs, low_q):
        return question
    m = _alias_pattern(theirs).search(low_said)
    written = said[m.start() : m.end()] if m else theirs
    if " " in written and written == written.lower():
        return question
    for alias in aliases:
        if alias != theirs and _names(alias, low_q):
            question = re.sub(
                _alias_pattern(alias).pattern,
                lambda found: _same_number(found.group(0), written),
                question,
                flags=re.I,
            )
    return question


def _same_number(found: str, written: str) -> str:
    """The candidate's name in the number of the word it replaces: "Your WebSockets land ..."
    after "a WebSocket" stays plural ("WebSockets"), not "Your WebSocket land"."""
    return written + "s" if found.lower()[:-1] == written.lower() else written


def concept_quotes(text: str, concepts: dict[str, Concept]) -> dict[str, str]:
    """For each concept the text names, the words around its first mention."""
    out: dict[str, str] = {}
    for s in split_sentences(text):
        if _asks(s.text):
            continue
        low = s.text.lower()
        for cid, concept in concepts.items():
            if cid in out:
                continue
            alias = next((a for a in concept.aliases if _affirms(a, low)), None)
            if alias:
                out[cid] = quote_around(s.text, alias)
    return out


@lru_cache(maxsize=256)
def _side(pattern: str) -> Wording:
    return wording(pattern)


def stance_hits(text: str, stances: dict[str, Stance]) -> list[StanceHit]:
    """Sentences that take one side of a stance (and not both at once)."""
    hits = []
    for s in split_sentences(text):
        for st in stances.values():
            # A side named under a negation is not taken: "retry without checking the dedupe
            # store" says no dedupe, whatever the word "dedupe" matches.
            a = _side(st.a).affirmed_in(s.text)
            b = _side(st.b).affirmed_in(s.text)
            if a != b:
                hits.append(StanceHit(st.id, "a" if a else "b", s.text.strip()))
    return hits


# A question put as a statement: "I'd also like to know how many users we have."
_INDIRECT_ASK = re.compile(
    r"\b(i'?d (also )?(like|love|want) to (know|understand|check|confirm)|i (also )?(need|want) "
    r"to (know|understand|check|confirm)|i('m| am) (curious|wondering)|i wonder|"
    r"(could|can) you (tell|share|give|confirm)|tell me|it would help to know|do you know)\b"
    r"[^.]*\b(how|what|which|who|whether|if|when|where|the)\b",
    re.I,
)


_ASSUMES = re.compile(r"\b(?:assum\w*|take it that|safe to say)\b", re.I)


# An ask put to the interviewer inside an answer: an assumption to confirm, or what is in scope.
# "Are we building the storage ourselves?", "can we lean on Prometheus?": what we (the team the
# candidate designs for) do is the interviewer's to say, whatever the verb. "Do product teams need
# tracing?": a need or a wish of the people the system serves is too.
_TO_INTERVIEWER = re.compile(
    r"\b(?:assum\w*|in scope|out of scope)\b|^\W*(?:and |or |also |so )?(?:do|does|should|must|will"
    r"|would|can|is|are)\s+(?:we|i|you|it|they|users?|customers?|(?:the |our )?\w+ (?:teams?|users"
    r"|customers|clients|engineers|services))\s+(?:also\s+)?(?:need|have|want|care|support|handle|"
    r"cover|include|expect|worry|allowed|required|be able)\b|"
    r"^\W*(?:and |or |also |so )?(?:are|can|should|do|may|could)\s+(?:we|i)\s+\w+|"
    # "what languages do we need", "which regions must we serve"
    r"^\W*(?:and |or |also |so )?(?:what|which)\s+(?:\w+\s+){1,3}(?:do|does|should|must|will|would"
    r"|can)\s+(?:we|i|you|users?|customers?)\s+(?:need|have|want|support|serve|handle|cover|"
    r"include|expect)\b",
    re.I,
)


def is_assumption(ask: str) -> bool:
    """An ask that checks an assumption ("is it fair to assume X", "can I assume X")."""
    return bool(_ASSUMES.search(ask))


# Where one question sentence asks a second thing ("..., and how fast must it be searchable").
# ("and", "or", "also", "plus" after a comma or a space: _ASK_JOIN, shared with _ASKS.)
_ASK_JOIN = r"(?:[,;]\s*|\s+)(?:and|or|also|plus)\s+"
_ONE_ASK = re.compile(
    rf"{_ASK_JOIN}(?=(?:how|what|which|when|where|who|do|does|is|are|should|can|will|would"
    r"|must)\b)",
    re.I,
)


def question_sentences(text: str) -> list[str]:
    """Questions anywhere in a message ('Before I go on: how many users are there?'), also
    when put as a statement ('I'd also like to know how many users we have.')."""
    return [
        s.text
        for s in split_sentences(text)
        if s.text.rstrip().endswith("?") or _INDIRECT_ASK.search(s.text)
    ]


def _assumed_after(text: str, ask: str) -> str | None:
    """The first assumption the candidate states after their last question ("Until you say
    otherwise I'm assuming one shared corpus"), as said."""
    at = text.find(ask)
    if at < 0:
        return None
    for s in split_sentences(text[at + len(ask) :]):
        said = s.text.strip()
        found = _ASSUMES.search(said)
        if not said.endswith("?") and found:
            return clip_quote(said, focus=found.start())
    return None


def _closing_questions(text: str) -> list[str]:
    """The questions a message ends on, with nothing said after them."""
    out: list[str] = []
    for s in reversed(split_sentences(text)):
        if not s.text.rstrip().endswith("?"):
            break
        out.append(s.text)
    return out


def is_clarifying(text: str) -> bool:
    w = words(text)
    return 0 < len(w) <= 40 and (
        text.strip().endswith("?") and len(w) <= 25 or bool(_CLARIFY_START.match(text))
    )


def asks_for_size(text: str) -> bool:
    """A question of size (a number, a rate, a target), not of scope."""
    return bool(_HOW_MUCH.search(text))


# "What volume are we talking about, and do we need to support refunds?": two asks in one sentence.
_ASK_OPENER = r"(?:do|does|is|are|should|can|will|would|must|what|which|who|how about)\b"
_ASKS = re.compile(rf"\?\s*|{_ASK_JOIN}(?={_ASK_OPENER})", re.I)
_SCOPE_ASK = re.compile(rf"(?:and |or |also |so |then )?{_ASK_OPENER}", re.I)
SCENARIO_ASKED_SIM = 0.60  # a sentence this close to what breaks is about it (two mocks)
SCENARIO_ANSWER_SIM = 0.65  # and this close to a strong answer answers it
STUCK_SIM = 0.40  # "not sure how to handle X" is about an item this close to it,
STUCK_FLOOR, STUCK_MARGIN = 0.25, 0.10  # or about one less close that no other item rivals
STUCK_MIN_WORDS = 3  # content words: "no idea" names nothing
PREFIX_STEM = 5  # stems this long that begin one another are one word ("fresh", "freshness")


def _shared(asked: set[str], named: set[str]) -> set[str]:
    return {
        a
        for a in asked
        for n in named
        if a == n or min(len(a), len(n)) >= PREFIX_STEM and (a.startswith(n) or n.startswith(a))
    }


class Reader:
    def __init__(
        self,
        judge: ItemJudge,
        concepts: dict[str, Concept],
        stances: dict[str, Stance] | None = None,
        diagrams: DiagramReader | None = None,
        red_flags: RedFlagJudge | None = None,
    ):
        self.judge = judge
        self.red_flags = red_flags
        self.embedder = judge.embedder
        self.diagrams = diagrams or diagram_reader(self.embedder.encode)
        self.concepts = concepts
        self.stances = stances or {}
        self._facts: dict[str, np.ndarray] = {}
        self._profile: dict[str, np.ndarray] = {}
        self._scenarios: dict[str, list[tuple[str, np.ndarray, np.ndarray]]] = {}

    def _scenario_vecs(self, q: Question) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """Per failure scenario: its id, the vectors of what breaks and how it is asked, and
        those of its strong answers."""
        if q.id not in self._scenarios:
            self._scenarios[q.id] = [
                (
                    s.id,
                    self.embedder.encode([s.what_breaks, s.question]),
                    self.embedder.encode(s.strong_answer),
                )
                for s in q.failure_scenarios
            ]
        return self._scenarios[q.id]

    def answered_scenarios(self, q: Question, vecs: np.ndarray) -> list[str]:
        """The failure scenarios one of these sentences already answers: it is about what
        breaks (SCENARIO_ASKED_SIM) and reads like a strong answer to it (SCENARIO_ANSWER_SIM):
        "If a gateway dies, its clients reconnect to another one and sync from their last
        sequence number" answers "A gateway with half a million live connections dies"."""
        if not len(vecs):
            return []
        return [
            sid
            for sid, asked, answers in self._scenario_vecs(q)
            if bool(
                (
                    ((vecs @ asked.T).max(axis=1) >= SCENARIO_ASKED_SIM)
                    & ((vecs @ answers.T).max(axis=1) >= SCENARIO_ANSWER_SIM)
                ).any()
            )
        ]

    def _vague(self, sentence: str) -> tuple[str, bool] | None:
        """A filler phrase with no number, named mechanism or identifier ("a highly scalable
        architecture"), or names in a list relating none of them: the grader gives it half
        credit; the interviewer asks what it means. A recap lists by nature: not asked."""
        if sentence.rstrip().endswith("?"):
            return None  # a question commits to nothing by nature: asked or answered, not vague
        spec = self.judge.specificity.of(sentence) if self.judge.specificity else None
        if spec is None or not spec.vague or _RECAP.match(sentence):
            return None
        return sentence.strip(), spec.listed

    def _fact_vecs(self, q: Question) -> np.ndarray:
        if q.id not in self._facts:
            self._facts[q.id] = self.embedder.encode([f"{f.name}: {f.value}" for f in q.scale])
        return self._facts[q.id]

    def _profile_vec(self, q: Question) -> np.ndarray:
        if q.id not in self._profile:
            v = self.embedder.encode([f"{q.title}. {q.prompt}", *q.reference_outline]).mean(axis=0)
            self._profile[q.id] = v / np.linalg.norm(v)
        return self._profile[q.id]

    def facts_for(self, q: Question, text: str, vec: np.ndarray) -> list[ScaleFact]:
        named, close = self._fact_matches(q, text, vec)
        return named + close

    def _fact_matches(
        self, q: Question, text: str, vec: np.ndarray
    ) -> tuple[list[ScaleFact], list[ScaleFact]]:
        """The scale facts a question asks for: those it names ("how many gateways" names the
        gateway fleet), however many, then the closest in meaning, two facts in all at least.

        A word of the question's own title or prompt names its subject, not a fact ("how fresh
        must suggestions be?" asks for freshness, not the suggestion rate), unless the fact is
        also close in meaning. A question of scope, not size, gets only facts close to it."""
        sims = self._fact_vecs(q) @ vec
        subject = {stem(w) for w in content_words(f"{q.title} {q.prompt}")}
        asked = {stem(w) for w in content_words(text) if len(w) > 3}
        sizing = asks_for_size(text)
        floor = CLARIFY_FACT_SIM if sizing else CLARIFY_SCOPE_SIM
        named, by_subject = [], []
        for s, f in zip(sims, q.scale, strict=True):
            shared = _shared(asked, {stem(w) for w in content_words(f.name) if len(w) > 3})
            if shared and shared - _shared(shared, subject):
                named.append((float(s), f))
            elif shared and s >= floor:
                by_subject.append((float(s), f))
        close = [
            (float(s), f)
            for s, f in zip(sims, q.scale, strict=True)
            if s >= floor and f not in [g for _, g in named + by_subject]
        ]
        close.sort(key=lambda x: -x[0])
        # A fact named only by a word of the subject ("searchable" in a search question) does
        # not pass over a fact closer in meaning: "how fast must a line become searchable?"
        # asks for the latency target before the search load.
        if by_subject and close and close[0][0] > max(by_subject)[0]:
            named.append(close.pop(0))
        named = sorted(named + by_subject, key=lambda x: -x[0])
        wanted = max(0, MIN_ANSWERED_FACTS - len(named)) if sizing else len(close)
        return [f for _, f in named[:MAX_NAMED_FACTS]], [f for _, f in close[:wanted]]

    def _facts_for_each(self, q: Question, asked: list[str]) -> list[ScaleFact]:
        """Each question of an answer on its own ("what latency? ... and how many users?" asks
        for both, and one embedding of the two drowns one): the facts each names, each one's
        closest when it names none, then the next closest up to MIN_ANSWERED_FACTS in all."""
        facts: list[ScaleFact] = []
        extra: list[ScaleFact] = []
        for text, vec in zip(asked, self.embedder.encode(asked), strict=True):
            named, close = self._fact_matches(q, text, vec)
            facts += named or close[:1]
            extra += close if named else close[1:]
        facts = list(dict.fromkeys(facts))
        extra = [f for f in dict.fromkeys(extra) if f not in facts]
        return facts + extra[: max(0, MIN_ANSWERED_FACTS - len(facts))]

    def open_asks(self, q: Question, text: str) -> list[str]:
        """The asks of scope in a clarifying message ("do we need to support refunds") that no
        scale fact answers: the candidate's own call, and said to be."""
        asks = []
        for part in _ASKS.split(text):
            last = split_sentences(part)
            ask = last[-1].text.strip(" ,;?") if last else ""
            # "Before I go on: how many users?" asks after its lead-in; "what languages do we
            # need: English only, or CJK too?" asks before its options.
            after = ask.rsplit(":", 1)[-1].strip(" ,;?")
            ask = after if _SCOPE_ASK.match(after) or is_assumption(after) else ask
            if ask and (_SCOPE_ASK.match(ask) or is_assumption(ask)) and not asks_for_size(ask):
                asks.append(ask)
        if not asks:
            return []
        sims = self.embedder.encode(asks) @ self._fact_vecs(q).T
        return [
            a for a, row in zip(asks, sims, strict=True) if float(row.max()) < CLARIFY_SCOPE_SIM
        ]

    def _stuck_on(self, q: Question, text: str) -> str | None:
        """The point a candidate says they are stuck on ("not sure how to handle the acquirer
        timing out"), when their words are close to one; a bare "no idea" names none."""
        if len(content_words(text)) < STUCK_MIN_WORDS:
            return None
        rubric = for_question(q)
        sims = self.judge.item_vectors(rubric) @ self.embedder.encode([text])[0]
        order = np.argsort(-sims, kind="stable")
        best, second = float(sims[order[0]]), float(sims[order[1]]) if len(order) > 1 else 0.0
        clear = best >= STUCK_SIM or (best >= STUCK_FLOOR and best - second >= STUCK_MARGIN)
        return rubric.items[int(order[0])].id if clear else None

    def read(self, q: Question, message: str, history: tuple[str, ...] = ()) -> Reading:
        """Reads `message`; coverage is judged over `history` (earlier candidate messages) and
        the message together, as the grader will, so covered ground is never asked again.
        A diagram is read as sentences quoting its edges, and its findings are kept."""
        drawn = self.diagrams.read(message)
        if drawn.readings:
            message = drawn.with_evidence()
        history = tuple(self.diagrams.read(h).with_evidence() if "```" in h else h for h in history)
        reading = self._read(q, message, history)
        reading.findings = drawn.findings
        reading.diagram_errors = drawn.errors
        if reading.kind in ("answer", "off_topic"):
            try:
                reading.estimates = check_message(reading.text)
                reading.conflicts = scale_conflicts(reading.text, list(q.scale), reading.estimates)
            except (ArithmeticError, ValueError):  # a figure we cannot read is not a turn lost
                log.warning("the numbers check could not read a message", exc_info=True)
            reading.stances = stance_hits(reading.text, self.stances)
            # Each question on its own: "what latency? ... and how many users?" asks for both,
            # and the one about latency would drown the other in a single embedding.
            asked = question_sentences(reading.text)
            if asked:
                reading.facts = self._facts_for_each(q, asked)
                # "Is it fair to assume payment goes through a PSP?" or "do we need to support
                # resale?" asks no number: it is answered too, not passed over. A question the
                # answer asks itself ("What happens when a node dies? We fail over...") is not.
                # One that ends the message, with no answer after it, is put to us too
                # ("..., no persistence. What consistency do services expect?").
                last = _closing_questions(reading.text)
                reading.open_asks = [
                    a
                    for a in self.open_asks(q, " ".join(asked))
                    if _TO_INTERVIEWER.search(a) or any(a in s for s in last)
                ]
                # "... or CJK too? Until you say otherwise I'm assuming one shared corpus": the
                # candidate has answered their own asks with an assumption; that is what to
                # acknowledge.
                stated = _assumed_after(reading.text, asked[-1])
                if reading.open_asks and stated:
                    reading.open_asks.insert(0, stated)
        return reading

    def _read(self, q: Question, message: str, history: tuple[str, ...]) -> Reading:
        screened = screen(message)
        text = screened.text.strip()
        if screened.flags or _REDIRECT.search(message):
            return Reading("redirect", text)
        if not words(text):
            return Reading("empty", text)
        if is_dont_know(text):
            # "I don't know, maybe a million jobs?" asks for a number we have: it is answered.
            # "No idea. What do you think?" asks for nothing we can give: a smaller question.
            if text.endswith("?"):
                facts = self.facts_for(q, text, self.embedder.encode([text])[0])
                if facts:
                    return Reading("clarify", text, facts=facts)
            return Reading("dont_know", text, stuck_on=self._stuck_on(q, text))
        # The whole message is embedded only where it is used: embedding is most of a turn's
        # CPU, and a paragraph costs as much as its sentences together.
        if is_clarifying(text):
            # "Which retention do we need, and how fast must a line be searchable?" asks two
            # things: each gets its facts, as in a longer answer.
            asks = [a for s in question_sentences(text) for a in _ONE_ASK.split(s) if a.strip()]
            if len(asks) > 1:
                facts = self._facts_for_each(q, asks)
            else:
                facts = self.facts_for(q, text, self.embedder.encode([text])[0])
            return Reading("clarify", text, facts=facts, open_asks=self.open_asks(q, text))
        earlier = "\n\n".join(screen(h).text.strip() for h in history if h.strip())
        whole = f"{earlier}\n\n{text}" if earlier else text
        sentences = split_sentences(whole)
        vecs = self.embedder.encode([s.text for s in sentences])
        rubric = for_question(q)
        judged = self.judge.judge(
            rubric,
            sentences,
            vecs,
            prompt_normalised=normalise(q.prompt),
            labels=labels_of(sentences),
        )
        mine = set(range(len(split_sentences(earlier)) if earlier else 0, len(sentences)))
        coverage = {j.item.id: j.status for j in judged if j.status != "missing"}
        here = {j.item.id for j in judged if j.status != "missing" and set(j.evidence) & mine}
        named = named_concepts(text, self.concepts)
        if (
            not here
            and not named
            and not _works_a_figure(text, [earlier, *(f.value for f in q.scale)])
        ):
            vec = self.embedder.encode([text])[0]
            if float(self._profile_vec(q) @ vec) < OFF_TOPIC_SIM:
                return Reading("off_topic", text)
        # Each item's best sentence in this message: a probe of a point made in part quotes it.
        evidence = {
            j.item.id: sentences[best].text.strip()
            for j in judged
            if j.status != "missing"
            and (best := next((k for k in j.evidence if k in mine), None)) is not None
        }
        here_vecs = vecs[sorted(mine)] if mine else vecs[:0]
        normalised = normalise(text)
        return Reading(
            "answer",
            text,
            coverage=coverage,
            evidence=evidence,
            answered_scenarios=self.answered_scenarios(q, here_vecs),
            met_twists=[
                t.id for t in q.twists if sum(has_signal(normalised, g) for g in t.signals) >= 2
            ],
            named=named,
            quotes=concept_quotes(text, self.concepts),
            mistakes=self.red_flags.find(sentences, vecs, sorted(mine)) if self.red_flags else [],
            vague=[v for k in sorted(mine) if (v := self._vague(sentences[k].text))],
        )


def _works_a_figure(text: str, said: list[str]) -> bool:
    """Whether the message works with a figure already on the table (the scale or an earlier
    message): "Right, 0.1% of 3,000 is 3 a second" redoes a sum the interviewer asked about and
    is on topic however few of the problem's words it uses."""
    known = {(q.kind, round(q.value, 9)) for t in said for q in extract_quantities(t)}
    mine = extract_quantities(text)
    # A small bare count ("3 beers") is in any conversation; a rate, a size or a share is not.
    telling = [q for q in mine if q.kind != "count" or q.value >= 10]
    return len(mine) >= 2 and any((q.kind, round(q.value, 9)) in known for q in telling)
