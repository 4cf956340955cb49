"""Demo data: the eight digital platforms of 2020 (Permenko 3/2020 partners)."""
from __future__ import annotations

from accounts.demo import DemoContext

from .models import Platform

# (name, slug, legal name, portal)
PLATFORMS_2020 = [
    ("Skill Academy", "skill-academy", "PT Ruang Raya Indonesia (Ruangguru)", "https://skillacademy.com"),
    ("Sisnaker", "sisnaker", "Kementerian Ketenagakerjaan", "https://sisnaker.kemnaker.go.id"),
    ("Pintaria", "pintaria", "PT HarukaEDU Indonesia", "https://pintaria.com"),
    ("Tokopedia", "tokopedia", "PT Tokopedia", "https://www.tokopedia.com/kartu-prakerja"),
    ("Bukalapak", "bukalapak", "PT Bukalapak.com", "https://www.bukalapak.com/kartu-prakerja"),
    ("Sekolahmu", "sekolahmu", "PT Sekolah Integrasi Digital", "https://www.sekolah.mu"),
    ("Mau Belajar Apa", "maubelajarapa", "PT Mau Belajar Apa", "https://maubelajarapa.com"),
    ("Pijar Mahir", "pijar-mahir", "PT Telkom Indonesia (Persero) Tbk", "https://pijarmahir.id"),
]


def step_platforms(ctx: DemoContext) -> None:
    """The eight platforms, active (their lifecycle history is added by step_lifecycle)."""
    for name, slug, legal_name, portal in PLATFORMS_2020:
        Platform.objects.get_or_create(slug=slug, defaults={
            "name": name, "legal_name": legal_name, "portal_url": portal, "status": Platform.Status.ACTIVE})


def step_lifecycle(ctx: DemoContext) -> None:
    """MoUs, evaluations and later changes of the platforms (filled in by the platform lifecycle)."""
