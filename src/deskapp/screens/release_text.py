"""How a release slip reads: on screen, on paper (text and PDF), and to the guard who checks it.
Also used by `deskapp slip verify` and `deskapp slip print`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from rich.text import Text

from deskapp.domain.fees import format_fen
from deskapp.domain.goods import goods_text
from deskapp.domain.plates import format_plate
from deskapp.services.releases import Check, ReleaseView, slip_number

TEAR_OFF = "请您将放行条交给大堂护卫员后就可以放行了。"  # 000 标准3 场景五, said as the slip is torn off

_STATUS_STYLE = {"valid": "bold green", "used": "bold reverse yellow", "void": "bold reverse red", "unknown": "bold reverse red"}


def _at(at: datetime | None, tz: tzinfo) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if at else "—"


def slip_lines(slip: ReleaseView, t: Callable[..., str], tz: tzinfo, site: str) -> tuple[str, list[str], str]:
    """(title, lines, footer) of the printed slip; the footer is the tear-off phrase."""
    title = t("release.print.title", site=site, no=slip.number or "—")
    lines = [
        t("release.print.issued", at=_at(slip.issued_at, tz), by=slip.created_by),
        t("release.print.applicant", unit=slip.unit, name=slip.applicant_name, kind=t(f"fact.visitor_kind.{slip.applicant_kind}")),
        t("release.print.id", type=t(f"id_type.{slip.id_type}") if slip.id_type else "—", number=slip.id_masked or "—", stamp=slip.stamp_text),
        t("release.print.goods", goods=goods_text(slip.goods) if slip.goods else "—"),
        t("release.print.vehicle", plate=format_plate(slip.plate) if slip.plate else "—", driver=slip.driver_name or "—",
          licence=slip.driver_id_masked or "—"),
    ]
    if slip.applicant_kind == "tenant":
        answer = t(f"release.answer.{slip.owner_answer}") if slip.owner_answer else "—"
        lines.append(t("release.print.owner", answer=answer, at=_at(slip.owner_answer_at, tz)))
    if slip.arrears_months:
        lines.append(t("release.print.arrears", months=slip.arrears_months, amount=format_fen(slip.arrears_fen)))
    else:
        lines.append(t("release.print.no_arrears"))
    if slip.director_notified:
        lines.append(t("release.print.director"))
    if slip.hurry:
        lines.append(t("release.print.hurry"))
    lines.append(t("release.print.signed", at=_at(slip.signed_at, tz)))
    if slip.voided_at:
        lines.append(t("release.print.void", at=_at(slip.voided_at, tz), reason=slip.void_reason))
    if slip.checked_at:
        lines.append(t("release.print.checked", at=_at(slip.checked_at, tz), guard=slip.checked_by or "—"))
    return title, lines, TEAR_OFF


def slip_text(slip: ReleaseView, t: Callable[..., str], tz: tzinfo, site: str) -> str:
    title, lines, footer = slip_lines(slip, t, tz, site)
    return "\n".join([title, "", *lines, "", footer])


def verdict(check: Check, number: int, t: Callable[..., str], tz: tzinfo) -> Text:
    """What the guard sees: the status loud, then the goods and the vehicle."""
    out = Text(f" {t(f'release.status.{check.status}', no=slip_number(number))} ", style=_STATUS_STYLE[check.status])
    slip = check.slip
    if slip is None:
        return out
    out.append("\n")
    if check.status == "used":
        out.append(t("release.print.checked", at=_at(slip.checked_at, tz), guard=slip.checked_by or "—") + "\n")
    if check.status == "void":
        out.append(t("release.print.void", at=_at(slip.voided_at, tz), reason=slip.void_reason) + "\n")
    out.append(t("release.print.applicant", unit=slip.unit, name=slip.applicant_name, kind=t(f"fact.visitor_kind.{slip.applicant_kind}")) + "\n")
    out.append(t("release.print.goods", goods=goods_text(slip.goods) if slip.goods else "—") + "\n")
    out.append(t("release.print.vehicle", plate=format_plate(slip.plate) if slip.plate else "—", driver=slip.driver_name or "—",
                 licence=slip.driver_id_masked or "—"))
    return out
