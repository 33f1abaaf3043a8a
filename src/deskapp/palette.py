"""Ctrl+P: find a release slip or a work order by its number from any screen.

A slip found here shows whether it is valid, used or void, without counting as the guard's
check; Enter on it opens the slip on the release screen. A work order opens on the repair screen.
"""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider

from deskapp.errors import DeskappError

MAX_HITS = 8


def _number(query: str) -> int | None:
    digits = "".join(ch for ch in query if ch.isdigit())
    return int(digits) if digits and len(digits) <= 9 else None


class RecordsProvider(Provider):
    """Slips (放行条) and work orders (维修单) by number."""

    async def search(self, query: str) -> Hits:
        ctx = self.app.ctx
        if ctx.clerk is None or ctx.store is None:
            return
        number = _number(query)
        if number is None:
            return
        from deskapp.services import releases, work_orders  # not at start-up: the store's modules are heavy

        t = ctx.t
        wants_order = query.strip().upper().startswith("WX")
        if not wants_order:
            slip = releases.find_slip(ctx.store, number)
            if slip is not None:
                text = t("palette.slip", no=slip.number, status=t(f"release.status_word.{slip.status}"),
                         unit=slip.unit, name=slip.applicant_name)
                yield Hit(1.0, text, partial(self.app.open_slip, slip.slip_no), text=text, help=t("palette.slip_help"))
        try:
            order = work_orders.get(ctx.store, ctx.policy, number).order
        except DeskappError:  # no such order: no hit
            order = None
        if order is not None:
            text = t("palette.order", no=order.no, state=t(f"work_order.state.{order.state}"), where=order.where, item=order.item)
            yield Hit(0.9, text, partial(self.app.open_order, order.id), text=text, help=t("palette.order_help"))
