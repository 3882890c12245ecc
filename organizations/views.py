import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from actions.models import Activity
from organizations.models import FocalPoint, MailPreference, Organization, Profile
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


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["mail"]
        widgets = {"mail": forms.RadioSelect}


def profile(request: HttpRequest) -> HttpResponse:
    """What the user wants by e-mail: reminders only, or reminders and digests."""
    from reports.jobs import wants_digests

    current = Profile.objects.filter(user=request.user).first() or Profile(
        user=request.user,
        mail=MailPreference.REMINDERS_AND_DIGESTS if wants_digests(request.user) else MailPreference.REMINDERS,
    )
    form = ProfileForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your e-mail choice is saved.")
        return redirect("profile")
    return render(request, "organizations/profile.html", {"form": form}, status=400 if form.errors else 200)


class FocalPointDetailsForm(forms.ModelForm):
    class Meta:
        model = FocalPoint
        fields = ["name", "title", "email", "phone"]


@login_not_required
def focal_point_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The yearly check of a focal point's contact details, from the link in the e-mail.

    The signed link stands in for signing in: it proves the reader has that mailbox.
    """
    from reports.jobs import CONFIRM_SALT

    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=datetime.timedelta(days=90))
    except signing.SignatureExpired:
        return render(request, "organizations/focal_point_confirm.html", {"expired": True}, status=410)
    except signing.BadSignature:
        raise Http404("This link is not valid.") from None
    focal_point = get_object_or_404(FocalPoint.objects.select_related("organization"), pk=data["focal_point"])
    form = FocalPointDetailsForm(request.POST or None, instance=focal_point)
    if request.method == "POST" and form.is_valid():
        focal_point = form.save(commit=False)
        focal_point.confirmed_on = timezone.localdate()
        focal_point.save()
        return render(request, "organizations/focal_point_confirm.html", {"focal_point": focal_point, "done": True})
    return render(
        request,
        "organizations/focal_point_confirm.html",
        {"focal_point": focal_point, "form": form},
        status=400 if form.errors else 200,
    )
