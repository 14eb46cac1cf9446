"""The result of verifying the audit log: problems (where, why), counts, warnings."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    where: str
    why: str

    def __str__(self) -> str:
        return f"{self.where}: {self.why}"


@dataclass
class VerifyReport:
    entries: int = 0
    chains: int = 0
    evidence: int = 0
    files: int = 0
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. a missing time stamp (policy warn)
    stamps: list[str] = field(default_factory=list)  # verified time stamps of signed heads

    @property
    def ok(self) -> bool:
        return not self.problems
