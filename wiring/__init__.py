"""The composition root: the one place that decides which concrete part fills each seam."""

from wiring.container import Container

__all__ = ["Container"]
