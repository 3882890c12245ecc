from django.contrib import admin

from organizations.models import FocalPoint, Organization


class FocalPointInline(admin.TabularInline):
    model = FocalPoint
    fields = ["name", "title", "email", "phone", "confirmed_on", "user", "is_active"]
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["acronym", "name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["acronym", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [FocalPointInline]


@admin.register(FocalPoint)
class FocalPointAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "email", "phone", "confirmed_on", "is_active"]
    list_filter = ["is_active", "organization__kind", "organization"]
    search_fields = ["name", "email", "organization__acronym", "organization__name"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["user"]
