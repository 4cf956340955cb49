"""Fast, deterministic test settings; DATABASE_URL still chooses SQLite or PostgreSQL."""
from .base import *  # noqa: F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "memory://localhost/"
# Tests run tasks in-process unless a test asks for the real worker explicitly.
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests run inside a transaction that never commits: apply hot balances at once so they can be read
# (tests of the at-commit path turn it on in committing, transactional tests).
LEDGER_HOT_BALANCES_AT_COMMIT = False
