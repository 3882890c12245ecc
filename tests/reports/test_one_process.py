"""reports.models.one_process: PostgreSQL without parallel workers inside the block, as before after it."""

import pytest
from django.db import connection, transaction

from reports.models import one_process

pytestmark = pytest.mark.django_db

POSTGRESQL = connection.vendor == "postgresql"


def workers() -> str | None:
    """PostgreSQL's max_parallel_workers_per_gather now; None on another database."""
    if not POSTGRESQL:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        return cursor.fetchone()[0]


class Failed(Exception):
    pass


def test_the_queries_inside_run_in_one_process_and_the_setting_comes_back_after():
    before = workers()
    with one_process():
        inside = workers()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone()[0] == 1
    assert inside == ("0" if POSTGRESQL else None)
    assert workers() == before
    if POSTGRESQL:
        assert before != "0"


def test_after_a_failure_inside_the_setting_comes_back_and_the_transaction_goes_on():
    before = workers()
    with transaction.atomic():
        with pytest.raises(Failed), one_process():
            raise Failed
        assert workers() == before
        # The enclosing transaction is usable: the block's savepoint was rolled back, not it.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 2")
            assert cursor.fetchone()[0] == 2
