"""The monkey test's parts (test_monkey.py): a seeded stream of keys, a world with a record of
every kind to act on, what the clerk must never see, and the store's invariants.

Keys are sent as a clerk types: a gesture at a time (a word, a choice and Enter, a move), the keys
of a gesture one after another without waiting, then a pause until the app is idle again. So a
typed word is fast, and so is a double Enter: a form that can be sent twice is found.
"""

from __future__ import annotations

import html
import json
import random
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module
from pkgutil import iter_modules

from sqlalchemy import func, text
from sqlmodel import select
from textual import events
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.worker import Worker, WorkerState

from deskapp.domain.ids import check_digit
from deskapp.domain.work_orders import ENDED as ORDER_ENDED
from deskapp.domain.work_orders import State as OrderState
from deskapp.standards.catalogue import shipped
from deskapp.standards.engine import FlowError, FlowRun
from deskapp.store.tables import (
    AuditEvent, Call, Draft, Feedback, FeedbackEvent, FlowMove, FoundItem, Handover, KeyLoan, KeyTag, Promise,
    ReleaseRequest, SlipCounter, Staff, Vacancy, Visit, WorkOrder, WorkOrderEvent,
)

NEVER = frozenset({"ctrl+q", "ctrl+c"})
"""They quit: the monkey checks the app is still running instead."""

MODES = {
    "today": "f8", "walk_in": "f2", "phone": "f3", "repair": "f4", "release": "f5",
    "complaints": "f6", "handover": "f7", "registers": "f9",
}
"""Each mode and the F-key that opens it (the sign-in screen is the mode before any)."""

SCREENS = {
    "signin": ("signin", "SignInScreen"), "today": ("today", "TodayScreen"), "walk_in": ("walk_in", "WalkInScreen"),
    "phone": ("phone", "PhoneScreen"), "repair": ("repair", "RepairScreen"), "release": ("release", "ReleaseScreen"),
    "complaints": ("complaints", "ComplaintsScreen"), "handover": ("handover", "HandoverScreen"),
    "registers": ("registers", "RegistersScreen"),
}

# -- keys -------------------------------------------------------------------------------------------

_REPLACED = {"solidus": "slash", "reverse_solidus": "backslash", "commercial_at": "at", "hyphen_minus": "minus",
             "plus_sign": "plus", "low_line": "underscore"}


def key_event(key: str) -> events.Key:
    """The event a terminal sends for `key`: a character ("a", "中", "-") or a key's name ("enter",
    "ctrl+s", "f5"). Characters are named as Textual names them (",": "comma")."""
    if len(key) == 1:
        if key.isalnum():
            return events.Key(key, key)
        name = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
        return events.Key(_REPLACED.get(name, name), key)
    return events.Key(key, " " if key == "space" else None)


def _binding_keys(cls: type) -> set[str]:
    keys: set[str] = set()
    for b in cls.__dict__.get("BINDINGS", ()):
        spec = b.key if isinstance(b, Binding) else b[0]
        keys.update(k.strip() for k in spec.split(","))
    return keys - NEVER


def screen_keys(mode: str) -> list[str]:
    """The keys the screen of `mode` binds (its BINDINGS), and those of its base classes."""
    module, name = SCREENS[mode]
    cls = getattr(import_module(f"deskapp.screens.{module}"), name)
    return sorted(set().union(*(_binding_keys(c) for c in cls.__mro__)) or {"enter"})


def dialog_keys() -> list[str]:
    """Every key bound by a dialog or widget of the console (their BINDINGS)."""
    keys: set[str] = set()
    for package in ("deskapp.screens", "deskapp.widgets"):
        for info in iter_modules(import_module(package).__path__):
            module = import_module(f"{package}.{info.name}")
            for value in vars(module).values():
                if isinstance(value, type) and value.__module__ == module.__name__ and (
                    issubclass(value, ModalScreen) or value.__module__.startswith("deskapp.widgets")
                ):
                    keys |= _binding_keys(value)
    return sorted(keys)


def _id_no(first17: str) -> str:
    return first17 + check_digit(first17)


