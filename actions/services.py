"""The operations that change status entries. Views, the API, commands and tasks call these."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext

from actions import generation, permissions, signals
from actions.models import (
    Activity,
    Confidentiality,
    NotApplicable,
    Participation,
    Plan,
    ReviewDecision,
    ReviewState,
    StatusEntry,
    StatusEntryReview,
)
from organizations.models import Organization


@transaction.atomic
def status_entry_log(
    *,
    activity: Activity,
    organization: Organization,
    author: User,
    status: str,
    observations: str,
    reported_on: datetime.date | None = None,
    confidentiality: str = Confidentiality.PARTICIPANTS,
    evidence: list[str] | None = None,
    supersedes: StatusEntry | None = None,
) -> StatusEntry:
    """Log one progress report; a correction names the entry it supersedes.

    A correction of an entry still awaiting review takes its place in the review queue: the
    corrected entry becomes ``superseded`` and is not reviewed any more.

    Raises PermissionDenied when ``author`` may not log for ``organization`` and
    ValidationError, with field errors, for bad input. Nothing is written then.
    """
    decision = permissions.may_log(author, organization=organization, activity=activity)
    decision.require_permission()

    errors: dict[str, list[str]] = dict(decision.field_errors)
    observations = (observations or "").strip()
    if not observations:
        errors["observations"] = [gettext("Say what was done: the programme and status of its progress.")]
    today = timezone.localdate()
    reported_on = reported_on or today
    if reported_on > today:
        errors["reported_on"] = [gettext("An entry reports on a day that has come: today or earlier.")]
    if supersedes is not None:
        # Lock the corrected entry so two corrections of it cannot both be written.
        supersedes = StatusEntry.objects.select_for_update().get(pk=supersedes.pk)
        if supersedes.activity_id != activity.pk or supersedes.organization_id != organization.pk:
            errors["supersedes"] = [
                gettext("A correction is for the same activity and organization as the entry it corrects.")
            ]
        elif StatusEntry.objects.filter(supersedes=supersedes).exists():
            errors["supersedes"] = [gettext("That entry has already been corrected; correct the latest one.")]

    entry = StatusEntry(
        activity=activity,
        organization=organization,
        author=author,
        status=status,
        observations=observations,
        reported_on=reported_on,
        confidentiality=confidentiality,
        evidence=evidence or [],
        supersedes=supersedes,
        # CTED staff's own entries need no review.
        review_state=ReviewState.SUBMITTED if permissions.needs_review(author) else ReviewState.ACCEPTED,
    )
    try:
        # The activity, organization and author are rows read already, and the corrected entry is
        # checked above (locked): asking the database again whether each exists, and whether the
        # checked choices are valid choices, was six more round trips per entry.
        entry.full_clean(
            exclude=["activity", "organization", "author", "supersedes", *(f for f in errors if f == "observations")],
            validate_constraints=False,
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    # A conditional update, as a review's: a corrected entry still awaiting review leaves the
    # review queue (unless a reviewer decided on it first); its correction is reviewed instead.
    # Before the correction is saved, so that what is kept on its saving (keep_activity_status)
    # reads the corrected entry's new state.
    if (
        supersedes is not None
        and supersedes.review_state == ReviewState.SUBMITTED
        and StatusEntry.objects.filter(pk=supersedes.pk, review_state=ReviewState.SUBMITTED).update(
            review_state=ReviewState.SUPERSEDED
        )
    ):
        supersedes.review_state = ReviewState.SUPERSEDED
    entry.save()
    signals.entry_logged.send(sender=StatusEntry, entry=entry)
    return entry


@transaction.atomic
def status_entry_review(*, entry: StatusEntry, reviewer: User, decision: str, comment: str = "") -> StatusEntryReview:
    """Accept a submitted entry, or return it with a comment that says why."""
    permissions.may_review(reviewer, entry).require()
    comment = (comment or "").strip()
    errors: dict[str, list[str]] = {}
    if decision not in ReviewDecision.values:
        errors["decision"] = [gettext("Decide “accept” or “return”.")]
    elif decision == ReviewDecision.RETURN and not comment:
        errors["comment"] = [gettext("Say why the entry is returned: the reporting organization reads this.")]
    if errors:
        raise ValidationError(errors)
    review = StatusEntryReview(entry=entry, reviewer=reviewer, decision=decision, comment=comment)
    review.full_clean()
    new_state = ReviewState.ACCEPTED if decision == ReviewDecision.ACCEPT else ReviewState.RETURNED
    # A conditional update: of two reviewers deciding at once, only the first one counts.
    changed = StatusEntry.objects.filter(pk=entry.pk, review_state=ReviewState.SUBMITTED).update(review_state=new_state)
    if not changed:
        # Reviewed, or corrected, since it was read: say which, as ``may_review`` does.
        entry.refresh_from_db(fields=["review_state"])
        permissions.may_review(reviewer, entry).require()
        raise ValidationError({"decision": [gettext("This entry has already been reviewed.")]})
    review.save()
    entry.review_state = new_state
    if new_state == ReviewState.RETURNED:
        signals.entry_returned.send(sender=StatusEntry, entry=entry, review=review)
    return review


@transaction.atomic
def status_entries_accept(*, entries: list[StatusEntry], reviewer: User) -> list[StatusEntryReview]:
    """Accept several submitted entries at once: all of them, or none. Each entry that cannot be
    accepted (reviewed or corrected meanwhile) is named in the refusal, on the field ``entries``."""
    refused = []
    for entry in entries:
        decision = permissions.may_review(reviewer, entry)
        decision.require_permission()
        if not decision:
            refused.append(
                gettext("%(number)s (%(acronym)s): %(reason)s")
                % {"number": entry.activity.number, "acronym": entry.organization.acronym, "reason": decision.reason}
            )
    if refused:
        raise ValidationError({"entries": refused})
    reviews = []
    for entry in entries:
        try:
            reviews.append(status_entry_review(entry=entry, reviewer=reviewer, decision=ReviewDecision.ACCEPT))
        except ValidationError as error:  # reviewed by someone else since it was read: undo them all
            reason = " ".join(error.messages)
            refusal = gettext("%(number)s (%(acronym)s): %(reason)s") % {
                "number": entry.activity.number,
                "acronym": entry.organization.acronym,
                "reason": reason,
            }
            raise ValidationError({"entries": [refusal]}) from error
    return reviews


@transaction.atomic
def not_applicable_declare(
    *, activity: Activity, organization: Organization, reason: str, author: User
) -> NotApplicable:
    """Declare, with the reason, that an activity open to the organization's kind does not apply to it.

    From then on the organization is not expected to report on it (counted as not applicable).
    """
    decision = permissions.may_declare_not_applicable(author, organization=organization, activity=activity)
    decision.require_permission()
    errors: dict[str, list[str]] = dict(decision.field_errors)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [gettext("Say why the activity does not apply: CTED and the secretariat read it.")]
    if NotApplicable.objects.in_force().filter(activity=activity, organization=organization).exists():
        errors.setdefault("organization", []).append(
            gettext("%(acronym)s has already declared activity %(number)s not applicable.")
            % {"acronym": organization.acronym, "number": activity.number}
        )
    declaration = NotApplicable(activity=activity, organization=organization, reason=reason, declared_by=author)
    try:
        declaration.full_clean(exclude=list(errors))
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    declaration.save()
    return declaration


@transaction.atomic
def not_applicable_withdraw(*, declaration: NotApplicable, actor: User) -> NotApplicable:
    """Withdraw a declaration: the organization is expected to report on the activity again.

    The declaration and its withdrawal both stay in the history.
    """
    permissions.may_withdraw_not_applicable(actor).require()
    # A conditional update: of two withdrawals at once, one counts.
    withdrawn_at = timezone.now()
    changed = NotApplicable.objects.filter(pk=declaration.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=withdrawn_at, withdrawn_by=actor
    )
    if not changed:
        raise ValidationError({"declaration": [gettext("This declaration was withdrawn already.")]})
    # An update sends no post_save: what is kept from the declarations (who is expected to report,
    # an open cycle's report) moves on here.
    generation.changed(sender=NotApplicable)
    declaration.withdrawn_at, declaration.withdrawn_by = withdrawn_at, actor
    return declaration


@transaction.atomic
def participant_add(*, plan: Plan, organization: Organization, joined_on: datetime.date, actor: User) -> Participation:
    """Record that ``organization`` takes part in ``plan`` from ``joined_on``: from then on it is
    expected to report on the plan's activities open to its kind."""
    permissions.may_manage_participants(actor, plan).require()
    # Lock the plan, so that two additions of the same organization cannot both be written.
    Plan.objects.select_for_update().only("pk").get(pk=plan.pk)
    errors: dict[str, list[str]] = {}
    if Participation.objects.filter(plan=plan, organization=organization).exists():
        errors["organization"] = [
            gettext("%(acronym)s is already a participant of this plan.") % {"acronym": organization.acronym}
        ]
    participation = Participation(plan=plan, organization=organization, joined_on=joined_on)
    try:
        participation.full_clean(exclude=list(errors))
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    participation.save()
    return participation


@transaction.atomic
def participant_leave(*, participation: Participation, left_on: datetime.date, actor: User) -> Participation:
    """Record that a participant left its plan on ``left_on`` (not before it joined): from the day
    after, it is no longer expected to report."""
    permissions.may_manage_participants(actor, participation.plan).require()
    # Lock it, so that two records of its leaving cannot both be written.
    stored = Participation.objects.select_for_update().get(pk=participation.pk)
    if stored.left_on is not None:
        left = formats.date_format(stored.left_on, "j F Y")
        already = gettext("%(acronym)s already left this plan on %(day)s.")
        raise ValidationError({"left_on": [already % {"acronym": participation.organization.acronym, "day": left}]})
    stored.left_on = left_on
    stored.full_clean()
    stored.save(update_fields=["left_on"])
    participation.joined_on, participation.left_on = stored.joined_on, stored.left_on
    return participation
