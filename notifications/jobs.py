"""The background jobs. Each runs once with ``python manage.py run_job NAME``, from cron
or from Celery beat (notifications/schedules.py), and each is safe to run twice: every e-mail
it writes is unique per recipient and key, so a second run sends nothing again.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

from actions import permissions
from actions.models import Activity, Plan, ReviewState, StatusEntry
from notifications.delivery import deliver_pending
from notifications.mailing import (
    Mail,
    absolute,
    focal_points_of,
    mail_focal_point,
    mail_user,
    reminder_written,
    reminders_write,
)
from notifications.models import Reminder
from organizations.confirmation import confirmation_token
from organizations.languages import language_of
from organizations.models import FocalPoint, Organization, wants_digests
from organizations.roles import Role, remember_role_group, role_group
from reports.models import CycleState, StocktakingCycle, objective_matrix, silent_now, unreported_now
from reports.services import cycle_close, cycle_report_sent, cycle_report_store

CONFIRM_EVERY_DAYS = 335  # about once a year, with a month's slack
SILENT_NAMED = 20  # silent organizations a digest names per cycle


def reminder_step(deadline: datetime.date, today: datetime.date) -> str | None:
    """Which reminder is due: ``before-N`` for the nearest offset not yet past, then
    ``overdue-K`` weekly after the deadline, at most REMINDER_OVERDUE_MAX times."""
    days_left = (deadline - today).days
    if days_left >= 0:
        due = [days for days in settings.REMINDER_DAYS_BEFORE if days_left <= days]
        return f"before-{min(due)}" if due else None
    week = (-days_left - 1) // 7 + 1
    return f"overdue-{week}" if week <= settings.REMINDER_OVERDUE_MAX else None


def send_cycle_reminders(today: datetime.date) -> str:
    due = [(cycle, step) for cycle in _open_cycles() if (step := reminder_step(cycle.deadline, today)) is not None]
    return f"{_write_cycle_reminders(due, today)} reminder(s) written"


# A reminder sent by hand is the step ``now-<day>``: once a day per cycle (send_reminders_now).
SENT_NOW = "now-{day}"


def send_reminders_now(*, cycle: StocktakingCycle, actor: Any, today: datetime.date) -> int:
    """Remind now the focal points of every organization that has not reported in the open ``cycle``,
    as the scheduled reminders do, at the secretariat's request: the count written.

    Once a day per cycle, whoever asks, and not on a day the scheduled reminder went: a request is
    then refused with when the first was sent and by whom, so that no focal point gets the same
    reminder twice in a day.
    """
    permissions.may_run_stocktaking(actor, cycle.plan).require()
    step = SENT_NOW.format(day=today.isoformat())
    with transaction.atomic():
        # Two requests at once: the second waits for the first's reminders, then finds them.
        cycle = StocktakingCycle.objects.select_for_update(of=("self",)).select_related("plan").get(pk=cycle.pk)
        if not cycle.is_open:
            raise ValidationError(gettext("Reminders are sent for an open cycle only."))
        sent = reminders_sent_on([cycle], today).get(cycle.pk)
        if sent is not None:
            at = formats.time_format(timezone.localtime(sent.created_at), "H:i")
            if sent.requested_by is not None:
                who = sent.requested_by.get_full_name() or sent.requested_by.username
                done = gettext(
                    "Reminders for this cycle were already sent today at %(at)s by %(by)s: "
                    "the next can be sent tomorrow."
                ) % {"at": at, "by": who}
            else:
                done = gettext(
                    "This cycle's scheduled reminders went today at %(at)s: the next can be sent tomorrow."
                ) % {"at": at}
            raise ValidationError(done)
        return _write_cycle_reminders([(cycle, step)], today, requested_by=permissions.actor_of(actor).user)


def reminders_sent_on(cycles: list[StocktakingCycle], day: datetime.date) -> dict[int, Reminder]:
    """The first reminder of each of ``cycles`` written on ``day``, scheduled or sent by hand, by cycle
    id (a cycle with none has no key): two queries, however many reminders each cycle has."""
    reminders = Q(step__startswith="before-") | Q(step__startswith="overdue-") | Q(step__startswith="now-")
    first = (
        Reminder.objects.filter(reminders, cycle=OuterRef("pk"), created_at__date=day)
        .order_by("created_at", "pk")
        .values("pk")[:1]
    )
    found = dict(
        StocktakingCycle.objects.filter(pk__in=[cycle.pk for cycle in cycles])
        .annotate(first=Subquery(first))
        .exclude(first=None)
        .values_list("pk", "first")
    )
    written = Reminder.objects.select_related("requested_by").in_bulk(found.values())
    return {cycle_id: written[reminder_id] for cycle_id, reminder_id in found.items()}


def _write_cycle_reminders(
    due: list[tuple[StocktakingCycle, str]], today: datetime.date, requested_by: Any = None
) -> int:
    """Write the reminder of each (cycle, step) of ``due`` to the focal points of each organization that
    has not reported in the cycle; the count written."""
    # Who has not reported in every cycle due a reminder, and their focal points, read at once:
    # the run's queries do not grow with the open cycles; its writes go by REMINDER_BATCH e-mails.
    unreported = unreported_now([cycle for cycle, _ in due])
    contacts: dict[int, list[FocalPoint]] = defaultdict(list)
    for focal_point in focal_points_of({o for pending in unreported.values() for o in pending}):
        contacts[focal_point.organization_id].append(focal_point)
    mails = (
        mail
        for cycle, step in due
        for mail in _cycle_reminders(cycle, step, unreported[cycle.pk], contacts, today, requested_by)
    )
    written = 0
    while batch := list(islice(mails, REMINDER_BATCH)):
        written += reminders_write(batch)
    return written


# Reminders are written this many at a time: one query finds those written before, a few insert the rest.
REMINDER_BATCH = 5000


def _cycle_reminders(
    cycle: StocktakingCycle,
    step: str,
    pending: dict[Organization, list[Activity]],
    contacts: dict[int, list[FocalPoint]],
    today: datetime.date,
    requested_by: Any = None,
) -> Iterator[Mail]:
    """The reminders of ``step`` to the focal points of each organization that has not reported in ``cycle``.

    An organization's focal points get the same reminder, addressed to them all: it is rendered and
    stored once (an edition), not once per person. Rendered for each person (a greeting by name),
    150,000 reminders were 150,000 renderings of three templates and 150,000 stored bodies.
    """
    # What every reminder of the cycle says alike is formatted once, too.
    # (Its days are written by the templates, in each reader's language.)
    shared = {
        "cycle": cycle,
        "days_left": (cycle.deadline - today).days,
        "overdue_days": (today - cycle.deadline).days,
        "cycle_url": absolute(cycle.get_absolute_url()),
    }
    for organization, activities in pending.items():
        listed = {
            "activities": [
                (a.number, Truncator(a.text).words(20, truncate=" …"), absolute(a.get_absolute_url()))
                for a in activities
            ],
            "upload_url": absolute(reverse("spreadsheet-upload", args=[organization.acronym])),
        }
        for focal_point in contacts[organization.pk]:
            yield Mail(
                recipient=focal_point.email,
                user=focal_point.user,
                cycle=cycle,
                step=step,
                # One person may be focal point of two organizations: one reminder for each.
                key=f"cycle:{cycle.pk}:{organization.acronym}:{step}",
                template="cycle_reminder",
                context={**shared, **listed, "organization": organization},
                edition=(cycle.pk, organization.pk, step),
                requested_by=requested_by,
            )


def _active_users() -> list[Any]:
    """The active users with an address, by username, each with its profile and its role read with it
    (as the API's tokens read theirs): their groups prefetched took a tenth of a digest run."""
    users = list(
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .select_related("profile")
        .annotate(role_group=role_group("id"))
        .order_by("username")
    )
    for user in users:
        remember_role_group(user, user.role_group)
    return users


def send_digests(today: datetime.date) -> str:
    """The weekly digest: new entries, entries awaiting review, organizations silent in open cycles.

    Each recipient's digest holds only what they may read. What one may read depends only on
    whether one reads every entry, one's organization and whether one reviews: readers alike
    get the same digest, read from the database and rendered once (an edition).
    """
    year, week, _ = today.isocalendar()
    since = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=7), datetime.time.min))
    cycles = list(_open_cycles())
    # Who has not reported is the same for every reader: a filing in confidence is a filing. Each
    # cycle's silent organizations, the first few by name and how many more: the cycle's page lists
    # them all (with 100 open cycles, naming every one made each digest 200 KB).
    silent_of = silent_now(cycles)
    silent = [
        (c, silent_of[c.pk][:SILENT_NAMED], max(0, len(silent_of[c.pk]) - SILENT_NAMED), absolute(c.get_absolute_url()))
        for c in cycles
        if silent_of[c.pk]
    ]
    # The same for every reader, and the longest part of a digest: written once (in each language read).
    silent_part = Written("_digest_silent", {"silent": silent})
    key = f"digest:{year}-W{week:02d}"
    editions: dict[tuple, dict | None] = {}
    mails = []
    readers = [user for user in _active_users() if wants_digests(user)]
    permissions.actors_of(readers)
    # The week's entries and the review queue, read once, and each entry's line written once; each
    # edition keeps the lines its readers may read.
    week_entries = list(StatusEntry.objects.recent(permissions.SYSTEM).filter(created_at__gte=since))
    queue = list(StatusEntry.objects.for_review_queue(permissions.SYSTEM)[:100])
    new_lines = Lines("_digest_entry", link=lambda entry: absolute(entry.activity.get_absolute_url()))
    awaiting_lines = Lines("_digest_awaiting")
    waiting = dict(
        StatusEntry.objects.filter(review_state=ReviewState.SUBMITTED)
        .order_by()
        .values_list("organization")
        .annotate(n=Count("pk"))
    )
    for user in readers:
        reader = permissions.actor_of(user)
        may_review = bool(permissions.may_review(reader))
        everything = permissions.sees_restricted(reader)
        organization = reader.organization
        edition = (permissions.readership(reader), may_review)
        if edition not in editions:
            new_entries = list(islice((e for e in week_entries if permissions.may_read(reader, e)), 100))
            if may_review and everything:
                awaiting = queue
                awaiting_count = len(awaiting)
            elif may_review:  # a reviewer who does not read every entry: the queue as they read it
                awaiting = list(StatusEntry.objects.for_review_queue(reader)[:100])
                awaiting_count = len(awaiting)
            else:
                # Others hear only how many of their own organization's entries wait for CTED.
                awaiting = []
                awaiting_count = min(waiting.get(organization.pk, 0), 100) if organization else 0
            editions[edition] = None
            if new_entries or awaiting_count or silent:
                editions[edition] = {
                    "new_entries": new_lines.of(new_entries),
                    "awaiting": awaiting_lines.of(awaiting),
                    "awaiting_count": awaiting_count,
                    "may_review": may_review,
                    "review_url": absolute(reverse("review-queue")),
                    "silent": silent_part,
                    "week": f"{year}-W{week:02d}",
                }
        context = editions[edition]
        if context is not None:
            mails.append(
                Mail(
                    recipient=user.email,
                    user=user,
                    step="digest",
                    key=key,
                    template="digest",
                    context=context,
                    edition=edition,
                )
            )
    return f"{reminders_write(mails)} digest(s) written"


