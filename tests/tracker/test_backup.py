"""The restore drill: back up a database with data of every kind, restore it into a scratch
database, migrate it, and find every row again.

It runs the project's own commands (`manage.py backup` and `restore`, what `make backup` and
`make restore` call) in subprocesses against databases of their own, on the database kind
the suite runs on: SQLite, and PostgreSQL in CI with pg_dump and pg_restore.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

COUNT_ROWS = (
    "import json; from django.apps import apps; "
    "print(json.dumps({m._meta.label: m._default_manager.count() for m in apps.get_models()}))"
)
# Progress of every kind: logged and reviewed, returned, corrected, restricted; a cycle closed
# (its reports frozen), a participant's declaration, the e-mails written for all of it.
DATA = """
import datetime
from actions import permissions
from actions.models import Activity, Plan
from actions.services import not_applicable_declare, status_entry_log, status_entry_review
from organizations.models import Organization
from organizations.roles import Role
from organizations.services import user_create
from reports.services import cycle_close, cycle_create

staff = user_create(username="drill-staff", role=Role.STAFF, password="x", check_password=False)
icao = Organization.objects.get(acronym="ICAO")
bob = user_create(username="drill-bob", role=Role.FOCAL_POINT, password="x", organization=icao,
                  email="bob@icao.example", check_password=False)
plan = Plan.objects.get(code="nairobi-2007")
def activity(number):
    return Activity.objects.get(plan=plan, number=number)
day = datetime.date(2026, 3, 1)
first = status_entry_log(activity=activity("3.2"), organization=icao, author=bob, status="planned",
                         observations="Workshops planned.", reported_on=day)
status_entry_review(entry=first, reviewer=staff, decision="accept")
returned = status_entry_log(activity=activity("3.3"), organization=icao, author=bob, status="delayed",
                            observations="Late.", reported_on=day)
status_entry_review(entry=returned, reviewer=staff, decision="return", comment="Say why.")
status_entry_log(activity=activity("3.2"), organization=icao, author=bob, status="in_progress",
                 observations="Held in two regions.", reported_on=day, supersedes=first,
                 confidentiality="restricted")
not_applicable_declare(activity=activity("1.2"), organization=icao, reason="No watch lists.", author=bob)
cycle = cycle_create(plan=plan, title="Drill", period_start=datetime.date(2026, 1, 1),
                     period_end=datetime.date(2026, 6, 30), deadline=datetime.date(2026, 7, 15), author=staff,
                     open_now=True)
cycle_close(cycle=cycle, actor=staff, confirm=True)
"""


def manage(database_url: str, *arguments: str) -> str:
    environment = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "1", "SECRET_KEY": "drill"}
    done = subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, f"manage.py {' '.join(arguments[:2])}: {done.stderr[-2000:]}"
    return done.stdout


@pytest.fixture
def scratch(tmp_path):
    """Two empty databases of the suite's kind: the one backed up, and the one restored into."""
    if not POSTGRESQL:
        yield f"sqlite:///{tmp_path / 'source.sqlite3'}", f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    database = settings.DATABASES["default"]
    names = [f"drill_{uuid.uuid4().hex[:10]}_{role}" for role in ("source", "restored")]
    server = {k: v for k, v in {"host": database["HOST"], "port": database["PORT"], "user": database["USER"],
                                "password": database["PASSWORD"]}.items() if v}  # fmt: skip
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as connection:
        for name in names:
            connection.execute(f'CREATE DATABASE "{name}"')
    credentials = f"{database['USER']}:{database['PASSWORD']}@" if database["PASSWORD"] else f"{database['USER']}@"
    yield tuple(f"postgres://{credentials}{database['HOST']}:{database['PORT'] or 5432}/{name}" for name in names)
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as connection:
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restored_into_a_scratch_database_and_migrated_has_every_row(scratch, tmp_path):
    source, restored = scratch
    manage(source, "migrate", "--verbosity", "0")
    manage(source, "load_shipped_plans")
    manage(source, "shell", "-c", DATA)
    before = json.loads(manage(source, "shell", "-c", COUNT_ROWS).splitlines()[-1])

    dump = tmp_path / ("tracker.dump" if POSTGRESQL else "tracker.sqlite3")
    assert "Backed up to" in manage(source, "backup", str(dump))
    assert dump.stat().st_size > 0
    manage(restored, "migrate", "--verbosity", "0")  # a database in use, whose content the backup replaces
    assert "Restored" in manage(restored, "restore", "--yes", str(dump))
    after = json.loads(manage(restored, "shell", "-c", COUNT_ROWS).splitlines()[-1])

    mismatches = {label: (before[label], after.get(label)) for label in before if before[label] != after.get(label)}
    assert mismatches == {}, f"{len(mismatches)} table(s) differ after the restore drill: {mismatches}"
    assert before["actions.StatusEntry"] == 3 and before["actions.StatusEntryReview"] == 2
    assert before["reports.StocktakingCycle"] == 1 and before["actions.NotApplicable"] == 1
    assert sum(before.values()) > 400  # the shipped plans, the accounts, the entries, the e-mails


def test_restore_asks_before_replacing_a_database(scratch, tmp_path):
    source, _ = scratch
    environment = {**os.environ, "DATABASE_URL": source, "DEBUG": "1", "SECRET_KEY": "drill"}
    done = subprocess.run(
        [sys.executable, "manage.py", "restore", str(tmp_path / "missing.dump")],
        cwd=ROOT, env=environment, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode != 0
    assert "run it again with --yes" in done.stderr
