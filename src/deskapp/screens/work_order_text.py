"""How a work order reads on screen and on paper: its times, its badge, the printed 维修单."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from rich.table import Table
from rich.text import Text

from deskapp.domain.fees import format_fen
from deskapp.services.work_orders import OrderDetail, OrderView
from deskapp.standards.model import Step

# The catalogue step that holds the standard for an order in each state.
STAGE_STEP = {
    "received": "capability",
    "dispatched": "dispatch",
    "on_site": "on_site",
    "review": "on_site",
    "done": "order_check",
    "signed": "callback",
    "closed": "closed",
    "referred": "referral_hand",
}


def when(at: datetime | None, now: datetime, tz: tzinfo) -> str:
    """HH:MM today, MM-DD HH:MM on another day; empty for no time."""
    if at is None:
        return ""
    local = at.astimezone(tz)
    return local.strftime("%H:%M") if local.date() == now.astimezone(tz).date() else local.strftime("%m-%d %H:%M")


def minutes(seconds: float) -> int:
    return int(abs(seconds) // 60)


def badge(order: OrderView, now: datetime, t: Callable[..., str]) -> Text:
    """Due in / overdue by, for the limit the order runs against; a mark for a late arrival."""
    if order.deadline is not None:
        left = order.deadline.left(now).total_seconds()
        limit = t(f"work_order.limit.{order.deadline.limit}")
        if left < 0:
            return Text(t("repair.overdue_by", limit=limit, time=span(-left, t)), style="bold red")
        return Text(t("repair.due_in", limit=limit, time=span(left, t)), style="yellow" if left < 15 * 60 else "")
    if order.arrived_late:
        return Text(t("repair.was_late"), style="red")
    return Text("")


def span(seconds: float, t: Callable[..., str]) -> str:
    mins = minutes(seconds)
    if mins < 60:
        return t("repair.minutes", n=mins)
    hours, rest = divmod(mins, 60)
    return t("repair.hours", h=hours, m=rest)


def standard(step: Step, lang: str, t: Callable[..., str], filled: Callable[[str], Text]) -> Table:
    """The step's action, phrases and rules, label | text, as the step panel shows them."""
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    if step.action:
        grid.add_row(t("step.action"), filled(step.action(lang)))
    open_q, close_q = ("「", "」") if lang == "zh" else ("“", "”")
    for n, say in enumerate(step.say):
        line = Text.assemble(open_q, filled(say.text(lang)), close_q, style="bold #ffd75f")
        grid.add_row(t("step.say") if n == 0 else "", line)
    for n, rule in enumerate(step.rules):
        rule_text = filled(rule.text(lang))
        rule_text.stylize("dim")
        grid.add_row(t("step.rules") if n == 0 else "", rule_text)
    return grid


def printed(detail: OrderDetail, t: Callable[..., str], now: datetime, tz: tzinfo, site: str) -> str:
    """The work order as printed for the repairman (维修单) and kept on file."""
    o = detail.order
    full = lambda at: at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if at else "—"  # noqa: E731
    lines = [
        t("repair.print.title", site=site),
        t("repair.print.no", no=o.no, state=t(f"work_order.state.{o.state}")),
        t("repair.print.received", at=full(o.received_at), by=o.received_by, channel=t(f"fact.repair_channel.{o.channel}")),
        t("repair.print.where", area=t(f"area.{o.area}"), where=o.where),
        t("repair.print.customer", customer=o.customer or "—", phone=o.phone or "—"),
        t("repair.print.item", category=t(f"repair_category.{o.category}") if o.category else "—", item=o.item),
    ]
    if o.referral:
        name, phone, trade = o.referral
        lines.append(t("repair.print.referral", name=name, phone=phone, trade=trade))
    else:
        lines.append(t("repair.print.appointment", at=full(o.appointment_at), promised=full(o.promised_at)))
        lines.append(t("repair.print.arrived", at=full(o.arrived_at), late=t("repair.late") if o.arrived_late else ""))
    if detail.parts:
        lines.append(t("repair.print.parts"))
        for p in detail.parts:
            quantity = f"{p.quantity_centi / 100:g}"
            lines.append(f"  {p.name}  {p.spec}  × {quantity}  @ {format_fen(p.unit_price_fen)} = {format_fen(p.cost_fen)}")
    if o.done_at:
        lines.append(t("repair.print.charges", labour=format_fen(o.labour_fen), total=format_fen(o.total_fen), receipt=o.receipt_no or "—"))
    if o.signed_at:
        lines.append(t("repair.print.signed", by=o.signed_by, score=o.satisfaction or "—", at=full(o.signed_at)))
    if o.callback_at:
        lines.append(t("repair.print.callback", at=full(o.callback_at), result=o.callback_result or "—"))
    lines.append(t("repair.print.history"))
    for e in detail.events:
        extra = e.detail.get("reason") or e.detail.get("result") or e.detail.get("note") or ""
        lines.append(f"  {full(e.at)}  {e.actor}  {t(f'work_order.action.{e.action}')}" + (f"  {extra}" if extra else ""))
    return "\n".join(lines)
