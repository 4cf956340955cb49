from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("akun/", include("allauth.urls")),
    path("peserta/", include("accounts.urls")),
    path("pelatihan/", include("catalog.urls")),
    path("mitra/", include("platforms.urls")),
    path("api/v1/", include("api.urls")),
    path("checkout/", include("api.checkout_urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Kartu Prakerja — Manajemen Pelaksana"
admin.site.site_title = "Prakerja PMO"
admin.site.index_title = "Program office"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
