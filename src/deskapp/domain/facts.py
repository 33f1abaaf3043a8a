"""The facts a flow branches on (standards/registry.FACTS), each computed here, once.

Every function returns one of the fact's values, or None when the record does not tell —
the screen then asks the clerk.
"""

from __future__ import annotations

from deskapp.domain.fees import Arrears


def _yes_no(flag: bool | None) -> str | None:
    return None if flag is None else ("yes" if flag else "no")


def engineering_supervisor_present(present: bool | None) -> str | None:
    return _yes_no(present)


def finance_present(present: bool | None) -> str | None:
    return _yes_no(present)


def director_present(present: bool | None) -> str | None:
    return _yes_no(present)


def visitor_kind(kind: str | None) -> str | None:
    return kind if kind in ("owner", "tenant") else None


def owner_arrears(arrears: Arrears | None, notice_months: int) -> str | None:
    """none; some; over_limit = `notice_months` months or more (欠费三个月以上需通知管理处主任).

    以上 includes the number itself (民法典 第一千二百五十九条), so three months is over the limit.
    """
    if arrears is None:
        return None
    if arrears.months >= notice_months:
        return "over_limit"
    return "some" if arrears.any else "none"


def tenant_arrears(arrears: Arrears | None, max_months: int) -> str | None:
    """A tenant more than `max_months` in arrears is refused a release slip (如欠费则不予放行)."""
    if arrears is None:
        return None
    return "some" if arrears.months > max_months else "none"


def repair_in_house(in_price_list: bool | None) -> str | None:
    """Within engineering's capability: the item is on the approved repair price list."""
    return _yes_no(in_price_list)


def repair_channel(channel: str | None) -> str | None:
    """Where the repair request was taken: at the counter (the visitor waits) or by phone."""
    return channel if channel in ("counter", "phone") else None
