"""Charts over a plan's stocktaking cycles, drawn as inline SVG on the server (no chart library):
each says in words what it shows, and its numbers are printed on it, so no colour is needed to read it."""

from typing import Any

from django import template
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language_bidi, gettext, pgettext

from actions.display import STATUS_COLOURS, STATUS_ORDER, status_label
from reports.builder import IN_CONFIDENCE, IN_CONFIDENCE_LABEL

register = template.Library()

COLUMN = 56  # the width given to each cycle
PLOT = 120  # the height of 100 %
TOP, BOTTOM, LEFT = 18, 34, 36  # room for the values above, the dates below and the scale on the left


@register.simple_tag
def completeness_chart(cycles: list[Any]) -> SafeString:
    """Columns of each closed cycle's completeness (``summary_completeness``), oldest first: the share
    printed above each column, its period's end below it, a scale of 0, 50 and 100 %."""
    if not cycles:
        return format_html('<p class="muted">{}</p>', gettext("No cycle has closed yet."))
    width = LEFT + COLUMN * len(cycles)
    height = TOP + PLOT + BOTTOM
    scale = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#d9dee4"></line>'
        '<text x="{}" y="{}" text-anchor="end" fill="#5b6876">{}</text>',
        (
            (
                LEFT,
                width,
                TOP + PLOT * (100 - p) / 100,
                TOP + PLOT * (100 - p) / 100,
                LEFT - 4,
                TOP + PLOT * (100 - p) / 100 + 4,
                _percent(p),
            )
            for p in (0, 50, 100)
        ),
    )
    columns = []
    words = []
    for index, cycle in enumerate(cycles):
        share = cycle.summary_completeness
        x = LEFT + COLUMN * index + 10
        # "June 2026", "déc. 2026": French's three-letter names would make "Jui" June and "Jul" July.
        # In Arabic the month by its number: WeasyPrint lays out no right-to-left text inside an SVG, and
        # the PDF showed the month's name with its letters in the wrong order.
        day = formats.date_format(cycle.period_end, "m/Y" if get_language_bidi() else "N Y")
        if share is None:
            columns.append(
                format_html('<text x="{}" y="{}" text-anchor="middle">{}</text>', x + 18, TOP + PLOT - 4, "—")
            )
            words.append(gettext("%(title)s: nobody expected") % {"title": cycle.title})
        else:
            tall = PLOT * share
            percent = _percent(round(share * 100))
            said = gettext("%(title)s: %(share)s") % {"title": cycle.title, "share": percent}
            columns.append(
                format_html(
                    '<rect x="{}" y="{}" width="36" height="{}" fill="#0b5cad"><title>{}</title></rect>'
                    '<text x="{}" y="{}" text-anchor="middle" font-weight="bold">{}</text>',
                    x,
                    f"{TOP + PLOT - tall:.1f}",
                    f"{tall:.1f}",
                    said,
                    x + 18,
                    f"{TOP + PLOT - tall - 4:.1f}",
                    percent,
                )
            )
            words.append(said)
        columns.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" fill="#5b6876">{}</text>', x + 18, TOP + PLOT + 16, day
            )
        )
    return format_html(
        # Styled by its own attributes, so that it reads the same on a page, in the HTML report and in the PDF.
        '<svg class="chart completeness-chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="{}" height="{}" '
        'font-family="DejaVu Sans, system-ui, sans-serif" font-size="11" fill="#1d2733">{}{}</svg>',
        gettext("Completeness per cycle: %(cycles)s") % {"cycles": pgettext("list separator", "; ").join(words)},
        width,
        height,
        width,
        height,
        scale,
        SafeString("".join(columns)),
    )


def _percent(share: int) -> str:
    """A share as the page's language writes it: "62%" in English, "62 %" in French."""
    return gettext("%(share)s%%") % {"share": share}


@register.simple_tag
def status_counts(distribution: dict[str | None, int]) -> SafeString:
    """The counts of ``{status: count}`` in words, in the statuses' order: "Completed 3 · Ongoing 5"."""
    parts = [(status_label(s), distribution[s]) for s in STATUS_ORDER if distribution.get(s)]
    return format_html_join(" · ", "{} {}", parts)


# A filing the reader may not read comes between the statuses and no report.
CELL_ORDER = [*STATUS_ORDER[:-1], IN_CONFIDENCE, None]


def _cell_label(status: str | None) -> str:
    return str(IN_CONFIDENCE_LABEL) if status == IN_CONFIDENCE else status_label(status)


@register.simple_tag
def matrix_cell(cell: list[tuple[str | None, int]]) -> SafeString:
    """One organization's activities under one objective, by the status it reported: a small bar and, in
    words, how many it reported on of how many it is expected on (every count said too)."""
    total = sum(count for _, count in cell)
    if not total:
        return format_html('<span class="muted">{}</span>', "–")
    reported = sum(count for status, count in cell if status is not None)
    x = 0.0
    rects = []
    ordered = sorted(cell, key=lambda item: CELL_ORDER.index(item[0]))
    for status, count in ordered:
        share = 40 * count / total
        colour = "B8C0C8" if status == IN_CONFIDENCE else STATUS_COLOURS[status]
        rects.append((f"{x:.1f}", f"{share:.1f}", colour))
        x += share
    counts = pgettext("list separator", "; ").join(
        gettext("%(status)s: %(count)s") % {"status": _cell_label(status), "count": count} for status, count in ordered
    )
    return format_html(
        '<span class="matrix-cell" title="{}"><svg viewBox="0 0 40 6" width="40" height="6" aria-hidden="true">{}</svg>'
        ' {}<span class="visually-hidden"> ({})</span></span>',
        counts,
        format_html_join("", '<rect x="{}" y="0" width="{}" height="6" fill="#{}"></rect>', rects),
        gettext("%(reported)s of %(total)s") % {"reported": reported, "total": total},
        counts,
    )
