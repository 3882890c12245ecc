from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from actions import display, permissions
from actions.filters import PlanActivityFilter
from actions.forms import ReviewForm, StatusEntryForm
from actions.models import Activity, Plan, ReviewState, StatusEntry
from actions.permissions import Who
from actions.services import status_entry_log, status_entry_review
from organizations.models import Organization
from tracker.forms import add_service_errors
from tracker.http import Request


def home(request: Request) -> HttpResponse:
    user = request.user
    distribution = Activity.objects.status_distribution(user, by="plan_id")
    context: dict[str, Any] = {
        "plans": [(plan, distribution.get(plan.pk, {})) for plan in Plan.objects.with_counts()],
        "recent_entries": StatusEntry.objects.recent(user)[:10],
    }
    if permissions.may_review(user):
        queue = StatusEntry.objects.for_review_queue(user)
        context["review_count"] = queue.count()
        context["review_entries"] = queue[:5]
    organization = permissions.actor_of(user).organization
    if organization is not None and permissions.may_log(user, organization=organization):
        to_report = (
            Activity.objects.open_to(organization)
            .with_organization_progress(organization, user)
            .select_related("plan")
            .order_by("plan_id", "number_major", "number_minor")
        )
        # Nothing logged yet, or the latest entry came back for a correction.
        context["to_report"] = [
            a
            for a in to_report
            if a.organization_status is None  # type: ignore[attr-defined]  # annotated above
            or a.organization_review_state == ReviewState.RETURNED  # type: ignore[attr-defined]
        ]
        context["organization"] = organization
    return render(request, "actions/home.html", context)


def plan_detail(request: Request, code: str) -> HttpResponse:
    user = request.user
    plan = get_object_or_404(Plan, code=code)
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
    for activity in activities:
        by_objective.setdefault(activity.objective_id, []).append(activity)
    distribution = Activity.objects.filter(plan=plan).status_distribution(user, by="objective_id")
    context = {
        "plan": plan,
        # Each objective with the activities listed under it and its status distribution.
        "objectives": [(o, by_objective.get(o.pk, []), distribution.get(o.pk, {})) for o in objectives],
        "filterset": filterset,
        "shown": sum(len(listed) for listed in by_objective.values()),
        "filtered": filterset.is_bound,
    }
    template = "actions/_plan_activities.html" if request.htmx else "actions/plan_detail.html"
    return render(request, template, context)


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
                    messages.success(request, "Progress logged.")
                else:
                    messages.success(request, "Progress logged; CTED will review it.")
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

    # Each entry with the correction that replaced it and the entry it corrects: only those
    # the user may read are spoken of, in either direction.
    timeline = [
        (
            entry,
            successor if permissions.may_read(user, successor := getattr(entry, "superseded_by", None)) else None,
            entry.supersedes if permissions.may_read(user, entry.supersedes) else None,
        )
        for entry in StatusEntry.objects.for_timeline(activity, user)
    ]
    context = {
        "activity": activity,
        "timeline": timeline,
        "organization_statuses": _latest_by_organization(activity, user),
        "form": form,
        "correcting": correcting,
        "loggable_ids": {o.pk for o in loggable},
    }
    template = "actions/_activity_progress.html" if request.htmx else "actions/activity_detail.html"
    return render(request, template, context, status=status)


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
    latest = {
        entry.organization_id: entry
        for entry in StatusEntry.objects.filter(activity=activity)
        .standing(user)
        .latest_per_activity_and_organization()
        .select_related("organization")
    }
    rows: list[tuple[Organization, str | None, StatusEntry | None]] = [
        (r.organization, r.role, latest.pop(r.organization_id, None)) for r in activity.responsibilities.all()
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
        .annotate(named=Count("responsibilities", filter=Q(responsibilities__organization=organization)))
        .order_by("plan_id", "number_major", "number_minor")
    )
    by_plan: dict = {}
    for activity in activities:
        by_plan.setdefault(activity.plan, []).append(activity)
    context = {
        "organization": organization,
        "by_plan": by_plan,
        "may_import": permissions.may_log(request.user, organization=organization),
    }
    return render(request, "organizations/organization_detail.html", context)


def review_queue(request: Request) -> HttpResponse:
    permissions.may_review(request.user).require()
    entries = StatusEntry.objects.for_review_queue(request.user)
    return render(request, "actions/review_queue.html", {"entries": entries})


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
        return render(request, "actions/_review_item.html", {"entry": entry, "error": error})
    if error:
        messages.error(request, f"Entry {entry.activity.number} ({entry.organization.acronym}): {error}")
    else:
        messages.success(request, f"Entry {entry.activity.number} ({entry.organization.acronym}) reviewed.")
    return redirect("review-queue")


# Every page links it, the sign-in page too, and colours are no secret. An hour's caching
# lets a changed colour reach browsers the day it is deployed.
@login_not_required
@require_safe
@cache_control(public=True, max_age=60 * 60)
def status_stylesheet_view(request: HttpRequest) -> HttpResponse:
    """``display.status_stylesheet()`` served to pages, which link it beside their own stylesheet."""
    return HttpResponse(display.status_stylesheet(), content_type="text/css; charset=utf-8")
