"""Random credits, purchases, refunds and retries keep every ledger invariant.

Each Hypothesis example runs inside its own atomic block, rolled back at teardown, so examples
start from an empty ledger under pytest-django's test transaction."""
from collections import defaultdict

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from wallets.exceptions import IdempotencyKeyReused, InsufficientBalance
from wallets.models import Account, LedgerTransaction
from wallets.selectors import ledger_reconcile
from wallets.services import ledger_post

from .factories import Code, participant_balance, platform_payable, training_fund

amounts = st.integers(min_value=1, max_value=1_500_000)


class LedgerMachine(RuleBasedStateMachine):
    participants = Bundle("participants")

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.fund = training_fund()
        self.payables = [platform_payable(), platform_payable()]
        self.expected: dict[int, int] = defaultdict(int)
        self.posted: dict[str, tuple[str, list, str, int]] = {}  # key -> (code, entries, reference, tx id)
        self.seq = 0

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _post(self, code, entries, reference=""):
        self.seq += 1
        key = f"{code}:{self.seq}"
        tx = ledger_post(code=code, idempotency_key=key, entries=entries, reference=reference)
        self.posted[key] = (code, entries, reference, tx.pk)
        for account, amount in entries:
            self.expected[account.pk] += amount
        return tx

    @rule(target=participants, credit=st.integers(min_value=0, max_value=2_000_000))
    def accept_participant(self, credit):
        account = participant_balance()
        self.expected[account.pk] += 0
        if credit:
            self._post(Code.BALANCE_CREDIT, [(self.fund, -credit), (account, credit)], reference="wave:1")
        return account

    @rule(buyer=participants, platform=st.integers(0, 1), price=amounts)
    def purchase(self, buyer, platform, price):
        payable = self.payables[platform]
        if self.expected[buyer.pk] >= price:
            self._post(Code.PURCHASE, [(buyer, -price), (payable, price)], reference=f"order:{self.seq}")
        else:
            before = LedgerTransaction.objects.count()
            with pytest.raises(InsufficientBalance):
                ledger_post(code=Code.PURCHASE, idempotency_key=f"refused:{self.seq}",
                            entries=[(buyer, -price), (payable, price)])
            assert LedgerTransaction.objects.count() == before

    @rule(buyer=participants, platform=st.integers(0, 1), amount=amounts)
    def refund(self, buyer, platform, amount):
        self._post(Code.REFUND, [(self.payables[platform], -amount), (buyer, amount)])

    @precondition(lambda self: self.posted)
    @rule(data=st.data())
    def retry_same_key(self, data):
        key = data.draw(st.sampled_from(sorted(self.posted)))
        code, entries, reference, tx_id = self.posted[key]

        again = ledger_post(code=code, idempotency_key=key, entries=list(reversed(entries)), reference=reference)

        assert again.pk == tx_id

    @precondition(lambda self: self.posted)
    @rule(data=st.data(), extra=st.integers(1, 1000))
    def reuse_key_for_other_amounts(self, data, extra):
        key = data.draw(st.sampled_from(sorted(self.posted)))
        code, entries, reference, _ = self.posted[key]
        (a, x), (b, y) = entries[0], entries[1]

        with pytest.raises(IdempotencyKeyReused):
            ledger_post(code=code, idempotency_key=key, entries=[(a, x - extra), (b, y + extra)], reference=reference)

    @invariant()
    def balances_match_the_model_and_the_entries(self):
        stored = dict(Account.objects.filter(pk__in=list(self.expected) + [self.fund.pk])
                      .values_list("pk", "balance"))
        for account_id, balance in self.expected.items():
            assert stored[account_id] == balance
        assert not Account.objects.filter(no_overdraft=True, balance__lt=0).exists()
        report = ledger_reconcile(chunk_size=25)
        assert report.ok, [str(d) for d in report.differences]


@pytest.mark.django_db
def test_random_postings_and_retries_keep_the_ledger_invariants():
    run_state_machine_as_test(LedgerMachine, settings=settings(
        max_examples=30, stateful_step_count=20, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
