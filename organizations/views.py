from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.text import capfirst
from django.utils.translation import get_language_info, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import LANGUAGE_QUERY_PARAMETER, set_language

from organizations import languages, services
from organizations.confirmation import LinkUsed, focal_point_for_token
from organizations.invitations import INVITATION_VALID_DAYS, InvitationUsed, user_for_invitation
from organizations.models import ApiToken, FocalPoint, MailPreference, Organization, Profile
from organizations.permissions import require_account_manager
from organizations.roles import Role, remember_role_group, role_group
from tracker.client_ip import client_ip
from tracker.forms import QuickSelect, add_service_errors
from tracker.http import Request, back_to
from tracker.languages import active_language


def organization_list(request: Request) -> HttpResponse:
    organizations = Organization.objects.for_directory().annotate(
        focal_point_count=Count("focal_points", filter=Q(focal_points__is_active=True))
    )
    return render(request, "organizations/organization_list.html", {"organizations": organizations})


class LanguageSelect(forms.Select):
    """The languages, each named in itself and marked as written in it (``lang``), as in the header."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = value
        return option


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["mail", "language"]
        widgets = {"mail": forms.RadioSelect, "language": LanguageSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The two choices only: the model field has no default, so Django would offer an empty one too.
        cast(forms.ChoiceField, self.fields["mail"]).choices = MailPreference.choices
        # Each language named in itself, as in the header's switch.
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            ("", _("None: the pages follow my browser, e-mails are in English")),
            *languages_named_in_themselves(),
        ]


def languages_named_in_themselves() -> list[tuple[str, str]]:
    """The six languages, each named in itself, as the header's switch names them."""
    return [(code, capfirst(get_language_info(code)["name_local"])) for code, _name in settings.LANGUAGES]


@login_not_required
@require_POST
def language_set(request: Request) -> HttpResponse:
    """The header's language switch (Django's ``set_language``, at its address): the cookie for anyone,
    and for a signed-in person their profile and session too, so that their e-mails and their next
    sign-in elsewhere follow it. A language the site does not have changes nothing."""
    chosen = languages.supported(request.POST.get(LANGUAGE_QUERY_PARAMETER))
    if chosen is not None and request.user.is_authenticated:
        services.language_choose(user=request.user, language=chosen)
        languages.remember(request, chosen)
    return set_language(request)


def profile(request: Request) -> HttpResponse:
    """What the user wants by e-mail (reminders only, or reminders and digests) and, for a focal point,
    their contact details in the directory. Each form is sent on its own (``form`` names which)."""
    user = request.user
    current = services.profile_of(user)
    focal_point = FocalPoint.objects.filter(user=user, is_active=True).select_related("organization").first()
    # Which form was sent: named by the page's hidden field; a request that names none sends the e-mail choice.
    sent = (request.POST.get("form") or "mail") if request.method == "POST" else None
    form = ProfileForm(request.POST if sent == "mail" else None, instance=current)
    details = FocalPointDetailsForm(request.POST if sent == "details" else None, instance=focal_point)
    if sent == "mail" and form.is_valid():
        services.profile_update(user=user, **form.cleaned_data)
        languages.remember(request, form.cleaned_data["language"])
        messages.success(request, _("Your choices are saved."))
        return redirect("profile")
    if sent == "details" and focal_point is not None and details.is_valid():
        try:
            # Dated as the yearly confirmation is. The directory's address is where reminders go; the
            # account's own (sign-in, reset) is CTED's to change, so that a session left open cannot take it.
            services.focal_point_confirm(focal_point=focal_point, **details.cleaned_data)
        except ValidationError as error:
            add_service_errors(details, error)
        else:
            messages.success(
                request,
                gettext("Your details as focal point of %(acronym)s are saved.")
                % {"acronym": focal_point.organization.acronym},
            )
            return redirect("profile")
    context = {"form": form, "details": details if focal_point else None, "focal_point": focal_point}
    return render(request, "organizations/profile.html", context, status=400 if form.errors or details.errors else 200)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        required=False,
        label=_("Name"),
        help_text=_("What the token is for, e.g. the program that will use it."),
    )


def api_tokens(request: Request) -> HttpResponse:
    """The user's API tokens, to revoke one or make one (whose key is shown this once)."""
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
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
    messages.success(request, gettext("The token %(prefix)s… is revoked.") % {"prefix": token.prefix})
    return redirect("api-tokens")


class FocalPointDetailsForm(forms.ModelForm):
    class Meta:
        model = FocalPoint
        fields = ["name", "title", "email", "phone"]
        labels = {"name": _("Name"), "title": _("Job title"), "email": _("E-mail address"), "phone": _("Phone")}


# --- People: invitations and closing accounts (CTED staff) ---

PEOPLE_PAGE_SIZE = 50


class InvitationForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("Name"))
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The invitation goes there; it is also the username they sign in with."),
    )
    role = forms.ChoiceField(choices=Role.choices, widget=forms.RadioSelect, label=_("Role"))
    organization: "forms.ModelChoiceField[Organization]" = forms.ModelChoiceField(
        queryset=Organization.objects.order_by("acronym"),
        required=False,
        empty_label=_("Choose the organization"),
        label=_("Organization"),
        help_text=_("For a focal point: the organization they report for."),
        to_field_name="acronym",
        widget=QuickSelect,
    )
    language = forms.ChoiceField(
        choices=languages_named_in_themselves,
        widget=LanguageSelect,
        required=False,  # the inviter's, unless they choose
        label=_("Language"),
        help_text=_("Of the invitation, and of their pages and e-mails until they choose another."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = active_language()

    def clean_language(self) -> str:
        return self.cleaned_data["language"] or active_language()


class PeopleSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label=_("Name, username or e-mail"))


def people(request: Request) -> HttpResponse:
    """Every account, a page at a time: its role, organization, whether it is active or still invited."""
    require_account_manager(request.user)
    search = PeopleSearchForm(request.GET)
    accounts = (
        get_user_model()
        .objects.annotate(role_group=role_group("id"))
        .select_related("focal_point__organization")
        .order_by("username")
    )
    if search.is_valid() and (words := search.cleaned_data["q"].strip()):
        accounts = accounts.filter(
            Q(username__icontains=words)
            | Q(email__icontains=words)
            | Q(first_name__icontains=words)
            | Q(last_name__icontains=words)
        )
    page = Paginator(accounts, PEOPLE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(account, remember_role_group(account, account.role_group)) for account in page.object_list]
    context = {"page": page, "rows": rows, "search": search}
    return render(request, "organizations/people.html", context, status=200 if search.is_valid() else 400)


def person_invite(request: Request) -> HttpResponse:
    require_account_manager(request.user)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invited = services.user_invite(**form.cleaned_data, invited_by=request.user)
        except ValidationError as error:
            # Their username is their address: what is wrong with one is wrong with the other.
            if hasattr(error, "error_dict") and "username" in error.error_dict:
                error.error_dict.setdefault("email", []).extend(error.error_dict.pop("username"))
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("Invitation sent to %(email)s.") % {"email": invited.email})
            return redirect("people")
    context = {"form": form, "valid_days": INVITATION_VALID_DAYS}
    return render(request, "organizations/person_invite.html", context, status=400 if form.errors else 200)


@require_POST
def person_change(request: Request, pk: int, action: str) -> HttpResponse:
    """Deactivate or reactivate an account, or invite again someone who has not set a password."""
    require_account_manager(request.user)
    account = get_object_or_404(get_user_model(), pk=pk)
    change = {
        "deactivate": (services.user_deactivate, gettext("%(username)s's account is deactivated.")),
        "reactivate": (services.user_reactivate, gettext("%(username)s's account is active again.")),
        "invite": (
            services.invitation_resend,
            gettext("A new invitation was sent to %(email)s; the earlier link no longer works."),
        ),
    }
    service, done = change[action]
    try:
        service(user=account, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done % {"username": account.username, "email": account.email})
    return back_to(request, "people")


@login_not_required
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation links to: the person sets their password, and is signed in."""
    try:
        account = user_for_invitation(token)
    except signing.SignatureExpired:
        expired = {"expired": True, "valid_days": INVITATION_VALID_DAYS}
        return render(request, "organizations/invitation_accept.html", expired, status=410)
    except InvitationUsed:
        return render(request, "organizations/invitation_accept.html", {"used": True}, status=410)
    except signing.BadSignature:
        raise Http404("This invitation link is not valid.") from None
    form = SetPasswordForm(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        login(request, account, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            gettext("Welcome, %(name)s: your password is set.") % {"name": account.get_full_name() or account.username},
        )
        return redirect("home")
    context = {"account": account, "form": form}
    return render(request, "organizations/invitation_accept.html", context, status=400 if form.errors else 200)


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


class RecipientLanguagePasswordResetForm(PasswordResetForm):
    """Django's, with the e-mail written in the language of the account's person (their choice, else
    English), as every e-mail is: not in the language of the page it was asked from."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        with translation.override(languages.language_of(context["user"])):
            super().send_mail(
                subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name
            )


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, limited: beyond PASSWORD_RESET_LIMIT_PER_HOUR an hour for one
    address asked for or from one client address, no e-mail goes, and the answer is the same
    (to the "check your e-mail" page), so it never tells whether the address has an account."""

    form_class = RecipientLanguagePasswordResetForm

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        if services.password_reset_request_record(email=form.cleaned_data["email"], ip_address=client_ip(self.request)):
            return super().form_valid(form)
        return redirect(self.get_success_url())