class Written:
    """A part of an e-mail that many e-mails hold alike (an entry's line, the silent organizations), as
    text and as HTML. It is written when an e-mail that holds it is, in that e-mail's language (its
    reader's), and once in each language: the editions of 300 organizations' focal points list mostly
    the same entries."""

    def __init__(self, template: str, context: dict[str, Any]) -> None:
        self.template = template
        self.context = context
        self.languages: dict[str | None, tuple[str, SafeString]] = {}

    def _in_language(self) -> tuple[str, SafeString]:
        language = translation.get_language()
        if language not in self.languages:
            text = render_to_string(f"emails/{self.template}.txt", self.context).rstrip("\n") + "\n"
            # Escaped by its template.
            html = mark_safe(render_to_string(f"emails/{self.template}.html", self.context).strip())
            self.languages[language] = (text, html)
        return self.languages[language]

    @property
    def text(self) -> str:
        return self._in_language()[0]

    @property
    def html(self) -> SafeString:
        return self._in_language()[1]


class Lines:
    """Each entry's line of a list in the digest, one Written however many editions list it."""

    def __init__(self, template: str, link: Callable[[StatusEntry], str] | None = None) -> None:
        self.template = template
        self.link = link
        self.written: dict[int, Written] = {}

    def of(self, entries: list[StatusEntry]) -> list[Written]:
        return [self.written.get(entry.pk) or self._write(entry) for entry in entries]

    def _write(self, entry: StatusEntry) -> Written:
        context = {"entry": entry, "link": self.link(entry) if self.link else ""}
        line = self.written[entry.pk] = Written(self.template, context)
        return line


