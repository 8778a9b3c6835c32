"""A rubric for a question outside the bank, built at request time.

The generic rubric and the behaviour items give every design question its frame; items borrowed
from the nearest bank questions give it substance ("design a job queue" borrows retries,
idempotency and dead letters). A borrowed item must be close in meaning to the question, is not
kept twice (near-duplicates dropped), is re-worded without the other question's own numbers, and
each dimension takes only a few, so no single neighbour dominates. Same text in, same rubric out.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np

from agents.models import MiniLMEmbedder
from agents.resolve import Resolution
from agents.rubric import Rubric, _key, behaviour_items, generic_items
from content.loader import Bank
from content.schema import DIMENSIONS, RubricItem

BORROW_FROM = 4  # nearest bank questions to borrow from
BORROW_SIM = 0.30  # an item this close (cosine) to the question text is about it
PER_DIMENSION = 2  # borrowed items per dimension at most
DEDUPE_SIM = 0.80  # an item this close to one already kept says the same thing
BORROWED_WEIGHT = 2  # borrowed items weigh like the generic rubric's main items
# Communication is judged from behaviour; the bank's own communication items are about its
# question's specifics, so they are not borrowed.
BORROWED_DIMENSIONS = tuple(d for d in DIMENSIONS if d != "communication")
_PAREN = re.compile(r"\s*\([^)]*\)")
_FIGURE = re.compile(
    r"\s*(~|about |roughly )?\d[\d,.]*\s*(%|[kmbt]\b|k/s|m/s|ms\b|s\b|gb|tb|pb|mb|kb|x\b|"
    r"million|billion|thousand)?",
    re.I,
)


@dataclass(frozen=True)
class Source:
    item_id: str
    origin: str  # "generic" | "behaviour" | "<bank question id>#<item id>"
    relevance: float = 0.0


def reword(text: str) -> str:
    """The item's point without its home question's figures: parentheticals and numbers go."""
    out = _PAREN.sub("", text)
    out = _FIGURE.sub("", out)
    out = re.sub(r"\s{2,}", " ", out).replace(" ,", ",").replace(" .", ".").strip()
    return out if len(out.split()) >= 4 else text


class RubricSynthesiser:
    def __init__(self, embedder: MiniLMEmbedder, bank: Bank):
        self.embedder = embedder
        self.bank = bank
        self._lock = threading.Lock()
        self._item_vecs: dict[str, np.ndarray] = {}

    def _vectors(self, qid: str) -> np.ndarray:
        with self._lock:
            vecs = self._item_vecs.get(qid)
        if vecs is None:
            vecs = self.embedder.encode([i.text for i in self.bank.questions[qid].rubric])
            with self._lock:
                self._item_vecs[qid] = vecs
        return vecs

    def borrowed(self, text: str, resolution: Resolution) -> list[tuple[RubricItem, Source]]:
        """Items from the nearest bank questions that fit `text`, best first per dimension."""
        qvec = self.embedder.encode([text])[0]
        pool: list[tuple[float, str, RubricItem, np.ndarray]] = []
        for cand in resolution.nearest[:BORROW_FROM]:
            q = self.bank.questions[cand.question_id]
            vecs = self._vectors(q.id)
            for item, vec in zip(q.rubric, vecs, strict=True):
                if item.dimension not in BORROWED_DIMENSIONS:
                    continue
                rel = round(float(vec @ qvec), 4)
                if rel >= BORROW_SIM:
                    pool.append((rel, q.id, item, vec))
        pool.sort(key=lambda p: (-p[0], p[1], p[2].id))
        kept: list[tuple[RubricItem, Source]] = []
        kept_vecs: list[np.ndarray] = []
        per_dim: dict[str, int] = {}
        for rel, qid, item, vec in pool:
            if per_dim.get(item.dimension, 0) >= PER_DIMENSION:
                continue
            if any(float(vec @ v) >= DEDUPE_SIM for v in kept_vecs):
                continue
            per_dim[item.dimension] = per_dim.get(item.dimension, 0) + 1
            kept_vecs.append(vec)
            new = item.model_copy(
                update={
                    "id": f"{qid}--{item.id}"[:64].rstrip("-"),
                    "text": reword(item.text),
                    "weight": min(item.weight, BORROWED_WEIGHT),
                }
            )
            kept.append((new, Source(new.id, f"{qid}#{item.id}", rel)))
        return kept

    def rubric(self, text: str, resolution: Resolution) -> tuple[Rubric, list[Source]]:
        borrowed = self.borrowed(text, resolution)
        sources = [Source(i.id, "generic") for i in generic_items()]
        sources += [Source(i.id, "behaviour") for i in behaviour_items()]
        sources += [s for _, s in borrowed]
        items = (*generic_items(), *behaviour_items(), *(i for i, _ in borrowed))
        rubric = Rubric(
            key=_key("synth", text),
            kind="synthesised",
            question_id=None,
            title=text[:120],
            prompt=text,
            items=items,
            profile=(text,),
            related=frozenset(c.question_id for c in resolution.nearest[:BORROW_FROM]),
        )
        return rubric, sources
