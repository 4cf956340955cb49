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


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"
    message = _("This change of status is not allowed.")
    http_status = 409


class WaveNotOpen(DomainError):
    code = "wave_not_open"
    message = _("This wave is not open for registration.")
    http_status = 409


class AnotherWaveOpen(DomainError):
    code = "another_wave_open"
    message = _("Another wave is already open; close it first.")
    http_status = 409


class ProfileIncomplete(DomainError):
    code = "profile_incomplete"
    message = _("Complete your profile before applying to a wave.")
    http_status = 409


class AlreadyApplied(DomainError):
    code = "already_applied"
    message = _("You have already applied to this wave.")
    http_status = 409


class AlreadyParticipant(DomainError):
    code = "already_participant"
    message = _("You are already a participant of the program and cannot apply again.")
    http_status = 409


class SelectionNotRunning(DomainError):
    code = "selection_not_running"
    message = _("The selection of this wave is not running.")
    http_status = 409
