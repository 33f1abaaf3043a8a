"""The counter's flows in a history: walk-in visits, hotline calls, repair work orders, complaints
and release slips — each as the services write it (states, events, audit lines, promises), its
whole life planned when it starts and cut at the end of the history.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from deskapp.domain import feedback as fb
from deskapp.domain.fees import format_fen
from deskapp.domain.ids import stamp_text
from deskapp.services.feedback import limits as feedback_limits
from deskapp.services.history import json_text
from deskapp.services.history_office import (
    Office,
    Resident,
    Stop,
    UnitInfo,
    Weighted,
    _who,
)
from deskapp.services.history_texts import option_key
from deskapp.services.releases import STAMP_PURPOSE

# An ordinary weekday (Monday busier, Sunday half as busy): a base and so many more per unit.
# 20 000 units: ~80 visitors, ~125 calls to the hotline, ~45 repairs, a few complaints.
PER_DAY = {
    "visit": (10, 0.0035),
    "call": (16, 0.0055),
    "complaint": (0.3, 0.00008),  # taken at the counter on F6
    "letter": (0.1, 0.00003),  # a letter or an online message
    "public": (0.5, 0.0002),  # a public-area fault phoned in by a patrol
}
VISIT_PURPOSES = {"question": 0.26, "payment": 0.14, "repair": 0.19, "release": 0.12, "transfer": 0.06,
                  "renovation": 0.04, "director": 0.05}
CALL_PURPOSES = {"repair": 0.22, "inquiry": 0.48, "complaint": 0.06, "message": 0.12, "invalid": 0.04}
SATISFACTION = Weighted({5: 0.62, 4: 0.29, 3: 0.06, 2: 0.02, 1: 0.01})
HOLDS = Weighted({0: 0.88, 1: 0.1, 2: 0.02})
FEEDBACK_KINDS = Weighted({"complaint": 0.82, "suggestion": 0.12, "staff": 0.06})
REPAIR_CATEGORIES = {"plumbing": 0.38, "electrical": 0.22, "doors_windows": 0.18, "building": 0.08, "other": 0.14}
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


def _minutes(lo: float, hi: float):
    return lambda rng: timedelta(seconds=round(rng.uniform(lo, hi) * 60))


class Flows:
    def __init__(self, office: Office) -> None:
        self.o, self.w, self.rng = office, office.w, office.rng
        walker = office.texts.walker
        self.walker = walker
        sc = walker.scenarios
        self.visit_keys = {p: option_key(sc["walk_in"], "purpose", "purpose", p) for p in VISIT_PURPOSES}
        self.call_keys = {p: option_key(sc["phone"], "purpose", "purpose", p) for p in CALL_PURPOSES}
        p = office.policy
        self.arrival = p.duration("repair.arrival_minutes")
        self.review = p.duration("repair.review_minutes")
        self.repair_callback = p.duration("repair.callback_hours")
        self.wait_handoff = p.duration("reception.wait_handoff_minutes")
        self.to_supervisor = p.duration("reception.question_supervisor_minutes")
        self.to_director = p.duration("reception.question_director_minutes")
        self.fb_limits = feedback_limits(p)
        self.director_months = int(p.number("release.director_notice_months"))
        self.receipts = 0
        self.categories = Weighted({c: REPAIR_CATEGORIES.get(c, 0.05) for c in office.texts.list("repair") if c != "texts"})
        self.purposes = Weighted(VISIT_PURPOSES)
        self.purposes_fee_days = Weighted({**VISIT_PURPOSES, "payment": VISIT_PURPOSES["payment"] * 3})
        self.call_purposes = Weighted(CALL_PURPOSES)

    # -- the day ---------------------------------------------------------------------------------------

    def play(self, day: int) -> None:
        o, units = self.o, len(self.o.units)
        busy = o.busy(day)
        storm = day in o.storms

        def expected(kind: str) -> float:
            base, per_unit = PER_DAY[kind]
            return base + per_unit * units

        happenings: list[tuple[datetime, str]] = []
        happenings += [(o.counter_time(day), "visit") for _ in range(o.count(expected("visit") * busy))]
        happenings += [(o.phone_time(day), "call") for _ in range(o.count(expected("call") * busy * (1.8 if storm else 1)))]
        happenings += [(o.counter_time(day), "complaint") for _ in range(o.count(expected("complaint") * busy))]
        happenings += [(o.at(day, 9 + self.rng.random() * 8), "letter") for _ in range(o.count(expected("letter")))]
        happenings += [(o.phone_time(day), "public") for _ in range(o.count(expected("public") * (4 if storm else 1)))]
        fee_days = o.fee_days(day)
        for at, kind in sorted(happenings):
            try:
                if kind == "visit":
                    self.visit(at, fee_days)
                elif kind == "call":
                    self.call(at)
                elif kind == "complaint":
                    unit = o.any_unit()
                    self.feedback(at, o.clerk(at), "counter", unit, o.resident(unit), "", None)
                elif kind == "letter":
                    unit = o.any_unit()
                    self.feedback(at, o.clerk(at), self.rng.choice(("letter", "online")), unit, o.resident(unit), "", None)
                else:  # a public-area fault reported by a patrol or a resident
                    unit = o.any_unit()
                    self.work_order(at, o.clerk(at), unit, o.resident(unit), "phone", "", None, area="public")
            except Stop:
                pass
            o.settle()

    # -- walk-in visits --------------------------------------------------------------------------------

    def visit(self, at: datetime, fee_days: bool) -> None:
        o, w, rng = self.o, self.w, self.rng
        purpose = (self.purposes_fee_days if fee_days else self.purposes).pick(rng)
        unit = o.any_unit()
        person = o.resident(unit)
        resident_unit = purpose != "question" or rng.random() < 0.85
        clerk = o.clerk(at)
        values = {"surname": person.name[0], "title": person.title, "unit": unit.code if resident_unit else ""}
        visit = w.add("visit", at, {
            "arrived_at": at, "unit_id": unit.id if resident_unit else None, "surname": person.name[0], "title": person.title,
            "phone": person.phone if rng.random() < 0.5 else "", "purpose": "", "urgent": rng.random() < 0.03,
            "state": "waiting", "registered_by_id": clerk, "slot_values": json_text(values),
        })
        w.audit(at, clerk, "visit.arrived", "visit", visit)
        peak = 1.6 if 9.5 <= o.hour_of(at) < 11 or 16 <= o.hour_of(at) < 17.5 else 1.0
        wait = timedelta(seconds=round(rng.expovariate(1 / (50 * peak))))
        if rng.random() < 0.015:  # gave up waiting
            left = o.happen(at + timedelta(minutes=rng.uniform(4, 15)))
            visit.update(state="left", ended_at=left, outcome="left")
            w.audit(left, clerk, "visit.left", "visit", visit)
            return
        served_by = clerk
        if wait >= self.wait_handoff or (visit["urgent"] and rng.random() < 0.5):  # 标准2: hand B to a colleague
            handed = o.happen(at + min(wait, self.wait_handoff))
            others = [c for c in o.on_shift(handed) if c != clerk] or [o.supervisor]
            served_by = rng.choice(others)
            w.add("escalation", handed, {"visit_id": visit, "at": handed, "level": "colleague", "from_id": clerk,
                                         "to_id": served_by, "reason": "std2"})
            visit.update(state="serving", served_by_id=served_by, service_started_at=handed)
            w.audit(handed, clerk, "visit.escalated", "visit", visit, {"level": "colleague", "to": served_by})
            start = handed
        else:
            start = o.happen(at + wait)
        visit.update(state="serving", served_by_id=served_by, service_started_at=start, scenario="walk_in")
        w.audit(start, served_by, "visit.served", "visit", visit)
        walk = self.walker.walk(rng, "walk_in", force={"purpose": self.visit_keys[purpose]})
        visit["purpose"] = walk.sets.get("purpose", purpose)
        values.update(walk.sets)
        visit["slot_values"] = json_text(values)
        t = start
        for seq, (step, via) in enumerate(walk.moves, start=1):
            t += timedelta(seconds=rng.randint(15, 75))
            if step in ("question_intro", "question_supervisor") and via.endswith(":n"):  # unresolved: up a level
                t += self.to_supervisor if step == "question_intro" else self.to_director
            o.happen(t)
            w.add("flow_move", t, {"record_kind": "visit", "record_id": visit, "seq": seq, "at": t, "scenario": "walk_in",
                                   "step": step, "via": via, "actor_id": served_by})
            self._visit_step(t, step, via, visit, unit, person, served_by, walk.sets)
        end = o.happen(t + timedelta(seconds=rng.randint(10, 40)))
        last = self.walker.step("walk_in", walk.last)
        outcome = last.outcome or ("handed_off" if last.handoff else "done")
        rated = rng.random() < 0.7
        visit.update(state="done", ended_at=end, outcome=outcome,
                     satisfaction=SATISFACTION.pick(rng) if rated else None)
        w.audit(end, served_by, "visit.done", "visit", visit, {"outcome": outcome})
        if last.handoff == "repair":
            self.work_order(o.after(end, 0.3, 1.5), served_by, unit, person, "counter", "visit", visit)
        elif last.handoff == "release":
            self.release(o.after(end, 0.3, 1.5), served_by, unit, "visit", visit)

    def _visit_step(self, t: datetime, step: str, via: str, visit: dict, unit: UnitInfo, person: Resident, clerk: int,
                    sets: dict) -> None:
        """What leaving `step` (or entering the next) records: visit_actions and its promises."""
        o, w = self.o, self.w
        if step == "transfer_forms":
            self.o.registers.new_resident(t, clerk, unit, sets.get("resident_kind", "tenant"), visit)
        elif step in ("reno_in_pay_finance", "reno_in_pay_clerk"):  # entering reno_in_done opens the renovation
            self.o.registers.renovation(t, clerk, unit, person, visit)
        elif step == "reno_out_done":
            p = o.promise(t, "renovation_approval", clerk, text=o.promise_text(
                "renovation_approval", unit=unit.code, surname=person.name[0], title=person.title),
                customer=person.called, phone=person.phone, unit=unit, source_kind="visit", source=visit)
            o.keep(p, o.office_time(o.after(t, 120, 1200)))
        elif step == "pay_clerk":
            self._take_payment(t, clerk, unit, person, visit)
        elif step == "director_message":
            p = o.promise(t, "director_message", clerk, text=o.promise_text(
                "director_message", surname=person.name[0], title=person.title, phone=person.phone,
                message=o.pick("calls", "director")), customer=person.called, phone=person.phone, unit=unit,
                source_kind="visit", source=visit)
            o.keep(p, o.office_time(o.after(t, 60, 1300)))
        elif step in ("question_intro", "question_supervisor") and via.endswith(":n"):
            level = "supervisor" if step == "question_intro" else "director"
            to = o.supervisor if level == "supervisor" else o.director
            w.add("escalation", t, {"visit_id": visit, "at": t, "level": level, "from_id": clerk, "to_id": to, "reason": ""})
            visit["served_by_id"] = to
            w.audit(t, clerk, "visit.escalated", "visit", visit, {"level": level, "to": to})

    def _take_payment(self, t: datetime, clerk: int, unit: UnitInfo, person: Resident, visit: dict) -> None:
        """Finance away: the clerk takes the money, gives a receipt and promises the invoice (代行收取)."""
        o, w, rng = self.o, self.w, self.rng
        self.receipts += 1
        receipt = f"SJ{o.first:%y}{self.receipts:06d}"
        amount = unit.fee_fen * rng.choice((1, 1, 1, 2, 3, 6))
        payment = w.add("fee_payment", t, {"unit_id": unit.id, "amount_fen": amount, "paid_at": t, "receipt_no": receipt,
                                           "taken_by_id": clerk, "holder_id": clerk})
        w.audit(t, clerk, "fee.taken_for_finance", "fee_payment", payment,
                {"visit": visit, "amount_fen": amount, "receipt_no": receipt})
        p = o.promise(t, "invoice_delivery", clerk, text=o.promise_text(
            "invoice_delivery", unit=unit.code, surname=person.name[0], title=person.title, amount=format_fen(amount),
            receipt_no=receipt), customer=person.called, phone=person.phone, unit=unit, source_kind="visit", source=visit)
        held = o.opened("payment", payment, "holder_id", clerk, t, lambda _at: (None, ""),
                        f"¥{format_fen(amount)} {receipt}", unit.code)
        handed = o.office_time(o.after(t, 40, 1100))
        if handed >= o.cutoff:
            return
        o.closed(held, handed)
        payment.update(handed_at=handed, handed_to=o.finance, holder_id=None)
        w.audit(handed, o.clerk(handed), "fee.handed_to_finance", "fee_payment", payment, {"amount_fen": amount, "to": o.finance})
        o.keep(p, o.office_time(o.after(handed, 30, 300)))

    # -- the hotline -----------------------------------------------------------------------------------

    def call(self, at: datetime) -> None:
        o, w, rng = self.o, self.w, self.rng
        known = rng.random() < 0.78
        unit = o.any_unit() if known else None
        person = o.resident(unit) if unit else None
        number = person.phone if person and person.phone else o.phone_number()
        call = w.add("call", at, {"direction": "in", "number": number, "unit_id": unit.id if person else None,
                                  "person_id": person.row if person else None, "rang_at": at, "state": "ringing",
                                  "slot_values": "{}"})
        w.audit(at, None, "call.rang", "call", call, {"number": number})
        if rng.random() < 0.04:
            self._missed(at, call, number, unit, person)
            return
        ring = rng.uniform(2, 9) if rng.random() < 0.92 else rng.uniform(10, 28)
        answered = o.happen(at + timedelta(seconds=round(ring)))
        clerk = o.clerk(answered)
        call.update(state="talking", answered_at=answered, answered_by_id=clerk)
        w.audit(answered, clerk, "call.answered", "call", call)
        purpose = self.call_purposes.pick(rng)
        if person is None and purpose in ("repair", "complaint"):
            purpose = "inquiry"
        walk = self.walker.walk(rng, "phone", force={"purpose": self.call_keys[purpose]})
        holds = HOLDS.pick(rng)
        hold_at = set(rng.sample(range(len(walk.moves)), min(holds, len(walk.moves))))
        t = answered
        values = {"purpose": purpose}
        if person is not None:
            values.update(surname=person.name[0], title=person.title, unit=unit.code, phone=number)
        for seq, (step, via) in enumerate(walk.moves, start=1):
            t += timedelta(seconds=rng.randint(8, 35))
            o.happen(t)
            if seq - 1 in hold_at:
                held = rng.randint(3, 6) if rng.random() < 0.8 else rng.randint(8, 20)
                w.audit(t, clerk, "call.held", "call", call)
                call.update(holds=call.get("holds", 0) + 1)
                t = o.happen(t + timedelta(seconds=held))
                call["held_seconds"] = (call.get("held_seconds") or 0) + held
                call["longest_hold_seconds"] = max(call.get("longest_hold_seconds") or 0, held)
                w.audit(t, clerk, "call.resumed", "call", call)
            w.add("flow_move", t, {"record_kind": "call", "record_id": call, "seq": seq, "at": t, "scenario": "phone",
                                   "step": step, "via": via, "actor_id": clerk})
            self._call_step(t, step, call, unit, person, number, clerk)
        end = o.happen(t + timedelta(seconds=rng.randint(5, 25)))
        outcome = walk.sets.get("purpose") or self.walker.step("phone", walk.last).outcome or "done"
        call.update(state="ended", ended_at=end, outcome=outcome, slot_values=json_text(values))
        w.audit(end, clerk, "call.ended", "call", call, {"outcome": outcome})
        last = self.walker.step("phone", walk.last)
        if last.handoff == "repair" and person is not None:
            self.work_order(o.after(end, 0.2, 1), clerk, unit, person, "phone", "call", call)
        elif last.handoff == "complaint" and person is not None:
            self.feedback(o.after(end, 0.2, 1), clerk, "phone", unit, person, "call", call)

    def _call_step(self, t: datetime, step: str, call: dict, unit: UnitInfo | None, person: Resident | None, number: str,
                   clerk: int) -> None:
        o, rng = self.o, self.rng
        surname, title = (person.name[0], person.title) if person else ("", "")
        customer = person.called if person else ""
        if step == "referral_repeat":
            _, name, phone = rng.choice(o.referrals)
            p = o.promise(t, "referral_number", clerk, text=o.promise_text(
                "referral_number", surname=surname, title=title, referral_name=name, referral_phone=phone),
                customer=customer, phone=number, unit=unit, source_kind="call", source=call)
            o.keep(p, o.office_time(o.after(t, 20, 240)))
        elif step == "inquiry_callback":
            p = o.promise(t, "callback", clerk, text=o.promise_text("callback", surname=surname, title=title, phone=number),
                          customer=customer, phone=number, unit=unit, source_kind="call", source=call)
            self.callback_call(o.office_time(o.after(t, 60, 1500)), number, unit, person, promise=p)
        elif step == "message_repeat":
            p = o.promise(t, "message", clerk, text=o.promise_text(
                "message", surname=surname, title=title, phone=number, message=o.pick("calls", "messages")),
                customer=customer, phone=number, unit=unit, source_kind="call", source=call)
            o.keep(p, o.office_time(o.after(t, 30, 600)))

    def _missed(self, at: datetime, call: dict, number: str, unit: UnitInfo | None, person: Resident | None) -> None:
        o, w = self.o, self.w
        ended = o.happen(at + timedelta(seconds=self.rng.randint(25, 45)))
        call.update(state="missed", ended_at=ended)
        w.audit(ended, o.clerk(ended), "call.missed", "call", call)
        back = o.office_time(o.after(ended, 5, 150))
        o.desk_item("missed", call, ended, back if back < o.cutoff else None, at, number, unit.code if unit else "")
        returned = self.callback_call(back, number, unit, person)
        if returned is not None:
            w.later("call", call, "returned_by_call_id", returned)

    def callback_call(self, at: datetime, number: str, unit: UnitInfo | None, person: Resident | None,
                      promise: dict | None = None) -> dict | None:
        """A clerk rings back (services.calls.start_callback): an outgoing call, talking at once; its
        end keeps the callback promise. None when that is after the end of the history."""
        o, w = self.o, self.w
        end = at + timedelta(seconds=self.rng.randint(50, 240))
        if end >= o.cutoff:
            return None
        clerk = o.clerk(at)
        call = w.add("call", at, {"direction": "out", "number": number, "unit_id": unit.id if person else None,
                                  "person_id": person.row if person else None, "rang_at": at, "state": "ended",
                                  "answered_at": at, "answered_by_id": clerk, "ended_at": end, "outcome": "done",
                                  "promise_id": promise, "slot_values": "{}"})
        w.audit(at, clerk, "call.callback", "call", call)
        w.audit(end, clerk, "call.ended", "call", call, {"outcome": "done"})
        if promise is not None:
            o.close_promise(promise, end, "kept", audit=False)
        return call

    # -- repairs ---------------------------------------------------------------------------------------

    def work_order(self, at: datetime, clerk: int, unit: UnitInfo, person: Resident, channel: str, source_kind: str,
                   source: dict | None, area: str | None = None) -> None:
        o, w, rng = self.o, self.w, self.rng
        o.happen(at)
        area = area or ("household" if rng.random() < 0.85 else "public")
        if area == "household":
            category = self.categories.pick(rng)
            item, place = o.pick("repair", category, "items"), ""
        else:
            category = ""
            place = o.pick("public", "places").format(building=unit.building, entrance=unit.entrance, zone=o.pick("public", "zones"))
            item = o.pick("public", "items")
        order = w.add("work_order", at, {
            "received_at": at, "received_by_id": clerk, "owner_id": clerk, "channel": channel, "source_kind": source_kind,
            "source_id": source, "area": area, "unit_id": unit.id if area == "household" else None, "place": place,
            "category": category, "item": item, "customer": person.called, "phone": person.phone, "state": "received",
        })
        life = _Life(self, order)
        life.event(at, clerk, "receive", "received", {"area": area, "channel": channel})
        start = "intake" if channel == "counter" else "phone_intake"
        walk = self.walker.walk(rng, "repair", start, force={start: "1" if area == "household" else "2",
                                                           "engineering_call": channel})
        held = o.opened("work_order", order, "owner_id", clerk, at, life.due,
                        lambda: f"WX{order['id']:06d} {item}", _who(unit.code if area == "household" else place, person.called))
        try:
            t = at
            for seq, (step, via) in enumerate(walk.moves, start=1):
                t = o.happen(t + timedelta(seconds=rng.randint(10, 40)))
                w.add("flow_move", t, {"record_kind": "work_order", "record_id": order, "seq": seq, "at": t,
                                       "scenario": "repair", "step": step, "via": via, "actor_id": clerk})
            if "referral" in walk.seen:
                ref_id, name, phone = rng.choice(o.referrals)
                order.update(referral_id=ref_id, closed_at=t)
                life.event(t, clerk, "refer", "referred", {"referral": name, "phone": phone})
                o.closed(held, t)
                return
            self._repair_rounds(life, t, unit, area, category, item, person)
        except Stop:
            pass
        o.closed(held, order["closed_at"])

    def _repair_rounds(self, life: _Life, t: datetime, unit: UnitInfo, area: str, category: str, item: str,
                       person: Resident) -> None:
        o, rng, order = self.o, self.rng, life.order
        for round_ in range(2):
            clerk = o.clerk(t)
            if rng.random() < 0.55 or round_:  # as soon as possible, or an appointment
                appointment = o.after(t, 0, 20)
            else:
                appointment = o.office_time(o.after(t, 120, 1500)).replace(second=0, microsecond=0)
            promised = max(appointment, t) + self.arrival
            order.update(appointment_at=appointment, promised_at=promised, dispatched_at=t)
            life.event(t, clerk, "dispatch", "dispatched", {"appointment": appointment, "promised": promised},
                       due=(promised, "arrival"))
            text = o.promise_text("repair_arrival", minutes=int(self.arrival.total_seconds() // 60),
                                  unit=unit.code if area == "household" else order["place"], item=item)
            promise = o.promise(t, "repair_arrival", clerk, text=text, customer=person.called, phone=person.phone,
                                unit=unit if area == "household" else None, due=promised, source_kind="work_order",
                                source=order, entity="work_order")
            if rng.random() < 0.04:  # the visit cannot be made on time: a new appointment (重约)
                when = o.happen(o.office_time(o.after(t, 20, 240)))
                o.close_promise(promise, when, "broken" if when > promised else "cancelled")
                previous = appointment
                appointment = o.office_time(o.after(when, 900, 1500)).replace(second=0, microsecond=0)
                promised = appointment + self.arrival
                order.update(appointment_at=appointment, promised_at=promised, reschedules=order["reschedules"] + 1)
                life.event(when, clerk, "reschedule", "dispatched",
                           {"previous": previous, "appointment": appointment, "reason": o.pick("repair", "texts", "reschedule")},
                           due=(promised, "arrival"))
                promise = o.promise(when, "repair_reschedule", clerk, text=o.promise_text(
                    "repair_reschedule", new_time=appointment.astimezone(o.tz).strftime("%m-%d %H:%M"),
                    unit=unit.code if area == "household" else order["place"], item=item), customer=person.called,
                    phone=person.phone, unit=unit if area == "household" else None, due=promised,
                    source_kind="work_order", source=order, entity="work_order")
                t = when
            late = rng.random() < 0.1
            stall = rng.random() < 0.005  # nobody noticed: days late
            if stall:
                arrived = promised + timedelta(hours=rng.uniform(24, 96))
            elif late:
                arrived = promised + timedelta(minutes=rng.uniform(1, 50))
            else:
                arrived = max(t + timedelta(minutes=2), promised - timedelta(minutes=rng.uniform(0, 14)))
            recorded = o.happen(arrived + timedelta(seconds=rng.randint(10, 300)))
            o.happen(arrived)
            clerk = o.clerk(recorded)
            order.update(arrived_at=arrived, arrived_late=arrived > promised)
            o.close_promise(promise, recorded, "broken" if arrived > promised else "kept", clerk)
            life.event(recorded, clerk, "arrive", "on_site", {"at": arrived, "late": arrived > promised})
            t = arrived
            if rng.random() < 0.08:  # the team leader's review (评审)
                began = o.happen(t + timedelta(minutes=rng.uniform(10, 30)))
                order.update(review_started_at=began, review_ended_at=None)
                life.event(began, o.clerk(began), "review", "review", {"note": o.pick("repair", "texts", "review")},
                           due=(began + self.review, "review"))
                back = o.happen(began + timedelta(minutes=rng.uniform(8, 28) if rng.random() < 0.85 else rng.uniform(31, 70)))
                late_review = back > began + self.review
                order.update(review_ended_at=back, review_late=order["review_late"] or late_review)
                life.event(back, o.clerk(back), "resume", "on_site", {"late": late_review, "note": ""})
                t = back
            done = o.happen(t + timedelta(minutes=rng.uniform(15, 110)))
            self._finish(life, done, area, category)
            signed = o.happen(done + timedelta(minutes=rng.uniform(1, 8)))
            satisfaction = SATISFACTION.pick(rng)
            signer = person.name if area == "household" else o.names[o.clerk(signed)]
            to = "signed" if area == "household" else "closed"
            order.update(signed_at=signed, signed_by=signer, satisfaction=satisfaction)
            if to == "closed":
                order["closed_at"] = signed
            life.event(signed, o.clerk(signed), "sign", to, {"signed_by": signer, "satisfaction": satisfaction},
                       due=(signed + self.repair_callback, "callback") if to == "signed" else (None, ""))
            if to == "closed":
                return
            hours = rng.uniform(1, 22) if rng.random() < 0.95 else rng.uniform(25, 40)
            called = o.happen(o.office_time(signed + timedelta(hours=hours)))
            ok = round_ == 1 or rng.random() < 0.95
            result = o.pick("repair", "texts", "callback_ok" if ok else "callback_failed")
            order.update(callback_at=called, callback_result=result)
            if ok:
                order["closed_at"] = called
                life.event(called, o.clerk(called), "callback_ok", "closed", {"result": result})
                return
            order["reopened"] += 1
            for stage in ("appointment_at", "promised_at", "dispatched_at", "arrived_at", "review_started_at",
                          "review_ended_at", "done_at", "signed_at"):
                order[stage] = None
            order.update(arrived_late=False, review_late=False, signed_by="", satisfaction=None)
            life.event(called, o.clerk(called), "callback_failed", "received", {"result": result})
            t = o.happen(o.office_time(o.after(called, 20, 180)))

    def _finish(self, life: _Life, done: datetime, area: str, category: str) -> None:
        """Repaired: parts, labour from the price list, the total and its receipt (public repairs are free)."""
        o, w, rng, order = self.o, self.w, self.rng, life.order
        parts = []
        labour = 0
        if area == "household" and rng.random() < 0.85:
            code = rng.choice(o.texts.list("repair", category, "prices"))
            labour = o.prices.get(code, ("", 2000))[1]
            for name, spec, price in rng.sample(o.texts.list("repair", category, "parts"), rng.choice((0, 1, 1, 2))):
                quantity = rng.choice((100, 100, 100, 200, 150))
                cost = (quantity * price + 50) // 100
                parts.append(cost)
                w.add("work_order_part", done, {"order_id": order, "name": name, "spec": spec, "quantity_centi": quantity,
                                                "unit_price_fen": price, "cost_fen": cost})
        total = labour + sum(parts)
        receipt = ""
        if total:
            self.receipts += 1
            receipt = f"WX{o.first:%y}{self.receipts:06d}"
        order.update(labour_fen=order["labour_fen"] + labour, total_fen=order["total_fen"] + total,
                     receipt_no=receipt or order["receipt_no"], done_at=done)
        life.event(done, o.clerk(done), "finish", "done", {"parts": len(parts), "labour": labour, "total": total, "receipt": receipt})

    # -- complaints and feedback -------------------------------------------------------------------------

    def feedback(self, at: datetime, clerk: int, channel: str, unit: UnitInfo, person: Resident, source_kind: str,
                 source: dict | None) -> None:
        o, w, rng = self.o, self.w, self.rng
        o.happen(at)
        walk = self.walker.walk(rng, "complaint")
        valid = "invalid" not in walk.seen
        kind = FEEDBACK_KINDS.pick(rng) if channel != "phone" else "complaint"
        category = walk.sets.get("complaint_category", "other")
        severity = walk.sets.get("severity", "general")
        what, wants = o.pick("feedback", category if kind == "complaint" else kind)
        record = w.add("feedback", at, {
            "received_at": at, "received_by_id": clerk, "owner_id": clerk, "channel": channel, "source_kind": source_kind,
            "source_id": source, "kind": "complaint", "unit_id": unit.id, "customer": person.called, "phone": person.phone,
            "what": what, "wants": wants, "state": "",
        })
        life = _FeedbackLife(self, record)
        life.event(at, clerk, "receive", "received", {"channel": channel})
        held = o.opened("complaint", record, "owner_id", clerk, at, life.due, lambda: f"TS{record['id']:06d} {what}",
                        _who(unit.code, person.called))
        try:
            t = at
            for seq, (step, via) in enumerate(walk.moves, start=1):
                t = o.happen(t + timedelta(seconds=rng.randint(20, 90)))
                w.add("flow_move", t, {"record_kind": "feedback", "record_id": record, "seq": seq, "at": t,
                                       "scenario": "complaint", "step": step, "via": via, "actor_id": clerk})
                if step in ("propose_general", "propose_major"):
                    limit = self.fb_limits.reply_major if severity == "major" else self.fb_limits.reply_general
                    life.promise = o.promise(t, "complaint_reply", clerk, text=o.promise_text(
                        "complaint_reply", surname=person.name[0], title=person.title, phone=person.phone),
                        customer=person.called, phone=person.phone, unit=unit, due=t + limit, source_kind="feedback",
                        source=record)
            if not valid:
                record.update(invalid_reason=o.pick("feedback", "invalid"), closed_at=t)
                life.event(t, clerk, "judge_invalid", "invalid", {"reason": record["invalid_reason"]})
                o.closed(held, t)
                return
            department, handler = o.pick("feedback", "departments"), o.pick("feedback", "handlers")
            record.update(kind=kind, category=category, severity=severity, department=department, handler=handler, accepted_at=t)
            life.event(t, clerk, "judge_valid", "open", {"kind": kind, "category": category, "severity": severity,
                                                        "department": department, "handler": handler})
            self._feedback_rounds(life, t)
        except Stop:
            pass
        o.closed(held, record["closed_at"])

    def _feedback_rounds(self, life: _FeedbackLife, accepted: datetime) -> None:
        o, rng, record = self.o, self.rng, life.record
        for round_ in range(2):
            if rng.random() < 0.1:
                escalated = o.happen(accepted + timedelta(minutes=rng.uniform(20, 115)))
                record.update(escalated_at=escalated, escalated_to=o.pick("feedback", "escalate_to"))
                life.event(escalated, o.clerk(escalated), "escalate", "open",
                           {"escalated_to": record["escalated_to"], "reason": o.pick("feedback", "escalate_reason")})
            hours = rng.uniform(1.5, 20) if rng.random() < 0.9 else rng.uniform(25, 40)
            replied = o.happen(accepted + timedelta(hours=hours))
            record.update(handler_replied_at=replied, handler_reply=o.pick("feedback", "handler_reply"))
            life.event(replied, o.clerk(replied), "handler_reply", "handler_replied", {"text": record["handler_reply"]})
            answered = o.happen(o.office_time(replied + timedelta(minutes=rng.uniform(15, 180))))
            record.update(answered_at=answered, answer=o.pick("feedback", "answer"))
            life.event(answered, o.clerk(answered), "answer", "answered", {"text": record["answer"]})
            if life.promise is not None and life.promise.get("state") == "open":
                o.keep(life.promise, answered)
            called = o.happen(o.office_time(answered + timedelta(hours=rng.uniform(3, 40))))
            ok = round_ == 1 or rng.random() < 0.92
            result = o.pick("feedback", "callback_ok" if ok else "callback_failed")
            record.update(callback_result=result, callback_at=called)
            if ok:
                record["closed_at"] = called
                life.event(called, o.clerk(called), "callback_ok", "closed", {"result": result})
                return
            record.update(reopened=record["reopened"] + 1, accepted_at=called, escalated_at=None, handler_replied_at=None,
                          answered_at=None, escalated_to="")
            life.event(called, o.clerk(called), "callback_failed", "open", {"result": result})
            accepted = called

    # -- release slips ---------------------------------------------------------------------------------

    def release(self, at: datetime, clerk: int, unit: UnitInfo, source_kind: str, source: dict) -> None:
        o, w, rng = self.o, self.w, self.rng
        o.happen(at)
        force = {} if unit.tenant is not None or rng.random() < 0.2 else {"id_stamp": "owner"}
        walk = self.walker.walk(rng, "release", force=force)
        kind = walk.facts.get("id_stamp", "owner")
        if kind == "tenant" and unit.tenant is None:
            o.registers.new_resident(at, clerk, unit, "tenant", None, audit="resident.tenant_registered")
        person = unit.tenant if kind == "tenant" else unit.owner
        request = w.add("release_request", at, {
            "created_at": at, "created_by_id": clerk, "source_kind": source_kind, "source_id": source, "unit_id": unit.id,
            "person_id": person.row, "applicant_kind": kind, "applicant_name": person.name, "outcome": "open",
        })
        w.audit(at, clerk, "release.start", "release", request, {"kind": kind})
        arrears = walk.facts.get("owner_sign") or walk.facts.get("tenant_fees") or "none"
        months = {"none": 0, "some": rng.randint(1, 2), "over_limit": rng.randint(self.director_months, 8)}[arrears]
        t = at
        for seq, (step, via) in enumerate(walk.moves, start=1):
            t = o.happen(t + timedelta(seconds=rng.randint(20, 80)))
            w.add("flow_move", t, {"record_kind": "release", "record_id": request, "seq": seq, "at": t,
                                   "scenario": "release", "step": step, "via": via, "actor_id": clerk})
            self._release_step(t, step, via, request, unit, person, clerk, months, walk.sets)

    def _release_step(self, t: datetime, step: str, via: str, request: dict, unit: UnitInfo, person: Resident, clerk: int,
                      months: int, sets: dict) -> None:
        o, w, rng = self.o, self.w, self.rng
        if step == "id_copy":
            request.update(id_type=("resident_id" if not person.id_masked.startswith("E") else "passport"),
                           id_masked=person.id_masked or f"4403**********{rng.randint(0, 9999):04d}",
                           stamp_text=stamp_text(STAMP_PURPOSE))
            w.audit(t, clerk, "release.id_checked", "release", request, {"id_type": request["id_type"]})
            request.update(arrears_months=months, arrears_fen=months * unit.fee_fen)
            w.audit(t, clerk, "release.fee_check", "release", request, {"months": months, "fen": months * unit.fee_fen})
        elif step in ("owner_items", "tenant_items"):
            goods = rng.sample(o.texts.list("release", "goods"), rng.randint(1, 4))
            items = [[g, rng.choice((1, 1, 1, 2, 3, 10)) if g == "纸箱" else rng.choice((1, 1, 2))] for g in goods]
            plate = "粤" + rng.choice("BBBBAEL") + "".join(rng.choice(PLATE_LETTERS) for _ in range(4)) + rng.choice("0123456789")
            request.update(items=json_text(items), plate=plate, driver_name=o.pick("release", "drivers"),
                           driver_id_masked=f"4403**********{rng.randint(0, 9999):04d}")
            w.audit(t, clerk, "release.goods", "release", request, {"count": len(items)})
        elif step in ("owner_sign", "tenant_sign"):
            request["signed_at"] = t
            w.audit(t, clerk, "release.signed", "release", request)
        elif step == "owner_remind_director":
            request["director_notified"] = True
            w.audit(t, clerk, "release.director_notified", "release", request, {"months": months, "fen": request["arrears_fen"]})
            p = o.promise(t, "arrears_follow_up", clerk, text=o.promise_text(
                "arrears_follow_up", unit=unit.code, months=months, amount=format_fen(request["arrears_fen"])),
                customer=person.name, unit=unit, source_kind="release", source=request, entity="")
            o.keep(p, o.office_time(o.after(t, 120, 1400)))
        elif step in ("owner_tear", "tenant_tear"):
            self._issue(t, request, clerk, hurry=sets.get("hurry") == "yes" and months == 0)
        elif step == "tenant_fees" and via == "fact:some":
            request["outcome"] = "refused"
            w.audit(t, clerk, "release.refused_arrears", "release", request, {"months": months})
        elif step == "owner_answer":
            answer = sets.get("owner_answer", "agrees")
            request.update(owner_answer=answer, owner_answer_at=t)
            if answer == "refuses":
                request["outcome"] = "refused"
            elif answer == "unreachable":
                request["outcome"] = "pending"
                owner = unit.owner
                p = o.promise(t, "callback", clerk, text=o.promise_text("callback", surname=owner.name[0], title=owner.title,
                                                                         phone=owner.phone),
                              customer=person.name, unit=unit, source_kind="release", source=request, entity="")
                self.callback_call(o.office_time(o.after(t, 60, 600)), owner.phone, unit, owner, promise=p)
            w.audit(t, clerk, f"release.owner_{answer}", "release", request)

    def _issue(self, t: datetime, request: dict, clerk: int, hurry: bool) -> None:
        o, w, rng = self.o, self.w, self.rng
        o.last_slip += 1
        request.update(slip_no=o.last_slip, outcome="issued", issued_at=t, hurry=hurry)
        w.audit(t, clerk, "release.issued", "release", request, {"slip": o.last_slip})
        if hurry:
            w.audit(t, clerk, "release.lobby_notified", "release", request, {"slip": o.last_slip})
        if rng.random() < 0.01:
            voided = t + timedelta(minutes=rng.uniform(5, 50))
            if voided < o.cutoff:
                reason = o.pick("release", "void")
                request.update(voided_at=voided, voided_by_id=o.supervisor, void_reason=reason)
                w.audit(voided, o.supervisor, "release.voided", "release", request, {"slip": o.last_slip, "reason": reason})
                return
        if rng.random() < 0.96:
            checked = t + timedelta(minutes=rng.uniform(8, 120))
            if checked < o.cutoff:
                guard = o.pick("release", "guards")
                request.update(checked_at=checked, checked_by=guard)
                w.audit(checked, None, "release.checked", "release", request, {"slip": o.last_slip, "guard": guard, "status": "valid"})


class _Life:
    """A work order's events (services.work_orders._event): seq, state, audit line; and its running limit."""

    def __init__(self, flows: Flows, order: dict) -> None:
        self.flows, self.order = flows, order
        self.seq = 0
        self.marks: list[tuple[datetime, datetime | None, str]] = []

    def event(self, at: datetime, actor: int, action: str, to: str, detail: dict,
              due: tuple[datetime | None, str] = (None, "")) -> None:
        self.seq += 1
        w = self.flows.w
        w.add("work_order_event", at, {
            "order_id": self.order, "seq": self.seq, "at": at, "actor_id": actor, "action": action,
            "from_state": self.order["state"] if self.seq > 1 else "", "to_state": to,
            "detail": json_text(detail),
        })
        w.audit(at, actor, f"work_order.{action}", "work_order", self.order, {} if action == "receive" else {"to": to})
        self.order["state"] = to
        self.marks.append((at, *due))

    def due(self, at: datetime) -> tuple[datetime | None, str]:
        found: tuple[datetime | None, str] = (None, "")
        for when, due, tag in self.marks:
            if when > at:
                break
            found = (due, tag)
        return found


