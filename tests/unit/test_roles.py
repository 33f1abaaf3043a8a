"""The table of who may do what (domain/roles.py), checked role by role and act by act against a
grid written out here by hand, so a change to the table is a change to this grid too."""

from __future__ import annotations

import pytest

from deskapp.domain.roles import ANSWERING, RULES, Action, NotAllowed, Role, may, needs_pin, require
from deskapp.domain.visits import Level
from deskapp.i18n import Translator

ROLES = ("clerk", "supervisor", "director", "engineering", "finance", "guard")

# action: (the roles that may, by the code and PIN of one of them given at the act)
GRID = {
    "console": ({"clerk", "supervisor", "director"}, False),
    "take_over_shift": ({"clerk", "supervisor"}, True),
    "void_slip": ({"supervisor", "director"}, True),
    "decide_vacancy": ({"supervisor", "director"}, True),
    "export_unmasked": ({"supervisor", "director"}, True),
}


def test_the_grid_covers_every_action_and_role() -> None:
    assert set(GRID) == {a.value for a in Action} == {a.value for a in RULES}
    assert set(ROLES) == {r.value for r in Role}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(GRID))
def test_may_and_require(action: str, role: str) -> None:
    allowed = role in GRID[action][0]
    assert may(role, action) is allowed
    if allowed:
        require(role, action)
    else:
        with pytest.raises(NotAllowed) as refused:
            require(role, action)
        assert (refused.value.field, refused.value.key, refused.value.action) == ("code", f"roles.{action}", action)


@pytest.mark.parametrize("action", sorted(GRID))
def test_which_acts_ask_a_pin_at_the_moment(action: str) -> None:
    assert needs_pin(action) is GRID[action][1]


@pytest.mark.parametrize("action", ["nothing", ""])
def test_an_act_not_in_the_table_is_an_error_not_a_yes(action: str) -> None:
    with pytest.raises(ValueError):
        may("director", action)


def test_no_role_outside_the_list_may_do_anything() -> None:
    for action in GRID:
        assert not may("", action) and not may("admin", action) and not may("Supervisor", action)


def test_who_answers_each_escalation_level() -> None:
    assert list(ANSWERING) == [Level.SUPERVISOR, Level.DIRECTOR, Level.COLLEAGUE]  # the order offered
    assert ANSWERING == {Level.SUPERVISOR: ("supervisor",), Level.DIRECTOR: ("director",),
                         Level.COLLEAGUE: ("clerk", "engineering", "finance")}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_refusal_has_its_message(lang: str) -> None:
    t = Translator(lang)
    for action in GRID:
        message = t.error(NotAllowed(Action(action)))
        assert message and not message.startswith("error."), (lang, action)
    assert t.error(NotAllowed(Action.VOID_SLIP)) == {"zh": "只有客服主任或管理处主任可以作废放行条",
                                                     "en": "Only a CS supervisor or the office director can void a slip"}[lang]
