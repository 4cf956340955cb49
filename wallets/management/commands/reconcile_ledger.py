"""Check every balance against its entries and every transaction against zero; non-zero exit on
any difference (for cron and CI)."""
from django.core.management.base import BaseCommand, CommandError

from wallets.selectors import ledger_reconcile


class Command(BaseCommand):
    help = "Reconcile the ledger: balances equal their entries, transactions sum to zero, no negative balance."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=20_000)
        parser.add_argument("--max-differences", type=int, default=1_000)

    def handle(self, *args, chunk_size: int, max_differences: int, **options):
        report = ledger_reconcile(chunk_size=chunk_size, max_differences=max_differences)
        self.stdout.write(f"transactions checked: {report.transactions_checked}")
        self.stdout.write(f"accounts checked: {report.accounts_checked}")
        for difference in report.differences:
            self.stdout.write(f"DIFFERENCE {difference}")
        if not report.ok:
            shown = len(report.differences)
            more = f" ({report.differences_found - shown} more not shown)" if report.differences_found > shown else ""
            raise CommandError(f"ledger has {report.differences_found} difference(s){more}")
        self.stdout.write(self.style.SUCCESS("ledger reconciled: no differences"))