CJK = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗先生女士小姐漏水维修电梯投诉钥匙放行物品空置装修业主租户冰箱沙发纸箱厨房卫生间"
TOKENS = (
    # units: on record, vacant, in arrears, unknown, half typed
    "1-1-201", "3-2-1501", "3-1-1802", "2-2-401", "1-1-101", "1-1-302", "9-9-999", "3", "3-2",
    # people, staff codes and PINs (the supervisor's too: voids, vacancies)
    "王小明", "高梅", "张", "李", "Smith", "demo", "super", "dir", "c02", "fin", "g01", "1234", "5678", "8642", "0000",
    # phones, IDs (valid and not), plates
    "13812345678", "15839835784", "1381234", "010-12345678", "１３８１２３４５６７８",
    _id_no("11010519491231002"), _id_no("44030119900101123"), "440301199001011235", "E12345678",
    "粤B12345", "粤B·D12345", "京A0000",
    # money, counts, dates, times
    "312.5", "0", "-1", "99999999999", "1e3", "2", "12", "2026-11-24", "2026-12-31", "2027-05-31", "2026-02-30",
    "10:30", "9:05", "25:00", "14:00", "11-25 09:00",
    # numbers of records as printed
    "000001", "WX000001", "TS000001", "SW000001", "1", "42",
    # words
    "冰箱", "沙发×2", "纸箱 3", "厨房漏水", "电梯故障", "申请空置", "ok", "x" * 70,
)
NAVIGATION = ("tab", "shift+tab", "up", "down", "left", "right", "pageup", "pagedown", "home", "end")
CTRL = ("ctrl+s", "ctrl+e", "ctrl+k", "ctrl+b", "ctrl+a", "ctrl+o", "ctrl+p", "ctrl+n", "ctrl+g", "ctrl+d",
        "ctrl+x", "ctrl+t", "ctrl+u")
F_KEYS = tuple(f"f{n}" for n in range(1, 11))
PRINTABLE = tuple(chr(c) for c in range(33, 127))


@dataclass
class Monkey:
    """A seeded stream of gestures, weighted so forms get filled and dialogs reached: Enter and
    the 1-9/y/n choices often, plausible values (units, phones, IDs, dates) as well as noise, the
    screen's own keys more than any other."""

    rng: random.Random
    own: list[str]  # the screen's bindings
    others: list[str]  # every dialog's and widget's

    def __post_init__(self) -> None:
        gestures = {
            self._enter: 14, self._choice: 12, self._digits: 7, self._token: 11, self._ascii: 5, self._cjk: 5,
            self._move: 12, self._erase: 4, self._space: 2, self._escape: 5, self._own: 12, self._other: 4,
            self._ctrl: 5, self._f_key: 2,
        }
        self._gestures, self._weights = list(gestures), list(gestures.values())

    def gesture(self) -> list[str]:
        keys = self.rng.choices(self._gestures, self._weights)[0]()
        assert not NEVER & set(keys), keys
        return keys

    def _enter(self) -> list[str]:
        return ["enter"] * self.rng.choice((1, 1, 1, 2))

    def _choice(self) -> list[str]:
        key = self.rng.choice("123456789123456789yn")
        return [key, "enter"] if self.rng.random() < 0.4 else [key]

    def _digits(self) -> list[str]:
        return [self.rng.choice(string.digits) for _ in range(self.rng.randint(1, 12))]

    def _token(self) -> list[str]:
        token = list(self.rng.choice(TOKENS))
        return token + ["enter"] if self.rng.random() < 0.5 else token + ["tab"] if self.rng.random() < 0.5 else token

    def _ascii(self) -> list[str]:
        return [self.rng.choice(PRINTABLE) for _ in range(self.rng.randint(1, 8))]

    def _cjk(self) -> list[str]:
        return [self.rng.choice(CJK) for _ in range(self.rng.randint(1, 4))]

    def _move(self) -> list[str]:
        return [self.rng.choice(NAVIGATION) for _ in range(self.rng.randint(1, 3))]

    def _erase(self) -> list[str]:
        return [self.rng.choice(("backspace", "delete"))] * self.rng.randint(1, 5)

    def _space(self) -> list[str]:
        return ["space"]

    def _escape(self) -> list[str]:
        return ["escape"]

    def _own(self) -> list[str]:
        return [self.rng.choice(self.own)]

    def _other(self) -> list[str]:
        return [self.rng.choice(self.others)]

    def _ctrl(self) -> list[str]:
        return [self.rng.choice(CTRL)]

    def _f_key(self) -> list[str]:
        return [self.rng.choice(F_KEYS)]


