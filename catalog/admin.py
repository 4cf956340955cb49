"""PMO screens for the marketplace. Order actions call the same services the platform API uses."""
from __future__ import annotations


from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.exceptions import DomainError
from prakerja.templatetags.money import format_rupiah

from .codes import code_display
from .models import Course, Enrollment, EnrollmentStatusChange, Institution, Listing, Partnership, Rating
from .services import enrollment_complete, enrollment_redeem, enrollment_refund
from .services.curation import course_curate, institution_curate, partnership_decide


class CurationForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
                             help_text=_("The proposing platform reads this back. Required to reject."))

    def __init__(self, *args, reject: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reject


class CurationActions:
    """Approve or reject what platforms propose, each through a confirmation page with a reason."""

    curation_service = None
    curation_kwarg = ""
    curation_waiting = ""

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("platforms.curate_catalog"):
            actions.pop("curation_approve", None)
            actions.pop("curation_reject", None)
        return actions

    def _curate(self, request, queryset, *, approve: bool, action: str):
        if not request.user.has_perm("platforms.curate_catalog"):
            self.message_user(request, _("Your PMO role does not allow this decision."), messages.ERROR)
            return None
        form = CurationForm(request.POST if "confirm" in request.POST else None, reject=not approve)
        if form.is_valid():
            done = 0
            for obj in queryset:
                try:
                    type(self).curation_service(**{self.curation_kwarg: obj}, approve=approve,
                                                reason=form.cleaned_data["reason"], by=request.user)
                except DomainError as exc:
                    self.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
                else:
                    done += 1
            if done:
                self.message_user(request, (_("%(count)d approved.") if approve else _("%(count)d rejected."))
                                  % {"count": done}, messages.SUCCESS)
            return None
        waiting = queryset.filter(status=self.curation_waiting)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "queryset": queryset, "waiting": waiting, "approve": approve, "action": action,
                   "skipped": queryset.exclude(status=self.curation_waiting),
                   "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                   "title": (_("Approve: %(what)s") if approve else _("Reject: %(what)s"))
                   % {"what": self.model._meta.verbose_name_plural}}
        return TemplateResponse(request, "admin/catalog/curation_confirm.html", context)

    @admin.action(description=_("Approve (curation)…"))
    def curation_approve(self, request, queryset):
        return self._curate(request, queryset, approve=True, action="curation_approve")

    @admin.action(description=_("Reject with a reason (curation)…"))
    def curation_reject(self, request, queryset):
        return self._curate(request, queryset, approve=False, action="curation_reject")


@admin.register(Institution)
class InstitutionAdmin(CurationActions, admin.ModelAdmin):
    list_display = ["name", "legal_entity_number", "province", "accreditation", "status", "proposed_by",
                    "curation_reason"]
    list_filter = ["status", "accreditation", "province", "proposed_by"]
    search_fields = ["name", "=legal_entity_number"]
    readonly_fields = ["created_at", "status", "curation_reason", "proposed_by"]
    actions = ["curation_approve", "curation_reject"]
    curation_service = institution_curate
    curation_kwarg = "institution"
    curation_waiting = Institution.Status.UNDER_CURATION


class ListingInline(admin.TabularInline):
    model = Listing
    extra = 0
    fields = ["platform", "price", "is_active", "sales_count"]
    readonly_fields = ["sales_count"]


@admin.register(Course)
class CourseAdmin(CurationActions, admin.ModelAdmin):
    list_display = ["title", "institution", "category", "mode", "status", "proposed_by", "sales_count",
                    "rating_display"]
    list_filter = ["status", "category", "mode", "level", "language", "proposed_by"]
    actions = ["curation_approve", "curation_reject"]
    curation_service = course_curate
    curation_kwarg = "course"
    curation_waiting = Course.Status.UNDER_CURATION
    search_fields = ["title", "institution__name"]
    list_select_related = ["institution"]
    autocomplete_fields = ["institution"]
    readonly_fields = ["status", "curation_reason", "published_at", "created_at", "sales_count", "rating_count",
                       "rating_sum", "proposed_by"]
    inlines = [ListingInline]
    show_full_result_count = False

    @admin.display(description=_("rating"))
    def rating_display(self, obj: Course) -> str:
        return f"{obj.rating_average} ({obj.rating_count})" if obj.rating_count else "—"


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ["course", "platform", "price_display", "is_active", "sales_count", "updated_at"]
    list_filter = ["is_active", "platform", "course__category"]
    search_fields = ["course__title", "course__institution__name", "external_ref"]
    list_select_related = ["course", "platform"]
    autocomplete_fields = ["course"]
    readonly_fields = ["sales_count", "created_at", "updated_at"]
    show_full_result_count = False

    @admin.display(description=_("price"), ordering="price")
    def price_display(self, obj: Listing) -> str:
        return format_rupiah(obj.price)


