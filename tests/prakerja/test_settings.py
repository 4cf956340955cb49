"""Production settings pass Django's deployment checks; money formats as rupiah."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from prakerja.templatetags.money import format_rupiah

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_reports_no_warning_with_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG"))}
    env.update(
        DJANGO_SETTINGS_MODULE="prakerja.settings.production",
        SECRET_KEY="x" * 25 + "a-long-random-production-secret-0123456789",
        ALLOWED_HOSTS="prakerja.example.id",
        DATABASE_URL="sqlite:////tmp/prakerja-deploy-check.sqlite3",
    )
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY",)}
    env.update(DJANGO_SETTINGS_MODULE="prakerja.settings.production", ALLOWED_HOSTS="x",
               DATABASE_URL="sqlite:////tmp/x.sqlite3")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("amount, text", [
    (1_000_000, "Rp1.000.000"), (600_000, "Rp600.000"), (0, "Rp0"), (999, "Rp999"),
    (5_600_000_000_000, "Rp5.600.000.000.000"), (-2_500, "-Rp2.500"), (None, "—"),
])
def test_rupiah_is_written_with_dots_between_thousands(amount, text):
    assert format_rupiah(amount) == text
