"""The audit log's hash chain: event_hash, record() chaining over transactions and counters,
verify() finding an edited, removed or inserted event, and migration 0013 chaining old events.

Store tests run on SQLite and, when DESKAPP_TEST_POSTGRES_URL is set, on PostgreSQL (conftest).
Tampering needs the append-only triggers out of the way: raw SQL drops them, as an intruder would.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from deskapp.clock import FixedClock
from deskapp.domain.audit_chain import GENESIS, ChainCheck, Link, check_chain, event_hash
from deskapp.services import audit
from deskapp.store import migrate
from deskapp.store.engine import Store
from deskapp.store.tables import AuditEvent

AT = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
FIELDS = dict(at=AT, actor_id=1, action="work_order.dispatch", entity="work_order", entity_id=12, detail='{"a": 1}')


# -- event_hash --------------------------------------------------------------------------------------


def test_event_hash_is_sha256_hex_and_the_same_instant_in_any_zone() -> None:
    digest = event_hash("", **FIELDS)
    assert len(digest) == 64 and int(digest, 16) >= 0
    beijing = AT.astimezone(timezone(timedelta(hours=8)))
    assert event_hash("", **{**FIELDS, "at": beijing}) == digest


@pytest.mark.parametrize(
    "change",
    [
        {"at": AT + timedelta(microseconds=1)}, {"actor_id": 2}, {"actor_id": None}, {"action": "work_order.refer"},
        {"entity": "feedback"}, {"entity_id": 13}, {"entity_id": None}, {"detail": '{"a": 2}'},
    ],
    ids=lambda change: next(iter(change)),
)
def test_every_field_counts(change: dict) -> None:
    assert event_hash("", **{**FIELDS, **change}) != event_hash("", **FIELDS)


def test_the_predecessor_counts_and_fields_cannot_run_into_each_other() -> None:
    assert event_hash("a" * 64, **FIELDS) != event_hash("b" * 64, **FIELDS)
    # "ab" + "c" and "a" + "bc" must not hash alike
    assert event_hash("", **{**FIELDS, "action": "ab", "entity": "c"}) != event_hash("", **{**FIELDS, "action": "a", "entity": "bc"})


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        event_hash("", **{**FIELDS, "at": datetime(2026, 11, 24, 10, 0)})


# -- check_chain on plain events -------------------------------------------------------------------


def _chain(n: int) -> list[Link]:
    links, prev = [], GENESIS
    for i in range(1, n + 1):
        fields = {**FIELDS, "at": AT + timedelta(minutes=i), "detail": f'{{"n": {i}}}'}
        digest = event_hash(prev, **fields)
        links.append(Link(id=i, prev_hash=prev, hash=digest, **fields))
        prev = digest
    return links


def _forged(after: Link, id_: int) -> Link:
    fields = {**FIELDS, "at": after.at, "actor_id": None, "action": "fee.refunded", "detail": '{"amount_fen": 99900}'}
    return Link(id=id_, prev_hash=after.hash, hash=event_hash(after.hash, **fields), **fields)


def test_an_intact_chain_and_an_empty_one() -> None:
    assert check_chain(_chain(5)) == ChainCheck(5)
    assert check_chain([]) == ChainCheck(0)


def test_pure_faults() -> None:
    links = _chain(6)
    edited = [*links[:2], Link(**{**links[2].__dict__, "detail": '{"n": 300}'}), *links[3:]]
    assert (check_chain(edited).broken.event.id, check_chain(edited).broken.fault) == (3, "edited")
    removed = [*links[:2], *links[3:]]
    assert (check_chain(removed).broken.event.id, check_chain(removed).broken.fault) == (4, "removed")
    reordered = [links[0], links[2], links[1], *links[3:]]
    assert (check_chain(reordered).broken.event.id, check_chain(reordered).broken.fault) == (3, "removed")
    # a well-forged event put in between: it fits its predecessor, but the next one does not fit it
    between = [*links[:3], _forged(links[2], 99), *links[3:]]
    result = check_chain(between)
    assert (result.broken.event.id, result.broken.fault, result.checked) == (99, "inserted", 3)
    # a clumsy one (no hash) at the very end
    clumsy = Link(**{**links[-1].__dict__, "id": 7, "prev_hash": "", "hash": ""})
    assert check_chain([*links, clumsy]).broken.fault == "inserted"
    # the first event removed
    assert check_chain(links[1:]).broken.event.id == 2


# -- record() in a store ---------------------------------------------------------------------------


def _events(store: Store) -> list[AuditEvent]:
    with store.read() as session:
        return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)).all())


def test_record_chains_within_and_across_transactions(store: Store, clock: FixedClock) -> None:
    for transaction in range(4):
        with store.session() as session:
            for i in range(transaction + 1):  # 1, 2, 3, 4 events in one transaction
                audit.record(session, clock, "test.event", actor_id=None, entity="work_order", entity_id=transaction,
                             before=i, after=i + 1, note="说明")
        clock.advance(minutes=1)
    events = _events(store)
    assert len(events) == 10
    assert events[0].prev_hash == GENESIS
    for previous, event in zip(events, events[1:], strict=False):
        assert event.prev_hash == previous.hash
    for event in events:
        assert event.hash == event_hash(event.prev_hash, event.at, event.actor_id, event.action, event.entity,
                                        event.entity_id, event.detail)
    assert audit.verify(store) == ChainCheck(10)


def test_an_event_rolled_back_is_not_chained_from(store: Store, clock: FixedClock) -> None:
    with store.session() as session:
        audit.record(session, clock, "kept.first")
    with pytest.raises(RuntimeError):
        with store.session() as session:
            audit.record(session, clock, "lost")
            raise RuntimeError("the clerk's work failed")
    with store.session() as session:
        audit.record(session, clock, "kept.second")
        savepoint = session.begin_nested()
        audit.record(session, clock, "lost.in.savepoint")
        session.flush()
        savepoint.rollback()
        audit.record(session, clock, "kept.third")
    assert [e.action for e in _events(store)] == ["kept.first", "kept.second", "kept.third"]
    assert audit.verify(store) == ChainCheck(3)


def test_last_hash_for_bulk_writers(store: Store, clock: FixedClock) -> None:
    with store.session() as session:
        assert audit.last_hash(session) == GENESIS
        audit.record(session, clock, "one")
    with store.session() as session:
        prev = audit.last_hash(session)
        assert prev == _events(store)[-1].hash
        rows = []
        for i in range(3):
            at = clock.now() + timedelta(seconds=i)
            detail = f'{{"i": {i}}}'
            digest = event_hash(prev, at, None, "bulk", "", None, detail)
            rows.append(AuditEvent(at=at, action="bulk", detail=detail, prev_hash=prev, hash=digest))
            prev = digest
        session.add_all(rows)
    assert audit.verify(store) == ChainCheck(4)


def test_verify_on_the_demo_store(demo_store: Store, clock: FixedClock) -> None:
    before = audit.verify(demo_store)
    assert before.broken is None and before.checked == len(_events(demo_store)) >= 1
    with demo_store.session() as session:
        audit.record(session, clock, "test.after_demo")
    assert audit.verify(demo_store) == ChainCheck(before.checked + 1)


def test_verify_reads_in_batches(store: Store, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "BATCH", 3)
    with store.session() as session:
        for i in range(10):
            audit.record(session, clock, "test.event", n=i)
    assert audit.verify(store) == ChainCheck(10)
    _tamper(store, "UPDATE audit_event SET detail = '{\"n\": 99}' WHERE id = 8")
    assert _fault(store) == (8, "edited", 7)


# -- tampering -------------------------------------------------------------------------------------


def _drop_guard(connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event"))
    else:
        connection.execute(text("DROP TRIGGER IF EXISTS audit_event_no_update"))
        connection.execute(text("DROP TRIGGER IF EXISTS audit_event_no_delete"))


def _tamper(store: Store, *statements: str, **params: object) -> None:
    with store.engine.begin() as connection:
        _drop_guard(connection)
        for statement in statements:
            connection.execute(text(statement), params)


def _fault(store: Store) -> tuple[int, str, int]:
    result = audit.verify(store)
    assert result.broken is not None, "the tampering went unnoticed"
    return result.broken.event.id, result.broken.fault, result.checked


@pytest.fixture
def six(store: Store, clock: FixedClock) -> Store:
    """A store with six events, from three transactions."""
    for n in range(3):
        with store.session() as session:
            audit.record(session, clock, "work_order.dispatch", entity="work_order", entity_id=n, before="received", after="dispatched")
            audit.record(session, clock, "promise.made", entity="promise", entity_id=n)
        clock.advance(minutes=5)
    assert audit.verify(store) == ChainCheck(6)
    return store


def test_the_guard_stays_after_migrating(six: Store) -> None:
    with pytest.raises(DBAPIError, match="append-only"):
        with six.engine.begin() as connection:
            connection.execute(text("UPDATE audit_event SET detail = '{}' WHERE id = 3"))


def test_an_edited_event_is_named(six: Store) -> None:
    _tamper(six, "UPDATE audit_event SET detail = :d WHERE id = 4", d='{"before": "received", "after": "closed"}')
    assert _fault(six) == (4, "edited", 3)


def test_an_edited_event_with_its_hash_made_again_breaks_the_next_link(six: Store) -> None:
    event = _events(six)[3]
    forged = event_hash(event.prev_hash, event.at, event.actor_id, "promise.kept", event.entity, event.entity_id, event.detail)
    _tamper(six, "UPDATE audit_event SET action = 'promise.kept', hash = :h WHERE id = 4", h=forged)
    assert _fault(six) == (5, "removed", 4)


def test_an_edited_time_or_actor_is_named(six: Store) -> None:
    _tamper(six, "UPDATE audit_event SET actor_id = NULL, entity_id = 77 WHERE id = 2")
    assert _fault(six) == (2, "edited", 1)


def test_a_removed_event_is_found(six: Store) -> None:
    _tamper(six, "DELETE FROM audit_event WHERE id = 3")
    assert _fault(six) == (4, "removed", 2)


def test_the_first_event_removed_is_found(six: Store) -> None:
    _tamper(six, "DELETE FROM audit_event WHERE id = 1")
    assert _fault(six)[:2] == (2, "removed")


def test_an_inserted_event_is_named(six: Store, clock: FixedClock) -> None:
    """A row put in by SQL, without the chain's hash; the counters carry on writing after it."""
    _tamper(six, "INSERT INTO audit_event (at, actor_id, action, entity, entity_id, detail) "
                 "VALUES (:at, NULL, 'fee.refunded', 'fee_payment', 1, '{}')", at=datetime(2026, 11, 24, 2, 30))
    with six.session() as session:
        audit.record(session, clock, "visit.arrived", entity="visit", entity_id=1)
    assert _fault(six) == (7, "inserted", 6)


