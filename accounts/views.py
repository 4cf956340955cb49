from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prakerja.exceptions import DomainError, form_add_domain_error

from . import selectors
from .forms import ProfileForm
from .models import Wave
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


def wave_result(request: HttpRequest, number: int) -> HttpResponse:
    """Public: a selected wave's seed and figures, so anyone can recompute the lottery."""
    wave = get_object_or_404(Wave, number=number, status=Wave.Status.SELECTED)
    return render(request, "accounts/wave_result.html",
                  {"wave": wave, "applicants": wave.applications.count()})


def wave_applications_csv(request: HttpRequest, number: int) -> StreamingHttpResponse:
    """Public: the application numbers of a selected wave (no personal data), streamed."""
    wave = Wave.objects.filter(number=number, status=Wave.Status.SELECTED).first()
    if wave is None:
        raise Http404
    ids = wave.applications.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=10_000)
    response = StreamingHttpResponse(
        _csv_lines(ids), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gelombang-{wave.number}-pendaftar.csv"'
    return response


def _csv_lines(ids):
    yield "application_number\n"
    for pk in ids:
        yield f"{pk}\n"
