"""Rupiah as Indonesians write it: Rp1.000.000 (no minor unit, dots between thousands)."""
from django import template

register = template.Library()


def format_rupiah(amount: int | None) -> str:
    if amount is None:
        return "—"
    amount = int(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


@register.filter(name="rupiah")
def rupiah(amount: int | None) -> str:
    return format_rupiah(amount)
