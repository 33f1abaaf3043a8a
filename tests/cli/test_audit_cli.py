"""`deskapp audit verify` and `deskapp audit show --record KIND:ID`, run as an auditor runs them:
OK on an untouched store, exit 1 naming the event when a row was edited, removed or inserted
behind deskapp's back (the append-only triggers dropped with raw SQL), and a record's history
with who, when and before → after."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from cli.test_cli import one_line_failure, run
from deskapp.services import audit
from deskapp.services import releases as R
from deskapp.services import work_orders as wo

TODAY = date(2026, 11, 24)


def _count(store) -> int:
    with store.engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM audit_event")).scalar()


@pytest.fixture
def worked(demo_store, clock, policy):
    """The demo store with a work order received and dispatched, and a release slip issued."""
    order = wo.open_order(demo_store, clock, 1, area="household", unit_code="1-1-201", item="厨房水龙头漏水", category="plumbing")
    clock.advance(minutes=5)
    wo.dispatch(demo_store, clock, policy, 2, order, clock.now(), "师傅15分钟内到")
    owner = next(p for p in R.residents(demo_store, "1-1-201")[1] if p.kind == "owner")
    request = R.start(demo_store, clock, 1, unit_code="1-1-201", kind="owner", person_id=owner.id, today=TODAY)
    R.record_id(demo_store, clock, 1, request, "resident_id", "44030519900101123X", TODAY)
    R.record_goods(demo_store, clock, 1, request, goods="沙发1", plate="粤B12345", driver="张师傅",
                   driver_id="440306198506152013", today=TODAY)
    R.record_signature(demo_store, clock, 1, request)
    slip = R.issue(demo_store, clock, policy, 1, request, TODAY)
    demo_store.order, demo_store.slip = order, slip
    return demo_store


def test_verify_says_ok_with_the_count(worked) -> None:
    done = run("audit", "verify", "--db", worked.url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"审计日志完好:已核对 {_count(worked)} 条事件。OK"
    english = run("--lang", "en", "audit", "verify", "--db", worked.url)
    assert english.stdout.strip() == f"Audit log intact: {_count(worked)} events checked. OK"


def _unguarded(store, *statements: str, **params) -> None:
    with store.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS audit_event_no_update"))
            connection.execute(text("DROP TRIGGER IF EXISTS audit_event_no_delete"))
        for statement in statements:
            connection.execute(text(statement), params)


def _dispatch_event(store) -> int:
    with store.engine.connect() as connection:
        return connection.execute(text("SELECT id FROM audit_event WHERE action = 'work_order.dispatch'")).scalar()


def test_verify_names_an_edited_event(worked) -> None:
    edited = _dispatch_event(worked)
    _unguarded(worked, "UPDATE audit_event SET detail = '{\"before\": \"received\", \"after\": \"closed\"}' WHERE id = :id", id=edited)
    line = one_line_failure(run("--lang", "en", "audit", "verify", "--db", worked.url))
    assert f"event #{edited} (2026-11-24 10:05:00, work_order.dispatch) was edited" in line
    assert f"({edited - 1} events before it are intact)" in line
    chinese = one_line_failure(run("audit", "verify", "--db", worked.url))
    assert f"事件 #{edited}" in chinese and "被修改" in chinese


def test_verify_names_the_event_after_a_removed_one(worked) -> None:
    removed = _dispatch_event(worked)
    _unguarded(worked, "DELETE FROM audit_event WHERE id = :id", id=removed)
    line = one_line_failure(run("--lang", "en", "audit", "verify", "--db", worked.url))
    assert f"before event #{removed + 1} " in line and "removed, or events were reordered" in line


def test_verify_names_an_inserted_event(worked, clock) -> None:
    _unguarded(worked, "INSERT INTO audit_event (at, actor_id, action, entity, entity_id, detail) "
                       "VALUES (:at, 4, 'release.voided', 'release', 1, '{}')", at=clock.now().replace(tzinfo=None))
    with worked.session() as session:  # the counters carry on
        audit.record(session, clock, "visit.arrived", actor_id=1, entity="visit", entity_id=1)
    forged = _count(worked) - 1
    line = one_line_failure(run("--lang", "en", "audit", "verify", "--db", worked.url))
    assert f"event #{forged} " in line and "release.voided) was inserted" in line


def test_show_prints_a_work_orders_history(worked) -> None:
    done = run("audit", "show", "--record", f"work_order:{worked.order}", "--db", worked.url)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"work_order:{worked.order} 的历史记录(共 3 条):"
    assert lines[1].startswith("2026-11-24 10:00:00  陈小雨  work_order.receive")
    assert lines[2].startswith("2026-11-24 10:05:00  林晓婷  work_order.dispatch  received → dispatched; appointment=")
    assert "promise.made" in lines[3]
    by_number = run("--lang", "en", "audit", "show", "--record", f"work_order:WX{worked.order:06d}", "--db", worked.url)
    assert by_number.stdout.splitlines()[1:] == lines[1:]


def test_show_finds_a_slip_by_its_number(worked) -> None:
    done = run("--lang", "en", "audit", "show", "--record", f"slip:{worked.slip:06d}", "--db", worked.url)
    assert done.returncode == 0, done.stderr
    actions = [line.split("  ")[2] for line in done.stdout.splitlines()[1:]]
    assert actions == ["release.start", "release.id_checked", "release.goods", "release.signed", "release.issued"]
    assert "44030519900101123X" not in done.stdout  # only the masked ID is anywhere


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ("work_order", "A record is named KIND:ID"),
        ("work_order:abc", "A record is named KIND:ID"),
        ("work_order:99999", "The audit log holds nothing about work_order:99999"),
        ("slip:77", "The audit log holds nothing about slip:77"),
        ("visit:" + "9" * 5000, "The audit log holds nothing about visit:"),
    ],
)
def test_show_refuses_in_one_line(worked, record: str, expected: str) -> None:
    line = one_line_failure(run("--lang", "en", "audit", "show", "--record", record, "--db", worked.url))
    assert expected in line