def send(app, keys: list[str]) -> None:
    """Post the keys as a terminal would, one after another (the caller waits after)."""
    for key in keys:
        app.post_message(key_event(key))


# -- what the clerk must never see -----------------------------------------------------------------

_TEXT = re.compile(r'<text [^>]*\by="([\d.]+)"[^>]*>(.*?)</text>', re.DOTALL)
TRACEBACK = re.compile(
    r"Traceback|File \"|line \d+, in |\w+(Error|Exception)\b|sqlalchemy|sqlite3|psycopg|NoneType|"
    r"object has no attribute|\[SQL:|Errno|<deskapp\.|0x[0-9a-f]{6,}"
)
_DOTTED = re.compile(r"(?<![\w/.\\-])([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)(?![\w/\\-])")


def screen_text(app) -> list[str]:
    """The screen as the clerk sees it, one string per row (from the public SVG screenshot)."""
    rows: dict[float, list[str]] = {}
    for y, body in _TEXT.findall(app.export_screenshot()):
        rows.setdefault(float(y), []).append(html.unescape(body).replace("\xa0", " "))
    return ["".join(parts) for _, parts in sorted(rows.items())]


def leaks(text_: str, sections: set[str]) -> list[str]:
    """What in `text_` is a traceback's or exception's wording, or a message key shown untranslated
    (the translator gives the key back when a locale lacks it)."""
    found = [m.group(0) for m in TRACEBACK.finditer(text_)]
    found += [m.group(1) for m in _DOTTED.finditer(text_) if m.group(1).split(".")[0] in sections]
    return found


@dataclass
class Watch:
    """Everything the run must not produce, gathered as it happens."""

    sections: set[str]
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # every notification's text

    def hook(self, message) -> None:
        """run_test's message_hook: a worker that ended in error (exit_on_error=False ones too)."""
        if isinstance(message, Worker.StateChanged) and message.state == WorkerState.ERROR:
            worker = message.worker
            self.problems.append(f"worker {worker.name or worker.description!r} failed: {worker.error!r}")

    def wrap_notify(self, app) -> None:
        shown = app.notify

        def notify(message, *args, **kwargs):
            self.notes.append(str(message))
            for leak in leaks(str(message), self.sections):
                self.problems.append(f"notification {str(message)[:200]!r} shows {leak!r}")
            return shown(message, *args, **kwargs)

        app.notify = notify

    def look(self, app) -> None:
        rows = screen_text(app)
        for row in rows:
            for leak in leaks(row, self.sections):
                self.problems.append(f"screen {type(app.screen).__name__} shows {leak!r} in {row.strip()[:160]!r}")


# -- the world ---------------------------------------------------------------------------------------


def make_world(store, clock, policy) -> None:
    """A record of every kind for the monkey to act on, made through the services as a clerk at
    another counter would: visitors waiting, telephones ringing, work orders (one dispatched),
    complaints, a release begun, keys (one lent), a found item, a vacancy applied for, a renovation."""
    from deskapp.services import (
        calls,
        feedback,
        keys,
        lost_found,
        releases,
        renovation,
        vacancy,
        visits,
        work_orders,
    )

    today = clock.now().date()
    with store.read() as session:
        clerk = session.exec(select(Staff.id).where(Staff.code == "c02")).one()
    for unit, surname in (("3-2-1501", "任"), ("", "张"), ("1-1-302", "蔡")):
        visits.register_arrival(store, clock, clerk, unit_code=unit, surname=surname, title="先生")
    for number in ("15839835784", "13812345678", "02088886666"):
        calls.ring(store, clock, number)
    order = work_orders.open_order(store, clock, clerk, area="household", item="厨房漏水", unit_code="1-1-201",
                                   customer="高女士", phone="15839835784")
    work_orders.dispatch(store, clock, policy, clerk, order, clock.now() + timedelta(hours=1), "一小时内上门")
    work_orders.open_order(store, clock, clerk, area="public", item="电梯按钮失灵", place="3栋大堂")
    feedback.receive(store, clock, clerk, what="电梯卫生差", wants="每天清洁", unit_code="2-2-401", customer="杜先生")
    feedback.receive(store, clock, clerk, what="夜间噪音", customer="王女士", phone="13812345678")
    _unit_id, people = releases.residents(store, "1-1-201")
    releases.start(store, clock, clerk, unit_code="1-1-201", kind="owner", person_id=people[0].id, today=today)
    held = keys.add_key(store, clock, clerk, label="1-1-201-A", unit_code="1-1-201", what="入户门 2 把")
    lent = keys.add_key(store, clock, clerk, label="3-2-1501-A", unit_code="3-2-1501", what="入户门 1 把")
    keys.lend(store, clock, policy, clerk, lent, borrower_kind="worker", borrower="李师傅", company="安装公司",
              phone="13812345678", purpose="换水管", today=today)
    assert held
    lost_found.register(store, clock, clerk, what="黑色钱包", where_found="3栋大堂", kept_where="前台柜 2")
    vacancy.apply(store, clock, policy, clerk, unit_code="1-1-301", owner="高俊", id_type="resident_id",
                  id_no=_id_no("44030119900101123"), start=today, end=today + timedelta(days=120),
                  reason="出国", notice_given=True, today=today)
    renovation.open_renovation(store, clock, clerk, unit_code="1-1-202", permit_no="ZX-01", owner="刘文博",
                               company="好家装修", workers=3, deposit_fen=200000)


