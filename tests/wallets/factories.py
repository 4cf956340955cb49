"""Ledger test data: accounts come from the account service, funds from the posting service."""
from __future__ import annotations

import itertools

from tests.accounts.factories import UserFactory
from wallets.models import Account, LedgerTransaction
from wallets.services import account_get_or_create, account_program_get, ledger_post

Kind = Account.Kind
Code = LedgerTransaction.Code
_keys = itertools.count(1)


def training_fund() -> Account:
    return account_program_get(kind=Kind.TRAINING_FUND)


def platform_payable() -> Account:
    return account_get_or_create(kind=Kind.PLATFORM_PAYABLE, owner=UserFactory(verified=False))


def participant_balance(*, funded: int = 0) -> Account:
    """A participant's balance account, credited `funded` rupiah from the training fund."""
    account = account_get_or_create(kind=Kind.PARTICIPANT_BALANCE, owner=UserFactory(verified=False))
    if funded:
        ledger_post(code=Code.BALANCE_CREDIT, idempotency_key=f"test-credit:{next(_keys)}",
                    entries=[(training_fund(), -funded), (account, funded)], reference="test")
        account.refresh_from_db()
    return account


def fresh_key(prefix: str = "k") -> str:
    return f"{prefix}:{next(_keys)}"
