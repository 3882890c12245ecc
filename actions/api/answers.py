"""The activity detail API's answers, kept in the shared cache until anything they are read from changes.

Other systems poll an activity's detail far more often than anyone changes it: at scale it was
the API's busiest call (issue 11: 171 requests a second with 16 clients, 300 wanted). An answer
is kept under the activity, the readership of whoever asked (readers who read the same entries
get the same status and last update) and the address it was asked at (its links are absolute),
and under the current *generation*: a number in the cache that every committed change to the
plans, activities, entries, reviews and organizations moves on, making every kept answer
obsolete at once. Writes are rare beside reads, and a change is never served stale: a reader
takes the generation before reading the database, so an answer kept under a generation was
read after every change committed before it.

Kept only where the cache is shared by every process of the site (Redis: ``REDIS_URL``), and
for at most ``TIMEOUT`` seconds, which bounds what a change made without Django's signals (a
bulk update in a shell) leaves stale. ``API_ANSWERS_KEPT`` turns it on or off.
"""

import time
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from actions import permissions

GENERATION_KEY = "api:answers:generation"
TIMEOUT = 60
# The apps whose rows an activity's answer is read from: its plan, objective, organizations, open
# kinds, themes and entries (actions); the organizations and the focal points behind a readership.
APPS = ("actions", "organizations")


def kept() -> bool:
    return settings.API_ANSWERS_KEPT


def generation() -> int:
    """The current generation; started from the clock, so one lost from the cache never comes back."""
    current = cache.get(GENERATION_KEY)
    if current is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        current = cache.get(GENERATION_KEY)
    return int(current)


def key(request, activity_id: str, *, generation: int) -> str:
    kind, organization = permissions.readership(request.user)
    return f"api:answers:{generation}:activity:{activity_id}:{kind}:{organization}:{request.build_absolute_uri('/')}"


def read(request, activity_id: str) -> tuple[str | None, dict[str, Any] | None]:
    """The cache key for this request's answer (None when answers are not kept) and the kept answer, if any."""
    if not kept():
        return None, None
    answer_key = key(request, activity_id, generation=generation())
    return answer_key, cache.get(answer_key)


def keep(answer_key: str | None, answer: dict[str, Any]) -> None:
    if answer_key is not None:
        cache.set(answer_key, answer, timeout=TIMEOUT)


def move_on() -> None:
    """Make every kept answer obsolete: the next generation."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there (never set, or evicted): a new one from the clock
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)


def changed(sender, **kwargs) -> None:
    """A row an answer may be read from was written: move on at once, for the writer's own reads in its
    transaction, and again once it commits, for everyone else's (another reader may have read the
    database between the two and kept what it read under the first)."""
    if kept():
        move_on()
        transaction.on_commit(move_on, using=kwargs.get("using"))


def connect() -> None:
    """Listen to every model of ``APPS``, and to their many-to-many relations; per model, so that the
    other apps' deletions stay fast deletes (a listener for every sender would stop them)."""
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            uid = f"api-answers-{model._meta.label_lower}"
            post_save.connect(changed, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(changed, sender=model, dispatch_uid=f"{uid}-delete")
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(changed, sender=field.remote_field.through, dispatch_uid=f"{uid}-{field.name}")