def _open_cycles():
    return StocktakingCycle.objects.filter(state=CycleState.OPEN).select_related("plan")


def close_ended_cycles(today: datetime.date) -> str:
    """Close the open cycles whose period has ended and whose deadline has passed, and send
    each closed cycle's report once (also those whose sending could not be queued)."""
    closed = 0
    for cycle in _open_cycles().filter(period_end__lt=today, deadline__lt=today):
        cycle_close(cycle=cycle, actor=permissions.SYSTEM, confirm=True)
        closed += 1
    sent = 0
    unsent = StocktakingCycle.objects.filter(state=CycleState.CLOSED, report_sent_at__isnull=True)
    for cycle in unsent.select_related("plan"):
        sent += distribute_report(cycle)
    return f"{closed} cycle(s) closed, {sent} report e-mail(s) written"


@transaction.atomic
def distribute_report(cycle: StocktakingCycle) -> int:
    """Store the closed cycle's PDF and XLSX report and e-mail every expected reporter's focal points a link,
    and the files themselves when together they weigh at most REPORT_ATTACHMENT_MAX_BYTES: each focal point
    in their own language, the report too (stored once per language it is sent in).

    The stored report is the one for all participants: nothing restricted is in it. It is
    sent once: a focal point added later finds it on the cycle's page.
    """
    cycle = StocktakingCycle.objects.select_for_update().select_related("plan").get(pk=cycle.pk)
    if cycle.report_sent_at is not None:
        return 0
    readers: dict[str, list[FocalPoint]] = {}
    for focal_point in focal_points_of(cycle.plan.expected_organizations()):
        readers.setdefault(language_of(focal_point.user), []).append(focal_point)
    # Stored in English even when nobody reads it: the cycle's page offers it to everyone.
    stored_in = {
        language: cycle_report_store(cycle=cycle, actor=permissions.SYSTEM, language=language)
        for language in sorted(readers.keys() | {settings.LANGUAGE_CODE})
    }
    written = 0
    for language, focal_points in sorted(readers.items()):
        stored = stored_in[language]
        links = {f: absolute(f"{reverse('cycle-report-file', args=[cycle.pk, f])}?lang={language}") for f in stored}
        # Small enough, the files go with the e-mail too; the links are always there.
        attached = sum(record.file.size for record in stored.values()) <= settings.REPORT_ATTACHMENT_MAX_BYTES
        attachments = list(stored.values()) if attached else []
        for focal_point in focal_points:
            written += mail_focal_point(
                focal_point,
                cycle=cycle,
                step="report",
                key=f"cycle:{cycle.pk}:report",
                template="report_ready",
                context={"cycle": cycle, "focal_point": focal_point, "links": links, "attached": attached},
                attachments=attachments,
            )
    cycle_report_sent(cycle=cycle, actor=permissions.SYSTEM)
    return written


