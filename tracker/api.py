import hashlib
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import parsers, serializers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.pagination import PageNumberPagination

from tracker.caching import kept_in_cache
from tracker.languages import LANGUAGE_CODES, active_language, asked_language, language_choice
from tracker.translations import Translatable

# How long a list's count is kept at most, whatever its version says (a belt: a renamed plan or
# organization changes a filter's rows without changing the version).
COUNT_SECONDS = 60


class VersionedCountPaginator(Paginator):
    """Django's paginator, but the count of a list whose queryset says what its rows depend on
    (``count_version()``, e.g. the latest status entry and review) is counted once per version.

    An exact ``COUNT(*)`` of two million status entries takes 60 ms on every page of the API;
    the version costs two index probes. Lists without a version (or whose version is None: none
    known now) are counted as always.
    """

    @cached_property
    def count(self) -> int:
        count_all: Any = Paginator.count.func  # type: ignore[attr-defined]
        rows: Any = self.object_list
        version_of = getattr(rows, "count_version", None)
        version = version_of() if version_of is not None else None
        if version is None:
            return count_all(self)
        sql, params = rows.query.sql_with_params()
        key = "list-count:" + hashlib.sha256(repr((sql, params, version)).encode()).hexdigest()
        return kept_in_cache(key, lambda: count_all(self), COUNT_SECONDS, "A list's count")


class Pagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; a whole plan fits on one page."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    django_paginator_class = VersionedCountPaginator


class ListFilterBackend(DjangoFilterBackend):
    """django-filter's query parameters, on lists only (where the schema documents them).

    A detail is found by its address alone: building the filter set there did nothing but cost a
    tenth of the activity detail's time, and a detail asked with a list's bad parameter failed.
    """

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "detail", False):
            return queryset
        return super().filter_queryset(request, queryset, view)


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
            raise ParseError(gettext("JSON parse error - the body is nested too deeply.")) from None
        if _holds_nul(data):
            raise ParseError(gettext("JSON parse error - text may not contain NUL characters."))
        return data


class FormParser(parsers.FormParser):
    """DRF's form parser, but a NUL character in a name or value is a 400 (PostgreSQL cannot compare
    text holding one: a lookup by it, such as an organization's acronym, failed with a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _form_holds_nul(data):
            raise ParseError(gettext("Form parse error - text may not contain NUL characters."))
        return data


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser, but a NUL character in a field's name or value is a 400, as in a form."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        if _form_holds_nul(parsed.data) or any("\x00" in name for name in parsed.files):
            raise ParseError(gettext("Multipart form parse error - text may not contain NUL characters."))
        return parsed


# What a view that reads a body parses it with: the project's parsers, each refusing a NUL character.
# (DEFAULT_PARSER_CLASSES names DRF's own form and multipart parsers; ObtainAuthToken sets DRF's three.)
PARSER_CLASSES = [JSONParser, FormParser, MultiPartParser]


def _form_holds_nul(data) -> bool:
    return any("\x00" in name or any("\x00" in value for value in values) for name, values in data.lists())


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


# The errors of the REST API contract (DESIGN.md), as the OpenAPI schema declares them.
ERROR_SCHEMAS = {
    "Error": {
        "type": "object",
        "description": "What went wrong, in one sentence.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "FieldErrors": {
        "type": "object",
        "description": "Bad input: each wrong field with its messages (a list's items by index), "
        "`non_field_errors` for the whole, or `detail` alone when the request could not be read.",
        "additionalProperties": {
            "anyOf": [
                {"type": "array", "items": {"type": "string"}},
                {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
                {"type": "string"},
            ]
        },
    },
}
ERROR_DESCRIPTIONS = {
    "400": "Bad input: the fields that are wrong and why.",
    "401": "No valid credentials: none, or a token that is unknown, revoked or expired.",
    "403": "Not the user's to do (or, signed in by session, a change without its CSRF token).",
    "404": "Nothing by that key that the user may see; on a list, a page past the last.",
}


def declare_error_responses(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular postprocessing hook: each operation's error answers, as JSON.

    Every operation may answer 400 (an address with a NUL character is one everywhere) and 401;
    a change 403; one with a key in its address, or a paginated list, 404. Any other 4xx an
    operation declares with ``extend_schema`` (a 403 on a read, a 429) and no body gets ``Error``.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(ERROR_SCHEMAS)
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation["responses"]
            codes = ["400", "401"]
            if method != "get":
                codes.append("403")
            if "{" in path or any(p["name"] == "page" for p in operation.get("parameters", [])):
                codes.append("404")
            for code in codes:
                responses.setdefault(code, {"description": ERROR_DESCRIPTIONS[code]})
            for code, response in responses.items():
                if code.startswith("4") and "content" not in response:
                    name = "FieldErrors" if code == "400" else "Error"
                    response["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}
            operation["responses"] = dict(sorted(responses.items()))
    return result


def requested_language(request: Any) -> str:
    """The language an API reader asks the texts in: ``?lang=`` if given (one of LANGUAGES, else a 400
    naming them), otherwise the request's (Accept-Language, or the signed-in user's choice)."""
    if request is None:
        return active_language()
    language = asked_language(request.query_params)
    if language is None:
        raise ValidationError({"lang": [language_choice(request.query_params)]})
    return language


LANGUAGE_PARAMETER = OpenApiParameter(
    "lang",
    str,
    enum=LANGUAGE_CODES,
    description=(
        "The language to add the texts' unofficial translation in (`translation`); the texts themselves "
        "stay as adopted. Without it, the language of the Accept-Language header. Error messages are "
        "written in it too."
    ),
)


class ContentLanguage:
    """A view of the plans' texts: ``?lang=`` is checked (once the reader is known) before anything is
    read, and the answer, its error messages included, is written in it."""

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]  # who asks first: 401 before 400
        language = requested_language(request)
        if "lang" in request.query_params:
            translation.activate(language)
            request.LANGUAGE_CODE = language


TRANSLATION_SCHEMA = {
    "type": "object",
    "nullable": True,
    "description": (
        "The texts' unofficial translation into the language asked for (`lang`, or Accept-Language), "
        "with that language: null when they are asked in the language they were adopted in, or have no "
        "translation into it."
    ),
    "properties": {"language": {"type": "string", "enum": LANGUAGE_CODES}},
    "required": ["language"],
    "additionalProperties": {"type": "string"},
}


@extend_schema_field(TRANSLATION_SCHEMA)
class TranslationField(serializers.Field):
    """A row's unofficial translation into the requested language, ``{"language": …, field: text}``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Translatable) -> dict[str, str] | None:
        return translation_of(value, requested_language(self.context.get("request")))


def translation_of(row: Translatable, language: str) -> dict[str, str] | None:
    texts = row.translation_into(language)
    return {"language": language, **texts} if texts else None
