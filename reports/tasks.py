"""Celery tasks: thin wrappers over the jobs and the mailing."""

from celery import shared_task

from reports.mailing import SEND_ERRORS, reminder_deliver


@shared_task(
    acks_late=True,
    autoretry_for=SEND_ERRORS,
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=6,
)
def deliver_reminder(reminder_id: int) -> bool:
    return reminder_deliver(reminder_id=reminder_id)


@shared_task(acks_late=True)
def run_job(name: str) -> str:
    from reports.jobs import run

    return run(name)


@shared_task(acks_late=True, autoretry_for=SEND_ERRORS, retry_backoff=60, max_retries=5)
def distribute_cycle_report(cycle_id: int) -> int:
    from reports.jobs import distribute_report
    from reports.models import StocktakingCycle

    return distribute_report(StocktakingCycle.objects.get(pk=cycle_id))
