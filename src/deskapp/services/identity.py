"""What the registers ask of every form: one line of text, and an identity document checked."""

from __future__ import annotations

from datetime import date

from deskapp.domain.ids import check_id, mask
from deskapp.domain.inputs import keepable
from deskapp.errors import DeskappError
from deskapp.services.visits import FieldError


def one_line(text: str) -> str:
    """Spaces tidied: runs of white space, line breaks included, become one space; pasted control
    characters go (domain.inputs.keepable)."""
    return " ".join(keepable(text).split())


def masked_id(id_type: str, id_no: str, today: date) -> str:
    """An ID document checked (type, GB 11643 check digit, dates): the masked number, which is all
    that is kept — or a FieldError at `id_type` or `id_no`."""
    try:
        number = check_id(id_type, id_no, today)
    except DeskappError as e:
        raise FieldError("id_type" if e.key == "input.id_type" else "id_no", e.key, **e.params) from None
    return mask(number)
