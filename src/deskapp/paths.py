"""Where deskapp finds its data files and keeps its store. Nothing is created at import."""

from __future__ import annotations

import os
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


def user_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def user_config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def default_database_url() -> str:
    return f"sqlite:///{user_data_dir() / 'deskapp.db'}"
