"""What a clerk types into a field, checked: counts, money, phone numbers, times, text.

Each parser returns the value to keep or raises InputError with a message key for the field.
"""

from __future__ import annotations

import re

from deskapp.domain.fees import format_fen, parse_yuan
from deskapp.errors import DeskappError

MAX_TEXT = 200
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
_TIME = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")


class InputError(DeskappError):
    """A value that cannot be kept; `key` names the message for the field."""


def parse_count(text: str) -> int:
    text = text.strip()
    if not text.isdigit() or int(text) <= 0:
        raise InputError("input.count")
    if int(text) > 999:
        raise InputError("input.count_too_big")
    return int(text)


def parse_money(text: str) -> str:
    """Money as typed ('1200', '1,200.5'): kept as the clerk says it, 1,200.50."""
    try:
        fen = parse_yuan(text)
    except ValueError:
        raise InputError("input.money") from None
    if fen <= 0:
        raise InputError("input.money")
    return format_fen(fen)


def parse_phone(text: str) -> str:
    compact = re.sub(r"[\s]", "", text)
    if not (_MOBILE.match(compact) or _LANDLINE.match(compact)):
        raise InputError("input.phone")
    return compact


def parse_time(text: str) -> str:
    m = _TIME.match(text.strip())
    if not m:
        raise InputError("input.time")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def parse_text(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise InputError("input.required")
    if len(text) > MAX_TEXT:
        raise InputError("input.too_long", max=MAX_TEXT)
    return text


def parse_resident_kind(text: str) -> str:
    value = text.strip().lower()
    aliases = {"1": "owner", "owner": "owner", "业主": "owner", "2": "tenant", "tenant": "tenant", "租户": "tenant"}
    if value not in aliases:
        raise InputError("input.resident_kind")
    return aliases[value]


PARSERS = {
    "count": parse_count,
    "money": parse_money,
    "phone": parse_phone,
    "time": parse_time,
    "text": parse_text,
    "resident_kind": parse_resident_kind,
}


def parse(kind: str, text: str) -> object:
    return PARSERS[kind](text)
