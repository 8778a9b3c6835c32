"""What reads as reasoning in a sentence (agents/text.reasoning_in)."""

from __future__ import annotations

import pytest

from agents.text import reasoning_in


@pytest.mark.parametrize(
    ("sentence", "reasons"),
    [
        # A decision drawn from what came before, said with a contraction.
        ("Exactly-once isn't achievable end to end there, so I'd promise at-least-once.", True),
        ("Tenants differ by a thousand times in size, so we'll shard by tenant id.", True),
        # "so I'd say" only hedges.
        ("It's a big system, so I'd say Kafka.", False),
        ("We use Kafka and Redis.", False),
    ],
)
def test_a_decision_drawn_with_so_is_reasoning(sentence: str, reasons: bool) -> None:
    assert reasoning_in(sentence) is reasons
