"""The posting rules: balanced, whole rupiah, idempotent, never overspent."""
import pytest
from django.db.models import Sum

from wallets.exceptions import IdempotencyKeyReused, InsufficientBalance, UnbalancedTransaction
from wallets.models import Account, Entry, LedgerTransaction
from wallets.selectors import account_balance_get, account_entries_total, ledger_reconcile
from wallets.services import account_get_or_create, account_program_get, ledger_post, ledger_reverse

from .factories import Code, Kind, fresh_key, participant_balance, platform_payable, training_fund

pytestmark = pytest.mark.django_db

PRICE = 250_000


def _balances(*accounts):
    return [account_balance_get(account=a) for a in accounts]


def test_unbalanced_transaction_is_refused_and_moves_nothing():
    buyer, payable = participant_balance(funded=1_000_000), platform_payable()
    count = LedgerTransaction.objects.count()

    with pytest.raises(UnbalancedTransaction) as exc:
        ledger_post(code=Code.PURCHASE, idempotency_key=fresh_key(), entries=[(buyer, -PRICE), (payable, PRICE + 1)])

    assert exc.value.code == "unbalanced_transaction"
    assert LedgerTransaction.objects.count() == count
    assert _balances(buyer, payable) == [1_000_000, 0]


@pytest.mark.parametrize("entries", [
    lambda b, p: [(b, 0), (p, 0)],
    lambda b, p: [(b, -PRICE), (p, PRICE), (p, 0)],
    lambda b, p: [(b, -1.0), (p, 1.0)],
    lambda b, p: [(b, True), (p, -1), (p, 0)],
    lambda b, p: [],
    lambda b, p: [(b, -PRICE + PRICE)],
], ids=["zeros", "one-zero-leg", "floats", "bool", "empty", "single"])
def test_zero_fractional_or_single_entries_are_refused(entries):
    buyer, payable = participant_balance(funded=1_000_000), platform_payable()

    with pytest.raises(UnbalancedTransaction):
        ledger_post(code=Code.PURCHASE, idempotency_key=fresh_key(), entries=entries(buyer, payable))

    assert _balances(buyer, payable) == [1_000_000, 0]


def test_a_purchase_moves_the_price_from_the_balance_to_the_payable():
    buyer, payable = participant_balance(funded=1_000_000), platform_payable()

    tx = ledger_post(code=Code.PURCHASE, idempotency_key="order:1", entries=[(buyer, -PRICE), (payable, PRICE)],
                     reference="order:1", memo="Kursus Excel")

    assert _balances(buyer, payable) == [750_000, PRICE]
    stored = LedgerTransaction.objects.get(pk=tx.pk)
    assert (stored.code, stored.reference, stored.memo) == ("purchase", "order:1", "Kursus Excel")
    assert sorted(stored.entries.values_list("account_id", "amount")) == sorted(
        [(buyer.pk, -PRICE), (payable.pk, PRICE)])


def test_the_same_key_again_returns_the_first_transaction_and_moves_nothing():
    buyer, payable = participant_balance(funded=1_000_000), platform_payable()
    first = ledger_post(code=Code.PURCHASE, idempotency_key="order:7", entries=[(buyer, -PRICE), (payable, PRICE)],
                        reference="order:7")

    again = ledger_post(code=Code.PURCHASE, idempotency_key="order:7", entries=[(payable, PRICE), (buyer, -PRICE)],
                        reference="order:7")

    assert again.pk == first.pk
    assert LedgerTransaction.objects.filter(idempotency_key="order:7").count() == 1
    assert Entry.objects.filter(transaction=first).count() == 2
    assert _balances(buyer, payable) == [750_000, PRICE]


def test_a_replay_is_returned_even_when_the_balance_could_no_longer_pay():
    buyer, payable = participant_balance(funded=PRICE), platform_payable()
    first = ledger_post(code=Code.PURCHASE, idempotency_key="order:8", entries=[(buyer, -PRICE), (payable, PRICE)])

    again = ledger_post(code=Code.PURCHASE, idempotency_key="order:8", entries=[(buyer, -PRICE), (payable, PRICE)])

    assert again.pk == first.pk
    assert _balances(buyer, payable) == [0, PRICE]


