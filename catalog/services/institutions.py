"""Platforms propose institutions and partnerships; the program office curates them."""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from platforms.models import Platform

from ..exceptions import InstitutionNotProposable, PartnershipExists
from ..models import Institution, Partnership


@transaction.atomic
def partnership_propose(*, platform: Platform, institution: Institution) -> Partnership:
    """Ask the program office to approve a partnership with an existing institution.

    Raises PartnershipExists, InstitutionNotProposable (rejected or inactive institution)."""
    if institution.status not in (Institution.Status.ACTIVE, Institution.Status.UNDER_CURATION):
        raise InstitutionNotProposable()
    try:
        with transaction.atomic():
            return Partnership.objects.create(platform=platform, institution=institution)
    except IntegrityError:
        raise PartnershipExists() from None


@transaction.atomic
def institution_propose(*, platform: Platform, name: str, legal_entity_number: str, province: str,
                        accreditation: str = Institution.Accreditation.NONE) -> Partnership:
    """Propose a new institution (under curation) with a partnership to this platform. An
    institution already registered under that NIB is not duplicated: the partnership is proposed.

    Raises ValidationError, PartnershipExists, InstitutionNotProposable."""
    legal_entity_number = (legal_entity_number or "").strip()
    existing = Institution.objects.filter(legal_entity_number=legal_entity_number).first()
    if existing is not None:
        return partnership_propose(platform=platform, institution=existing)
    institution = Institution(name=(name or "").strip(), legal_entity_number=legal_entity_number, province=province,
                              accreditation=accreditation, status=Institution.Status.UNDER_CURATION,
                              proposed_by=platform)
    institution.full_clean()
    if not legal_entity_number.isdigit() or len(legal_entity_number) != 13:
        from django.core.exceptions import ValidationError
        raise ValidationError({"legal_entity_number": [_("The NIB has 13 digits.")]})
    institution.save(force_insert=True)
    return Partnership.objects.create(platform=platform, institution=institution)
