"""How statuses are named and coloured, wherever they are shown: pages, charts, exports."""

import functools

from django.utils.translation import gettext_lazy as _

from actions.models import Status

NO_UPDATE = _("No accepted entry")
STATUS_ORDER = [*Status.values, None]
# The only place the colours are written: pages and the report get them from status_stylesheet(),
# spreadsheets and charts from here. "none" is an activity with no accepted entry.
STATUS_COLOURS: dict[str | None, str] = {
    Status.NOT_STARTED: "9AA5B1",
    Status.PLANNED: "8AB4E8",
    Status.IN_PROGRESS: "2F74C0",
    Status.ONGOING: "1D9A8A",
    Status.COMPLETED: "2E8540",
    Status.DELAYED: "E08A00",
    Status.DISCONTINUED: "6B4E71",
    None: "E3E7EB",
}
LIGHT_TEXT = {Status.NOT_STARTED, Status.IN_PROGRESS, Status.ONGOING, Status.COMPLETED, Status.DISCONTINUED}


def status_label(status: str | None) -> str:
    """A status's name in the active language (what the API, the CSV and the audit keep is its value)."""
    return str(Status(status).label if status else NO_UPDATE)


def status_css_name(status: str | None) -> str:
    return status or "none"


@functools.cache
def status_stylesheet() -> str:
    """The status colours as CSS: a variable per status (``--completed``), the badge
    (``.status-completed``) and the legend's swatch (``.fill-completed``). The bar's SVG
    carries its colours in ``fill`` attributes: WeasyPrint reads those, not a CSS ``fill``."""
    variables = " ".join(f"--{status_css_name(s)}: #{STATUS_COLOURS[s]};" for s in STATUS_ORDER)
    rules = [f":root {{ {variables} }}"]
    for status in STATUS_ORDER:
        name, colour = status_css_name(status), STATUS_COLOURS[status]
        text = " color: #fff;" if status in LIGHT_TEXT else ""
        rules.append(f".status-{name} {{ background: #{colour};{text} }}")
        rules.append(f".fill-{name} {{ background: #{colour}; }}")
    return "\n".join(rules) + "\n"