def test_a_well_forged_event_put_in_between_is_named(six: Store) -> None:
    """Events 4–6 taken out, a forged event chained to 3 put in as 4, the originals back as 5–7."""
    events = _events(six)
    forger = _forged(Link(**{k: getattr(events[2], k) for k in Link.__dataclass_fields__}), 4)
    columns = "id, at, actor_id, action, entity, entity_id, detail, prev_hash, hash"
    insert = f"INSERT INTO audit_event ({columns}) VALUES (:id, :at, :actor_id, :action, :entity, :entity_id, :detail, :prev_hash, :hash)"
    with six.engine.begin() as connection:
        _drop_guard(connection)
        connection.execute(text("DELETE FROM audit_event WHERE id > 3"))
        for row_id, e in [(4, forger), *((e.id + 1, e) for e in events[3:])]:
            connection.execute(text(insert), {
                "id": row_id, "at": e.at.astimezone(UTC).replace(tzinfo=None), "actor_id": e.actor_id, "action": e.action,
                "entity": e.entity, "entity_id": e.entity_id, "detail": e.detail, "prev_hash": e.prev_hash, "hash": e.hash,
            })
    assert _fault(six) == (4, "inserted", 3)


# -- migration 0013 --------------------------------------------------------------------------------


def test_migration_chains_the_events_already_there(db_url: str) -> None:
    store = Store(db_url)
    config = migrate._config(store.engine)
    command.upgrade(config, "0012")
    with store.engine.begin() as connection:
        for i in range(5):
            connection.execute(
                text("INSERT INTO audit_event (at, actor_id, action, entity, entity_id, detail) VALUES (:at, NULL, :a, 'visit', :i, :d)"),
                {"at": datetime(2026, 11, 20, 2, i, 0, 123456), "a": f"visit.{i}", "i": i, "d": f'{{"i": {i}, "名": "任"}}'},
            )
    command.upgrade(config, "0013")
    events = _events(store)
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]] and events[0].prev_hash == GENESIS
    assert audit.verify(store) == ChainCheck(5)
    with pytest.raises(DBAPIError, match="append-only"):
        with store.engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_event WHERE id = 1"))
    command.downgrade(config, "0012")
    with pytest.raises(DBAPIError, match="append-only"):
        with store.engine.begin() as connection:
            connection.execute(text("UPDATE audit_event SET action = 'x' WHERE id = 1"))
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_event")).scalar() == 5
    store.dispose()


