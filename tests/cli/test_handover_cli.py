"""`deskapp handover list` and `deskapp handover show ID`, run as a supervisor runs them, on a
store where one handover was completed (with a note, a query and its answer) and one withdrawn."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from cli.test_cli import run
from deskapp.domain.roles import Action
from deskapp.services import handover as ho
from deskapp.services.auth import authorise


@pytest.fixture
def handed(demo_store, clock, policy):
    first = ho.open_handover(demo_store, clock, policy, 1)
    items = ho.get(demo_store, first).live
    ho.note_item(demo_store, clock, 1, items[0].id, "财务明早送发票")
    ho.note_shift(demo_store, clock, 1, first, "现金 0 元;钥匙 12 把")
    ho.present(demo_store, clock, policy, first, authorise(demo_store, clock, policy, "c02", "2468", Action.TAKE_OVER_SHIFT))
    ho.query(demo_store, clock, items[1].id, "回访打过没有?")
    ho.answer(demo_store, clock, items[1].id, "打过一次没人接")
    ho.acknowledge(demo_store, clock, [i.id for i in items])
    ho.complete(demo_store, clock, policy, first)
    second = ho.open_handover(demo_store, clock, policy, 2)
    ho.cancel(demo_store, clock, second, 2)
    return demo_store


def test_list_shows_the_newest_first_with_their_items(handed) -> None:
    done = run("handover", "list", "--db", handed.url)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("第 2 号") and "已撤回" in lines[0]
    assert lines[1] == "第 1 号 · 2026-11-24 10:00 · 陈小雨 → 林晓婷 · 已完成 · 6 项"
    english = run("--lang", "en", "handover", "list", "--limit", "1", "--db", handed.url)
    assert english.stdout.splitlines() == ["No. 2 · 2026-11-24 10:00 · 林晓婷 → — · withdrawn · 6 items"]


def test_show_prints_the_document(handed) -> None:
    shown = run("handover", "show", "1", "--db", handed.url)
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    for expected in ("交接班记录 第 1 号", "交班:陈小雨    接班:林晓婷", "交班说明:现金 0 元;钥匙 12 把", "交接事项(6 项)",
                     "交班备注:财务明早送发票", "接班询问:回访打过没有?", "答复:打过一次没人接", "[发票送达]"):
        assert expected in text, expected
    assert text.count("确认:2026-11-24 10:00") == 6


def test_an_unknown_handover_is_one_line_and_exit_1(handed) -> None:
    missing = run("handover", "show", "99", "--db", handed.url)
    assert missing.returncode == 1 and missing.stdout == ""
    assert missing.stderr.strip() == "deskapp: 找不到第 99 号交接"
    url = make_url(handed.url)
    nowhere = url.set(database=url.database.replace("demo.db", "none.db") if url.get_backend_name() == "sqlite" else "no_such_db")
    empty = run("handover", "list", "--db", nowhere.render_as_string(hide_password=False))
    assert empty.returncode == 1 and "Traceback" not in empty.stderr
