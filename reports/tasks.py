"""Celery tasks of stocktaking: a report's PDF or XLSX built off the request."""

import logging

from celery import shared_task

from reports.models import ReportExport
from reports.services import report_export_build
from tracker.queueing import run_after_commit

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def build_report_export(export_id: int) -> bool:
    """Whether it was built. A failure is recorded on the export, which its reader sees as failed
    with a "try again": logged here, not raised to whoever runs the task."""
    try:
        return report_export_build(export_id=export_id) is not None
    except Exception:
        logger.exception("Export %s failed.", export_id)
        return False


def queue_report_export(export: ReportExport) -> None:
    """Have a worker build ``export``; without one it is built now, so the reader gets the file at once."""
    run_after_commit(build_report_export, export_id=export.pk)
