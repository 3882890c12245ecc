"""What every page's form does with a service's refusal, and the widgets the pages share."""

import datetime
import re
from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import dates, formats, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its fields where it names one, else above it."""
    for field, errors in error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]:
        form.add_error(field if field in form.fields else None, errors)


class QuickSelect(forms.Select):
    """A drop-down that writes its options itself, the same HTML as Django's ``Select``.

    Django renders two templates per option: 20 ms for the 250 organizations of a large plan's
    filter, a fifth of its page (benchmarks/pages.py).
    """

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            written = "".join(
                f'<option value="{escape(option["value"])}"{" selected" if option["selected"] else ""}>'
                f"{escape(option['label'])}</option>"
                for option in options
            )
            groups.append(f'<optgroup label="{escape(group_name)}">{written}</optgroup>' if group_name else written)
        attributes = "".join(  # as django/forms/widgets/attrs.html writes them, in their order
            f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
            for name, value in widget["attrs"].items()
            if value is not False
        )
        opening = f'<select name="{escape(widget["name"])}"{attributes}>'
        return mark_safe(f"{opening}{''.join(groups)}</select>")


# A day is shown on every page as its language writes it, the month named ("23 Nov 2026" in English,
# "23 novembre 2026" in French: DATE_FORMAT, tracker/formats), and typed the same way, in the page's
# language or in English, or as ISO (2026-11-23).
DAY_FORMAT = "DATE_FORMAT"
ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# "23 Nov 2026", "23 nov. 2026", "23 de noviembre de 2026", "23 ноября 2026 г.", "23 نوفمبر، 2026"  # noqa: RUF003
WRITTEN_DAY = re.compile(r"(\d{1,2})\.?\s+(?:de\s+)?(\S+?)\.?[,،]?\s+(?:de\s+)?(\d{4})(?:\s*г\.)?")
CJK_DAY = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")  # 2026年11月23日


class DayWriter:
    """Days written as the pages show them, ``date_format(day, DAY_FORMAT)``, for pages that write
    hundreds of days: the format is read once and each month's name looked up once (Django's formatter
    reads and translates them for each day: 6 ms of a 400-activity plan page)."""

    NUMBERS: ClassVar[dict[str, Callable[[datetime.date], str]]] = {
        "j": lambda day: str(day.day),
        "d": lambda day: f"{day.day:02}",
        "n": lambda day: str(day.month),
        "m": lambda day: f"{day.month:02}",
        "Y": lambda day: str(day.year),
    }

    def __init__(self) -> None:
        self.months: dict[tuple[str, int], str] = {}
        self.parts = self._parts(str(formats.get_format(DAY_FORMAT)))

    @classmethod
    def _parts(cls, pattern: str) -> list[tuple[str, str]] | None:
        """The format as (kind, text) pieces: a number, a month's name, or text as it stands; None when it
        has anything else (then each day is written by Django)."""
        parts = []
        escaped = False
        for char in pattern:
            if char == "\\" and not escaped:
                escaped = True
            elif escaped or not (char.isascii() and char.isalpha()):  # "г", "年": text  # noqa: RUF003
                parts.append(("text", char))
                escaped = False
            elif char in cls.NUMBERS:
                parts.append(("number", char))
            elif char in "FME":
                parts.append(("month", char))
            else:
                return None
        return parts

    def __call__(self, day: datetime.date | None, empty: str = "—") -> str:
        if day is None:
            return empty
        if self.parts is None:
            return formats.date_format(day, DAY_FORMAT)
        written = []
        for kind, text in self.parts:
            if kind == "number":
                written.append(self.NUMBERS[text](day))
            elif kind == "month":
                if (text, day.month) not in self.months:
                    self.months[text, day.month] = formats.date_format(day, text)
                written.append(self.months[text, day.month])
            else:
                written.append(text)
        return "".join(written)


def month_numbers() -> dict[str, int]:
    """Each month by its names, in lower case: full, short and abbreviated (Django's), in the active
    language and in English."""
    names: dict[str, int] = {}
    for language in (translation.get_language(), settings.LANGUAGE_CODE):
        with translation.override(language):
            for table in (dates.MONTHS, dates.MONTHS_3, dates.MONTHS_AP, dates.MONTHS_ALT):
                names.update({str(name).lower().rstrip("."): number for number, name in table.items()})
    return names


def parse_day(text: str) -> datetime.date | None:
    """The day ``text`` gives as the pages write it ("23 Nov 2026", "23 novembre 2026", "23 nov. 2026")
    or as ISO (2026-11-23); None when it gives none."""
    text = " ".join(text.split())
    try:
        if found := ISO_DAY.fullmatch(text):
            year, month, day = (int(part) for part in found.groups())
            return datetime.date(year, month, day)
        if found := CJK_DAY.fullmatch(text.replace(" ", "")):
            year, month, day = (int(part) for part in found.groups())
            return datetime.date(year, month, day)
        if found := WRITTEN_DAY.fullmatch(text):
            named = month_numbers().get(found.group(2).lower().rstrip("."))
            if named is not None:
                return datetime.date(int(found.group(3)), named, int(found.group(1)))
    except ValueError:  # 31 February
        return None
    return None


class DayInput(forms.DateInput):
    """A day as the pages show it ("23 Nov 2026"); a text box, not the browser's date picker, which writes
    the day in the browser's own order (11/23/2026) whatever the page around it says."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", "size": 12, **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        # An example in the page's language, written when the page is.
        context["widget"]["attrs"].setdefault("placeholder", gettext("e.g. %(day)s") % {"day": example_day()})
        return context

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime.date):
            return formats.date_format(value, DAY_FORMAT)
        return super().format_value(value)


def example_day() -> str:
    return formats.date_format(datetime.date(2026, 11, 23), DAY_FORMAT)


class DayField(forms.DateField):
    """A day typed as the pages show it ("23 Nov 2026", "23 November 2026", in the page's language or in
    English), or as ISO (2026-11-23)."""

    widget = DayInput

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        day = parse_day(str(value))
        if day is None:
            raise ValidationError(
                gettext("Give the day as %(example)s (or 2026-11-23).") % {"example": example_day()}, code="invalid"
            )
        return day
