"""What every page's form does with a service's refusal, and the widgets the pages share."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
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
