"""What every page's form does with a service's refusal, and the widgets the pages share."""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


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


# A day is shown on every page as "23 Nov 2026", and typed the same way.
DAY_FORMAT = "j M Y"
DAY_INPUT_FORMATS = ["%d %b %Y", "%d %B %Y", "%Y-%m-%d"]


class DayWriter:
    """Days written as the pages show them, ``date_format(day, DAY_FORMAT)``, for pages that write
    hundreds of days: each month's name is looked up once (Django's formatter translates it for each
    day: 6 ms of a 400-activity plan page)."""

    def __init__(self) -> None:
        self.months: dict[int, str] = {}

    def __call__(self, day: datetime.date | None, empty: str = "—") -> str:
        if day is None:
            return empty
        if day.month not in self.months:
            self.months[day.month] = formats.date_format(day, "M")
        return f"{day.day} {self.months[day.month]} {day.year}"


class DayInput(forms.DateInput):
    """A day as the pages show it ("23 Nov 2026"); a text box, not the browser's date picker, which writes
    the day in the browser's own order (11/23/2026) whatever the page around it says."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"placeholder": "e.g. 23 Nov 2026", "autocomplete": "off", "size": 12, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime.date):
            return formats.date_format(value, DAY_FORMAT)
        return super().format_value(value)


class DayField(forms.DateField):
    """A day typed as the pages show it ("23 Nov 2026", "23 November 2026"), or as ISO (2026-11-23)."""

    widget = DayInput
    input_formats = DAY_INPUT_FORMATS
    default_error_messages = {"invalid": "Give the day as 23 Nov 2026 (or 2026-11-23)."}
