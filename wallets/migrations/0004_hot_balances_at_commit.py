"""Hot accounts (the training fund, a platform's payable: any account that may take any balance)
get their balance change applied at COMMIT, inside the server, instead of by an UPDATE the client
sends before committing. ledger_post inserts the change into wallets_balance_pending (an insert
locks nothing); a deferred constraint trigger applies it to the account row and deletes it at
commit. The hot row is then locked only while the commit itself runs, not across the client's
round trips (and, in a threaded server, its wait for the interpreter lock) before COMMIT, so
postings into one payable no longer queue on it. A transaction that rolls back applies nothing.
Rows are queued in account id order, so two transactions touching the same hot accounts take
their locks in the same order."""
from importlib import import_module

from django.db import migrations

PostgreSQLOnlySQL = import_module("wallets.migrations.0002_ledger_immutable").PostgreSQLOnlySQL

FORWARD = """
CREATE TABLE wallets_balance_pending (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL,
    amount bigint NOT NULL
);

CREATE FUNCTION wallets_balance_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE wallets_account SET balance = balance + NEW.amount WHERE id = NEW.account_id;
    DELETE FROM wallets_balance_pending WHERE id = NEW.id;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER wallets_balance_apply AFTER INSERT ON wallets_balance_pending
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION wallets_balance_apply();
"""

BACKWARD = """
DROP TRIGGER wallets_balance_apply ON wallets_balance_pending;
DROP FUNCTION wallets_balance_apply();
DROP TABLE wallets_balance_pending;
"""


class Migration(migrations.Migration):
    dependencies = [("wallets", "0003_balanced_check_per_statement")]

    operations = [PostgreSQLOnlySQL(FORWARD, BACKWARD)]
