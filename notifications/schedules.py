"""Every periodic schedule, in one place. ``python manage.py setup_schedules`` applies them
to django-celery-beat on deploy (and ``make run`` does too)."""

SCHEDULES = {
    # name of the job (notifications/jobs.py): crontab fields, in the site's time zone
    "close-cycles": {"minute": "15", "hour": "0"},  # every night, after the day a period ends
    "reminders": {"minute": "0", "hour": "7"},  # every morning
    "digest": {"minute": "0", "hour": "7", "day_of_week": "1"},  # Monday mornings
    "matrix": {"minute": "0", "hour": "6", "day_of_month": "1"},  # the first day of each month
    "confirm-focal-points": {"minute": "0", "hour": "8", "day_of_month": "15", "month_of_year": "1"},  # yearly
}
TASK = "notifications.tasks.run_job"
PREFIX = "tracker: "
