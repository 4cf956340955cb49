"""ledger_post_batch: many credits in one database transaction, each key posted once."""
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from accounts.models import User
from tests.accounts.factories import UserFactory
from wallets.exceptions import IdempotencyKeyReused, InsufficientBalance, UnbalancedTransaction
from wallets.models import Account, Entry, LedgerTransaction
from wallets.selectors import account_balance_get
from wallets.services import Posting, accounts_create_bulk, ledger_post_batch

from .factories import Code, Kind, participant_balance, platform_payable, training_fund

pytestmark = pytest.mark.django_db

CREDIT = 1_000_000


def _credits(fund, accounts, wave=1):
    return [Posting(idempotency_key=f"wave:{wave}:credit:{a}", reference=f"wave:{wave}",
                    entries=[(fund, -CREDIT), (a, CREDIT)]) for a in accounts]


def test_accounts_are_created_in_bulk_once_per_owner():
    users = UserFactory.create_batch(5, verified=False)
    ids = [u.pk for u in users]

    first = accounts_create_bulk(kind=Kind.PARTICIPANT_BALANCE, owner_model=User, owner_ids=ids[:3])
    second = accounts_create_bulk(kind=Kind.PARTICIPANT_BALANCE, owner_model=User, owner_ids=ids)

    assert set(second) == set(ids)
    assert {o: second[o] for o in first} == first
    assert Account.objects.filter(kind=Kind.PARTICIPANT_BALANCE, owner_type=ContentType.objects.get_for_model(User)
                                  ).count() == 5
    assert Account.objects.filter(pk__in=second.values(), no_overdraft=True, balance=0).count() == 5


def test_a_batch_credits_every_participant_and_debits_the_fund_once():
    fund = training_fund()
    users = UserFactory.create_batch(20, verified=False)
    accounts = accounts_create_bulk(kind=Kind.PARTICIPANT_BALANCE, owner_model=User, owner_ids=[u.pk for u in users])

    posted = ledger_post_batch(code=Code.BALANCE_CREDIT, postings=_credits(fund, accounts.values()))

    assert len(posted) == 20
    assert account_balance_get(account=fund) == -20 * CREDIT
    assert set(Account.objects.filter(pk__in=accounts.values()).values_list("balance", flat=True)) == {CREDIT}
    assert Entry.objects.filter(transaction__reference="wave:1").count() == 40
    call_command("reconcile_ledger")


def test_posting_a_batch_twice_posts_once():
    fund = training_fund()
    accounts = [participant_balance().pk for _ in range(10)]
    ledger_post_batch(code=Code.BALANCE_CREDIT, postings=_credits(fund, accounts[:6]))

    posted = ledger_post_batch(code=Code.BALANCE_CREDIT, postings=_credits(fund, accounts))
    again = ledger_post_batch(code=Code.BALANCE_CREDIT, postings=_credits(fund, accounts))

    assert posted == [f"wave:1:credit:{a}" for a in accounts[6:]]
    assert again == []
    assert LedgerTransaction.objects.filter(reference="wave:1").count() == 10
    assert account_balance_get(account=fund) == -10 * CREDIT
    assert all(account_balance_get(account=a) == CREDIT for a in accounts)
    call_command("reconcile_ledger")


def test_a_key_repeated_inside_one_batch_posts_once():
    fund, account = training_fund(), participant_balance()

    posted = ledger_post_batch(code=Code.BALANCE_CREDIT, postings=_credits(fund, [account.pk, account.pk]))

    assert len(posted) == 1
    assert account_balance_get(account=account) == CREDIT


def test_a_batch_reusing_a_key_with_other_entries_is_refused_whole():
    fund, a, b = training_fund(), participant_balance(), participant_balance()
    ledger_post_batch(code=Code.BALANCE_CREDIT, postings=_credits(fund, [a.pk]))
    tampered = Posting(idempotency_key=f"wave:1:credit:{a.pk}", reference="wave:1",
                       entries=[(fund, -2 * CREDIT), (a, 2 * CREDIT)])

    with pytest.raises(IdempotencyKeyReused):
        ledger_post_batch(code=Code.BALANCE_CREDIT, postings=[*_credits(fund, [b.pk]), tampered])

    assert account_balance_get(account=a) == CREDIT
    assert account_balance_get(account=b) == 0


def test_a_batch_overdrawing_a_participant_moves_nothing():
    payable, rich, poor = platform_payable(), participant_balance(funded=CREDIT), participant_balance(funded=10)
    postings = [Posting(idempotency_key=f"buy:{a.pk}", entries=[(a, -500), (payable, 500)]) for a in (rich, poor)]

    with pytest.raises(InsufficientBalance):
        ledger_post_batch(code=Code.PURCHASE, postings=postings)

    assert [account_balance_get(account=a) for a in (rich, poor, payable)] == [CREDIT, 10, 0]
    assert not LedgerTransaction.objects.filter(code=Code.PURCHASE).exists()


def test_an_unbalanced_posting_refuses_the_whole_batch():
    fund, a = training_fund(), participant_balance()

    with pytest.raises(UnbalancedTransaction):
        ledger_post_batch(code=Code.BALANCE_CREDIT, postings=[
            *_credits(fund, [a.pk]), Posting(idempotency_key="bad", entries=[(fund, -1), (a, 2)])])

    assert account_balance_get(account=a) == 0
