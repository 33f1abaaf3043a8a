"""The unit look-up as the clerk types: by code, a resident's name, a phone (mobile or landline)."""

from __future__ import annotations

from sqlmodel import select

from deskapp.services.lookup import find_units, unit_by_code
from deskapp.store.tables import Person, Unit


def _first_person(store) -> tuple[Person, str]:
    with store.read() as session:
        person = session.exec(select(Person).where(Person.active, Person.phone != "").order_by(Person.id)).first()
        return person, session.get(Unit, person.unit_id).code


def test_a_code_being_typed_finds_the_units_it_begins(demo_store) -> None:
    found = find_units(demo_store, "3-2-15")
    assert found and all(m.code.startswith("3-2-15") for m in found)
    assert [m.code for m in found] == sorted(m.code for m in found)
    assert unit_by_code(demo_store, "3-2-1501").code == "3-2-1501"


def test_a_name_or_part_of_a_phone_finds_the_residents_unit(demo_store) -> None:
    person, code = _first_person(demo_store)
    assert code in [m.code for m in find_units(demo_store, person.name, limit=50)]
    assert code in [m.code for m in find_units(demo_store, person.phone[-6:], limit=50)]
    match = next(m for m in find_units(demo_store, person.phone) if m.code == code)
    assert (person.kind, person.name, person.phone) in match.residents


def test_a_landline_with_its_dash_is_looked_up_too(demo_store) -> None:
    with demo_store.session() as session:
        person = session.exec(select(Person).where(Person.active).order_by(Person.id)).first()
        person.phone = "0755-86001234"
        code = session.get(Unit, person.unit_id).code
    assert code in [m.code for m in find_units(demo_store, "0755-8600")]


def test_never_more_than_the_limit_and_nothing_for_nothing(demo_store) -> None:
    assert len(find_units(demo_store, "1", limit=5)) == 5
    assert find_units(demo_store, "   ") == []
    assert find_units(demo_store, "没有这个人") == []
