import django_filters as df

from catalog.models import Category, Course, Enrollment, Institution, Partnership

from .models import CheckoutSession, WebhookDelivery, WebhookEndpoint


class InstitutionFilter(df.FilterSet):
    status = df.ChoiceFilter(field_name="institution__status", choices=Institution.Status.choices)
    partnership_status = df.ChoiceFilter(field_name="status", choices=Partnership.Status.choices)


class CourseFilter(df.FilterSet):
    status = df.ChoiceFilter(choices=Course.Status.choices)
    institution = df.NumberFilter(field_name="institution_id")
    category = df.ChoiceFilter(choices=Category.choices)


class ListingFilter(df.FilterSet):
    is_active = df.BooleanFilter()
    course = df.NumberFilter(field_name="course_id")


class OrderFilter(df.FilterSet):
    status = df.ChoiceFilter(choices=Enrollment.Status.choices)
    created_after = df.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte",
                                         help_text="ISO 8601 date-time, e.g. 2020-05-01T00:00:00+07:00.")
    created_before = df.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    listing = df.NumberFilter(field_name="listing_id")
    course = df.NumberFilter(field_name="course_id")


class CheckoutSessionFilter(df.FilterSet):
    status = df.ChoiceFilter(choices=CheckoutSession.Status.choices)


class WebhookDeliveryFilter(df.FilterSet):
    status = df.ChoiceFilter(choices=WebhookDelivery.Status.choices)
    endpoint = df.CharFilter(field_name="endpoint__public_id")
    event_type = df.ChoiceFilter(field_name="event__type", choices=[(t, t) for t in WebhookEndpoint.EVENT_TYPES])
