"""Who may do what (权限): the one table of the acts that need a role.

A rule names the roles that may do an act, and whether the act asks, at the moment it is done,
for the code and PIN of someone holding one of them (`pin`) — a CS supervisor voiding a slip at
the counter — rather than going by who is signed in. The services check every act here, so a
caller that skips the screens is refused too; `services.auth.authorise` is where the code and
PIN are checked.

Staff management (adding staff, changing a PIN or a role) is not in the table: deskapp has none
yet (the only staff are those `deskapp init --demo` loads). Whatever adds it must add its act
here, with `pin=True`, and go through `authorise`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from deskapp.domain.visits import Level
from deskapp.errors import FieldError


class Role(StrEnum):
    """Staff.role."""

    CLERK = "clerk"  # 客户接待员 / 客服专员
    SUPERVISOR = "supervisor"  # 客服主任
    DIRECTOR = "director"  # 管理处主任
    ENGINEERING = "engineering"  # 工程部
    FINANCE = "finance"  # 财务
    GUARD = "guard"  # 大堂护卫员


class Action(StrEnum):
    CONSOLE = "console"  # sign in at the counter console at all
    TAKE_OVER_SHIFT = "take_over_shift"  # 接班: take over a clerk's open items at the handover
    VOID_SLIP = "void_slip"  # 作废放行条
    DECIDE_VACANCY = "decide_vacancy"  # confirm or refuse a vacancy application (空置房 5.2.3)
    EXPORT_UNMASKED = "export_unmasked"  # a report with full phone numbers


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    pin: bool  # the act itself asks for the code and PIN of someone allowed


_COUNTER = frozenset({Role.CLERK, Role.SUPERVISOR, Role.DIRECTOR})
_SUPERVISORS = frozenset({Role.SUPERVISOR, Role.DIRECTOR})  # DESIGN: the director may do what the CS supervisor may

RULES: dict[Action, Rule] = {
    Action.CONSOLE: Rule(_COUNTER, pin=False),
    Action.TAKE_OVER_SHIFT: Rule(frozenset({Role.CLERK, Role.SUPERVISOR}), pin=True),
    Action.VOID_SLIP: Rule(_SUPERVISORS, pin=True),
    Action.DECIDE_VACANCY: Rule(_SUPERVISORS, pin=True),
    Action.EXPORT_UNMASKED: Rule(_SUPERVISORS, pin=True),
}

# 服务上移: who answers at each level, in the order the escalation dialog offers them.
ANSWERING: dict[Level, tuple[Role, ...]] = {
    Level.SUPERVISOR: (Role.SUPERVISOR,),
    Level.DIRECTOR: (Role.DIRECTOR,),
    Level.COLLEAGUE: (Role.CLERK, Role.ENGINEERING, Role.FINANCE),
}


class NotAllowed(FieldError):
    """The act is not for this role; shown at the staff code that was given (or the one signed in)."""

    def __init__(self, action: Action) -> None:
        super().__init__("code", f"roles.{Action(action).value}")
        self.action = Action(action)


def may(role: str, action: Action | str) -> bool:
    return role in RULES[Action(action)].roles


def require(role: str, action: Action | str) -> None:
    if not may(role, action):
        raise NotAllowed(Action(action))


def needs_pin(action: Action | str) -> bool:
    return RULES[Action(action)].pin
