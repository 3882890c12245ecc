from django.contrib import admin

from reports.models import ReportExport, StocktakingCycle


@admin.register(StocktakingCycle)
class StocktakingCycleAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "period_start", "period_end", "deadline", "state"]
    list_filter = ["state", "plan"]
    search_fields = ["title"]
    list_select_related = ["plan"]

    def has_delete_permission(self, request, obj=None):
        # A closed cycle is the record of what was reported and sent (PostgreSQL refuses it too).
        if obj is not None and obj.is_closed:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(ReportExport)
class ReportExportAdmin(admin.ModelAdmin):
    """The kept report files and the builds under way or failed (with why): read-only, deletable to rebuild."""

    list_display = ["cycle", "edition", "format", "language", "state", "progress", "requested_at", "finished_at"]
    list_filter = ["state", "format", "edition"]
    list_select_related = ["cycle__plan"]
    readonly_fields = [field.name for field in ReportExport._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
