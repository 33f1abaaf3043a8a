"""Drafts: what a clerk has typed into a form and not yet saved, kept in the store as they type.

A console killed mid-form (a power cut, a crash, kill -9) loses at most the last second of
typing: on the next sign-in the clerk is told which forms are waiting, and opening the same form
again brings the text back. Saving or cancelling the form removes its draft.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import delete, select

from deskapp.clock import Clock
from deskapp.store.engine import Store
from deskapp.store.tables import Draft

MAX_FIELD = 2000  # characters kept of one field; a form's text is short


@dataclass(frozen=True)
class DraftView:
    key: str
    title: str
    fields: dict[str, str]
    saved_at: datetime


def save(store: Store, clock: Clock, staff_id: int, key: str, title: str, fields: dict[str, str]) -> None:
    """Keep the form's text (replacing the last draft of that form); all-empty text removes it."""
    kept = {name: text[:MAX_FIELD] for name, text in fields.items() if text.strip()}
    with store.session() as session:
        draft = session.exec(select(Draft).where(Draft.staff_id == staff_id, Draft.key == key)).first()
        if not kept:
            if draft is not None:
                session.delete(draft)
            return
        if draft is None:
            draft = Draft(staff_id=staff_id, key=key[:200], saved_at=clock.now())
        draft.title = title[:200]
        draft.fields = json.dumps(kept, ensure_ascii=False, sort_keys=True)
        draft.saved_at = clock.now()
        session.add(draft)


def load(store: Store, staff_id: int, key: str) -> DraftView | None:
    with store.read() as session:
        draft = session.exec(select(Draft).where(Draft.staff_id == staff_id, Draft.key == key)).first()
        return _view(draft) if draft is not None else None


def waiting(store: Store, staff_id: int) -> list[DraftView]:
    """The clerk's unsaved forms, newest first."""
    with store.read() as session:
        rows = session.exec(select(Draft).where(Draft.staff_id == staff_id).order_by(Draft.saved_at.desc())).all()
        return [_view(row) for row in rows]


def discard(store: Store, staff_id: int, key: str) -> None:
    with store.session() as session:
        session.exec(delete(Draft).where(Draft.staff_id == staff_id, Draft.key == key))


def _view(draft: Draft) -> DraftView:
    try:
        fields = json.loads(draft.fields)
    except ValueError:
        fields = {}
    if not isinstance(fields, dict):
        fields = {}
    return DraftView(draft.key, draft.title, {str(k): str(v) for k, v in fields.items()}, draft.saved_at)
