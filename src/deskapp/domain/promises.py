"""Promises to customers (承诺) and how near they are to being broken."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class DueStatus(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    OPEN = "open"


def due_status(due_at: datetime, now: datetime, soon: timedelta) -> DueStatus:
    if due_at <= now:
        return DueStatus.OVERDUE
    if due_at - now <= soon:
        return DueStatus.DUE_SOON
    return DueStatus.OPEN
