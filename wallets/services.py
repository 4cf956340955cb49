"""Writes to the ledger: the only way money moves.

Lock order, the same in every posting so that postings cannot deadlock each other: the
transaction's idempotency key (unique index), then the no-overdraft accounts (participant
balances) in id order, then every other account in id order at the end. The other accounts
(training fund, platform payables) are never read under a lock. On PostgreSQL ledger_post queues
their change in wallets_balance_pending and the server applies it at COMMIT (migration 0004), so a
hot account's row is locked only while the commit runs; elsewhere (and in batches) one
`balance = balance + x` statement each, just before commit.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from .exceptions import IdempotencyKeyReused, InsufficientBalance, UnbalancedTransaction
from .models import Account, Entry, LedgerTransaction

AccountRef = Account | int
Legs = list[tuple[int, int]]  # (account id, signed amount)

# SQLite's limit on bound parameters is the lowest of the supported databases.
_IN_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Posting:
    """One transaction of a `ledger_post_batch`; entries are (account or account id, signed rupiah)."""

    idempotency_key: str
    entries: Sequence[tuple[AccountRef, int]]
    reference: str = ""
    memo: str = ""


# --- accounts -------------------------------------------------------------------------------

@transaction.atomic
def account_get_or_create(*, kind: str, owner: Model | None = None) -> Account:
    """The one account of this kind for this owner (or for the program when owner is None).

    Safe under races: a concurrent creation of the same account returns that account."""
    owner_type = ContentType.objects.get_for_model(owner) if owner is not None else None
    lookup = {"kind": kind, "owner_type": owner_type, "owner_id": owner.pk if owner is not None else None}
    if account := Account.objects.filter(**lookup).first():
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(**lookup, no_overdraft=kind in Account.NO_OVERDRAFT_KINDS)
    except IntegrityError:  # another request created it after our read
        return Account.objects.get(**lookup)


def account_program_get(*, kind: str) -> Account:
    """The program's own account of this kind (training fund, budget source, forfeited, ...)."""
    return account_get_or_create(kind=kind, owner=None)


@transaction.atomic
def accounts_create_bulk(*, kind: str, owner_model: type[Model], owner_ids: Sequence[int]) -> dict[int, int]:
    """Create the accounts of `kind` for many owners at once; existing ones are kept.

    Returns {owner id: account id} for every owner id given."""
    owner_ids = list(dict.fromkeys(int(i) for i in owner_ids))
    if not owner_ids:
        return {}
    owner_type_id = ContentType.objects.get_for_model(owner_model).pk
    no_overdraft = kind in Account.NO_OVERDRAFT_KINDS
    result: dict[int, int] = {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO wallets_account (kind, owner_type_id, owner_id, balance, no_overdraft, created_at) "
                "SELECT %s, %s, o, 0, %s, now() FROM unnest(%s::bigint[]) AS o "
                "ON CONFLICT DO NOTHING RETURNING owner_id, id",
                [kind, owner_type_id, no_overdraft, owner_ids])
            result.update(cursor.fetchall())
    else:
        now = timezone.now()
        Account.objects.bulk_create(
            [Account(kind=kind, owner_type_id=owner_type_id, owner_id=o, no_overdraft=no_overdraft, created_at=now)
             for o in owner_ids], ignore_conflicts=True, batch_size=_IN_CHUNK)
    missing = [o for o in owner_ids if o not in result]
    for chunk in _chunks(missing, _IN_CHUNK):
        result.update(Account.objects.filter(kind=kind, owner_type_id=owner_type_id, owner_id__in=chunk)
                      .values_list("owner_id", "id"))
    return result


# --- posting --------------------------------------------------------------------------------

