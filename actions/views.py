from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from actions import display, generation, permissions
from actions.filters import PlanActivityFilter
from actions.forms import (
    AcceptSeveralForm,
    NotApplicableForm,
    ParticipantAddForm,
    ParticipantLeaveForm,
    ReviewForm,
    ReviewQueueFilter,
    StatusEntryForm,
)
from actions.models import (
    Activity,
    NotApplicable,
    OrganizationProgress,
    Participation,
    Plan,
    Responsibility,
    ReviewState,
    StatusEntry,
    with_named_acronyms,
)
from actions.permissions import Who
from actions.services import (
    not_applicable_declare,
    not_applicable_withdraw,
    participant_add,
    participant_leave,
    status_entries_accept,
    status_entry_log,
    status_entry_review,
)
from organizations.models import Organization
from tracker.api import VersionedCountPaginator
from tracker.forms import add_service_errors
from tracker.http import Request

# Pages of what grows with the years: an activity's history, the plans, an organization's activities, the queue.
TIMELINE_PAGE_SIZE = 25
ORGANIZATION_PAGE_SIZE = 100
REVIEW_PAGE_SIZE = 25


def plan_detail(request: Request, code: str) -> HttpResponse:
    plan = get_object_or_404(Plan, code=code)
    if request.htmx:
        # The filters swap the activities only.
        return render(request, "actions/_plan_activities.html", _plan_activities_context(request, plan))
    return _plan_page(request, plan)


def _plan_page(
    request: Request, plan: Plan, *, posted: ParticipantAddForm | None = None, status: int = 200
) -> HttpResponse:
    """The plan page: its activities and its participants; ``posted`` is the participant form sent
    back with its errors."""
    context = {**_plan_activities_context(request, plan), **_participants_context(request, plan, posted=posted)}
    return render(request, "actions/plan_detail.html", context, status=status)


def _plan_activities_context(request: Request, plan: Plan) -> dict[str, Any]:
    """The plan's objectives and activities, as the filters in the address select them."""
    user = request.user
    objectives = list(plan.objectives.all())
    filterset = PlanActivityFilter(
        request.GET or None,
        queryset=Activity.objects.for_plan_page(plan, user),
        plan=plan,
        objectives=objectives,
        request=request,
    )
    # A filter that cannot be read lists nothing, beside its error, rather than all the plan.
    unreadable = filterset.is_bound and not filterset.is_valid()
    activities = filterset.queryset.none() if unreadable else filterset.qs

    by_objective: dict[int, list[Activity]] = {}
    for activity in with_named_acronyms(list(activities)):
        by_objective.setdefault(activity.objective_id, []).append(activity)
    # Counted over every activity of the plan, whatever the filters: kept until anything changes
    # (actions/generation.py), for everyone who reads the same entries.
    distribution = generation.kept_or_computed(
        "plan-distribution",
        (permissions.readership(user), plan.pk),
        lambda: Activity.objects.filter(plan=plan).status_distribution(user, by="objective_id"),
    )
    return {
        "plan": plan,
        # Each objective with the activities listed under it and its status distribution.
        "objectives": [(o, by_objective.get(o.pk, []), distribution.get(o.pk, {})) for o in objectives],
        "filterset": filterset,
        "shown": sum(len(listed) for listed in by_objective.values()),
        "filtered": filterset.is_bound,
    }


def _participants_context(request: Request, plan: Plan, *, posted: ParticipantAddForm | None) -> dict[str, Any]:
    """The plan's participants by acronym, those that left included; for CTED staff, the form that
    adds one and, beside each still taking part, a link to record the day it left (a form per row
    would be most of the page of a plan with hundreds of participants)."""
    manages = bool(permissions.may_manage_participants(request.user, plan))
    add_form = None
    if manages:
        add_form = posted or ParticipantAddForm(plan=plan)
    return {
        "participants": Participation.objects.for_plan(plan),
        "manages_participants": manages,
        "participant_form": add_form,
        # The participant form sent back with its errors, if any.
        "form": posted,
    }


