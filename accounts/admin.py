from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.exceptions import DomainError
from prakerja.templatetags.money import format_rupiah

from .models import Participant, Profile, User, Wave, WaveStatusChange, years_before
from .services import wave_close, wave_create, wave_open, wave_selection_start
from .tasks import wave_selection_run_task


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


class WaveStatusChangeInline(admin.TabularInline):
    model = WaveStatusChange
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "by", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "opens_at", "closes_at", "quota", "applicant_count", "selected_count",
                    "progress"]
    list_filter = ["status"]
    readonly_fields = ["status", "selection_seed", "drawn_count", "processed_count", "selected_count",
                       "selection_started_at", "selection_finished_at", "created_at", "applicant_count",
                       "budget_display"]
    inlines = [WaveStatusChangeInline]
    actions = ["open_waves", "close_waves", "run_selection", "resume_selection"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(applicants=Count("applications"))

    def get_readonly_fields(self, request, obj=None):
        if obj and obj.status != Wave.Status.DRAFT:
            return [*self.readonly_fields, "number", "opens_at", "closes_at", "quota"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
        else:
            created = wave_create(number=obj.number, opens_at=obj.opens_at, closes_at=obj.closes_at,
                                  quota=obj.quota, by=request.user)
            obj.pk = created.pk

    @admin.display(description=_("applicants"), ordering="applicants")
    def applicant_count(self, obj: Wave) -> int:
        return obj.applicants if hasattr(obj, "applicants") else obj.applications.count()

    @admin.display(description=_("budget"))
    def budget_display(self, obj: Wave) -> str:
        return format_rupiah(obj.budget) if obj.budget is not None else "—"

    @admin.display(description=_("selection progress"))
    def progress(self, obj: Wave) -> str:
        if obj.status not in (Wave.Status.SELECTING, Wave.Status.SELECTED):
            return "—"
        return f"{obj.selected_count:,} / {obj.quota:,} ({100 * obj.selected_count // obj.quota}%)".replace(",", ".")

    def _run(self, request, queryset, service, done_message):
        for wave in queryset:
            try:
                service(wave=wave, by=request.user)
            except DomainError as exc:
                self.message_user(request, f"{wave}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{wave}: {done_message}", messages.SUCCESS)

    @admin.action(description=_("Open registration (posts the wave's budget)"))
    def open_waves(self, request, queryset):
        self._run(request, queryset, wave_open, _("registration opened and budget posted."))

    @admin.action(description=_("Close registration"))
    def close_waves(self, request, queryset):
        self._run(request, queryset, wave_close, _("registration closed."))

    @admin.action(description=_("Run the selection lottery…"))
    def run_selection(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one wave to run its selection."), messages.ERROR)
            return None
        wave = queryset.get()
        if request.POST.get("confirm") == "yes":
            self._run(request, queryset, wave_selection_start,
                      _("lottery started; progress shows in this list."))
            return None
        context = {**self.admin_site.each_context(request), "title": _("Run the selection lottery"),
                   "wave": wave, "applicants": wave.applications.count(), "queryset": queryset,
                   "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME, "opts": self.model._meta,
                   "budget": format_rupiah(wave.budget), "can_run": wave.status == Wave.Status.CLOSED}
        return TemplateResponse(request, "admin/accounts/wave/run_selection.html", context)

    @admin.action(description=_("Resume an interrupted selection"))
    def resume_selection(self, request, queryset):
        for wave in queryset.filter(status=Wave.Status.SELECTING):
            wave_selection_run_task.delay(wave.pk)
            self.message_user(request, _("%(wave)s: selection resumed.") % {"wave": wave}, messages.SUCCESS)


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["card_number", "full_name", "masked_nik", "wave", "status", "selected_at"]
    list_filter = ["status", "wave", "profile__province"]
    search_fields = ["=card_number", "=profile__nik", "profile__full_name"]
    list_select_related = ["profile", "wave"]
    readonly_fields = ["profile", "wave", "application", "card_number", "status", "selected_at"]
    exclude = ["kk"]
    show_full_result_count = False

    @admin.display(description=_("full name"))
    def full_name(self, obj: Participant) -> str:
        return obj.profile.full_name

    @admin.display(description=_("NIK"))
    def masked_nik(self, obj: Participant) -> str:
        return obj.profile.masked_nik

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
