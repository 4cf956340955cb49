"""Public pages of would-be platform partners, and the staff-only document download."""
from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from prakerja.exceptions import DomainError, form_add_domain_error

from .forms import DOCUMENT_FIELDS, ApplicationForm, StatusLinkForm
from .models import PlatformDocument
from .selectors import platform_get_by_token
from .services import document_max_bytes, platform_apply, platform_status_link_resend


@never_cache
@require_http_methods(["GET", "POST"])
def application_create(request):
    form = ApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            platform, token = platform_apply(**form.service_kwargs(), documents=form.documents(),
                                             site_url=request.build_absolute_uri("/"))
        except DomainError as exc:
            # The service names the document kind; the form field has the same name.
            if exc.field and exc.field not in form.fields:
                exc.field = next((f for f, k in DOCUMENT_FIELDS.items() if k == exc.field), None)
            form_add_domain_error(form, exc)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return render(request, "platforms/application_done.html", {"platform": platform, "token": token,
                                                                       "status_url": request.build_absolute_uri(
                                                                           reverse("platforms:status", args=[token]))})
    files_lost = request.method == "POST" and bool(request.FILES)
    return render(request, "platforms/application_form.html",
                  {"form": form, "files_lost": files_lost, "max_mb": document_max_bytes() // (1024 * 1024)},
                  status=400 if request.method == "POST" else 200)


@never_cache
def application_status(request, token: str):
    platform = platform_get_by_token(token=token)
    if platform is None:
        raise Http404
    changes = platform.status_changes.select_related(None).order_by("at", "pk")
    return render(request, "platforms/application_status.html", {"platform": platform, "changes": changes})


@staff_member_required
def document_download(request, pk: int):
    if not request.user.has_perm("platforms.view_platformdocument"):
        raise PermissionDenied
    document = get_object_or_404(PlatformDocument, pk=pk)
    response = FileResponse(document.file.open("rb"), content_type=document.content_type,
                            as_attachment=document.content_type == "application/pdf",
                            filename=f"{document.platform.slug}-{document.kind}.{document.extension}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def status_link_resend(request):
    """A lost status link: a new one is mailed to the application's contact email."""
    form = StatusLinkForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        platform_status_link_resend(**form.cleaned_data, site_url=request.build_absolute_uri("/"))
        sent = True  # the same answer whether or not it matched
    return render(request, "platforms/status_resend.html", {"form": form, "sent": sent})
