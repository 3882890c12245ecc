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

from typing import Any

from django.core.cache import cache

from actions import generation, permissions


def key(request, activity_id: str, *, at: int) -> str:
    kind, organization = permissions.readership(request.user)
    return f"api:answers:{at}:activity:{activity_id}:{kind}:{organization}:{request.build_absolute_uri('/')}"


def read(request, activity_id: str) -> tuple[str | None, dict[str, Any] | None]:
    """The cache key for this request's answer (None when answers are not kept) and the kept answer, if any."""
    if not generation.kept():
        return None, None
    answer_key = key(request, activity_id, at=generation.generation())
    return answer_key, cache.get(answer_key)


def keep(answer_key: str | None, answer: dict[str, Any]) -> None:
    if answer_key is not None:
        cache.set(answer_key, answer, timeout=generation.TIMEOUT)
