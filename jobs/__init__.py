"""The scheduled jobs, each composed once: plain functions that run one batch.

Prefect tasks (tasks/) and flows (flows/) wrap these in one line each; the CLI's
``--without-prefect``, the demo and the benchmarks call them directly.
"""

from jobs.batching import Each, in_process, municipality_batches, run_moment

__all__ = ["Each", "in_process", "municipality_batches", "run_moment"]
