"""Loads the eval datasets under `evals/data/`, validating every record against `evals.schema`."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from evals.schema import (
    AdversarialCase,
    DrillCase,
    EstimateCase,
    FreeTextAnswer,
    GradedAnswer,
    HintSituation,
    InjectionAttack,
    QuestionPhrasing,
    ShortAnswer,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
M = TypeVar("M", bound=BaseModel)


class DatasetError(ValueError):
    pass


def load_records(path: Path, model: type[M]) -> list[M]:
    """A YAML list (or JSONL) of `model` records; errors name the file, the record and the field."""
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".jsonl":
            raw = [yaml.safe_load(line) for line in text.splitlines() if line.strip()]
        else:
            raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DatasetError(f"{path}: not valid YAML/JSON: {exc}") from exc
    if not isinstance(raw, list):
        raise DatasetError(f"{path}: expected a list of records")
    out = []
    for i, record in enumerate(raw):
        try:
            out.append(model.model_validate(record))
        except ValidationError as err:
            e = err.errors()[0]
            loc = ".".join(str(p) for p in e["loc"])
            raise DatasetError(f"{path}: record {i}: {loc}: {e['msg']}") from err
    return out


def _load_dir(folder: Path, model: type[M]) -> list[M]:
    records: list[M] = []
    for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.jsonl")):
        records.extend(load_records(path, model))
    return _unique(records, folder)


def _unique(records: list[M], where: Path) -> list[M]:
    ids = [getattr(r, "id", None) for r in records]
    dupes = sorted({i for i in ids if i is not None and ids.count(i) > 1})
    if dupes:
        raise DatasetError(f"{where}: duplicate ids {dupes}")
    return records


def graded_answers(data_dir: Path = DATA_DIR) -> list[GradedAnswer]:
    return _load_dir(data_dir / "grading", GradedAnswer)


def adversarial_cases(data_dir: Path = DATA_DIR) -> list[AdversarialCase]:
    return _load_dir(data_dir / "adversarial", AdversarialCase)


def short_answers(data_dir: Path = DATA_DIR) -> list[ShortAnswer]:
    path = data_dir / "short_answers.yaml"
    return load_records(path, ShortAnswer) if path.exists() else []


def injection_attacks(data_dir: Path = DATA_DIR) -> list[InjectionAttack]:
    return load_records(data_dir / "injection.yaml", InjectionAttack)


def freetext_answers(data_dir: Path = DATA_DIR) -> list[FreeTextAnswer]:
    """Answers to questions given as free text: outside the bank, or bank questions reworded."""
    return _load_dir(data_dir / "freetext", FreeTextAnswer)


def freetext_heldout(data_dir: Path = DATA_DIR) -> list[FreeTextAnswer]:
    """Free-text answers written blind to the grader on questions no other set uses, never tuned
    on: a figure measured, not fitted (reported beside the validation split)."""
    return _load_dir(data_dir / "freetext-heldout", FreeTextAnswer)


def question_phrasings(data_dir: Path = DATA_DIR) -> list[QuestionPhrasing]:
    return _load_dir(data_dir / "resolution", QuestionPhrasing)


def estimate_cases(data_dir: Path = DATA_DIR) -> list[EstimateCase]:
    return _load_dir(data_dir / "estimates", EstimateCase)


def hint_situations(data_dir: Path = DATA_DIR) -> list[HintSituation]:
    return _load_dir(data_dir / "hints", HintSituation)


def drill_answers(data_dir: Path = DATA_DIR) -> list[DrillCase]:
    path = data_dir / "drills.yaml"
    return _unique(load_records(path, DrillCase), path)
