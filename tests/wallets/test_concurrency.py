"""Concurrent postings on PostgreSQL: never overspent, a key moves money once."""

import pytest
from django.core.management import call_command

from wallets.exceptions import InsufficientBalance
from wallets.models import Entry, LedgerTransaction
from wallets.selectors import account_balance_get
from wallets.services import Posting, ledger_post, ledger_post_batch

from tests.concurrency import run_at_once

from .factories import Code, participant_balance, platform_payable, training_fund

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True, params=[True, False], ids=["hot-at-commit", "hot-immediate"])
def hot_balances_at_commit(request, settings):
    """Every race here runs both ways: hot balances applied by the server at commit (production)
    and by an UPDATE before it."""
    settings.LEDGER_HOT_BALANCES_AT_COMMIT = request.param
    return request.param




def test_sixteen_concurrent_purchases_never_spend_more_than_the_balance():
    balance, price = 1_000_000, 150_000
    buyer, payable = participant_balance(funded=balance), platform_payable()

    outcomes = run_at_once(16, lambda i: ledger_post(
        code=Code.PURCHASE, idempotency_key=f"order:{i}", reference=f"order:{i}",
        entries=[(buyer, -price), (payable, price)]))

    succeeded = [o for o in outcomes if isinstance(o, LedgerTransaction)]
    refused = [o for o in outcomes if isinstance(o, InsufficientBalance)]
    assert len(succeeded) == balance // price == 6
    assert len(refused) == 16 - 6
    assert account_balance_get(account=buyer) == balance - 6 * price >= 0
    assert account_balance_get(account=payable) == 6 * price
    call_command("reconcile_ledger")


def test_one_key_posted_from_eight_threads_at_once_moves_money_once():
    buyer, payable = participant_balance(funded=1_000_000), platform_payable()

    outcomes = run_at_once(8, lambda i: ledger_post(
        code=Code.PURCHASE, idempotency_key="order:42", reference="order:42",
        entries=[(buyer, -300_000), (payable, 300_000)]))

    assert all(isinstance(o, LedgerTransaction) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1
    assert LedgerTransaction.objects.filter(idempotency_key="order:42").count() == 1
    assert Entry.objects.filter(transaction__idempotency_key="order:42").count() == 2
    assert account_balance_get(account=buyer) == 700_000
    assert account_balance_get(account=payable) == 300_000
    call_command("reconcile_ledger")


def test_many_buyers_into_one_hot_payable_all_land():
    buyers = [participant_balance(funded=500_000) for _ in range(8)]
    payable = platform_payable()

    outcomes = run_at_once(8, lambda i: [ledger_post(
        code=Code.PURCHASE, idempotency_key=f"order:{i}:{j}", entries=[(buyers[i], -50_000), (payable, 50_000)])
        for j in range(10)])

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert account_balance_get(account=payable) == 8 * 10 * 50_000
    assert all(account_balance_get(account=b) == 0 for b in buyers)
    call_command("reconcile_ledger")


def test_a_batch_racing_itself_posts_once():
    fund = training_fund()
    participants = [participant_balance() for _ in range(50)]
    postings = [Posting(idempotency_key=f"wave:1:credit:{p.pk}", reference="wave:1",
                        entries=[(fund, -1_000_000), (p, 1_000_000)]) for p in participants]

    outcomes = run_at_once(4, lambda i: ledger_post_batch(code=Code.BALANCE_CREDIT, postings=postings))

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(len(o) for o in outcomes) == 50
    assert LedgerTransaction.objects.filter(reference="wave:1").count() == 50
    assert all(account_balance_get(account=p) == 1_000_000 for p in participants)
    assert account_balance_get(account=fund) == -50 * 1_000_000
    call_command("reconcile_ledger")


def test_a_rolled_back_posting_applies_nothing_to_a_hot_account(hot_balances_at_commit):
    from django.db import connection, transaction

    buyer, payable = participant_balance(funded=100_000), platform_payable()
    with pytest.raises(RuntimeError), transaction.atomic():
        ledger_post(code=Code.PURCHASE, idempotency_key="order:rolled-back",
                    entries=[(buyer, -40_000), (payable, 40_000)])
        raise RuntimeError("the order failed after posting")

    ledger_post(code=Code.PURCHASE, idempotency_key="order:kept", entries=[(buyer, -10_000), (payable, 10_000)])
    assert account_balance_get(account=payable) == 10_000
    assert account_balance_get(account=buyer) == 90_000
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM wallets_balance_pending")
        assert cursor.fetchone()[0] == 0  # applied rows are removed at commit
    call_command("reconcile_ledger")
