from django.contrib import admin

from reports.models import StocktakingCycle


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
