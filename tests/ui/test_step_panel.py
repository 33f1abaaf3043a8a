"""The step panel in the console (Pilot): keys move through the release flow (from its first fact
step, owner or tenant), slots are filled from the record and the policy, F1 shows the step's tips
in full, Enter at an end returns the run."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.widgets import Static

from deskapp.screens.flow import FlowScreen
from deskapp.screens.help import HelpScreen
from deskapp.standards.catalogue import shipped
from deskapp.standards.engine import FlowRun, Taken
from deskapp.widgets.chrome import KeyBar
from deskapp.widgets.step_panel import MISSING_STYLE, AskField, StepPanel

SIZE = (80, 24)

RECORD = {
    "unit": "3-2-1501",
    "owner": "王",
    "tenant": "李",
    "company": "中海物业",
    "site": "海悦花园",
    "months": 4,
    "amount": "1,250.00",
    "items": "冰箱1、沙发1",
    "plate": "粤B12345",
    "driver": "张师傅",
    "driver_id": "440306198506152013",
}
START = "id_stamp"  # the release flow's first fact step: the ID is asked before it
GOODS = ("enter",) * 4  # the goods step's four fields, filled from the record: Enter through them


@pytest.fixture
def flow_app(make_app):
    """The console of tests/conftest.py (fixed clock, no animation, shipped catalogue), without a
    store: the flow screen reads no records."""
    return lambda lang="zh": make_app(None, lang)


async def _open(app, pilot, values=RECORD, facts=None) -> list[FlowRun]:
    """Push the release flow over the sign-in screen; returns where its result will land."""
    results: list[FlowRun] = []
    app.push_screen(FlowScreen("release", values=values, facts=facts, start=START), callback=results.append)
    await pilot.pause()
    return results


def _panel(app) -> StepPanel:
    return app.screen.query_one(StepPanel)


def _shown(app) -> str:
    """What the panel shows, as plain text, unwrapped (a wide console: no line breaks in phrases)."""
    panel = _panel(app)
    console = Console(width=400, file=io.StringIO(), color_system=None)
    for part in ("#step-progress", "#step-body", "#step-ways"):
        console.print(panel.query_one(part, Static).content)
    return console.file.getvalue()


def _step(app) -> str:
    return _panel(app).run.step.id


async def test_the_first_step_shows_phrase_tips_and_the_fact_keys(flow_app) -> None:
    app = flow_app("zh")
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot)
        assert isinstance(app.screen, FlowScreen)
        assert app.focused is _panel(app)
        assert _step(app) == START
        shown = _shown(app)
        assert "第 1 步" in shown
        assert "动作 加盖说明专用章" in shown
        assert "A3 身份证复印件当着客户面加盖说明专用章" in shown
        assert "系统无法判断,请确认:" in shown
        assert " 1  业主" in shown and " 2  租户" in shown
        assert _panel(app).border_title == "放行手续"


async def test_a_branch_key_moves_to_the_branch_step(flow_app) -> None:
    app = flow_app("zh")
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot)
        await pilot.press("2")  # a tenant
        assert _step(app) == "tenant_fees"
        await pilot.press("1")  # tenant_arrears: none
        assert _step(app) == "tenant_items"
        assert [t.via for t in _panel(app).run.trail] == ["answer:tenant", "answer:none"]
        assert "第 3 步" in _shown(app)


async def test_keys_not_offered_do_nothing(flow_app) -> None:
    app = flow_app("zh")
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot)
        await pilot.press("9", "y", "enter", "escape")
        assert _step(app) == START
        assert _panel(app).run.trail == []
        assert isinstance(app.screen, FlowScreen)  # Esc at the start does not leave the flow


async def test_enter_goes_on_and_escape_goes_back(flow_app) -> None:
    app = flow_app("zh")
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot)
        await pilot.press("1")  # owner → owner_return_id
        assert "Enter 继续" in _shown(app)
        await pilot.press("escape")
        assert _step(app) == START and _panel(app).run.trail == []
        await pilot.press("1", "enter")
        assert _step(app) == "owner_items"
        await pilot.press(*GOODS)
        assert _step(app) == "owner_sign"
        await pilot.press("escape")  # the goods are recorded in the store: Esc does not undo them
        assert _step(app) == "owner_sign"


async def test_a_known_fact_goes_on_by_enter(flow_app) -> None:
    app = flow_app("zh")
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, facts={"visitor_kind": "owner"})
        shown = _shown(app)
        assert "Enter 继续:业主" in shown
        assert "系统无法判断" not in shown
        await pilot.press("2")  # no keys offered for a known fact
        assert _step(app) == START
        await pilot.press("enter")
        assert _step(app) == "owner_return_id"
        assert _panel(app).run.trail[-1].via == "fact:owner"


async def test_slots_are_filled_from_the_record_and_the_policy(flow_app) -> None:
    app = flow_app("zh")
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot)
        await pilot.press("1", "enter", *GOODS, "3")  # owner, …, owner_sign: over the limit
        assert _step(app) == "owner_remind_director"
        shown = _shown(app)
        assert "欠费3个月以上需通知管理处主任" in shown  # {policy.release.director_notice_months}
        assert "「您还有4个月的管理费共1,250.00元未交,请您尽快交清」" in shown  # {months}, {amount}
        assert "{" not in shown


async def test_unknown_slots_show_the_slot_label_marked(flow_app) -> None:
    app = flow_app("zh")
    async with app.run_test(size=SIZE) as pilot:
        goods = {k: RECORD[k] for k in ("items", "plate", "driver", "driver_id")}
        await _open(app, pilot, values={"company": "中海物业", **goods})
        await pilot.press("2", "1", *GOODS, "enter")  # tenant, no arrears, items, wait → owner_call
        assert _step(app) == "owner_call"
        shown = _shown(app)
        assert "您好,这里是中海物业 管理处 管理处,请问您是 房号 业主 业主 先生么?" in shown
        assert "您的租户 租户 先生目前正在管理处办理物品放行手续" in shown
        marked = _panel(app).filled("{unit}业主")
        assert marked.plain == " 房号 业主"
        assert [(marked.plain[s.start : s.end], str(s.style)) for s in marked.spans] == [(" 房号 ", MISSING_STYLE)]
        _panel(app).set_values(unit="3-2-1501")
        await pilot.pause()
        assert "请问您是3-2-1501业主" in _shown(app)


async def test_f1_shows_the_full_text_of_the_steps_tips(flow_app) -> None:
    app = flow_app("zh")
    catalogue = shipped()
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot)
        assert "F1 查看贴士全文" in _shown(app)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        help_text = "\n".join(str(s.content) for s in app.screen.query(Static))
        for tip_id in catalogue.scenarios["release"].steps[START].tips:
            tip = catalogue.tips[tip_id]
            assert f"{tip_id} {tip.title.zh}" in help_text
            assert tip.text.zh in help_text
        await pilot.press("escape")
        assert isinstance(app.screen, FlowScreen)
        assert _step(app) == START


async def test_enter_at_an_end_step_dismisses_the_screen_with_the_run(flow_app, clock) -> None:
    app = flow_app("zh")
    async with app.run_test(size=SIZE) as pilot:
        results = await _open(app, pilot)
        await pilot.press("2", "2")  # tenant, in arrears → refused
        assert _step(app) == "tenant_refuse"
        shown = _shown(app)
        assert "Enter 完成" in shown
        assert "「很抱歉,您还有4月管理费共1,250.00元未交,请您先交纳管理费后才能办理放行手续」" in shown
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, FlowScreen)
        [run] = results
        assert run.finished and run.step.outcome == "refused"
        assert run.trail == [
            Taken(START, "answer:tenant", clock.now()),
            Taken("tenant_fees", "answer:some", clock.now()),
        ]


async def test_the_key_bar_follows_the_step(flow_app) -> None:
    app = flow_app("zh")
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot)
        keys = lambda: app.screen.query_one(KeyBar).content.plain  # noqa: E731
        assert "继续" not in keys() and "返回" not in keys()  # keys choose here; nothing to go back to
        await pilot.press("1")
        assert "继续" in keys() and "返回" in keys()


async def test_the_panel_in_english(flow_app) -> None:
    app = flow_app("en")
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot)
        shown = _shown(app)
        assert "Step 1" in shown
        assert "Stamp the copy with the \"for this purpose only\" stamp" in shown
        assert "Not known to the system; please confirm:" in shown
        assert " 1  Owner" in shown and " 2  Tenant" in shown
        assert "A3 Stamp every ID copy with the purpose stamp, in front of the customer" in shown
        assert _panel(app).border_title == "Item release"
        await pilot.press("1", "enter", *GOODS, "3")
        assert "Arrears of 3 months or more: the office director must be told" in _shown(app)


async def test_the_fields_are_made_once_and_given_to_each_step_that_asks(flow_app) -> None:
    """A step's fields are not mounted for it (that drew the step, then the step with its fields a
    frame later): the panel's rows are made once, and a step shows as many as it asks."""
    app = flow_app("zh")
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot)
        fields = list(_panel(app).query(AskField))
        assert fields and not any(field.parent.display for field in fields)  # the first step asks nothing
        await pilot.press("1", "enter")
        assert _step(app) == "owner_items"
        shown = [field for field in _panel(app).query(AskField) if field.parent.display]
        assert [field.name for field in shown] == list(_panel(app).run.step.ask)
        assert [field.value for field in shown][:1] == ["冰箱1、沙发1"]  # filled from the record
        assert list(_panel(app).query(AskField)) == fields  # the same widgets, none mounted
        assert app.focused is shown[0]
        await pilot.press(*GOODS)
        assert _step(app) == "owner_sign"
        assert not any(field.parent.display for field in fields)
        assert app.focused is _panel(app)  # not a field now hidden


