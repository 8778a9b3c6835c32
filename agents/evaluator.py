"""The evaluator's interface and its offline engine.

`grade(question, answer, level, reference)` returns an Evaluation. The offline engine screens the
answer (injected text out, non-answers and echoes flagged), checks it answers *this* question,
judges each rubric item at sentence level and lets `agents.scoring` compute every number.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from agents import rubric as rubrics
from agents import scoring
from agents.behaviour import BehaviourJudge
from agents.evaluation import (
    DimensionScore,
    Evaluation,
    ItemResult,
    RedFlagFinding,
    RubricInfo,
    RubricItemSource,
)
from agents.guards import is_dont_know, is_keyword_list, mentions_not_knowing, screen
from agents.judge import ItemJudge, Judged
from agents.models import MiniLMEmbedder
from agents.red_flags import MAX_RED_FLAGS, Hit, RedFlagJudge
from agents.resolve import QuestionResolver
from agents.specificity import SpecificityJudge
from agents.synthesis import RubricSynthesiser, Source
from agents.text import (
    Sentence,
    content_words,
    labels_of,
    normalise,
    split_sentences,
    stem,
    words,
)
from content.loader import Bank
from content.schema import Question

ECHO_SIM = 0.80  # a sentence this close to a sentence of the question restates it
ECHO_SHARE = 0.5  # this share of the answer's words in echoes: the answer echoes the question
OFF_TOPIC = 0.22  # relevance below this, with nothing covered: off topic
WRONG_MARGIN = 0.10  # another question's profile closer by this much: a different question
MENTIONS_ASKED = 0.3  # an answer using this share of a typed question's words answers it
TOO_SHORT_WORDS = 25
NO_ANSWER_COVERAGE = 0.12


@dataclass(frozen=True)
class Segment:
    """A piece of a transcript: what the candidate said in one phase."""

    text: str
    phase: str | None = None


@dataclass
class _Prepared:
    rubric: rubrics.Rubric
    level: str
    text: str
    sentences: list[Sentence]
    phases: list[str | None]
    flags: list[str] = field(default_factory=list)
    info: RubricInfo | None = None
    mistakes: list[Hit] = field(default_factory=list)
    # Every sentence that commits a mistake, charged or not: never quoted as a best moment.
    mistaken: set[int] = field(default_factory=set)


def _join(answer: str | list[Segment]) -> tuple[str, list[tuple[int, str | None]]]:
    if isinstance(answer, str):
        return answer, [(0, None)]
    text, starts = "", []
    for seg in answer:
        starts.append((len(text), seg.phase))
        text += seg.text.strip() + "\n\n"
    return text, starts


def _phase_at(starts: list[tuple[int, str | None]], offset: int) -> str | None:
    phase = None
    for start, p in starts:
        if start <= offset:
            phase = p
    return phase


class OfflineEvaluator:
    engine = "offline"

    def __init__(self, embedder: MiniLMEmbedder, bank: Bank):
        self.embedder = embedder
        self.bank = bank
        self.judge = ItemJudge(
            embedder,
            behaviours=BehaviourJudge(
                embedder, [*bank.behaviours.values(), *bank.generic.values()]
            ),
            specificity=SpecificityJudge(bank.concepts, list(bank.vague.values())),
        )
        self._profiles: tuple[list[str], np.ndarray] | None = None
        self._bank_prompt_vecs: np.ndarray | None = None
        self._prompt_cache: dict[str, np.ndarray] = {}
        self.resolver = QuestionResolver(embedder, bank)
        self.synthesiser = RubricSynthesiser(embedder, bank)
        self.red_flags = RedFlagJudge(embedder, list(bank.red_flags.values()))

    # -- rubric choice -------------------------------------------------------------------
    def _bank_profiles(self) -> tuple[list[str], np.ndarray]:
        if self._profiles is None:
            ids = sorted(self.bank.questions)
            rows = []
            for qid in ids:
                q = self.bank.questions[qid]
                vecs = self.embedder.encode([f"{q.title}. {q.prompt}", *q.reference_outline])
                c = vecs.mean(axis=0)
                rows.append(c / np.linalg.norm(c))
            self._profiles = (ids, np.array(rows) if rows else np.zeros((0, 384)))
        return self._profiles

    def match_question(self, text: str) -> Question | None:
        """The bank question a free-text question is asking for, if one clearly is."""
        qid = self.resolver.resolve(text).question_id
        return self.bank.questions[qid] if qid else None

    def rubric_for(
        self, question: Question | str, reference: str | None, answer_text: str
    ) -> tuple[rubrics.Rubric, RubricInfo]:
        if isinstance(question, Question):
            info = RubricInfo(
                kind="bank", question_id=question.id, reason="the bank question was given by id"
            )
            return rubrics.for_question(question, reference), info
        plain = rubrics.for_free_text(question, reference, answer_text)
        if plain.kind == "reference":  # an exam-style answer is marked on the model answer
            reason = "a short answer with a reference: graded on the reference's key points"
            return plain, RubricInfo(kind="reference", reason=reason)
        found = self.resolver.resolve(question)
        base = RubricInfo(
            kind="bank",
            reason=found.reason,
            match_score=found.match_score,
            runner_up=found.runner_up,
            runner_up_score=found.runner_up_score,
        )
        if found.question_id is not None:
            q = self.bank.questions[found.question_id]
            info = base.model_copy(update={"question_id": q.id})
            return rubrics.for_question(q, reference), info
        synth, sources = self.synthesiser.rubric(question, found)
        if reference and reference.strip():
            ref = rubrics.reference_items(reference, question)
            synth = replace(
                synth,
                key=rubrics._key(synth.key, reference),
                items=(*synth.items, *ref),
                reference_ids=frozenset(i.id for i in ref),
            )
            sources += [Source(i.id, "reference") for i in ref]
        by_id = {i.id: i for i in synth.items}
        borrowed = sorted({s.origin.split("#")[0] for s in sources if "#" in s.origin})
        info = base.model_copy(
            update={
                "kind": "synthesised",
                "reason": f"{found.reason}; built from the generic rubric, behaviours and "
                f"{sum('#' in s.origin for s in sources)} items of "
                + (", ".join(borrowed) or "no bank question"),
                "items": [
                    RubricItemSource(
                        id=s.item_id,
                        dimension=by_id[s.item_id].dimension,
                        text=by_id[s.item_id].text,
                        weight=by_id[s.item_id].weight,
                        origin=s.origin,
                    )
                    for s in sources
                ],
            }
        )
        return synth, info

    # -- grading -------------------------------------------------------------------------
    def _prepare(
        self,
        question: Question | str,
        answer: str | list[Segment],
        level: str,
        reference: str | None,
    ) -> _Prepared:
        raw, starts = _join(answer)
        screened = screen(raw)
        rubric, info = self.rubric_for(question, reference, screened.text)
        if not isinstance(answer, list):  # a written answer, not an interview's segments
            rubric = rubrics.for_written(rubric)
        sentences = split_sentences(screened.text)
        phases = [_phase_at(starts, raw.find(s.text)) for s in sentences]
        prepared = _Prepared(
            rubric, level, screened.text, sentences, phases, list(screened.flags), info
        )
        n_words = len(words(screened.text))
        if not sentences or is_dont_know(screened.text):
            prepared.flags.append("no_answer")
        elif n_words < TOO_SHORT_WORDS and not rubric.reference_only:
            prepared.flags.append("too_short")
        if sentences and is_keyword_list(screened.text):
            prepared.flags.append("keyword_list")
        return prepared

    def _prompt_vecs(self, r: rubrics.Rubric) -> np.ndarray:
        if r.key not in self._prompt_cache:
            parts = [s.text for s in split_sentences(r.prompt)] or [r.prompt]
            self._prompt_cache[r.key] = self.embedder.encode(parts)
        return self._prompt_cache[r.key]

    def _echoes(self, p: _Prepared, vecs: np.ndarray) -> set[int]:
        if not p.sentences or p.rubric.reference_only:
            return set()
        sims = (vecs @ self._prompt_vecs(p.rubric).T).max(axis=1)
        prompt_words = set(normalise(p.rubric.prompt).split())
        echo = set()
        for s, sim in zip(p.sentences, sims, strict=True):
            cw = [normalise(w) for w in content_words(s.text)]
            overlap = sum(w in prompt_words for w in cw) / len(cw) if cw else 1.0
            if sim >= ECHO_SIM or (len(cw) >= 3 and overlap >= 0.8):
                echo.add(s.index)
        return echo

    def _relevance_flags(self, p: _Prepared, vecs: np.ndarray, usable: list[int]) -> list[str]:
        if not usable or p.rubric.reference_only:
            return []
        c = vecs[usable].mean(axis=0)
        c = c / (np.linalg.norm(c) or 1.0)
        own_vecs = self.embedder_profile(p.rubric)
        own = float(own_vecs @ c)
        ids, profiles = self._bank_profiles()
        if len(ids) == 0:
            return ["off_topic"] if own < OFF_TOPIC else []
        sims = profiles @ c
        # Questions a synthesised rubric borrowed from are neighbours, not a different question.
        others = [
            (float(s), i)
            for s, i in zip(sims, ids, strict=True)
            if i != p.rubric.question_id and i not in p.rubric.related
        ]
        best_other = max(others, default=(0.0, ""))
        if own < OFF_TOPIC and best_other[0] < OFF_TOPIC + 0.08:
            return ["off_topic"]
        if best_other[0] - own >= WRONG_MARGIN:
            # A synthesised rubric's profile is thin, so a bank question can read closer to an
            # answer that does answer the typed question (food delivery read as dispatch). Such
            # an answer names the typed question's own things; one to another question doesn't.
            if p.rubric.question_id is None and (
                self.resolver.mentions(p.text, p.rubric.prompt) >= MENTIONS_ASKED
                or self._prompt_margin(p.rubric, c) < WRONG_MARGIN
            ):
                return []
            return ["wrong_question"]
        return []

    def _prompt_margin(self, r: rubrics.Rubric, answer: np.ndarray) -> float:
        """How much closer the answer reads to the nearest bank question's prompt than to the
        typed one: prompts against prompts, where a thin synthesised profile can't tip it."""
        if self._bank_prompt_vecs is None:
            ids = sorted(self.bank.questions)
            qs = [self.bank.questions[i] for i in ids]
            self._bank_prompt_vecs = self.embedder.encode([f"{q.title}. {q.prompt}" for q in qs])
        others = self._bank_prompt_vecs @ answer
        return float(others.max(initial=-1.0)) - float(self._question_vec(r) @ answer)

    def _question_vec(self, r: rubrics.Rubric) -> np.ndarray:
        key = "question:" + r.key
        if key not in self._prompt_cache:
            self._prompt_cache[key] = self.embedder.encode([r.prompt])[0]
        return self._prompt_cache[key]

    def embedder_profile(self, r: rubrics.Rubric) -> np.ndarray:
        key = "profile:" + r.key
        if key not in self._prompt_cache:
            vecs = self.embedder.encode(list(r.profile))
            c = vecs.mean(axis=0)
            self._prompt_cache[key] = c / np.linalg.norm(c)
        return self._prompt_cache[key]

    def _finish(self, p: _Prepared, vecs: np.ndarray, whole: np.ndarray | None) -> Evaluation:
        echo = self._echoes(p, vecs)
        n_words = sum(len(words(s.text)) for s in p.sentences) or 1
        echo_words = sum(len(words(s.text)) for s in p.sentences if s.index in echo)
        if p.sentences and echo_words / n_words >= ECHO_SHARE:
            p.flags.append("echoes_question")
        usable = [s.index for s in p.sentences if s.index not in echo]
        if "no_answer" not in p.flags:
            p.flags.extend(self._relevance_flags(p, vecs, usable))
        judged = self._judge(p, vecs, echo, whole)
        # Saying one does not know, and covering next to nothing, is no answer whatever its length.
        bonus = p.rubric.bonus_ids
        if (
            mentions_not_knowing(p.text)
            and scoring.coverage(judged, p.level, bonus) < NO_ANSWER_COVERAGE
        ):
            p.flags.append("no_answer")
        self._find_red_flags(p, vecs, usable)
        return self._evaluation(p, judged)

    def _find_red_flags(self, p: _Prepared, vecs: np.ndarray, usable: list[int]) -> None:
        """The design mistakes the answer commits (found by code, on either engine)."""
        if not p.rubric.reference_only and len(vecs):
            found = self.red_flags.find(p.sentences, vecs, usable, limit=None)
            p.mistakes = found[:MAX_RED_FLAGS]
            p.mistaken = {h.sentence for h in found}

    def _judge(
        self,
        p: _Prepared,
        vecs: np.ndarray,
        echo: set[int],
        whole: np.ndarray | None = None,
        rubric: rubrics.Rubric | None = None,
    ) -> list[Judged]:
        """Every item of `rubric` (the answer's, by default) judged on the answer's sentences
        (`echo`: those that restate the question, which count for nothing)."""
        # A bare label ("API", "Design:", "The feed") names a section; what follows it is the
        # evidence, not the label itself.
        # A question the candidate asks is evidence of asking, not of a point it names.
        labels = labels_of(p.sentences) if not p.rubric.reference_only else set()
        return self.judge.judge(
            rubric or p.rubric,
            p.sentences,
            vecs if len(vecs) else np.zeros((0, 384), dtype=np.float32),
            ignore=echo,
            labels=labels,
            prompt_normalised=normalise(p.rubric.prompt),
            keyword_list="keyword_list" in p.flags,
            whole_vec=whole,
            question_vec=self._question_vec(p.rubric) if p.rubric.reference_only else None,
            phases=p.phases if any(p.phases) else None,
        )

    def _foreign(self, rubric: rubrics.Rubric) -> set[str]:
        """Borrowed items (agents/synthesis.py) whose text names their home question's subject
        and not the asked one's: scored as borrowed, never named as a miss. A configuration
        service was told it missed "a partitioned log keyed by order id" (event-driven orders)
        and "the logging system" (log ingestion). Dropping them from the rubric instead cost
        the held-out free-text set 0.024 of Spearman."""
        asked = _title_stems(rubric.prompt)
        out = set()
        for item in rubric.items:
            home = self.bank.questions.get(item.id.split("--")[0]) if "--" in item.id else None
            if home and (_title_stems(item.text) & _title_stems(home.title)) - asked:
                out.add(item.id)
        return out

    def is_behaviour(self, item_id: str) -> bool:
        """Whether an item is a behaviour of content/behaviours.yaml (asking, stating
        assumptions, weighing alternatives, recapping), judged by code on any engine. The
        generic rubric's design items share the schema but are design content, not these."""
        return any(b.item.id == item_id for b in self.bank.behaviours.values())

    def judge_behaviours(self, p: _Prepared, vecs: np.ndarray, echo: set[int]) -> dict[str, Judged]:
        """The answer's behaviour items judged by code, and only those (the judge caches item
        vectors per rubric key, so the part gets a key of its own)."""
        part = replace(
            p.rubric,
            key=f"{p.rubric.key}#behaviours",
            items=tuple(i for i in p.rubric.items if self.is_behaviour(i.id)),
        )
        return {j.item.id: j for j in self._judge(p, vecs, echo, rubric=part)} if part.items else {}

    def _evaluation(self, p: _Prepared, judged: list[Judged]) -> Evaluation:
        flags = sorted(set(p.flags))
        dims = scoring.apply_flags(
            scoring.dimension_scores(judged, p.level, p.rubric.bonus_ids), flags
        )
        dims = scoring.apply_red_flags(dims, len(p.mistakes))
        overall = scoring.overall(dims, p.level)
        quote = {s.index: s.text for s in p.sentences}
        items = [
            ItemResult(
                id=j.item.id,
                dimension=j.item.dimension,
                status=j.status,  # type: ignore[arg-type]
                evidence=list(j.quotes or [quote[i] for i in j.evidence])
                if j.status != "missing"
                else [],
                phase=p.phases[j.evidence[0]] if j.evidence and j.status != "missing" else None,
                note="" if not j.item.requires_reasoning or j.reasoned else "named, not justified",
            )
            for j in judged
        ]
        dimensions = []
        for d in dims:
            mine = [j for j in judged if j.item.dimension == d.name]
            evidence = list(
                dict.fromkeys(
                    (j.quotes[0] if j.quotes else quote[j.evidence[0]])
                    for j in mine
                    if j.status != "missing" and (j.quotes or j.evidence)
                )
            )[:3]
            expected = [
                j
                for j in mine
                if scoring.is_expected(j.item.level, p.level)
                and j.item.id not in p.rubric.bonus_ids
            ]
            missing = [j.item.text for j in expected if j.status == "missing"]
            partial = [j.item.text for j in expected if j.status == "partial"]
            dimensions.append(
                DimensionScore(
                    name=d.name,  # type: ignore[arg-type]
                    score=d.score,
                    assessed=d.assessed,
                    evidence=evidence,
                    missing=missing,
                    partial=partial,
                )
            )
        return Evaluation(
            question_id=p.rubric.question_id,
            overall=overall,
            verdict=scoring.verdict(overall),  # type: ignore[arg-type]
            level=p.level,  # type: ignore[arg-type]
            dimensions=dimensions,
            items=items,
            flags=flags,
            feedback=feedback(
                dimensions,
                [j for j in judged if j.item.id not in p.rubric.bonus_ids],
                flags,
                p.level,
                {i: t for i, t in quote.items() if i not in p.mistaken},
                avoid={quote[i] for i in p.mistaken if i in quote},
                foreign=self._foreign(p.rubric),
            ),
            engine=self.engine,
            rubric=p.info,
            red_flags=[RedFlagFinding(id=h.id, text=h.text, quote=h.quote) for h in p.mistakes],
        )

    def regrade(
        self,
        ev: Evaluation,
        items: list[ItemResult],
        question: Question,
        level: str,
        flags: list[str],
    ) -> Evaluation:
        """Recomputes every number from changed item statuses (e.g. capped after hints)."""
        rubric = rubrics.for_question(question)
        by_id = {i.id: i for i in rubric.items}
        credit = {"covered": 1.0, "partial": 0.5, "missing": 0.0}
        judged = [
            Judged(
                by_id[it.id],
                it.status,
                credit[it.status],
                0.0,
                (),
                it.status == "covered",
                tuple(it.evidence),
            )
            for it in items
            if it.id in by_id
        ]
        p = _Prepared(rubric, level, "", [], [], sorted({*ev.flags, *flags}), ev.rubric)
        p.mistakes = [Hit(f.id, f.text, -1, f.quote) for f in ev.red_flags]
        new = self._evaluation(p, judged)
        return new.model_copy(
            update={"engine": ev.engine, "prompt_hashes": ev.prompt_hashes, "items": items}
        )

    def adjust(self, ev: Evaluation, deltas: dict[str, float], level: str) -> Evaluation:
        """Moves dimension scores by `deltas` (interview checks) and recomputes the overall."""
        if not any(deltas.values()):
            return ev
        dims = [
            d.model_copy(update={"score": max(1.0, min(4.0, d.score + deltas.get(d.name, 0.0)))})
            for d in ev.dimensions
        ]
        results = [scoring.DimensionResult(d.name, d.score, d.assessed, 0.0) for d in dims]
        total = scoring.overall(results, level)
        # The feedback names the scores the card shows: "Strongest on requirements (4/4)" over a
        # requirements score an uncorrected slip took to 3 was the grade before the checks.
        was, now = " ".join(standing(ev.dimensions)), " ".join(standing(dims))
        said = ev.feedback.replace(was, now, 1) if was else f"{now} {ev.feedback}".strip()
        return ev.model_copy(
            update={
                "dimensions": dims,
                "overall": total,
                "verdict": scoring.verdict(total),
                "feedback": said,
            }
        )

    def grade_many(
        self, requests: list[tuple[Question | str, str | list[Segment], str, str | None]]
    ) -> list[Evaluation]:
        """Grades several answers with one embedding pass over all their sentences."""
        # One model pass warms every free-text question, then one more covers all rubric items
        # and sentences: many small passes cost far more than one large one on a CPU.
        free = [q for q, *_ in requests if isinstance(q, str)]
        if free:
            self.embedder.encode(free)
        prepared = [self._prepare(q, a, lvl, ref) for q, a, lvl, ref in requests]
        warm = [i.text for p in prepared for i in p.rubric.items]
        warm += [s.text for p in prepared for s in p.sentences]
        warm += [p.text for p in prepared if p.rubric.reference_ids]
        if warm:
            self.embedder.encode(warm)
        texts: list[str] = []
        for p in prepared:
            texts.extend(s.text for s in p.sentences)
            if p.rubric.reference_ids:
                texts.append(p.text)
        all_vecs = self.embedder.encode(texts) if texts else np.zeros((0, 384), dtype=np.float32)
        out, pos = [], 0
        for p in prepared:
            n = len(p.sentences)
            vecs = all_vecs[pos : pos + n]
            pos += n
            whole = None
            if p.rubric.reference_ids:
                whole = all_vecs[pos]
                pos += 1
            out.append(self._finish(p, vecs, whole))
        return out

    def grade(
        self,
        question: Question | str,
        answer: str | list[Segment],
        level: str = "senior",
        reference: str | None = None,
    ) -> Evaluation:
        return self.grade_many([(question, answer, level, reference)])[0]


