"""Demo data: the eight digital platforms of 2020 (Permenko 3/2020 partners) with their history, and
four new applicants at different stages.

`step_platforms` (before the catalogue) creates the eight with the history that made them active:
application, evaluation of each criterion by the demo evaluator, sign-off by the demo approver, the
MoU signed on 20 March 2020, integration, activation; MoUs renewed since, one left past its term so
the PMO dashboard shows a renewal due. `step_lifecycle` (after the catalogue's purchases) records Skill
Academy's withdrawal as a platform from wave 4 and adds the applicants.

History is dated when it happened: the steps write it through the lifecycle's own transition
function (`services._transition`, which checks TRANSITIONS and writes the audit row) with the
historical date, and through the public services for everything dated now."""
from __future__ import annotations

import datetime as dt
import zlib
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.demo import ADMIN_EMAIL, ADMIN_PASSWORD, DemoContext, _login_ready
from accounts.models import User

from . import services
from .models import Criterion, CriterionScore, Evaluation, Platform, PlatformStatusChange

WIB = ZoneInfo("Asia/Jakarta")
EVALUATOR_EMAIL = "evaluator@prakerja.local"
APPROVER_EMAIL = "approver@prakerja.local"
VIEWER_EMAIL = "viewer@prakerja.local"
STAFF_PASSWORD = ADMIN_PASSWORD  # pmo-prakerja-2020
MOU_SIGNED = dt.date(2020, 3, 20)
S = Platform.Status

# (name, slug, legal name, portal, kind, provinces, active users)
PLATFORMS_2020 = [
    ("Skill Academy", "skill-academy", "PT Ruang Raya Indonesia (Ruangguru)", "https://skillacademy.com",
     Platform.Kind.EDTECH, 34, 22_000_000),
    ("Sisnaker", "sisnaker", "Kementerian Ketenagakerjaan", "https://sisnaker.kemnaker.go.id",
     Platform.Kind.GOVERNMENT, 34, 3_000_000),
    ("Pintaria", "pintaria", "PT HarukaEDU Indonesia", "https://pintaria.com", Platform.Kind.EDTECH, 34, 1_000_000),
    ("Tokopedia", "tokopedia", "PT Tokopedia", "https://www.tokopedia.com/kartu-prakerja",
     Platform.Kind.MARKETPLACE, 34, 90_000_000),
    ("Bukalapak", "bukalapak", "PT Bukalapak.com", "https://www.bukalapak.com/kartu-prakerja",
     Platform.Kind.MARKETPLACE, 34, 70_000_000),
    ("Sekolahmu", "sekolahmu", "PT Sekolah Integrasi Digital", "https://www.sekolah.mu", Platform.Kind.EDTECH, 34,
     2_000_000),
    ("Mau Belajar Apa", "maubelajarapa", "PT Mau Belajar Apa", "https://maubelajarapa.com", Platform.Kind.EDTECH,
     34, 500_000),
    ("Pijar Mahir", "pijar-mahir", "PT Telkom Indonesia (Persero) Tbk", "https://pijarmahir.id",
     Platform.Kind.STATE_OWNED, 34, 1_500_000),
]
# MoU renewals after the first term: (signed, term end). Mau Belajar Apa's is left past its term.
RENEWALS = {
    "maubelajarapa": [(dt.date(2021, 3, 15), dt.date(2022, 3, 19))],
}
DEFAULT_RENEWALS = [(dt.date(2021, 3, 15), dt.date(2022, 3, 19)), (dt.date(2022, 3, 14), dt.date(2024, 12, 31)),
                    (dt.date(2024, 12, 16), dt.date(2027, 12, 31))]

# The four applicants of today: (name, legal name, kind, stage)
APPLICANTS = [
    ("KelasKerja", "PT Kelas Kerja Nusantara", Platform.Kind.EDTECH, S.APPLIED),
    ("Vokasi Digital", "PT Vokasi Digital Indonesia", Platform.Kind.EDTECH, S.UNDER_EVALUATION),
    ("Pasar Ilmu", "PT Pasar Ilmu Teknologi", Platform.Kind.MARKETPLACE, "awaiting_sign_off"),
    ("Latih Daerah", "Badan Pengembangan SDM Provinsi Jawa Tengah", Platform.Kind.GOVERNMENT, S.INTEGRATING),
]

DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=WIB)


