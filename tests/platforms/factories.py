"""PMO staff in their permission groups, applications, and platforms walked through the lifecycle
by the services (so every platform here has its audit trail)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from platforms import services
from platforms.models import Criterion, Platform
from tests.accounts.factories import UserFactory

# Smallest real files of each accepted type: the sniffer reads their first bytes.
PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
             b"trailer<</Root 1 0 R>>\n%%EOF\n")
PNG_BYTES = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                          "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def pdf(name: str = "bukti.pdf", data: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


# What migration 0003 grants, for transactional tests whose flush removed the migrated groups.
GROUP_PERMS = {"viewer": [], "finance": [], "evaluator": ["evaluate_platform", "curate_catalog"],
               "approver": ["approve_platform", "curate_catalog"]}


def pmo_group(name: str) -> Group:
    group, created = Group.objects.get_or_create(name=name)
    if created:
        views = Permission.objects.filter(content_type__app_label__in=["platforms", "catalog"],
                                          codename__startswith="view_")
        group.permissions.add(*views, *Permission.objects.filter(content_type__app_label="platforms",
                                                                 codename__in=GROUP_PERMS[name]))
    return group


def staff(group: str | None = None, **kwargs):
    """A PMO staff member in one permission group (None: staff with no group)."""
    user = UserFactory(is_staff=True, **kwargs)
    if group:
        user.groups.add(pmo_group(group))
    return user


APPLICATION = {
    "legal_name": "PT Belajar Terus Nusantara",
    "kind": Platform.Kind.EDTECH,
    "business_number": "9120301234567",
    "address": "Jl. Jend. Sudirman Kav. 52, Jakarta Selatan",
    "contact_name": "Rina Wulandari",
    "contact_email": "kemitraan@belajarterus.id",
    "contact_phone": "+6281311112222",
    "portal_url": "https://belajarterus.id",
    "provinces_served": 34,
    "active_users": 1_200_000,
    "security_certification": "ISO/IEC 27001:2013 No. ID-27001-0456",
    "uptime_percent": Decimal("99.90"),
    "incident_contact": "soc@belajarterus.id, +62215550100",
    "training_institutions": "LPK Cahaya Ilmu\nLembaga Kursus Digital Mandiri",
}


def application(name: str = "Belajar Terus", **overrides) -> tuple[Platform, str]:
    data = {**APPLICATION, **overrides}
    documents = data.pop("documents", [("company", pdf("akta.pdf")), ("it_system", pdf("iso27001.pdf"))])
    return services.platform_apply(name=name, documents=documents, **data)


def all_met(met: bool = True) -> dict:
    return {c: {"met": met, "note": f"{c} checked", "evidence": f"document for {c}"} for c in Criterion.values}


def platform_at(status: str, *, evaluator=None, approver=None, name: str | None = None) -> Platform:
    """A platform brought to `status` through the services, with its whole trail."""
    evaluator = evaluator or staff("evaluator")
    approver = approver or staff("approver")
    platform, _token = application(name=name or f"Platform {Platform.objects.count() + 1}")
    S = Platform.Status
    path = [S.UNDER_EVALUATION, S.APPROVED, S.MOU_SIGNED, S.INTEGRATING, S.ACTIVE]
    if status == S.APPLIED:
        return platform
    for step in path:
        if step == S.UNDER_EVALUATION:
            platform = services.platform_evaluation_start(platform=platform, by=evaluator)
        elif step == S.APPROVED:
            evaluation = services.evaluation_submit(platform=platform, by=evaluator, scores=all_met())
            services.evaluation_decide(evaluation=evaluation, approve=True, by=approver, reason="All criteria met")
        elif step == S.MOU_SIGNED:
            services.platform_mou_sign(platform=platform, by=approver, mou_number=f"NK-{platform.pk}/PMO/2026",
                                       signed_on=dt.date(2026, 1, 5), term_end=dt.date(2027, 1, 4))
        elif step == S.INTEGRATING:
            services.platform_integration_start(platform=platform, by=approver)
        elif step == S.ACTIVE:
            services.platform_activate(platform=platform, by=approver)
        platform.refresh_from_db()
        if platform.status == status:
            return platform
    if status == S.WARNED:
        return services.platform_warn(platform=platform, by=approver, reason="Late reports")
    if status == S.SUSPENDED:
        return services.platform_suspend(platform=platform, by=approver, reason="Bundled courses")
    raise ValueError(status)


