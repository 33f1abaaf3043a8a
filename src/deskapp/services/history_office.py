"""The office a history is played in: who works when (the clerks' shifts and their handovers), the
estate's residents, the day's rhythm, and what every flow shares — promises and the ownership of
open records, handed from clerk to clerk at each shift change (一票到底).
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlmodel import SQLModel

from deskapp.i18n import Translator
from deskapp.policy import Policy
from deskapp.services.history_texts import Texts
from deskapp.services.promises import PROMISE_DUE
from deskapp.standards.slots import fill
from deskapp.store.engine import Store


class Stop(Exception):
    """The next thing in a record's life would happen after the end of the history."""


# The counter's and the hotline's hours (local), with how busy each part is: a morning and a
# late-afternoon peak, a quiet lunch hour.
COUNTER_HOURS = ((8.5, 9, 0.5), (9, 10, 1.3), (10, 11, 1.6), (11, 12, 1.2), (12, 13, 0.5), (13, 14, 0.7),
                 (14, 15, 1.0), (15, 16, 1.2), (16, 17, 1.5), (17, 18, 1.1))
PHONE_HOURS = ((8, 9, 0.8), (9, 10, 1.4), (10, 11, 1.5), (11, 12, 1.2), (12, 13, 0.6), (13, 14, 0.8), (14, 15, 1.1),
               (15, 16, 1.2), (16, 17, 1.4), (17, 18, 1.2), (18, 19, 0.7), (19, 20, 0.5))
WEEKDAY = (1.15, 1.0, 1.0, 1.0, 1.05, 0.8, 0.5)  # Monday … Sunday
OFFICE_OPEN, OFFICE_CLOSE = 9.0, 17.5  # when follow-ups (callbacks, deliveries) are done
EARLY, LATE, DAY_END = 8.0, 14.0, 20.0  # the clerks' shifts
STORMS_PER_YEAR = 3


class Weighted:
    """A choice among keys by weight, its cumulative weights worked out once."""

    def __init__(self, weights: dict) -> None:
        self.keys = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def pick(self, rng: random.Random):
        return rng.choices(self.keys, cum_weights=self.cumulative)[0]


def _hours(table) -> tuple[list[float], list[tuple[float, float]]]:
    total, cumulative, spans = 0.0, [], []
    for start, end, weight in table:
        total += weight * (end - start)
        cumulative.append(total)
        spans.append((start, end))
    return [c / total for c in cumulative], spans


_COUNTER = _hours(COUNTER_HOURS)
_PHONE = _hours(PHONE_HOURS)


@dataclass
class Resident:
    row: dict | int  # the person's id, or the row of one registered in the history
    name: str
    gender: str
    phone: str
    id_masked: str

    @property
    def title(self) -> str:
        return {"M": "先生", "F": "女士"}.get(self.gender, "")

    @property
    def called(self) -> str:
        return f"{self.name[0]}{self.title}"


@dataclass
class UnitInfo:
    id: int
    code: str
    building: str
    entrance: str
    fee_fen: int
    vacant: bool
    owner: Resident | None = None
    tenant: Resident | None = None


@dataclass
class Handover:
    row: dict
    outgoing: int
    incoming: int
    opened: datetime
    presented: datetime
    completed: datetime
    done: bool  # completed before the end of the history
    items: int = 0
    owned: int = 0

    @property
    def sync(self) -> datetime:
        """When its list was last brought up to date: at completion, or when opened."""
        return self.completed if self.done else self.opened


@dataclass
class ShiftChange:
    at: datetime  # the list's time (Handover.sync)
    by_outgoing: dict[int, Handover] = field(default_factory=dict)


@dataclass
class Opened:
    """Something a clerk now holds, until `end` (None: still open at the end of the history)."""

    kind: str
    row: dict
    column: str
    creator: int
    start: datetime
    due: Callable[[datetime], tuple[datetime | None, str]]
    label: str | Callable[[], str]
    who: str
    counts_handovers: bool = False


