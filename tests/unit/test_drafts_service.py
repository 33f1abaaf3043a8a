"""Drafts in the store: kept per clerk and form, replaced as the clerk types, gone when empty."""

from __future__ import annotations

from deskapp.services import drafts
from deskapp.services.drafts import MAX_FIELD


def test_a_draft_is_kept_replaced_and_listed_newest_first(demo_store, clock) -> None:
    drafts.save(demo_store, clock, 1, "arrival:登记", "登记来访", {"unit": "1-1-1", "surname": ""})
    clock.advance(minutes=1)
    drafts.save(demo_store, clock, 1, "complaint:受理", "受理投诉", {"what": "漏水"})
    clock.advance(minutes=1)
    drafts.save(demo_store, clock, 1, "arrival:登记", "登记来访", {"unit": "1-1-101", "surname": "欧阳"})

    kept = drafts.load(demo_store, 1, "arrival:登记")
    assert kept.fields == {"unit": "1-1-101", "surname": "欧阳"}
    assert kept.saved_at == clock.now()
    assert [d.title for d in drafts.waiting(demo_store, 1)] == ["登记来访", "受理投诉"]


def test_drafts_are_the_clerks_own(demo_store, clock) -> None:
    drafts.save(demo_store, clock, 1, "arrival:登记", "登记来访", {"unit": "1-1-101"})
    assert drafts.load(demo_store, 2, "arrival:登记") is None
    assert drafts.waiting(demo_store, 2) == []


def test_an_emptied_form_and_a_discarded_one_leave_no_draft(demo_store, clock) -> None:
    drafts.save(demo_store, clock, 1, "arrival:登记", "登记来访", {"unit": "1-1-101"})
    drafts.save(demo_store, clock, 1, "arrival:登记", "登记来访", {"unit": "  ", "surname": ""})
    assert drafts.load(demo_store, 1, "arrival:登记") is None
    drafts.save(demo_store, clock, 1, "complaint:受理", "受理投诉", {"what": "漏水"})
    drafts.discard(demo_store, 1, "complaint:受理")
    assert drafts.waiting(demo_store, 1) == []


def test_a_very_long_field_is_cut_to_the_limit(demo_store, clock) -> None:
    drafts.save(demo_store, clock, 1, "complaint:受理", "受理投诉", {"what": "水" * (MAX_FIELD + 50)})
    assert drafts.load(demo_store, 1, "complaint:受理").fields["what"] == "水" * MAX_FIELD
