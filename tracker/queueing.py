"""Work handed to a Celery worker once the change that causes it commits."""

import logging
from typing import Any

from celery import Task, current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def run_after_commit(task: Task, **kwargs: Any) -> None:
    """Have a worker run ``task(**kwargs)`` once the current transaction commits.

    Without a worker (``CELERY_TASK_ALWAYS_EAGER``: no Redis) it runs now, in this process and
    transaction. If the broker cannot be reached, it runs here once the transaction commits,
    rather than being left for nobody.
    """
    if current_app.conf.task_always_eager:
        task(**kwargs)
        return

    def queue() -> None:
        try:
            task.apply_async(kwargs=kwargs, retry=False)
        except Exception as error:  # any broker failure: kombu raises several kinds
            logger.warning("%s not queued (%s); run in this process.", task.name, error)
            task(**kwargs)

    transaction.on_commit(queue)
