"""Ways to break a store for real, for the tests of what the clerk is told (issue 12, item 4).

The tests run as root, where file permissions stop nothing: a read-only file is made immutable
(`chattr +i`, which stops root too), a read-only folder is a read-only bind mount, and a full disk
is a small tmpfs. Mounts are made inside `unshare -m`, a mount namespace of the command's own, so
none outlives it or shows outside. Where a machine allows none of it, the test is skipped.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest


@contextmanager
def read_only_file(path: Path) -> Iterator[None]:
    """The store file cannot be written by this user, root included."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not supported here: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def damage(path: Path, table: str) -> None:
    """Overwrite the first page of a table's b-tree, in the middle of the file, with garbage."""
    with sqlite3.connect(path) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    connection.close()
    assert 1 < root < pages, "the damage is meant to be mid-file"
    with path.open("r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xa5" * page_size)


@cache
def _can_mount(scratch: str) -> str:
    done = subprocess.run(["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs {shlex.quote(scratch)}"],
                          capture_output=True, text=True)
    return "" if done.returncode == 0 else (done.stderr.strip() or "unshare -m failed")


def in_own_mounts(script: str, scratch: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run a shell script in a mount namespace of its own (skip where mounting is not allowed)."""
    why = _can_mount(str(scratch))
    if why:
        pytest.skip(f"cannot mount here: {why}")
    return subprocess.run(["unshare", "-m", "sh", "-ec", script], capture_output=True, text=True, timeout=180,
                          stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})


FILL = "dd if=/dev/zero of={folder}/filler bs=4k 2>/dev/null || true"
"""Shell: fill the disk of {folder} to the last block."""
