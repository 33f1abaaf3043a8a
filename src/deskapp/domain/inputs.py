"""What a clerk types into a field, checked: counts, money, phone numbers, times, text.

Each parser returns the value to keep or raises InputError with a message key for the field.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from deskapp.domain.fees import format_fen, parse_yuan
from deskapp.errors import DeskappError

MAX_TEXT = 200
# [0-9], not \d: \d takes the digits of every script (١, ८), which would be kept as typed.
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[0-9]{2,3}-?[0-9]{7,8}")
_TIME = re.compile(r"([01]?[0-9]|2[0-3])[:：]([0-5][0-9])")


# Full-width ASCII (Ａ-Ｚ, ０-９, ：…) and the ideographic space, as a Chinese IME types them.
_FULL_WIDTH = {0xFF01 + n: 0x21 + n for n in range(0x5E)} | {0x3000: 0x20}


# Control characters other than white space, and lone surrogates: pasted in, never meant, and not
# storable (PostgreSQL refuses NUL; a lone surrogate is not UTF-8, so SQLite refuses it).
_UNKEPT = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff]")


def keepable(text: str) -> str:
    """The text without what no store can keep (see _UNKEPT); white space is left for the caller."""
    return _UNKEPT.sub("", text)


def half_width(text: str) -> str:
    """Full-width digits, letters and punctuation, and the ideographic space, as their ASCII twins."""
    return text.translate(_FULL_WIDTH)


class InputError(DeskappError):
    """A value that cannot be kept; `key` names the message for the field."""


def parse_count(text: str) -> int:
    digits = text.strip()
    if not re.fullmatch(r"[0-9]+", digits) or not (digits := digits.lstrip("0")):  # not ², not ٣, not 0
        raise InputError("input.count")
    if len(digits) > 3:  # over 999; int() would refuse 4300 digits or more
        raise InputError("input.count_too_big")
    return int(digits)


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
    """A mobile or landline number, kept in ASCII digits (the registers call this with the text as typed)."""
    compact = re.sub(r"[\s]", "", half_width(text))
    compact = compact.removeprefix("+86").removeprefix("0086") if compact.startswith(("+86", "0086")) else compact
    if not (_MOBILE.fullmatch(compact) or _LANDLINE.fullmatch(compact)):
        raise InputError("input.phone")
    return compact


def parse_time(text: str) -> str:
    m = _TIME.fullmatch(text.strip())
    if not m:
        raise InputError("input.time")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def parse_text(text: str) -> str:
    text = " ".join(keepable(text).split())
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


_UNIT = re.compile(r"[0-9]{1,3}-[0-9]{1,2}-[0-9]{3,4}")
TITLES = {"1": "先生", "2": "女士", "3": "小姐", "先生": "先生", "女士": "女士", "小姐": "小姐"}
_DUE = re.compile(r"(?:(今天|今日|today)|(明天|明日|tomorrow)|([0-9]{4}-[0-9]{1,2}-[0-9]{1,2}))?\s*([01]?[0-9]|2[0-3])[:：]([0-5][0-9])", re.IGNORECASE)


def parse_unit(text: str) -> str:
    """A unit code as the clerk types it: building-entrance-room, e.g. 3-2-1501 (checked against
    the store by the screen); empty for someone who is not a resident."""
    text = text.strip()
    if text and not _UNIT.fullmatch(text):
        raise InputError("input.unit")
    return text


def parse_title(text: str) -> str:
    value = text.strip()
    if value not in TITLES:
        raise InputError("input.title")
    return TITLES[value]


def _moment(text: str, now: datetime | None, bad: str, earliest: timedelta) -> str:
    """"14:30" (today, or tomorrow once more than `earliest` gone), "明天 10:00", "2026-11-25
    10:00" as local "YYYY-MM-DD HH:MM"; refused when more than `earliest` before now."""
    m = _DUE.fullmatch(text.strip())
    if not m or now is None:
        raise InputError(bad)
    today, tomorrow, day, hour, minute = m.groups()
    if day:
        try:
            when = datetime.strptime(f"{day} {hour}:{minute}", "%Y-%m-%d %H:%M").replace(tzinfo=now.tzinfo)
        except ValueError:
            raise InputError(bad) from None
    else:
        base = now + timedelta(days=1) if tomorrow else now
        when = base.replace(hour=int(hour), minute=int(minute), second=0, microsecond=0)
        if not today and not tomorrow and when <= now - earliest:
            when += timedelta(days=1)
    if when <= now - earliest:
        raise InputError("input.due_past")
    return when.strftime("%Y-%m-%d %H:%M")


