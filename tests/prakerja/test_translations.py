"""Every participant-facing string has its Indonesian translation, and the compiled catalogue is used."""
import subprocess
import sys
from pathlib import Path

from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]


def test_the_indonesian_catalogue_has_no_empty_or_fuzzy_entry():
    result = subprocess.run([sys.executable, "locale/check_complete.py"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_compiled_catalogue_translates_a_rule_message():
    with translation.override("id"):
        assert translation.gettext("Participants must be at least %(age)s years old.") != \
            "Participants must be at least %(age)s years old."


def test_a_withdrawn_course_and_a_withdrawn_platform_read_differently_in_indonesian():
    from django.utils import translation

    from catalog.models import Course
    from platforms.models import Platform

    with translation.override("id"):
        assert str(Course.Status.WITHDRAWN.label) == "Ditarik"
        assert str(Platform.Status.WITHDRAWN.label) == "Mengundurkan diri"
