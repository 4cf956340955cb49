"""Forms of the marketplace pages: the catalog's search and filters, the purchase confirmation,
the rating of a completed course. They parse input; the selectors and services do the rest."""
from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.regions import PROVINCE_CHOICES

from .models import MAX_PRICE, Category, Course
from .search import MAX_QUERY_LENGTH
from .selectors import CatalogFilters, Sort

# The empty choice, "Recommended", is relevance when searching and best-selling otherwise: a new
# search typed on a page sorted by default is sorted by relevance, not by what the last page used.
SORT_CHOICES = [
    (Sort.RELEVANCE, _("Most relevant")),
    (Sort.POPULAR, _("Best-selling")),
    (Sort.PRICE, _("Cheapest")),
    (Sort.RATING, _("Highest rated")),
    (Sort.NEWEST, _("Newest")),
]
RATING_CHOICES = [("", _("Any rating")), ("4", _("4★ and up")), ("3", _("3★ and up")), ("2", _("2★ and up"))]


class CatalogFilterForm(forms.Form):
    """The catalog's GET form. An invalid value is reported beside its field and that filter alone
    is ignored; the rest of the search still runs."""

    q = forms.CharField(label=_("Search training"), required=False, max_length=MAX_QUERY_LENGTH,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. digital marketing, barista"),
                                                      "enterkeyhint": "search", "autocomplete": "off"}))
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All categories")), *Category.choices])
    platform = forms.ChoiceField(label=_("Platform"), required=False)
    institution = forms.TypedChoiceField(label=_("Training institution"), required=False, coerce=int,
                                         empty_value=None)
    province = forms.ChoiceField(label=_("Institution's province"), required=False,
                                 choices=[("", _("All provinces")), *PROVINCE_CHOICES])
    mode = forms.ChoiceField(label=_("Mode"), required=False, choices=[("", _("Any mode")), *Course.Mode.choices])
    price_min = forms.IntegerField(label=_("Price from (Rp)"), required=False, min_value=0, max_value=MAX_PRICE,
                                   widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "0"}))
    price_max = forms.IntegerField(label=_("Price up to (Rp)"), required=False, min_value=0, max_value=MAX_PRICE,
                                   widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "1000000"}))
    rating_min = forms.TypedChoiceField(label=_("Rating"), required=False, choices=RATING_CHOICES, coerce=int,
                                        empty_value=None)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    FILTERS = ("category", "platform", "institution", "province", "mode", "price_min", "price_max", "rating_min")

    def __init__(self, *args, platforms=(), institutions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = [("", _("All platforms")), *platforms]
        self.fields["institution"].choices = [("", _("All institutions")), *institutions]

    def clean(self):
        data = super().clean()
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("The highest price must not be below the lowest price."))
        return data

    def filters(self) -> CatalogFilters:
        """The valid part of what was asked: an invalid field is left out, not the whole search."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        return CatalogFilters(**data)

    def active_filter_count(self) -> int:
        self.is_valid()
        return sum(1 for name in self.FILTERS if self.cleaned_data.get(name) not in (None, ""))


class PurchaseForm(forms.Form):
    """The confirmation's one hidden field: a token made when the page is shown, so a double click
    or a resubmitted page sends the same token and the purchase happens once."""

    token = forms.UUIDField(widget=forms.HiddenInput)

    @classmethod
    def fresh(cls) -> "PurchaseForm":
        return cls(initial={"token": uuid.uuid4()})

    @classmethod
    def renewed(cls) -> "PurchaseForm":
        """A form bound to a new token, to show a refusal on and let the buyer try again."""
        form = cls({"token": str(uuid.uuid4())})
        form.is_valid()
        return form


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Your rating"), coerce=int, widget=forms.RadioSelect,
        choices=[(5, _("5 ★ Excellent")), (4, _("4 ★ Good")), (3, _("3 ★ Fair")), (2, _("2 ★ Poor")),
                 (1, _("1 ★ Very poor"))],
        error_messages={"required": _("Choose from 1 to 5 stars.")})
    review = forms.CharField(label=_("Your review"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
                             help_text=_("What did you learn? Other participants read this before buying."))
