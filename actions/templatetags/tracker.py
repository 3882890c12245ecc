"""Status, review and confidentiality badges, the comparisons templates make with those
vocabularies, the inline SVG status-distribution bar (no chart library), and the plan page's
activity rows."""

import re
from collections.abc import Iterable
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext, pgettext

from actions.display import STATUS_COLOURS, STATUS_ORDER, status_css_name, status_label
from actions.models import Confidentiality, ReviewState
from tracker.forms import DayWriter
from tracker.translations import Shown, Translatable

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
        return format_html('<span class="muted">{}</span>', gettext("No activities"))
    x = 0.0
    parts = []
    summary = []
    for status in STATUS_ORDER:
        count = distribution.get(status, 0)
        if not count:
            continue
        share = width * count / total
        label = gettext("%(status)s: %(count)s") % {"status": status_label(status), "count": count}
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
        pgettext("list separator", "; ").join(summary),
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


def shows_originals(context: template.Context) -> bool:
    """Whether the reader asked for the texts as adopted rather than their unofficial translations."""
    request = context.get("request")
    return request is not None and request.GET.get("original") == "1"


def _shown(context: template.Context, obj: Translatable, field: str, original: str | None) -> Shown:
    return obj.shown(field, original if shows_originals(context) else None, original=original)


def _unofficial_mark() -> str:
    """Follows a text shown in an unofficial translation: says so, and leads to the original."""
    return format_html(
        ' <a class="unofficial" href="?original=1" title="{}">{}</a>',
        gettext("Show the texts as adopted"),
        gettext("unofficial translation"),
    )


@register.simple_tag(takes_context=True)
def plan_text(
    context: template.Context, obj: Translatable, field: str, original: str = "", words: int = 0, href: str = ""
):
    """``obj``'s ``field`` (a plan's title, an objective's or an activity's text) in the page's language
    where staff gave it an unofficial translation, marked as one with the original a click away; else the
    text as adopted. Either way in an element that says its language. ``original`` is the plan's language,
    where the page knows it (saves reading the plan of each activity); ``words`` shortens the text; ``href``
    makes it a link (the mark, a link of its own, after it)."""
    shown = _shown(context, obj, field, original or None)
    text = Truncator(shown.text).words(words) if words else shown.text
    html = format_html('<span lang="{}">{}</span>', shown.language, text)
    if href:
        html = format_html('<a href="{}">{}</a>', href, html)
    return html + _unofficial_mark() if shown.translated else html


@register.simple_tag
def organization_name(organization: Translatable) -> SafeString:
    """An organization's name in the page's language where staff gave it (the organization's own name in
    that language, not marked as a translation), else as it gives it in English."""
    shown = organization.shown("name")
    return format_html('<span lang="{}">{}</span>', shown.language, shown.text)


URL_PLACEHOLDER = 987654321  # an id no activity has, replaced by each activity's in its reversed address
ACTIVITY_ROW = """<tr>
<td data-label="{{no}}"><a href="{url}">{number}</a></td>
<td data-label="{{activity}}"><a class="plain" href="{url}" lang="{text_lang}">{text}</a>{text_mark}</td>
<td data-label="{{responsible}}"><span lang="{resp_lang}">{responsible}</span>{resp_mark}{organizations}</td>
<td data-label="{{status}}">{status}</td>
<td data-label="{{last_update}}">{last_update}</td>
</tr>
"""


def _labelled(row: str, **labels: Any) -> str:
    """``row`` with the labels of its cells (shown beside each cell on a phone) written in, in the page's
    language; its other fields (``{url}``) are left to fill."""
    return re.sub(r"\{\{(\w+)\}\}", lambda m: escape(labels[m.group(1)]).replace("{", "{{").replace("}", "}}"), row)


