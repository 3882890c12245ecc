"""The activity detail API's answers, kept in the shared cache until anything they are read from changes.

Other systems poll an activity's detail far more often than anyone changes it: at scale it was
the API's busiest call (issue 11: 171 requests a second with 16 clients, 300 wanted). An answer
is kept under the activity, the readership of whoever asked (readers who read the same entries
get the same status and last update) and the address it was asked at (its links are absolute),
and under the current generation (actions/generation.py), which every committed change to the
plans, activities, entries, reviews and organizations moves on.

Kept for at most ``generation.TIMEOUT`` seconds, which bounds what a change made without Django's
signals (a bulk update in a shell) leaves stale.
"""

import logging
from typing import Any

from django.core.cache import cache

from actions import generation, permissions
from tracker.api import requested_language

logger = logging.getLogger(__name__)


def key(request, activity_id: str, suffix: str | None) -> str:
    # The suffix (``12.json``) is written into the answer's own link: an answer per suffix; and one per
    # language asked, which the translation is in.
    kind, organization = permissions.readership(request.user)
    where = request.build_absolute_uri("/")
    language = requested_language(request)
    return f"api:answers:activity:{activity_id}:{suffix or ''}:{kind}:{organization}:{where}:{language}"


# What ``read`` found out: where to keep the answer, and the generation it will be read under.
Place = tuple[str, int]


def read(request, activity_id: str, suffix: str | None = None) -> tuple[Place | None, dict[str, Any] | None]:
    """Where this request's answer is kept (None when answers are not kept, or the cache cannot be
    reached) and the kept answer, if it was kept under the current generation. The generation and the
    answer come in one round trip."""
    if not generation.kept():
        return None, None
    answer_key = key(request, activity_id, suffix)
    try:
        found = cache.get_many([generation.GENERATION_KEY, answer_key])
        current = found.get(generation.GENERATION_KEY) or generation.generation()
    except Exception as error:  # generation.Unreachable, or the cache's client failing
        logger.warning("Activity %s answered without the cache (%s).", activity_id, error)
        return None, None
    kept_at, answer = found.get(answer_key) or (None, None)
    return (answer_key, int(current)), (answer if kept_at == current else None)


def keep(place: Place | None, answer: dict[str, Any]) -> None:
    """Keep ``answer`` with the generation ``read`` found, taken before the database was read: an answer
    read before a change is never taken for one read after it."""
    if place is None:
        return
    answer_key, at = place
    try:
        cache.set(answer_key, (at, answer), timeout=generation.TIMEOUT)
    except Exception as error:  # the cache's client failing: answered all the same
        logger.warning("Answer %s not kept (%s).", answer_key, error)
