"""Celery entry points of the platform API."""
from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, time_limit=60, soft_time_limit=50)
def webhook_delivery_attempt_task(delivery_id: int) -> None:
    from .services.webhooks import webhook_delivery_attempt  # late import: services queue this task

    webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task(time_limit=300, soft_time_limit=280)
def webhook_deliveries_retry_due_task() -> int:
    """Beat, every minute: queue deliveries whose retry time has come (a worker restart or an
    in-process run without a broker loses no retry)."""
    from .services.webhooks import webhook_deliveries_due_queue

    return webhook_deliveries_due_queue()


@shared_task(time_limit=300, soft_time_limit=280)
def idempotency_keys_purge_task() -> int:
    from .services.idempotency import idempotency_keys_purge

    return idempotency_keys_purge()


@shared_task(time_limit=300, soft_time_limit=280)
def checkout_sessions_expire_task() -> int:
    from .services.checkout import checkout_sessions_expire

    return checkout_sessions_expire()
