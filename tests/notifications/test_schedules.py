"""``setup_schedules`` writes reports/schedules.py into django-celery-beat, and beat can run what it wrote."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from notifications.jobs import JOBS
from notifications.schedules import PREFIX, SCHEDULES, TASK
from tracker.celery import app

pytestmark = pytest.mark.django_db

CRONTAB_FIELDS = ["minute", "hour", "day_of_week", "day_of_month", "month_of_year"]


def setup_schedules() -> None:
    call_command("setup_schedules", verbosity=0, stdout=io.StringIO())


def ours() -> dict[str, PeriodicTask]:
    return {t.name: t for t in PeriodicTask.objects.filter(name__startswith=PREFIX).select_related("crontab")}


def an_old_schedule(name: str) -> PeriodicTask:
    crontab, _ = CrontabSchedule.objects.get_or_create(minute="30", hour="3", timezone=settings.TIME_ZONE)
    return PeriodicTask.objects.create(name=name, task=TASK, args=json.dumps(["gone"]), crontab=crontab)


def test_every_schedule_is_one_periodic_task_running_its_job():
    setup_schedules()
    tasks = ours()
    assert sorted(tasks) == sorted(PREFIX + name for name in SCHEDULES)
    for name, fields in SCHEDULES.items():
        task = tasks[PREFIX + name]
        assert task.task == TASK == "notifications.tasks.run_job"
        assert json.loads(task.args) == [name]
        assert task.enabled and task.interval is None
        expected = {field: fields.get(field, "*") for field in CRONTAB_FIELDS}
        assert {field: getattr(task.crontab, field) for field in CRONTAB_FIELDS} == expected, name
        assert str(task.crontab.timezone) == settings.TIME_ZONE


def test_every_job_has_a_schedule():
    assert sorted(SCHEDULES) == sorted(JOBS)


def test_running_it_twice_creates_no_duplicates():
    setup_schedules()
    counts = PeriodicTask.objects.count(), CrontabSchedule.objects.count()
    setup_schedules()
    assert (PeriodicTask.objects.count(), CrontabSchedule.objects.count()) == counts
    assert len(ours()) == len(SCHEDULES)


def test_an_old_schedule_of_ours_is_removed_and_others_are_left(monkeypatch):
    an_old_schedule(PREFIX + "old")
    someone_elses = an_old_schedule("backups: nightly")
    setup_schedules()
    assert PREFIX + "old" not in ours()
    assert PeriodicTask.objects.filter(pk=someone_elses.pk).exists()
    # A job taken out of the schedules loses its periodic task on the next run.
    monkeypatch.delitem(SCHEDULES, "matrix")
    setup_schedules()
    assert PREFIX + "matrix" not in ours() and PREFIX + "digest" in ours()


def test_a_time_changed_in_code_moves_the_task_without_duplicating_it(monkeypatch):
    setup_schedules()
    before = ours()[PREFIX + "digest"].pk
    monkeypatch.setitem(SCHEDULES, "digest", {"minute": "30", "hour": "9", "day_of_week": "5"})
    setup_schedules()
    task = ours()[PREFIX + "digest"]
    assert task.pk == before
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("30", "9", "5")


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_what_beat_would_send_runs_the_job(name):
    setup_schedules()
    task = ours()[PREFIX + name]
    # Beat sends the task by its name with the stored arguments; a worker, having imported the
    # apps' tasks modules as it starts, runs it (here in-process).
    app.loader.import_default_modules()
    result = app.tasks[task.task].apply(args=json.loads(task.args), kwargs=json.loads(task.kwargs or "{}"))
    assert result.successful(), result.traceback
    assert result.get().startswith(f"{name}: ")
