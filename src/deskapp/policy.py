"""The policy file: every time limit and threshold of the standards, with its source.

`data/policy.toml` holds each limit as a table of value, unit, source and meaning. A site file
overrides values only: the same tables with plain values. Code asks for limits by dotted key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from deskapp.errors import DeskappError
from deskapp.paths import data_dir, user_config_dir

_DURATION_UNITS = {"s": "seconds", "min": "minutes", "h": "hours", "days": "days"}


@dataclass(frozen=True)
class Limit:
    key: str
    value: object
    unit: str
    source: str
    means: str


class Policy:
    def __init__(self, limits: dict[str, Limit]) -> None:
        self._limits = limits

    def __contains__(self, key: str) -> bool:
        return key in self._limits

    def limit(self, key: str) -> Limit:
        try:
            return self._limits[key]
        except KeyError:
            raise DeskappError("policy.unknown_key", key=key) from None

    def value(self, key: str) -> object:
        return self.limit(key).value

    def number(self, key: str) -> int | float:
        value = self.limit(key).value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise DeskappError("policy.not_a_number", key=key)
        return value

    def duration(self, key: str) -> timedelta:
        limit = self.limit(key)
        unit = _DURATION_UNITS.get(limit.unit)
        if unit is None:
            raise DeskappError("policy.not_a_duration", key=key)
        return timedelta(**{unit: self.number(key)})

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(str(self.value("site.timezone")))

    def keys(self) -> list[str]:
        return sorted(self._limits)


def _read(path: Path) -> dict:
    from deskapp import tomlcache

    try:
        return tomlcache.load(path)
    except OSError as e:
        raise DeskappError("policy.unreadable", path=str(path), reason=e.strerror or str(e)) from None
    except ValueError as e:  # tomllib.TOMLDecodeError
        raise DeskappError("policy.invalid", path=str(path), reason=str(e)) from None


def _base_limits(path: Path) -> dict[str, Limit]:
    limits: dict[str, Limit] = {}
    for table, entries in _read(path).items():
        for name, entry in entries.items():
            key = f"{table}.{name}"
            if not isinstance(entry, dict) or "value" not in entry or "source" not in entry:
                raise DeskappError("policy.entry_incomplete", path=str(path), key=key)
            limits[key] = Limit(key, entry["value"], entry.get("unit", ""), entry["source"], entry.get("means", ""))
    return limits


def _apply_override(limits: dict[str, Limit], path: Path) -> None:
    for table, entries in _read(path).items():
        if not isinstance(entries, dict):
            raise DeskappError("policy.override_unknown", path=str(path), key=table)
        for name, value in entries.items():
            key = f"{table}.{name}"
            base = limits.get(key)
            if base is None:
                raise DeskappError("policy.override_unknown", path=str(path), key=key)
            if type(value) is not type(base.value) and not (
                isinstance(value, int | float) and isinstance(base.value, int | float) and not isinstance(value, bool)
            ):
                raise DeskappError("policy.override_type", path=str(path), key=key)
            if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
                raise DeskappError("policy.override_negative", path=str(path), key=key)
            limits[key] = Limit(key, value, base.unit, f"{base.source} — site: {path}", base.means)


def site_policy_path(explicit: str | Path | None = None) -> Path | None:
    """The site's override file, if any: --policy, then DESKAPP_POLICY, then the config folder."""
    if explicit:
        return Path(explicit)
    if env := os.environ.get("DESKAPP_POLICY"):
        return Path(env)
    candidate = user_config_dir() / "policy.toml"
    return candidate if candidate.is_file() else None


def load_policy(site_file: str | Path | None = None, base_file: Path | None = None) -> Policy:
    limits = _base_limits(base_file or data_dir() / "policy.toml")
    override = site_policy_path(site_file)
    if override is not None:
        _apply_override(limits, override)
    return Policy(limits)
