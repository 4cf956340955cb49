from django.urls import path

from . import views

app_name = "platforms"
urlpatterns = [
    path("daftar/", views.application_create, name="apply"),
    path("status/", views.status_link_resend, name="status_resend"),
    path("status/<str:token>/", views.application_status, name="status"),
    path("dokumen/<int:pk>/", views.document_download, name="document"),
]
