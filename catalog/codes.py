"""Redemption codes: 11 random characters and a check character, shown as ABCD-EFGH-JKLM.

The alphabet leaves out characters people confuse when reading a code aloud or from a small
screen (0/O, 1/I/L, U/V). The check character is Luhn mod N over the alphabet (N = 30): it
catches every single mistyped character and nearly every swap of two neighbours, so a platform can
refuse a mistyped code before looking it up."""
from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # 30 characters: 2-9 and A-Z without I, L, O, U
N = len(ALPHABET)
BODY_LENGTH = 11
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}


def check_character(body: str) -> str:
    """Luhn mod N check character for `body` (characters of ALPHABET)."""
    factor, total = 2, 0
    for ch in reversed(body):
        addend = factor * _INDEX[ch]
        total += addend // N + addend % N
        factor = 1 if factor == 2 else 2
    return ALPHABET[(N - total % N) % N]


def code_generate() -> str:
    """A new unguessable code (30^11 ≈ 1.8 × 10^16 possibilities), normalised form without dashes."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_character(body)


def code_normalise(raw: str) -> str:
    """The stored form of a code as typed: upper case, without dashes and spaces."""
    return "".join(ch for ch in str(raw).upper() if ch not in " -")


def code_is_valid(raw: str) -> bool:
    code = code_normalise(raw)
    if len(code) != BODY_LENGTH + 1 or any(ch not in _INDEX for ch in code):
        return False
    return check_character(code[:-1]) == code[-1]


def code_display(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))
