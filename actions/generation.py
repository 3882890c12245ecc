"""The generation of what is read from plans, activities, entries and organizations: a number in the
shared cache that every committed write to the ``actions`` and ``organizations`` apps moves on.

What is kept in the cache under a generation (the activity detail API's answers, the count of a
list of activities) is obsolete as soon as it moves on, all at once: writes are rare beside reads,
and nothing is served stale. A reader takes the generation before reading the database, so what it
keeps under a generation was read after every change committed before that generation.

Only where the cache is shared by every process of the site (Redis: ``REDIS_URL``); elsewhere
``kept()`` is false and the generation does not move. ``API_ANSWERS_KEPT`` turns it on or off.
"""

import hashlib
import time
from collections.abc import Callable
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

GENERATION_KEY = "api:answers:generation"
# How long anything is kept at most, whatever the generation says: what a change made without
# Django's signals (a bulk update in a shell) leaves stale.
TIMEOUT = 60
T = TypeVar("T")
_MISSING = object()
# The apps whose rows the kept answers are read from: plans, objectives, activities, their
# organizations, open kinds, themes and entries (actions); the organizations and focal points.
APPS = ("actions", "organizations")


def kept() -> bool:
    """Whether anything is kept under the generation (a cache shared by every process)."""
    return settings.API_ANSWERS_KEPT


def generation() -> int:
    """The current generation; started from the clock, so one lost from the cache never comes back."""
    current = cache.get(GENERATION_KEY)
    if current is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        current = cache.get(GENERATION_KEY)
    return int(current)


def kept_or_computed(name: str, parts: object, compute: Callable[[], T]) -> T:
    """``compute()``, kept under the current generation, ``name`` and ``parts`` (whatever else it depends
    on: who reads, which rows) where things are kept; computed each time elsewhere."""
    if not kept():
        return compute()
    key = f"generation:{generation()}:{name}:{hashlib.sha256(repr(parts).encode()).hexdigest()}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, timeout=TIMEOUT)
    return value


def move_on() -> None:
    """Make everything kept obsolete: the next generation."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there (never set, or evicted): a new one from the clock
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)


def changed(sender, **kwargs) -> None:
    """A row of ``APPS`` was written: move on at once, for the writer's own reads in its transaction,
    and again once it commits, for everyone else's (another reader may have read the database
    between the two and kept what it read under the first)."""
    if kept():
        move_on()
        transaction.on_commit(move_on, using=kwargs.get("using"))


def connect() -> None:
    """Listen to every model of ``APPS``, and to their many-to-many relations; per model, so that the
    other apps' deletions stay fast deletes (a listener for every sender would stop them)."""
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            uid = f"generation-{model._meta.label_lower}"
            post_save.connect(changed, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(changed, sender=model, dispatch_uid=f"{uid}-delete")
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(changed, sender=field.remote_field.through, dispatch_uid=f"{uid}-{field.name}")