# -- two counters at once ------------------------------------------------------------------------------

APPENDER = textwrap.dedent(
    """
    import sys
    import time
    from deskapp.clock import SystemClock
    from deskapp.services import audit
    from deskapp.store.engine import Store

    url, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store, clock = Store(url), SystemClock()
    print("ready", flush=True)
    sys.stdin.readline()  # both start together
    for i in range(count):
        with store.session() as session:
            audit.record(session, clock, "test.append", entity="counter", entity_id=i, counter=name)
            time.sleep(0.002)  # the window between reading the last hash and committing
            if i % 10 == 0:
                audit.record(session, clock, "test.second_in_transaction", counter=name)
        time.sleep(0.004)  # a clerk between two saves: the other counter gets its turn
    store.dispose()
    """
)


def test_two_processes_appending_at_once_keep_one_chain(store: Store) -> None:
    count = 200
    processes = [
        subprocess.Popen([sys.executable, "-c", APPENDER, store.url, name, str(count)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in ("counter-1", "counter-2")
    ]
    for p in processes:
        assert p.stdout.readline().strip() == "ready"
    for p in processes:
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in processes:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    events = _events(store)
    assert len(events) == 2 * (count + count // 10)
    counters = [e.detail for e in events if e.action == "test.append"]
    assert 0 < sum('"counter-1"' in d for d in counters) == count
    assert len({e.prev_hash for e in events}) == len(events)  # no two chained from one predecessor
    assert audit.verify(store) == ChainCheck(len(events))


# -- every state change appends an event (who, when, what, before → after) ----------------------------


def _trail(store: Store, entity: str, entity_id: int) -> list[tuple[str, int | None, dict]]:
    import json

    with store.read() as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
                            .order_by(AuditEvent.id)).all()
    return [(e.action, e.actor_id, json.loads(e.detail)) for e in rows]


def test_a_work_orders_states_before_and_after(demo_store: Store, clock: FixedClock, policy) -> None:
    from deskapp.services import work_orders as wo

    order = wo.open_order(demo_store, clock, 1, area="household", unit_code="1-1-201", item="厨房水龙头漏水", category="plumbing")
    wo.dispatch(demo_store, clock, policy, 1, order, clock.now(), "师傅15分钟内到")
    trail = _trail(demo_store, "work_order", order)
    assert [a for a, _, _ in trail] == ["work_order.receive", "work_order.dispatch", "promise.made"]
    dispatched = trail[1][2]
    assert (trail[1][1], dispatched["before"], dispatched["after"]) == (1, "received", "dispatched")
    assert "appointment" in dispatched and "promised" in dispatched
    assert audit.verify(demo_store).broken is None


def test_a_handovers_notes_queries_and_acknowledgements(demo_store: Store, clock: FixedClock, policy) -> None:
    from deskapp.domain.roles import Action
    from deskapp.services import handover as ho
    from deskapp.services.auth import authorise

    first = ho.open_handover(demo_store, clock, policy, 1)
    items = ho.get(demo_store, first).live
    ho.note_item(demo_store, clock, 1, items[0].id, "财务明早送发票")
    ho.note_shift(demo_store, clock, 1, first, "现金 0 元")
    ho.note_shift(demo_store, clock, 1, first, "现金 0 元;钥匙 12 把")
    ho.present(demo_store, clock, policy, first, authorise(demo_store, clock, policy, "c02", "2468", Action.TAKE_OVER_SHIFT))
    ho.query(demo_store, clock, items[1].id, "回访打过没有?")
    ho.answer(demo_store, clock, items[1].id, "打过一次没人接")
    ho.acknowledge(demo_store, clock, [items[0].id, items[1].id])
    trail = _trail(demo_store, "handover", first)
    assert [(a, who) for a, who, _ in trail] == [
        ("handover.opened", 1), ("handover.item_noted", 1), ("handover.noted", 1), ("handover.noted", 1),
        ("handover.presented", 2), ("handover.item_queried", 2), ("handover.item_answered", 1),
        ("handover.item_acknowledged", 2), ("handover.item_acknowledged", 2),
    ]
    assert trail[3][2] == {"before": "现金 0 元", "after": "现金 0 元;钥匙 12 把"}
    assert trail[1][2] == {"item": items[0].id, "before": "", "after": "财务明早送发票"}
    assert (trail[6][2]["before"], trail[6][2]["after"], trail[6][2]["answer"]) == ("queried", "pending", "打过一次没人接")
    assert audit.verify(demo_store).broken is None


def test_a_promise_kept_by_a_callback_call_is_recorded(demo_store: Store, clock: FixedClock, policy) -> None:
    from deskapp.services import calls, promises

    promise = promises.make(demo_store, clock, policy, 1, "callback", "回电", phone="13800000009", customer="李女士")
    owed = next(o for o in calls.callbacks_owed(demo_store) if o.promise_id == promise)
    call_id = calls.start_callback(demo_store, clock, 1, owed)
    calls.end(demo_store, clock, call_id, 1, "done")
    assert _trail(demo_store, "promise", promise)[-1] == ("promise.kept", 1, {"call": call_id})
    other = promises.make(demo_store, clock, policy, 1, "callback", "再回电", phone="13800000008")
    promises.close(demo_store, clock, 2, other, "broken")
    assert _trail(demo_store, "promise", other)[-1] == ("promise.broken", 2, {"before": "open", "after": "broken"})
