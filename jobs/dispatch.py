"""The dispatch job: claim due outbox rows batch by batch and deliver them (one pass).

``python -m jobs.dispatch`` runs one pass without Prefect (the crash test's subprocess).
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable

from sqlalchemy.engine import Engine

from models.db import get_engine
from models.settings import Settings, get_settings
from models.types import utcnow
from notifications.dispatcher import Clock, claim_ids, deliver_ids, worker_name

Claim = Callable[[int, str], list[int]]
Deliver = Callable[[list[int], int | None], dict[str, int]]


def claim_batch(batch_size: int, worker: str, settings: Settings | None = None) -> list[int]:
    """Claim up to ``batch_size`` due rows for ``worker``."""
    cfg = settings or get_settings()
    return claim_ids(
        get_engine(cfg.database_url), cfg, limit=batch_size, worker=worker, now=utcnow()
    )


def deliver_batch(
    ids: list[int], workers: int | None = None, settings: Settings | None = None
) -> dict[str, int]:
    """Send the claimed rows; each outcome is committed before its sender thread goes on."""
    cfg = settings or get_settings()
    return deliver_ids(get_engine(cfg.database_url), cfg, ids, workers=workers)


def dispatch_pending(
    engine: Engine | None = None,
    settings: Settings | None = None,
    *,
    batch_size: int | None = None,
    max_batches: int | None = None,
    workers: int | None = None,
    clock: Clock = utcnow,
    claim: Claim | None = None,
    deliver: Deliver | None = None,
) -> dict[str, int]:
    """One pass: claim and deliver batches until nothing is due (or ``max_batches``).

    ``claim``/``deliver`` default to this process (``engine``, ``settings``, ``clock``);
    the dispatch flow passes its Prefect tasks instead.
    """
    cfg = settings or get_settings()
    eng = engine or get_engine(cfg.database_url)
    claim = claim or (
        lambda size, worker: claim_ids(eng, cfg, limit=size, worker=worker, now=clock())
    )
    deliver = deliver or (lambda ids, n: deliver_ids(eng, cfg, ids, workers=n, clock=clock))
    size = batch_size or cfg.outbox_batch_size
    worker = worker_name()
    total: Counter[str] = Counter()
    batches = 0
    while max_batches is None or batches < max_batches:
        ids = claim(size, worker)
        if not ids:
            break
        batches += 1
        total.update(deliver(ids, workers))
    total["batches"] = batches
    return dict(total)


def summary_line(counts: dict[str, int]) -> str:
    return (
        f"Доставка: отправлено {counts.get('sent', 0)}, повтор позже {counts.get('retry', 0)}, "
        f"в «мёртвых письмах» {counts.get('dead', 0)}, пакетов {counts.get('batches', 0)}"
    )


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - used by subprocesses
    parser = argparse.ArgumentParser(description="Доставка очереди уведомлений без Prefect")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--max-batches", type=int, default=None)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    counts = dispatch_pending(
        batch_size=args.batch_size, max_batches=args.max_batches, workers=args.workers
    )
    print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())), flush=True)


if __name__ == "__main__":  # pragma: no cover
    main()
