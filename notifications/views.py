"""The one page action of the mail app: send a cycle's reminders now, at the secretariat's request."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
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
            messages.success(request, f"{written} reminder{'s' if written != 1 else ''} sent for “{cycle.title}”.")
        else:
            messages.info(request, f"Every expected organization has reported in “{cycle.title}”: no reminder to send.")
    return back_to(request, cycle)