class Office:
    """Everything a day of the history needs to know, and the helpers every flow uses."""

    def __init__(self, store: Store, policy: Policy, writer, rng: random.Random, texts: Texts, first: date, days: int) -> None:
        self.store, self.policy, self.w, self.rng, self.texts = store, policy, writer, rng, texts
        self.tz = policy.timezone
        self.first, self.days = first, days
        self.cutoff = writer.cutoff
        self.t = Translator("zh")
        self.last_slip = 0
        self.changes: list[ShiftChange] = []
        self.change_times: list[datetime] = []
        self.pending: list[Opened] = []
        self.storms: set[int] = set()
        self._midnights: dict[int, datetime] = {}

    # -- loading ---------------------------------------------------------------------------------

    @classmethod
    def open(cls, store: Store, policy: Policy, writer, rng: random.Random, texts: Texts, first: date, days: int) -> Office:
        from deskapp.services import history_flows, history_registers

        office = cls(store, policy, writer, rng, texts, first, days)
        office._load()
        office._roster()
        office.storms = {d for d in range(days) if rng.random() < STORMS_PER_YEAR / 365}
        office.flows = history_flows.Flows(office)
        office.registers = history_registers.Registers(office)
        return office

    def _load(self) -> None:
        t = SQLModel.metadata.tables
        unit, building, person, staff = t["unit"], t["building"], t["person"], t["staff"]
        with self.store.engine.connect() as c:
            rows = c.execute(select(unit.c.id, unit.c.code, building.c.code, unit.c.entrance, unit.c.monthly_fee_fen,
                                    unit.c.vacant).join(building, building.c.id == unit.c.building_id)
                             .order_by(unit.c.id)).all()
            self.units = [UnitInfo(i, code, b, e, fee, bool(vacant)) for i, code, b, e, fee, vacant in rows]
            by_id = {u.id: u for u in self.units}
            for pid, uid, kind, name, gender, phone, masked in c.execute(
                select(person.c.id, person.c.unit_id, person.c.kind, person.c.name, person.c.gender, person.c.phone,
                       person.c.id_masked).where(person.c.active).order_by(person.c.id)
            ):
                resident = Resident(pid, name, gender or "M", phone or "", masked or "")
                setattr(by_id[uid], "owner" if kind == "owner" else "tenant", resident)
            self.staff: dict[str, list[tuple[int, str]]] = {}
            for sid, name, role in c.execute(select(staff.c.id, staff.c.name, staff.c.role)
                                             .where(staff.c.active).order_by(staff.c.code)):
                self.staff.setdefault(role, []).append((sid, name))
            self.referrals = list(c.execute(select(t["referral"].c.id, t["referral"].c.name, t["referral"].c.phone)).all())
            self.prices = {code: (category, price) for code, category, price in c.execute(
                select(t["repair_price"].c.code, t["repair_price"].c.category, t["repair_price"].c.price_fen))}
            counter = c.execute(select(t["slip_counter"].c.last_no).where(t["slip_counter"].c.name == "release")).scalar()
            self.last_slip = int(counter or 0)
        from deskapp.errors import DeskappError

        if not self.units or not self.staff.get("clerk") or not self.staff.get("supervisor"):
            raise DeskappError("history.needs_community")
        self.occupied = [u for u in self.units if u.owner is not None]
        self.empty = [u for u in self.units if u.vacant]
        self.clerks = [sid for sid, _ in self.staff["clerk"]]
        self.names = {sid: name for people in self.staff.values() for sid, name in people}
        self.supervisor = self.staff["supervisor"][0][0]
        self.director = (self.staff.get("director") or self.staff["supervisor"])[0][0]
        self.engineers = [sid for sid, _ in self.staff.get("engineering", [])] or [self.supervisor]
        self.finance = (self.staff.get("finance") or [(0, "财务")])[0][1]

    # -- time --------------------------------------------------------------------------------------

    def midnight(self, day: int) -> datetime:
        """Local midnight starting history day `day` (0 = the first), in UTC."""
        found = self._midnights.get(day)
        if found is None:
            found = self._midnights[day] = datetime.combine(self.first + timedelta(days=day), time(), self.tz).astimezone(UTC)
        return found

    def date_of(self, day: int) -> date:
        return self.first + timedelta(days=day)

    def at(self, day: int, hours: float) -> datetime:
        return self.midnight(day) + timedelta(seconds=round(hours * 3600))

    def day_of(self, at: datetime) -> int:
        return (at - self.midnight(0)).days

    def hour_of(self, at: datetime) -> float:
        return (at - self.midnight(0)).seconds / 3600

    def counter_time(self, day: int) -> datetime:
        return self._sample(day, _COUNTER)

    def phone_time(self, day: int) -> datetime:
        return self._sample(day, _PHONE)

    def _sample(self, day: int, hours) -> datetime:
        cumulative, spans = hours
        start, end = spans[bisect.bisect_left(cumulative, self.rng.random())]
        return self.at(day, start + self.rng.random() * (end - start))

    def office_time(self, at: datetime) -> datetime:
        """`at`, or the next office opening (with a little delay) when the office is closed then."""
        hour = self.hour_of(at)
        if OFFICE_OPEN <= hour < OFFICE_CLOSE:
            return at
        day = self.day_of(at) + (1 if hour >= OFFICE_CLOSE else 0)
        return self.at(day, OFFICE_OPEN + self.rng.random())

    def after(self, at: datetime, lo_minutes: float, hi_minutes: float) -> datetime:
        return at + timedelta(seconds=round(self.rng.uniform(lo_minutes, hi_minutes) * 60))

    def happen(self, at: datetime) -> datetime:
        """`at`, if it falls within the history; Stop otherwise."""
        if at >= self.cutoff:
            raise Stop
        return at

    def count(self, expected: float) -> int:
        """How many of something happen on a day where `expected` is the mean."""
        if expected <= 0:
            return 0
        if expected < 30:  # Poisson, by Knuth
            limit, k, p = math.exp(-expected), 0, 1.0
            while True:
                p *= self.rng.random()
                if p <= limit:
                    return k
                k += 1
        return max(0, round(self.rng.gauss(expected, math.sqrt(expected))))

    def busy(self, day: int) -> float:
        return WEEKDAY[self.date_of(day).weekday()]

    def fee_days(self, day: int) -> bool:
        """The last three days before the fee deadline and the first two after it: the counter fills."""
        d = self.date_of(day)
        due = int(self.policy.number("site.fee_due_day"))
        last = (date(d.year + d.month // 12, d.month % 12 + 1, 1) - timedelta(days=1)).day
        due = min(due, last)
        return due - 3 < d.day <= due or d.day <= 2

    # -- people ------------------------------------------------------------------------------------

    def _roster(self) -> None:
        """Each day an early (08:00–14:00) and a late (14:00–20:00) shift; at each change the
        outgoing clerks hand over to the incoming ones (the evening's list is acknowledged next morning)."""
        n = len(self.clerks)
        k = max(1, min(3, (n - 1) // 2))
        self.shifts = []
        for day in range(self.days + 1):  # turn by turn; a late shift is not followed by the next early one
            early = [self.clerks[(day * k + i) % n] for i in range(k)]
            late = [self.clerks[(day * k - k + i) % n] for i in range(k)]
            self.shifts.append((early, late if late != early else early))
        self.handovers_by_day: dict[int, list[Handover]] = {}
        for day in range(self.days + 1):
            early, late = self.shifts[day]
            if day > 0:  # yesterday's late shift to this morning's early shift
                _, before = self.shifts[day - 1]
                self._change(day, before, early, self.at(day - 1, DAY_END - 0.15 + self.rng.random() * 0.1),
                             self.at(day, EARLY + 0.03), self.at(day, EARLY + 0.08 + self.rng.random() * 0.1))
            if early != late and day < self.days:
                self._change(day, early, late, self.at(day, LATE - 0.15), self.at(day, LATE),
                             self.at(day, LATE + 0.08 + self.rng.random() * 0.1))
        self.changes.sort(key=lambda c: c.at)
        self.change_times = [c.at for c in self.changes]

    def _change(self, day: int, outgoing: list[int], incoming: list[int], opened: datetime, presented: datetime,
                completed: datetime) -> None:
        if opened >= self.cutoff:
            return
        done = completed < self.cutoff
        change = ShiftChange(completed if done else opened)
        for n, giver in enumerate(outgoing):
            taker = incoming[n % len(incoming)]
            if taker == giver:
                continue
            row = {"opened_at": opened, "outgoing_id": giver, "incoming_id": taker if done else None,
                   "presented_at": presented if done else None, "completed_at": completed if done else None,
                   "state": "done" if done else "open", "note": self.pick("handover", "notes") if done else ""}
            change.by_outgoing[giver] = Handover(row, giver, taker, opened, presented, completed, done)
        if change.by_outgoing:
            self.changes.append(change)
            self.handovers_by_day.setdefault(day, []).append(change)

    def on_shift(self, at: datetime) -> list[int]:
        day, hour = self.day_of(at), self.hour_of(at)
        early, late = self.shifts[min(max(day, 0), self.days)]
        return early if hour < LATE else late

    def clerk(self, at: datetime) -> int:
        return self.rng.choice(self.on_shift(at))

    def resident(self, unit: UnitInfo, tenant_share: float = 0.3) -> Resident:
        if unit.tenant is not None and self.rng.random() < tenant_share:
            return unit.tenant
        return unit.owner  # type: ignore[return-value]

    def any_unit(self) -> UnitInfo:
        return self.rng.choice(self.occupied)

    def pick(self, *path: str):
        return self.rng.choice(self.texts.list(*path))

    def phone_number(self) -> str:
        return self.rng.choice(("138", "139", "186", "135", "159")) + f"{self.rng.randint(0, 99_999_999):08d}"

    # -- promises and what clerks hold ---------------------------------------------------------------

    def promise_text(self, kind: str, **values: object) -> str:
        template = self.t(f"promise_text.{kind}")
        return " ".join(fill(template, values, self.policy.value, lambda _slot: "").split())[:400]

    def promise(self, at: datetime, kind: str, clerk: int, *, text: str, customer: str = "", phone: str = "",
                unit: UnitInfo | None = None, due: datetime | None = None, source_kind: str = "",
                source: dict | None = None, entity: str = "promise") -> dict:
        """A promise made to a customer (services.promises.make and the flows that make one)."""
        due = due or at + self.policy.duration(PROMISE_DUE[kind])
        row = self.w.add("promise", at, {
            "kind": kind, "text": text[:400], "customer": customer[:64], "phone": phone[:32],
            "unit_id": unit.id if unit else None, "owner_id": clerk, "created_by_id": clerk, "created_at": at,
            "due_at": due, "state": "open", "source_kind": source_kind, "source_id": source,
        })
        self.w.audit(at, clerk, "promise.made", entity, row if entity == "promise" else source, {"kind": kind})
        self.pending.append(Opened("promise", row, "owner_id", clerk, at, lambda _at, d=due: (d, kind), row["text"][:200],
                                   _who(unit.code if unit else "", customer), counts_handovers=True))
        return row

    def close_promise(self, row: dict, at: datetime, state: str, actor: int | None = None, *, audit: bool = True) -> bool:
        """Kept, broken or cancelled at `at`; still open (False) when that is after the end of the history."""
        if at >= self.cutoff:
            return False
        row["state"], row["closed_at"] = state, at
        if audit:
            self.w.audit(at, actor or self.clerk(at), f"promise.{state}", "promise", row)
        for n, opened in enumerate(self.pending):
            if opened.row is row:
                self.hold(self.pending.pop(n), at)
                break
        return True

    def keep(self, row: dict, at: datetime, actor: int | None = None) -> None:
        """A promise kept at `at`, or recorded broken when that is after it was due (失约)."""
        self.close_promise(row, at, "kept" if at <= row["due_at"] else "broken", actor)

    def opened(self, kind: str, row: dict, column: str, creator: int, start: datetime,
               due: Callable[[datetime], tuple[datetime | None, str]], label, who: str) -> Opened:
        held = Opened(kind, row, column, creator, start, due, label, who)
        self.pending.append(held)
        return held

    def closed(self, held: Opened, at: datetime | None) -> None:
        if held in self.pending:
            self.pending.remove(held)
            self.hold(held, at)

    def settle(self) -> None:
        """The end of a record's flow: whatever it left open is still held at the end of the history."""
        while self.pending:
            self.hold(self.pending.pop(), None)

    def hold(self, held: Opened, end: datetime | None) -> None:
        """Who holds `held` at the end: handed on at every shift change while it was open, each
        change listing it as an item and (once acknowledged) writing the ownership's audit line."""
        owner, handovers = held.creator, 0
        for change in self.changes[bisect.bisect_right(self.change_times, held.start):]:
            if end is not None and change.at >= end:
                break
            ho = change.by_outgoing.get(owner)
            if ho is None:
                continue
            due, tag = held.due(change.at)
            self._item(ho, held.kind, held.row, held.start, due, held.label, held.who, tag, owned=True)
            if not ho.done:
                break
            owner, handovers = ho.incoming, handovers + 1
        held.row[held.column] = owner
        if held.counts_handovers:
            held.row["handovers"] = handovers

    def desk_item(self, kind: str, row: dict, start: datetime, end: datetime | None, due: datetime, label: str, who: str) -> None:
        """A desk item (a missed call not returned): on every list made while it is open."""
        for change in self.changes[bisect.bisect_right(self.change_times, start):]:
            if end is not None and change.at >= end:
                break
            for ho in change.by_outgoing.values():
                self._item(ho, kind, row, start, due, label, who, "", owned=False)

    def _item(self, ho: Handover, kind: str, record: dict, start: datetime, due: datetime | None, label, who: str, tag: str,
              *, owned: bool) -> None:
        rng = self.rng
        ho.items += 1
        queried = ho.done and rng.random() < 0.02
        self.w.add("handover_item", max(ho.opened, start) + timedelta(seconds=1), {
            "handover_id": ho.row, "kind": kind, "record_id": record, "tag": tag[:32], "due_at": due, "label": label,
            "who": who, "note": self.pick("handover", "item_notes") if rng.random() < 0.1 else "",
            "state": "acknowledged" if ho.done else "pending",
            "question": self.pick("handover", "questions") if queried else "",
            "answer": self.pick("handover", "answers") if queried else "",
            "acknowledged_at": ho.presented + timedelta(seconds=rng.randint(20, 240)) if ho.done else None,
        })
        if owned and ho.done:
            ho.owned += 1
            self.w.audit(ho.completed, ho.incoming, "ownership.handed_over", kind, record,
                         {"handover": ho.row, "before": ho.outgoing, "after": ho.incoming, "note": "", "question": "",
                          "answer": ""})

    def start_handovers(self, day: int) -> None:
        """The handovers opened on `day` (the evening one is acknowledged the next morning)."""
        for change in self.handovers_by_day.get(day + 1, []) + self.handovers_by_day.get(day, []):
            for ho in change.by_outgoing.values():
                if self.day_of(ho.opened) != day:
                    continue
                self.w.add("handover", ho.opened, ho.row)
                self.w.audit(ho.opened, ho.outgoing, "handover.opened", "handover", ho.row)
                if ho.done:
                    self.w.audit(ho.presented, ho.incoming, "handover.presented", "handover", ho.row, {"outgoing": ho.outgoing})
                    self.w.audit(ho.completed, ho.incoming, "handover.completed", "handover", ho.row,
                                 lambda ho=ho: {"outgoing": ho.outgoing, "incoming": ho.incoming, "items": ho.items,
                                                "note": ho.row["note"]}, order=1)

    # -- the days ------------------------------------------------------------------------------------

    def play_day(self, day: int) -> None:
        self.start_handovers(day)
        self.registers.play(day)
        self.flows.play(day)

    def finish(self) -> None:
        self.settle()
        self.registers.finish()


def _who(*parts: str) -> str:
    return " ".join(p for p in parts if p)[:100]
