"""A handover as a readable document: on F7 once completed, and `deskapp handover show ID`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from deskapp.services.handover import CLOSED, HandoverView, ItemView


def kind_label(kind: str, tag: str, t: Callable[..., str]) -> str:
    """What an open item is, as the clerk calls it: 维修到场, 维修评审, 答复客户, 等候来访 …"""
    if kind == "promise" and tag:
        return t(f"promise.{tag}")
    if kind == "work_order" and tag:
        return t(f"today.work_order.{tag}")
    if kind == "complaint" and tag:
        return t(f"complaints.clock.{tag}")
    return t(f"handover.kind.{kind}")


def item_text(kind: str, label: str, t: Callable[..., str]) -> str:
    """The item's text; a visit's purpose is kept as its code and said in the UI language."""
    if kind in ("visit", "waiting") and label:
        said = t(f"walk_in.purpose.{label}")
        return said if said != f"walk_in.purpose.{label}" else label
    return label


def when(at: datetime | None, tz: tzinfo, t: Callable[..., str]) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if at else t("handover.doc.none")


def item_lines(n: int, item: ItemView, tz: tzinfo, t: Callable[..., str]) -> list[str]:
    lines = [t("handover.doc.item", n=n, kind=kind_label(item.kind, item.tag, t), who=item.who, what=item_text(item.kind, item.label, t)).replace("  ", " ")]
    if item.due_at:
        lines.append(t("handover.doc.due", due=when(item.due_at, tz, t)))
    if item.note:
        lines.append(t("handover.doc.item_note", note=item.note))
    if item.question:
        lines.append(t("handover.doc.question", question=item.question))
    if item.answer:
        lines.append(t("handover.doc.answer", answer=item.answer))
    if item.acknowledged_at:
        lines.append(t("handover.doc.acknowledged", at=when(item.acknowledged_at, tz, t)))
    return lines


def document_lines(view: HandoverView, tz: tzinfo, t: Callable[..., str]) -> list[str]:
    """Header, the shift note, the items handed over, and those closed before the handover."""
    none = t("handover.doc.none")
    lines = [
        t("handover.doc.title", id=view.id),
        t("handover.doc.clerks", outgoing=view.outgoing, incoming=view.incoming or none),
        t("handover.doc.times", opened=when(view.opened_at, tz, t), presented=when(view.presented_at, tz, t),
          completed=when(view.completed_at, tz, t)),
        t("handover.doc.state", state=t(f"handover.state.{view.state}")),
        t("handover.doc.note", note=view.note or none),
        "",
        t("handover.doc.items", count=len(view.live)),
    ]
    for n, item in enumerate(view.live, 1):
        lines += item_lines(n, item, tz, t)
    closed = [i for i in view.items if i.state == CLOSED]
    if closed:
        lines += ["", t("handover.doc.closed", count=len(closed))]
        for n, item in enumerate(closed, 1):
            lines += item_lines(n, item, tz, t)
    return lines
