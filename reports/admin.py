from django.contrib import admin

from reports.models import StocktakingCycle


@admin.register(StocktakingCycle)
class StocktakingCycleAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "period_start", "period_end", "deadline", "state"]
    list_filter = ["state", "plan"]
    search_fields = ["title"]
    list_select_related = ["plan"]
