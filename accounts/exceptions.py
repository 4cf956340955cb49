from django.utils.translation import gettext_lazy as _

from prakerja.exceptions import DomainError


class NikAlreadyRegistered(DomainError):
    code = "nik_taken"
    message = _("This NIK is already registered to another account. If it is yours, contact the help desk.")
    field = "nik"
    http_status = 409


class ProfileLocked(DomainError):
    code = "profile_locked"
    message = _("Your identity data can no longer be changed after selection.")
    http_status = 409