def parse_due(text: str, now: datetime | None = None) -> str:
    """When something is due: "14:30" (today, or tomorrow if already past), "明天 10:00",
    "2026-11-25 10:00". Kept as local "YYYY-MM-DD HH:MM"; never in the past."""
    return _moment(text, now, "input.due", timedelta(0))


_NOW_WORDS = {"现在", "马上", "立即", "now"}


def parse_appointment(text: str, now: datetime | None = None) -> str:
    """When the repairman is expected (someone is home): "现在"/"now", "14:30" (today; tomorrow if
    that time is more than a few minutes gone), "明天 10:00", "2026-11-25 10:00".
    Kept as local "YYYY-MM-DD HH:MM"."""
    if now is not None and text.strip().lower() in _NOW_WORDS:
        return now.strftime("%Y-%m-%d %H:%M")
    return _moment(text, now, "input.appointment", APPOINTMENT_GRACE)


def spoken_time(value: str, now: datetime, tomorrow: str) -> str:
    """A kept "YYYY-MM-DD HH:MM" as said to the customer: 14:30 today, 明天 14:30, else 11-26 14:30."""
    try:
        when = datetime.strptime(value, "%Y-%m-%d %H:%M")
    except ValueError:
        return value
    days = (when.date() - now.date()).days
    if days == 0:
        return when.strftime("%H:%M")
    if days == 1:
        return f"{tomorrow} {when:%H:%M}"
    return when.strftime("%m-%d %H:%M")


APPOINTMENT_GRACE = timedelta(minutes=5)  # "10:00" typed at 10:03 means now, not tomorrow

REPAIR_CATEGORIES = ("plumbing", "electrical", "doors_windows", "building", "other")


def parse_category(text: str) -> str:
    """A repair category by its number in REPAIR_CATEGORIES (1…) or its name."""
    value = text.strip().lower()
    if re.fullmatch(r"[0-9]{1,2}", value) and 1 <= int(value) <= len(REPAIR_CATEGORIES):  # not 5000 digits for int()
        return REPAIR_CATEGORIES[int(value) - 1]
    if value in REPAIR_CATEGORIES:
        return value
    raise InputError("input.category")


def parse_quantity(text: str) -> int:
    """A quantity in hundredths: "2" → 200, "2.5" → 250; more than zero."""
    text = text.strip()
    m = re.match(r"^(\d{1,6})(?:\.(\d{1,2}))?$", text)
    if not m:
        raise InputError("input.quantity")
    centi = int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0"))
    if centi <= 0:
        raise InputError("input.quantity")
    return centi


def parse_goods_kind(text: str) -> str:
    """Goods with counts, kept as written on the slip (沙发×1、纸箱×10)."""
    from deskapp.domain.goods import GoodsError, goods_text, parse_goods

    try:
        return goods_text(parse_goods(text))
    except GoodsError as e:
        raise InputError(e.key, **e.params) from None


def parse_id_no(text: str) -> str:
    """An ID or licence number as typed: 5 to 20 letters and digits (checked for its type later)."""
    value = re.sub(r"\s", "", text)
    if not re.fullmatch(r"[0-9A-Za-z]{5,20}", value):  # before upper(), which makes ſ an S and ß SS
        raise InputError("input.id_no")
    return value.upper()


def _id_type(text: str) -> str:
    from deskapp.domain.ids import parse_id_type

    return parse_id_type(text)


def _plate(text: str) -> str:
    from deskapp.domain.plates import check_plate

    return check_plate(text)


PARSERS = {
    "count": parse_count,
    "money": parse_money,
    "phone": parse_phone,
    "time": parse_time,
    "text": parse_text,
    "resident_kind": parse_resident_kind,
    "unit": parse_unit,
    "title": parse_title,
    "category": parse_category,
    "goods": parse_goods_kind,
    "id_no": parse_id_no,
    "id_type": _id_type,
    "plate": _plate,
}


def parse(kind: str, text: str, now: datetime | None = None) -> object:
    """`now` (local time) is needed for kinds relative to it (due). Full-width digits and
    punctuation, as a Chinese input method types them, count as their ASCII twins."""
    text = half_width(text)
    if kind == "due":
        return parse_due(text, now)
    if kind == "appointment":
        return parse_appointment(text, now)
    return PARSERS[kind](text)
