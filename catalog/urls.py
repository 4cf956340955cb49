"""The participant's marketplace pages under /pelatihan/ (Indonesian paths, as participants see them)."""
from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.catalog_list, name="list"),
    path("kursus/<int:course_id>/", views.course_detail, name="course"),
    path("beli/<int:listing_id>/", views.buy, name="buy"),
    path("saya/", views.my_training, name="my_training"),
    path("saya/<int:enrollment_id>/", views.enrollment_detail, name="enrollment"),
    path("saya/<int:enrollment_id>/nilai/", views.rate, name="rate"),
]
