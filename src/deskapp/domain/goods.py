"""The goods on a release slip, as the clerk types them: names with counts."""

from __future__ import annotations

import re

from deskapp.domain.inputs import half_width, keepable
from deskapp.errors import DeskappError

MAX_COUNT = 999
_SPLIT = re.compile(r"[、,，;；\n]+")
# An x or X after a letter is the name's own ("box 2", "Fax×1"); after anything else it means ×.
_ITEM = re.compile(r"\s*(\D+?)\s*(?:(?<![A-Za-z])[xX]|[×*])?\s*([0-9]+)\s*(?:件|个|台|张|箱|套|包|把|只|袋|组)?\s*")


class GoodsError(DeskappError):
    """Goods typed in a way that cannot be kept."""


def parse_goods(text: str) -> list[tuple[str, int]]:
    """"沙发1、冰箱×1台、纸箱 10" → [("沙发", 1), ("冰箱", 1), ("纸箱", 10)]: at least one item,
    each with a count from 1 to 999. Items may also run together ("沙发1冰箱2"): a count ends one.
    Full-width digits are ASCII ones (沙发１); the digits of other scripts are not counts."""
    found: list[tuple[str, int]] = []
    for part in _SPLIT.split(half_width(keepable(text)).strip()):
        part = part.strip()
        at = 0
        while at < len(part):
            m = _ITEM.match(part, at)
            if not m or not m.group(1).strip(" ×xX*"):
                raise GoodsError("input.goods_count", item=part[at:])
            digits = m.group(2).lstrip("0")
            if not digits or len(digits) > len(str(MAX_COUNT)) or int(digits) > MAX_COUNT:  # int() refuses 4300+ digits
                raise GoodsError("input.goods_count", item=m.group(0).strip())
            found.append((_name(m.group(1)), int(digits)))
            at = m.end()
    if not found:
        raise GoodsError("input.goods")
    return found


def _name(text: str) -> str:
    """An item's name: no spaces or stray × around it, at most 32 characters; a box keeps its x."""
    return text.strip().strip("×*").strip()[:32].rstrip()


def goods_text(goods: list[tuple[str, int]]) -> str:
    """The goods as written on the slip: 沙发×1、冰箱×1、纸箱×10."""
    return "、".join(f"{name}×{count}" for name, count in goods)
