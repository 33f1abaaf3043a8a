"""Where deskapp finds its data files and keeps its store. Nothing is created at import."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "deskapp"


def data_dir() -> Path:
    """The folder of content files: catalogue/, locale/, demo/, policy.toml.

    DESKAPP_DATA_DIR wins; then the copy inside an installed wheel; then the repository's data/.
    """
    if env := os.environ.get("DESKAPP_DATA_DIR"):
        return Path(env)
    bundled = Path(__file__).resolve().parent / "_data"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parents[2] / "data"


def _xdg(variable: str, fallback: str) -> Path | None:
    """On Linux the XDG folder platformdirs would give, without importing it (it imports tempfile,
    shutil and random: a few ms of every console start)."""
    if not sys.platform.startswith("linux"):
        return None
    base = os.environ.get(variable, "").strip()
    return Path(base or os.path.expanduser(fallback)) / APP_NAME


def user_data_dir() -> Path:
    if (path := _xdg("XDG_DATA_HOME", "~/.local/share")) is not None:
        return path
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def user_config_dir() -> Path:
    if (path := _xdg("XDG_CONFIG_HOME", "~/.config")) is not None:
        return path
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def user_cache_dir() -> Path:
    if (path := _xdg("XDG_CACHE_HOME", "~/.cache")) is not None:
        return path
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False)


def default_database_url() -> str:
    return f"sqlite:///{user_data_dir() / 'deskapp.db'}"
