"""Walk-in reception rules of seed 000: the 3-minute wait (Std 2) and the 3+3 escalation (Std 5)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class Level(StrEnum):
    """Who a visit is handed up to (服务上移), in order."""

    COLLEAGUE = "colleague"
    SUPERVISOR = "supervisor"
    DIRECTOR = "director"


def waited(arrived_at: datetime, now: datetime) -> timedelta:
    return max(now - arrived_at, timedelta(0))


def needs_handoff(arrived_at: datetime, urgent: bool, now: datetime, limit: timedelta) -> bool:
    """A waiting visitor is handed to a colleague when urgent or after the limit (如B小姐事情紧急或已等待3分钟)."""
    return urgent or waited(arrived_at, now) >= limit


def question_escalation_due(
    handed_at: datetime, level: Level, now: datetime, to_supervisor: timedelta, to_director: timedelta
) -> Level | None:
    """Std 5: a question not explained within the limit goes up one level.

    `handed_at` is when the current level took it; `level` is who holds it now.
    """
    if level is Level.COLLEAGUE and now - handed_at >= to_supervisor:
        return Level.SUPERVISOR
    if level is Level.SUPERVISOR and now - handed_at >= to_director:
        return Level.DIRECTOR
    return None


def mm_ss(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    return f"{seconds // 60:02d}:{seconds % 60:02d}" if seconds < 3600 else f"{seconds // 3600}h{seconds % 3600 // 60:02d}"
