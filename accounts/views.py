from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.utils.translation import gettext as _

from prakerja.exceptions import DomainError, form_add_domain_error

from . import selectors
from .forms import ProfileForm
from .services import profile_save, wave_apply


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


@login_required
@require_POST
def wave_apply_view(request: HttpRequest) -> HttpResponse:
    try:
        application = wave_apply(profile=selectors.profile_get(user=request.user), wave=selectors.wave_open_get())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You have applied to %(wave)s. The result comes after registration closes.")
                         % {"wave": application.wave})
    return redirect("accounts:dashboard")
