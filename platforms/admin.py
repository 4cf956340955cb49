"""PMO screens for platform partnerships: applications, evaluation with sign-off, MoU, integration,
sanctions, quarterly reviews, the audit trail.

Nothing here changes a status directly: each decision has its own confirmation page, which checks the
user's PMO role, calls one service, and shows the service's refusal as a message."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from prakerja.exceptions import DomainError
from prakerja.templatetags.money import format_rupiah

from . import services
from .models import (Criterion, CriterionScore, Evaluation, Platform, PlatformDocument, PlatformStatusChange,
                     QuarterlyReview)
from .selectors import platform_review_figures, platforms_review_due, quarter_of, quarter_previous

S = Platform.Status
EVALUATE, APPROVE = services.EVALUATE, services.APPROVE


# --- forms of the decision pages ------------------------------------------------------------

class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
                             help_text=_("Kept in the platform's audit trail."))
    evidence = forms.CharField(label=_("Evidence"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
                               help_text=_("Documents, letters or figures this decision rests on."))


class OptionalReasonForm(DecisionForm):
    reason = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
                             help_text=_("Optional; kept in the platform's audit trail."))


class NoteForm(forms.Form):
    reason = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
                             help_text=_("Optional; kept in the platform's audit trail."))


class MouForm(OptionalReasonForm):
    mou_number = forms.CharField(label=_("MoU number"), max_length=60)
    signed_on = forms.DateField(label=_("Signing date"), widget=forms.DateInput(attrs={"type": "date"}))
    term_end = forms.DateField(label=_("Term end"), widget=forms.DateInput(attrs={"type": "date"}))

    field_order = ["mou_number", "signed_on", "term_end", "reason", "evidence"]

    def clean(self):
        data = super().clean()
        if data.get("signed_on") and data.get("term_end") and data["term_end"] <= data["signed_on"]:
            self.add_error("term_end", _("The term must end after the signing date."))
        return data


class Decision:
    def __init__(self, label, service, perm, form=DecisionForm, target=None, effect="", mou=False):
        self.label, self.service, self.perm, self.form = label, service, perm, form
        self.target, self.effect, self.mou = target, effect, mou


DECISIONS: dict[str, Decision] = {
    "start_evaluation": Decision(_("Start evaluation"), services.platform_evaluation_start, EVALUATE,
                                 NoteForm, S.UNDER_EVALUATION,
                                 _("The application is taken up; an evaluator scores each criterion next.")),
    "sign_mou": Decision(_("Record signed MoU"), services.platform_mou_sign, APPROVE, MouForm, S.MOU_SIGNED,
                         _("The memorandum of understanding is recorded with its term."), mou=True),
    "start_integration": Decision(_("Start integration"), services.platform_integration_start, APPROVE,
                                  OptionalReasonForm, S.INTEGRATING,
                                  _("The platform integrates with the program's API in the sandbox.")),
    "activate": Decision(_("Activate"), services.platform_activate, APPROVE, OptionalReasonForm, S.ACTIVE,
                         _("The platform goes live: its listings show in the catalogue and it takes orders.")),
    "warn": Decision(_("Warn"), services.platform_warn, APPROVE, DecisionForm, S.WARNED,
                     _("A written warning. The platform goes on selling.")),
    "suspend": Decision(_("Suspend"), services.platform_suspend, APPROVE, DecisionForm, S.SUSPENDED,
                        _("At once: its listings leave the catalogue and it takes no new orders. Orders already paid "
                          "still redeem and complete.")),
    "reinstate": Decision(_("Reinstate"), services.platform_reinstate, APPROVE, DecisionForm, S.ACTIVE,
                          _("The platform is active again and sells.")),
    "terminate": Decision(_("Terminate"), services.platform_terminate, APPROVE, DecisionForm, S.TERMINATED,
                          _("The partnership ends for good: no new orders, and every API key of the platform is "
                            "revoked now. Orders already paid are finished through the program office.")),
    "withdraw": Decision(_("Record withdrawal"), services.platform_withdraw, APPROVE, DecisionForm, S.WITHDRAWN,
                         _("At the platform's own request: it sells nothing more. Its institutions and courses stay "
                           "and go on selling through other platforms.")),
    "renew_mou": Decision(_("Renew MoU"), services.platform_mou_renew, APPROVE, MouForm, None,
                          _("A new MoU term; the status does not change."), mou=True),
}


def decisions_for(platform: Platform, user) -> list[tuple[str, Decision]]:
    """The decisions this user may take on this platform now (the buttons on its page)."""
    allowed = platform.TRANSITIONS.get(platform.status, set())
    out = []
    for key, d in DECISIONS.items():
        if not user.has_perm(d.perm):
            continue
        if key == "renew_mou":
            if platform.mou_number and platform.is_live:
                out.append((key, d))
        elif key == "reinstate":
            if platform.status in (S.WARNED, S.SUSPENDED):
                out.append((key, d))
        elif key == "activate":
            if platform.status == S.INTEGRATING:
                out.append((key, d))
        elif d.target in allowed:
            out.append((key, d))
    return out


# --- filters ----------------------------------------------------------------------------------

class RenewalFilter(admin.SimpleListFilter):
    title = _("MoU")
    parameter_name = "renewal"

    def lookups(self, request, model_admin):
        return [("due", _("Past term end: due for renewal")), ("soon", _("Term ends within 90 days"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        live = ~Q(status__in=Platform.FINAL)
        if self.value() == "due":
            return queryset.filter(live, mou_term_end__lt=today)
        if self.value() == "soon":
            return queryset.filter(live, mou_term_end__gte=today, mou_term_end__lte=today + dt.timedelta(days=90))
        return queryset


class ReviewDueFilter(admin.SimpleListFilter):
    title = _("quarterly review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("due", _("Last quarter not reviewed yet"))]

    def queryset(self, request, queryset):
        if self.value() == "due":
            return queryset.filter(pk__in=platforms_review_due().values("pk"))
        return queryset


class StageFilter(admin.SimpleListFilter):
    title = _("stage")
    parameter_name = "stage"

    STAGES = {
        "to_evaluate": (_("Applications to evaluate"), [S.APPLIED, S.UNDER_EVALUATION]),
        "onboarding": (_("Onboarding (approved to integrating)"), [S.APPROVED, S.MOU_SIGNED, S.INTEGRATING]),
        "selling": (_("Selling"), list(Platform.SELLING)),
        "ended": (_("Ended"), list(Platform.FINAL)),
    }

    def lookups(self, request, model_admin):
        return [(k, v[0]) for k, v in self.STAGES.items()]

    def queryset(self, request, queryset):
        if self.value() in self.STAGES:
            return queryset.filter(status__in=self.STAGES[self.value()][1])
        return queryset


# --- inlines ---------------------------------------------------------------------------------

class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StatusChangeInline(ReadOnlyInline):
    model = PlatformStatusChange
    verbose_name_plural = _("Timeline (audit trail)")
    fields = ["at", "from_display", "to_display", "by_user", "reason", "evidence", "details"]
    readonly_fields = fields
    ordering = ["at", "pk"]

    @admin.display(description=_("from"))
    def from_display(self, obj):
        return obj.from_label

    @admin.display(description=_("to"))
    def to_display(self, obj):
        return obj.to_label


class DocumentInline(ReadOnlyInline):
    model = PlatformDocument
    fields = ["kind", "download", "content_type", "size_kb", "sha256", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("platforms:document", args=[obj.pk]), obj.original_name)

    @admin.display(description=_("size"))
    def size_kb(self, obj):
        return f"{obj.size / 1024:,.0f} KB"


class EvaluationInline(ReadOnlyInline):
    model = Evaluation
    fields = ["created_at", "evaluator", "status", "decided_by", "decided_at", "decision_reason"]
    readonly_fields = fields
    show_change_link = True


class ReviewInline(ReadOnlyInline):
    model = QuarterlyReview
    fields = ["year", "quarter", "outcome", "reason", "by_user", "created_at"]
    readonly_fields = fields
    show_change_link = True


# --- platforms -------------------------------------------------------------------------------

@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "reference", "kind", "status", "mou_number", "mou_term_end", "renewal", "status_changed_at"]
    list_filter = ["status", StageFilter, RenewalFilter, ReviewDueFilter, "kind"]
    search_fields = ["name", "legal_name", "=reference", "=mou_number", "contact_email"]
    inlines = [StatusChangeInline, EvaluationInline, ReviewInline, DocumentInline]
    change_form_template = "admin/platforms/platform/change_form.html"
    fieldsets = [
        (None, {"fields": ["name", "legal_name", "slug", "kind", "status", "reference", "applied_at",
                           "status_changed_at"]}),
        (_("Company and contact"), {"fields": ["business_number", "address", "contact_name", "contact_email",
                                               "contact_phone"]}),
        (_("Permenko 3/2020 criteria, as stated"), {"fields": ["provinces_served", "active_users",
                                                               "security_certification", "uptime_percent",
                                                               "incident_contact", "portal_url",
                                                               "training_institutions"]}),
        (_("MoU"), {"fields": ["mou_number", "mou_signed_on", "mou_term_end"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # Statuses, MoUs and applications change only through the decision pages.
        return [f for fs in self.fieldsets for f in fs[1]["fields"]]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("renewal"), boolean=True)
    def renewal(self, obj: Platform) -> bool | None:
        return obj.mou_due_for_renewal if obj.mou_term_end else None

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/decide/<str:decision>/", view(self.decision_view), name="platforms_platform_decide"),
            path("<int:pk>/evaluate/", view(self.evaluate_view), name="platforms_platform_evaluate"),
            path("<int:pk>/review/", view(self.review_view), name="platforms_platform_review"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        platform = get_object_or_404(Platform, pk=object_id)
        can_evaluate = (platform.status == S.UNDER_EVALUATION and request.user.has_perm(EVALUATE)
                        and not platform.evaluations.filter(status=Evaluation.Status.SUBMITTED).exists())
        pending = platform.evaluations.filter(status=Evaluation.Status.SUBMITTED).first()
        extra = {"decisions": decisions_for(platform, request.user), "can_evaluate": can_evaluate,
                 "pending_evaluation": pending,
                 "can_review": platform.status in (S.ACTIVE, S.WARNED, S.SUSPENDED) and request.user.has_perm(APPROVE),
                 "api_links": self._api_links(request, platform), "platform": platform}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def _api_links(self, request, platform: Platform) -> list[tuple[str, str]]:
        """Links to the API app's key screens: sandbox keys while integrating, live keys once active."""
        links = []
        if request.user.has_perm("api.view_apikey"):
            links.append((_("API keys"), reverse("admin:api_apikey_changelist") + f"?platform__id__exact={platform.pk}"))
        if request.user.has_perm("api.add_apikey"):
            add = reverse("admin:api_apikey_add") + f"?platform={platform.pk}"
            if platform.status == S.INTEGRATING:
                links.append((_("Issue a sandbox key"), add + "&mode=test"))
            elif platform.status in Platform.SELLING:
                links.append((_("Issue a live key"), add + "&mode=live"))
        return links

    def _page(self, request, template, platform, **context):
        return TemplateResponse(request, template, {
            **self.admin_site.each_context(request), "opts": self.model._meta, "platform": platform,
            "original": platform, **context})

    def _back(self, platform):
        return HttpResponseRedirect(reverse("admin:platforms_platform_change", args=[platform.pk]))

    def decision_view(self, request, pk: int, decision: str):
        platform = get_object_or_404(Platform, pk=pk)
        d = DECISIONS.get(decision)
        if d is None:
            raise PermissionDenied
        if not request.user.has_perm(d.perm):
            self.message_user(request, _("Your PMO role does not allow this decision."), messages.ERROR)
            return self._back(platform)
        initial = {}
        if d.mou:
            initial = {"signed_on": timezone.localdate()}
        form = d.form(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and form.is_valid():
            kwargs = dict(form.cleaned_data)
            if decision == "renew_mou":
                kwargs.pop("evidence", None)
            try:
                d.service(platform=platform, by=request.user, **kwargs)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                if exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
                else:
                    return self._back(platform)
            else:
                platform.refresh_from_db()
                self.message_user(request, _("%(platform)s: %(decision)s done. Status: %(status)s.")
                                  % {"platform": platform, "decision": d.label,
                                     "status": platform.get_status_display()}, messages.SUCCESS)
                return self._back(platform)
        return self._page(request, "admin/platforms/platform/decision.html", platform, decision=d,
                          decision_key=decision, form=form, title=f"{d.label}: {platform}",
                          target_label=S(d.target).label if d.target else platform.get_status_display(),
                          allowed=decision in dict(decisions_for(platform, request.user)))

    def evaluate_view(self, request, pk: int):
        platform = get_object_or_404(Platform, pk=pk)
        if not request.user.has_perm(EVALUATE):
            self.message_user(request, _("Your PMO role does not allow this decision."), messages.ERROR)
            return self._back(platform)
        form = EvaluationForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                evaluation = services.evaluation_submit(platform=platform, by=request.user, scores=form.scores(),
                                                        summary=form.cleaned_data["summary"])
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(request, _("Evaluation recorded. A second PMO member with the approver role must "
                                             "now sign it off."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:platforms_evaluation_change", args=[evaluation.pk]))
        return self._page(request, "admin/platforms/platform/evaluate.html", platform, form=form,
                          rows=form.rows(platform), title=_("Evaluate %(platform)s") % {"platform": platform},
                          documents=platform.documents.all())

    def review_view(self, request, pk: int):
        platform = get_object_or_404(Platform, pk=pk)
        if not request.user.has_perm(APPROVE):
            self.message_user(request, _("Your PMO role does not allow this decision."), messages.ERROR)
            return self._back(platform)
        default = quarter_previous(*quarter_of(timezone.localdate()))
        data = request.POST if request.method == "POST" else (request.GET if "year" in request.GET else None)
        form = ReviewForm(data, initial={"year": default[0], "quarter": default[1]})
        year, quarter = default
        if form.is_bound and form.is_valid():
            year, quarter = form.cleaned_data["year"], int(form.cleaned_data["quarter"])
        if request.method == "POST" and form.is_valid():
            try:
                review = services.quarterly_review_record(platform=platform, year=year, quarter=quarter,
                                                          outcome=form.cleaned_data["outcome"],
                                                          reason=form.cleaned_data["reason"], by=request.user)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(request, _("Review %(period)s recorded: %(outcome)s.")
                                  % {"period": f"{year}-Q{quarter}", "outcome": review.get_outcome_display()},
                                  messages.SUCCESS)
                return self._back(platform)
        current, previous = platform_review_figures(platform=platform, year=year, quarter=quarter)
        return self._page(request, "admin/platforms/platform/review.html", platform, form=form,
                          figures=figure_rows(current, previous), period=f"{year}-Q{quarter}",
                          previous_period=f"{previous['year']}-Q{previous['quarter']}",
                          title=_("Quarterly review of %(platform)s") % {"platform": platform})


FIGURE_LABELS = [
    ("sales_count", _("Sales (orders kept)"), "int"),
    ("sales_rupiah", _("Sales (rupiah)"), "rupiah"),
    ("sales_share", _("Share of all platforms' sales"), "pct"),
    ("participants_served", _("Participants served"), "int"),
    ("completion_rate", _("Completion rate"), "pct"),
    ("average_rating", _("Average rating"), "rating"),
    ("refund_rate", _("Refund rate"), "pct"),
    ("redeemed_within_7_days", _("Redeemed within 7 days"), "pct"),
]


def _fmt(value, kind) -> str:
    if value is None:
        return "—"
    if kind == "rupiah":
        return format_rupiah(value)
    if kind == "pct":
        return f"{value * 100:.1f}%"
    if kind == "rating":
        return f"{value:.2f} ★"
    return f"{value:,}".replace(",", ".")


def figure_rows(current: dict, previous: dict) -> list[tuple[str, str, str]]:
    return [(label, _fmt(current.get(key), kind), _fmt(previous.get(key), kind)) for key, label, kind in FIGURE_LABELS]


class EvaluationForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for c, label in Criterion.choices:
            self.fields[f"{c}_met"] = forms.TypedChoiceField(
                label=label, choices=[("yes", _("Met")), ("no", _("Not met"))], widget=forms.RadioSelect,
                coerce=lambda v: v == "yes")
            self.fields[f"{c}_note"] = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2,
                                                                                                    "cols": 60}))
            self.fields[f"{c}_evidence"] = forms.CharField(label=_("Evidence"), required=False, max_length=500)

    def rows(self, platform: Platform):
        stated = {
            "national_reach": _("%(p)s provinces, %(u)s active users") % {
                "p": platform.provinces_served or "—", "u": f"{platform.active_users:,}".replace(",", ".")
                if platform.active_users is not None else "—"},
            "it_system": _("%(cert)s; uptime %(up)s%%; incidents: %(inc)s") % {
                "cert": platform.security_certification or "—", "up": platform.uptime_percent or "—",
                "inc": platform.incident_contact or "—"},
            "own_portal": platform.portal_url or "—",
            "institutions": ", ".join(platform.training_institutions.splitlines()) or "—",
        }
        return [(label, stated[c], self[f"{c}_met"], self[f"{c}_note"], self[f"{c}_evidence"])
                for c, label in Criterion.choices]

    def scores(self) -> dict:
        return {c: {"met": self.cleaned_data[f"{c}_met"], "note": self.cleaned_data[f"{c}_note"],
                    "evidence": self.cleaned_data[f"{c}_evidence"]} for c in Criterion.values}


class ReviewForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2020, max_value=2100)
    quarter = forms.ChoiceField(label=_("Quarter"), choices=[(q, f"Q{q}") for q in range(1, 5)])
    outcome = forms.ChoiceField(label=_("Outcome"), choices=QuarterlyReview.Outcome.choices, required=False)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))

    def clean(self):
        data = super().clean()
        if self.data.get("record") and not data.get("outcome"):
            self.add_error("outcome", _("Choose the outcome."))
        return data


# --- evaluations (maker-checker) -------------------------------------------------------------

class ScoreInline(ReadOnlyInline):
    model = CriterionScore
    fields = ["criterion", "met", "note", "evidence"]
    readonly_fields = fields


class SignOffForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
                             help_text=_("Kept in the platform's audit trail; a rejected applicant reads it."))


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["platform", "evaluator", "status", "criteria_met", "created_at", "decided_by", "decided_at"]
    list_filter = ["status", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["platform__name", "evaluator__email"]
    list_select_related = ["platform", "evaluator", "decided_by"]
    readonly_fields = ["platform", "evaluator", "summary", "status", "created_at", "decided_by", "decided_at",
                       "decision_reason"]
    inlines = [ScoreInline]
    change_form_template = "admin/platforms/evaluation/change_form.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("criteria met"))
    def criteria_met(self, obj: Evaluation) -> str:
        scores = list(obj.scores.all())
        return f"{sum(s.met for s in scores)}/{len(Criterion.values)}"

    def get_urls(self):
        return [path("<int:pk>/sign-off/<str:verdict>/", self.admin_site.admin_view(self.sign_off_view),
                     name="platforms_evaluation_sign_off"), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        evaluation = get_object_or_404(Evaluation, pk=object_id)
        extra = {"can_sign_off": evaluation.status == Evaluation.Status.SUBMITTED and request.user.has_perm(APPROVE),
                 "waiting": evaluation.status == Evaluation.Status.SUBMITTED,
                 "own_evaluation": evaluation.evaluator_id == request.user.pk, "all_met": evaluation.all_met}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def sign_off_view(self, request, pk: int, verdict: str):
        evaluation = get_object_or_404(Evaluation.objects.select_related("platform", "evaluator"), pk=pk)
        back = HttpResponseRedirect(reverse("admin:platforms_evaluation_change", args=[pk]))
        if verdict not in ("approve", "reject"):
            raise PermissionDenied
        if not request.user.has_perm(APPROVE):
            self.message_user(request, _("Your PMO role does not allow this decision."), messages.ERROR)
            return back
        form = SignOffForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.evaluation_decide(evaluation=evaluation, approve=verdict == "approve", by=request.user,
                                           reason=form.cleaned_data["reason"])
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return back
            evaluation.platform.refresh_from_db()
            self.message_user(request, _("%(platform)s is now: %(status)s.")
                              % {"platform": evaluation.platform,
                                 "status": evaluation.platform.get_status_display()}, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:platforms_platform_change", args=[evaluation.platform_id]))
        return TemplateResponse(request, "admin/platforms/evaluation/sign_off.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "original": evaluation,
            "evaluation": evaluation, "verdict": verdict, "form": form, "scores": evaluation.scores.all(),
            "own_evaluation": evaluation.evaluator_id == request.user.pk,
            "title": (_("Approve the application of %(p)s") if verdict == "approve"
                      else _("Reject the application of %(p)s")) % {"p": evaluation.platform}})


# --- reviews and the audit trail ---------------------------------------------------------------

@admin.register(QuarterlyReview)
class QuarterlyReviewAdmin(admin.ModelAdmin):
    list_display = ["platform", "period", "outcome", "sales", "by_user", "created_at"]
    list_filter = ["outcome", "year", "quarter"]
    search_fields = ["platform__name"]
    list_select_related = ["platform", "by_user"]
    readonly_fields = ["platform", "year", "quarter", "outcome", "reason", "by_user", "created_at", "figures_table"]
    exclude = ["figures", "previous_figures"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("period"), ordering="year")
    def period(self, obj):
        return f"{obj.year}-Q{obj.quarter}"

    @admin.display(description=_("sales"))
    def sales(self, obj):
        return format_rupiah(obj.figures.get("sales_rupiah", 0))

    @admin.display(description=_("figures, as they were"))
    def figures_table(self, obj):
        rows = figure_rows(obj.figures, obj.previous_figures)
        return format_html(
            '<table><thead><tr><th></th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>',
            f"{obj.year}-Q{obj.quarter}",
            f"{obj.previous_figures.get('year')}-Q{obj.previous_figures.get('quarter')}",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows))


@admin.register(PlatformStatusChange)
class PlatformStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "platform", "from_status", "to_status", "by_user", "reason"]
    list_filter = ["to_status", "from_status", ("at", admin.DateFieldListFilter)]
    search_fields = ["platform__name", "reason", "by_user__email"]
    list_select_related = ["platform", "by_user"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

