from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from actions import permissions
from actions.forms import PlanFilterForm, ReviewForm, StatusEntryForm
from actions.models import Activity, Plan, Responsibility, ReviewState, StatusEntry, Theme
from actions.services import status_entry_log, status_entry_review
from organizations.models import Organization


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    plans = list(Plan.objects.with_counts())
    distribution = Activity.objects.status_distribution(user, by="plan_id")
    for plan in plans:
        plan.distribution = distribution.get(plan.pk, {})
    context = {"plans": plans, "recent_entries": StatusEntry.objects.recent(user)[:10]}
    if permissions.may_review(user):
        queue = StatusEntry.objects.for_review_queue(user)
        context["review_count"] = queue.count()
        context["review_entries"] = queue[:5]
    organization = permissions.user_organization(user)
    if organization is not None and permissions.may_log_for(user, organization):
        to_report = (
            Activity.objects.open_to(organization)
            .with_organization_progress(organization, user)
            .select_related("plan")
            .order_by("plan_id", "number_major", "number_minor")
        )
        # Nothing logged yet, or the latest entry came back for a correction.
        context["to_report"] = [
            a for a in to_report if a.organization_status is None or a.organization_review_state == ReviewState.RETURNED
        ]
        context["organization"] = organization
    return render(request, "actions/home.html", context)


def plan_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    plan = get_object_or_404(Plan, code=code)
    objectives = list(plan.objectives.all())
    organizations = Organization.objects.filter(responsibilities__activity__plan=plan).distinct().order_by("acronym")
    themes = Theme.objects.filter(activities__plan=plan).distinct()
    form = PlanFilterForm(request.GET or None, objectives=objectives, organizations=organizations, themes=themes)
    activities = Activity.objects.for_plan_page(plan, user)
    if form.is_bound and form.is_valid():
        filters = form.cleaned_data
        if filters["objective"]:
            activities = activities.filter(objective__number=filters["objective"])
        if filters["organization"]:
            activities = activities.open_to(Organization.objects.get(acronym=filters["organization"]))
        if filters["status"] == "none":
            activities = activities.filter(status__isnull=True)
        elif filters["status"]:
            activities = activities.filter(status=filters["status"])
        if filters["theme"]:
            activities = activities.filter(themes__slug=filters["theme"])
        if filters["q"]:
            activities = activities.search(filters["q"])
    elif form.is_bound:
        activities = activities.none()

    by_objective: dict[int, list[Activity]] = {}
    for activity in activities:
        by_objective.setdefault(activity.objective_id, []).append(activity)
    distribution = Activity.objects.filter(plan=plan).status_distribution(user, by="objective_id")
    for objective in objectives:
        objective.listed = by_objective.get(objective.pk, [])
        objective.distribution = distribution.get(objective.pk, {})
    context = {
        "plan": plan,
        "objectives": objectives,
        "form": form,
        "shown": sum(len(o.listed) for o in objectives),
        "filtered": form.is_bound,
    }
    template = "actions/_plan_activities.html" if request.htmx else "actions/plan_detail.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = get_object_or_404(
        Activity.objects.select_related("plan", "objective").prefetch_related(
            Prefetch(
                "responsibilities",
                queryset=Responsibility.objects.select_related("organization").order_by(
                    "role", "organization__acronym"
                ),
            ),
            "open_kinds",
            "themes",
        ),
        pk=pk,
    )
    loggable = permissions.organizations_for_logging(user, activity)
    form = None
    status = 200
    if request.method == "POST":
        if not loggable or not _may_log_for_posted(user, request.POST.get("organization")):
            raise PermissionDenied("You may not log progress on this activity for that organization.")
        form = StatusEntryForm(request.POST, organizations=loggable, activity=activity, user=user)
        if form.is_valid():
            try:
                entry = status_entry_log(activity=activity, author=user, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
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

    timeline = list(StatusEntry.objects.for_timeline(activity, user))
    for entry in timeline:
        # Only corrections the user may read are spoken of, in either direction.
        entry.shown_successor = _visible_successor(entry, user)
        entry.shown_predecessor = entry.supersedes if permissions.entry_visible_to(user, entry.supersedes) else None
    context = {
        "activity": activity,
        "timeline": timeline,
        "organization_statuses": _latest_by_organization(activity, timeline),
        "overall": next(
            (e for e in timeline if e.review_state == ReviewState.ACCEPTED and not _replaced(e)),
            None,
        ),
        "form": form,
        "loggable_ids": {o.pk for o in loggable},
    }
    template = "actions/_activity_progress.html" if request.htmx else "actions/activity_detail.html"
    return render(request, template, context, status=status)


def _may_log_for_posted(user, posted: str | None) -> bool:
    """False when the posted organization is one ``user`` never logs for; a posted value
    that names no organization is the form's to report."""
    organization = Organization.objects.filter(pk=posted).first() if (posted or "").isdigit() else None
    return organization is None or permissions.may_log_for(user, organization)


def _visible_successor(entry: StatusEntry, user) -> StatusEntry | None:
    successor = getattr(entry, "superseded_by", None)
    return successor if permissions.entry_visible_to(user, successor) else None


def _replaced(entry: StatusEntry) -> bool:
    """Whether a correction the user may read, and that was accepted, replaces ``entry``."""
    successor = entry.shown_successor
    return successor is not None and successor.review_state == ReviewState.ACCEPTED


def _entry_to_correct(request, activity, loggable) -> StatusEntry | None:
    try:
        pk = int(request.GET.get("correct", ""))
    except ValueError:
        return None
    return (
        StatusEntry.objects.filter(activity=activity, organization__in=loggable, superseded_by__isnull=True)
        .visible_to(request.user)
        .filter(pk=pk)
        .first()
    )


def _latest_by_organization(activity: Activity, timeline: list[StatusEntry]) -> list[tuple]:
    """Each responsible organization with its latest visible entry, then others that reported."""
    latest: dict[int, StatusEntry] = {}
    for entry in timeline:
        if not _replaced(entry):
            latest.setdefault(entry.organization_id, entry)
    rows = [(r.organization, r.role, latest.pop(r.organization_id, None)) for r in activity.responsibilities.all()]
    rows += [(entry.organization, None, entry) for entry in latest.values()]
    return rows


def review_queue(request: HttpRequest) -> HttpResponse:
    if not permissions.may_review(request.user):
        raise PermissionDenied("Only CTED staff review entries.")
    entries = StatusEntry.objects.for_review_queue(request.user)
    return render(request, "actions/review_queue.html", {"entries": entries})


@require_POST
def review_entry(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not permissions.may_review(user):
        raise PermissionDenied("Only CTED staff review entries.")
    entry = get_object_or_404(StatusEntry.objects.visible_to(user).select_related("activity", "organization"), pk=pk)
    form = ReviewForm(request.POST)
    error = None
    if form.is_valid():
        try:
            status_entry_review(entry=entry, reviewer=user, **form.cleaned_data)
        except ValidationError as invalid:
            error = " ".join(m for messages_ in invalid.message_dict.values() for m in messages_)
    else:
        error = " ".join(m for messages_ in form.errors.values() for m in messages_)
    if request.htmx:
        entry.refresh_from_db()
        return render(request, "actions/_review_item.html", {"entry": entry, "error": error})
    if error:
        messages.error(request, f"Entry {entry.activity.number} ({entry.organization.acronym}): {error}")
    else:
        messages.success(request, f"Entry {entry.activity.number} ({entry.organization.acronym}) reviewed.")
    return redirect("review-queue")
