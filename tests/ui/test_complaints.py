"""Complaints and feedback (F6) through the keyboard: a major complaint taken by phone shows its
three clocks, is escalated when the handler does not answer in time, is answered, and closes only
after a callback (a failed one first reopens it); an invalid request is closed with its reason;
Today shows a complaint that is due or overdue."""

from __future__ import annotations

from sqlmodel import select

from deskapp.services import calls
from deskapp.store.tables import Feedback, FeedbackEvent, Promise
from phone_helpers import an_owner
from repair_helpers import fill, settle, shown, step, type_into_ask


def _record(store) -> Feedback:
    with store.session() as session:
        return session.exec(select(Feedback).order_by(Feedback.id.desc())).first()


def _actions(store, record_id: int) -> list[str]:
    with store.session() as session:
        return [e.action for e in session.exec(
            select(FeedbackEvent).where(FeedbackEvent.feedback_id == record_id).order_by(FeedbackEvent.seq)
        ).all()]


async def _stage(pilot, key: str) -> None:
    await pilot.press(key)
    await settle(pilot)


async def _save(pilot) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_a_major_complaint_by_phone_escalated_answered_and_closed_after_the_callback(demo_store, make_app, sign_in, clock) -> None:
    owner = an_owner(demo_store)
    calls.ring(demo_store, clock, owner.phone)
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("f3")  # answer the owner
        await settle(pilot)
        await pilot.press("enter", "enter", "enter", "enter", "3")  # greeting … unit; purpose 3: complaint
        await settle(pilot)
        assert step(app) == "complaint"
        await pilot.press("enter")  # the call hands the complaint over
        await settle(pilot)

        assert app.current_mode == "complaints"
        assert app.screen.query_one("#channel").value == "2"  # taken by phone
        assert app.screen.query_one("#phone").value == owner.phone
        await fill(pilot, "what", "楼上漏水到我家天花板")
        await fill(pilot, "wants", "尽快维修")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert step(app) == "judge"
        await pilot.press("1", "enter", "enter", "1", "enter", "2")  # valid; venue; listen; category 1; responsibility; major
        assert step(app) == "propose_major"
        assert "48小时内给您答复" in shown(app, "#step-body")
        await pilot.press("enter", "enter", "enter")  # propose (the reply promise), participate, thank
        assert step(app) == "route"
        await type_into_ask(pilot, "department", "工程部")
        await pilot.press("enter")
        await settle(pilot)

        record = _record(demo_store)
        assert (record.state, record.severity, record.category, record.channel) == ("open", "major", "engineering_quality", "phone")
        detail = shown(app, "#detail")
        assert "处理人回复剩 24 小时" in detail and "上报上级剩 2 小时" in detail and "答复客户剩 48 小时" in detail

        # Two hours and a bit without the handler's reply: the escalation is overdue, also on Today.
        clock.advance(hours=2, minutes=10)
        await pilot.press("f8")
        await settle(pilot)
        table = app.screen.query_one("#promises")
        rows = [[str(c) for c in table.get_row_at(n)] for n in range(table.row_count)]
        complaint = next(r for r in rows if r[5].startswith("TS000001"))
        assert complaint[0] == "已超时" and complaint[2] == "上报上级"
        await pilot.press("f6")
        await settle(pilot)
        assert "上报上级已超时 10 分钟" in shown(app, "#detail")
        await _stage(pilot, "e")
        await fill(pilot, "to", "王建国(客服主任)")
        await fill(pilot, "reason", "需与楼上业主协调,工程部无法单独处理")
        await _save(pilot)
        await _stage(pilot, "h")
        await fill(pilot, "text", "已协调楼上业主,明天上午维修")
        await _save(pilot)
        await _stage(pilot, "a")
        await fill(pilot, "text", "已电话告知任先生明天上午维修")
        await _save(pilot)
        await _stage(pilot, "c")
        await fill(pilot, "outcome", "2")
        await _save(pilot)  # not satisfied needs the reason
        assert _record(demo_store).state == "answered"
        await fill(pilot, "result", "维修后仍有水渍")
        await _save(pilot)
        assert _record(demo_store).state == "open"
        await _stage(pilot, "a")
        await fill(pilot, "text", "已安排重新处理水渍")
        await _save(pilot)
        await _stage(pilot, "c")
        await fill(pilot, "result", "满意")
        await fill(pilot, "outcome", "1")
        await _save(pilot)

    record = _record(demo_store)
    assert (record.state, record.reopened, record.callback_result) == ("closed", 1, "满意")
    with demo_store.session() as session:
        escalation = session.exec(select(FeedbackEvent).where(FeedbackEvent.action == "escalate")).one()
    assert "王建国(客服主任)" in escalation.detail and "无法单独处理" in escalation.detail  # who and why, kept
    assert _actions(demo_store, record.id) == [
        "receive", "judge_valid", "escalate", "handler_reply", "answer", "callback_failed", "answer", "callback_ok",
    ]
    with demo_store.session() as session:
        promise = session.exec(select(Promise).where(Promise.source_kind == "feedback")).one()
    assert promise.kind == "complaint_reply" and promise.due_at - record.received_at >= __import__("datetime").timedelta(hours=48)
    assert promise.unit_id == record.unit_id  # so the owner's next call pops it