@admin.register(Partnership)
class PartnershipAdmin(CurationActions, admin.ModelAdmin):
    list_display = ["platform", "institution", "status", "curation_reason", "created_at"]
    list_filter = ["status", "platform"]
    readonly_fields = ["status", "curation_reason", "created_at"]
    actions = ["curation_approve", "curation_reject"]
    curation_service = partnership_decide
    curation_kwarg = "partnership"
    curation_waiting = Partnership.Status.PROPOSED
    search_fields = ["institution__name", "platform__name"]
    list_select_related = ["platform", "institution"]
    autocomplete_fields = ["institution"]


class EnrollmentStatusChangeInline(admin.TabularInline):
    model = EnrollmentStatusChange
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "by_user", "by_platform", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CompletionForm(forms.Form):
    certificate_number = forms.CharField(label=_("Certificate number"), max_length=64)
    completed_on = forms.DateField(label=_("Completion date"), initial=timezone.localdate,
                                   widget=forms.DateInput(attrs={"type": "date"}))


class RefundForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    """Orders. Until platforms report through the API, PMO staff set redemption and completion here,
    through the same service functions."""

    list_display = ["code", "course", "platform", "price_display", "status", "created_at", "participant"]
    list_filter = ["status", "platform", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["=redemption_code", "=participant__card_number", "course__title"]
    list_select_related = ["course", "platform", "participant"]
    date_hierarchy = "created_at"
    readonly_fields = ["participant", "listing", "course", "platform", "price", "code", "purchase_token", "status",
                       "certificate_number", "completed_on", "created_at", "redeemed_at", "completed_at",
                       "refunded_at"]
    exclude = ["redemption_code"]
    inlines = [EnrollmentStatusChangeInline]
    actions = ["mark_redeemed", "mark_completed", "refund"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("redemption code"), ordering="redemption_code")
    def code(self, obj: Enrollment) -> str:
        return code_display(obj.redemption_code)

    @admin.display(description=_("price"), ordering="price")
    def price_display(self, obj: Enrollment) -> str:
        return format_rupiah(obj.price)

    def _apply(self, request, queryset, service, **kwargs) -> None:
        done = 0
        for enrollment in queryset:
            try:
                service(enrollment=enrollment, by_user=request.user, **kwargs)
            except DomainError as exc:
                self.message_user(request, f"{code_display(enrollment.redemption_code)}: {exc.message}",
                                  messages.ERROR)
            except ValidationError as exc:
                self.message_user(request, f"{code_display(enrollment.redemption_code)}: {'; '.join(exc.messages)}",
                                  messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, _("%(count)d order(s) updated.") % {"count": done}, messages.SUCCESS)

    def _form_page(self, request, queryset, *, form, action: str, title, intro):
        context = {**self.admin_site.each_context(request), "title": title, "intro": intro, "form": form,
                   "queryset": queryset, "action": action, "opts": self.model._meta,
                   "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
        return TemplateResponse(request, "admin/catalog/enrollment/action_form.html", context)

    @admin.action(description=_("Mark as redeemed (training started)"))
    def mark_redeemed(self, request, queryset):
        self._apply(request, queryset, enrollment_redeem)

    @admin.action(description=_("Mark as completed (with certificate)…"))
    def mark_completed(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one order to complete: each has its own certificate."),
                              messages.ERROR)
            return None
        form = CompletionForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            self._apply(request, queryset, enrollment_complete, **form.cleaned_data)
            return None
        return self._form_page(request, queryset, form=form, action="mark_completed",
                               title=_("Complete the training"),
                               intro=_("Record the certificate the participant received."))

    @admin.action(description=_("Refund (only before redemption)…"))
    def refund(self, request, queryset):
        form = RefundForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            self._apply(request, queryset, enrollment_refund, reason=form.cleaned_data["reason"])
            return None
        total = sum(e.price for e in queryset)
        return self._form_page(request, queryset, form=form, action="refund", title=_("Refund orders"),
                               intro=_("The price of each order goes back to the participant's training balance "
                                       "(%(total)s in total). Orders already redeemed cannot be refunded.")
                               % {"total": format_rupiah(total)})


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["course", "stars", "created_at"]
    list_filter = ["stars"]
    search_fields = ["course__title", "review"]
    list_select_related = ["course"]
    readonly_fields = ["enrollment", "course", "participant", "stars", "review", "created_at"]

    def has_add_permission(self, request):
        return False


