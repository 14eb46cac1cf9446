"""Pydantic models of a roadmap template (strict: unknown keys are errors).

The YAML format is documented in ``docs/roadmap-format.md``. These models check
structure and types; cross-step rules (references, cycles, date expressions,
due-rule consistency) live in ``roadmaps.checks`` so that every error can be
reported with its line and column by ``roadmaps.loader``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from models.core import Role
from models.records import EventKind
from models.roadmap import Recurrence, StepKind

KEY_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"
StepKey = Annotated[StrictStr, Field(pattern=KEY_PATTERN, max_length=128)]
FieldName = Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
PositiveDays = Annotated[StrictInt, Field(ge=1, le=366)]
NonNegativeDays = Annotated[StrictInt, Field(ge=0, le=366)]

DEFAULT_POLICY = "default"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReminderPolicySpec(_Strict):
    """When to remind the owner and when to escalate (working days)."""

    before: list[PositiveDays] = Field(default_factory=lambda: [14, 7, 1])
    on_day: StrictBool = True
    after: list[PositiveDays] = Field(default_factory=lambda: [1, 3])
    escalate_after: dict[StrictStr, NonNegativeDays] = Field(
        default_factory=lambda: {"moc_head": 3, "rmc": 10}
    )
    # Sending window in the recipient's zone, e.g. "09:00-18:00"; None = any time.
    window: Annotated[StrictStr, Field(pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")] | None = None
    digest: StrictBool = False


class DueSpec(_Strict):
    """The due rule: exactly one of ``date``, ``after`` or ``period_end``.

    ``working_days`` shifts the base date on the working-day calendar (after the
    referenced step's due date, after the period end, or from the fixed date).
    """

    date: StrictStr | None = None
    after: StrictStr | None = None
    period_end: StrictBool | None = None
    working_days: Annotated[StrictInt, Field(ge=-366, le=366)] = 0

    def rule(self) -> str:
        """Which rule is set: "date", "after", "period_end" (or "" if none/ambiguous)."""
        set_ = [
            name
            for name, on in (
                ("date", self.date is not None),
                ("after", self.after is not None),
                ("period_end", bool(self.period_end)),
            )
            if on
        ]
        return set_[0] if len(set_) == 1 else ""


class DoneWhenSpec(_Strict):
    """An event step is done by the events register: at least N events in its period."""

    events_at_least: Annotated[StrictInt, Field(ge=1, le=10_000)]
    kinds: list[EventKind] = Field(default_factory=list)


class StepSpec(_Strict):
    key: StepKey
    title: Annotated[StrictStr, Field(min_length=1)]
    kind: StepKind
    owner: Role = Role.moc_head
    description: StrictStr = ""
    due: DueSpec
    recurrence: Recurrence = Recurrence.once
    depends_on: list[StepKey] = Field(default_factory=list)
    evidence: list[FieldName] = Field(default_factory=list)
    reminders: StrictStr = DEFAULT_POLICY
    done_when: DoneWhenSpec | None = None


class TemplateSpec(_Strict):
    key: StepKey
    version: Annotated[StrictInt, Field(ge=1)]
    title: Annotated[StrictStr, Field(min_length=1)]
    description: StrictStr = ""
    # "calendar" (January–December) or "school" (September–August, loaded as --year 2020/2021;
    # {year} is the first calendar year of the school year).
    year_kind: Literal["calendar", "school"] = "calendar"
    # Typical dates as date expressions, overridable at load time.
    parameters: dict[FieldName, StrictStr] = Field(default_factory=dict)
    reminder_policies: dict[StepKey, ReminderPolicySpec] = Field(default_factory=dict)
    steps: Annotated[list[StepSpec], Field(min_length=1)]

    def policies(self) -> dict[str, ReminderPolicySpec]:
        """Declared reminder policies plus the implicit ``default`` one."""
        out = {DEFAULT_POLICY: ReminderPolicySpec()}
        out.update(self.reminder_policies)
        return out

    def step(self, key: str) -> StepSpec:
        for s in self.steps:
            if s.key == key:
                return s
        raise KeyError(key)
