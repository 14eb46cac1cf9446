"""The dispatch flow: claim due outbox rows batch by batch and deliver them."""

from __future__ import annotations

from collections import Counter

from prefect import flow

from models.settings import Settings
from notifications.dispatcher import worker_name
from tasks.dispatch import claim_batch, deliver_batch


@flow(name="dispatch-outbox", log_prints=True)
def dispatch_outbox(
    batch_size: int | None = None, max_batches: int = 1000, workers: int | None = None
) -> dict[str, int]:
    """Deliver everything due now; task runs grow with batches, never with messages."""
    size = batch_size or Settings().outbox_batch_size
    worker = worker_name()
    total: Counter[str] = Counter()
    batches = 0
    while batches < max_batches:
        ids = claim_batch(size, worker)
        if not ids:
            break
        batches += 1
        total.update(deliver_batch(ids, workers))
    total["batches"] = batches
    print(
        f"Доставка: отправлено {total['sent']}, повтор позже {total['retry']}, "
        f"в «мёртвых письмах» {total['dead']}, пакетов {batches}"
    )
    return dict(total)
