"""`deskapp` alone opens the console without the command-line parser; anything else goes to it."""

from __future__ import annotations

import pytest

from deskapp.console import Options, console_options


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], Options()),
        (["--db", "sqlite:///x.db"], Options(db="sqlite:///x.db")),
        (["--db=sqlite:///x.db", "--lang", "en"], Options(db="sqlite:///x.db", lang="en")),
        (["--policy", "site.toml", "--lang=zh"], Options(lang="zh", policy="site.toml")),
    ],
)
def test_only_the_console_options_open_the_console_at_once(argv: list[str], expected: Options) -> None:
    assert console_options(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [["report", "daily"], ["--help"], ["--version"], ["--db"], ["--db", "--lang", "en"], ["--db", "a", "--db", "b"],
     ["--lang", "en", "init"], ["-h"]],
)
def test_anything_else_goes_to_the_command_line(argv: list[str]) -> None:
    assert console_options(argv) is None
