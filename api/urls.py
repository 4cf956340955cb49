from django.urls import path, re_path
from django.views.generic import TemplateView
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from . import views


@extend_schema_view(get=extend_schema(exclude=True))
class SchemaView(SpectacularAPIView):
    """The OpenAPI document itself, left out of the document."""


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
    path("docs/", SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"), name="docs"),
    path("docs/try/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs-try"),
    path("docs/guide/", TemplateView.as_view(template_name="api/guide.html"), name="guide"),
    *router.urls,
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not-found"),
]
