"""One exception type per kind of user error; the CLI maps them to exit code 2,
the API to 422/409, always with the same message."""

from __future__ import annotations


class SoczakazError(Exception):
    """Base of every error a user can cause and fix (bad input, illegal action)."""

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []

    def lines(self) -> list[str]:
        """Every message line, most precise first (details, then the summary)."""
        return [*self.details, self.message] if self.details else [self.message]


class RoadmapError(SoczakazError):
    """A roadmap template is malformed; ``details`` holds FILE:LINE:COL: lines."""


class NotFoundError(SoczakazError):
    """A referenced municipality, step, person... does not exist."""


class InputError(SoczakazError):
    """A CLI argument or API value is invalid."""


class EvidenceError(SoczakazError):
    """Completion evidence does not satisfy the step kind's requirements."""


class TransitionError(SoczakazError):
    """An illegal state transition (review cycle, step status)."""


class ConflictError(SoczakazError):
    """The action conflicts with the current state (already done, duplicate...)."""
