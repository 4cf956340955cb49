from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Profile, User, years_before


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    extra = 0
    fields = ["masked_nik", "masked_kk", "full_name", "birth_date", "sex", "phone", "province", "education",
              "employment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "profile__full_name", "=profile__nik"]
    list_select_related = ["profile"]
    inlines = [ProfileInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    @admin.display(description=_("full name"), ordering="profile__full_name")
    def full_name(self, obj: User) -> str:
        profile = getattr(obj, "profile", None)
        return profile.full_name if profile else "—"


class AgeBandFilter(admin.SimpleListFilter):
    title = _("age band")
    parameter_name = "age"

    def lookups(self, request, model_admin):
        return [("18-24", "18–24"), ("25-34", "25–34"), ("35-44", "35–44"), ("45-54", "45–54"), ("55+", "55+")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        today = timezone.localdate()
        low, _sep, high = self.value().partition("-")
        low = int(low.rstrip("+"))
        qs = queryset.filter(birth_date__lte=years_before(today, low))
        if high:
            qs = qs.filter(birth_date__gt=years_before(today, int(high) + 1))
        return qs


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["full_name", "masked_nik", "masked_kk", "sex", "province_name", "birth_date", "employment",
                    "user_email", "created_at"]
    list_filter = ["province", "sex", "employment", "education", AgeBandFilter]
    # NIK and KK are searched exactly (=): a partial-number search would let staff fish for identities.
    search_fields = ["=nik", "=kk", "full_name", "user__email"]
    list_select_related = ["user"]
    readonly_fields = ["user", "masked_nik", "masked_kk", "created_at", "updated_at"]
    exclude = ["nik", "kk"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description=_("NIK"))
    def masked_nik(self, obj: Profile) -> str:
        return obj.masked_nik

    @admin.display(description=_("KK"))
    def masked_kk(self, obj: Profile) -> str:
        return obj.masked_kk

    @admin.display(description=_("province"), ordering="province")
    def province_name(self, obj: Profile) -> str:
        return obj.province_name

    @admin.display(description=_("email"), ordering="user__email")
    def user_email(self, obj: Profile) -> str:
        return obj.user.email

    def has_add_permission(self, request):
        return False
