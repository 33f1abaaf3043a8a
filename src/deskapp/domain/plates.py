"""Mainland China vehicle plates (车牌号) as the clerk types them from the release slip.

A plate is the province's abbreviation, the issuing authority's letter, then the serial:
  ordinary          粤B12345, 粤BA1C23   5 letters/digits; the last may be 学 警 挂 港 澳 领 (粤B1234学)
  new energy, small 粤BD12345          D (pure electric) or F (other) + a letter or digit + 4 digits
  new energy, large 粤B12345D          5 digits + D or F                                (GA 36-2018)
The letters I and O never appear in a serial (they read as 1 and 0).
"""

from __future__ import annotations

import re
import string

from deskapp.domain.inputs import InputError

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
SUFFIXES = "学警挂港澳领"

_SERIAL = "A-HJ-NP-Z0-9"  # letters without I and O, and digits
_PLATE = re.compile(
    rf"[{PROVINCES}][A-Z]"
    rf"(?:[{_SERIAL}]{{4}}[{_SERIAL}{SUFFIXES}]"  # ordinary
    rf"|[DF][{_SERIAL}][0-9]{{4}}"  # new energy, small
    rf"|[0-9]{{5}}[DF])"  # new energy, large
)

# Full-width ASCII (Ａ-Ｚ, ０-９, －, ．) and the ideographic space, as a Chinese IME types them.
_FULL_WIDTH = {0xFF01 + n: 0x21 + n for n in range(0x5E)} | {0x3000: 0x20}
_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)  # str.upper() would make ſ an S
# What separates the authority letter from the serial: middle dots of every kind, full stops, hyphens.
_SEPARATORS = re.compile(r"[\s·・･•‧∙⋅.\-‐‑–—]")

DOT = "·"


def normalise(text: str) -> str:
    """A plate as typed: full-width to ASCII; no spaces, middle dots or hyphens; upper case."""
    return _SEPARATORS.sub("", text.translate(_FULL_WIDTH)).translate(_UPPER)


def check_plate(text: str) -> str:
    """The plate, normalised (粤B12345), or InputError("input.plate")."""
    plate = normalise(text)
    if not _PLATE.fullmatch(plate):
        raise InputError("input.plate")
    return plate


def format_plate(plate: str) -> str:
    """A plate as printed, with the dot after the authority letter: 粤B·12345."""
    plate = normalise(plate)
    if len(plate) <= 2:
        return plate
    return f"{plate[:2]}{DOT}{plate[2:]}"
