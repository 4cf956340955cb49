from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("profil/", views.profile_edit, name="profile"),
    path("gelombang/daftar/", views.wave_apply_view, name="wave-apply"),
    path("gelombang/<int:number>/hasil/", views.wave_result, name="wave-result"),
    path("gelombang/<int:number>/pendaftar.csv", views.wave_applications_csv, name="wave-applications-csv"),
]
