"""The Django admin: superusers only (the Wagtail admin is the staff back office)."""

from django.contrib import admin

from branchwork.core.models import AuditEntry, Membership, Organization, Person, Unit


def _superusers_only(request) -> bool:
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _superusers_only


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "kind", "unit", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name_zh", "name_en")
    readonly_fields = ("path", "depth", "numchild")

    def has_add_permission(self, request):
        # A new organization needs its place in the tree: create it with the API or the services.
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "membership_status", "unit", "email")
    list_filter = ("membership_status", "unit")
    search_fields = ("name", "name_en", "name_native", "email")
    inlines = [MembershipInline]
    raw_id_fields = ("user",)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by the system and never edited."""

    list_display = ("at", "actor_name", "action", "content_type", "object_repr", "organization")
    list_filter = ("action", "content_type")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
