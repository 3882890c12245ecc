"""The six languages of the tracker, and which one a reader asks for (issue 13): one home for the pages,
the API, the reports and the e-mails (organizations.languages keeps which one a person chose)."""

from django.conf import settings
from django.http import QueryDict
from django.utils import formats, translation
from django.utils.translation import get_supported_language_variant, gettext

# By their codes, as settings.LANGUAGES lists them.
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def supported(code: str | None) -> str | None:
    """``code`` as one of settings.LANGUAGES (``fr-ca`` is ``fr``), or None."""
    if not code:
        return None
    try:
        return get_supported_language_variant(code)
    except LookupError:
        return None


def active_language() -> str:
    """The reader's language: their choice, or their browser's (the active language); the site's where none
    is active."""
    return supported(translation.get_language()) or settings.LANGUAGE_CODE


def asked_language(query: QueryDict) -> str | None:
    """The language a page, a report or the API is asked for in: ``lang`` of the query, one of
    LANGUAGE_CODES, else the reader's; None for a code that is none of them."""
    asked = query.get("lang", "")
    if not asked:
        return active_language()
    return asked if asked in LANGUAGE_CODES else None


def language_choice(query: QueryDict) -> str:
    """What a request whose ``lang`` is none of LANGUAGE_CODES is told."""
    return gettext("“%(value)s” is not a language of the tracker: use one of %(codes)s (without it, your own).") % {
        "value": query.get("lang", ""),
        "codes": ", ".join(LANGUAGE_CODES),
    }


def written_number(value: float, decimals: int | None = None) -> str:
    """A number as the reader's language writes it, its thousands grouped: 5,000,000 and 1.5 in English,
    5 000 000 and 1,5 in French."""
    return formats.number_format(value, decimals, force_grouping=True)
