"""The parsed-TOML cache behind the UI strings and the policy (deskapp.tomlcache): the same table
as tomllib gives, parsed again when the file changes, and no harm when the cache folder cannot
be used or holds rubbish."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from deskapp import tomlcache
from deskapp.paths import data_dir


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("DESKAPP_CACHE_DIR", str(folder))
    return folder


def test_the_shipped_files_read_through_the_cache_equal_tomllib(cache: Path) -> None:
    for path in (data_dir() / "locale" / "zh.toml", data_dir() / "locale" / "en.toml", data_dir() / "policy.toml"):
        with path.open("rb") as f:
            expected = tomllib.load(f)
        assert tomlcache.load(path) == expected  # parsed, and kept
        assert tomlcache.load(path) == expected  # read back from the cache
    assert len(list(cache.glob("*.marshal"))) == 3


def test_an_edited_file_is_parsed_again(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text('[phone]\nring_seconds = 3\n', encoding="utf-8")
    assert tomlcache.load(path) == {"phone": {"ring_seconds": 3}}
    path.write_text('[phone]\nring_seconds = 40\n', encoding="utf-8")
    os.utime(path, ns=(1, 2_000_000_000))  # a different time even on a coarse clock
    assert tomlcache.load(path) == {"phone": {"ring_seconds": 40}}


def test_rubbish_in_the_cache_or_no_cache_folder_changes_nothing(cache: Path, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "a.toml"
    path.write_text('x = "一"\n', encoding="utf-8")
    assert tomlcache.load(path) == {"x": "一"}
    for kept in cache.glob("*.marshal"):
        kept.write_bytes(b"\x00not marshal")
    assert tomlcache.load(path) == {"x": "一"}
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    monkeypatch.setenv("DESKAPP_CACHE_DIR", str(blocked / "cache"))  # under a file: cannot be made
    assert tomlcache.load(path) == {"x": "一"}


def test_errors_are_tomllibs_and_the_files(cache: Path, tmp_path: Path) -> None:
    with pytest.raises(OSError):
        tomlcache.load(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("x = \n", encoding="utf-8")
    with pytest.raises(tomllib.TOMLDecodeError):
        tomlcache.load(bad)
    assert not list(cache.glob("bad-*"))
