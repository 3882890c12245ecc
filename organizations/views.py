from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from actions.models import Activity
from organizations.models import FocalPoint, Organization
from reports.permissions import may_import_for


def organization_list(request: HttpRequest) -> HttpResponse:
    organizations = Organization.objects.for_directory().annotate(
        focal_point_count=Count("focal_points", filter=Q(focal_points__is_active=True))
    )
    return render(request, "organizations/organization_list.html", {"organizations": organizations})


def organization_detail(request: HttpRequest, acronym: str) -> HttpResponse:
    organization = get_object_or_404(
        Organization.objects.select_related("parent").prefetch_related(
            "children",
            Prefetch(
                "focal_points",
                queryset=FocalPoint.objects.filter(is_active=True).order_by("name"),
                to_attr="active_focal_points",
            ),
        ),
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
    return render(
        request,
        "organizations/organization_detail.html",
        {"organization": organization, "by_plan": by_plan, "may_import": may_import_for(request.user, organization)},
    )
