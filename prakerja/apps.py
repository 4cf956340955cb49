from django.apps import AppConfig


class PrakerjaConfig(AppConfig):
    name = "prakerja"
    verbose_name = "Prakerja"
