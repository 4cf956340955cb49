"""The balance check of 0002 queued one deferred trigger event per entry: at 400,000 entries a
selection run spent most of its time there, and a hot account's row lock was held while the
queue ran at commit. Now one statement-level trigger sums each INSERT's (or COPY's) entries per
transaction; only transactions whose entries in that statement do not sum to zero (so far) are
queued for the DEFERRABLE INITIALLY DEFERRED check at commit. If every statement's share sums to
zero, the transaction does; a transaction written over several statements is checked as a whole
at commit."""
from django.db import migrations

from importlib import import_module

PostgreSQLOnlySQL = import_module("wallets.migrations.0002_ledger_immutable").PostgreSQLOnlySQL

FORWARD = """
DROP TRIGGER wallets_entry_balanced ON wallets_entry;
DROP FUNCTION wallets_check_balanced();

CREATE TABLE wallets_unbalanced_pending (
    id bigserial PRIMARY KEY,
    transaction_id bigint NOT NULL
);

CREATE FUNCTION wallets_entries_flag_unbalanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO wallets_unbalanced_pending (transaction_id)
        SELECT transaction_id FROM new_entries GROUP BY transaction_id HAVING SUM(amount) <> 0;
    RETURN NULL;
END $$;

CREATE TRIGGER wallets_entry_balanced_statement AFTER INSERT ON wallets_entry
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION wallets_entries_flag_unbalanced();

CREATE FUNCTION wallets_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    total bigint;
BEGIN
    SELECT COALESCE(SUM(amount), 0) INTO total FROM wallets_entry WHERE transaction_id = NEW.transaction_id;
    IF total <> 0 THEN
        RAISE EXCEPTION 'ledger transaction % is unbalanced: its entries sum to %', NEW.transaction_id, total
            USING ERRCODE = 'check_violation';
    END IF;
    DELETE FROM wallets_unbalanced_pending WHERE id = NEW.id;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER wallets_entry_balanced AFTER INSERT ON wallets_unbalanced_pending
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION wallets_check_balanced();
"""

BACKWARD = """
DROP TRIGGER wallets_entry_balanced ON wallets_unbalanced_pending;
DROP FUNCTION wallets_check_balanced();
DROP TRIGGER wallets_entry_balanced_statement ON wallets_entry;
DROP FUNCTION wallets_entries_flag_unbalanced();
DROP TABLE wallets_unbalanced_pending;

CREATE FUNCTION wallets_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    total bigint;
BEGIN
    SELECT COALESCE(SUM(amount), 0) INTO total FROM wallets_entry WHERE transaction_id = NEW.transaction_id;
    IF total <> 0 THEN
        RAISE EXCEPTION 'ledger transaction % is unbalanced: its entries sum to %', NEW.transaction_id, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER wallets_entry_balanced AFTER INSERT ON wallets_entry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION wallets_check_balanced();
"""


class Migration(migrations.Migration):
    dependencies = [("wallets", "0002_ledger_immutable")]

    operations = [PostgreSQLOnlySQL(FORWARD, BACKWARD)]
