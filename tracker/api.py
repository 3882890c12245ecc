from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; a whole plan fits on one page."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


@contextmanager
def service_errors():
    """Turn a service's ValidationError into DRF's, so bad input is a 400 with field errors."""
    try:
        yield
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        raise ValidationError(detail) from None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, but a body too deeply nested or with a NUL character in a string is a 400.

    Python's decoder gives up on about a thousand levels of nesting with a RecursionError,
    which DRF does not catch; PostgreSQL cannot store a NUL character in text.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
        if _holds_nul(data):
            raise ParseError("JSON parse error - text may not contain NUL characters.")
        return data


def _holds_nul(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if depth > 100:  # nothing the API takes is this deep; say no rather than walk it
        return True
    if isinstance(value, dict):
        return any(_holds_nul(k, depth + 1) or _holds_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item, depth + 1) for item in value)
    return False