QUOTE_WORDS = 30  # a quoted moment longer than this is left out, never cut mid-sentence


def standing(dims: list[DimensionScore]) -> list[str]:
    """The strongest dimension, if strong, and the weakest, if weak, with their scores."""
    assessed = [d for d in dims if d.assessed]
    if not assessed:
        return []
    best = max(assessed, key=lambda d: d.score)
    worst = min(assessed, key=lambda d: d.score)
    out = []
    if best.score >= 3:
        out.append(f"Strongest on {best.name.replace('_', ' ')} ({best.score:g}/4).")
    if worst.score < 3:
        out.append(f"Work on {worst.name.replace('_', ' ')} ({worst.score:g}/4).")
    return out


def feedback(
    dims: list[DimensionScore],
    judged: list[Judged],
    flags: list[str],
    level: str,
    sentences: dict[int, str] | None = None,
    avoid: set[str] | None = None,
    foreign: set[str] | None = None,
) -> str:
    """A short narrative a candidate can act on: flags first, the two strongest moments (quoted),
    the three most valuable misses with what a strong answer does, and what to justify."""
    parts: list[str] = []
    notes = {
        "prompt_injection": "Text addressed to the grader was ignored and costs points.",
        "off_topic": "The answer does not address this question.",
        "no_answer": "There is no attempt to answer yet.",
        "too_short": "The answer is too short to show a design.",
        "echoes_question": "Most of the answer restates the question.",
        "keyword_list": "Naming technologies is not a design: say how they fit and why.",
        "wrong_question": "This reads as a design for a different problem.",
    }
    parts.extend(notes[f] for f in flags if f in notes)
    parts.extend(standing(dims))
    expected = [j for j in judged if scoring.is_expected(j.item.level, level)]
    moments = _strongest_moments(expected, sentences or {}, avoid or set())
    if moments:
        parts.append("Best moments: " + "; ".join(moments) + ".")
    missed = sorted(
        (j for j in expected if j.status == "missing" and j.item.id not in (foreign or set())),
        key=lambda j: (-j.item.weight, j.item.id),
    )[:3]
    if missed:
        parts.append(
            "Most valuable misses: "
            + " ".join(
                f"{j.item.topic}: a strong answer {_lower_first(j.item.text)}" for j in missed
            )
        )
    unjustified = [
        j for j in judged if j.item.requires_reasoning and not j.reasoned and j.status == "partial"
    ][:2]
    if unjustified:
        parts.append(
            "Justify your choices on "
            + " and ".join(j.item.topic for j in unjustified)
            + ": say why, and what the alternative would have cost."
        )
    return " ".join(parts)


