from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = _("Platform API")

    def ready(self) -> None:
        # Periodic jobs of the platform API, merged into whatever schedule the project sets, so
        # Celery beat retries due webhooks (also after a worker restart), expires checkout sessions
        # and forgets idempotency keys after 24 hours.
        from prakerja.celery import app

        app.conf.beat_schedule = {
            **(app.conf.beat_schedule or {}),
            "api-webhook-retries": {"task": "api.tasks.webhook_deliveries_retry_due_task", "schedule": 60.0},
            "api-checkout-expiry": {"task": "api.tasks.checkout_sessions_expire_task", "schedule": 300.0},
            "api-idempotency-purge": {"task": "api.tasks.idempotency_keys_purge_task", "schedule": 3600.0},
        }
