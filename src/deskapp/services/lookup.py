"""Finding a unit as the clerk types: by unit code, a resident's name, or a phone number."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import select

from deskapp.store.engine import Store
from deskapp.store.tables import Person, Unit


@dataclass(frozen=True)
class UnitMatch:
    unit_id: int
    code: str
    vacant: bool
    residents: tuple[tuple[str, str, str], ...]  # (kind, name, phone)

    def owner(self) -> tuple[str, str, str] | None:
        return next((r for r in self.residents if r[0] == "owner"), None)


def find_units(store: Store, query: str, limit: int = 8) -> list[UnitMatch]:
    """Units whose code starts with the query, or with a resident whose name or phone holds it.

    Asked once per key as the clerk types, so each part is its own small query: the codes by a
    range on the code's unique index (no LIKE, which SQLite cannot use an index for), and the
    residents by their name — or their phone, when the query has no letter — in one pass."""
    query = query.strip()
    if not query or not _askable(query):
        return []
    with store.read() as session:
        by_code = session.exec(
            select(Unit.id, Unit.code).where(Unit.code >= query, Unit.code < query + "\U0010ffff").order_by(Unit.code).limit(limit)
        ).all()
        # A phone is kept as digits (a landline with its area code's dash: 0755-…): a query with a
        # letter is a name, digits a phone, and a unit code being typed (3-2-15) asks no resident.
        column = Person.name if any(ch.isalpha() for ch in query) else Person.phone if _phone_like(query) else None
        by_person = []
        if column is not None:
            wanted = [Person.active, _holds(session, column, query)]
            if len(by_code) == limit:  # only a resident's unit sorting before the last code found can show
                wanted.append(Unit.code < by_code[-1][1])
            if column is Person.phone and len(query) < 3:
                # One or two digits are in most phones: walk the units in code order and stop
                # at `limit`, found in the first few units.
                by_person = session.exec(
                    select(Unit.id, Unit.code).join(Person, Person.unit_id == Unit.id)
                    .where(*wanted).distinct().order_by(Unit.code).limit(limit)
                ).all()
            else:
                # A name, or more digits, is in few phones: one pass over the residents, then
                # their units in code order. Walking the units first looked up every unit's
                # residents when few matched: 40–100 ms on 20 000 units (scripts/bench.py).
                matching = select(Person.unit_id).where(*wanted[:2])
                by_person = session.exec(
                    select(Unit.id, Unit.code).where(Unit.id.in_(matching), *wanted[2:]).order_by(Unit.code).limit(limit)
                ).all()
        chosen = sorted(set(by_code) | set(by_person), key=lambda row: row[1])[:limit]
        ids = [unit_id for unit_id, _ in chosen]
        units = {u.id: u for u in session.exec(select(Unit).where(Unit.id.in_(ids))).all()}
        people = session.exec(
            select(Person).where(Person.unit_id.in_(ids), Person.active).order_by(Person.kind)
        ).all()
    residents: dict[int, list[tuple[str, str, str]]] = {}
    for person in people:
        residents.setdefault(person.unit_id, []).append((person.kind, person.name, person.phone))
    return [UnitMatch(i, units[i].code, units[i].vacant, tuple(residents.get(i, []))) for i in ids]


def _holds(session, column, query: str):
    """`column` holds `query` as typed (% and _ are no wildcards). On SQLite, text with no Latin
    letter (digits, Chinese) is found by instr(), twice as fast as LIKE over 30 000 residents;
    LIKE is kept where it matters, for its case-blind Latin letters."""
    if session.get_bind().dialect.name == "sqlite" and not any("a" <= ch.lower() <= "z" for ch in query):
        return func.instr(column, query) > 0
    return column.contains(query, autoescape=True)


def _phone_like(text: str) -> bool:
    return text.isdigit() or (text.startswith("0") and text.replace("-", "").isdigit())


def _askable(text: str) -> bool:
    """Text both stores can be asked about: no NUL (PostgreSQL refuses it), no lone surrogate (not
    UTF-8: SQLite refuses it). A query holding either finds nothing."""
    return "\x00" not in text and not any("\ud800" <= c <= "\udfff" for c in text)


def unit_by_code(store: Store, code: str) -> UnitMatch | None:
    code = code.strip()
    return next((m for m in find_units(store, code, limit=50) if m.code == code), None)