@require_POST
def plan_participant_add(request: Request, code: str) -> HttpResponse:
    """CTED staff add an organization to the plan's participants."""
    user = request.user
    plan = get_object_or_404(Plan, code=code)
    permissions.may_manage_participants(user, plan).require()
    form = ParticipantAddForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            participation = participant_add(plan=plan, actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            joined = formats.date_format(form.cleaned_data["joined_on"], "j F Y")
            messages.success(
                request,
                gettext("%(acronym)s takes part in the plan from %(day)s.")
                % {"acronym": participation.organization.acronym, "day": joined},
            )
            return redirect(_participants_url(plan))
    return _plan_page(request, plan, posted=form, status=400)


@require_http_methods(["GET", "POST"])
def plan_participant_leave(request: Request, code: str, pk: int) -> HttpResponse:
    """CTED staff record the day a participant left the plan: the form, then the recording."""
    user = request.user
    plan = get_object_or_404(Plan, code=code)
    permissions.may_manage_participants(user, plan).require()
    participation = get_object_or_404(Participation.objects.select_related("plan", "organization"), plan=plan, pk=pk)
    if request.method != "POST":
        form = ParticipantLeaveForm(participation=participation)
        return _leave_page(request, participation, form)
    form = ParticipantLeaveForm(request.POST, participation=participation)
    if form.is_valid():
        try:
            participant_leave(participation=participation, actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            left = formats.date_format(form.cleaned_data["left_on"], "j F Y")
            messages.success(
                request,
                gettext("%(acronym)s left the plan on %(day)s.")
                % {"acronym": participation.organization.acronym, "day": left},
            )
            return redirect(_participants_url(plan))
    return _leave_page(request, participation, form, status=400)


def _leave_page(
    request: Request, participation: Participation, form: ParticipantLeaveForm, status: int = 200
) -> HttpResponse:
    context = {"plan": participation.plan, "participation": participation, "form": form}
    return render(request, "actions/participant_leave.html", context, status=status)


def _participants_url(plan: Plan) -> str:
    return reverse("plan-detail", args=[plan.code]) + "#participants"


@require_http_methods(["GET", "POST"])
def activity_detail(request: Request, pk: int) -> HttpResponse:
    user = request.user
    activity = get_object_or_404(
        Activity.objects.select_related("plan", "objective")
        .with_responsibilities()
        .prefetch_related("open_kinds", "themes")
        .with_progress(user),
        pk=pk,
    )
    loggable = permissions.loggable_organizations(user, activity)
    form = None
    correcting = None
    status = 200
    if request.method == "POST":
        posted = _organization_posted(request.POST)
        # Not theirs to log (a 403) is told before anything about the input (a 400).
        permissions.may_log(user, organization=posted).require_permission()
        organizations = [posted] if posted is not None else loggable
        form = StatusEntryForm(request.POST, organizations=organizations, activity=activity, user=user)
        if form.is_valid():
            try:
                entry = status_entry_log(activity=activity, author=user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if entry.review_state == ReviewState.ACCEPTED:
                    messages.success(request, gettext("Progress logged."))
                else:
                    messages.success(request, gettext("Progress logged; CTED will review it."))
                if not request.htmx:
                    return redirect(activity)
                form = None
        if form is not None and form.errors:
            status = 200 if request.htmx else 400
    if form is None and loggable:
        correcting = _entry_to_correct(request, activity, loggable)
        initial = {}
        if correcting is not None:
            initial = {
                "organization": correcting.organization_id,
                "status": correcting.status,
                "observations": correcting.observations,
                "confidentiality": correcting.confidentiality,
                "evidence": correcting.evidence,
                "supersedes": correcting.pk,
            }
        form = StatusEntryForm(initial=initial, organizations=loggable, activity=activity, user=user)

    # The history a page at a time, newest first. Each entry with the correction that replaced
    # it and the entry it corrects: only those the user may read are spoken of, in either direction.
    timeline_page = Paginator(StatusEntry.objects.for_timeline(activity, user), TIMELINE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    timeline = [
        (
            entry,
            successor if permissions.may_read(user, successor := getattr(entry, "superseded_by", None)) else None,
            entry.supersedes if permissions.may_read(user, entry.supersedes) else None,
        )
        for entry in timeline_page
    ]
    context = {
        "activity": activity,
        "timeline": timeline,
        "timeline_page": timeline_page,
        "organization_statuses": _latest_by_organization(activity, user),
        "form": form,
        "correcting": correcting,
        "loggable_ids": {o.pk for o in loggable},
        **_not_applicable_context(request, activity, loggable),
    }
    template = "actions/_activity_progress.html" if request.htmx else "actions/activity_detail.html"
    return render(request, template, context, status=status)


def _not_applicable_context(request: Request, activity: Activity, loggable: list[Organization]) -> dict[str, Any]:
    """The activity's not-applicable declarations, and the form to declare one for whom the user may."""
    declarations = list(
        NotApplicable.objects.filter(activity=activity).select_related("organization", "declared_by", "withdrawn_by")
    )
    in_force = {d.organization_id for d in declarations if d.withdrawn_at is None}
    declarable = [
        o
        for o in loggable
        if o.pk not in in_force
        and permissions.may_declare_not_applicable(request.user, organization=o, activity=activity)
    ]
    return {
        "declarations": declarations,
        "not_applicable_form": NotApplicableForm(organizations=declarable, auto_id="id_na_%s") if declarable else None,
        "may_withdraw": permissions.may_withdraw_not_applicable(request.user),
    }


@require_POST
def activity_not_applicable(request: Request, pk: int) -> HttpResponse:
    """Declare that the activity does not apply to an organization the user logs for."""
    user = request.user
    activity = get_object_or_404(
        Activity.objects.select_related("plan").with_responsibilities().prefetch_related("open_kinds"), pk=pk
    )
    posted = _organization_posted(request.POST)
    permissions.may_log(user, organization=posted).require_permission()
    organizations = [posted] if posted is not None else permissions.loggable_organizations(user, activity)
    form = NotApplicableForm(request.POST, organizations=organizations, auto_id="id_na_%s")
    if form.is_valid():
        try:
            declaration = not_applicable_declare(activity=activity, author=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            acronym = declaration.organization.acronym
            messages.success(
                request,
                gettext("Activity %(number)s is declared not applicable to %(acronym)s.")
                % {"number": activity.number, "acronym": acronym},
            )
            return redirect(activity)
    messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
    return redirect(activity)


@require_POST
def not_applicable_withdrawal(request: Request, pk: int) -> HttpResponse:
    """CTED staff withdraw a declaration: the organization is expected to report again."""
    permissions.may_withdraw_not_applicable(request.user).require()
    declaration = get_object_or_404(NotApplicable.objects.select_related("activity", "organization"), pk=pk)
    try:
        not_applicable_withdraw(declaration=declaration, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(str(m) for m in error.messages))
    else:
        acronym, number = declaration.organization.acronym, declaration.activity.number
        messages.success(
            request,
            gettext("%(acronym)s is expected to report on activity %(number)s again.")
            % {"acronym": acronym, "number": number},
        )
    return redirect(declaration.activity)


def _organization_posted(data: QueryDict) -> Organization | None:
    """The organization a log form names; None when the value names none (the form reports that)."""
    posted = data.get("organization", "")
    return Organization.objects.filter(pk=posted).first() if posted.isdigit() else None


def _entry_to_correct(request: Request, activity: Activity, loggable: list[Organization]) -> StatusEntry | None:
    try:
        pk = int(request.GET.get("correct", ""))
    except ValueError:
        return None
    return (
        StatusEntry.objects.filter(activity=activity, organization__in=loggable, superseded_by__isnull=True)
        .visible_to(request.user)
        .select_related("organization")
        .filter(pk=pk)
        .first()
    )


def _latest_by_organization(activity: Activity, user: Who) -> list[tuple[Organization, str | None, StatusEntry | None]]:
    """Each responsible organization with its latest entry the user may read, then others that reported."""
    entries = StatusEntry.objects.filter(activity=activity)
    if permissions.sees_restricted(user):
        # Every entry is theirs to read: the kept standing entries answer, not the whole history.
        kept = OrganizationProgress.objects.filter(activity=activity).values("entry_id")
        entries = entries.filter(pk__in=kept).latest_first()
    else:
        entries = entries.standing(user).latest_per_activity_and_organization()
    latest = {entry.organization_id: entry for entry in entries.select_related("organization")}
    rows: list[tuple[Organization, str | None, StatusEntry | None]] = [
        (r.organization, r.get_role_display(), latest.pop(r.organization_id, None))
        for r in activity.responsibilities.all()
    ]
    rows += [(entry.organization, None, entry) for entry in latest.values()]
    return rows


def organization_detail(request: Request, acronym: str) -> HttpResponse:
    """An organization, its focal points, and its progress on every activity it may report on."""
    organization = get_object_or_404(
        Organization.objects.select_related("parent").prefetch_related("children").with_active_focal_points(),
        acronym=acronym,
    )
    activities = (
        Activity.objects.open_to(organization)
        .select_related("plan")
        .with_progress(request.user)
        .with_organization_progress(organization, request.user)
        .annotate(named=Exists(Responsibility.objects.filter(activity=OuterRef("pk"), organization=organization)))
        .order_by("plan_id", "number_major", "number_minor")
    )
    # A page of activities at a time: the statuses are read for the page's rows only; their count (of
    # some 40,000 at scale) is kept until anything changes.
    page = VersionedCountPaginator(activities, ORGANIZATION_PAGE_SIZE).get_page(request.GET.get("page"))
    by_plan: dict = {}
    for activity in page:
        by_plan.setdefault(activity.plan, []).append(activity)
    context = {
        "organization": organization,
        "by_plan": by_plan,
        "page": page,
        "may_import": permissions.may_log(request.user, organization=organization),
    }
    return render(request, "organizations/organization_detail.html", context)


def review_queue(request: Request) -> HttpResponse:
    permissions.may_review(request.user).require()
    filters = ReviewQueueFilter(request.GET)
    if not filters.is_valid():
        context: dict[str, Any] = {"filters": filters, "page": None, "entries": []}
        return render(request, "actions/review_queue.html", context, status=400)
    entries = filters.apply(StatusEntry.objects.for_review_queue(request.user))
    page = Paginator(entries, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "actions/review_queue.html", {"filters": filters, "page": page, "entries": page.object_list})


@require_POST
def review_entry(request: Request, pk: int) -> HttpResponse:
    user = request.user
    permissions.may_review(user).require()
    entry = get_object_or_404(StatusEntry.objects.visible_to(user).select_related("activity", "organization"), pk=pk)
    form = ReviewForm(request.POST)
    error = None
    if form.is_valid():
        try:
            status_entry_review(entry=entry, reviewer=user, **form.cleaned_data)
        except ValidationError as invalid:
            error = " ".join(str(m) for m in invalid.messages)
    else:
        error = " ".join(str(m) for messages_ in form.errors.values() for m in messages_)
    if request.htmx:
        entry.refresh_from_db()
        return render(request, "actions/_review_item.html", {"entry": entry, "error": error, "swapped": True})
    named = {"number": entry.activity.number, "acronym": entry.organization.acronym}
    if error:
        messages.error(request, gettext("Entry %(number)s (%(acronym)s): %(error)s") % {**named, "error": error})
    else:
        messages.success(request, gettext("Entry %(number)s (%(acronym)s) reviewed.") % named)
    return _back_to_queue(request)


@require_POST
def review_accept_several(request: Request) -> HttpResponse:
    """Accept the entries ticked in the queue, all at once or none; then back to the queue as it was."""
    user = request.user
    permissions.may_review(user).require()
    form = AcceptSeveralForm(request.POST, reader=user, most=REVIEW_PAGE_SIZE)
    if form.is_valid():
        entries = form.cleaned_data["entries"]
        try:
            status_entries_accept(entries=entries, reviewer=user)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            accepted = ", ".join(f"{e.activity.number} ({e.organization.acronym})" for e in entries)
            messages.success(
                request,
                ngettext(
                    "%(counter)s entry accepted: %(accepted)s.",
                    "%(counter)s entries accepted: %(accepted)s.",
                    len(entries),
                )
                % {"counter": len(entries), "accepted": accepted},
            )
    if form.errors:
        refused = [str(m) for errors in form.errors.values() for m in errors]
        messages.error(request, " ".join([gettext("Nothing was accepted."), *refused]))
    return _back_to_queue(request)


def _back_to_queue(request: Request) -> HttpResponse:
    """Back to the queue as it was filtered, on the same page (the form's address carries both)."""
    kept = ReviewQueueFilter(request.GET).chosen | ({"page": request.GET["page"]} if request.GET.get("page") else {})
    return redirect(f"{reverse('review-queue')}?{urlencode(kept)}" if kept else reverse("review-queue"))


# Every page links it, the sign-in page too, and colours are no secret. An hour's caching
# lets a changed colour reach browsers the day it is deployed.
@login_not_required
@require_safe
@cache_control(public=True, max_age=60 * 60)
def status_stylesheet_view(request: HttpRequest) -> HttpResponse:
    """``display.status_stylesheet()`` served to pages, which link it beside their own stylesheet."""
    return HttpResponse(display.status_stylesheet(), content_type="text/css; charset=utf-8")
