"""``python manage.py run_job NAME [--date YYYY-MM-DD]``: each job once, by hand or from cron."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from tests.notifications.mailbox import SITE, listed_activities, one_to, settle
from tests.reports.scenario import DEADLINE, new_cycle

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("named_only")]

# The names DESIGN.md gives operators and deployment scripts.
NAMES = ["reminders", "digest", "close-cycles", "matrix", "confirm-focal-points"]


@pytest.fixture(autouse=True)
def site(settings, tmp_path):
    settings.SITE_URL = SITE
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REMINDER_DAYS_BEFORE = [14, 7, 1]


def run_job(*args) -> str:
    out = io.StringIO()
    call_command("run_job", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("name", NAMES)
def test_every_job_runs(staff, focal_point, name):
    assert run_job(name, "--date", "2026-01-15").startswith(f"{name}: ")


@pytest.mark.parametrize("name", NAMES)
def test_every_job_runs_as_of_today_without_a_date(staff, focal_point, name):
    assert run_job(name).startswith(f"{name}: ")


def test_the_date_is_the_day_the_job_runs_as(focal_point, secretariat, mailoutbox):
    new_cycle(secretariat)
    settle()
    out = run_job("reminders", "--date", (DEADLINE - datetime.timedelta(days=14)).isoformat())
    assert out.strip() == "reminders: 1 reminder(s) written; 1 e-mail(s) sent"
    assert listed_activities(one_to(mailoutbox, "bob@example.org")) == ["3.2", "3.3", "3.4", "5.2"]
    assert run_job("reminders", "--date", "2025-06-01").startswith("reminders: 0 reminder(s) written")


@pytest.mark.parametrize("name", ["remind", "send-reminders", "", "REMINDERS"])
def test_an_unknown_name_is_a_command_error(name):
    with pytest.raises(CommandError, match="invalid choice"):
        run_job(name)


@pytest.mark.parametrize("date", ["2026-13-01", "15/01/2026", "tomorrow", "2026-02-30"])
def test_a_bad_date_is_a_command_error_that_says_what_to_give(date, mailoutbox):
    with pytest.raises(CommandError) as error:
        run_job("reminders", "--date", date)
    assert repr(date) in str(error.value) and "YYYY-MM-DD" in str(error.value)
    assert mailoutbox == []
