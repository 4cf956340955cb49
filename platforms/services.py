"""Writes for the platform lifecycle under Permenko 3/2020.

Every status change goes through `_transition`: it locks the platform row, checks
`Platform.TRANSITIONS`, and appends a `PlatformStatusChange` (who, when, from, to, reason, evidence).
Each PMO decision checks the deciding user's permission (groups made by migration 0003):
evaluator -> `evaluate_platform`, approver -> `approve_platform`; a viewer can decide nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from decimal import Decimal
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.selectors import catalog_choices_invalidate

from .exceptions import (CriteriaNotMet, DocumentRejected, EvaluationAlreadyDecided, EvaluationIncomplete,
                         EvaluationPending, InvalidMou, MakerCheckerViolation, PlatformNameTaken,
                         PlatformTransitionNotAllowed, PmoPermissionDenied, ReasonRequired, ReviewAlreadyRecorded,
                         ReviewNotAllowed)
from .models import (Criterion, CriterionScore, Evaluation, Platform, PlatformDocument, PlatformStatusChange,
                     QuarterlyReview)
from .selectors import platform_review_figures, quarter_bounds, token_hash

Status = Platform.Status
EVALUATE = "platforms.evaluate_platform"
APPROVE = "platforms.approve_platform"

# Documents: PDF and common images, sniffed from the content; the name's extension must agree.
DOCUMENT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
EXTENSIONS = {"pdf": {"pdf"}, "jpg": {"jpg", "jpeg"}, "png": {"png"}}


def document_max_bytes() -> int:
    return int(getattr(settings, "PLATFORM_DOCUMENT_MAX_BYTES", 5 * 1024 * 1024))


# --- helpers ---------------------------------------------------------------------------------

def _require(by: User | None, perm: str) -> None:
    if by is None or not by.is_active or not by.has_perm(perm):
        raise PmoPermissionDenied()


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    return reason


def _transition(platform: Platform, to: str, *, by: User | None, reason: str, evidence: str = "",
                details: dict | None = None, at: dt.datetime | None = None, **fields) -> Platform:
    """Lock the platform, check the move, write the audit row, save. Raises PlatformTransitionNotAllowed."""
    locked = Platform.objects.select_for_update().get(pk=platform.pk)
    if to not in Platform.TRANSITIONS.get(locked.status, set()):
        raise PlatformTransitionNotAllowed(
            _("%(platform)s cannot go from “%(from)s” to “%(to)s”.")
            % {"platform": locked.name, "from": locked.get_status_display(), "to": Status(to).label},
            details={"from": locked.status, "to": to, "allowed": locked.allowed_transitions()})
    at = at or timezone.now()
    PlatformStatusChange.objects.create(platform=locked, from_status=locked.status, to_status=to, by_user=by,
                                        reason=reason, evidence=(evidence or "").strip(), details=details or {},
                                        at=at)
    locked.status = to
    locked.status_changed_at = at
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", "status_changed_at", *fields])
    # The catalogue's platform filter lists selling platforms only.
    transaction.on_commit(catalog_choices_invalidate)
    return locked


# --- application -----------------------------------------------------------------------------

def document_check(*, upload: UploadedFile) -> tuple[str, str]:
    """The upload's sniffed content type and extension. Refuses (DocumentRejected) a file over the size
    limit, one whose content is not PDF, JPEG or PNG, and one whose name claims another type."""
    limit = document_max_bytes()
    if upload.size is None or upload.size > limit:
        raise DocumentRejected(_("“%(name)s” is larger than %(mb)s MB. Upload a smaller file.")
                               % {"name": upload.name, "mb": limit // (1024 * 1024) or limit / (1024 * 1024)})
    if upload.size == 0:
        raise DocumentRejected(_("“%(name)s” is empty.") % {"name": upload.name})
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in DOCUMENT_TYPES:
        raise DocumentRejected(_("“%(name)s” is not a PDF, JPEG or PNG file. Upload the document as PDF or as a "
                                 "photo.") % {"name": upload.name})
    ext = DOCUMENT_TYPES[kind.mime]
    claimed = PurePath(upload.name or "").suffix.lower().lstrip(".")
    if claimed not in EXTENSIONS[ext]:
        raise DocumentRejected(_("“%(name)s” is named as .%(claimed)s but its content is %(actual)s. Rename or "
                                 "re-export the file and upload it again.")
                               % {"name": upload.name, "claimed": claimed or "?", "actual": ext.upper()})
    return kind.mime, ext


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "platform"
    slug, n = base, 1
    while Platform.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def platform_apply(*, name: str, legal_name: str, kind: str, business_number: str, address: str,
                   contact_name: str, contact_email: str, contact_phone: str, portal_url: str,
                   provinces_served: int, active_users: int, security_certification: str,
                   uptime_percent: Decimal, incident_contact: str, training_institutions: str,
                   documents: Iterable[tuple[str, UploadedFile]], site_url: str = "") -> tuple[Platform, str]:
    """A company applies to become a digital platform partner. Returns the platform (status applied,
    with its reference number) and the secret token of its status page, which is mailed to the contact.

    Raises PlatformNameTaken, DocumentRejected (with the form field of the file), ValidationError."""
    name = name.strip()
    if Platform.objects.filter(name__iexact=name).exists():
        raise PlatformNameTaken()
    checked = []
    for field, upload in documents:
        try:
            checked.append((field, upload, *document_check(upload=upload)))
        except DocumentRejected as exc:
            exc.field = field
            raise
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    platform = Platform(name=name, slug=_unique_slug(name), legal_name=legal_name.strip(), kind=kind,
                        business_number=business_number, address=address.strip(), contact_name=contact_name.strip(),
                        contact_email=contact_email, contact_phone=contact_phone, portal_url=portal_url,
                        provinces_served=provinces_served, active_users=active_users,
                        security_certification=security_certification.strip(), uptime_percent=uptime_percent,
                        incident_contact=incident_contact.strip(), training_institutions=training_institutions.strip(),
                        status=Status.APPLIED, status_token_hash=token_hash(token), applied_at=now,
                        status_changed_at=now, created_at=now)
    platform.full_clean(exclude=["reference", "slug"])
    try:
        with transaction.atomic():
            platform.save(force_insert=True)
    except IntegrityError:
        raise PlatformNameTaken() from None
    platform.reference = f"MITRA-{timezone.localdate().year}-{platform.pk:05d}"
    platform.save(update_fields=["reference"])
    PlatformStatusChange.objects.create(platform=platform, from_status="", to_status=Status.APPLIED, by_user=None,
                                        reason="Application submitted through the public form", at=now,
                                        details={"documents": len(checked)})
    for field, upload, mime, ext in checked:
        upload.seek(0)
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        doc = PlatformDocument(platform=platform, kind=field, original_name=(upload.name or "")[:200],
                               content_type=mime, extension=ext, size=upload.size, sha256=digest.hexdigest())
        doc.file.save(upload.name, upload, save=False)
        doc.save()
    if platform.contact_email:
        link = status_link(token, site_url)
        subject = _("[Kartu Prakerja] Application %(reference)s received") % {"reference": platform.reference}
        body = _("Thank you for applying to become a Kartu Prakerja digital platform.\n\n"
                 "Reference number: %(reference)s\nFollow your application here (keep this link private):\n%(link)s\n")
        body = body % {"reference": platform.reference, "link": link}
        to = platform.contact_email
        transaction.on_commit(lambda: send_mail(subject, body, None, [to], fail_silently=True))
    return platform, token


# --- evaluation ------------------------------------------------------------------------------

@transaction.atomic
def platform_evaluation_start(*, platform: Platform, by: User, reason: str = "") -> Platform:
    """An evaluator takes up an application. Raises PmoPermissionDenied, PlatformTransitionNotAllowed."""
    _require(by, EVALUATE)
    return _transition(platform, Status.UNDER_EVALUATION, by=by, reason=(reason or "").strip()
                       or "Evaluation started")


@transaction.atomic
def evaluation_submit(*, platform: Platform, by: User, scores: dict[str, dict], summary: str = "") -> Evaluation:
    """Record an evaluator's score of every Permenko 3/2020 criterion: {criterion: {met, note, evidence}}.
    It waits for a second PMO member's sign-off.

    Raises PmoPermissionDenied, PlatformTransitionNotAllowed (not under evaluation), EvaluationIncomplete,
    EvaluationPending."""
    _require(by, EVALUATE)
    locked = Platform.objects.select_for_update().get(pk=platform.pk)
    if locked.status != Status.UNDER_EVALUATION:
        raise PlatformTransitionNotAllowed(_("Only an application under evaluation can be evaluated; %(platform)s "
                                             "is “%(status)s”.")
                                           % {"platform": locked.name, "status": locked.get_status_display()})
    missing = [c for c in Criterion.values if c not in scores or not str(scores[c].get("note", "")).strip()]
    if missing:
        raise EvaluationIncomplete(details={"missing": missing})
    if locked.evaluations.filter(status=Evaluation.Status.SUBMITTED).exists():
        raise EvaluationPending()
    evaluation = Evaluation.objects.create(platform=locked, evaluator=by, summary=(summary or "").strip())
    CriterionScore.objects.bulk_create([
        CriterionScore(evaluation=evaluation, criterion=c, met=bool(scores[c]["met"]),
                       note=str(scores[c]["note"]).strip(), evidence=str(scores[c].get("evidence", "")).strip())
        for c in Criterion.values])
    return evaluation


@transaction.atomic
def evaluation_decide(*, evaluation: Evaluation, approve: bool, by: User, reason: str) -> Evaluation:
    """A second PMO member signs off an evaluation: approve (every criterion met) moves the platform to
    approved, reject to rejected. Nobody signs off an evaluation they made.

    Raises PmoPermissionDenied, MakerCheckerViolation, ReasonRequired, CriteriaNotMet,
    EvaluationAlreadyDecided, PlatformTransitionNotAllowed."""
    _require(by, APPROVE)
    reason = _reason(reason)
    locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if locked.evaluator_id == by.pk:
        raise MakerCheckerViolation()
    if locked.status != Evaluation.Status.SUBMITTED:
        raise EvaluationAlreadyDecided()
    scores = {s.criterion: s for s in locked.scores.all()}
    if approve and not (len(scores) == len(Criterion.values) and all(s.met for s in scores.values())):
        raise CriteriaNotMet(details={"not_met": sorted(c for c, s in scores.items() if not s.met)})
    now = timezone.now()
    locked.status = Evaluation.Status.APPROVED if approve else Evaluation.Status.REJECTED
    locked.decided_by, locked.decided_at, locked.decision_reason = by, now, reason
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    evidence = "\n".join(f"{Criterion(c).label}: {'met' if s.met else 'not met'} — {s.note}"
                         + (f" [{s.evidence}]" if s.evidence else "") for c, s in scores.items())
    _transition(locked.platform, Status.APPROVED if approve else Status.REJECTED, by=by, reason=reason,
                evidence=evidence, at=now,
                details={"evaluation": locked.pk, "evaluator": locked.evaluator.email, "signed_off_by": by.email})
    return locked


# --- MoU, integration, activation ------------------------------------------------------------

def _mou_check(signed_on: dt.date, term_end: dt.date, mou_number: str) -> str:
    mou_number = (mou_number or "").strip()
    if not mou_number:
        raise InvalidMou(_("Enter the MoU number."), field="mou_number")
    if not signed_on or not term_end or term_end <= signed_on:
        raise InvalidMou()
    return mou_number


@transaction.atomic
def platform_mou_sign(*, platform: Platform, by: User, mou_number: str, signed_on: dt.date, term_end: dt.date,
                      reason: str = "", evidence: str = "") -> Platform:
    """The MoU (nota kesepahaman) is signed: number, signing date and term end are recorded.
    Raises PmoPermissionDenied, InvalidMou, PlatformTransitionNotAllowed."""
    _require(by, APPROVE)
    mou_number = _mou_check(signed_on, term_end, mou_number)
    return _transition(platform, Status.MOU_SIGNED, by=by,
                       reason=(reason or "").strip() or f"MoU {mou_number} signed",
                       evidence=evidence, details={"mou_number": mou_number, "signed_on": signed_on.isoformat(),
                                                   "term_end": term_end.isoformat()},
                       mou_number=mou_number, mou_signed_on=signed_on, mou_term_end=term_end)


@transaction.atomic
def platform_mou_renew(*, platform: Platform, by: User, mou_number: str, signed_on: dt.date, term_end: dt.date,
                       reason: str = "") -> Platform:
    """A new MoU term for a live platform; recorded in the audit trail with its status unchanged."""
    _require(by, APPROVE)
    mou_number = _mou_check(signed_on, term_end, mou_number)
    locked = Platform.objects.select_for_update().get(pk=platform.pk)
    if not locked.is_live or locked.status in (Status.APPLIED, Status.UNDER_EVALUATION, Status.APPROVED):
        raise PlatformTransitionNotAllowed(_("Only a platform with a signed MoU can renew it."))
    PlatformStatusChange.objects.create(
        platform=locked, from_status=locked.status, to_status=locked.status, by_user=by,
        reason=(reason or "").strip() or f"MoU renewed as {mou_number}",
        details={"mou_number": mou_number, "signed_on": signed_on.isoformat(), "term_end": term_end.isoformat(),
                 "previous": {"mou_number": locked.mou_number, "term_end": locked.mou_term_end.isoformat()
                              if locked.mou_term_end else None}})
    locked.mou_number, locked.mou_signed_on, locked.mou_term_end = mou_number, signed_on, term_end
    locked.save(update_fields=["mou_number", "mou_signed_on", "mou_term_end"])
    return locked


@transaction.atomic
def platform_integration_start(*, platform: Platform, by: User, reason: str = "", evidence: str = "") -> Platform:
    """Technical integration begins: the platform works against the sandbox."""
    _require(by, APPROVE)
    return _transition(platform, Status.INTEGRATING, by=by, reason=(reason or "").strip()
                       or "Technical integration started (sandbox)", evidence=evidence)


@transaction.atomic
def platform_activate(*, platform: Platform, by: User, reason: str = "", evidence: str = "") -> Platform:
    """The platform passed integration and goes live: its listings show and it takes orders."""
    _require(by, APPROVE)
    return _transition(platform, Status.ACTIVE, by=by, reason=(reason or "").strip() or "Integration passed; live",
                       evidence=evidence)


# --- sanctions and endings -------------------------------------------------------------------

@transaction.atomic
def platform_warn(*, platform: Platform, by: User, reason: str, evidence: str = "",
                  details: dict | None = None) -> Platform:
    """A written warning; the platform goes on selling. Raises ReasonRequired and the usual."""
    _require(by, APPROVE)
    return _transition(platform, Status.WARNED, by=by, reason=_reason(reason), evidence=evidence, details=details)


@transaction.atomic
def platform_suspend(*, platform: Platform, by: User, reason: str, evidence: str = "",
                     details: dict | None = None) -> Platform:
    """Suspension: the platform's listings leave the catalogue and it takes no new orders at once
    (catalog reads Platform.SELLING); orders already paid still redeem and complete."""
    _require(by, APPROVE)
    return _transition(platform, Status.SUSPENDED, by=by, reason=_reason(reason), evidence=evidence, details=details)


@transaction.atomic
def platform_reinstate(*, platform: Platform, by: User, reason: str, evidence: str = "",
                       details: dict | None = None) -> Platform:
    """A warned or suspended platform that corrected the findings is active again."""
    _require(by, APPROVE)
    return _transition(platform, Status.ACTIVE, by=by, reason=_reason(reason), evidence=evidence, details=details)


@transaction.atomic
def platform_terminate(*, platform: Platform, by: User, reason: str, evidence: str = "",
                       details: dict | None = None) -> Platform:
    """The partnership is ended by the program: no sales, and every API key of the platform is revoked
    in the same transaction. Paid orders still redeem and complete (through the PMO)."""
    _require(by, APPROVE)
    ended = _transition(platform, Status.TERMINATED, by=by, reason=_reason(reason), evidence=evidence,
                        details=details)
    _revoke_api_keys(ended, reason=f"Partnership terminated: {reason}"[:200], by=by)
    return ended


@transaction.atomic
def platform_withdraw(*, platform: Platform, by: User, reason: str, evidence: str = "") -> Platform:
    """The platform leaves at its own request, from any live status: it sells nothing more. Its
    institutions and courses stay and go on selling through other platforms. Its API keys stay, so that
    it can still report redemption and completion of the orders it was paid for."""
    _require(by, APPROVE)
    return _transition(platform, Status.WITHDRAWN, by=by, reason=_reason(reason), evidence=evidence)


def _revoke_api_keys(platform: Platform, *, reason: str, by: User | None) -> int:
    from api.services import api_keys_revoke_for_platform  # api depends on platforms, not the reverse

    return api_keys_revoke_for_platform(platform=platform, reason=reason, by=by)


# --- periodic evaluation ---------------------------------------------------------------------

OUTCOME_SERVICE = {
    QuarterlyReview.Outcome.WARN: (Status.WARNED, platform_warn),
    QuarterlyReview.Outcome.SUSPEND: (Status.SUSPENDED, platform_suspend),
    QuarterlyReview.Outcome.TERMINATE: (Status.TERMINATED, platform_terminate),
}


@transaction.atomic
def quarterly_review_record(*, platform: Platform, year: int, quarter: int, outcome: str, reason: str,
                            by: User) -> QuarterlyReview:
    """Record a quarter's review: the figures computed now (and the previous quarter's) are stored as
    they are, and the outcome takes effect (warn, suspend, terminate; continue reinstates a warned or
    suspended platform only if the reviewer says so by choosing it).

    Raises PmoPermissionDenied, ReasonRequired, ReviewNotAllowed (not under review, or the quarter is not
    over), ReviewAlreadyRecorded,
    PlatformTransitionNotAllowed."""
    _require(by, APPROVE)
    reason = _reason(reason)
    locked = Platform.objects.select_for_update().get(pk=platform.pk)
    if locked.status not in (Status.ACTIVE, Status.WARNED, Status.SUSPENDED):
        raise ReviewNotAllowed()
    if quarter not in (1, 2, 3, 4) or quarter_bounds(year, quarter)[1] > timezone.now():
        raise ReviewNotAllowed(_("A quarter is reviewed once it is over: choose a past quarter."), field="quarter")
    if QuarterlyReview.objects.filter(platform=locked, year=year, quarter=quarter).exists():
        raise ReviewAlreadyRecorded()
    figures, previous = platform_review_figures(platform=locked, year=year, quarter=quarter)
    review = QuarterlyReview.objects.create(platform=locked, year=year, quarter=quarter, figures=figures,
                                            previous_figures=previous, outcome=outcome, reason=reason, by_user=by)
    details = {"review": review.pk, "period": f"{year}-Q{quarter}"}
    if outcome in OUTCOME_SERVICE:
        target, service = OUTCOME_SERVICE[outcome]
        if locked.status != target:
            service(platform=locked, by=by, reason=reason, details=details)
    elif outcome == QuarterlyReview.Outcome.CONTINUE and locked.status != Status.ACTIVE:
        platform_reinstate(platform=locked, by=by, reason=reason, details=details)
    return review


def status_link(token: str, site_url: str = "") -> str:
    """The applicant's private status page, absolute: on `site_url` (the request's site), else on
    settings.SITE_URL."""
    return (site_url or settings.SITE_URL).rstrip("/") + reverse("platforms:status", args=[token])


@transaction.atomic
def platform_status_link_resend(*, reference: str, email: str, site_url: str = "") -> bool:
    """An applicant who lost the status link asks for a new one: if the reference and the contact email
    match, a new secret link replaces the old one and goes to that email only. Returns whether a link
    was sent; callers show the same answer either way, so nobody learns which references exist."""
    reference, email = (reference or "").strip().upper(), (email or "").strip()
    platform = (Platform.objects.select_for_update().filter(reference=reference, contact_email__iexact=email)
                .exclude(contact_email="").first())
    if platform is None:
        return False
    token = secrets.token_urlsafe(32)
    platform.status_token_hash = token_hash(token)
    platform.save(update_fields=["status_token_hash"])
    link = status_link(token, site_url)
    subject = _("[Kartu Prakerja] New status link for application %(reference)s") % {"reference": reference}
    body = _("You asked for a new link to follow application %(reference)s (the old link no longer works):\n"
             "%(link)s\n\nIf you did not ask for it, you can ignore this email.") % {"reference": reference,
                                                                                   "link": link}
    to = platform.contact_email
    transaction.on_commit(lambda: send_mail(subject, body, None, [to], fail_silently=True))
    return True