def outside(rng: random.Random, store, clock) -> str | None:
    """Now and then the world moves between two gestures: minutes pass, a telephone rings, a
    visitor is registered at another counter. Returns what happened, for the replay log."""
    from deskapp.services import calls, visits

    roll = rng.random()
    if roll < 0.05:
        minutes = rng.choice((1, 2, 3, 5, 16, 31, 60))
        clock.advance(minutes=minutes)
        return f"clock+{minutes}m"
    if roll < 0.065:
        calls.ring(store, clock, rng.choice(("15839835784", "13812345678", "075512345678", "400")))
        return "ring"
    if roll < 0.075:
        with store.read() as session:
            clerk = session.exec(select(Staff.id).where(Staff.code == "c03")).one()
        visits.register_arrival(store, clock, clerk, unit_code=rng.choice(("", "1-1-201", "3-1-1802")),
                                surname=rng.choice("王李赵"), title="女士")
        return "visitor"
    return None


# -- the store's invariants ---------------------------------------------------------------------------

ARRIVAL_PROMISES = ("repair_arrival", "repair_reschedule")


def store_problems(store) -> list[str]:
    """What the services promise about the store, each broken one named.

    - SQLite: PRAGMA integrity_check is ok and foreign_key_check finds nothing;
    - the audit log's hash chain is whole (services.audit.verify);
    - a visit serving has a server and a start; a visit done or left has an end, a waiting one none;
    - a call talking or held was answered by someone; a held one has hold_since; ended and missed
      ones have an end;
    - release slips: numbered 1…N without a gap or a repeat, N the slip counter; a slip only on an
      issued request, with its time; a void slip has who voided it and why;
    - work orders and complaints: events numbered 1…n, the last one's to_state the record's
      state; an ended order has closed_at; an open arrival promise only on a dispatched order,
      at most one;
    - promises: open ones have no closed_at, closed ones have one; the record one was made on exists;
    - handovers: at most one open or presented per outgoing clerk; presented ones name the incoming
      clerk; done ones have completed_at;
    - keys: lent ⇔ one open loan, issued ⇔ one open issue, held or missing ⇔ none;
    - found items: claimed ones name the claimant, disposed ones how;
    - vacancies: a decided one names who decided; start before end;
    - drafts keep no PIN;
    - a visit's and a call's recorded moves replay from the flow's start, each from the step it
      names (the screens replay them when the record is opened again).
    """
    from deskapp.services import audit

    problems: list[str] = []
    with store.read() as session:
        if store.engine.dialect.name == "sqlite":
            verdict = session.exec(text("PRAGMA integrity_check")).scalar()
            if verdict != "ok":
                problems.append(f"integrity_check: {verdict}")
            bad = session.exec(text("PRAGMA foreign_key_check")).all()
            if bad:
                problems.append(f"foreign_key_check: {bad[:5]}")
        problems += _visits(session) + _calls(session) + _slips(session) + _orders(session) + _feedback(session)
        problems += _promises(session) + _handovers(session) + _keys(session) + _registers(session)
        problems += _drafts(session) + _trails(session)
        if session.exec(select(func.count()).select_from(AuditEvent)).one() == 0:
            problems.append("audit: no event at all")
    chain = audit.verify(store)
    if chain.broken is not None:
        problems.append(f"audit chain broken: {chain.broken}")
    return problems


