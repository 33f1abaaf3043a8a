"""The 禁语 check inside a note field: a warning with the better wording, as the clerk types."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from deskapp.context import Context
from deskapp.i18n import Translator
from deskapp.standards.catalogue import shipped
from deskapp.widgets.note_field import NoteField


class NoteApp(App):
    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx
        self.flags: list[list[str]] = []

    def compose(self) -> ComposeResult:
        yield NoteField(id="note")

    def on_note_field_flagged(self, event: NoteField.Flagged) -> None:
        self.flags.append([hit.entry.id for hit in event.hits])


def _app(policy, clock, lang: str) -> NoteApp:
    return NoteApp(Context(store=None, policy=policy, clock=clock, t=Translator(lang), catalogue=shipped()))


def _warning(app: NoteApp) -> str:
    return str(app.query_one(".forbidden-warning", Static).render())


async def test_a_forbidden_phrase_is_flagged_with_the_better_wording(policy, clock) -> None:
    catalogue = shipped()
    entry = next(iter(catalogue.forbidden.values()))
    app = _app(policy, clock, "zh")
    async with app.run_test() as pilot:
        app.query_one(Input).focus()
        await pilot.press(*f"业主来电:{entry.match_zh[0]}。")
        await pilot.pause()
        warning = _warning(app)
        assert entry.match_zh[0] in warning
        assert entry.better.zh in warning
        assert app.flags == [[entry.id]]
        # clearing the text clears the warning
        app.query_one(Input).value = ""
        await pilot.pause()
        assert _warning(app) == ""
        assert app.flags[-1] == []


async def test_a_plain_note_is_not_flagged(policy, clock) -> None:
    app = _app(policy, clock, "zh")
    async with app.run_test() as pilot:
        app.query_one(Input).focus()
        await pilot.press(*"业主反映厨房水龙头漏水,我没有听清楚房号,已回电确认。")
        await pilot.pause()
        assert _warning(app) == ""
        assert app.flags == []


async def test_english_warning_in_the_english_ui(policy, clock) -> None:
    catalogue = shipped()
    entry = next(e for e in catalogue.forbidden.values() if e.match_en)
    app = _app(policy, clock, "en")
    async with app.run_test() as pilot:
        app.query_one(Input).value = f"Told the owner: {entry.match_en[0].upper()}"
        await pilot.pause()
        warning = _warning(app)
        assert entry.better.en in warning
        assert "Forbidden phrase" in warning
