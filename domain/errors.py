"""One exception type per kind of user error; the CLI maps them to exit code 2,
the API to 422/409, always with the same message.

Every error may name the field it is about (``field=``: an evidence field such as
``recipient``, ``file``, or a CLI option such as ``--period``), and so may each of
its detail lines (:class:`Problem`); the web maps that name to a ``loc`` path. The
field is never parsed back out of the Russian text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One detail line of an error and the field it names (``None``: the whole input)."""

    text: str
    field: str | None = None


class SoczakazError(Exception):
    """Base of every error a user can cause and fix (bad input, illegal action)."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        details: Sequence[str | Problem] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = [d if isinstance(d, Problem) else Problem(d) for d in details or ()]

    @property
    def details(self) -> list[str]:
        """The detail lines as text (FILE:LINE: … lines, further field problems)."""
        return [p.text for p in self.problems]

    def lines(self) -> list[str]:
        """Every message line, most precise first (details, then the summary)."""
        return [*self.details, self.message] if self.problems else [self.message]

    def located(self) -> list[Problem]:
        """The summary and then every detail line, each with the field it names."""
        return [Problem(self.message, self.field), *self.problems]


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
