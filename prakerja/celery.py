import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prakerja.settings.local")

app = Celery("prakerja")
# Every CELERY_* Django setting configures the app; settings decide eager vs. broker.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
