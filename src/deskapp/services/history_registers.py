"""The registers in a history: keys lent and checked, lost and found, vacant units and their
inspections, renovations and their patrols, move-ins, notices, residents registered at the counter.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlmodel import SQLModel

from deskapp.domain.registers import Borrower, Phase, key_due
from deskapp.services.history_office import Office, Resident, UnitInfo, Weighted
from deskapp.services.move_in import STEPS as MOVE_IN_STEPS

BORROWERS = Weighted({Borrower.WORKER: 0.45, Borrower.OWNER: 0.25, Borrower.SALES: 0.15, Borrower.OTHER: 0.15})
PHASES = ((Phase.PLUMBING, 5, 12), (Phase.CARPENTRY, 10, 25), (Phase.TILING, 5, 12), (Phase.INSTALLATION, 2, 6))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁宋郑谢韩唐冯邓曹曾彭肖蔡叶"


class Registers:
    def __init__(self, office: Office) -> None:
        self.o, self.w, self.rng = office, office.w, office.rng
        p = office.policy
        self.keep = p.duration("lost_found.keep_days")
        self.inspect_every = p.duration("vacancy.inspect_days")
        self.check_every = p.duration("keys.check_days")
        self.return_by = time(int(p.number("keys.contractor_return_hour")))
        self.min_months = int(p.number("vacancy.min_months"))
        self.deposit = round(p.number("renovation.deposit_yuan") * 100)
        self.patrol_days = {
            Phase.PLUMBING: int(p.number("renovation_patrol.plumbing_days")),
            Phase.CARPENTRY: int(p.number("renovation_patrol.carpentry_days")),
            Phase.TILING: int(p.number("renovation_patrol.tiling_days")),
            Phase.INSTALLATION: int(p.number("renovation_patrol.installation_days")),
        }
        self.keys: list[dict] = []  # key tags: row, unit, free from (None: issued or missing)
        self.key_state: dict[int, tuple[str, datetime | None]] = {}
        self.busy_until: dict[int, datetime] = {}  # a unit's vacancy or renovation under way
        self.renovating: dict[int, datetime] = {}
        self.meters: dict[int, list[float]] = {}
        self.move_ins: dict[int, dict] = {}  # a unit's move-in not yet complete
        self._load()

    def _load(self) -> None:
        tag = SQLModel.metadata.tables["key_tag"]
        with self.o.store.engine.connect() as c:
            tags = c.execute(select(tag.c.id, tag.c.unit_id).where(tag.c.state == "held")).all()
        self.keys = [{"row": tag_id, "unit": unit_id, "free": self.o.midnight(0)} for tag_id, unit_id in tags]

    # -- the day ---------------------------------------------------------------------------------------

    def play(self, day: int) -> None:
        o, units = self.o, len(self.o.units)
        d = o.date_of(day)
        if day == 0 and not self.keys:
            self.add_keys(day)
        if day % int(self.check_every.days or 30) == 3:
            self.key_check(o.at(day, 10 + self.rng.random()))
        busy = o.busy(day)
        for _ in range(o.count((0.5 + 0.00025 * units) * busy)):
            self.lend(o.counter_time(day))
        for _ in range(o.count(0.2 + 0.00003 * units)):
            self.found(o.counter_time(day))
        for _ in range(o.count(0.03 + 0.00002 * units)):
            self.vacancy(o.counter_time(day))
        if d.day in (5, 20) and self.rng.random() < 0.5 + units / 40_000:
            self.notice(o.at(day, 9.5 + self.rng.random() * 6))
        every = max(self.inspect_every.days - 2, 1)
        for n, unit in enumerate(o.empty):  # 5.1.1: every empty unit each month
            if (day + n * 7) % every == 0:
                self.inspect(o.at(day, 9.5 + self.rng.random() * 7), unit, None)
        o.settle()

    # -- residents and move-ins --------------------------------------------------------------------------

    def new_resident(self, at: datetime, clerk: int, unit: UnitInfo, kind: str, visit: dict | None,
                     audit: str | None = None) -> Resident:
        """过户 / 迁入 (visit_actions.register_resident), or a tenant registered for a release: the one
        before is kept, inactive; a new owner's move-in starts."""
        o, w, rng = self.o, self.w, self.rng
        earlier = unit.owner if kind == "owner" else unit.tenant
        donor = rng.choice(o.occupied).owner  # names recombined from the residents on record
        name = rng.choice(SURNAMES) + (donor.name[1:] if donor and len(donor.name) > 1 else "伟")
        row = w.add("person", at, {
            "unit_id": unit.id, "kind": kind, "name": name, "gender": rng.choice("MF"), "phone": o.phone_number(),
            "id_type": "resident_id", "id_masked": f"4403**********{rng.randint(0, 9999):04d}",
            "since": at.astimezone(o.tz).date(), "active": True,
        })
        if earlier is not None:
            w.later("person", earlier.row, "active", False)
        resident = Resident(row, name, row["gender"], row["phone"], row["id_masked"])
        setattr(unit, kind, resident)
        w.audit(at, clerk, audit or f"resident.{kind}_registered", "person", row, {"visit": visit} if visit else {})
        if kind == "owner":
            self.move_in(at, clerk, unit, name)
        return resident

    def move_in(self, at: datetime, clerk: int, unit: UnitInfo, owner: str) -> None:
        """The eleven counter steps of seed 001 ch. 1, most ticked at once, the rest within days."""
        o, w, rng = self.o, self.w, self.rng
        if unit.id in self.move_ins:
            return
        record = w.add("move_in", at, {"unit_id": unit.id, "owner": owner, "started_at": at, "started_by_id": clerk})
        w.audit(at, clerk, "move_in.started", "move_in", record, {"unit": unit.code})
        done: dict[str, str] = {}
        first = rng.randint(3, len(MOVE_IN_STEPS))
        batches = [(at + timedelta(minutes=2), MOVE_IN_STEPS[:first])]
        if first < len(MOVE_IN_STEPS) and rng.random() < 0.9:
            batches.append((o.office_time(at + timedelta(days=rng.uniform(1, 14))), MOVE_IN_STEPS[first:]))
        else:
            self.move_ins[unit.id] = record
        for when, steps in batches:
            if when >= o.cutoff:
                self.move_ins[unit.id] = record
                break
            done.update({s: when.isoformat() for s in steps})
            complete = len(done) == len(MOVE_IN_STEPS)
            if complete:
                record["completed_at"] = when
                self.move_ins.pop(unit.id, None)
            w.audit(when, o.clerk(when), "move_in.ticked", "move_in", record, {"steps": list(steps), "complete": complete})
        record["done"] = json.dumps(done, sort_keys=True)

    # -- keys ------------------------------------------------------------------------------------------

    def add_keys(self, day: int) -> None:
        """The keys kept at the counter (4.1): a set for a few owners' units and for empty units."""
        o, w, rng = self.o, self.w, self.rng
        at = o.at(day, 8.6)
        chosen = [u for u in o.units if rng.random() < (0.5 if u.vacant else 0.02)]
        for unit in chosen:
            tag = w.add("key_tag", at, {"label": f"{unit.code}-A", "unit_id": unit.id, "what": o.pick("keys", "what"),
                                        "state": "held", "label_state": "ok", "added_at": at})
            w.audit(at, o.clerk(at), "key.added", "key", tag, {"label": tag["label"]})
            self.keys.append({"row": tag, "unit": unit, "free": at})

    def lend(self, at: datetime) -> None:
        o, w, rng = self.o, self.w, self.rng
        free = [k for k in self.keys if k["free"] is not None and k["free"] <= at]
        if not free:
            return
        key = rng.choice(free)
        kind = Borrower(BORROWERS.pick(rng))
        unit = key["unit"] if isinstance(key["unit"], UnitInfo) else None
        clerk = o.clerk(at)
        label = key["row"]["label"] if isinstance(key["row"], dict) else f"#{key['row']}"
        if kind == Borrower.OWNER and unit is not None and unit.owner is not None:
            borrower, phone, company, purpose = unit.owner.name, unit.owner.phone, "", ""
            if rng.random() < 0.1:  # the owner takes the key for good (领取)
                loan = w.add("key_loan", at, {"key_id": key["row"], "kind": "issue", "borrower_kind": "owner",
                                              "borrower": borrower, "id_type": "resident_id", "id_masked": unit.owner.id_masked,
                                              "signed": True, "lent_at": at, "lent_by_id": clerk})
                w.audit(at, clerk, "key.issued", "key_loan", loan, {"key": label})
                key["free"] = None
                self.key_state[id(key)] = ("issued", at)
                return
        else:
            kind = kind if kind != Borrower.OWNER else Borrower.OTHER
            borrower = o.pick("release", "drivers") if kind == Borrower.WORKER else rng.choice("王李张刘陈") + rng.choice(("先生", "女士"))
            phone, company = o.phone_number(), o.pick("keys", "companies")
            purpose = o.pick("keys", {"worker": "worker", "sales": "sales"}.get(kind, "other"))
        asked = None
        if kind != Borrower.WORKER and (kind != Borrower.OWNER or rng.random() < 0.5):
            asked = at + timedelta(hours=rng.uniform(1, 30))
        manager = "销售经理" if kind == Borrower.SALES else ""
        due = key_due(kind, at, o.tz, asked=asked, return_by=self.return_by, manager=manager) \
            if kind != Borrower.OWNER or asked else None
        loan = w.add("key_loan", at, {
            "key_id": key["row"], "kind": "loan", "borrower_kind": str(kind), "borrower": borrower, "company": company,
            "phone": phone, "purpose": purpose, "id_type": "resident_id" if kind == Borrower.OWNER else "",
            "id_masked": unit.owner.id_masked if kind == Borrower.OWNER else "",
            "manager": manager, "signed": kind == Borrower.OWNER,
            "lent_at": at, "lent_by_id": clerk, "holder_id": clerk, "due_at": due,
        })
        w.audit(at, clerk, "key.lent", "key_loan", loan, {"key": label, "borrower_kind": str(kind), "due": due})
        roll = rng.random()
        target = due or at + timedelta(hours=rng.uniform(2, 48))
        if roll < 0.92:
            back = max(at + timedelta(minutes=20), target - timedelta(minutes=rng.uniform(0, 180)))
        elif roll < 0.995:
            back = target + timedelta(hours=rng.uniform(0.5, 30))
        else:
            back = target + timedelta(days=rng.uniform(5, 40))
        held = o.opened("key", loan, "holder_id", clerk, at, lambda _at: (due, str(kind)), f"{label} · {borrower} {purpose}".strip(),
                        unit.code if unit else "")
        if back >= o.cutoff:
            key["free"] = None
            self.key_state[id(key)] = ("lent", at)
            return
        o.closed(held, back)
        taker = o.clerk(back)
        loan.update(returned_at=back, returned_to_id=taker)
        w.audit(back, taker, "key.returned", "key_loan", loan,
                {"key": label, "kind": "loan", "overdue": due is not None and back > due})
        key["free"] = back

    def key_check(self, at: datetime) -> None:
        o, w, rng = self.o, self.w, self.rng
        if not self.keys or at >= o.cutoff:
            return
        held = [k for k in self.keys if k["free"] is not None and k["free"] <= at]
        worn = [k for k in held if rng.random() < 0.01]
        labels = [k["row"]["label"] for k in worn if isinstance(k["row"], dict)]
        check = w.add("key_check", at, {"at": at, "by_id": o.clerk(at), "checked": len(held), "missing": "[]",
                                        "worn": json.dumps(labels, ensure_ascii=False)})
        w.audit(at, check["by_id"], "key.checked", "key_check", check, {"checked": len(held), "missing": [], "worn": labels})
        for key in worn:
            fixed = o.office_time(at + timedelta(days=rng.uniform(1, 10)))
            if fixed < o.cutoff:
                w.audit(fixed, o.clerk(fixed), "key.relabelled", "key", key["row"], {"label": key["row"]["label"]})
            else:
                self.w.later("key_tag", key["row"], "label_state", "worn")

    def finish_keys(self) -> None:
        """A key tag's state as the history leaves it: lent or issued (an UPDATE for a tag on record)."""
        for key in self.keys:
            state, _ = self.key_state.get(id(key), ("held", None))
            if key["free"] is None and state != "held":
                self.w.later("key_tag", key["row"], "state", state)

    # -- lost and found ------------------------------------------------------------------------------------

    def found(self, at: datetime) -> None:
        o, w, rng = self.o, self.w, self.rng
        unit = o.any_unit()
        where = o.pick("found", "where").format(building=unit.building, zone=o.pick("public", "zones"))
        found_at = at - timedelta(minutes=rng.uniform(5, 180))
        clerk = o.clerk(at)
        item = w.add("found_item", at, {
            "what": o.pick("found", "what"), "where_found": where, "found_at": found_at,
            "found_by": rng.choice(("保安张勇", "保洁员", "业主", "巡逻岗")), "kept_where": o.pick("found", "kept"),
            "registered_at": at, "registered_by_id": clerk, "state": "held",
        })
        w.audit(at, clerk, "found_item.registered", "found_item", item,
                lambda: {"no": f"SW{item['id']:06d}", "what": item["what"], "found_at": found_at, "kept_where": item["kept_where"]})
        if rng.random() < 0.65:
            claimed = o.office_time(at + timedelta(hours=rng.expovariate(1 / 60)))
            if claimed < o.cutoff:
                owner = o.any_unit().owner
                taker = o.clerk(claimed)
                item.update(state="claimed", claimed_at=claimed, handed_by_id=taker, claimant=owner.name,
                            claimant_phone=owner.phone, claimant_id_type="resident_id", claimant_id_masked=owner.id_masked,
                            signed=True)
                w.audit(claimed, taker, "found_item.claimed", "found_item", item,
                        lambda: {"no": f"SW{item['id']:06d}", "id_type": "resident_id"})
            return
        disposed = o.office_time(found_at + self.keep + timedelta(days=rng.uniform(0, 20)))
        if disposed < o.cutoff:
            how = o.pick("found", "dispose")
            by = o.clerk(disposed)
            item.update(state="disposed", disposed_at=disposed, disposed_by_id=by, disposed_how=how)
            w.audit(disposed, by, "found_item.disposed", "found_item", item, lambda: {"no": f"SW{item['id']:06d}", "how": how})

    # -- vacant units ------------------------------------------------------------------------------------

    def vacancy(self, at: datetime) -> None:
        """An owner's application (5.2.1), the supervisor's decision, the monthly inspections, the end."""
        o, w, rng = self.o, self.w, self.rng
        unit = o.any_unit()
        if self.busy_until.get(unit.id, at) > at:
            return
        local = at.astimezone(o.tz).date()
        start = local + timedelta(days=rng.randint(0, 14))
        end = start + relativedelta(months=rng.randint(self.min_months, 12), days=1)
        clerk = o.clerk(at)
        vacancy = w.add("vacancy", at, {
            "unit_id": unit.id, "owner": unit.owner.name, "id_type": "resident_id", "id_masked": unit.owner.id_masked,
            "start": start, "end": end, "reason": o.pick("vacancy", "reasons"), "notice_given": True, "state": "applied",
            "applied_at": at, "applied_by_id": clerk,
        })
        w.audit(at, clerk, "vacancy.applied", "vacancy", vacancy,
                {"unit": unit.code, "start": start, "end": end, "id_type": "resident_id"})
        self.busy_until[unit.id] = datetime.combine(end, time(), o.tz)
        decided = o.office_time(at + timedelta(hours=rng.uniform(0.5, 40)))
        if decided >= o.cutoff:
            return
        if rng.random() < 0.08:
            reason = "空置时间不足三个月" if rng.random() < 0.5 else "房屋已出租,不符合空置条件"
            vacancy.update(state="refused", decided_at=decided, decided_by_id=o.supervisor, refused_reason=reason)
            w.audit(decided, o.supervisor, "vacancy.refused", "vacancy", vacancy, {"reason": reason})
            self.busy_until.pop(unit.id, None)
            return
        vacancy.update(state="confirmed", decided_at=decided, decided_by_id=o.supervisor)
        w.audit(decided, o.supervisor, "vacancy.confirmed", "vacancy", vacancy)
        ends = datetime.combine(end, time(), o.tz)
        early = rng.random() < 0.08
        if early:
            ends = datetime.combine(start, time(), o.tz) + (ends - datetime.combine(start, time(), o.tz)) * rng.uniform(0.2, 0.9)
        inspect = datetime.combine(start, time(), o.tz) + self.inspect_every - timedelta(days=rng.uniform(0, 3))
        while inspect < min(ends, o.cutoff):
            when = o.office_time(inspect)
            if when >= o.cutoff:
                break
            if self.inspect(when, unit, vacancy, lived=rng.random() < 0.01):
                self.busy_until[unit.id] = when
                return
            inspect = when + self.inspect_every - timedelta(days=rng.uniform(0, 3))
        closed = o.office_time(ends + timedelta(days=rng.uniform(0, 5) if not early else 0))
        if closed >= o.cutoff:
            return
        applied_end = vacancy["end"]
        if early:
            vacancy["end"] = max(start, min(vacancy["end"], closed.astimezone(o.tz).date()))
        vacancy["state"] = "ended"
        w.audit(closed, o.clerk(closed), "vacancy.ended", "vacancy", vacancy,
                {"previous": "confirmed", "applied_end": applied_end, "end": vacancy["end"]})
        self.busy_until[unit.id] = closed

    def inspect(self, at: datetime, unit: UnitInfo, vacancy: dict | None, lived: bool = False) -> bool:
        """An inspection with the meters read (5.1, 5.2.6); True when found lived in."""
        o, w, rng = self.o, self.w, self.rng
        meters = self.meters.get(unit.id)
        water_used = power_used = None
        if meters is None:
            meters = self.meters[unit.id] = [round(rng.uniform(0, 60), 1), round(rng.uniform(0, 800), 1)]
        else:
            water_used = round(rng.uniform(1.5, 4), 1) if lived else round(rng.uniform(0, 0.6), 1)
            power_used = round(rng.uniform(20, 80), 1) if lived else round(rng.uniform(0, 3.5), 1)
            meters[0] = round(meters[0] + water_used, 1)
            meters[1] = round(meters[1] + power_used, 1)
        found = lived and water_used is not None
        by = o.clerk(at)
        row = w.add("vacancy_inspection", at, {
            "unit_id": unit.id, "vacancy_id": vacancy, "at": at, "by_id": by, "facilities_ok": rng.random() < 0.97,
            "clean_ok": rng.random() < 0.95, "cracks_or_leaks": rng.random() < 0.02, "water_reading": meters[0],
            "power_reading": meters[1], "water_used": water_used, "power_used": power_used, "lived_in": found,
        })
        w.audit(at, by, "vacancy.inspected", "vacancy_inspection", row,
                {"unit": unit.code, "vacancy": vacancy, "water_used": water_used, "power_used": power_used,
                 "lived_in": found, "after_storm": False})
        if found and vacancy is not None:
            applied_end = vacancy["end"]
            vacancy.update(state="occupied", end=max(vacancy["start"], min(vacancy["end"], at.astimezone(o.tz).date())))
            w.audit(at, by, "vacancy.occupied", "vacancy", vacancy, {"inspection": row, "applied_end": applied_end, "end": vacancy["end"]})
        return found

    # -- renovations -------------------------------------------------------------------------------------

    def renovation(self, at: datetime, clerk: int, unit: UnitInfo, person: Resident, visit: dict) -> None:
        """Opened from the counter (visit_actions.open_renovation); then its phases and patrols, the
        completion check (初验), the re-check (复验) and the deposit refunded."""
        o, w, rng = self.o, self.w, self.rng
        if self.renovating.get(unit.id, at) > at:
            return
        workers = rng.randint(2, 8)
        row = w.add("renovation", at, {
            "unit_id": unit.id, "owner": person.called, "company": o.pick("renovation", "companies"), "workers": workers,
            "deposit_fen": self.deposit, "source_kind": "visit", "source_id": visit, "opened_at": at, "opened_by_id": clerk,
            "phase": "plumbing", "phase_since": at, "state": "active",
        })
        w.audit(at, clerk, "renovation.opened", "renovation", row,
                {"unit": unit.code, "permit": "", "workers": workers, "deposit_fen": self.deposit})
        self.renovating[unit.id] = o.cutoff
        t = at
        for n, (phase, lo, hi) in enumerate(PHASES):
            ends = t + timedelta(days=rng.uniform(lo, hi))
            if n:
                if t >= o.cutoff:
                    return
                w.audit(t, o.clerk(t), "renovation.phase", "renovation", row, {"previous": row["phase"], "phase": phase})
                row.update(phase=str(phase), phase_since=t)
            every = self.patrol_days[phase]
            patrol = t + (timedelta(hours=rng.uniform(1, 4)) if every == 0 else timedelta(days=every))
            while patrol < min(ends, o.cutoff):
                when = o.office_time(patrol)
                if when >= min(ends, o.cutoff):
                    break
                ok = rng.random() < 0.96
                by = rng.choice(o.engineers)
                p = w.add("renovation_patrol", when, {"renovation_id": row, "at": when, "by_id": by, "phase": str(phase),
                                                      "ok": ok, "violation": "" if ok else o.pick("renovation", "violations")})
                w.audit(when, by, "renovation.patrolled", "renovation_patrol", p, {"renovation": row, "phase": str(phase), "ok": ok})
                if every == 0:
                    break
                patrol = when + timedelta(days=every)
            t = ends
        if t >= o.cutoff:
            return
        w.audit(t, o.clerk(t), "renovation.phase", "renovation", row, {"previous": row["phase"], "phase": "finished"})
        row.update(phase="finished", phase_since=t)
        self._checks(row, t, unit)

    def _checks(self, row: dict, t: datetime, unit: UnitInfo) -> None:
        o, w, rng = self.o, self.w, self.rng
        checked = o.office_time(t + timedelta(days=rng.uniform(0.5, 6)))
        if rng.random() < 0.1:  # failed: put right, then checked again
            if checked >= o.cutoff:
                return
            w.audit(checked, o.clerk(checked), "renovation.completion_check", "renovation", row,
                    {"ok": False, "note": o.pick("renovation", "violations")})
            row.update(completed_at=checked, completion_ok=False)
            checked = o.office_time(checked + timedelta(days=rng.uniform(2, 10)))
        if checked >= o.cutoff:
            return
        row.update(completed_at=checked, completion_ok=True, state="completed")
        w.audit(checked, o.clerk(checked), "renovation.completion_check", "renovation", row,
                {"ok": True, "note": o.pick("renovation", "completion")})
        self.renovating[unit.id] = checked
        again = o.office_time(checked + timedelta(days=rng.uniform(30, 90)))
        if again >= o.cutoff:
            return
        row.update(rechecked_at=again, recheck_ok=True, state="rechecked")
        w.audit(again, o.clerk(again), "renovation.recheck", "renovation", row, {"ok": True})
        refunded = o.office_time(again + timedelta(days=rng.uniform(1, 10)))
        if refunded >= o.cutoff:
            return
        row.update(refunded_at=refunded, state="refunded")
        w.audit(refunded, o.clerk(refunded), "renovation.refunded", "renovation", row, {"deposit_fen": row["deposit_fen"]})

    # -- notices -----------------------------------------------------------------------------------------

    def notice(self, at: datetime) -> None:
        o, w, rng = self.o, self.w, self.rng
        title, template = o.pick("notices", "items")
        when = (at + timedelta(days=rng.randint(2, 7))).astimezone(o.tz)
        body = template.format(date=f"{when.month}月{when.day}日", building=o.any_unit().building)
        clerk = o.clerk(at)
        notice = w.add("notice", at, {"created_at": at, "created_by_id": clerk, "title": title, "text": body})
        w.audit(at, clerk, "notice.drafted", "notice", notice)
        published = at + timedelta(minutes=rng.uniform(10, 120))
        if published < o.cutoff:
            channels = sorted(rng.sample(("board", "letterbox", "sms"), rng.randint(1, 3)))
            notice.update(channels=json.dumps(channels), published_at=published)
            w.audit(published, clerk, "notice.published", "notice", notice, {"channels": channels})

    def finish(self) -> None:
        self.finish_keys()
