import datetime as dt

import django_filters as df

from catalog.models import Category, Course, Enrollment, Institution, Partnership

from .models import CheckoutSession, WebhookDelivery, WebhookEndpoint


class DateTimeFilter(df.IsoDateTimeFilter):
    """ISO 8601 with an offset PostgreSQL accepts (within ±15:59) and a year from 2000 to 2100."""

    def filter(self, qs, value):
        if value is not None:
            from django.core.exceptions import ValidationError

            offset = value.utcoffset()
            if (offset is not None and abs(offset) >= dt.timedelta(hours=16)) or not 2000 <= value.year <= 2100:
                raise ValidationError({self.field_name: ["Give a date-time between 2000 and 2100 with a valid offset."]})
        return super().filter(qs, value)


class StrictFilterSet(df.FilterSet):
    """A filter that is given must have a valid value: `?status=` or `?is_active=maybe` is a 400,
    not silently ignored (a typo must not return every row)."""

    def is_valid(self):
        valid = super().is_valid()
        for name in self.filters:
            if name in self.data and self.form.is_bound:
                value = self.form.cleaned_data.get(name) if hasattr(self.form, "cleaned_data") else None
                if self.data.get(name, "") == "" or value is None:
                    if name not in self.form.errors:
                        self.form.add_error(name, "Give a valid value or leave this filter out.")
                    valid = False
        return valid


class InstitutionFilter(StrictFilterSet):
    status = df.ChoiceFilter(field_name="institution__status", choices=Institution.Status.choices)
    partnership_status = df.ChoiceFilter(field_name="status", choices=Partnership.Status.choices)


class CourseFilter(StrictFilterSet):
    status = df.ChoiceFilter(choices=Course.Status.choices)
    institution = df.NumberFilter(field_name="institution_id")
    category = df.ChoiceFilter(choices=Category.choices)


class ListingFilter(StrictFilterSet):
    is_active = df.ChoiceFilter(choices=[("true", "true"), ("false", "false")], method="filter_active",
                                field_name="active_choice",
                                help_text="`true` or `false`.")
    course = df.NumberFilter(field_name="course_id")


    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "true")


class OrderFilter(StrictFilterSet):
    status = df.ChoiceFilter(choices=Enrollment.Status.choices)
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte",
                                         help_text="ISO 8601 date-time, e.g. 2020-05-01T00:00:00+07:00.")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")
    listing = df.NumberFilter(field_name="listing_id")
    course = df.NumberFilter(field_name="course_id")


class CheckoutSessionFilter(StrictFilterSet):
    status = df.ChoiceFilter(choices=CheckoutSession.Status.choices)


class WebhookDeliveryFilter(StrictFilterSet):
    status = df.ChoiceFilter(choices=WebhookDelivery.Status.choices)
    endpoint = df.CharFilter(field_name="endpoint__public_id")
    event_type = df.ChoiceFilter(field_name="event__type", choices=[(t, t) for t in WebhookEndpoint.EVENT_TYPES])
