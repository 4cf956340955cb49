"""PMO permission groups: evaluator, approver, finance, viewer; and, on PostgreSQL, a trigger that
keeps the platform audit trail append-only whatever code runs."""
from django.db import migrations

VIEW = {
    "platforms": ["platform", "platformstatuschange", "platformdocument", "evaluation", "criterionscore",
                  "quarterlyreview"],
    "catalog": ["institution", "course", "partnership", "listing", "enrollment", "rating"],
}
FINANCE_VIEW = {"wallets": ["account", "ledgertransaction", "entry"]}
GROUPS = {
    "viewer": [],
    "evaluator": ["platforms.evaluate_platform", "platforms.curate_catalog"],
    "approver": ["platforms.approve_platform", "platforms.curate_catalog"],
    "finance": [],
}


def _ensure_permissions(apps):
    # Permissions are normally created after all migrations; a data migration needs them now.
    from django.contrib.auth.management import create_permissions

    for label in ("platforms", "catalog", "wallets"):
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None


def _perm(apps, app_label, codename):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def create_groups(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    viewing = [_perm(apps, app, f"view_{model}") for app, models in VIEW.items() for model in models]
    for name, extra in GROUPS.items():
        group, _created = Group.objects.get_or_create(name=name)
        perms = list(viewing) + [_perm(apps, *p.split(".")) for p in extra]
        if name == "finance":
            perms += [_perm(apps, app, f"view_{m}") for app, models in FINANCE_VIEW.items() for m in models]
        group.permissions.add(*perms)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


TRIGGER = """
CREATE OR REPLACE FUNCTION platforms_status_change_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'platform status changes are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER platforms_status_change_append_only
    BEFORE UPDATE OR DELETE ON platforms_platformstatuschange
    FOR EACH ROW EXECUTE FUNCTION platforms_status_change_append_only();
"""
DROP_TRIGGER = """
DROP TRIGGER IF EXISTS platforms_status_change_append_only ON platforms_platformstatuschange;
DROP FUNCTION IF EXISTS platforms_status_change_append_only();
"""


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [
        ("platforms", "0002_lifecycle"),
        ("catalog", "0001_initial"),
        ("wallets", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_groups, remove_groups),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
