"""The MiniLM embedder loads from site-packages with the hub switched off."""

from __future__ import annotations

import os
import subprocess
import sys


def test_embedder_loads_with_hub_offline_and_gives_normalised_384d_vectors() -> None:
    code = (
        "import numpy as np\n"
        "from agents.models import MiniLMEmbedder\n"
        "v = MiniLMEmbedder().encode(['cache stampede', 'consistent hashing ring'])\n"
        "assert v.shape == (2, 384), v.shape\n"
        "assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)\n"
        "print('ok', float(v[0] @ v[1]))\n"
    )
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HOME": "/nonexistent-hf-home",
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.startswith("ok")


def test_embedder_is_a_langchain_embeddings_and_a_chroma_function(embedder) -> None:
    q = embedder.embed_query("read replica lag")
    docs = embedder.embed_documents(["a", "b"])
    assert len(q) == 384 and len(docs) == 2
    assert len(embedder(["x"])[0]) == 384
