"""The one page action of the mail app: send a cycle's reminders now, at the secretariat's request."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from notifications.jobs import send_reminders_now
from reports.models import StocktakingCycle
from tracker.http import Request, back_to


@require_POST
def cycle_remind(request: Request, pk: int) -> HttpResponse:
    """Send the reminders of an open cycle now (once a day), then back to the page the button was on."""
    cycle = get_object_or_404(StocktakingCycle.objects.select_related("plan"), pk=pk)
    try:
        written = send_reminders_now(cycle=cycle, actor=request.user, today=timezone.localdate())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if written:
            messages.success(
                request,
                ngettext(
                    "%(count)s reminder sent for “%(title)s”.", "%(count)s reminders sent for “%(title)s”.", written
                )
                % {"count": written, "title": cycle.title},
            )
        else:
            messages.info(
                request,
                gettext("Every expected organization has reported in “%(title)s”: no reminder to send.")
                % {"title": cycle.title},
            )
    return back_to(request, cycle)