def _visits(session) -> list[str]:
    out = []
    for v in session.exec(select(Visit)).all():
        if v.state == "serving" and (v.served_by_id is None or v.service_started_at is None):
            out.append(f"visit {v.id} serving without a server or start")
        if v.state in ("done", "left") and v.ended_at is None:
            out.append(f"visit {v.id} {v.state} without ended_at")
        if v.state == "waiting" and (v.ended_at is not None or v.service_started_at is not None):
            out.append(f"visit {v.id} waiting but started or ended")
        if v.satisfaction is not None and not 1 <= v.satisfaction <= 5:
            out.append(f"visit {v.id} satisfaction {v.satisfaction}")
    return out


def _calls(session) -> list[str]:
    out = []
    for c in session.exec(select(Call)).all():
        if c.state in ("talking", "on_hold") and (c.answered_by_id is None or c.answered_at is None):
            out.append(f"call {c.id} {c.state} never answered")
        if (c.state == "on_hold") != (c.hold_since is not None):
            out.append(f"call {c.id} {c.state} with hold_since {c.hold_since}")
        if c.state in ("ended", "missed") and c.ended_at is None:
            out.append(f"call {c.id} {c.state} without ended_at")
        if c.held_seconds < 0 or c.longest_hold_seconds > c.held_seconds:
            out.append(f"call {c.id} holds {c.held_seconds}s, longest {c.longest_hold_seconds}s")
    return out


def _slips(session) -> list[str]:
    out = []
    requests = session.exec(select(ReleaseRequest)).all()
    numbers = sorted(r.slip_no for r in requests if r.slip_no is not None)
    counter = session.exec(select(SlipCounter.last_no)).first() or 0
    if numbers != list(range(1, counter + 1)):
        out.append(f"slip numbers {numbers[:20]} not 1…{counter} without a gap")
    for r in requests:
        if (r.slip_no is not None) != (r.outcome == "issued") or (r.outcome == "issued" and r.issued_at is None):
            out.append(f"release {r.id} {r.outcome} with slip {r.slip_no}, issued_at {r.issued_at}")
        if r.voided_at is not None and (r.slip_no is None or r.voided_by_id is None or not r.void_reason.strip()):
            out.append(f"release {r.id} void without a slip, who or why")
    return out


def _event_chain(kind: str, record, events_: list, out: list[str]) -> None:
    seqs = [e.seq for e in events_]
    if seqs != list(range(1, len(seqs) + 1)):
        out.append(f"{kind} {record.id} events numbered {seqs}")
    if not events_ or events_[-1].to_state != record.state:
        out.append(f"{kind} {record.id} is {record.state} but its last event says {events_[-1].to_state if events_ else None}")


def _orders(session) -> list[str]:
    out: list[str] = []
    events_: dict[int, list] = {}
    for e in session.exec(select(WorkOrderEvent).order_by(WorkOrderEvent.order_id, WorkOrderEvent.seq)).all():
        events_.setdefault(e.order_id, []).append(e)
    arrival = Counter(
        p.source_id for p in session.exec(select(Promise).where(
            Promise.source_kind == "work_order", Promise.kind.in_(ARRIVAL_PROMISES), Promise.state == "open",
        )).all()
    )
    for o in session.exec(select(WorkOrder)).all():
        _event_chain("work order", o, events_.get(o.id, []), out)
        if o.state in ORDER_ENDED and o.closed_at is None:
            out.append(f"work order {o.id} {o.state} without closed_at")
        if arrival[o.id] and o.state != OrderState.DISPATCHED or arrival[o.id] > 1:
            out.append(f"work order {o.id} {o.state} with {arrival[o.id]} open arrival promise(s)")
    return out


def _feedback(session) -> list[str]:
    out: list[str] = []
    events_: dict[int, list] = {}
    for e in session.exec(select(FeedbackEvent).order_by(FeedbackEvent.feedback_id, FeedbackEvent.seq)).all():
        events_.setdefault(e.feedback_id, []).append(e)
    for f in session.exec(select(Feedback)).all():
        _event_chain("complaint", f, events_.get(f.id, []), out)
        if f.state in ("closed", "invalid") and f.closed_at is None:
            out.append(f"complaint {f.id} {f.state} without closed_at")
    return out


