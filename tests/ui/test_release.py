"""Release slips (F5) through the keyboard: every branch of the standard — owner clear (and in a
hurry), owner in arrears, owner three months behind; tenant in arrears refused; tenant clear with
the owner agreeing, refusing, or not reachable — bad input at its field, the guard's check and a
void that only a supervisor can do. Demo units as in tests/unit/test_releases.py."""

from __future__ import annotations

import pytest
from sqlmodel import select

from deskapp.store.tables import AuditEvent, Promise, ReleaseRequest
from repair_helpers import ask_error, field_error, fill, settle, shown, step, type_into_ask
from walk_in_helpers import open_walk_in, register, serve_first

ID = "44030519900101123X"
DRIVER = "440306198506152013"


async def open_release(pilot, sign_in) -> None:
    await sign_in(pilot, "demo", "1234")
    await pilot.press("f5")
    await settle(pilot)


async def applicant(pilot, unit: str, pick: int) -> None:
    """Ctrl+N, the unit, Enter, then the `pick`-th resident (0-based; the last is a new tenant)."""
    await pilot.press("ctrl+n")
    await pilot.pause()
    await pilot.press(*unit, "enter")
    await pilot.pause()
    await pilot.press(*["down"] * pick, "enter")
    await settle(pilot)


async def id_and_goods(pilot) -> None:
    """The ID (type 1 pre-filled), then on to the goods step and fill it."""
    await type_into_ask(pilot, "id_no", ID)
    await pilot.press("enter")  # the stamp: owner or tenant known from the applicant
    await settle(pilot)


async def goods(pilot) -> None:
    await type_into_ask(pilot, "items", "沙发1,冰箱1,纸箱10")
    await type_into_ask(pilot, "plate", "粤B12345")
    await type_into_ask(pilot, "driver", "张师傅")
    await type_into_ask(pilot, "driver_id", DRIVER)
    await settle(pilot)


def _last(store) -> ReleaseRequest:
    with store.session() as session:
        return session.exec(select(ReleaseRequest).order_by(ReleaseRequest.id.desc())).first()


