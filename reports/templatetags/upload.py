"""What the spreadsheet upload's page writes of a row's errors."""

import re

from django import template
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reports.spreadsheet import COLUMNS
from tracker.languages import active_language

register = template.Library()

# The columns of several words a row's error may quote ("Reports on", "Not applicable: why"), longest first.
_QUOTED_COLUMNS = re.compile(
    "|".join(re.escape(name) for name in sorted((c for c in COLUMNS if " " in c), key=len, reverse=True))
)


@register.filter
def english_columns(message: str) -> SafeString:
    """A row's error, the spreadsheet's columns it names marked as English on a page in another language: the
    columns keep their English names in every language, since the upload reads them by those names."""
    if active_language() == settings.LANGUAGE_CODE:
        return escape(message)
    return mark_safe(_QUOTED_COLUMNS.sub(lambda found: f'<span lang="en">{found.group(0)}</span>', escape(message)))