@pytest.mark.parametrize("change", ["amount", "account", "code", "reference"])
def test_the_same_key_with_other_content_raises_and_moves_nothing(change):
    buyer, payable, other = participant_balance(funded=1_000_000), platform_payable(), platform_payable()
    ledger_post(code=Code.PURCHASE, idempotency_key="order:9", entries=[(buyer, -PRICE), (payable, PRICE)],
                reference="order:9")
    kwargs = {"code": Code.PURCHASE, "reference": "order:9", "entries": [(buyer, -PRICE), (payable, PRICE)]}
    kwargs.update({
        "amount": {"entries": [(buyer, -PRICE - 1), (payable, PRICE + 1)]},
        "account": {"entries": [(buyer, -PRICE), (other, PRICE)]},
        "code": {"code": Code.REFUND},
        "reference": {"reference": "order:10"},
    }[change])

    with pytest.raises(IdempotencyKeyReused) as exc:
        ledger_post(idempotency_key="order:9", **kwargs)

    assert exc.value.code == "idempotency_key_reused"
    assert _balances(buyer, payable, other) == [750_000, PRICE, 0]


def test_overspending_is_refused_and_moves_nothing():
    buyer, payable = participant_balance(funded=PRICE - 1), platform_payable()
    count = LedgerTransaction.objects.count()

    with pytest.raises(InsufficientBalance) as exc:
        ledger_post(code=Code.PURCHASE, idempotency_key="order:11", entries=[(buyer, -PRICE), (payable, PRICE)])

    assert exc.value.code == "insufficient_balance"
    assert exc.value.field is None
    assert LedgerTransaction.objects.count() == count
    assert not LedgerTransaction.objects.filter(idempotency_key="order:11").exists()
    assert _balances(buyer, payable) == [PRICE - 1, 0]


def test_a_refused_key_can_be_posted_later_once_funded():
    buyer, payable = participant_balance(funded=PRICE - 1), platform_payable()
    with pytest.raises(InsufficientBalance):
        ledger_post(code=Code.PURCHASE, idempotency_key="order:12", entries=[(buyer, -PRICE), (payable, PRICE)])
    ledger_post(code=Code.BALANCE_CREDIT, idempotency_key=fresh_key(), entries=[(training_fund(), -1), (buyer, 1)])

    ledger_post(code=Code.PURCHASE, idempotency_key="order:12", entries=[(buyer, -PRICE), (payable, PRICE)])

    assert _balances(buyer, payable) == [0, PRICE]


def test_the_database_refuses_a_negative_participant_balance():
    buyer = participant_balance(funded=10)

    from django.db import IntegrityError, transaction
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=buyer.pk).update(balance=-1)


def test_balances_equal_the_sum_of_their_entries():
    fund, payable = training_fund(), platform_payable()
    buyers = [participant_balance(funded=1_000_000) for _ in range(3)]
    for i, buyer in enumerate(buyers):
        ledger_post(code=Code.PURCHASE, idempotency_key=f"order:b{i}", entries=[(buyer, -PRICE * (i + 1)),
                                                                               (payable, PRICE * (i + 1))])

    for account in [fund, payable, *buyers]:
        assert account_balance_get(account=account) == account_entries_total(account=account)
    assert Entry.objects.aggregate(s=Sum("amount"))["s"] == 0
    assert account_balance_get(account=fund) == -3_000_000
    assert ledger_reconcile().ok


def test_a_reversal_moves_the_amounts_back_with_a_new_transaction():
    buyer, payable = participant_balance(funded=1_000_000), platform_payable()
    purchase = ledger_post(code=Code.PURCHASE, idempotency_key="order:20", entries=[(buyer, -PRICE), (payable, PRICE)])

    reversal = ledger_reverse(original=purchase, idempotency_key="reverse:order:20", memo="double charge")

    assert reversal.pk != purchase.pk
    assert (reversal.code, reversal.reference) == ("reversal", f"tx:{purchase.pk}")
    assert _balances(buyer, payable) == [1_000_000, 0]
    assert LedgerTransaction.objects.filter(pk=purchase.pk).exists()


def test_each_owner_has_one_account_per_kind_and_the_program_one_per_kind():
    payable = platform_payable()

    again = account_get_or_create(kind=Kind.PLATFORM_PAYABLE, owner=payable.owner)

    assert again.pk == payable.pk
    assert account_program_get(kind=Kind.TRAINING_FUND).pk == account_program_get(kind=Kind.TRAINING_FUND).pk
    assert participant_balance().no_overdraft is True
    assert training_fund().no_overdraft is False
