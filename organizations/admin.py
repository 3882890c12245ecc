from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from organizations import services
from organizations.models import ApiToken, FocalPoint, Organization
from tracker.translation_admin import TranslationsAdmin


class FocalPointInline(admin.TabularInline):
    model = FocalPoint
    fields = ["name", "title", "email", "phone", "confirmed_on", "user", "is_active"]
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(TranslationsAdmin):
    list_display = ["acronym", "name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["acronym", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [FocalPointInline]
    # A website typed without its scheme ("www.icao.int") is https://, as Django 6 will assume.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(FocalPoint)
class FocalPointAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "email", "phone", "confirmed_on", "is_active"]
    list_filter = ["is_active", "organization__kind", "organization"]
    search_fields = ["name", "email", "organization__acronym", "organization__name"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only but for revoking (the action), which goes through the service."""

    list_display = ["prefix", "user", "name", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["prefix", "name", "user__username"]
    list_select_related = ["user"]
    fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.select_related("user"):
            services.api_token_revoke(token=token, actor=request.user)
        count = queryset.count()
        messages.success(
            request, ngettext("%(count)s token revoked.", "%(count)s tokens revoked.", count) % {"count": count}
        )
