"""Every key the console binds can be typed in a real terminal.

Pilot presses a key by its name, so a test can press "ctrl+h" and see it work while a terminal
never delivers it: Ctrl+H is byte 0x08, which Textual reads as Backspace (so are Ctrl+I = Tab and
Ctrl+M = Enter). Here each bound key is compared with what Textual's own terminal parser makes of
the bytes a terminal sends for it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from textual._xterm_parser import XTermParser
from textual.binding import Binding
from textual.dom import DOMNode
from textual.events import Key

import deskapp


def deskapp_classes() -> list[type[DOMNode]]:
    found: dict[str, type[DOMNode]] = {}
    for module_info in pkgutil.walk_packages(deskapp.__path__, "deskapp."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, DOMNode) and cls.__module__.startswith("deskapp."):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[name] for name in sorted(found)]


def bound_keys() -> list[tuple[str, str]]:
    keys = set()
    for cls in deskapp_classes():
        for binding in cls.__dict__.get("BINDINGS", ()):
            key = binding.key if isinstance(binding, Binding) else binding[0]
            for one in key.split(","):
                keys.add((f"{cls.__module__}.{cls.__qualname__}", one.strip()))
    return sorted(keys)


def ctrl_letter_bytes(key: str) -> str | None:
    """The byte a terminal sends for Ctrl+<letter>, or None for any other key."""
    modifier, _, letter = key.partition("+")
    if modifier == "ctrl" and len(letter) == 1 and letter.isalpha():
        return chr(ord(letter.lower()) - ord("a") + 1)
    return None


def parsed(data: str) -> list[str]:
    return [event.key for event in XTermParser().feed(data) if isinstance(event, Key)]


def test_the_parser_is_what_the_check_relies_on() -> None:
    """The check below would pass for nothing if the parser read control bytes otherwise."""
    assert parsed("\x07") == ["ctrl+g"]
    assert parsed("\x04") == ["ctrl+d"]
    assert parsed("\x08") == ["backspace"]  # Ctrl+H
    assert parsed("\x09") == ["tab"]  # Ctrl+I


def test_the_console_binds_keys_and_ctrl_keys() -> None:
    keys = {key for _, key in bound_keys()}
    assert {"f1", "f2", "ctrl+q", "ctrl+g", "ctrl+d", "ctrl+s"} <= keys


@pytest.mark.parametrize(("owner", "key"), [pair for pair in bound_keys() if ctrl_letter_bytes(pair[1])])
def test_each_ctrl_key_bound_arrives_from_a_terminal_as_itself(owner: str, key: str) -> None:
    assert parsed(ctrl_letter_bytes(key)) == [key], f"{owner} binds {key}, which a terminal cannot send"