def _staff(ctx: DemoContext) -> tuple[User, User]:
    users = {}
    for email, group in ((EVALUATOR_EMAIL, "evaluator"), (APPROVER_EMAIL, "approver"), (VIEWER_EMAIL, "viewer")):
        user = _login_ready(email=email, password=STAFF_PASSWORD, stdout=ctx.stdout, label=f"PMO {group}",
                            is_staff=True)
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(Group.objects.get(name=group))
        users[group] = user
    if not any(login == EVALUATOR_EMAIL for _who, login, _pw in ctx.logins):
        ctx.logins.append(("PMO evaluator (/admin/)", EVALUATOR_EMAIL, STAFF_PASSWORD))
        ctx.logins.append(("PMO approver (/admin/)", APPROVER_EMAIL, STAFF_PASSWORD))
        ctx.logins.append(("PMO viewer (/admin/)", VIEWER_EMAIL, STAFF_PASSWORD))
    return users["evaluator"], users["approver"]


def _evaluation(platform: Platform, evaluator: User, approver: User | None, at: dt.datetime,
                notes: dict[str, str]) -> Evaluation:
    evaluation = Evaluation.objects.create(platform=platform, evaluator=evaluator, created_at=at,
                                           summary="Semua kriteria Permenko 3/2020 terpenuhi.")
    CriterionScore.objects.bulk_create([CriterionScore(evaluation=evaluation, criterion=c, met=True, note=notes[c],
                                                       evidence=f"Dokumen permohonan: {Criterion(c).label}")
                                        for c in Criterion.values])
    if approver is not None:
        evaluation.status = Evaluation.Status.APPROVED
        evaluation.decided_by, evaluation.decided_at = approver, at + dt.timedelta(days=1)
        evaluation.decision_reason = "Seluruh kriteria terpenuhi; disetujui untuk penandatanganan nota kesepahaman."
        evaluation.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return evaluation


def _notes(platform: Platform) -> dict[str, str]:
    return {
        "national_reach": f"Melayani {platform.provinces_served} provinsi, {platform.active_users:,} pengguna aktif.",
        "it_system": f"{platform.security_certification}; uptime {platform.uptime_percent}%.",
        "own_portal": f"Portal sendiri: {platform.portal_url}",
        "institutions": "Bekerja sama dengan lembaga pelatihan kompetensi terakreditasi.",
    }


@transaction.atomic
def _history_2020(platform: Platform, evaluator: User, approver: User, admin: User | None) -> None:
    """Applied in early March 2020, evaluated, MoU on 20 March 2020, active for wave 1 (11 April 2020)."""
    services._transition(platform, S.UNDER_EVALUATION, by=evaluator, reason="Evaluasi dimulai",
                         at=_at(dt.date(2020, 3, 9)))
    evaluation = _evaluation(platform, evaluator, approver, _at(dt.date(2020, 3, 12)), _notes(platform))
    services._transition(platform, S.APPROVED, by=approver, reason=evaluation.decision_reason,
                         details={"evaluation": evaluation.pk, "evaluator": evaluator.email,
                                  "signed_off_by": approver.email}, at=_at(dt.date(2020, 3, 13)))
    number = f"NK.{platform.pk:02d}/PMO-PRAKERJA/III/2020"
    term_end = dt.date(2021, 3, 19)
    services._transition(platform, S.MOU_SIGNED, by=admin or approver, reason=f"Nota kesepahaman {number} ditandatangani",
                         details={"mou_number": number, "signed_on": MOU_SIGNED.isoformat(),
                                  "term_end": term_end.isoformat()}, at=_at(MOU_SIGNED, 14),
                         mou_number=number, mou_signed_on=MOU_SIGNED, mou_term_end=term_end)
    services._transition(platform, S.INTEGRATING, by=approver, reason="Integrasi API di sandbox",
                         at=_at(dt.date(2020, 3, 23)))
    services._transition(platform, S.ACTIVE, by=approver, reason="Uji integrasi lulus; siap untuk gelombang 1",
                         at=_at(dt.date(2020, 4, 9)))
    platform.refresh_from_db()
    for signed, end in RENEWALS.get(platform.slug, DEFAULT_RENEWALS):
        number = f"NK.{platform.pk:02d}/PMO-PRAKERJA/{signed:%m}/{signed.year}"
        PlatformStatusChange.objects.create(
            platform=platform, from_status=S.ACTIVE, to_status=S.ACTIVE, by_user=approver,
            reason=f"Nota kesepahaman diperpanjang: {number}", at=_at(signed),
            details={"mou_number": number, "signed_on": signed.isoformat(), "term_end": end.isoformat(),
                     "previous": {"mou_number": platform.mou_number, "term_end": platform.mou_term_end.isoformat()}})
        Platform.objects.filter(pk=platform.pk).update(mou_number=number, mou_signed_on=signed, mou_term_end=end)
        platform.refresh_from_db()


