"""Domain errors the services raise; the HTTP edge maps each kind to a status in one place."""

from __future__ import annotations


class ServiceError(Exception):
    """A request the service cannot carry out; `message` is safe to show the caller."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    """No such thing, or it belongs to someone else."""


class Conflict(ServiceError):
    """The thing is not in a state that allows this (finished, changed meanwhile, in progress)."""


class Invalid(ServiceError):
    """The input is well-formed but makes no sense here (an empty message)."""
