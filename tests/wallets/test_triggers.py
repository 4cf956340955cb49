"""PostgreSQL itself refuses edits of ledger rows and unbalanced transactions."""
import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from wallets.models import Entry, LedgerTransaction

from .factories import Code, participant_balance, platform_payable

pytestmark = pytest.mark.postgresql


def _purchase():
    from wallets.services import ledger_post
    buyer, payable = participant_balance(funded=1_000_000), platform_payable()
    return ledger_post(code=Code.PURCHASE, idempotency_key="order:1", entries=[(buyer, -100), (payable, 100)]), buyer


@pytest.mark.django_db
@pytest.mark.parametrize("sql", [
    "UPDATE wallets_entry SET amount = amount * 2 WHERE transaction_id = %s",
    "DELETE FROM wallets_entry WHERE transaction_id = %s",
    "UPDATE wallets_transaction SET code = 'refund' WHERE id = %s",
    "DELETE FROM wallets_transaction WHERE id = %s",
])
def test_a_raw_update_or_delete_of_ledger_rows_is_refused(sql):
    tx, _ = _purchase()

    with pytest.raises(DatabaseError, match="never changed"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [tx.pk])

    assert sorted(Entry.objects.filter(transaction=tx).values_list("amount", flat=True)) == [-100, 100]
    assert LedgerTransaction.objects.get(pk=tx.pk).code == "purchase"


@pytest.mark.django_db
def test_orm_delete_of_an_entry_is_refused():
    tx, _ = _purchase()

    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.filter(transaction=tx).delete()

    assert Entry.objects.filter(transaction=tx).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_raw_unbalanced_insert_fails_at_commit():
    buyer = participant_balance()

    with pytest.raises(IntegrityError, match="unbalanced"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO wallets_transaction (code, idempotency_key, reference, memo, created_at) "
                           "VALUES ('adjustment', 'raw:1', '', '', now()) RETURNING id")
            tx_id = cursor.fetchone()[0]
            cursor.execute("INSERT INTO wallets_entry (transaction_id, account_id, amount) VALUES (%s, %s, 500)",
                           [tx_id, buyer.pk])
            # The statement itself passes: the check is deferred to commit.

    assert not LedgerTransaction.objects.filter(idempotency_key="raw:1").exists()


@pytest.mark.django_db(transaction=True)
def test_a_raw_balanced_insert_commits():
    a, b = participant_balance(), platform_payable()

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO wallets_transaction (code, idempotency_key, reference, memo, created_at) "
                       "VALUES ('adjustment', 'raw:2', '', '', now()) RETURNING id")
        tx_id = cursor.fetchone()[0]
        cursor.execute("INSERT INTO wallets_entry (transaction_id, account_id, amount) VALUES (%s, %s, 500), "
                       "(%s, %s, -500)", [tx_id, a.pk, tx_id, b.pk])

    assert Entry.objects.filter(transaction_id=tx_id).count() == 2


@pytest.mark.django_db(transaction=True)
def test_entries_balanced_only_across_statements_commit_and_unbalanced_ones_fail():
    a, b = participant_balance(), platform_payable()

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO wallets_transaction (code, idempotency_key, reference, memo, created_at) "
                       "VALUES ('adjustment', 'raw:3', '', '', now()) RETURNING id")
        tx_id = cursor.fetchone()[0]
        cursor.execute("INSERT INTO wallets_entry (transaction_id, account_id, amount) VALUES (%s, %s, 700)",
                       [tx_id, a.pk])
        cursor.execute("INSERT INTO wallets_entry (transaction_id, account_id, amount) VALUES (%s, %s, -700)",
                       [tx_id, b.pk])
    with pytest.raises(IntegrityError, match="unbalanced"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO wallets_entry (transaction_id, account_id, amount) VALUES (%s, %s, 1), "
                           "(%s, %s, -1)", [tx_id, a.pk, tx_id, b.pk])
            cursor.execute("INSERT INTO wallets_entry (transaction_id, account_id, amount) VALUES (%s, %s, 9)",
                           [tx_id, a.pk])

    assert Entry.objects.filter(transaction_id=tx_id).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_copy_of_unbalanced_entries_fails_at_commit():
    a = participant_balance()

    with pytest.raises(IntegrityError, match="unbalanced"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO wallets_transaction (code, idempotency_key, reference, memo, created_at) "
                           "VALUES ('adjustment', 'raw:4', '', '', now()) RETURNING id")
            tx_id = cursor.fetchone()[0]
            with cursor.cursor.copy("COPY wallets_entry (transaction_id, account_id, amount) FROM STDIN") as copy:
                copy.write_row((tx_id, a.pk, 5))

    assert not LedgerTransaction.objects.filter(idempotency_key="raw:4").exists()