@register.simple_tag(takes_context=True)
def activity_rows(context: template.Context, activities: Iterable[Any]) -> SafeString:
    """The plan page's rows of ``activities`` (``for_plan_page``, ``with_named_acronyms``): number, text, responsible
    organizations, status and last update.

    Written here rather than as a template loop: the loop cost about 0.35 ms a row, most of a
    400-activity plan page's time (benchmarks/pages.py). Each organization's link and each
    status's badge is written once per page, and the activities' addresses from one reversed.
    """
    page: Any = context.render_context  # one page's render, shared by each objective's rows
    links: dict[str, str] = page.setdefault("activity_rows_links", {})
    badges: dict[str | None, str] = page.setdefault("activity_rows_badges", {})
    write_day: DayWriter = page.setdefault("activity_rows_days", DayWriter())
    activity_url = reverse("activity-detail", args=[URL_PLACEHOLDER])
    if "activity_rows_row" not in page:
        page["activity_rows_row"] = _labelled(
            ACTIVITY_ROW,
            no=gettext("No."),
            activity=gettext("Activity"),
            responsible=gettext("Responsible"),
            status=gettext("Status"),
            last_update=gettext("Last update"),
        )
    row = page["activity_rows_row"]
    # The plan's texts are in the language it was adopted in, whatever the page's (the rows of one plan),
    # or in an unofficial translation into the page's, marked as one.
    original = context["plan"].language
    wanted = original if shows_originals(context) else None
    mark = _unofficial_mark()
    rows = []
    for activity in activities:
        text = activity.shown("text", wanted, original=original)
        responsible = activity.shown("responsible_text", wanted, original=original)
        named = []
        for acronym in activity.named_acronyms:
            if acronym not in links:
                url = reverse("organization-detail", args=[acronym])
                links[acronym] = format_html('<a href="{}">{}</a>', url, acronym)
            named.append(links[acronym])
        if activity.status not in badges:
            badges[activity.status] = status_badge(activity.status)
        last_update = write_day(activity.last_update and timezone.localdate(activity.last_update))
        rows.append(
            row.format(
                url=activity_url.replace(str(URL_PLACEHOLDER), str(activity.pk)),
                number=escape(activity.number),
                text=escape(text.text),
                text_lang=text.language,
                text_mark=mark if text.translated else "",
                responsible=escape(responsible.text or ""),
                resp_lang=responsible.language,
                resp_mark=mark if responsible.translated and responsible.text else "",
                organizations=f'<div class="orgs">{" ".join(named)}</div>' if named else "",
                status=badges[activity.status],
                last_update=last_update,
            )
        )
    return mark_safe("".join(rows))


PARTICIPANT_ROW = """<tr>
<td data-label="{{organization}}"><a href="{url}" title="{name}">{acronym}</a></td>
<td data-label="{{kind}}">{kind}</td>
<td data-label="{{joined}}">{joined}</td>
<td data-label="{{left}}">{left}</td>
{leaving}</tr>
"""


@register.simple_tag
def participant_rows(plan: Any, participations: Iterable[Any], manages: bool) -> SafeString:
    """The plan page's rows of its participants (``Participation.objects.for_plan``); for CTED
    staff (``manages``), a link to record the day each still taking part left.

    Written here for the reason ``activity_rows`` is: a plan with hundreds of participants.
    """
    day = DayWriter()
    leave_url = reverse("plan-participant-leave", args=[plan.code, URL_PLACEHOLDER])
    row = _labelled(
        PARTICIPANT_ROW,
        organization=gettext("Organization"),
        kind=gettext("Kind"),
        joined=gettext("Joined"),
        left=gettext("Left"),
    )
    kinds: dict[str, str] = {}  # each kind's name, looked up once
    rows = []
    for participation in participations:
        organization = participation.organization
        leaving = ""
        if manages:
            link = ""
            if participation.left_on is None:
                link = format_html(
                    '<a href="{}" aria-label="{}">{}</a>',
                    leave_url.replace(str(URL_PLACEHOLDER), str(participation.pk)),
                    gettext("Record that %(acronym)s left") % {"acronym": organization.acronym},
                    gettext("Record…"),
                )
            leaving = f'<td data-label="{escape(gettext("Record that it left"))}">{link}</td>\n'
        if organization.kind not in kinds:
            kinds[organization.kind] = escape(organization.get_kind_display())
        rows.append(
            row.format(
                url=escape(reverse("organization-detail", args=[organization.acronym])),
                name=escape(organization.name),
                acronym=escape(organization.acronym),
                kind=kinds[organization.kind],
                joined=day(participation.joined_on),
                left=day(participation.left_on),
                leaving=leaving,
            )
        )
    return mark_safe("".join(rows))


@register.simple_tag
def countdown(deadline: Any, today: Any) -> SafeString:
    """The days left to ``deadline`` in words ("3 days left", "due today", "overdue by 2 days"), marked
    for the eye when it is close or past; the words say it without the colour."""
    days = (deadline - today).days
    if days > 0:
        words, mark = ngettext("%(days)s day left", "%(days)s days left", days) % {"days": days}, "soon"
        if days > 7:
            mark = ""
    elif days == 0:
        words, mark = gettext("due today"), "soon"
    else:
        words = ngettext("overdue by %(days)s day", "overdue by %(days)s days", -days) % {"days": -days}
        mark = "overdue"
    return format_html('<strong class="countdown {}">{}</strong>', mark, words)


@register.simple_tag
def completeness(reported: int | None, expected: int | None) -> SafeString:
    """How many of the expected (activity, organization) pairs reported, as a bar and in words."""
    if not expected:
        return format_html('<span class="share muted">{}</span>', gettext("nobody is expected to report"))
    reported = reported or 0
    share = round(100 * reported / expected)
    return format_html(
        '<span class="share"><progress max="{}" value="{}" aria-hidden="true"></progress> {}</span>',
        expected,
        reported,
        gettext("%(share)s%% · %(reported)s of %(expected)s")
        % {"share": share, "reported": reported, "expected": expected},
    )