async def test_an_enter_typed_into_a_field_at_a_step_left_is_not_taken_at_the_next(flow_app) -> None:
    """A field serves step after step: an Enter it took at one step (typed ahead, still in the
    queue when the step was left) must not go on at the step it now serves."""
    app = flow_app("zh")
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot)
        await pilot.press("1", "enter")
        first, second = [field for field in _panel(app).query(AskField) if field.parent.display][:2]
        first.post_message(AskField.Done(first, first.step_no - 1))  # typed at the step before
        await pilot.pause()
        assert app.focused is first and _step(app) == "owner_items"
        first.post_message(AskField.Done(first, first.step_no))  # typed at this step: the next field
        await pilot.pause()
        assert app.focused is second


async def test_a_panel_loaded_with_another_run_starts_it_afresh(flow_app) -> None:
    """The phone and walk-in screens keep one panel and load each call's or visitor's flow into it."""
    app = flow_app("zh")
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot)
        await pilot.press("2", "2")  # tenant, in arrears: refused, an end step
        panel = _panel(app)
        panel.load(FlowRun(shipped().scenarios["release"], start=START), {**RECORD, "tenant": "赵"})
        await pilot.pause()
        assert _step(app) == START and panel.run.trail == []
        assert panel.values["tenant"] == "赵"
        await pilot.press("2")
        assert _step(app) == "tenant_fees"
