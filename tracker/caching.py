"""A value kept in the cache that never fails a request: while the cache cannot be reached, it is
computed (and the failure logged) instead."""

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

logger = logging.getLogger(__name__)

T = TypeVar("T")
_MISSING = object()


def kept_in_cache(key: str, compute: Callable[[], T], timeout: int, what: str) -> T:
    """The value kept under ``key``, or ``compute()``'s, then kept for ``timeout`` seconds. A cache
    that cannot be asked or written to is logged (naming ``what``), never raised."""
    try:
        value = cache.get(key, _MISSING)
    except Exception as error:  # any failure of the cache's client: Redis' raise several kinds
        logger.warning("%s computed without the cache (%s).", what, error)
        return compute()
    if value is _MISSING:
        value = compute()
        try:
            cache.set(key, value, timeout=timeout)
        except Exception as error:
            logger.warning("%s not kept (%s).", what, error)
    return value
