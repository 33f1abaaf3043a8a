"""The layers point one way: the rules and the store never pull in the UI, the rules not even SQL.

Each check imports in a fresh interpreter and looks at sys.modules, so nothing this test process
has already imported can hide a stray import.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

PROBE = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys

    def walk(name):
        module = importlib.import_module(name)
        yield name
        for info in pkgutil.walk_packages(getattr(module, "__path__", []), name + "."):
            importlib.import_module(info.name)
            yield info.name

    imported = [m for name in sys.argv[1:] for m in walk(name)]
    print(json.dumps({"imported": imported, "modules": sorted(sys.modules)}))
    """
)


def probe(*packages: str) -> tuple[list[str], set[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE, *packages], capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    return result["imported"], set(result["modules"])


def loaded(modules: set[str], top: str) -> list[str]:
    return sorted(m for m in modules if m == top or m.startswith(top + "."))


@pytest.mark.parametrize(
    "package",
    [
        "deskapp.domain", "deskapp.services", "deskapp.store", "deskapp.standards",
        "deskapp.policy", "deskapp.clock", "deskapp.i18n", "deskapp.paths", "deskapp.errors",
    ],
)
def test_no_textual_below_the_screens(package: str) -> None:
    imported, modules = probe(package)
    assert package in imported
    assert loaded(modules, "textual") == []


def test_the_walk_reaches_every_module() -> None:
    imported, _ = probe("deskapp.domain", "deskapp.services", "deskapp.store")
    assert {"deskapp.domain.fees", "deskapp.services.setup", "deskapp.store.tables"} <= set(imported)


def test_the_domain_is_pure_python() -> None:
    imported, modules = probe("deskapp.domain")
    assert "deskapp.domain.fees" in imported
    for heavy in ("textual", "sqlalchemy", "sqlmodel", "alembic"):
        assert loaded(modules, heavy) == [], heavy


def test_the_cli_module_imports_no_heavy_library() -> None:
    """`deskapp --version` and `--help` stay quick: heavy imports live inside the commands."""
    _, modules = probe("deskapp.cli")
    for heavy in ("textual", "sqlalchemy", "sqlmodel", "alembic"):
        assert loaded(modules, heavy) == [], heavy
