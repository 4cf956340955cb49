"""Reads of the ledger: balances and the reconciliation of balances with their entries."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Min, Q, Sum, Value
from django.db.models.functions import Coalesce

from .models import Account, Entry, LedgerTransaction


def account_balance_get(*, account: Account | int) -> int:
    """The account's balance in rupiah, read fresh from the database."""
    account_id = account if isinstance(account, int) else account.pk
    return Account.objects.values_list("balance", flat=True).get(pk=account_id)


def account_entries_total(*, account: Account | int) -> int:
    """The sum of the account's entries: what its balance must be."""
    account_id = account if isinstance(account, int) else account.pk
    return Entry.objects.filter(account_id=account_id).aggregate(t=Coalesce(Sum("amount"), 0))["t"]


@dataclass(frozen=True, slots=True)
class Difference:
    kind: str  # "unbalanced_transaction" | "balance_mismatch" | "negative_balance"
    object_id: int
    expected: int
    actual: int
    detail: str = ""

    def __str__(self) -> str:
        if self.kind == "unbalanced_transaction":
            return (f"transaction #{self.object_id}: entries sum to {self.actual} over "
                    f"{self.detail} entries (expected 0 over at least 2)")
        if self.kind == "balance_mismatch":
            return f"account #{self.object_id} ({self.detail}): balance {self.actual} != entries {self.expected}"
        return f"account #{self.object_id} ({self.detail}): no-overdraft balance is negative: {self.actual}"


@dataclass(slots=True)
class Reconciliation:
    transactions_checked: int = 0
    accounts_checked: int = 0
    differences: list[Difference] = field(default_factory=list)
    differences_found: int = 0

    @property
    def ok(self) -> bool:
        return not self.differences_found


def ledger_differences_iter(*, chunk_size: int = 20_000, stats: Reconciliation | None = None) -> Iterator[Difference]:
    """Yield every difference in the ledger: transactions whose entries do not sum to zero (or
    have fewer than two), accounts whose balance is not the sum of their entries, no-overdraft
    accounts below zero. Reads id ranges of `chunk_size` with one aggregate query each, so memory
    stays flat at any ledger size. Counts go into `stats` when given."""
    stats = stats if stats is not None else Reconciliation()
    for lo, hi in _id_ranges(LedgerTransaction, chunk_size):
        in_range = LedgerTransaction.objects.filter(pk__gte=lo, pk__lt=hi)
        stats.transactions_checked += in_range.count()
        bad = (in_range.order_by().annotate(total=Coalesce(Sum("entries__amount"), Value(0)), n=Count("entries"))
               .filter(~Q(total=0) | Q(n__lt=2)).values_list("pk", "total", "n"))
        for pk, total, n in bad:
            yield Difference("unbalanced_transaction", pk, 0, total, str(n))
    for lo, hi in _id_ranges(Account, chunk_size):
        in_range = Account.objects.filter(pk__gte=lo, pk__lt=hi)
        stats.accounts_checked += in_range.count()
        # Balance and entries are read by one statement: one snapshot, no false alarm under load.
        mismatched = (in_range.order_by().annotate(total=Coalesce(Sum("entries__amount"), Value(0)))
                      .filter(~Q(balance=F("total")) | Q(no_overdraft=True, balance__lt=0))
                      .values_list("pk", "kind", "owner_id", "balance", "total", "no_overdraft"))
        for pk, kind, owner_id, balance, total, no_overdraft in mismatched:
            label = kind if owner_id is None else f"{kind} of #{owner_id}"
            if balance != total:
                yield Difference("balance_mismatch", pk, total, balance, label)
            if no_overdraft and balance < 0:
                yield Difference("negative_balance", pk, 0, balance, label)


def ledger_reconcile(*, chunk_size: int = 20_000, max_differences: int = 1_000) -> Reconciliation:
    """Check the whole ledger (see `ledger_differences_iter`); keeps at most `max_differences`."""
    report = Reconciliation()
    for difference in ledger_differences_iter(chunk_size=chunk_size, stats=report):
        report.differences_found += 1
        if len(report.differences) < max_differences:
            report.differences.append(difference)
    return report


def _id_ranges(model, chunk_size: int) -> Iterator[tuple[int, int]]:
    bounds = model.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return
    for lo in range(bounds["lo"], bounds["hi"] + 1, chunk_size):
        yield lo, lo + chunk_size
