"""How a flow runs a job's batches as Prefect task runs (see jobs.batching.Each)."""

from __future__ import annotations

from typing import Any

from prefect import Task

from jobs.batching import Counts, Each


def submitted(task: Task[..., Counts]) -> Each:
    """One task run per batch, submitted together (the flow's task runner runs them)."""

    def run(calls: list[dict[str, Any]]) -> list[Counts]:
        futures = [task.submit(**call) for call in calls]
        return [f.result() for f in futures]

    return run


def called(task: Task[..., Counts]) -> Each:
    """One task run per batch, one after another."""
    return lambda calls: [task(**call) for call in calls]
