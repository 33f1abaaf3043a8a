"""Identity documents as a release-slip applicant or a driver shows them: the type, the number
checked, and the number masked for keeping. The full number is never kept, only `mask(number)`.

A Chinese driving licence (机动车驾驶证) is numbered with its holder's 18-digit citizen ID number,
so it is checked the same way as a resident ID card, with its own messages.

Each check returns the normalised number or raises InputError with a message key for the type.
"""

from __future__ import annotations

import re
import string
from datetime import date

from deskapp.domain.inputs import InputError

ID_TYPES = ("resident_id", "passport", "hk_macau", "taiwan", "driving_licence")
"""居民身份证, 护照, 港澳居民来往内地通行证, 台湾居民来往大陆通行证, 机动车驾驶证; numbered 1… in this order."""

_NAMES = {
    "居民身份证": "resident_id",
    "身份证": "resident_id",
    "护照": "passport",
    "港澳居民来往内地通行证": "hk_macau",
    "港澳通行证": "hk_macau",
    "回乡证": "hk_macau",
    "台湾居民来往大陆通行证": "taiwan",
    "台胞证": "taiwan",
    "机动车驾驶证": "driving_licence",
    "驾驶证": "driving_licence",
    "驾照": "driving_licence",
}

# Full-width ASCII (Ａ-Ｚ, ０-９) and the ideographic space, as a Chinese IME types them.
_FULL_WIDTH = {0xFF01 + n: 0x21 + n for n in range(0x5E)} | {0x3000: 0x20}
_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)  # str.upper() would make ſ an S

# GB 11643-1999: the 18th character is the ISO 7064 MOD 11-2 check of the first 17 digits.
_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
_CHECK = "10X98765432"

# The first two digits of the address code (GB/T 2260): the provinces, 71 台湾, 81 香港, 82 澳门,
# and 83, which the residence permits of Taiwan residents (台湾居民居住证, 830000…) carry.
PROVINCE_CODES = frozenset(
    [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55), *range(61, 66), 71, 81, 82, 83]
)

_CITIZEN = re.compile(r"[0-9]{17}[0-9X]")
_PASSPORT = re.compile(r"(?=[0-9A-Z]*[0-9])[0-9A-Z]{5,17}")
_HK_MACAU = re.compile(r"[HM][0-9]{8}(?:[0-9]{2})?")
_TAIWAN = re.compile(r"[0-9]{8}(?:[0-9]{2})?")

STAMP_TEXT = "复件仅供{purpose}之用"
"""The wording of the copy-purpose stamp (tip A3) put on every ID copy in front of the customer."""


def parse_id_type(text: str) -> str:
    """An ID type by its number in ID_TYPES (1…), its name, or its Chinese name (身份证, 护照…)."""
    value = "".join(text.translate(_FULL_WIDTH).split()).lower()
    if re.fullmatch(r"[0-9]{1,2}", value) and 1 <= int(value) <= len(ID_TYPES):  # ASCII: not ١
        return ID_TYPES[int(value) - 1]
    if value in ID_TYPES:
        return value
    if value in _NAMES:
        return _NAMES[value]
    raise InputError("input.id_type")


def normalise(text: str) -> str:
    """A number as typed: full-width to ASCII, no spaces, upper case."""
    return "".join(text.translate(_FULL_WIDTH).split()).translate(_UPPER)


def check_digit(first17: str) -> str:
    """The GB 11643-1999 check character ('0'…'9' or 'X') of the first 17 digits of a citizen ID."""
    if not re.fullmatch(r"[0-9]{17}", first17):
        raise ValueError(f"17 digits expected, not {first17!r}")
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def _birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def _check_citizen(number: str, today: date, key: str) -> str:
    """An 18-character citizen ID number (ID card or driving licence); `key` names the type."""
    if not _CITIZEN.fullmatch(number):
        raise InputError(key)
    if int(number[:2]) not in PROVINCE_CODES:
        raise InputError(f"{key}_area")
    born = _birth_date(number)
    if born is None or born.year < 1900 or born > today:
        raise InputError(f"{key}_birth")
    if check_digit(number[:17]) != number[17]:
        raise InputError(f"{key}_check")
    return number


def check_id(id_type: str, text: str, today: date) -> str:
    """The number of an ID of `id_type` (one of ID_TYPES), normalised, or InputError naming what
    is wrong for that type. `today` bounds a citizen ID's date of birth."""
    number = normalise(text)
    if id_type == "resident_id":
        return _check_citizen(number, today, "input.id_resident")
    if id_type == "driving_licence":
        return _check_citizen(number, today, "input.id_licence")
    if id_type == "passport":
        if not _PASSPORT.fullmatch(number):
            raise InputError("input.id_passport")
        return number
    if id_type == "hk_macau":
        if not _HK_MACAU.fullmatch(number):
            raise InputError("input.id_hk_macau")
        return number
    if id_type == "taiwan":
        if not _TAIWAN.fullmatch(number):
            raise InputError("input.id_taiwan")
        return number
    raise InputError("input.id_type")


def mask(number: str) -> str:
    """The form that is kept: the first 4 and last 4 characters, a * for each between
    (4403**********128X); a number of 8 characters or fewer keeps only its last 2 (******34)."""
    if len(number) <= 8:
        return "*" * max(len(number) - 2, 0) + number[-2:]
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def stamp_text(purpose: str) -> str:
    """The copy-purpose stamp's words (tip A3): stamp_text("办理物品放行") == "复件仅供办理物品放行之用"."""
    purpose = purpose.strip()
    if not purpose:
        raise ValueError("a stamp names its purpose")
    return STAMP_TEXT.format(purpose=purpose)