async def test_an_invalid_request_is_closed_with_its_reason(demo_store, make_app, sign_in) -> None:
    app = make_app(demo_store, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        await fill(pilot, "unit", "9-9-9999")
        await fill(pilot, "what", "Wants the gym open all night")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "No such unit" in str(app.screen.query_one("#unit-error").render())
        assert _record(demo_store) is None
        await fill(pilot, "unit", "3-2-1501")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("2")  # not a valid request
        assert step(app) == "invalid"
        await type_into_ask(pilot, "reason", "The gym hours are set by the owners' assembly")
        assert step(app) == "invalid_thanks"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert "Not valid: The gym hours are set by the owners' assembly" in shown(app, "#detail")
    record = _record(demo_store)
    assert (record.state, record.invalid_reason) == ("invalid", "The gym hours are set by the owners' assembly")
    assert record.closed_at is not None and _actions(demo_store, record.id) == ["receive", "judge_invalid"]


async def test_a_group_complaint_a_notice_and_the_forbidden_phrase_check(demo_store, make_app, sign_in, clock) -> None:
    """Three owners about the same thing: linked as one group; a notice recorded as published on
    the board and in the letterboxes; a reply with a 禁语 is flagged with the better wording."""
    from deskapp.services import feedback as F
    from deskapp.store.tables import Notice

    ids = [F.receive(demo_store, clock, 1, what="理发店噪音扰民", unit_code=unit) for unit in ("1-1-201", "1-1-302", "1-1-1202")]
    for record in ids:
        F.judge_valid(demo_store, clock, 1, record, kind="complaint", category="property_management", severity="general", department="物业部")
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f6")
        await settle(pilot)
        await _stage(pilot, "g")
        await fill(pilot, "others", "TS000001 2")  # the highlighted is the newest, TS000003
        await _save(pilot)
        await _stage(pilot, "n")
        await fill(pilot, "headline", "关于一楼理发店营业时间的通知")
        await fill(pilot, "body", "即日起理发店营业至晚上九点,请各位业主谅解。")
        await fill(pilot, "channels", "12")
        await _save(pilot)
        await _stage(pilot, "a")
        await fill(pilot, "text", "这种噪音绝对不可能再有")
        warning = str(app.screen.query_one("#text-error").render())
        assert "禁语「绝对不可能」" in warning
        await pilot.press("escape")
        await settle(pilot)
    with demo_store.session() as session:
        groups = {r.id: r.group_id for r in session.exec(select(Feedback)).all()}
        notice = session.exec(select(Notice)).one()
    assert set(groups.values()) == {min(ids)}
    assert notice.channels == '["board", "letterbox"]' and notice.published_at is not None and notice.feedback_id is not None


async def test_a_general_complaint_at_the_counter_to_closure(demo_store, make_app, sign_in, clock) -> None:
    """A general complaint: answered within 24 hours, the handler's reply and the answer in time,
    closed by a satisfied callback; the reply promise is due in 24 hours."""
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "demo", "1234")
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        await fill(pilot, "unit", "1-1-201")
        await fill(pilot, "surname", "高")
        await fill(pilot, "title", "2")
        await fill(pilot, "what", "电梯厅灯不亮")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("1", "enter", "enter", "2", "enter", "1")  # valid … property management; general
        assert step(app) == "propose_general"
        assert "高女士,您所反映的问题我已记录下来" in shown(app, "#step-body") and "24小时内给您答复" in shown(app, "#step-body")
        await pilot.press("enter", "enter", "enter")
        await type_into_ask(pilot, "department", "物业部")
        await pilot.press("enter")
        await settle(pilot)
        clock.advance(hours=3)
        await _stage(pilot, "h")
        await fill(pilot, "text", "已更换灯管")
        await _save(pilot)
        await _stage(pilot, "a")
        await fill(pilot, "text", "已告知高女士灯已修好")
        await _save(pilot)
        assert "答复客户已按时完成" in shown(app, "#detail")
        await _stage(pilot, "c")
        await fill(pilot, "result", "满意")
        await fill(pilot, "outcome", "1")
        await _save(pilot)
    record = _record(demo_store)
    assert (record.state, record.severity, record.category, record.customer) == ("closed", "general", "property_management", "高女士")
    with demo_store.session() as session:
        promise = session.exec(select(Promise).where(Promise.source_kind == "feedback")).one()
    assert promise.due_at - record.received_at == __import__("datetime").timedelta(hours=24)
