from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from prakerja.exceptions import DomainError, form_add_domain_error

from . import selectors
from .forms import ProfileForm
from .services import profile_save


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/dashboard.html", selectors.dashboard_get(user=request.user))


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    profile = selectors.profile_get(user=request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            profile_save(user=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        except ValidationError as exc:
            form._update_errors(exc)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:dashboard")
    return render(request, "accounts/profile_form.html", {"form": form, "profile": profile})
