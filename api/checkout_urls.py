from django.urls import path

from . import checkout_views

app_name = "checkout"

urlpatterns = [
    path("<str:session_id>/", checkout_views.checkout_confirm, name="confirm"),
]
