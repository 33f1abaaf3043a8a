"""UI strings from the locale files (data/locale/<lang>.toml). No sentence lives in code."""

from __future__ import annotations

from datetime import datetime, tzinfo
from functools import cache
from pathlib import Path

from deskapp.errors import DeskappError
from deskapp.paths import data_dir

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@cache
def _strings(path: Path) -> dict[str, str]:
    from deskapp import tomlcache

    return _flatten(tomlcache.load(path))


class Translator:
    zone: tzinfo | None = None
    """The site's timezone: a time given to a message is told in it (Context sets it from the
    policy). A message formats it itself: {time:%H:%M}."""

    def __init__(self, lang: str = DEFAULT_LANGUAGE, folder: Path | None = None) -> None:
        if lang not in LANGUAGES:
            raise DeskappError("cli.bad_lang", lang=lang)
        self.lang = lang
        self.strings = _strings((folder or data_dir() / "locale") / f"{lang}.toml")

    def __call__(self, key: str, /, **params: object) -> str:
        text = self.strings.get(key)
        if text is None:
            return key
        if self.zone is not None:
            params = {k: v.astimezone(self.zone) if isinstance(v, datetime) else v for k, v in params.items()}
        return text.format(**params) if params else text

    def error(self, error: DeskappError) -> str:
        return self(f"error.{error.key}", **error.params)
