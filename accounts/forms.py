from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Profile


class ProfileForm(forms.ModelForm):
    """The profile as typed; every rule is checked by the model and reported beside its field."""

    class Meta:
        model = Profile
        fields = ["nik", "kk", "full_name", "birth_date", "sex", "phone", "province", "education", "employment"]
        widgets = {
            "nik": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 16,
                                          "pattern": r"\d{16}"}),
            "kk": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 16,
                                         "pattern": r"\d{16}"}),
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "sex": forms.RadioSelect,
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        }
        labels = {"full_name": _("Full name (as on KTP)")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sex"].choices = Profile.Sex.choices  # radios: no blank choice
        for name in ("province", "education", "employment"):
            self.fields[name].choices = [("", _("— choose —"))] + list(self.fields[name].choices)[1:]
        self.fields["nik"].widget.attrs.pop("pattern")  # a server message beats the browser's terse one
        self.fields["kk"].widget.attrs.pop("pattern")

    def clean_nik(self) -> str:
        return self.cleaned_data["nik"].replace(" ", "")

    def clean_kk(self) -> str:
        return self.cleaned_data["kk"].replace(" ", "")

    def validate_unique(self) -> None:
        # Uniqueness is the service's to decide (under a lock), so both paths give one message.
        pass
