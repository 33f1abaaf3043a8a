"""Errors the clerk or the operator can be shown: each carries a message key of the locale files."""

from __future__ import annotations


class DeskappError(Exception):
    """An expected failure with a message for people, never a traceback."""

    def __init__(self, key: str, /, **params: object) -> None:  # `/`: a param may itself be named key
        super().__init__(key)
        self.key = key
        self.params = params

    def __str__(self) -> str:  # used where no translator is at hand
        if self.params:
            return f"{self.key}: " + ", ".join(f"{k}={v}" for k, v in self.params.items())
        return self.key


class FieldError(DeskappError):
    """Bad input or a refusal, to be shown at `field` of the form it came from."""

    def __init__(self, field: str, key: str, /, **params: object) -> None:
        super().__init__(key, **params)
        self.field = field