@transaction.atomic
def ledger_post(*, code: str, idempotency_key: str, entries: Sequence[tuple[AccountRef, int]],
                reference: str = "", memo: str = "") -> LedgerTransaction:
    """Post one balanced transaction: at least two non-zero integer entries summing to zero.

    The idempotency key is the caller's id for this movement: posting it again (also from a
    concurrent request) returns the first transaction and moves nothing. No-overdraft accounts
    (participant balances) are checked under their row lock and never go below zero.

    Raises UnbalancedTransaction, InsufficientBalance (nothing moved), IdempotencyKeyReused (the
    key was posted with another code, reference or entries)."""
    legs = _legs(entries)
    no_overdraft = _no_overdraft_ids(entries)
    now = timezone.now()
    with connection.cursor() as cursor:
        # On PostgreSQL a concurrent insert of the same key waits here until the first commits.
        cursor.execute(
            "INSERT INTO wallets_transaction (code, idempotency_key, reference, memo, created_at) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
            [code, idempotency_key, reference, memo, connection.ops.adapt_datetimefield_value(now)])
        row = cursor.fetchone()
        if row is None:
            return _replayed(code=code, idempotency_key=idempotency_key, legs=legs, reference=reference)
        tx_id = row[0]

        deltas = _deltas(legs)
        locked = sorted(a for a in deltas if a in no_overdraft)
        for account_id in locked:
            # One statement takes the row lock, checks and updates: no read-then-write window.
            cursor.execute("UPDATE wallets_account SET balance = balance + %s "
                           "WHERE id = %s AND balance + %s >= 0", [deltas[account_id], account_id, deltas[account_id]])
            if cursor.rowcount != 1:
                raise InsufficientBalance(details={"account": account_id})

        cursor.execute("INSERT INTO wallets_entry (transaction_id, account_id, amount) VALUES "
                       + ", ".join(["(%s, %s, %s)"] * len(legs)),
                       [v for account_id, amount in legs for v in (tx_id, account_id, amount)])

        hot = sorted(a for a in deltas if a not in no_overdraft)
        if hot and _hot_at_commit():
            # Applied by the server at COMMIT (migration 0004): the hot row is locked only then.
            cursor.execute("INSERT INTO wallets_balance_pending (account_id, amount) VALUES "
                           + ", ".join(["(%s, %s)"] * len(hot)), [v for a in hot for v in (a, deltas[a])])
        else:
            for account_id in hot:
                cursor.execute("UPDATE wallets_account SET balance = balance + %s WHERE id = %s",
                               [deltas[account_id], account_id])
    tx = LedgerTransaction(id=tx_id, code=code, idempotency_key=idempotency_key, reference=reference,
                           memo=memo, created_at=now)
    tx._state.adding, tx._state.db = False, connection.alias
    return tx


@transaction.atomic
def ledger_reverse(*, original: LedgerTransaction, idempotency_key: str, memo: str = "") -> LedgerTransaction:
    """Correct a posted transaction with a new one moving the same amounts back.

    Raises InsufficientBalance when a participant has already spent what would go back."""
    legs = list(original.entries.values_list("account", "amount"))
    return ledger_post(code=LedgerTransaction.Code.REVERSAL, idempotency_key=idempotency_key,
                       entries=[(account_id, -amount) for account_id, amount in legs],
                       reference=f"tx:{original.pk}", memo=memo)


@transaction.atomic
def ledger_post_batch(*, code: str, postings: Sequence[Posting]) -> list[str]:
    """Post many transactions of one code in one database transaction (the selection lottery's
    credits, a settlement run). Keys already posted are skipped; balance changes are applied once
    per account. Returns the idempotency keys newly posted, in the order given.

    Raises UnbalancedTransaction, InsufficientBalance (nothing of the batch moved),
    IdempotencyKeyReused (a key was posted before, or twice in this batch, with other content)."""
    by_key: dict[str, tuple[Posting, Legs]] = {}
    for posting in postings:
        legs = _legs(posting.entries)
        if earlier := by_key.get(posting.idempotency_key):
            if earlier[0].reference != posting.reference or sorted(earlier[1]) != sorted(legs):
                raise IdempotencyKeyReused(details={"idempotency_key": posting.idempotency_key})
            continue
        by_key[posting.idempotency_key] = (posting, legs)
    if not by_key:
        return []

    if connection.vendor == "postgresql":
        new_ids = _batch_insert_transactions_pg(code, by_key)
    else:
        new_ids = _batch_insert_transactions_generic(code, by_key)
    replayed = [k for k in by_key if k not in new_ids]
    if replayed:
        _check_replays(code, {k: by_key[k] for k in replayed})

    deltas: dict[int, int] = defaultdict(int)
    rows: list[tuple[int, int, int]] = []
    for key, tx_id in new_ids.items():
        for account_id, amount in by_key[key][1]:
            rows.append((tx_id, account_id, amount))
            deltas[account_id] += amount
    deltas = {a: d for a, d in deltas.items() if d}

    if connection.vendor == "postgresql":
        _batch_apply_pg(rows, deltas)
    else:
        _batch_apply_generic(rows, deltas)
    return [k for k in by_key if k in new_ids]


class Opening(NamedTuple):
    """One account of `accounts_open_funded`: its owner, and the key and reference of the transaction
    that funds it (a tuple: a selection makes hundreds of thousands)."""

    owner_id: int
    idempotency_key: str
    reference: str = ""


