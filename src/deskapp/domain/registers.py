"""The counter's registers (seed 001 chapter 6 and chapter 2): the rules, without the store.

Keys (钥匙管理作业指导书 4.4–4.6): an owner shows identity and signs; others say the purpose
and the return date; "施工维修人员的钥匙借用应该做到当天借用当天归还"; "营销部人员的钥匙借用应有营
销部部门主管的签字".
Vacant units (空置房管理作业指导书 5.2): "空置时间必须超过三个月才可办理"; fees at 50 % while
vacant; more than 1 t of water or 5 kWh of power in a month counts as lived in; inspected
monthly (5.1.1) and after storms (5.1.3).
Renovation (第二章 二 装修监管): the patrol frequency follows the work — plumbing and electrics
daily, carpentry and painting every three days, tiling and flooring daily, installation on the
spot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from dateutil.relativedelta import relativedelta


class Borrower(StrEnum):
    OWNER = "owner"  # 业主: identity checked, signs
    WORKER = "worker"  # 施工维修人员: back the same day
    SALES = "sales"  # 营销部: the sales manager signs
    OTHER = "other"  # anyone else: purpose and return date asked


class RefusedRule(ValueError):
    """A register's rule refuses the request; `key` names the reason, `field` where it applies."""

    def __init__(self, key: str, field: str, **params: object) -> None:
        super().__init__(key)
        self.key, self.field, self.params = key, field, params


def key_due(kind: Borrower, lent_at: datetime, tz: tzinfo, *, asked: datetime | None, return_by: time,
            manager: str = "") -> datetime:
    """When a lent key is due back. A worker's is due the same day by `return_by` (the end of the
    day when lent after it), whatever was asked; the others give a return time (required)."""
    local = lent_at.astimezone(tz)
    if kind == Borrower.WORKER:
        by = datetime.combine(local.date(), return_by, tzinfo=tz)
        if by <= local:  # lent after the hour: by the end of the day (midnight)
            by = datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=tz)
        if asked is not None and asked < by:
            return asked
        return by
    if kind == Borrower.SALES and not manager.strip():
        raise RefusedRule("keys.sales_needs_manager", "manager")
    if asked is None:
        raise RefusedRule("keys.due_required", "due")
    if asked <= lent_at:
        raise RefusedRule("keys.due_past", "due")
    return asked


def vacancy_period_ok(start: date, end: date, min_months: int) -> None:
    """An application must cover at least `min_months` (the seed: 超过三个月)."""
    if end <= start:
        raise RefusedRule("vacancy.end_before_start", "end")
    if end < start + relativedelta(months=min_months):
        raise RefusedRule("vacancy.too_short", "end", months=min_months)


def lived_in(water_t: float, power_kwh: float, water_limit: float, power_limit: float) -> bool:
    """A month's use over either limit counts as occupied (5.2.6)."""
    return water_t > water_limit or power_kwh > power_limit


class Phase(StrEnum):
    PLUMBING = "plumbing"  # 水电路改造
    CARPENTRY = "carpentry"  # 木工及粉墙
    TILING = "tiling"  # 贴砖及铺木地板
    INSTALLATION = "installation"  # 安装(燃气热水器、空调、洁具)
    FINISHED = "finished"  # 装修结束:待初验


@dataclass(frozen=True)
class PatrolPlan:
    """Days between patrols by phase; 0 = on the spot (due as soon as the phase starts)."""

    days: dict[Phase, int]

    def next_due(self, phase: Phase, phase_since: datetime, last_patrol: datetime | None) -> datetime | None:
        """When the next patrol is due: a day (or three) after the last patrol in this phase, or
        from the start of the phase; on the spot for installation; none once finished."""
        if phase == Phase.FINISHED:
            return None
        interval = self.days[phase]
        if interval == 0:
            return phase_since if last_patrol is None or last_patrol < phase_since else None
        since = last_patrol if last_patrol is not None and last_patrol >= phase_since else phase_since
        return since + timedelta(days=interval)
