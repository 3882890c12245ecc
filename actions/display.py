"""How statuses are named and coloured, wherever they are shown: pages, charts, exports."""

from actions.models import Status

NO_UPDATE = "No accepted entry"
STATUS_ORDER = [*Status.values, None]
# The same colours as the stylesheet's variables; "none" is an activity with no accepted entry.
STATUS_COLOURS = {
    Status.NOT_STARTED: "9AA5B1",
    Status.PLANNED: "8AB4E8",
    Status.IN_PROGRESS: "2F74C0",
    Status.ONGOING: "1D9A8A",
    Status.COMPLETED: "2E8540",
    Status.DELAYED: "E08A00",
    Status.DISCONTINUED: "6B4E71",
    None: "E3E7EB",
}
LIGHT_TEXT = {Status.NOT_STARTED, Status.IN_PROGRESS, Status.ONGOING, Status.COMPLETED, Status.DISCONTINUED}


def status_label(status: str | None) -> str:
    return Status(status).label if status else NO_UPDATE