@transaction.atomic
def accounts_open_funded(*, kind: str, owner_model: type[Model], source: Account, amount: int, code: str,
                         openings: Sequence[Opening]) -> dict[int, int]:
    """Open an account of `kind` for each owner and fund each with its own transaction of `code`:
    `source` -amount, the new account +amount (the selection lottery's Rp1.000.000 credits).

    The same ledger as `accounts_create_bulk` then `ledger_post_batch` would write, and with the same
    guarantees (a key posted before moves nothing again), written at bulk speed on PostgreSQL: ids
    taken from the tables' sequences, transactions, accounts and entries written by COPY, each new
    account written with the balance its one entry gives it (so at commit every balance still equals
    its entries), the source updated by one statement, last (or first, under the no-overdraft check,
    when it may not go negative). When an owner already has such an account or a key was posted
    before, that attempt is rolled back to its savepoint and the general path runs instead, which
    keeps existing accounts and skips (and checks) posted keys.

    Returns {owner id: account id} for every owner given.
    Raises UnbalancedTransaction (amount not a positive whole rupiah), InsufficientBalance,
    IdempotencyKeyReused (as `ledger_post_batch`)."""
    if type(amount) is not int or amount <= 0 or source.pk is None:
        raise UnbalancedTransaction(details={"amount": repr(amount)})
    if not openings:
        return {}
    owners = [int(o.owner_id) for o in openings]
    keys = [o.idempotency_key for o in openings]
    if (connection.vendor == "postgresql" and len(set(owners)) == len(owners) and len(set(keys)) == len(keys)):
        from psycopg.errors import UniqueViolation

        try:
            with transaction.atomic():
                return _open_funded_pg(kind=kind, owner_model=owner_model, source=source, amount=amount,
                                       code=code, openings=openings)
        except (IntegrityError, UniqueViolation) as exc:  # COPY's errors come unwrapped by Django
            if not isinstance(exc, UniqueViolation) and not isinstance(exc.__cause__, UniqueViolation):
                raise
    accounts = accounts_create_bulk(kind=kind, owner_model=owner_model, owner_ids=owners)
    ledger_post_batch(code=code, postings=[
        Posting(idempotency_key=o.idempotency_key, reference=o.reference,
                entries=[(source, -amount), (accounts[int(o.owner_id)], amount)])
        for o in openings])
    return accounts


_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


def _copy_text(value: str) -> str:
    """A string as a field of COPY's text format (rows written as text are many times faster than
    row by row through the driver)."""
    if _COPY_SPECIAL.search(value) is None:
        return value
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy(cursor, statement: str, lines: Iterable[str], block: int = 2_000) -> None:
    """COPY lines of text format, sent in blocks as they are made: the server stores one block while
    the next is formatted, and memory holds one block."""
    lines = iter(lines)
    with cursor.copy(statement) as copy:
        while data := "".join(islice(lines, block)):
            copy.write(data)


_sequences: dict[tuple[str, str], str] = {}


def _id_sequence(cursor, table: str) -> str:
    """The sequence of `table`'s id column (looked up once per database: per row it costs more than
    the nextval)."""
    key = (connection.settings_dict["NAME"], table)
    if key not in _sequences:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        _sequences[key] = cursor.fetchone()[0]
    return _sequences[key]


