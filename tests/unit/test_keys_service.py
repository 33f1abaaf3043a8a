"""The key register in the store (钥匙管理作业指导书 4.1–4.6): keys labelled and kept, an owner's
ID and signature, a worker's key back the same day, a sales loan with its manager, anyone
else's purpose and return time, returns, issues to owners, checks of keys and labels, and the
loans each clerk must recover. The clock starts on Tuesday 2026-11-24 at 10:00 in Shanghai."""

from __future__ import annotations

import ast
import json
import tomllib
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlmodel import func, select

from deskapp.domain.registers import Borrower, RefusedRule, key_due
from deskapp.errors import DeskappError
from deskapp.services import keys as K
from deskapp.services.visits import FieldError
from deskapp.store.tables import AuditEvent, KeyCheck, KeyLoan, KeyTag

SH = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 24)
CLERK, OTHER_CLERK = 1, 2  # 陈小雨, 林晓婷
ROOT = Path(__file__).resolve().parents[2]


def citizen_id(body17: str = "44030519900101123") -> str:
    """A resident ID number with its GB 11643 check digit."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body17, weights, strict=True))
    return body17 + "10X98765432"[total % 11]


ID = citizen_id()


def at(hour: int, minute: int = 0, day: int = 24) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SH)


def _key(store, clock, label: str = "1-1-201-A", unit: str = "1-1-201") -> int:
    return K.add_key(store, clock, CLERK, label=label, unit_code=unit, what="入户门 2 把")


def _worker(store, clock, policy, key_id: int, staff: int = CLERK, **extra) -> int:
    return K.lend(store, clock, policy, staff, key_id, borrower_kind="worker", borrower="李师傅", company="安居装修",
                  purpose="更换水管", today=TODAY, **extra)


def _view(store, clock, key_id: int, show: str = "all") -> K.KeyView | None:
    return next((v for v in K.list_keys(store, clock, show=show) if v.id == key_id), None)


def _count(store, table) -> int:
    with store.read() as session:
        return session.exec(select(func.count()).select_from(table)).one()


def _actions(store) -> list[str]:
    with store.read() as session:
        return list(session.exec(select(AuditEvent.action).where(AuditEvent.action.startswith("key.")).order_by(AuditEvent.id)).all())


# -- keys -------------------------------------------------------------------------------------------


def test_a_key_is_added_with_its_label_and_unit(demo_store, clock) -> None:
    key = _key(demo_store, clock)
    view = _view(demo_store, clock, key)
    assert (view.label, view.unit, view.what, view.state, view.label_state, view.loan) == (
        "1-1-201-A", "1-1-201", "入户门 2 把", "held", "ok", None)
    assert _actions(demo_store) == ["key.added"]
    common = K.add_key(demo_store, clock, CLERK, label="  配电房  ")  # a common-area key: no unit
    assert _view(demo_store, clock, common).label == "配电房" and _view(demo_store, clock, common).unit == ""


@pytest.mark.parametrize(("kwargs", "field", "key"), [
    ({"label": "  "}, "label", "keys.label_required"),
    ({"label": "1-1-201-A"}, "label", "keys.label_taken"),
    ({"label": "X" * 33}, "label", "keys.label_too_long"),
    ({"label": "9-9-999-A", "unit_code": "9-9-999"}, "unit", "keys.unknown_unit"),
])
def test_a_key_needs_a_new_label_and_a_known_unit(demo_store, clock, kwargs, field, key) -> None:
    _key(demo_store, clock)
    with pytest.raises(FieldError) as refused:
        K.add_key(demo_store, clock, CLERK, **kwargs)
    assert (refused.value.field, refused.value.key) == (field, key)
    assert _count(demo_store, KeyTag) == 1
    if key == "keys.unknown_unit":
        assert refused.value.params == {"unit": "9-9-999"}


# -- a worker's key: back the same day ----------------------------------------------------------------


def test_a_workers_key_lent_at_ten_is_due_at_six_and_overdue_a_minute_later(demo_store, clock, policy) -> None:
    key = _key(demo_store, clock)
    loan = _worker(demo_store, clock, policy, key)
    view = _view(demo_store, clock, key)
    assert view.state == "lent"
    assert view.loan.id == loan and view.loan.kind == "loan" and view.loan.borrower_kind == "worker"
    assert view.loan.due_at == at(18) and view.loan.due_at.tzinfo == UTC
    assert view.loan.lent_at == at(10)
    assert (view.loan.holder, view.loan.holder_id) == ("陈小雨", CLERK)
    assert not view.loan.overdue
    clock.advance(hours=8)  # 18:00: due, not yet overdue
    assert K.list_keys(demo_store, clock, show="overdue") == []
    assert not _view(demo_store, clock, key).loan.overdue
    clock.advance(minutes=1)  # 18:01
    overdue = K.list_keys(demo_store, clock, show="overdue")
    assert [v.id for v in overdue] == [key] and overdue[0].loan.overdue


def test_a_workers_key_lent_after_six_is_due_by_the_end_of_the_day(demo_store, clock, policy) -> None:
    key = _key(demo_store, clock)
    clock.advance(hours=9)  # 19:00
    _worker(demo_store, clock, policy, key)
    assert _view(demo_store, clock, key).loan.due_at == at(0, day=25)  # by the day's end: midnight


def test_a_worker_may_promise_earlier_but_not_later_than_the_day(demo_store, clock, policy) -> None:
    early, late = _key(demo_store, clock, "A"), _key(demo_store, clock, "B")
    _worker(demo_store, clock, policy, early, due=at(14))
    _worker(demo_store, clock, policy, late, due=at(10, day=25))  # tomorrow: not allowed, the same day's 18:00
    assert _view(demo_store, clock, early).loan.due_at == at(14)
    assert _view(demo_store, clock, late).loan.due_at == at(18)


def test_a_due_time_typed_without_a_zone_is_the_sites_local_time(demo_store, clock, policy) -> None:
    key = _key(demo_store, clock)
    _worker(demo_store, clock, policy, key, due=datetime(2026, 11, 24, 15, 30))
    assert _view(demo_store, clock, key).loan.due_at == at(15, 30)


def test_a_return_time_already_past_is_refused(demo_store, clock, policy) -> None:
    key = _key(demo_store, clock)
    for kind in ("worker", "other", "owner"):
        with pytest.raises(FieldError) as refused:
            K.lend(demo_store, clock, policy, CLERK, key, borrower_kind=kind, borrower="张三", purpose="看房", due=at(9),
                   id_type="resident_id", id_no=ID, signed=True, today=TODAY)
        assert (refused.value.field, refused.value.key) == ("due", "keys.due_past")
    assert _count(demo_store, KeyLoan) == 0


# -- sales and anyone else --------------------------------------------------------------------------


def test_sales_without_their_managers_signature_is_refused_and_nothing_is_saved(demo_store, clock, policy) -> None:
    key = _key(demo_store, clock)
    with pytest.raises(FieldError) as refused:
        K.lend(demo_store, clock, policy, CLERK, key, borrower_kind="sales", borrower="周销售", purpose="带客户看房",
               due=at(16), manager="  ", today=TODAY)
    assert (refused.value.field, refused.value.key) == ("manager", "keys.sales_needs_manager")
    assert _count(demo_store, KeyLoan) == 0
    assert _view(demo_store, clock, key).state == "held"
    assert "key.lent" not in _actions(demo_store)


def test_sales_with_the_manager_purpose_and_return_time_is_lent(demo_store, clock, policy) -> None:
    key = _key(demo_store, clock)
    loan = K.lend(demo_store, clock, policy, CLERK, key, borrower_kind="sales", borrower="周销售", purpose="带客户看房",
                  due=at(16), manager="吴经理", phone="138 0013 8000", today=TODAY)
    view = _view(demo_store, clock, key).loan
    assert (view.id, view.manager, view.purpose, view.due_at, view.phone) == (loan, "吴经理", "带客户看房", at(16), "13800138000")
    assert "key.lent" in _actions(demo_store)


@pytest.mark.parametrize(("kind", "kwargs", "field", "key"), [
    ("other", {"purpose": "", "due": at(16)}, "purpose", "keys.purpose_required"),
    ("other", {"purpose": "抄表"}, "due", "keys.due_required"),
    ("sales", {"purpose": "", "due": at(16), "manager": "吴经理"}, "purpose", "keys.purpose_required"),
    ("sales", {"purpose": "看房", "manager": "吴经理"}, "due", "keys.due_required"),
    ("other", {"purpose": "抄表", "due": at(16), "phone": "12345"}, "phone", "input.phone"),
    ("robot", {"purpose": "抄表", "due": at(16)}, "borrower_kind", "keys.bad_borrower_kind"),
])
def test_others_say_the_purpose_and_the_return_time(demo_store, clock, policy, kind, kwargs, field, key) -> None:
    key_id = _key(demo_store, clock)
    with pytest.raises(FieldError) as refused:
        K.lend(demo_store, clock, policy, CLERK, key_id, borrower_kind=kind, borrower="赵先生", today=TODAY, **kwargs)
    assert (refused.value.field, refused.value.key) == (field, key)
    assert _count(demo_store, KeyLoan) == 0


def test_a_borrower_has_a_name(demo_store, clock, policy) -> None:
    key = _key(demo_store, clock)
    with pytest.raises(FieldError) as refused:
        K.lend(demo_store, clock, policy, CLERK, key, borrower_kind="worker", borrower=" ", today=TODAY)
    assert (refused.value.field, refused.value.key) == ("borrower", "keys.borrower_required")


# -- owners: identity and signature -----------------------------------------------------------------


def test_an_owner_without_a_signature_is_refused(demo_store, clock, policy) -> None:
    key = _key(demo_store, clock)
    with pytest.raises(FieldError) as refused:
        K.lend(demo_store, clock, policy, CLERK, key, borrower_kind="owner", borrower="高梅", id_type="resident_id",
               id_no=ID, signed=False, today=TODAY)
    assert (refused.value.field, refused.value.key) == ("signed", "keys.signature_required")
    assert _count(demo_store, KeyLoan) == 0 and _view(demo_store, clock, key).state == "held"


@pytest.mark.parametrize(("id_type", "id_no", "field", "key"), [
    ("resident_id", ID[:-1] + ("0" if ID[-1] != "0" else "1"), "id_no", "input.id_resident_check"),
    ("resident_id", "12345", "id_no", "input.id_resident"),
    ("passport", "!!", "id_no", "input.id_passport"),
    ("", ID, "id_type", "input.id_type"),
])
def test_an_owners_bad_id_is_refused_at_its_field(demo_store, clock, policy, id_type, id_no, field, key) -> None:
    key_id = _key(demo_store, clock)
    with pytest.raises(FieldError) as refused:
        K.lend(demo_store, clock, policy, CLERK, key_id, borrower_kind="owner", borrower="高梅", id_type=id_type,
               id_no=id_no, signed=True, today=TODAY)
    assert (refused.value.field, refused.value.key) == (field, key)
    assert _count(demo_store, KeyLoan) == 0


def test_an_owners_loan_keeps_only_the_masked_id_and_needs_no_return_time(demo_store, clock, policy) -> None:
    key = _key(demo_store, clock)
    loan = K.lend(demo_store, clock, policy, CLERK, key, borrower_kind="owner", borrower="高梅", id_type="resident_id",
                  id_no=ID, signed=True, today=TODAY)
    with demo_store.read() as session:
        row = session.get(KeyLoan, loan)
        every = " ".join(str(v) for r in session.exec(select(KeyLoan)).all() for v in r.model_dump().values())
        every += " ".join(a.detail for a in session.exec(select(AuditEvent)).all())
    assert row.id_type == "resident_id" and row.id_masked.startswith("4403") and row.id_masked.endswith(ID[-4:])
    assert row.signed and row.due_at is None
    assert ID not in every
    assert not _view(demo_store, clock, key).loan.overdue


# -- the key's state ----------------------------------------------------------------------------------


def test_a_lent_key_cannot_be_lent_again(demo_store, clock, policy) -> None:
    key = _key(demo_store, clock)
    _worker(demo_store, clock, policy, key)
    with pytest.raises(DeskappError) as refused:
        _worker(demo_store, clock, policy, key, staff=OTHER_CLERK)
    assert (refused.value.key, refused.value.params) == ("keys.not_held", {"label": "1-1-201-A"})
    assert _count(demo_store, KeyLoan) == 1


def test_an_unknown_key_is_refused(demo_store, clock, policy) -> None:
    with pytest.raises(DeskappError) as refused:
        _worker(demo_store, clock, policy, 999)
    assert refused.value.key == "keys.not_found"


def test_a_returned_key_is_held_again_and_can_be_lent_again(demo_store, clock, policy) -> None:
    key = _key(demo_store, clock)
    loan = _worker(demo_store, clock, policy, key)
    clock.advance(hours=3)
    K.return_key(demo_store, clock, OTHER_CLERK, loan)
    with demo_store.read() as session:
        row = session.get(KeyLoan, loan)
    assert (row.returned_at, row.returned_to_id) == (at(13), OTHER_CLERK)
    view = _view(demo_store, clock, key)
    assert view.state == "held" and view.loan is None
    with pytest.raises(DeskappError) as refused:
        K.return_key(demo_store, clock, CLERK, loan)
    assert refused.value.key == "keys.already_returned"
    assert _worker(demo_store, clock, policy, key) != loan
    assert _actions(demo_store) == ["key.added", "key.lent", "key.returned", "key.lent"]


def test_returning_an_unknown_loan_is_refused(demo_store, clock) -> None:
    with pytest.raises(DeskappError) as refused:
        K.return_key(demo_store, clock, CLERK, 999)
    assert refused.value.key == "keys.loan_not_found"


def test_a_key_issued_to_its_owner_is_out_for_good(demo_store, clock, policy) -> None:
    key = _key(demo_store, clock)
    record = K.issue_to_owner(demo_store, clock, CLERK, key, owner="高梅", id_type="resident_id", id_no=ID, signed=True,
                              today=TODAY)
    view = _view(demo_store, clock, key)
    assert view.state == "issued"
    assert (view.loan.id, view.loan.kind, view.loan.borrower, view.loan.due_at, view.loan.overdue) == (
        record, "issue", "高梅", None, False)
    with demo_store.read() as session:
        assert K.open_loans(session, clock, None) == []
        assert ID not in session.get(KeyLoan, record).id_masked
    assert K.list_keys(demo_store, clock, show="out") == []
    clock.advance(days=400)
    assert K.list_keys(demo_store, clock, show="overdue") == []
    with pytest.raises(DeskappError) as refused:
        _worker(demo_store, clock, policy, key)
    assert refused.value.key == "keys.not_held"


@pytest.mark.parametrize(("kwargs", "field", "key"), [
    ({"owner": "高梅", "id_type": "resident_id", "id_no": ID, "signed": False}, "signed", "keys.signature_required"),
    ({"owner": "高梅", "id_type": "resident_id", "id_no": "4403", "signed": True}, "id_no", "input.id_resident"),
    ({"owner": "", "id_type": "resident_id", "id_no": ID, "signed": True}, "owner", "keys.owner_required"),
])
def test_an_issue_needs_the_owners_name_id_and_signature(demo_store, clock, kwargs, field, key) -> None:
    key_id = _key(demo_store, clock)
    with pytest.raises(FieldError) as refused:
        K.issue_to_owner(demo_store, clock, CLERK, key_id, today=TODAY, **kwargs)
    assert (refused.value.field, refused.value.key) == (field, key)
    assert _view(demo_store, clock, key_id).state == "held"


# -- checks and labels --------------------------------------------------------------------------------


def test_a_check_marks_missing_keys_and_worn_labels(demo_store, clock, policy) -> None:
    a, b, c, d = (_key(demo_store, clock, label) for label in ("A", "B", "C", "D"))
    _worker(demo_store, clock, policy, d)  # lent: not on the board
    check = K.record_check(demo_store, clock, CLERK, missing=["A", "D"], worn=[" B ", "B"], note="月度清点")
    states = {v.label: (v.state, v.label_state) for v in K.list_keys(demo_store, clock)}
    assert states == {"A": ("missing", "ok"), "B": ("held", "worn"), "C": ("held", "ok"), "D": ("lent", "ok")}
    with demo_store.read() as session:
        row = session.get(KeyCheck, check)
    assert (row.checked, json.loads(row.missing), json.loads(row.worn), row.note, row.by_id) == (3, ["A", "D"], ["B"], "月度清点", CLERK)
    assert "key.checked" in _actions(demo_store)
    # The next check finds B's label fine again (renewed meanwhile): ok.
    K.record_check(demo_store, clock, CLERK, missing=[], worn=[])
    assert _view(demo_store, clock, b).label_state == "ok"
    assert _view(demo_store, clock, c).state == "held" and _view(demo_store, clock, a).state == "missing"


@pytest.mark.parametrize(("missing", "worn", "field", "key"), [
    (["Z"], [], "missing", "keys.unknown_label"),
    ([], ["Z"], "worn", "keys.unknown_label"),
    (["A"], ["A"], "worn", "keys.missing_and_worn"),
])
def test_a_check_names_only_known_keys(demo_store, clock, missing, worn, field, key) -> None:
    _key(demo_store, clock, "A")
    with pytest.raises(FieldError) as refused:
        K.record_check(demo_store, clock, CLERK, missing=missing, worn=worn)
    assert (refused.value.field, refused.value.key) == (field, key)
    assert _count(demo_store, KeyCheck) == 0 and _view(demo_store, clock, 1).state == "held"


def test_a_worn_label_is_renewed(demo_store, clock) -> None:
    key = _key(demo_store, clock)
    with pytest.raises(DeskappError) as refused:
        K.relabel(demo_store, clock, CLERK, key)
    assert refused.value.key == "keys.label_not_worn"
    K.record_check(demo_store, clock, CLERK, missing=[], worn=["1-1-201-A"])
    assert _view(demo_store, clock, key).label_state == "worn"
    K.relabel(demo_store, clock, CLERK, key)
    assert _view(demo_store, clock, key).label_state == "ok"
    assert _actions(demo_store)[-1] == "key.relabelled"


def test_the_check_is_due_at_once_then_thirty_days_after_the_last(demo_store, clock, policy) -> None:
    assert K.check_due(demo_store, clock, policy) is None  # no key kept yet: nothing to check
    _key(demo_store, clock)
    assert K.check_due(demo_store, clock, policy) == at(10)
    K.record_check(demo_store, clock, CLERK, missing=[], worn=[])
    clock.advance(days=3)
    K.record_check(demo_store, clock, CLERK, missing=[], worn=[])
    clock.advance(days=1)
    assert K.check_due(demo_store, clock, policy) == at(10, day=27) + timedelta(days=30)
    with demo_store.read() as session:
        assert K.check_due_in(session, clock, policy) == at(10, day=27) + timedelta(days=30)


# -- the clerk who recovers the key (4.6), the list -----------------------------------------------------


def test_open_loans_are_the_holders_own(demo_store, clock, policy) -> None:
    mine, theirs, back = (_key(demo_store, clock, label) for label in ("A", "B", "C"))
    m = _worker(demo_store, clock, policy, mine, due=at(17))
    t = _worker(demo_store, clock, policy, theirs, staff=OTHER_CLERK, due=at(12))
    b = _worker(demo_store, clock, policy, back)
    K.return_key(demo_store, clock, CLERK, b)
    with demo_store.read() as session:
        own = K.open_loans(session, clock, CLERK)
        others = K.open_loans(session, clock, OTHER_CLERK)
        every = K.open_loans(session, clock, None)
    assert [(v.id, v.holder, v.label) for v in own] == [(m, "陈小雨", "A")]
    assert [(v.id, v.holder) for v in others] == [(t, "林晓婷")]
    assert [v.id for v in every] == [t, m]  # by due time
    assert all(v.returned_at is None and v.kind == "loan" for v in every)


def test_search_matches_the_label_or_the_unit(demo_store, clock) -> None:
    _key(demo_store, clock, "1-1-201-A", "1-1-201")
    _key(demo_store, clock, "门禁卡 7", "1-1-202")
    _key(demo_store, clock, "配电房", "")
    assert [v.label for v in K.list_keys(demo_store, clock, search="201")] == ["1-1-201-A"]
    assert [v.label for v in K.list_keys(demo_store, clock, search="1-1-202")] == ["门禁卡 7"]
    assert [v.label for v in K.list_keys(demo_store, clock, search="配电")] == ["配电房"]
    assert K.list_keys(demo_store, clock, search="%") == []  # a wildcard is a character
    assert len(K.list_keys(demo_store, clock, search="  ")) == 3


def test_the_list_shows_overdue_first_then_lent_by_due_then_by_label(demo_store, clock, policy) -> None:
    ids = {label: _key(demo_store, clock, label) for label in ("A", "B", "C", "D", "E")}
    _worker(demo_store, clock, policy, ids["E"], due=at(17))
    _worker(demo_store, clock, policy, ids["D"], due=at(11))  # overdue by noon
    K.lend(demo_store, clock, policy, CLERK, ids["C"], borrower_kind="other", borrower="抄表员", purpose="抄表",
           due=at(9, day=25), today=TODAY)
    clock.advance(hours=2)
    assert [v.label for v in K.list_keys(demo_store, clock)] == ["D", "E", "C", "A", "B"]
    assert [v.label for v in K.list_keys(demo_store, clock, show="out")] == ["D", "E", "C"]
    assert [v.label for v in K.list_keys(demo_store, clock, show="overdue")] == ["D"]
    with pytest.raises(ValueError):
        K.list_keys(demo_store, clock, show="everything")


def test_a_limit_keeps_the_first_in_the_lists_order_and_the_counts_count_every_key(demo_store, clock, policy) -> None:
    ids = {label: _key(demo_store, clock, label) for label in ("A", "B", "C", "D", "E")}
    _worker(demo_store, clock, policy, ids["E"], due=at(17))
    _worker(demo_store, clock, policy, ids["D"], due=at(11))  # overdue by noon
    clock.advance(hours=2)
    assert [v.label for v in K.list_keys(demo_store, clock, limit=3)] == ["D", "E", "A"]
    assert [v.label for v in K.list_keys(demo_store, clock, show="out", limit=1)] == ["D"]
    assert K.counts(demo_store, clock) == K.KeyCounts(total=5, out=2, overdue=1)


def test_search_matches_the_borrower_and_the_clerk_holding_the_loan(demo_store, clock, policy) -> None:
    lent = _key(demo_store, clock, "1-1-201-A", "1-1-201")
    _key(demo_store, clock, "1-1-202-A", "1-1-202")
    _worker(demo_store, clock, policy, lent)
    assert [v.label for v in K.list_keys(demo_store, clock, search="李师傅")] == ["1-1-201-A"]
    assert [v.label for v in K.list_keys(demo_store, clock, search="陈小雨")] == ["1-1-201-A"]  # the holder


# -- the rule itself ----------------------------------------------------------------------------------


_lent = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(SH))
_hours = st.integers(min_value=1, max_value=23)


@given(lent=_lent, hour=_hours)
def test_a_workers_key_is_due_the_same_day_and_after_it_was_lent(lent: datetime, hour: int) -> None:
    due = key_due(Borrower.WORKER, lent, SH, asked=None, return_by=time(hour))
    assert due > lent
    if lent.time() < time(hour):
        assert due == datetime.combine(lent.date(), time(hour), tzinfo=SH)
    else:  # after the hour: by the end of that same day, midnight
        assert due == datetime.combine(lent.date() + timedelta(days=1), time(), tzinfo=SH)


@given(lent=_lent, hour=_hours, ahead=st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=3)))
def test_a_worker_gets_the_earlier_of_what_was_asked_and_the_days_limit(lent: datetime, hour: int, ahead: timedelta) -> None:
    asked = lent + ahead
    by = key_due(Borrower.WORKER, lent, SH, asked=None, return_by=time(hour))
    assert key_due(Borrower.WORKER, lent, SH, asked=asked, return_by=time(hour)) == min(asked, by)


@given(lent=_lent, ahead=st.timedeltas(min_value=timedelta(days=-3), max_value=timedelta(days=3)),
       kind=st.sampled_from([Borrower.OTHER, Borrower.SALES, Borrower.OWNER]))
def test_others_get_what_they_asked_if_it_is_later(lent: datetime, ahead: timedelta, kind: Borrower) -> None:
    asked = lent + ahead
    try:
        due = key_due(kind, lent, SH, asked=asked, return_by=time(18), manager="吴经理")
    except RefusedRule as rule:
        assert (rule.field, rule.key) == ("due", "keys.due_past") and asked <= lent
    else:
        assert due == asked > lent


# -- the messages -------------------------------------------------------------------------------------


def _raised_keys() -> set[str]:
    """The message keys of FieldError(field, key), DeskappError(key), RefusedRule(key, field) and
    InputError(key) written in the service, the key rules and the ID check it uses (domain/ids.py)."""
    position = {"FieldError": 1, "DeskappError": 0, "RefusedRule": 0, "InputError": 0}
    found = set()
    for path in (ROOT / "src/deskapp/services/keys.py", ROOT / "src/deskapp/domain/registers.py", ROOT / "src/deskapp/domain/ids.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in position:
                arg = node.args[position[node.func.id]] if len(node.args) > position[node.func.id] else None
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.startswith(("keys.", "input.")):
                    found.add(arg.value)
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_refusal_of_the_key_register_has_a_message(lang: str) -> None:
    with (ROOT / "data" / "locale" / f"{lang}.toml").open("rb") as f:
        errors = tomllib.load(f)["error"]
    raised = _raised_keys()
    assert {"keys.not_held", "keys.sales_needs_manager", "keys.signature_required", "input.id_type"} <= raised
    missing = [k for k in raised if errors.get(k.split(".")[0], {}).get(k.split(".", 1)[1]) is None]
    assert missing == []
