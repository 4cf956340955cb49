"""PMO screens for the platform API: issue, rotate and revoke keys; read endpoints, deliveries,
checkout sessions. A new key's secret is shown on one page, once, and never stored in clear (not
even in a flash message, which could land in the session table)."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from prakerja.exceptions import DomainError

from .models import ApiKey, CheckoutSession, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .services import api_key_issue, api_key_revoke, api_key_roll
from .services.webhooks import webhook_delivery_replay


class ApiKeyIssueForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["platform", "mode", "name"]


def _show_once(request, key: ApiKey, raw: str, *, rotated_from: ApiKey | None = None):
    response = TemplateResponse(request, "api/admin_key_issued.html", {
        **admin.site.each_context(request), "title": _("API key issued"), "key": key, "raw": raw,
        "rotated_from": rotated_from, "opts": ApiKey._meta})
    response["Cache-Control"] = "no-store"
    return response


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["masked", "platform", "mode", "name", "status", "created_at", "expires_at", "last_used_at"]
    list_filter = ["mode", "status", "platform"]
    search_fields = ["prefix", "platform__name", "name"]
    actions = ["revoke_keys", "roll_key"]
    readonly_fields = ["platform", "mode", "name", "prefix", "status", "created_at", "created_by", "expires_at",
                       "replaced_by", "last_used_at", "revoked_at", "revoked_by", "revoked_reason"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyIssueForm
            kwargs["fields"] = ["platform", "mode", "name"]
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_changeform_initial_data(self, request):
        # "Issue an API key" from a platform's page links here with ?platform=<id>.
        return {"platform": request.GET.get("platform"), "mode": request.GET.get("mode", ApiKey.Mode.TEST)}

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        key, raw = api_key_issue(platform=form.cleaned_data["platform"], mode=form.cleaned_data["mode"],
                                 name=form.cleaned_data["name"], by=request.user)
        obj.pk = key.pk
        request._issued_key = (key, raw)

    def response_add(self, request, obj, post_url_continue=None):
        key, raw = request._issued_key
        return _show_once(request, key, raw)

    @admin.action(description=_("Revoke the selected keys now"))
    def revoke_keys(self, request, queryset):
        done = 0
        for key in queryset:
            try:
                api_key_revoke(api_key=key, by=request.user, reason="revoked by the program office")
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{key}: {exc.message}", messages.WARNING)
        self.message_user(request, _("%(n)d key(s) revoked.") % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Rotate the key (the old one keeps working 24 hours)"))
    def roll_key(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Rotate one key at a time."), messages.ERROR)
            return None
        old = queryset.get()
        try:
            new, raw = api_key_roll(api_key=old, by=request.user)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return None
        old.refresh_from_db()
        return _show_once(request, new, raw, rotated_from=old)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "platform", "url", "is_enabled", "created_at", "deleted_at"]
    list_filter = ["is_enabled", "platform"]
    search_fields = ["public_id", "url"]
    exclude = ["secret"]


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["number", "at", "status_code", "error", "duration_ms", "replay", "response_body"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "platform", "event_type", "status", "attempt_count", "last_status_code",
                    "next_attempt_at", "created_at"]
    list_filter = ["status", "event__type", "platform"]
    search_fields = ["public_id", "event__public_id"]
    inlines = [WebhookAttemptInline]
    actions = ["replay"]
    list_select_related = ["platform", "event"]

    @admin.display(description=_("event"))
    def event_type(self, obj):
        return obj.event.type

    @admin.action(description=_("Replay the selected deliveries"))
    def replay(self, request, queryset):
        done = 0
        for delivery in queryset:
            try:
                webhook_delivery_replay(delivery=delivery)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{delivery}: {exc.message}", messages.WARNING)
        self.message_user(request, _("%(n)d deliveries queued again.") % {"n": done}, messages.SUCCESS)

    def has_change_permission(self, request, obj=None):
        return obj is None  # the changelist's action needs it; objects stay read-only


@admin.register(CheckoutSession)
class CheckoutSessionAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "platform", "listing", "status", "created_at", "expires_at", "enrollment"]
    list_filter = ["status", "platform"]
    search_fields = ["public_id", "client_reference_id"]


class ApiKeyInline(admin.TabularInline):
    """On a platform's admin page: its keys (prefix only) and a link to issue one."""

    model = ApiKey
    fk_name = "platform"
    extra = 0
    can_delete = False
    show_change_link = True
    template = "api/admin_apikey_inline.html"
    fields = ["prefix", "mode", "name", "status", "created_at", "expires_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # issued through the add view, which shows the secret once


def _attach_to_platform_admin() -> None:
    from platforms.models import Platform

    platform_admin = admin.site._registry.get(Platform)
    if platform_admin is not None and ApiKeyInline not in platform_admin.inlines:
        platform_admin.inlines = [*platform_admin.inlines, ApiKeyInline]


_attach_to_platform_admin()
