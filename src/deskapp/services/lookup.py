"""Finding a unit as the clerk types: by unit code, a resident's name, or a phone number."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_
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
    """Units whose code starts with the query, or with a resident whose name or phone holds it."""
    query = query.strip()
    if not query or not _askable(query):
        return []
    with store.read() as session:
        by_person = select(Person.unit_id).where(
            Person.active,
            or_(Person.name.contains(query, autoescape=True), Person.phone.contains(query, autoescape=True)),
        )
        units = session.exec(
            select(Unit)
            .where(or_(Unit.code.startswith(query, autoescape=True), Unit.id.in_(by_person)))  # % and _ as typed
            .order_by(Unit.code)
            .limit(limit)
        ).all()
        people = session.exec(
            select(Person).where(Person.unit_id.in_([u.id for u in units]), Person.active).order_by(Person.kind)
        ).all()
    residents: dict[int, list[tuple[str, str, str]]] = {}
    for person in people:
        residents.setdefault(person.unit_id, []).append((person.kind, person.name, person.phone))
    return [UnitMatch(u.id, u.code, u.vacant, tuple(residents.get(u.id, []))) for u in units]


def _askable(text: str) -> bool:
    """Text both stores can be asked about: no NUL (PostgreSQL refuses it), no lone surrogate (not
    UTF-8: SQLite refuses it). A query holding either finds nothing."""
    return "\x00" not in text and not any("\ud800" <= c <= "\udfff" for c in text)


def unit_by_code(store: Store, code: str) -> UnitMatch | None:
    code = code.strip()
    return next((m for m in find_units(store, code, limit=50) if m.code == code), None)
