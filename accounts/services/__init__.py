"""Writes for participants: profiles, waves, applications and the selection lottery."""
from .profiles import profile_save
from .selection import lottery_order, wave_selection_chunk, wave_selection_run, wave_selection_start
from .waves import wave_apply, wave_close, wave_create, wave_open, wave_transition

__all__ = [
    "lottery_order", "profile_save", "wave_apply", "wave_close", "wave_create", "wave_open",
    "wave_selection_chunk", "wave_selection_run", "wave_selection_start", "wave_transition",
]