def step_platforms(ctx: DemoContext) -> None:
    """The eight platforms, active, each with its audit trail since its application in March 2020."""
    evaluator, approver = _staff(ctx)
    admin = User.objects.filter(email=ADMIN_EMAIL).first()
    for name, slug, legal_name, portal, kind, provinces, users in PLATFORMS_2020:
        platform, created = Platform.objects.get_or_create(slug=slug, defaults={
            "name": name, "legal_name": legal_name, "portal_url": portal, "status": S.APPLIED})
        if platform.status_changes.exists():
            continue
        applied = _at(dt.date(2020, 3, 2))
        Platform.objects.filter(pk=platform.pk).update(
            status=S.APPLIED, kind=kind, provinces_served=provinces, active_users=users,
            security_certification="ISO/IEC 27001", uptime_percent=Decimal("99.50"),
            incident_contact=f"security@{slug}.id", contact_name="Tim Kemitraan", contact_email=f"kemitraan@{slug}.id",
            reference=f"MITRA-2020-{platform.pk:05d}", applied_at=applied, created_at=applied,
            training_institutions="Lembaga pelatihan mitra")
        platform.refresh_from_db()
        PlatformStatusChange.objects.create(platform=platform, from_status="", to_status=S.APPLIED, by_user=None,
                                            reason="Permohonan kemitraan platform digital diterima", at=applied)
        _history_2020(platform, evaluator, approver, admin)
    ctx.stdout.write(f"{Platform.objects.filter(status__in=Platform.SELLING).count()} platforms selling.\n")


def step_lifecycle(ctx: DemoContext) -> None:
    """After the catalogue sold: Skill Academy withdraws as a platform (its institution's courses go on
    selling elsewhere), and four new applicants wait at different stages."""
    evaluator, approver = _staff(ctx)
    skill = Platform.objects.filter(slug="skill-academy").first()
    if skill and skill.status in Platform.SELLING:
        services.platform_withdraw(platform=skill, by=approver,
                                   reason="Mengundurkan diri sebagai mitra platform digital mulai gelombang 4, atas "
                                          "permintaan sendiri. Lembaga dan pelatihannya tetap dijual melalui "
                                          "platform lain.",
                                   evidence="Surat PT Ruang Raya Indonesia kepada Manajemen Pelaksana")
    for name, legal_name, kind, stage in APPLICANTS:
        if Platform.objects.filter(name=name).exists():
            continue
        platform, token = _applicant(name, legal_name, kind, stage, evaluator, approver)
        if stage == S.APPLIED:
            # Shown once: only its hash is stored.
            ctx.stdout.write(f"Applicant {name}: status page {services.status_link(token)}\n")
    due = Platform.objects.filter(mou_term_end__lt=timezone.localdate()).exclude(status__in=Platform.FINAL).count()
    ctx.stdout.write(f"Platform lifecycle: {len(APPLICANTS)} applicants; {due} MoU(s) due for renewal.\n")


@transaction.atomic
def _applicant(name: str, legal_name: str, kind: str, stage: str, evaluator: User,
               approver: User) -> tuple[Platform, str]:
    slug = name.lower().replace(" ", "")
    platform, token = services.platform_apply(
        name=name, legal_name=legal_name, kind=kind, business_number=f"91203{zlib.crc32(slug.encode()) % 10**8:08d}",
        address="Jakarta", contact_name="Tim Kemitraan", contact_email=f"kemitraan@{slug}.id",
        contact_phone="+62215550100", portal_url=f"https://{slug}.id", provinces_served=20 + len(name),
        active_users=100_000 * len(name), security_certification="ISO/IEC 27001:2022",
        uptime_percent=Decimal("99.80"), incident_contact=f"soc@{slug}.id",
        training_institutions="LPK Cahaya Ilmu\nLKP Mandiri Terampil",
        documents=[("company", SimpleUploadedFile("akta.pdf", DEMO_PDF)),
                   ("it_system", SimpleUploadedFile("iso27001.pdf", DEMO_PDF))])
    if stage == S.APPLIED:
        return platform, token
    platform = services.platform_evaluation_start(platform=platform, by=evaluator)
    if stage == S.UNDER_EVALUATION:
        return platform, token
    scores = {c: {"met": True, "note": note, "evidence": "Dokumen permohonan"} for c, note in _notes(platform).items()}
    evaluation = services.evaluation_submit(platform=platform, by=evaluator, scores=scores,
                                            summary="Semua kriteria terpenuhi; menunggu persetujuan.")
    if stage == "awaiting_sign_off":
        return platform, token
    services.evaluation_decide(evaluation=evaluation, approve=True, by=approver, reason="Seluruh kriteria terpenuhi.")
    today = timezone.localdate()
    services.platform_mou_sign(platform=platform, by=approver, mou_number=f"NK.{platform.pk:02d}/PMO-PRAKERJA/{today.year}",
                               signed_on=today, term_end=today.replace(year=today.year + 2))
    return services.platform_integration_start(platform=platform, by=approver), token