def _open_funded_pg(*, kind: str, owner_model: type[Model], source: Account, amount: int, code: str,
                    openings: Sequence[Opening]) -> dict[int, int]:
    # Keys in sorted order, as ledger_post_batch takes them: two batches sharing keys wait for each
    # other in the same order, never deadlock.
    openings = sorted(openings, key=lambda o: o.idempotency_key)
    n = len(openings)
    owner_type_id = ContentType.objects.get_for_model(owner_model).pk
    no_overdraft = kind in Account.NO_OVERDRAFT_KINDS
    with connection.cursor() as cursor:
        raw = cursor.cursor
        cursor.execute("SELECT array_agg(nextval(%s::regclass)), array_agg(nextval(%s::regclass)) "
                       "FROM generate_series(1, %s)",
                       [_id_sequence(cursor, "wallets_transaction"), _id_sequence(cursor, "wallets_account"), n])
        tx_ids, account_ids = cursor.fetchone()
        source_id = int(source.pk)
        # Lock order as in every posting: the keys first (a key posted before, or being posted by a
        # concurrent transaction, stops this COPY at its unique index)...
        code = _copy_text(code)
        # Escaped one by one only if any of them needs it (one search instead of two per row).
        text = _copy_text if _COPY_SPECIAL.search("".join(f"{o.idempotency_key}{o.reference}" for o in openings)) \
            else str
        _copy(raw, "COPY wallets_transaction (id, code, idempotency_key, reference, memo) FROM STDIN",
              (f"{tx_id}\t{code}\t{text(o.idempotency_key)}\t{text(o.reference)}\t\n"
               for tx_id, o in zip(tx_ids, openings)))
        total = amount * n
        if source.no_overdraft:  # ...then a no-overdraft source, checked under its row lock...
            cursor.execute("UPDATE wallets_account SET balance = balance - %s WHERE id = %s AND balance - %s >= 0",
                           [total, source_id, total])
            if cursor.rowcount != 1:
                raise InsufficientBalance(details={"account": source_id})
        fields = f"\t{_copy_text(kind)}\t{owner_type_id}\t"
        tail = f"\t{amount}\t{'t' if no_overdraft else 'f'}\n"
        _copy(raw, "COPY wallets_account (id, kind, owner_type_id, owner_id, balance, no_overdraft) FROM STDIN",
              (f"{account_id}{fields}{int(o.owner_id)}{tail}" for account_id, o in zip(account_ids, openings)))
        # Both entries of a transaction in one statement: the per-statement balance check finds
        # every transaction balanced and queues nothing for commit.
        debit, credit = f"\t{source_id}\t{-amount}\n", f"\t{amount}\n"
        _copy(raw, "COPY wallets_entry (transaction_id, account_id, amount) FROM STDIN",
              (f"{tx_id}{debit}{tx_id}\t{account_id}{credit}" for tx_id, account_id in zip(tx_ids, account_ids)))
        if not source.no_overdraft:  # ...and an account that takes any balance, last.
            cursor.execute("UPDATE wallets_account SET balance = balance - %s WHERE id = %s", [total, source_id])
    return {int(o.owner_id): account_id for o, account_id in zip(openings, account_ids)}


# --- internals ------------------------------------------------------------------------------

def _hot_at_commit() -> bool:
    """Whether hot accounts' balances are applied at commit (PostgreSQL, LEDGER_HOT_BALANCES_AT_COMMIT).
    Until the commit, such an account's row shows its balance without this transaction's change."""
    return connection.vendor == "postgresql" and getattr(settings, "LEDGER_HOT_BALANCES_AT_COMMIT", False)


def _legs(entries: Sequence[tuple[AccountRef, int]]) -> Legs:
    legs: Legs = []
    for account, amount in entries:
        # Whole rupiah only: bool, float and Decimal are refused, not rounded.
        if type(amount) is not int or amount == 0:
            raise UnbalancedTransaction(details={"amount": repr(amount)})
        account_id = account if isinstance(account, int) else account.pk
        if account_id is None:
            raise UnbalancedTransaction(details={"account": "unsaved"})
        legs.append((account_id, amount))
    if len(legs) < 2 or sum(amount for _, amount in legs) != 0:
        raise UnbalancedTransaction(details={"sum": sum(amount for _, amount in legs), "entries": len(legs)})
    return legs


def _deltas(legs: Legs) -> dict[int, int]:
    deltas: dict[int, int] = defaultdict(int)
    for account_id, amount in legs:
        deltas[account_id] += amount
    return {a: d for a, d in deltas.items() if d}


def _no_overdraft_ids(entries: Sequence[tuple[AccountRef, int]]) -> set[int]:
    # `no_overdraft` follows the kind, which never changes: the caller's instance can be trusted
    # (and the CheckConstraint stands behind it).
    ids = {a.pk for a, _ in entries if isinstance(a, Account) and a.no_overdraft}
    bare = [a for a, _ in entries if isinstance(a, int)]
    if bare:
        ids.update(Account.objects.filter(pk__in=bare, no_overdraft=True).values_list("pk", flat=True))
    return ids


def _replayed(*, code: str, idempotency_key: str, legs: Legs, reference: str) -> LedgerTransaction:
    first = LedgerTransaction.objects.get(idempotency_key=idempotency_key)
    posted = sorted(first.entries.values_list("account_id", "amount"))
    if first.code != code or first.reference != reference or posted != sorted(legs):
        raise IdempotencyKeyReused(details={"transaction": first.pk})
    return first


