"""Signing in at the counter, driven by the keyboard through Pilot, on the demo community."""

from __future__ import annotations

import pytest
from sqlmodel import select
from textual.widgets import Input, Label

from deskapp.screens.signin import SignInScreen
from deskapp.screens.today import TodayScreen
from deskapp.store.tables import AuditEvent

SIZE = (80, 24)

MESSAGES = {
    "zh": {
        "clerk": "当班:陈小雨(客户接待员)",
        "wrong_pin": "密码不正确,请重新输入",
        "unknown_code": "没有这个员工编号",
        "code_required": "请输入员工编号",
        "pin_required": "请输入密码",
        "locked": "密码错误次数过多,此员工编号已锁定,请于 10:10 后再试",
        "console": "此员工编号不能登录客服台:仅限客户接待员、客服主任和管理处主任",
    },
    "en": {
        "clerk": "On duty: 陈小雨 (reception clerk)",
        "wrong_pin": "Wrong PIN, please try again",
        "unknown_code": "No staff member has this code",
        "code_required": "Enter your staff code",
        "pin_required": "Enter your PIN",
        "locked": "Too many wrong PINs: this staff code is locked; try again at 10:10",
        "console": "This staff code cannot sign in at the console: reception clerks, the CS supervisor and the office director only",
    },
}


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Label).content)


def focused_id(app) -> str | None:
    return app.focused.id if app.focused else None


async def settle(pilot) -> None:
    """Let the sign-in worker answer and the screen show it."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_code_field_has_focus_at_start(demo_store, make_app) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE):
        assert isinstance(app.screen, SignInScreen)
        assert focused_id(app) == "code"
        assert app.screen.query_one("#pin", Input).password
        assert app.screen.query_one("#code", Input).cursor_blink is False  # the test app's steady cursor


@pytest.mark.parametrize("key", ["enter", "tab"])
async def test_enter_or_tab_on_the_code_moves_to_the_pin(demo_store, make_app, key: str) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"demo", key)
        await settle(pilot)
        assert focused_id(app) == "pin"
        assert isinstance(app.screen, SignInScreen)  # Enter on the code does not sign in yet
        assert text(app, "#code-error") == text(app, "#pin-error") == ""


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_right_pin_opens_today_with_the_clerk_in_the_bar(demo_store, make_app, lang: str) -> None:
    app = make_app(demo_store, lang)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"demo", "enter", *"1234", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert app.ctx.clerk is not None and app.ctx.clerk.code == "demo"
        assert text(app, "#bar-clerk") == MESSAGES[lang]["clerk"]
        assert text(app, "#bar-clock") == "2026-11-24 10:00"  # the fixed clock, in local time


async def test_the_supervisor_signs_in_too(demo_store, make_app) -> None:
    app = make_app(demo_store, "en")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"super", "tab", *"5678", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert "(CS supervisor)" in text(app, "#bar-clerk")


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_wrong_pin_is_refused_at_the_pin_field(demo_store, make_app, lang: str) -> None:
    app = make_app(demo_store, lang)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"demo", "tab", *"9999", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert app.ctx.clerk is None
        assert text(app, "#pin-error") == MESSAGES[lang]["wrong_pin"]
        assert text(app, "#code-error") == ""
        assert app.screen.query_one("#pin", Input).value == ""
        assert app.screen.query_one("#code", Input).value == "demo"  # kept: only the PIN is retyped
        assert focused_id(app) == "pin"

        await pilot.press(*"1234", "enter")  # and the second try works
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)

    with demo_store.session() as session:
        actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["signin.refused", "signin"]


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_an_unknown_code_is_refused_at_the_code_field(demo_store, make_app, lang: str) -> None:
    app = make_app(demo_store, lang)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"nobody", "tab", *"1234", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert text(app, "#code-error") == MESSAGES[lang]["unknown_code"]
        assert text(app, "#pin-error") == ""
        assert focused_id(app) == "code"
        assert app.screen.query_one("#pin", Input).value == ""


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_empty_fields_are_asked_for(demo_store, make_app, lang: str) -> None:
    app = make_app(demo_store, lang)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "enter")  # nothing typed at all
        await settle(pilot)
        assert text(app, "#code-error") == MESSAGES[lang]["code_required"]
        assert focused_id(app) == "code"

        await pilot.press(*"demo", "tab", "enter")  # a code but no PIN
        await settle(pilot)
        assert text(app, "#code-error") == ""
        assert text(app, "#pin-error") == MESSAGES[lang]["pin_required"]
        assert focused_id(app) == "pin"
        assert isinstance(app.screen, SignInScreen)


async def test_typing_clears_the_message_of_that_field(demo_store, make_app) -> None:
    app = make_app(demo_store, "en")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"demo", "tab", *"0000", "enter")
        await settle(pilot)
        assert text(app, "#pin-error") != ""
        await pilot.press("1")
        assert text(app, "#pin-error") == ""


async def test_the_pin_field_takes_digits_only(demo_store, make_app) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", *"12ab34")
        assert app.screen.query_one("#pin", Input).value == "1234"


async def test_today_cannot_be_reached_before_signing_in(demo_store, make_app) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert focused_id(app) == "code"


async def test_ctrl_q_quits_from_sign_in(demo_store, make_app) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_five_wrong_pins_lock_the_code_until_the_time_shown(demo_store, make_app, clock, lang: str) -> None:
    app = make_app(demo_store, lang)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"demo", "tab")
        for _ in range(4):
            await pilot.press(*"9999", "enter")
            await settle(pilot)
            assert text(app, "#pin-error") == MESSAGES[lang]["wrong_pin"]
        await pilot.press(*"9999", "enter")
        await settle(pilot)
        assert text(app, "#pin-error") == MESSAGES[lang]["locked"]  # the fifth: locked for the policy's 10 minutes
        assert text(app, "#code-error") == "" and focused_id(app) == "pin"

        await pilot.press(*"1234", "enter")  # the right PIN is refused too while locked
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen) and app.ctx.clerk is None
        assert text(app, "#pin-error") == MESSAGES[lang]["locked"]

        clock.advance(minutes=10)
        await pilot.press(*"1234", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen) and app.ctx.clerk.code == "demo"


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_guard_is_refused_at_the_code_field(demo_store, make_app, lang: str) -> None:
    app = make_app(demo_store, lang)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"g01", "tab", *"2580", "enter")  # the guard's own right PIN
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen) and app.ctx.clerk is None
        assert text(app, "#code-error") == MESSAGES[lang]["console"]
        assert text(app, "#pin-error") == ""
        assert focused_id(app) == "code"