async def test_a_tenant_of_a_unit_two_months_behind_is_refused(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_release(pilot, sign_in)
        await applicant(pilot, "1-1-1101", 1)  # owner 张庆华, tenant 董博
        assert step(app) == "id_copy"
        await id_and_goods(pilot)
        assert step(app) == "tenant_fees"
        await pilot.press("enter")  # the fee check: 2 months unpaid
        await settle(pilot)
        assert step(app) == "tenant_refuse"
        assert "您还有2月管理费共" in shown(app, "#step-body") and "请您先交纳管理费后才能办理放行手续" in shown(app, "#step-body")
        await pilot.press("enter")
        await settle(pilot)
    request = _last(demo_store)
    assert (request.outcome, request.slip_no, request.arrears_months) == ("refused", None, 2)


async def test_a_clear_tenant_gets_a_slip_only_after_the_owner_agrees(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_release(pilot, sign_in)
        await applicant(pilot, "1-1-1002", 1)  # owner 吴平, tenant 韩瑶
        await type_into_ask(pilot, "id_no", ID[:-1] + "1")  # a wrong check digit: refused at the field
        assert step(app) == "id_copy" and "校验位" in ask_error(app, "id_no")
        await id_and_goods(pilot)
        await pilot.press("enter")  # fees clear
        assert step(app) == "tenant_items"
        await type_into_ask(pilot, "items", "沙发")  # no count
        await type_into_ask(pilot, "plate", "B12345")
        await type_into_ask(pilot, "driver", "张师傅")
        await type_into_ask(pilot, "driver_id", DRIVER)
        assert step(app) == "tenant_items"  # both refused, each at its own field
        assert "数量" in ask_error(app, "items") and "车牌" in ask_error(app, "plate")
        assert _last(demo_store).plate == ""
        await goods(pilot)
        assert step(app) == "tenant_wait"
        await pilot.press("enter")
        assert step(app) == "owner_call"
        said = " ".join(shown(app, "#step-body").split())
        assert "您好,这里是中海物业海悦花园管理处,请问您是1-1-1002业主吴先生么?" in said and "韩先生需要搬出沙发×1、冰箱×1、纸箱×10等物品" in said
        assert _last(demo_store).slip_no is None
        await pilot.press("enter", "1")  # the owner agrees
        await settle(pilot)
        assert step(app) == "tenant_sign"
        await pilot.press("enter")  # signed: the slip is issued as it is torn off
        await settle(pilot)
        assert step(app) == "tenant_tear"
        assert "No. 000001" in shown(app, "#aside")
        await pilot.press("enter", "enter")
        await settle(pilot)
    request = _last(demo_store)
    assert (request.outcome, request.slip_no, request.owner_answer) == ("issued", 1, "agrees")
    assert request.id_masked == "4403**********123X" and request.plate == "粤B12345"


@pytest.mark.parametrize(("key", "outcome", "promise"), [("2", "refused", None), ("3", "pending", "callback")], ids=["refuses", "unreachable"])
async def test_the_owner_refusing_or_unreachable_means_no_slip(demo_store, make_app, sign_in, key, outcome, promise) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_release(pilot, sign_in)
        await applicant(pilot, "1-1-1002", 1)
        await id_and_goods(pilot)
        await pilot.press("enter")
        await goods(pilot)
        await pilot.press("enter", "enter", key)
        await settle(pilot)
        assert step(app) == ("tenant_owner_refused" if key == "2" else "tenant_pending")
        await pilot.press("enter")
        await settle(pilot)
    request = _last(demo_store)
    assert (request.outcome, request.slip_no) == (outcome, None)
    with demo_store.session() as session:
        kinds = [p.kind for p in session.exec(select(Promise).where(Promise.source_kind == "release")).all()]
    assert kinds == ([promise] if promise else [])


@pytest.mark.parametrize(
    ("unit", "months", "reminded", "director"),
    [("1-1-201", 0, False, False), ("1-1-1202", 2, True, False), ("1-2-601", 3, True, True)],
    ids=["clear", "two-months", "three-months"],
)
async def test_an_owner_gets_a_slip_reminded_of_arrears_and_the_director_told_at_three_months(
    demo_store, make_app, sign_in, unit, months, reminded, director
) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_release(pilot, sign_in)
        await applicant(pilot, unit, 0)
        await id_and_goods(pilot)
        assert step(app) == "owner_return_id"
        await pilot.press("enter")
        await goods(pilot)
        assert step(app) == "owner_sign"
        await pilot.press("enter")  # signed; the fee check decides the way on
        await settle(pilot)
        if reminded:
            assert f"您还有{months}个月的管理费共" in shown(app, "#step-body")
            await pilot.press("enter")
            await settle(pilot)
        assert step(app) == "owner_tear"
        await pilot.press("1", "enter")
        await settle(pilot)
    request = _last(demo_store)
    assert (request.outcome, request.slip_no, request.arrears_months, request.director_notified) == ("issued", 1, months, director)
    with demo_store.session() as session:
        follow_up = session.exec(select(Promise).where(Promise.kind == "arrears_follow_up")).all()
    assert len(follow_up) == (1 if director else 0)


async def test_an_owner_in_a_hurry_with_no_arrears_has_the_lobby_told(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_release(pilot, sign_in)
        await applicant(pilot, "1-1-201", 0)
        await id_and_goods(pilot)
        await pilot.press("enter")
        await goods(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("2", "enter")  # in a hurry: the lobby told at once
        await settle(pilot)
    assert _last(demo_store).hurry
    with demo_store.session() as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "release.lobby_notified")).one()


async def test_a_release_handed_over_from_walk_in_starts_with_the_unit(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walk_in(pilot, sign_in)
        await register(pilot, "1-1-1002", "韩", "2")
        await serve_first(pilot)
        await pilot.press("enter", "5", "enter", "4")  # purpose: release → the release screen
        await settle(pilot)
        assert app.current_mode == "release"
        assert app.screen.query_one("#unit").value == "1-1-1002"
        await pilot.press("enter")  # the tenant 韩瑶 is highlighted by the surname
        await settle(pilot)
        assert step(app) == "id_copy"
    with demo_store.session() as session:
        request = session.exec(select(ReleaseRequest)).one()
    assert (request.applicant_name, request.applicant_kind, request.source_kind) == ("韩瑶", "tenant", "visit")


async def test_guard_check_and_a_void_only_a_supervisor_can_do(demo_store, make_app, sign_in, clock, policy) -> None:
    from datetime import date

    from deskapp.services import releases as R

    request = R.start(demo_store, clock, 1, unit_code="1-1-201", kind="owner", person_id=R.residents(demo_store, "1-1-201")[1][0].id, today=date(2026, 11, 24))
    R.record_id(demo_store, clock, 1, request, "resident_id", ID, date(2026, 11, 24))
    R.record_goods(demo_store, clock, 1, request, goods="沙发1", plate="粤B12345", driver="张", driver_id=DRIVER, today=date(2026, 11, 24))
    R.record_signature(demo_store, clock, 1, request)
    R.issue(demo_store, clock, policy, 1, request, date(2026, 11, 24))
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_release(pilot, sign_in)
        await pilot.press("g")
        await pilot.pause()
        await fill(pilot, "slip", "1")
        await pilot.press("enter")
        await fill(pilot, "guard", "门岗李")
        await pilot.press("enter")
        await settle(pilot)
        assert "有效" in shown(app, "#verdict")
        await pilot.press("enter")  # the guard's name again: checked twice
        await settle(pilot)
        assert "已经使用过" in shown(app, "#verdict")
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("v")
        await pilot.pause()
        await fill(pilot, "code", "demo")
        await fill(pilot, "pin", "1234")
        await fill(pilot, "reason", "写错了")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "客服主任" in field_error(app, "code")
        await fill(pilot, "code", "super")
        await fill(pilot, "pin", "5678")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "已作废" in shown(app, "#detail")
    row = _last(demo_store)
    assert row.void_reason == "写错了" and row.voided_by_id is not None and row.checked_by == "门岗李"


async def test_the_palette_finds_a_slip_and_a_work_order_by_number(demo_store, make_app, sign_in, clock, policy) -> None:
    """Ctrl+P from Today: slip 1 opens on the release screen without counting as the guard's
    check; WX1 opens the work order on the repair screen."""
    from datetime import date

    from deskapp.screens.release_dialogs import SlipDialog
    from deskapp.screens.work_order_dialogs import PrintDialog
    from deskapp.services import releases as R
    from deskapp.services import work_orders as W

    today = date(2026, 11, 24)
    owner = next(p for p in R.residents(demo_store, "1-1-201")[1] if p.kind == "owner")
    request = R.start(demo_store, clock, 1, unit_code="1-1-201", kind="owner", person_id=owner.id, today=today)
    R.record_id(demo_store, clock, 1, request, "resident_id", ID, today)
    R.record_goods(demo_store, clock, 1, request, goods="沙发1", plate="粤B12345", driver="张", driver_id=DRIVER, today=today)
    R.record_signature(demo_store, clock, 1, request)
    R.issue(demo_store, clock, policy, 1, request, today)
    W.open_order(demo_store, clock, 1, area="household", item="门锁坏了", unit_code="1-1-201")
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.pause()
        assert app.current_mode == "release" and isinstance(app.screen, SlipDialog)
        assert "No. 000001" in str(app.screen.query_one("#slip-text").render())
        await pilot.press("escape", "ctrl+p")
        await pilot.pause()
        await pilot.press("w", "x", "1")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.pause()
        assert app.current_mode == "repair" and isinstance(app.screen, PrintDialog)
    assert _last(demo_store).checked_at is None


async def test_a_locked_supervisor_code_is_refused_at_the_pin_in_the_void_dialog(demo_store, make_app, sign_in, clock, policy) -> None:
    """Five wrong PINs for the supervisor (at any console) lock the code: the void dialog says
    until when, at the PIN, in full (the message wraps in the dialog), and nothing is voided."""
    from datetime import date

    from deskapp.services import auth
    from deskapp.services import releases as R

    today = date(2026, 11, 24)
    owner = next(p for p in R.residents(demo_store, "1-1-201")[1] if p.kind == "owner")
    request = R.start(demo_store, clock, 1, unit_code="1-1-201", kind="owner", person_id=owner.id, today=today)
    R.record_id(demo_store, clock, 1, request, "resident_id", ID, today)
    R.record_goods(demo_store, clock, 1, request, goods="沙发1", plate="粤B12345", driver="张", driver_id=DRIVER, today=today)
    R.record_signature(demo_store, clock, 1, request)
    R.issue(demo_store, clock, policy, 1, request, today)
    for _ in range(5):
        with pytest.raises(auth.SignInError):
            auth.sign_in(demo_store, clock, policy, "super", "0000")

    app = make_app(demo_store, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_release(pilot, sign_in)
        await pilot.press("v")
        await pilot.pause()
        await fill(pilot, "code", "super")
        await fill(pilot, "pin", "5678")
        await fill(pilot, "reason", "wrong goods")
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = "Too many wrong PINs: this staff code is locked; try again at 10:10"
        assert field_error(app, "pin") == message and field_error(app, "code") == ""
        label, box = app.screen.query_one("#pin-error"), app.screen.query_one("Vertical")
        assert label.region.height >= 2 and label.region.right <= box.region.right  # wrapped, not cut off
    assert _last(demo_store).voided_at is None
