"""The shipped TOML files (the UI strings, the policy), parsed once and kept parsed.

Every start of the console parsed the strings of its language (1 400 keys) and the policy with
tomllib: a tenth of the console's start-up beyond a bare Textual app's (scripts/bench.py). The
parsed table is kept in the user's cache folder as marshal data, named by the file's path, size
and modification time, so an edited file is parsed again. A cache that cannot be read or written
changes nothing: the file is parsed as before.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib
from pathlib import Path

_VERSION = 1  # of the cache's layout


def cache_dir() -> Path:
    if env := os.environ.get("DESKAPP_CACHE_DIR"):
        return Path(env)
    from deskapp.paths import user_cache_dir

    return user_cache_dir()


def _cache_file(path: Path) -> Path:
    stat = path.stat()
    where = zlib.crc32(str(path.resolve()).encode("utf-8", "surrogatepass"))
    version = f"{sys.version_info[0]}{sys.version_info[1]}"
    return cache_dir() / f"{path.stem}-{where:08x}-{stat.st_size}-{stat.st_mtime_ns}-py{version}-v{_VERSION}.marshal"


def load(path: Path) -> dict:
    """`path` parsed as TOML. OSError when it cannot be read; ValueError (tomllib's
    TOMLDecodeError) when it is not TOML."""
    cached = _cache_file(path)  # OSError for a missing file, as open() would
    try:
        table = marshal.loads(cached.read_bytes())
        if isinstance(table, dict):
            return table
    except (OSError, EOFError, ValueError, TypeError):
        pass
    import tomllib

    with path.open("rb") as f:
        table = tomllib.load(f)
    try:
        data = marshal.dumps(table)  # ValueError for what marshal cannot keep (TOML dates)
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}.part")
        partial.write_bytes(data)
        os.replace(partial, cached)
    except (OSError, ValueError):
        pass
    return table