SOURCES = {"visit": Visit, "call": Call, "work_order": WorkOrder, "feedback": Feedback, "release": ReleaseRequest}
"""The records a promise can be made on (source_kind → table)."""


def _promises(session) -> list[str]:
    out = []
    for p in session.exec(select(Promise)).all():
        if (p.state == "open") != (p.closed_at is None) or p.state not in ("open", "kept", "broken", "cancelled"):
            out.append(f"promise {p.id} {p.state} with closed_at {p.closed_at}")
        table = SOURCES.get(p.source_kind)
        if table is not None and (p.source_id is None or session.get(table, p.source_id) is None):
            out.append(f"promise {p.id} made on {p.source_kind} {p.source_id}, which does not exist")
    return out


def _handovers(session) -> list[str]:
    out = []
    live = Counter()
    for h in session.exec(select(Handover)).all():
        if h.state in ("open", "presented"):
            live[h.outgoing_id] += 1
        if h.state == "presented" and (h.incoming_id is None or h.presented_at is None):
            out.append(f"handover {h.id} presented to nobody")
        if h.state == "done" and h.completed_at is None:
            out.append(f"handover {h.id} done without completed_at")
    out += [f"clerk {who} has {n} handovers open at once" for who, n in live.items() if n > 1]
    return out


def _keys(session) -> list[str]:
    out = []
    open_ = Counter((loan.key_id, loan.kind) for loan in session.exec(select(KeyLoan).where(KeyLoan.returned_at.is_(None))).all())
    for tag in session.exec(select(KeyTag)).all():
        loans, issues = open_[(tag.id, "loan")], open_[(tag.id, "issue")]
        expected = {"lent": (1, 0), "issued": (0, 1), "held": (0, 0), "missing": (0, 0)}.get(tag.state)
        if expected != (loans, issues):
            out.append(f"key {tag.label} {tag.state} with {loans} open loan(s), {issues} open issue(s)")
    return out


def _registers(session) -> list[str]:
    out = []
    for item in session.exec(select(FoundItem)).all():
        if item.state == "claimed" and (not item.claimant or item.claimed_at is None):
            out.append(f"found item {item.id} claimed by nobody")
        if item.state == "disposed" and (not item.disposed_how or item.disposed_at is None):
            out.append(f"found item {item.id} disposed of, not said how")
    for v in session.exec(select(Vacancy)).all():
        if v.state in ("confirmed", "refused") and (v.decided_by_id is None or v.decided_at is None):
            out.append(f"vacancy {v.id} {v.state} by nobody")
        if v.start > v.end:
            out.append(f"vacancy {v.id} ends {v.end} before it starts {v.start}")
    return out


def _drafts(session) -> list[str]:
    out = []
    for d in session.exec(select(Draft)).all():
        fields = json.loads(d.fields)
        out += [f"draft {d.key!r} keeps {name!r}" for name in fields if "pin" in name.lower()]
    return out


def _trails(session) -> list[str]:
    out = []
    trails: dict[tuple[str, int], list[FlowMove]] = {}
    for m in session.exec(select(FlowMove).where(FlowMove.record_kind.in_(("visit", "call"))).order_by(FlowMove.seq)).all():
        trails.setdefault((m.record_kind, m.record_id), []).append(m)
    scenarios = shipped().scenarios
    for (kind, record), moves in trails.items():
        run = FlowRun(scenarios[moves[0].scenario], lambda _fact: None)
        try:
            for m in moves:
                if m.via != "back" and run.step.id != m.step:
                    raise FlowError(f"at {run.step.id}, recorded as leaving {m.step}")
                run.apply(m.via)
                if m.via == "back" and run.step.id != m.step:
                    raise FlowError(f"back at {run.step.id}, recorded as back at {m.step}")
        except FlowError as e:
            out.append(f"{kind} {record}: its moves do not replay ({e}; move {m.seq} of {len(moves)})")
    return out


def replay_hint(mode: str, seed: int, sent: int, last: Iterator[str]) -> str:
    return (f"monkey on {mode}: seed {seed}, after {sent} keys (replay: DESKAPP_MONKEY_SEED={seed} "
            f"pytest tests/ui/test_monkey.py -k {mode}); last keys: {' '.join(last)}")


