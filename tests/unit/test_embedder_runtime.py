"""The ONNX runtime gives the PyTorch path's vectors; a bad export falls back to PyTorch, loudly;
the bank's vectors come from the data dir's cache in the next process."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from retrieval import minilm


def _varied_sentences() -> list[str]:
    """Candidate sentences, bank texts and edge cases: short, long (past the 256-token limit),
    numbers, punctuation, non-ASCII, blank."""
    from agents.text import split_sentences
    from content.loader import bundled_bank
    from evals.datasets import graded_answers

    answers = [a.answer for a in graded_answers()]
    sentences = [s.text for a in answers for s in split_sentences(a)]
    bank = bundled_bank()
    bank_texts = [i.text for q in bank.questions.values() for i in q.rubric]
    bank_texts += [o for q in bank.questions.values() for o in q.reference_outline]
    edge = ["", " ", "ok", "  padded  ", "Ünïcödé café 東京 🚀", "x" * 3000, "word " * 600]
    picked = list(dict.fromkeys(sentences[::3][:200] + bank_texts[::7][:60] + answers[:6] + edge))
    assert len(picked) >= 250
    return picked


@pytest.fixture(scope="module")
def onnx_runtime() -> minilm.OnnxRuntime:
    return minilm.prepare_onnx(Path(os.environ["TRADEOFF_MODEL_CACHE"]))


def test_onnx_vectors_equal_the_pytorch_ones(onnx_runtime: minilm.OnnxRuntime) -> None:
    texts = _varied_sentences()
    torch_vecs = minilm.TorchRuntime().encode(texts, batch_size=16)
    onnx_vecs = onnx_runtime.encode(texts, batch_size=16)
    cosines = (torch_vecs * onnx_vecs).sum(axis=1)
    worst = int(cosines.argmin())
    assert cosines[worst] >= 0.9999, (cosines[worst], texts[worst][:80])
    # Alone or in a batch, a text gets the same vector.
    alone = np.stack([onnx_runtime.encode([t], batch_size=16)[0] for t in texts[:20]])
    assert ((alone * onnx_vecs[:20]).sum(axis=1) >= 0.9999).all()


def test_a_corrupt_export_falls_back_to_pytorch_with_a_warning(
    tmp_path: Path, onnx_runtime: minilm.OnnxRuntime, caplog: pytest.LogCaptureFixture
) -> None:
    models = tmp_path / "models"
    dest = minilm.onnx_dir(models, minilm.model_dir())
    source = minilm.onnx_dir(Path(os.environ["TRADEOFF_MODEL_CACHE"]), minilm.model_dir())
    dest.mkdir(parents=True)
    for name in ("model.onnx", "meta.json"):
        os.link(source / name, dest / name)
    wrong = np.load(source / "reference.npy")[::-1].copy()  # vectors of other sentences
    np.save(dest / "reference.npy", wrong)
    with pytest.raises(minilm.RuntimeCheckFailed):
        minilm.prepare_onnx(models)
    with caplog.at_level(logging.WARNING, logger="tradeoff.embedder"):
        runtime = minilm.load_runtime("onnx", models)
    assert runtime.name == "torch"
    assert "falling back to PyTorch" in caplog.text


def test_unknown_runtime_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="onnx, torch"):
        minilm.load_runtime("tensorflow", tmp_path)


def test_the_next_process_loads_the_bank_vectors_from_the_data_dir(tmp_path: Path) -> None:
    """A cold `grade` embeds the bank once; the next process runs the model only for the
    answer's own sentences."""
    code = (
        "import agents.models as m\n"
        "from core.settings import get_settings\n"
        "from wiring import Container\n"
        "seen = []\n"
        "raw = m.MiniLMEmbedder._encode_raw\n"
        "m.MiniLMEmbedder._encode_raw = lambda self, t: (seen.extend(t), raw(self, t))[1]\n"
        "ev = Container(get_settings()).offline_evaluator\n"
        "q = ev.bank.questions['url-shortener']\n"
        "e = ev.grade(q, 'Shard the codes by hash. Cache hot codes in Redis with a TTL.')\n"
        "print(len(seen), round(e.overall, 6))\n"
    )
    env = {**os.environ, "TRADEOFF_DATA_DIR": str(tmp_path / "data")}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
        )
        for _ in range(2)
    ]
    for r in runs:
        assert r.returncode == 0, r.stderr[-2000:]
    (first, overall1), (second, overall2) = (r.stdout.split() for r in runs)
    assert int(first) > 300  # the bank's profiles, rubric and behaviours
    assert int(second) <= 10, second  # the answer's sentences and little else
    assert overall1 == overall2
    assert (tmp_path / "data" / "vectors.sqlite3").exists()
