"""Celery tasks: thin wrappers over the jobs. (Each e-mail's delivery is notifications.delivery.deliver_reminder.)"""

from celery import shared_task

from notifications.delivery import SEND_ERRORS
from notifications.jobs import distribute_report, run
from notifications.mailing import entry_receipts_write
from reports.models import StocktakingCycle


@shared_task(acks_late=True)
def run_job(name: str) -> str:
    return run(name)


@shared_task(acks_late=True, autoretry_for=SEND_ERRORS, retry_backoff=60, max_retries=5)
def distribute_cycle_report(cycle_id: int) -> int:
    return distribute_report(StocktakingCycle.objects.get(pk=cycle_id))


@shared_task(acks_late=True)
def write_entry_receipts(entry_id: int, step: str, review_id: int | None = None) -> int:
    return entry_receipts_write(entry_id=entry_id, step=step, review_id=review_id)
