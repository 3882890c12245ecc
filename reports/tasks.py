"""Celery tasks of stocktaking: a report's PDF or XLSX built off the request."""

import logging

from celery import current_app, shared_task
from django.db import transaction

from reports.models import ReportExport
from reports.services import report_export_build

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def build_report_export(export_id: int) -> bool:
    return report_export_build(export_id=export_id) is not None


def queue_report_export(export: ReportExport) -> None:
    """Have a worker build ``export`` once the request's transaction commits; without a broker
    (``CELERY_TASK_ALWAYS_EAGER``) it is built then, in this process. If the broker cannot be
    reached, it is built here rather than left waiting for nobody."""
    if current_app.conf.task_always_eager:
        # No worker: built now, in the request's transaction, so the reader gets the file at once.
        _build_here(export.pk)
        return

    def queue() -> None:
        try:
            build_report_export.apply_async(args=[export.pk], retry=False)
        except Exception as error:  # any broker failure: kombu raises several kinds
            logger.warning("Export %s not queued (%s); built in the request.", export.pk, error)
            _build_here(export.pk)

    transaction.on_commit(queue)


def _build_here(export_id: int) -> None:
    try:
        report_export_build(export_id=export_id)
    except Exception:  # recorded on the export, which the reader sees as failed with a "try again"
        logger.exception("Export %s failed.", export_id)