class _FeedbackLife:
    """A feedback record's events (services.feedback._event) and its clocks as they stood."""

    def __init__(self, flows: Flows, record: dict) -> None:
        self.flows, self.record = flows, record
        self.seq = 0
        self.promise: dict | None = None
        self.snapshots: list[tuple[datetime, fb.Times]] = []

    def event(self, at: datetime, actor: int, action: str, to: str, detail: dict) -> None:
        self.seq += 1
        r, w = self.record, self.flows.w
        w.add("feedback_event", at, {
            "feedback_id": r, "seq": self.seq, "at": at, "actor_id": actor, "action": action, "from_state": r["state"],
            "to_state": to, "detail": json_text(detail),
        })
        w.audit(at, actor, f"feedback.{action}", "feedback", r, {"to": to})
        r["state"] = to
        running = to not in ("invalid", "closed")
        self.snapshots.append((at, fb.Times(r["accepted_at"], r["severity"], r["escalated_at"],
                                            r["handler_replied_at"] or r["answered_at"], r["answered_at"]) if running else None))

    def due(self, at: datetime) -> tuple[datetime | None, str]:
        times = None
        for when, snapshot in self.snapshots:
            if when > at:
                break
            times = snapshot
        if times is None:
            return None, ""
        urgent = fb.most_urgent(fb.clocks(times, at, self.flows.fb_limits))
        return (urgent.due_at, str(urgent.clock)) if urgent else (None, "")
