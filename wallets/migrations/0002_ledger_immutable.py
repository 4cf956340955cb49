"""PostgreSQL refuses what the posting service refuses: unbalanced transactions (checked at
commit, when all of a transaction's entries are in) and any UPDATE or DELETE of ledger rows.
On SQLite the posting service is the only guard."""
from django.db import migrations

FORWARD = """
CREATE FUNCTION wallets_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger rows are never changed: % on % refused (post a reversing transaction)',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER wallets_transaction_immutable BEFORE UPDATE OR DELETE ON wallets_transaction
    FOR EACH ROW EXECUTE FUNCTION wallets_refuse_change();
CREATE TRIGGER wallets_entry_immutable BEFORE UPDATE OR DELETE ON wallets_entry
    FOR EACH ROW EXECUTE FUNCTION wallets_refuse_change();

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

BACKWARD = """
DROP TRIGGER IF EXISTS wallets_entry_balanced ON wallets_entry;
DROP FUNCTION IF EXISTS wallets_check_balanced();
DROP TRIGGER IF EXISTS wallets_entry_immutable ON wallets_entry;
DROP TRIGGER IF EXISTS wallets_transaction_immutable ON wallets_transaction;
DROP FUNCTION IF EXISTS wallets_refuse_change();
"""


class PostgreSQLOnlySQL(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("wallets", "0001_initial")]

    operations = [PostgreSQLOnlySQL(FORWARD, BACKWARD)]
