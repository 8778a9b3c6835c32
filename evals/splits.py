"""The tuning / validation split of every labelled set, fixed by a hash of each record's group.

A group is the unit that must not straddle the split (a question, so no answer to a validation
question is ever tuned on). Thresholds are fitted on the tuning part only; reports quote the
validation part. The rule is a hash, not a list, so nobody can move a case by hand.
"""

from __future__ import annotations

import hashlib
from typing import Literal

Split = Literal["tuning", "validation"]
VALIDATION_SHARE = 0.4


def split_of(group: str) -> Split:
    digest = hashlib.sha256(f"tradeoff-split:{group}".encode()).digest()
    share = int.from_bytes(digest[:4], "big") / 2**32
    return "validation" if share < VALIDATION_SHARE else "tuning"


def is_validation(group: str) -> bool:
    return split_of(group) == "validation"
