"""The double-entry ledger: accounts, transactions and their entries, in whole rupiah.

A transaction's entries sum to zero; a transaction is never edited (a reversing transaction
corrects it). `Account.balance` is a running total kept by `wallets.services`; the selector
`ledger_reconcile` checks it against the entries.
"""
from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Account(models.Model):
    class Kind(models.TextChoices):
        BUDGET_SOURCE = "budget_source", _("Budget source (APBN)")
        TRAINING_FUND = "training_fund", _("Training fund")
        PARTICIPANT_BALANCE = "participant_balance", _("Participant training balance")
        PLATFORM_PAYABLE = "platform_payable", _("Payable to a digital platform")
        INSTITUTION_PAYABLE = "institution_payable", _("Payable to a training institution")
        INCENTIVE_FUND = "incentive_fund", _("Incentive fund")
        INCENTIVE_PAYABLE = "incentive_payable", _("Incentive scheduled to a participant")
        PAYOUT_CLEARING = "payout_clearing", _("Payout clearing")
        FORFEITED = "forfeited", _("Forfeited balances")

    # Only these may never go below zero; every other account takes any balance and is updated
    # without a lock (see wallets.services.ledger_post).
    NO_OVERDRAFT_KINDS = frozenset({Kind.PARTICIPANT_BALANCE})

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("owner type"))
    owner_id = models.PositiveBigIntegerField(_("owner id"), null=True, blank=True)
    owner = GenericForeignKey("owner_type", "owner_id")
    balance = models.BigIntegerField(_("balance (Rp)"), default=0)
    no_overdraft = models.BooleanField(_("no overdraft"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_default=Now())

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(owner_type__isnull=True),
                                    name="wallets_account_program_kind_unique"),
            models.UniqueConstraint(fields=["kind", "owner_type", "owner_id"],
                                    condition=Q(owner_type__isnull=False),
                                    name="wallets_account_kind_owner_unique"),
            models.CheckConstraint(condition=Q(owner_type__isnull=True, owner_id__isnull=True)
                                   | Q(owner_type__isnull=False, owner_id__isnull=False),
                                   name="wallets_account_owner_complete"),
            models.CheckConstraint(condition=Q(no_overdraft=False) | Q(balance__gte=0),
                                   name="wallets_account_no_overdraft"),
        ]

    def __str__(self) -> str:
        if self.owner_type_id is None:
            return self.get_kind_display()
        return f"{self.get_kind_display()} #{self.owner_id}"


class LedgerTransaction(models.Model):
    class Code(models.TextChoices):
        BUDGET_ALLOCATION = "budget_allocation", _("Budget allocation")
        BALANCE_CREDIT = "balance_credit", _("Training balance credited")
        PURCHASE = "purchase", _("Training purchase")
        REFUND = "refund", _("Purchase refund")
        FORFEIT = "forfeit", _("Unspent balance forfeited")
        SETTLEMENT = "settlement", _("Settlement to a platform")
        INSTITUTION_PAYMENT = "institution_payment", _("Payment to an institution")
        INCENTIVE_SCHEDULE = "incentive_schedule", _("Incentive scheduled")
        PAYOUT = "payout", _("Incentive payout")
        PAYOUT_RETURN = "payout_return", _("Payout returned")
        REVERSAL = "reversal", _("Reversal")
        ADJUSTMENT = "adjustment", _("Adjustment")

    code = models.CharField(_("code"), max_length=32, choices=Code.choices)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    reference = models.CharField(_("reference"), max_length=200, blank=True, default="")
    memo = models.TextField(_("memo"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_default=Now(),
                                      db_index=True)

    class Meta:
        db_table = "wallets_transaction"
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.code} {self.reference}".strip()


class Entry(models.Model):
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries",
                                    verbose_name=_("transaction"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries",
                                verbose_name=_("account"))
    # Signed: negative takes from the account, positive adds to it.
    amount = models.BigIntegerField(_("amount (Rp)"))

    class Meta:
        db_table = "wallets_entry"
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="wallets_entry_amount_nonzero"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount:+d}"