def _check_replays(code: str, replayed: dict[str, tuple[Posting, Legs]]) -> None:
    for chunk in _chunks(list(replayed), _IN_CHUNK):
        posted: dict[str, tuple[str, str, list]] = {}
        for key, tx_code, reference, account_id, amount in (
                Entry.objects.filter(transaction__idempotency_key__in=chunk)
                .values_list("transaction__idempotency_key", "transaction__code", "transaction__reference",
                             "account_id", "amount")):
            posted.setdefault(key, (tx_code, reference, []))[2].append((account_id, amount))
        for key in chunk:
            posting, legs = replayed[key]
            tx_code, reference, got = posted.get(key, (None, None, []))
            if tx_code != code or reference != posting.reference or sorted(got) != sorted(legs):
                raise IdempotencyKeyReused(details={"idempotency_key": key})


def _batch_insert_transactions_pg(code: str, by_key: dict[str, tuple[Posting, Legs]]) -> dict[str, int]:
    # Sorted keys: two batches sharing keys wait for each other in the same order, never deadlock.
    keys = sorted(by_key)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO wallets_transaction (code, idempotency_key, reference, memo, created_at) "
            "SELECT %s, k, r, m, now() FROM unnest(%s::text[], %s::text[], %s::text[]) AS t(k, r, m) "
            "ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key, id",
            [code, keys, [by_key[k][0].reference for k in keys], [by_key[k][0].memo for k in keys]])
        return dict(cursor.fetchall())


def _batch_insert_transactions_generic(code: str, by_key: dict[str, tuple[Posting, Legs]]) -> dict[str, int]:
    # SQLite serialises writers, so a pre-filter of the posted keys cannot race.
    posted: set[str] = set()
    for chunk in _chunks(list(by_key), _IN_CHUNK):
        posted.update(LedgerTransaction.objects.filter(idempotency_key__in=chunk)
                      .values_list("idempotency_key", flat=True))
    now = timezone.now()
    created = LedgerTransaction.objects.bulk_create(
        [LedgerTransaction(code=code, idempotency_key=k, reference=p.reference, memo=p.memo, created_at=now)
         for k, (p, _) in by_key.items() if k not in posted], batch_size=_IN_CHUNK)
    if created and created[0].pk is None:
        return dict(LedgerTransaction.objects.filter(idempotency_key__in=[t.idempotency_key for t in created])
                    .values_list("idempotency_key", "id"))
    return {t.idempotency_key: t.pk for t in created}


def _batch_apply_pg(rows: list[tuple[int, int, int]], deltas: dict[int, int]) -> None:
    with connection.cursor() as cursor:
        # Lock the debited no-overdraft accounts in id order and check them under the lock
        # (NO KEY: entry inserts' foreign-key checks on these rows do not wait).
        debited = sorted(a for a, d in deltas.items() if d < 0)
        cursor.execute("SELECT id, balance FROM wallets_account WHERE id = ANY(%s) AND no_overdraft "
                       "ORDER BY id FOR NO KEY UPDATE", [debited])
        short = [a for a, balance in cursor.fetchall() if balance + deltas[a] < 0]
        if short:
            raise InsufficientBalance(details={"accounts": short[:20]})
        if rows:
            with cursor.cursor.copy("COPY wallets_entry (transaction_id, account_id, amount) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        ids = sorted(deltas)
        # Every no-overdraft account in one statement (ids sorted: rows are taken in id order)...
        cursor.execute(
            "UPDATE wallets_account AS a SET balance = a.balance + v.delta "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, delta) WHERE a.id = v.id AND a.no_overdraft "
            "RETURNING a.id", [ids, [deltas[a] for a in ids]])
        done = {r[0] for r in cursor.fetchall()}
        # ...then the accounts that take any balance, one statement each, last.
        for account_id in (a for a in ids if a not in done):
            cursor.execute("UPDATE wallets_account SET balance = balance + %s WHERE id = %s",
                           [deltas[account_id], account_id])


def _batch_apply_generic(rows: list[tuple[int, int, int]], deltas: dict[int, int]) -> None:
    no_overdraft: set[int] = set()
    for chunk in _chunks(sorted(deltas), _IN_CHUNK):
        no_overdraft.update(Account.objects.filter(pk__in=chunk, no_overdraft=True).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        for account_id in sorted(no_overdraft):
            cursor.execute("UPDATE wallets_account SET balance = balance + %s WHERE id = %s AND balance + %s >= 0",
                           [deltas[account_id], account_id, deltas[account_id]])
            if cursor.rowcount != 1:
                raise InsufficientBalance(details={"account": account_id})
        Entry.objects.bulk_create([Entry(transaction_id=t, account_id=a, amount=m) for t, a, m in rows],
                                  batch_size=_IN_CHUNK)
        for account_id in sorted(a for a in deltas if a not in no_overdraft):
            cursor.execute("UPDATE wallets_account SET balance = balance + %s WHERE id = %s",
                           [deltas[account_id], account_id])


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
