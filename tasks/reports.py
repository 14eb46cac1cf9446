"""Prefect task over jobs.reports: one task run per batch of municipalities."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from jobs import reports
from jobs.reports import report_path

__all__ = ["build_reports_batch", "report_path"]

build_reports_batch = task(
    name="build-reports-batch", retries=1, cache_policy=NO_CACHE, cache_result_in_memory=False
)(reports.build_reports_batch)
