"""A clock moved by hand, so a simulated 45-minute interview takes milliseconds."""

from __future__ import annotations


class ManualClock:
    def __init__(self, start: float = 1_000_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
