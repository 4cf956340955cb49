"""Settings shared by every environment; each value comes from the environment.

The defaults run the demo: SQLite in the project folder, Celery tasks in-process,
mail printed to the console.
"""
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str("SECRET_KEY", default="demo-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The site's public address, for links in emails sent without a request (the demo seed, a task).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "prakerja",
    "accounts",
    "platforms",
    "catalog",
    "wallets",
    "payments",
    "reports",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "prakerja.middleware.LanguageMiddleware",
    "prakerja.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "prakerja.urls"
WSGI_APPLICATION = "prakerja.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A demo server and an in-process task may write at once: wait rather than fail.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
elif env.bool("DB_POOL", default=False):
    # Django's own psycopg 3 pool: connections are reused across requests.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN", default=2),
        "max_size": env.int("DB_POOL_MAX", default=10),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:dashboard"

# django-allauth: email is the login; no usernames; the address must be verified.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_SIGNUP_REDIRECT_URL = "accounts:profile"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Kartu Prakerja] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.str("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Kartu Prakerja <noreply@prakerja.local>")

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# The cache also holds the API's per-key throttle counters: give every process the same one in
# production (CACHE_URL=redis://host:6379/1); the demo keeps a per-process memory cache.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# Platform documents (applications' evidence) are private: kept outside MEDIA_ROOT, served to staff only.
PLATFORM_DOCUMENTS_ROOT = env.path("PLATFORM_DOCUMENTS_ROOT", default=BASE_DIR / "private" / "platform-documents")
PLATFORM_DOCUMENT_MAX_BYTES = env.int("PLATFORM_DOCUMENT_MAX_BYTES", default=5 * 1024 * 1024)

# Celery: with no broker configured, tasks run in-process at once (the demo).
CELERY_TASK_ALWAYS_EAGER = not env.str("CELERY_BROKER_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60

# PostgreSQL: a hot account's (training fund, platform payable) balance change is applied by the
# server at COMMIT, so concurrent postings do not queue on its row (wallets migration 0004).
LEDGER_HOT_BALANCES_AT_COMMIT = env.bool("LEDGER_HOT_BALANCES_AT_COMMIT", default=True)

# Applicants processed per database transaction by the selection lottery.
SELECTION_CHUNK_SIZE = env.int("SELECTION_CHUNK_SIZE", default=5_000)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "prakerja.exceptions.api_exception_handler",
    # The platform API sets its own authentication (API keys) and throttle per key.
    "DEFAULT_THROTTLE_RATES": {"api_key": env.str("API_RATE_PER_KEY", default="100/s")},
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kartu Prakerja Platform API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "The REST API through which partner digital platforms list courses, take participants' orders paid "
        "from their training balance, and report redemption and completion.\n\n"
        "**New here? Start with the [getting-started guide](/api/v1/docs/guide/)**: from a sandbox key to a "
        "first completed order, and how to verify a webhook signature.\n\n"
        "* Authenticate with `Authorization: Bearer <key>` (sandbox keys `pk_test_…`, live keys `pk_live_…`).\n"
        "* Send an `Idempotency-Key` header on every POST so a retry never does the work twice.\n"
        "* Every error is `{\"error\": {\"code\", \"message\", \"field\", \"fields\", \"details\"}}`; "
        "an object of another platform is `404`. At most 100 requests per second per key (`429` with "
        "`Retry-After`).\n"
        "* Lists are cursor-paginated: `{\"object\": \"list\", \"data\": [...], \"has_more\", \"next\"}`; "
        "`limit` up to 100.\n"
        "* Money is whole rupiah (integers); times are ISO 8601 in Asia/Jakarta (+07:00)."
    ),
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # System fonts: the docs load nothing from another host.
    "REDOC_UI_SETTINGS": {"theme": {"typography": {"fontFamily": "system-ui, sans-serif",
                                                   "headings": {"fontFamily": "system-ui, sans-serif"}}}},
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PlatformStatusEnum": "platforms.models.Platform.Status",
        "InstitutionStatusEnum": "catalog.models.Institution.Status",
        "PartnershipStatusEnum": "catalog.models.Partnership.Status",
        "CourseStatusEnum": "catalog.models.Course.Status",
        "OrderStatusEnum": "catalog.models.Enrollment.Status",
        "CheckoutSessionStatusEnum": "api.models.CheckoutSession.Status",
        "WebhookDeliveryStatusEnum": "api.models.WebhookDelivery.Status",
    },
    "TAGS": [
        {"name": "Platform"}, {"name": "Institutions"}, {"name": "Courses"}, {"name": "Listings"},
        {"name": "Orders"}, {"name": "Checkout sessions"}, {"name": "Webhooks"},
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
