"""Where a key of a TOML file was written, so a problem can name its line.

Knows the plain forms the catalogue allows (see data/catalogue/README.md): table headers,
arrays of tables, and `key = value` / dotted keys, with multi-line strings skipped.
"""

from __future__ import annotations

import re

Path = tuple[str | int, ...]

_ARRAY = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.\-]+)\s*\]\]")
_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\-]+)\s*\]")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=")


def _split(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in dotted.split("."))


class LineIndex:
    def __init__(self, text: str) -> None:
        self._lines: dict[Path, int] = {}
        self._latest: dict[Path, int] = {}  # array of tables → index of its latest entry
        here: Path = ()
        open_quote: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if open_quote:
                if line.count(open_quote) % 2 == 1:
                    open_quote = None
                continue
            if m := _ARRAY.match(line):
                array = self._resolve(_split(m.group(1)))
                index = self._latest.get(array, -1) + 1
                self._latest[array] = index
                here = array + (index,)
                self._lines.setdefault(here, number)
            elif m := _TABLE.match(line):
                here = self._resolve(_split(m.group(1)))
                self._lines.setdefault(here, number)
            elif m := _KEY.match(line):
                self._lines.setdefault(here + _split(m.group(1)), number)
                for quote in ('"""', "'''"):
                    if line.count(quote) % 2 == 1:
                        open_quote = quote

    def _resolve(self, name: tuple[str, ...]) -> Path:
        """A header's path, with the index of the latest entry of any array it passes through."""
        path: Path = ()
        for n, part in enumerate(name, start=1):
            path += (part,)
            if n < len(name) and path in self._latest:
                path += (self._latest[path],)
        return path

    def line(self, *path: str | int) -> int:
        """The line of the longest known prefix of path (1 for the top of the file)."""
        for end in range(len(path), 0, -1):
            if (found := self._lines.get(tuple(path[:end]))) is not None:
                return found
        return 1
