"""The shared Prefect harness runs a real flow with a real task."""

from __future__ import annotations

from prefect import flow, task


@task
def double(x: int) -> int:
    return 2 * x


@flow
def tiny(xs: list[int]) -> int:
    return sum(f.result() for f in double.map(xs))


def test_flow_runs_under_harness(prefect_harness: None) -> None:
    assert tiny([1, 2, 3]) == 12
