"""Lost and found in the store (物品拾遗): an item registered with where it is kept, claimed by its
owner with their ID (only the masked number kept) and signature, or disposed of — saying how —
once unclaimed for lost_found.keep_days (365). The clock starts on Tuesday 2026-11-24 at 10:00
in Shanghai; staff 1 is the clerk 陈小雨."""

from __future__ import annotations

import ast
import json
import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from deskapp.errors import DeskappError
from deskapp.policy import load_policy
from deskapp.services import lost_found as L
from deskapp.services.visits import FieldError
from deskapp.store.tables import AuditEvent, FoundItem

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=SH)  # the clock fixture's time
TODAY = date(2026, 11, 24)
CLERK = 1  # 陈小雨
ROOT = Path(__file__).resolve().parents[2]


def citizen_id(body17: str = "44030519850101123") -> str:
    """A resident ID number with its GB 11643 check digit."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body17, weights, strict=True))
    return body17 + "10X98765432"[total % 11]


ID = citizen_id()


def _register(store, clock, what: str = "黑色钱包", **kw) -> int:
    values = {"where_found": "1 栋电梯厅", "found_by": "保安 王强", "kept_where": "前台保险柜 A 格"} | kw
    return L.register(store, clock, CLERK, what=what, **values)


def _claim(store, clock, item_id: int, **kw) -> None:
    values = {"claimant": "高梅", "phone": "138 0013 8000", "id_type": "resident_id", "id_no": ID, "signed": True,
              "today": TODAY} | kw
    L.claim(store, clock, CLERK, item_id, **values)


def _row(store, item_id: int) -> FoundItem:
    with store.read() as session:
        return session.get(FoundItem, item_id)


def _count(store) -> int:
    with store.read() as session:
        return session.exec(select(func.count()).select_from(FoundItem)).one()


def _events(store) -> list[AuditEvent]:
    with store.read() as session:
        return list(session.exec(
            select(AuditEvent).where(AuditEvent.action.startswith("found_item.")).order_by(AuditEvent.id)).all())


def _actions(store) -> list[str]:
    return [e.action for e in _events(store)]


def _view(store, clock, policy, item_id: int) -> L.FoundView:
    return L.get(store, clock, policy, item_id)


# -- numbers -----------------------------------------------------------------------------------------


def test_numbers_are_sw_and_six_digits() -> None:
    assert L.number(12) == "SW000012"
    assert L.number(1) == "SW000001"
    assert L.number(1234567) == "SW1234567"


# -- registering -------------------------------------------------------------------------------------


def test_the_demo_store_has_no_found_items(demo_store) -> None:
    assert _count(demo_store) == 0


def test_an_item_is_registered_now_held_and_kept_for_a_year(demo_store, clock, policy) -> None:
    item = L.register(demo_store, clock, CLERK, what="  黑色\n钱包 ", where_found=" 1 栋  电梯厅 ", found_by="保安 王强",
                      kept_where=" 前台保险柜   A 格 ")
    view = _view(demo_store, clock, policy, item)
    assert (view.id, view.no, view.what, view.where_found, view.found_by, view.kept_where, view.state) == (
        item, L.number(item), "黑色 钱包", "1 栋 电梯厅", "保安 王强", "前台保险柜 A 格", "held")
    assert view.found_at == NOW
    assert view.dispose_after == NOW + timedelta(days=365)
    assert view.due_for_disposal is False
    assert (view.claimant, view.claimant_phone, view.claimed_at, view.disposed_at, view.disposed_how) == ("", "", None, None, "")
    row = _row(demo_store, item)
    assert row.registered_by_id == CLERK and row.registered_at == NOW
    assert _actions(demo_store) == ["found_item.registered"]
    assert _events(demo_store)[0].actor_id == CLERK and _events(demo_store)[0].entity_id == item


def test_an_item_found_earlier_keeps_its_time_and_its_period_runs_from_then(demo_store, clock, policy) -> None:
    found = datetime(2026, 11, 20, 18, 30, tzinfo=SH)
    item = _register(demo_store, clock, found_at=found)
    view = _view(demo_store, clock, policy, item)
    assert view.found_at == found and view.found_at.astimezone(SH).hour == 18
    assert view.dispose_after == found + timedelta(days=365)


@pytest.mark.parametrize(("kwargs", "field", "key"), [
    ({"what": "  "}, "what", "lost_found.what_required"),
    ({"kept_where": " "}, "kept_where", "lost_found.kept_where_required"),
    ({"kept_where": ""}, "kept_where", "lost_found.kept_where_required"),
    ({"found_at": NOW + timedelta(minutes=1)}, "found_at", "lost_found.in_future"),
    ({"found_at": datetime(2026, 11, 25, 9, 0, tzinfo=SH)}, "found_at", "lost_found.in_future"),
])
def test_an_item_needs_what_it_is_where_it_is_kept_and_a_past_time(demo_store, clock, kwargs, field, key) -> None:
    with pytest.raises(FieldError) as refused:
        _register(demo_store, clock, **kwargs)
    assert (refused.value.field, refused.value.key) == (field, key)
    assert _count(demo_store) == 0 and _actions(demo_store) == []


def test_found_right_now_is_not_in_the_future(demo_store, clock, policy) -> None:
    item = _register(demo_store, clock, found_at=NOW)
    assert _view(demo_store, clock, policy, item).found_at == NOW


def test_a_found_time_without_a_zone_is_a_programming_error(demo_store, clock) -> None:
    with pytest.raises(ValueError):
        _register(demo_store, clock, found_at=datetime(2026, 11, 24, 9, 0))
    assert _count(demo_store) == 0


# -- claiming ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("id_type", "id_no", "field", "key"), [
    ("resident_id", ID[:-1] + ("0" if ID[-1] != "0" else "1"), "id_no", "input.id_resident_check"),
    ("resident_id", "12345", "id_no", "input.id_resident"),
    ("passport", "!!", "id_no", "input.id_passport"),
    ("", ID, "id_type", "input.id_type"),
    ("身份证", ID, "id_type", "input.id_type"),
])
def test_a_claim_with_a_bad_id_is_refused_at_its_field_and_nothing_is_saved(demo_store, clock, policy, id_type, id_no,
                                                                              field, key) -> None:
    item = _register(demo_store, clock)
    with pytest.raises(FieldError) as refused:
        _claim(demo_store, clock, item, id_type=id_type, id_no=id_no)
    assert (refused.value.field, refused.value.key) == (field, key)
    row = _row(demo_store, item)
    assert (row.state, row.claimant, row.claimant_phone, row.claimant_id_masked, row.claimed_at, row.handed_by_id) == (
        "held", "", "", "", None, None)
    assert _actions(demo_store) == ["found_item.registered"]


def test_a_claim_without_the_signature_is_refused(demo_store, clock, policy) -> None:
    item = _register(demo_store, clock)
    with pytest.raises(FieldError) as refused:
        _claim(demo_store, clock, item, signed=False)
    assert (refused.value.field, refused.value.key) == ("signed", "lost_found.signature_required")
    assert _row(demo_store, item).state == "held" and _row(demo_store, item).claimant == ""
    assert _view(demo_store, clock, policy, item).state == "held"


@pytest.mark.parametrize(("kwargs", "field", "key"), [
    ({"claimant": "  "}, "claimant", "lost_found.claimant_required"),
    ({"phone": "12345"}, "phone", "input.phone"),
])
def test_a_claim_needs_the_claimants_name_and_a_good_phone_if_given(demo_store, clock, kwargs, field, key) -> None:
    item = _register(demo_store, clock)
    with pytest.raises(FieldError) as refused:
        _claim(demo_store, clock, item, **kwargs)
    assert (refused.value.field, refused.value.key) == (field, key)
    assert _row(demo_store, item).state == "held"


def test_a_claim_keeps_only_the_masked_id(demo_store, clock, policy) -> None:
    item = _register(demo_store, clock)
    clock.advance(hours=3)
    _claim(demo_store, clock, item)
    row = _row(demo_store, item)
    assert (row.state, row.claimant, row.claimant_phone, row.claimant_id_type, row.signed, row.handed_by_id) == (
        "claimed", "高梅", "13800138000", "resident_id", True, CLERK)
    assert row.claimed_at == NOW + timedelta(hours=3)
    assert row.claimant_id_masked == ID[:4] + "*" * 10 + ID[-4:]
    everything = json.dumps(row.model_dump(), default=str) + "".join(e.detail for e in _events(demo_store))
    assert ID not in everything
    assert _actions(demo_store) == ["found_item.registered", "found_item.claimed"]
    view = _view(demo_store, clock, policy, item)
    assert (view.state, view.claimant, view.claimant_phone, view.claimed_at) == (
        "claimed", "高梅", "13800138000", NOW + timedelta(hours=3))
    assert view.due_for_disposal is False


def test_a_claim_without_a_phone_is_accepted(demo_store, clock) -> None:
    item = _register(demo_store, clock)
    _claim(demo_store, clock, item, phone="  ")
    assert (_row(demo_store, item).state, _row(demo_store, item).claimant_phone) == ("claimed", "")


def test_an_item_cannot_be_claimed_twice(demo_store, clock) -> None:
    item = _register(demo_store, clock)
    _claim(demo_store, clock, item)
    with pytest.raises(DeskappError) as refused:
        _claim(demo_store, clock, item, claimant="冒领人")
    assert refused.value.key == "lost_found.already_claimed" and refused.value.params == {"no": L.number(item)}
    assert _row(demo_store, item).claimant == "高梅"
    assert _actions(demo_store) == ["found_item.registered", "found_item.claimed"]


def test_an_item_held_past_its_period_may_still_be_claimed(demo_store, clock, policy) -> None:
    item = _register(demo_store, clock, found_at=NOW - timedelta(days=400))
    assert _view(demo_store, clock, policy, item).due_for_disposal is True
    _claim(demo_store, clock, item)
    assert _view(demo_store, clock, policy, item).state == "claimed"
    assert L.due_for_disposal(demo_store, clock, policy) == []


def test_an_unknown_item_is_refused(demo_store, clock, policy) -> None:
    with pytest.raises(DeskappError) as refused:
        _claim(demo_store, clock, 999)
    assert refused.value.key == "lost_found.not_found" and refused.value.params == {"id": 999}
    with pytest.raises(DeskappError) as refused:
        L.dispose(demo_store, clock, CLERK, 999, how="交派出所", policy=policy)
    assert refused.value.key == "lost_found.not_found"
    with pytest.raises(DeskappError) as refused:
        L.get(demo_store, clock, policy, 999)
    assert refused.value.key == "lost_found.not_found"


# -- disposing ---------------------------------------------------------------------------------------


def test_an_item_is_disposed_of_only_after_a_year_and_saying_how(demo_store, clock, policy) -> None:
    item = _register(demo_store, clock)
    with pytest.raises(DeskappError) as refused:
        L.dispose(demo_store, clock, CLERK, item, how="交派出所", policy=policy)
    assert refused.value.key == "lost_found.not_due"
    assert refused.value.params == {"no": L.number(item), "date": "2027-11-24"}
    clock.advance(days=364, hours=23, minutes=59)
    with pytest.raises(DeskappError) as refused:
        L.dispose(demo_store, clock, CLERK, item, how="交派出所", policy=policy)
    assert refused.value.key == "lost_found.not_due"
    assert _row(demo_store, item).state == "held"
    clock.advance(minutes=1)  # 365 days to the minute
    assert _view(demo_store, clock, policy, item).due_for_disposal is True
    with pytest.raises(FieldError) as refused:
        L.dispose(demo_store, clock, CLERK, item, how="  ", policy=policy)
    assert (refused.value.field, refused.value.key) == ("how", "lost_found.how_required")
    assert _row(demo_store, item).state == "held"
    L.dispose(demo_store, clock, CLERK, item, how=" 交 莲花派出所 ", policy=policy)
    row = _row(demo_store, item)
    assert (row.state, row.disposed_how, row.disposed_by_id) == ("disposed", "交 莲花派出所", CLERK)
    assert row.disposed_at == NOW + timedelta(days=365)
    view = _view(demo_store, clock, policy, item)
    assert (view.state, view.disposed_how, view.due_for_disposal) == ("disposed", "交 莲花派出所", False)
    assert _actions(demo_store) == ["found_item.registered", "found_item.disposed"]


def test_a_disposed_item_cannot_be_claimed_or_disposed_again(demo_store, clock, policy) -> None:
    item = _register(demo_store, clock, found_at=NOW - timedelta(days=366))
    L.dispose(demo_store, clock, CLERK, item, how="捐赠", policy=policy)
    with pytest.raises(DeskappError) as refused:
        _claim(demo_store, clock, item)
    assert refused.value.key == "lost_found.already_disposed"
    with pytest.raises(DeskappError) as refused:
        L.dispose(demo_store, clock, CLERK, item, how="捐赠", policy=policy)
    assert refused.value.key == "lost_found.already_disposed"
    assert _row(demo_store, item).claimant == ""


def test_a_claimed_item_cannot_be_disposed_of(demo_store, clock, policy) -> None:
    item = _register(demo_store, clock, found_at=NOW - timedelta(days=366))
    _claim(demo_store, clock, item)
    with pytest.raises(DeskappError) as refused:
        L.dispose(demo_store, clock, CLERK, item, how="捐赠", policy=policy)
    assert refused.value.key == "lost_found.already_claimed"
    assert _row(demo_store, item).disposed_how == ""


def test_the_not_due_date_is_the_sites_local_date(demo_store, clock, policy) -> None:
    late = datetime(2026, 11, 24, 1, 0, tzinfo=SH)  # 2026-11-23 17:00 UTC, 2026-11-24 in Shanghai
    item = _register(demo_store, clock, found_at=late)
    with pytest.raises(DeskappError) as refused:
        L.dispose(demo_store, clock, CLERK, item, how="捐赠", policy=policy)
    assert refused.value.params["date"] == "2027-11-24"
    assert late.astimezone(UTC).date() == date(2026, 11, 23)


def test_dispose_uses_the_policy_it_is_given(demo_store, clock, tmp_path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[lost_found]\nkeep_days = 30\n", encoding="utf-8")
    short = load_policy(site)
    item = _register(demo_store, clock, found_at=NOW - timedelta(days=31))
    with pytest.raises(DeskappError) as refused:
        L.dispose(demo_store, clock, CLERK, item, how="捐赠")  # the default policy: a year
    assert refused.value.key == "lost_found.not_due"
    assert L.due_for_disposal(demo_store, clock, short)[0].id == item
    L.dispose(demo_store, clock, CLERK, item, how="捐赠", policy=short)
    assert _row(demo_store, item).state == "disposed"


def test_dispose_without_a_policy_reads_the_default_keeping_period(demo_store, clock) -> None:
    item = _register(demo_store, clock, found_at=NOW - timedelta(days=365))
    L.dispose(demo_store, clock, CLERK, item, how="交派出所")
    assert _row(demo_store, item).state == "disposed"


# -- lists -------------------------------------------------------------------------------------------


@pytest.fixture
def register_of(demo_store, clock):
    """Five items: two due (found 400 and 370 days ago), one due in 12 hours, one claimed, one new."""
    ids = {
        "old": _register(demo_store, clock, "雨伞", found_at=NOW - timedelta(days=400), where_found="会所门口",
                         kept_where="前台储物柜"),
        "older_due": _register(demo_store, clock, "儿童水壶", found_at=NOW - timedelta(days=370), where_found="儿童游乐场",
                               kept_where="前台储物柜"),
        "soon": _register(demo_store, clock, "钥匙串", found_at=NOW - timedelta(days=364, hours=12), where_found="2 栋大堂",
                          kept_where="前台保险柜 B 格"),
        "claimed": _register(demo_store, clock, "手机", found_at=NOW - timedelta(days=2), where_found="地下车库 B2",
                             kept_where="前台保险柜 A 格"),
        "new": _register(demo_store, clock, "蓝色 100%羊毛围巾", found_at=NOW - timedelta(hours=1), where_found="1 栋电梯厅",
                         kept_where="前台储物柜_2"),
    }
    _claim(demo_store, clock, ids["claimed"], claimant="张伟")
    return ids


def _ids(views) -> list[int]:
    return [v.id for v in views]


def test_held_shows_the_due_first_then_the_newest(demo_store, clock, policy, register_of) -> None:
    r = register_of
    views = L.list_found(demo_store, clock, policy)
    assert _ids(views) == [r["older_due"], r["old"], r["new"], r["soon"]]
    assert [v.due_for_disposal for v in views] == [True, True, False, False]
    assert all(v.state == "held" for v in views)


def test_all_shows_the_claimed_too(demo_store, clock, policy, register_of) -> None:
    r = register_of
    views = L.list_found(demo_store, clock, policy, show="all")
    assert _ids(views) == [r["older_due"], r["old"], r["new"], r["claimed"], r["soon"]]
    assert {v.id: v.state for v in views}[r["claimed"]] == "claimed"


def test_due_shows_only_the_held_past_their_period(demo_store, clock, policy, register_of) -> None:
    r = register_of
    assert _ids(L.list_found(demo_store, clock, policy, show="due")) == [r["older_due"], r["old"]]
    clock.advance(hours=12)
    assert _ids(L.list_found(demo_store, clock, policy, show="due")) == [r["soon"], r["older_due"], r["old"]]


def test_a_limit_keeps_those_due_first_and_the_counts_count_them_all(demo_store, clock, policy, register_of) -> None:
    r = register_of
    assert _ids(L.list_found(demo_store, clock, policy, show="all", limit=3)) == [r["older_due"], r["old"], r["new"]]
    assert _ids(L.list_found(demo_store, clock, policy, limit=1)) == [r["older_due"]]
    assert L.counts(demo_store, clock, policy) == (4, 2)
    assert L.counts(demo_store, clock, policy, show="all") == (5, 2)
    clock.advance(hours=12)
    assert L.counts(demo_store, clock, policy) == (4, 3)
    assert _ids(L.list_found(demo_store, clock, policy, limit=1)) == [r["soon"]]


def test_a_list_shown_otherwise_is_refused(demo_store, clock, policy) -> None:
    with pytest.raises(ValueError):
        L.list_found(demo_store, clock, policy, show="claimed")


@pytest.mark.parametrize(("search", "names"), [
    ("水壶", ["older_due"]),  # what
    ("游乐场", ["older_due"]),  # where found
    ("保险柜", ["soon"]),  # where kept (the claimed one in A 格 is not held)
    ("前台", ["older_due", "old", "new", "soon"]),
    ("  2 栋 ", ["soon"]),
    ("100%", ["new"]),  # % and _ are literal
    ("%", ["new"]),
    ("_", ["new"]),
    ("张伟", []),  # the claimant: only claimed items have one
    ("没有这个", []),
])
def test_search_matches_what_where_and_where_kept(demo_store, clock, policy, register_of, search, names) -> None:
    assert _ids(L.list_found(demo_store, clock, policy, search=search)) == [register_of[n] for n in names]


def test_search_matches_the_claimant_and_the_number(demo_store, clock, policy, register_of) -> None:
    r = register_of
    assert _ids(L.list_found(demo_store, clock, policy, show="all", search="张伟")) == [r["claimed"]]
    assert _ids(L.list_found(demo_store, clock, policy, show="all", search=L.number(r["soon"]))) == [r["soon"]]
    assert _ids(L.list_found(demo_store, clock, policy, show="all", search=f"sw{r['new']}")) == [r["new"]]


def test_due_for_disposal_is_what_falls_due_within_a_day_longest_due_first(demo_store, clock, policy, register_of) -> None:
    r = register_of
    due = L.due_for_disposal(demo_store, clock, policy)
    assert _ids(due) == [r["old"], r["older_due"], r["soon"]]
    assert [v.due_for_disposal for v in due] == [True, True, False]
    assert due[2].dispose_after == NOW + timedelta(hours=12)
    assert _ids(L.due_for_disposal(demo_store, clock, policy, within=timedelta(0))) == [r["old"], r["older_due"]]
    assert _ids(L.due_for_disposal(demo_store, clock, policy, within=timedelta(days=400))) == [
        r["old"], r["older_due"], r["soon"], r["new"]]  # never the claimed one


def test_due_for_disposal_drops_what_was_disposed_of(demo_store, clock, policy, register_of) -> None:
    r = register_of
    L.dispose(demo_store, clock, CLERK, r["old"], how="交派出所", policy=policy)
    assert r["old"] not in _ids(L.due_for_disposal(demo_store, clock, policy))
    assert r["old"] not in _ids(L.list_found(demo_store, clock, policy))
    assert {v.id: v.state for v in L.list_found(demo_store, clock, policy, show="all")}[r["old"]] == "disposed"


def test_nothing_is_due_in_an_empty_register(demo_store, clock, policy) -> None:
    assert L.due_for_disposal(demo_store, clock, policy) == [] and L.list_found(demo_store, clock, policy) == []


# -- the messages ------------------------------------------------------------------------------------


def _raised_keys() -> set[str]:
    """The message keys of FieldError(field, key), DeskappError(key) and InputError(key) written in
    the service and in the ID check it uses (services/identity.py → domain/ids.py)."""
    position = {"FieldError": 1, "DeskappError": 0, "InputError": 0}
    found = set()
    for path in (ROOT / "src/deskapp/services/lost_found.py", ROOT / "src/deskapp/domain/ids.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in position:
                arg = node.args[position[node.func.id]] if len(node.args) > position[node.func.id] else None
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_refusal_of_the_lost_and_found_register_has_a_message(lang: str) -> None:
    with (ROOT / "data" / "locale" / f"{lang}.toml").open("rb") as f:
        errors = tomllib.load(f)["error"]
    raised = _raised_keys()
    assert {"lost_found.not_due", "lost_found.kept_where_required", "lost_found.in_future", "input.id_type"} <= raised
    missing = [k for k in raised if errors.get(k.split(".")[0], {}).get(k.split(".", 1)[1]) is None]
    assert missing == []