# Words any design question's title may use, which name no one problem.
_ANY_QUESTION = frozenset("design build system service platform distributed scalable".split())


def _title_stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(text) if w not in _ANY_QUESTION}


def _lower_first(text: str) -> str:
    text = text.strip()
    text = text if text.endswith(".") else text + "."
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _strongest_moments(
    judged: list[Judged], sentences: dict[int, str], avoid: set[str]
) -> list[str]:
    """The two heaviest covered items with a whole sentence of evidence, each quoted once; a
    sentence that commits a design mistake (`avoid`) is no best moment ("If a customer's endpoint
    is slow, we just wait; timeouts are set to 5 minutes", a webhook mock)."""
    out: list[str] = []
    used: set[str] = set(avoid)
    covered = sorted(
        (j for j in judged if j.status == "covered"), key=lambda j: (-j.item.weight, -j.match)
    )
    for j in covered:
        quote = next(
            (
                q
                for q in [*j.quotes, *(sentences.get(i, "") for i in j.evidence)]
                if q
                and q not in used
                and not any(q in a for a in avoid)
                and len(q.split()) <= QUOTE_WORDS
            ),
            None,
        )
        if quote:
            used.add(quote)
            out.append(f'"{quote.strip()}" ({j.item.topic})')
        if len(out) == 2:
            break
    return out
