"""The generation of what is read from plans, activities, entries and organizations: a number in the
shared cache that every committed write to the ``actions`` app and to an organization moves on.

What is kept in the cache under a generation (the activity detail API's answers, the count of a
list of activities) is obsolete as soon as it moves on, all at once: writes are rare beside reads,
and nothing is served stale. A reader takes the generation before reading the database, so what it
keeps under a generation was read after every change committed before that generation.

Only where the cache is shared by every process of the site (Redis: ``REDIS_URL``); elsewhere
``kept()`` is false and the generation does not move. ``API_ANSWERS_KEPT`` turns it on or off.
A cache that cannot be reached stops nothing: what would be kept is computed, and a write goes
through (logged; what was kept before it may be served until ``TIMEOUT`` once the cache is back).
"""

import hashlib
import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from tracker.caching import kept_in_cache

GENERATION_KEY = "api:answers:generation"
# How long anything is kept at most, whatever the generation says: what a change made without
# Django's signals (a bulk update in a shell) leaves stale.
TIMEOUT = 60
T = TypeVar("T")
# What the kept answers and counts are read from: every model of the actions app (plans,
# objectives, activities, their organizations, open kinds, themes, participants, entries, reviews,
# kept statuses) and the organizations themselves (acronym, kind). Whom a person reads for (their
# role, their organization) is part of each key, not of what is kept.
APPS = ("actions",)
MODELS = (("organizations", "Organization"),)

logger = logging.getLogger(__name__)


class Unreachable(Exception):
    """The cache could not be asked: compute instead of keeping."""


def kept() -> bool:
    """Whether anything is kept under the generation (a cache shared by every process)."""
    return settings.API_ANSWERS_KEPT


def generation() -> int:
    """The current generation; started from the clock, so one lost from the cache never comes back.
    Raises Unreachable when the cache cannot be asked."""
    try:
        current = cache.get(GENERATION_KEY)
        if current is None:
            cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
            current = cache.get(GENERATION_KEY)
    except Exception as error:  # any failure of the cache's client: Redis' raise several kinds
        raise Unreachable(str(error)) from error
    return int(current)


def current() -> int | None:
    """The current generation; None where nothing is kept, or while the cache cannot be reached."""
    if not kept():
        return None
    try:
        return generation()
    except Unreachable as error:
        logger.warning("Nothing kept while the cache cannot be reached (%s).", error)
        return None


def kept_or_computed(name: str, parts: object, compute: Callable[[], T]) -> T:
    """``compute()``, kept under the current generation, ``name`` and ``parts`` (whatever else it depends
    on: who reads, which rows) where things are kept; computed each time elsewhere, and while the
    cache cannot be reached."""
    at = current()
    if at is None:
        return compute()
    key = f"generation:{at}:{name}:{hashlib.sha256(repr(parts).encode()).hexdigest()}"
    return kept_in_cache(key, compute, TIMEOUT, name)


def move_on() -> None:
    """Make everything kept obsolete: the next generation. A cache that cannot be reached is logged,
    not raised: the write that moves it on has been made, or is being made."""
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # not there (never set, or evicted): a new one from the clock
            cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
    except Exception as error:  # any failure of the cache's client
        logger.warning("The generation of kept answers did not move on (%s); kept answers may be served "
                       "for up to %s s.", error, TIMEOUT)  # fmt: skip


def changed(sender, **kwargs) -> None:
    """A row answers are read from was written: move on at once, for the writer's own reads in its
    transaction, and again once it commits, for everyone else's (another reader may have read the
    database between the two and kept what it read under the first)."""
    if kept():
        move_on()
        transaction.on_commit(move_on, using=kwargs.get("using"), robust=True)


def connect() -> None:
    """Listen to every model of ``APPS`` and to ``MODELS``, and to their many-to-many relations; per
    model, so that other models' deletions stay fast deletes (a listener for every sender would
    stop them)."""
    models = [model for label in APPS for model in apps.get_app_config(label).get_models()]
    models += [apps.get_model(label, name) for label, name in MODELS]
    for model in models:
        uid = f"generation-{model._meta.label_lower}"
        post_save.connect(changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(changed, sender=model, dispatch_uid=f"{uid}-delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(changed, sender=field.remote_field.through, dispatch_uid=f"{uid}-{field.name}")
