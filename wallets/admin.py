"""PMO screens of the ledger: read only. Money moves through wallets.services, never the admin."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from prakerja.templatetags.money import format_rupiah

from .models import Account, Entry, LedgerTransaction


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "owner_label", "balance_rupiah", "no_overdraft", "created_at"]
    list_filter = ["kind", "no_overdraft"]
    search_fields = ["=id", "=owner_id", "kind"]
    list_select_related = ["owner_type"]
    show_full_result_count = False

    @admin.display(description=_("owner"))
    def owner_label(self, obj: Account) -> str:
        if obj.owner_type_id is None:
            return _("the program")
        return f"{obj.owner_type.name} #{obj.owner_id}"

    @admin.display(description=_("balance"), ordering="balance")
    def balance_rupiah(self, obj: Account) -> str:
        return format_rupiah(obj.balance)


class EntryInline(admin.TabularInline):
    model = Entry
    fields = ["account", "amount_rupiah"]
    readonly_fields = ["account", "amount_rupiah"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("amount"))
    def amount_rupiah(self, obj: Entry) -> str:
        return format_rupiah(obj.amount)


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["id", "code", "reference", "idempotency_key", "created_at"]
    list_filter = ["code"]
    search_fields = ["=id", "reference", "idempotency_key"]
    date_hierarchy = "created_at"
    inlines = [EntryInline]
    show_full_result_count = False
