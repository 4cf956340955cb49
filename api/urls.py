from django.urls import path, re_path
from django.views.generic import TemplateView
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from . import views


@extend_schema_view(get=extend_schema(exclude=True))
class SchemaView(SpectacularAPIView):
    """The OpenAPI document itself, left out of the document."""


class DocsView(SpectacularRedocView):
    """Redoc from drf-spectacular-sidecar. The policy keeps the page on our host: Redoc's bundle
    would otherwise fetch its "powered by" logo from a CDN."""

    template_name = "api/redoc.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self' 'unsafe-inline' blob:; worker-src 'self' blob:; font-src 'self' data:; "
            "connect-src 'self'")
        return response


app_name = "api"

router = SimpleRouter(trailing_slash=False)
router.register("institutions", views.InstitutionViewSet, basename="institution")
router.register("courses", views.CourseViewSet, basename="course")
router.register("listings", views.ListingViewSet, basename="listing")
router.register("orders", views.OrderViewSet, basename="order")
router.register("checkout-sessions", views.CheckoutSessionViewSet, basename="checkout-session")
router.register("webhook-endpoints", views.WebhookEndpointViewSet, basename="webhook-endpoint")
router.register("webhook-deliveries", views.WebhookDeliveryViewSet, basename="webhook-delivery")

urlpatterns = [
    path("platform", views.PlatformView.as_view(), name="platform"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    path("docs/try/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs-try"),
    path("docs/guide/", TemplateView.as_view(template_name="api/guide.html"), name="guide"),
    *router.urls,
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not-found"),
]
