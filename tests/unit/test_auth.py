"""Staff codes and PINs in the services: who may sign in at the console, every act that asks a
supervisor's PIN refusing a clerk who calls it directly, and the lock after too many wrong PINs
(counted from the audit log, so it holds across consoles), ending after the window."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlmodel import select

from deskapp.clock import FixedClock
from deskapp.domain.roles import NotAllowed
from deskapp.errors import DeskappError, FieldError
from deskapp.policy import Policy, load_policy
from deskapp.services import auth
from deskapp.services import releases as R
from deskapp.services import report
from deskapp.services import vacancy as V
from deskapp.services.auth import Credentials, SignInError
from deskapp.store.engine import Store
from deskapp.store.tables import AuditEvent, ReleaseRequest, Vacancy
from unit.test_releases import _ready
from unit.test_vacancy_service import _apply

TODAY = date(2026, 11, 24)
PINS = {"demo": "1234", "super": "5678", "dir": "8642", "eng": "3690", "fin": "902413", "g01": "2580"}


def _refused(call) -> DeskappError:
    with pytest.raises(DeskappError) as refused:
        call()
    return refused.value


def _events(store: Store, action: str) -> list[tuple[int | None, dict]]:
    with store.read() as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()
        return [(row.entity_id, json.loads(row.detail)) for row in rows]


def _wrong(store: Store, clock: FixedClock, policy: Policy, code: str = "demo", times: int = 1) -> list[str]:
    keys = []
    for _ in range(times):
        keys.append(_refused(lambda: auth.sign_in(store, clock, policy, code, "0000")).key)
    return keys


# -- the console ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "role"), [("demo", "clerk"), ("super", "supervisor"), ("dir", "director")])
def test_the_counter_roles_sign_in(demo_store, clock, policy, code: str, role: str) -> None:
    assert auth.sign_in(demo_store, clock, policy, code, PINS[code]).role == role
    (event,) = _events(demo_store, "signin")
    assert event[1] == {"act": "console"}


@pytest.mark.parametrize("code", ["eng", "fin", "g01"])
def test_other_roles_do_not_sign_in_at_the_console(demo_store, clock, policy, code: str) -> None:
    refused = _refused(lambda: auth.sign_in(demo_store, clock, policy, code, PINS[code]))
    assert isinstance(refused, NotAllowed) and (refused.field, refused.key) == ("code", "roles.console")
    assert _events(demo_store, "signin") == []
    (event,) = _events(demo_store, "signin.refused")
    assert event[1] == {"act": "console", "reason": "role"}


# -- a clerk calling a supervisor's act directly -----------------------------------------------------


def test_a_clerk_cannot_void_a_slip(demo_store, clock, policy) -> None:
    request = _ready(demo_store, clock, policy, "1-1-201")
    number = R.issue(demo_store, clock, policy, 1, request, TODAY)
    refused = _refused(lambda: R.void(demo_store, clock, policy, number, "demo", "1234", "写错了"))
    assert (refused.field, refused.key) == ("code", "roles.void_slip")
    with demo_store.read() as session:
        assert session.get(ReleaseRequest, request).voided_at is None
    assert _events(demo_store, "release.voided") == []
    assert [d for _, d in _events(demo_store, "signin.refused")] == [{"act": "void_slip", "reason": "role"}]


@pytest.mark.parametrize("decide", [
    lambda s, c, p, v: V.confirm(s, c, p, v, "demo", "1234"),
    lambda s, c, p, v: V.refuse(s, c, p, v, "demo", "1234", "不符合条件"),
], ids=["confirm", "refuse"])
def test_a_clerk_cannot_decide_a_vacancy(demo_store, clock, policy, decide) -> None:
    vacancy_id = _apply(demo_store, clock, policy)
    refused = _refused(lambda: decide(demo_store, clock, policy, vacancy_id))
    assert (refused.field, refused.key) == ("code", "roles.decide_vacancy")
    with demo_store.read() as session:
        assert session.get(Vacancy, vacancy_id).state == "applied"


@pytest.mark.parametrize("make", [
    lambda s, c, p, who: report.daily(s, c, p, TODAY, unmasked_by=who),
    lambda s, c, p, who: report.span(s, c, p, TODAY - timedelta(days=2), TODAY, unmasked_by=who),
], ids=["daily", "range"])
def test_only_a_supervisor_unmasks_a_report(demo_store, clock, policy, make) -> None:
    refused = _refused(lambda: make(demo_store, clock, policy, Credentials("demo", "1234")))
    assert (refused.field, refused.key) == ("code", "roles.export_unmasked")
    assert _refused(lambda: make(demo_store, clock, policy, Credentials("super", "0000"))).key == "signin.wrong_pin"
    assert _events(demo_store, "report.unmasked") == []

    assert make(demo_store, clock, policy, None).masked
    assert not make(demo_store, clock, policy, Credentials("super", "5678")).masked
    ((staff_id, detail),) = _events(demo_store, "report.unmasked")
    assert staff_id == 4 and detail["end"] == "2026-11-24"


def test_a_pin_is_never_shown_in_credentials() -> None:
    assert "5678" not in repr(Credentials("super", "5678"))


# -- the lock ---------------------------------------------------------------------------------------


def test_the_fifth_wrong_pin_locks_the_code_until_the_window_passes(demo_store, clock, policy) -> None:
    assert (policy.number("signin.failed_pins"), policy.duration("signin.failed_pin_window_minutes")) == (5, timedelta(minutes=10))
    assert _wrong(demo_store, clock, policy, times=4) == ["signin.wrong_pin"] * 4
    clock.advance(minutes=2)
    locked = _refused(lambda: auth.sign_in(demo_store, clock, policy, "demo", "0000"))
    assert (locked.field, locked.key, locked.params) == ("pin", "signin.locked", {"until": "10:12"})  # 10:02 + 10 min

    clock.advance(minutes=9, seconds=59)
    right = _refused(lambda: auth.sign_in(demo_store, clock, policy, "demo", "1234"))  # the right PIN, still locked
    assert (right.field, right.key, right.params) == ("pin", "signin.locked", {"until": "10:12"})
    reasons = [d["reason"] for _, d in _events(demo_store, "signin.refused")]
    assert reasons == ["wrong_pin"] * 5 + ["locked"]
    assert _events(demo_store, "signin") == []

    clock.advance(seconds=1)
    assert auth.sign_in(demo_store, clock, policy, "demo", "1234").code == "demo"


def test_a_lock_ending_between_minutes_shows_the_next_minute(demo_store, clock, policy) -> None:
    clock.advance(seconds=30)
    _wrong(demo_store, clock, policy, times=4)
    assert _refused(lambda: auth.sign_in(demo_store, clock, policy, "demo", "0000")).params == {"until": "10:11"}


def test_wrong_pins_older_than_the_window_do_not_count(demo_store, clock, policy) -> None:
    _wrong(demo_store, clock, policy, times=4)
    clock.advance(minutes=10)  # the first four are a window old now
    assert _wrong(demo_store, clock, policy, times=4) == ["signin.wrong_pin"] * 4
    assert auth.sign_in(demo_store, clock, policy, "demo", "1234").code == "demo"


def test_a_right_pin_before_the_lock_starts_the_count_again(demo_store, clock, policy) -> None:
    _wrong(demo_store, clock, policy, times=4)
    auth.sign_in(demo_store, clock, policy, "demo", "1234")
    assert _wrong(demo_store, clock, policy, times=4) == ["signin.wrong_pin"] * 4
    assert _wrong(demo_store, clock, policy) == ["signin.locked"]


def test_one_codes_lock_leaves_the_others_alone(demo_store, clock, policy) -> None:
    _wrong(demo_store, clock, policy, times=5)
    assert auth.sign_in(demo_store, clock, policy, "super", "5678").code == "super"
    assert _refused(lambda: auth.sign_in(demo_store, clock, policy, "demo", "1234")).key == "signin.locked"


def test_unknown_codes_lock_nobody(demo_store, clock, policy) -> None:
    for _ in range(6):
        assert _refused(lambda: auth.sign_in(demo_store, clock, policy, "nobody", "0000")).key == "signin.unknown_code"
    assert auth.sign_in(demo_store, clock, policy, "demo", "1234").code == "demo"


def test_wrong_pins_at_a_supervisors_act_lock_the_code_for_every_act(demo_store, clock, policy) -> None:
    request = _ready(demo_store, clock, policy, "1-1-201")
    number = R.issue(demo_store, clock, policy, 1, request, TODAY)
    vacancy_id = _apply(demo_store, clock, policy)
    for _ in range(2):
        assert _refused(lambda: R.void(demo_store, clock, policy, number, "super", "0000", "写错了")).key == "signin.wrong_pin"
    for _ in range(2):
        assert _refused(lambda: V.confirm(demo_store, clock, policy, vacancy_id, "super", "0000")).key == "signin.wrong_pin"
    assert _refused(lambda: auth.sign_in(demo_store, clock, policy, "super", "0000")).key == "signin.locked"  # the fifth

    for act in (
        lambda: R.void(demo_store, clock, policy, number, "super", "5678", "写错了"),
        lambda: V.confirm(demo_store, clock, policy, vacancy_id, "super", "5678"),
        lambda: report.daily(demo_store, clock, policy, TODAY, unmasked_by=Credentials("super", "5678")),
        lambda: auth.sign_in(demo_store, clock, policy, "super", "5678"),
    ):
        refused = _refused(act)
        assert isinstance(refused, SignInError) and (refused.field, refused.key) == ("pin", "signin.locked")
    acts = [d["act"] for _, d in _events(demo_store, "signin.refused") if d["reason"] == "locked"]
    assert acts == ["void_slip", "decide_vacancy", "export_unmasked", "console"]
    with demo_store.read() as session:
        assert session.get(ReleaseRequest, request).voided_at is None
        assert session.get(Vacancy, vacancy_id).state == "applied"

    clock.advance(minutes=10)
    R.void(demo_store, clock, policy, number, "super", "5678", "写错了")  # the lock is over
    assert _events(demo_store, "release.voided")


def test_a_site_may_turn_the_lock_off(demo_store, clock, tmp_path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[signin]\nfailed_pins = 0\n", encoding="utf-8")
    policy = load_policy(site)
    assert _wrong(demo_store, clock, policy, times=8) == ["signin.wrong_pin"] * 8
    assert auth.sign_in(demo_store, clock, policy, "demo", "1234").code == "demo"


def test_refusals_are_field_errors() -> None:
    """The screens show a FieldError at its field: every refusal of a code or PIN is one."""
    assert issubclass(SignInError, FieldError) and issubclass(NotAllowed, FieldError)
