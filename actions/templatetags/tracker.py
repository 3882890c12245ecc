"""Status, review and confidentiality badges, the comparisons templates make with those
vocabularies, and the inline SVG status-distribution bar (no chart library)."""

from django import template
from django.utils.html import format_html, format_html_join

from actions.display import STATUS_COLOURS, STATUS_ORDER, status_css_name, status_label
from actions.models import Confidentiality, ReviewState

register = template.Library()


@register.filter
def status_name(status: str | None) -> str:
    return status_label(status)


@register.simple_tag
def status_badge(status: str | None):
    return format_html('<span class="badge status-{}">{}</span>', status_css_name(status), status_label(status))


@register.simple_tag
def review_badge(state: str, label: str = ""):
    """An entry's review state; ``label`` words it for the page, e.g. "Returned: correct it"."""
    return format_html('<span class="badge review-{}">{}</span>', state, label or ReviewState(state).label)


@register.simple_tag
def confidentiality_badge(level: str):
    """Marks an entry read by fewer or more than the participants; the usual level needs no mark."""
    if level == Confidentiality.PARTICIPANTS:
        return ""
    return format_html('<span class="badge conf-{}">{}</span>', level, Confidentiality(level).label)


@register.filter
def is_submitted(review_state: str | None) -> bool:
    return review_state == ReviewState.SUBMITTED


@register.filter
def is_accepted(review_state: str | None) -> bool:
    return review_state == ReviewState.ACCEPTED


@register.filter
def is_returned(review_state: str | None) -> bool:
    return review_state == ReviewState.RETURNED


@register.simple_tag
def status_bar(distribution: dict, width: int = 240, height: int = 14):
    """A stacked bar of ``{status: count}`` as inline SVG, with a text equivalent for screen readers."""
    total = sum(distribution.values())
    if not total:
        return format_html('<span class="muted">No activities</span>')
    x = 0.0
    parts = []
    summary = []
    for status in STATUS_ORDER:
        count = distribution.get(status, 0)
        if not count:
            continue
        share = width * count / total
        label = f"{status_label(status)}: {count}"
        summary.append(label)
        parts.append((f"{x:.2f}", f"{share:.2f}", height, status_css_name(status), STATUS_COLOURS[status], label))
        x += share
    rects = format_html_join(
        "",
        '<rect x="{}" y="0" width="{}" height="{}" class="fill-{}" fill="#{}"><title>{}</title></rect>',
        parts,
    )
    return format_html(
        '<svg class="status-bar" role="img" aria-label="{}" viewBox="0 0 {} {}" width="{}" height="{}">{}</svg>',
        "; ".join(summary),
        width,
        height,
        width,
        height,
        rects,
    )


@register.simple_tag
def status_legend(distribution: dict):
    items = [
        (status_css_name(status), status_label(status), distribution.get(status, 0))
        for status in STATUS_ORDER
        if distribution.get(status)
    ]
    return format_html_join("", '<li><span class="swatch fill-{}"></span>{} <strong>{}</strong></li>', items)
