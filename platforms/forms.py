"""The public application form of a would-be digital platform partner."""
from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .models import Platform, PlatformDocument

PDF_OR_IMAGE = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
DOCUMENT_FIELDS = {
    "company": PlatformDocument.Kind.COMPANY,
    "national_reach": PlatformDocument.Kind.NATIONAL_REACH,
    "it_system": PlatformDocument.Kind.IT_SYSTEM,
    "institutions": PlatformDocument.Kind.INSTITUTIONS,
}


class ApplicationForm(forms.Form):
    name = forms.CharField(label=_("Platform name"), max_length=120,
                           help_text=_("As participants will see it, e.g. “Skill Academy”."))
    legal_name = forms.CharField(label=_("Company (legal name)"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of applicant"), choices=[("", "—"), *Platform.Kind.choices])
    business_number = forms.CharField(label=_("Business identification number (NIB)"), min_length=13, max_length=13,
                                      validators=[RegexValidator(r"^\d{13}$", _("The NIB has 13 digits."))],
                                      widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    address = forms.CharField(label=_("Registered address"), max_length=500,
                              widget=forms.Textarea(attrs={"rows": 2}))
    contact_name = forms.CharField(label=_("Contact person"), max_length=120)
    contact_email = forms.EmailField(label=_("Contact email"),
                                     help_text=_("We send the reference number and the status link here."))
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20,
                                    validators=[RegexValidator(r"^\+?[\d\s-]{8,20}$",
                                                               _("Enter a phone number, e.g. 021 5550 100."))],
                                    widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    # Criterion: national reach
    provinces_served = forms.IntegerField(label=_("Provinces served"), min_value=1, max_value=38,
                                          help_text=_("National reach: how many of Indonesia's 38 provinces."))
    active_users = forms.IntegerField(label=_("Active users (last 12 months)"), min_value=0,
                                      widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    national_reach = forms.FileField(label=_("Evidence of national reach"), required=False,
                                     help_text=_("Optional: user statistics by province (PDF, JPEG or PNG)."),
                                     widget=forms.ClearableFileInput(attrs={"accept": PDF_OR_IMAGE}))
    # Criterion: adequate IT system
    security_certification = forms.CharField(label=_("Security certification"), max_length=200,
                                             help_text=_("E.g. ISO/IEC 27001 with its certificate number."))
    uptime_percent = forms.DecimalField(label=_("Uptime over the last 12 months (%)"), min_value=0, max_value=100,
                                        max_digits=5, decimal_places=2,
                                        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}))
    incident_contact = forms.CharField(label=_("Security incident contact"), max_length=200,
                                       help_text=_("An email or phone answered at any hour."))
    it_system = forms.FileField(label=_("Security certificate"),
                                help_text=_("PDF, JPEG or PNG."),
                                widget=forms.ClearableFileInput(attrs={"accept": PDF_OR_IMAGE}))
    # Criterion: own portal
    portal_url = forms.URLField(label=_("Portal address (URL)"), assume_scheme="https",
                                widget=forms.URLInput(attrs={"inputmode": "url", "placeholder": "https://"}))
    # Criterion: cooperation with competency training institutions
    training_institutions = forms.CharField(label=_("Partner training institutions"),
                                            widget=forms.Textarea(attrs={"rows": 3}),
                                            help_text=_("One institution per line."))
    institutions = forms.FileField(label=_("Cooperation agreements"), required=False,
                                   help_text=_("Optional: signed agreements with the institutions."),
                                   widget=forms.ClearableFileInput(attrs={"accept": PDF_OR_IMAGE}))
    company = forms.FileField(label=_("Company deed or NIB certificate"), help_text=_("PDF, JPEG or PNG."),
                              widget=forms.ClearableFileInput(attrs={"accept": PDF_OR_IMAGE}))
    declaration = forms.BooleanField(label=_("I declare that this information is true and that I may apply on "
                                             "behalf of the company."))

    def documents(self) -> list[tuple[str, object]]:
        return [(kind.value, self.cleaned_data[field]) for field, kind in DOCUMENT_FIELDS.items()
                if self.cleaned_data.get(field)]

    def service_kwargs(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in DOCUMENT_FIELDS and k != "declaration"}
        data["contact_phone"] = "".join(ch for ch in data["contact_phone"] if ch.isdigit() or ch == "+")
        return data


class StatusLinkForm(forms.Form):
    reference = forms.CharField(label=_("Reference number"), max_length=20,
                                widget=forms.TextInput(attrs={"placeholder": "MITRA-2026-00001",
                                                              "autocapitalize": "characters"}))
    email = forms.EmailField(label=_("Contact email given in the application"))
