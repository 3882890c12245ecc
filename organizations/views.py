from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordResetForm
from django.core import signing
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from organizations import services
from organizations.confirmation import LinkUsed, focal_point_for_token
from organizations.models import ApiToken, FocalPoint, MailPreference, Organization, Profile, wants_digests
from tracker.client_ip import client_ip
from tracker.http import Request


def organization_list(request: Request) -> HttpResponse:
    organizations = Organization.objects.for_directory().annotate(
        focal_point_count=Count("focal_points", filter=Q(focal_points__is_active=True))
    )
    return render(request, "organizations/organization_list.html", {"organizations": organizations})


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["mail"]
        widgets = {"mail": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The two choices only: the model field has no default, so Django would offer an empty one too.
        cast(forms.ChoiceField, self.fields["mail"]).choices = MailPreference.choices


def profile(request: Request) -> HttpResponse:
    """What the user wants by e-mail: reminders only, or reminders and digests."""
    current = Profile.objects.filter(user=request.user).first() or Profile(
        user=request.user,
        mail=MailPreference.REMINDERS_AND_DIGESTS if wants_digests(request.user) else MailPreference.REMINDERS,
    )
    form = ProfileForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=request.user, mail=form.cleaned_data["mail"])
        messages.success(request, "Your e-mail choice is saved.")
        return redirect("profile")
    return render(request, "organizations/profile.html", {"form": form}, status=400 if form.errors else 200)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, required=False, help_text="What the token is for, e.g. the program that will use it."
    )


def api_tokens(request: Request) -> HttpResponse:
    """The user's API tokens, to revoke one or make one (whose key is shown this once)."""
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _, new_key = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        form = ApiTokenForm()
    tokens = ApiToken.objects.for_list().filter(user=request.user)
    return render(
        request,
        "organizations/api_tokens.html",
        {"form": form, "tokens": tokens, "new_key": new_key},
        status=400 if form.errors else 200,
    )


@require_POST
def api_token_revoke(request: Request, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, f"The token {token.prefix}… is revoked.")
    return redirect("api-tokens")


class FocalPointDetailsForm(forms.ModelForm):
    class Meta:
        model = FocalPoint
        fields = ["name", "title", "email", "phone"]


@login_not_required
def focal_point_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The yearly check of a focal point's contact details, from the link in the e-mail.

    The signed link stands in for signing in: it proves the reader has that mailbox.
    """
    try:
        focal_point = focal_point_for_token(token)
    except signing.SignatureExpired:
        return render(request, "organizations/focal_point_confirm.html", {"expired": True}, status=410)
    except LinkUsed:
        return render(request, "organizations/focal_point_confirm.html", {"used": True}, status=410)
    except signing.BadSignature:
        raise Http404("This link is not valid.") from None
    form = FocalPointDetailsForm(request.POST or None, instance=focal_point)
    if request.method == "POST" and form.is_valid():
        focal_point = services.focal_point_confirm(focal_point=focal_point, **form.cleaned_data)
        return render(request, "organizations/focal_point_confirm.html", {"focal_point": focal_point, "done": True})
    return render(
        request,
        "organizations/focal_point_confirm.html",
        {"focal_point": focal_point, "form": form},
        status=400 if form.errors else 200,
    )


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, limited: beyond PASSWORD_RESET_LIMIT_PER_HOUR an hour for one
    address asked for or from one client address, no e-mail goes, and the answer is the same
    (to the "check your e-mail" page), so it never tells whether the address has an account."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        if services.password_reset_request_record(email=form.cleaned_data["email"], ip_address=client_ip(self.request)):
            return super().form_valid(form)
        return redirect(self.get_success_url())