def send_matrix(today: datetime.date) -> str:
    """On the first day of each month: the matrix of organizations by objective, to CTED staff and the secretariat."""
    plans = list(Plan.objects.all())
    # Who is expected on each plan is the same for every reader: read it once.
    reporters = {plan.pk: plan.reporters() for plan in plans}
    key = f"matrix:{today:%Y-%m}"
    written = 0
    for user in _active_users():
        if permissions.actor_of(user).role not in {Role.STAFF, Role.SECRETARIAT} or not wants_digests(user):
            continue
        if reminder_written(user.email, key):
            continue  # this month's matrix went already: do not build it again
        reader = permissions.actor_of(user)
        matrices = [(plan, *objective_matrix(plan, reader, reporters[plan.pk])) for plan in plans]
        written += mail_user(
            user,
            step="matrix",
            key=key,
            template="matrix",
            # The month is named by the templates, in the reader's language.
            context={"user": user, "matrices": matrices, "month": today},
        )
    return f"{written} matrix e-mail(s) written"


def confirmation_link(focal_point: FocalPoint) -> str:
    return absolute(reverse("focal-point-confirm", args=[confirmation_token(focal_point)]))


def ask_to_confirm(today: datetime.date) -> str:
    """Once a year: each focal point confirms their contact details, with a link."""
    written = 0
    stale = today - datetime.timedelta(days=CONFIRM_EVERY_DAYS)
    focal_points = (
        FocalPoint.objects.filter(is_active=True).exclude(email="").select_related("organization", "user__profile")
    )
    for focal_point in focal_points:
        if focal_point.confirmed_on and focal_point.confirmed_on > stale:
            continue
        written += mail_focal_point(
            focal_point,
            step="confirm",
            key=f"confirm:{today.year}:{focal_point.pk}",
            template="confirm_details",
            context={"focal_point": focal_point, "link": confirmation_link(focal_point)},
        )
    return f"{written} confirmation request(s) written"


JOBS = {
    "reminders": send_cycle_reminders,
    "digest": send_digests,
    "close-cycles": close_ended_cycles,
    "matrix": send_matrix,
    "confirm-focal-points": ask_to_confirm,
}


def run(name: str, today: datetime.date | None = None) -> str:
    """Run one job, then send whatever is pending (this job's e-mails and any left over)."""
    summary = JOBS[name](today or timezone.localdate())
    sent = deliver_pending()
    return f"{name}: {summary}; {sent} e-mail(s) sent"
