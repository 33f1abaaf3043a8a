"""The daily report (客服中心日报表) and its range form: a day built from known events through the
services, counted by `services.report.daily()` table by table, then the real `deskapp report`
command on the same store and day in every format; an empty day; a range over a month's end;
masked and unmasked phones; the dates a clerk types.

The CLI takes "today" from the system clock, so every day here is an explicit past date, built
with FixedClocks at local (Asia/Shanghai) times. The expected figures are written by hand from
the events below, never recomputed with the report's own queries.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cli.test_cli import DESKAPP, one_line_failure
from openpyxl import load_workbook
from sqlmodel import select

from deskapp.clock import FixedClock
from deskapp.domain.visits import Level
from deskapp.errors import DeskappError
from deskapp.policy import Policy
from deskapp.services import calls, feedback, promises, visits, work_orders
from deskapp.services import handover as ho
from deskapp.services import releases as R
from deskapp.services.report import daily, mask_phone, parse_day, span
from deskapp.store.engine import Store
from deskapp.store.tables import AuditEvent, Unit

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 20)  # a Friday before the demo was loaded (2026-11-24): empty until built here
CLERK, COLLEAGUE, SUPERVISOR = 1, 2, 4  # demo: 陈小雨 (demo/1234), 林晓婷 (c02/2468), 黄丽娟 (super/5678)
BROKEN_PHONE = "13812345678"
MASKED_BROKEN_PHONE = "138****5678"
MISSED_PHONE = "13700000003"
ID = "44030519900101123X"
DRIVER = "440306198506152013"


def local(hh: int, mm: int, ss: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=TZ)


def at(hh: int, mm: int, ss: int = 0, day: date = DAY) -> FixedClock:
    """A clock stopped at a local time of the day."""
    return FixedClock(local(hh, mm, ss, day))


def _unit_id(store: Store, code: str) -> int:
    with store.read() as session:
        return session.exec(select(Unit.id).where(Unit.code == code)).one()


def _issued(store: Store, clock: FixedClock, policy: Policy, unit: str, today: date = DAY) -> int:
    """A release slip issued by the clerk for the unit's owner (as tests/cli/test_slip.py)."""
    owner = next(p for p in R.residents(store, unit)[1] if p.kind == "owner")
    request = R.start(store, clock, CLERK, unit_code=unit, kind="owner", person_id=owner.id, today=today)
    R.record_id(store, clock, CLERK, request, "resident_id", ID, today)
    R.record_goods(store, clock, CLERK, request, goods="沙发1、纸箱10", plate="粤B12345", driver="张师傅", driver_id=DRIVER, today=today)
    R.record_signature(store, clock, CLERK, request)
    return R.issue(store, clock, policy, CLERK, request, today)


def build_day(store: Store, policy: Policy) -> None:
    """2026-11-20 at the counter, every event at a known local time."""
    # Visits: waits 60 s and 180 s (payment), 120 s (repair); one visitor leaves unserved.
    v1 = visits.register_arrival(store, at(9, 0), CLERK, unit_code="1-1-201", surname="高", title="女士", purpose="payment")
    visits.start_service(store, at(9, 1), v1, CLERK, "fee_payment")
    visits.finish(store, at(9, 10), v1, CLERK, "done", satisfaction=5)
    v2 = visits.register_arrival(store, at(9, 5), CLERK, unit_code="", surname="周", title="先生", purpose="payment")
    visits.escalate(store, at(9, 8), v2, CLERK, COLLEAGUE, Level.COLLEAGUE, "std2")  # Std 2: 3 minutes, to a colleague
    visits.finish(store, at(9, 20), v2, COLLEAGUE, "done", satisfaction=4)
    v3 = visits.register_arrival(store, at(10, 0), CLERK, unit_code="2-1-1601", surname="刘", title="先生", purpose="repair")
    visits.start_service(store, at(10, 2), v3, CLERK, "repair")
    visits.escalate(store, at(10, 6), v3, CLERK, SUPERVISOR, Level.SUPERVISOR, "question")  # Std 5: up to the supervisor
    visits.finish(store, at(10, 15), v3, SUPERVISOR, "done", satisfaction=3)
    v4 = visits.register_arrival(store, at(11, 0), CLERK, unit_code="", surname="李", title="小姐", purpose="inquiry")
    visits.mark_left(store, at(11, 5), v4, CLERK)

    # Calls in: answered after 5 s (held 3 s, within 7 s), after 25 s (held 12 s), one missed.
    c1 = calls.ring(store, at(9, 30), "13700000001")
    calls.answer(store, at(9, 30, 5), c1, CLERK)
    calls.hold(store, at(9, 31, 0), c1, CLERK)
    calls.resume(store, at(9, 31, 3), c1, CLERK)
    calls.end(store, at(9, 33), c1, CLERK, "done")
    c2 = calls.ring(store, at(9, 40), "13700000002")
    calls.answer(store, at(9, 40, 25), c2, COLLEAGUE)
    calls.hold(store, at(9, 41, 0), c2, COLLEAGUE)
    calls.resume(store, at(9, 41, 12), c2, COLLEAGUE)
    calls.end(store, at(9, 45), c2, COLLEAGUE, "done")
    c3 = calls.ring(store, at(9, 50), MISSED_PHONE)
    calls.mark_missed(store, at(9, 50, 40), c3, CLERK)

    # Promises: a callback broken (with a phone), an invoice delivery kept, a message still open.
    p1 = promises.make(store, at(9, 35), policy, CLERK, "callback", "中午前回电告知维修时间", customer="王先生",
                       phone=BROKEN_PHONE, unit_id=_unit_id(store, "3-1-1802"), due_at=local(12, 0))
    p2 = promises.make(store, at(9, 15), policy, CLERK, "invoice_delivery", "下午三点前把发票送到家", customer="高女士",
                       due_at=local(15, 0))
    promises.close(store, at(12, 30), CLERK, p1, "broken")
    promises.close(store, at(14, 0), CLERK, p2, "kept")
    promises.make(store, at(10, 30), policy, COLLEAGUE, "message", "转告物业经理", customer="赵先生", phone="13987654321")

    # A household repair: dispatched for 11:00 (due on site by 11:15), on site 11:10, a 20-minute
    # review, finished, signed with satisfaction 4, called back satisfied.
    h = work_orders.open_order(store, at(10, 30), CLERK, area="household", unit_code="1-1-201", item="厨房水龙头漏水")
    work_orders.dispatch(store, at(10, 35), policy, CLERK, h, local(11, 0), "十一点师傅上门")
    assert work_orders.arrive(store, at(11, 10), CLERK, h, local(11, 10)) is False
    work_orders.start_review(store, at(11, 15), CLERK, h)
    assert work_orders.end_review(store, at(11, 35), policy, CLERK, h) is False
    work_orders.finish(store, at(11, 40), CLERK, h, [], 0, "")
    assert work_orders.sign(store, at(11, 45), CLERK, h, "高梅", 4) == "signed"
    assert work_orders.callback(store, at(16, 0), CLERK, h, True, "满意") == "closed"
    # A public repair dispatched for 14:00 (due by 14:15): nobody on site by the day's end.
    p = work_orders.open_order(store, at(13, 0), CLERK, area="public", place="3栋大堂", item="大堂灯不亮")
    work_orders.dispatch(store, at(13, 5), policy, CLERK, p, local(14, 0), "两点师傅到场")

    # Complaints: one valid and answered within the day, one judged not valid.
    f1 = feedback.receive(store, at(14, 30), CLERK, what="电梯噪音太大", wants="尽快检修", unit_code="2-1-1601", customer="刘先生")
    feedback.judge_valid(store, at(14, 40), CLERK, f1, kind="complaint", category="property_management", severity="general",
                         department="工程部")
    feedback.answer(store, at(16, 30), CLERK, f1, "已安排工程部检修")
    f2 = feedback.receive(store, at(15, 0), COLLEAGUE, what="建议小区增加儿童游乐设施")
    feedback.judge_invalid(store, at(15, 5), COLLEAGUE, f2, "不属于物业服务范围")

    # Release slips: two issued, the second voided by the supervisor, the first checked by the guard.
    first = _issued(store, at(15, 30), policy, "1-1-201")
    second = _issued(store, at(15, 40), policy, "1-1-1202")
    R.void(store, at(15, 50), policy, second, "super", "5678", "物品登记错误")
    assert R.verify(store, at(16, 10), first, guard="门岗李").status == "valid"

    # Registers: a worker's key lent at 09:30 and not back by the day's end (due 18:00); a wallet
    # handed in and claimed; a renovation opened and patrolled once, a violation found.
    from deskapp.services import keys as K
    from deskapp.services import lost_found as L
    from deskapp.services import renovation as N

    key = K.add_key(store, at(8, 0), CLERK, label="1-1-201-A", unit_code="1-1-201", what="入户门 2 把")
    K.lend(store, at(9, 30), policy, CLERK, key, borrower_kind="worker", borrower="李师傅", purpose="更换水管", today=DAY)
    wallet = L.register(store, at(11, 0), CLERK, what="黑色钱包", where_found="3栋大堂", kept_where="前台保险柜")
    L.claim(store, at(15, 0), CLERK, wallet, claimant="王芳", id_type="resident_id", id_no="110101199003074514", signed=True,
            today=DAY)
    works = N.open_renovation(store, at(10, 0), CLERK, unit_code="1-1-1202", permit_no="ZX-2026-031", owner="吴先生")
    N.patrol(store, at(16, 0), CLERK, works, ok=False, violation="擅自拆改承重墙")

    # The colleague hands over to the clerk: the open message promise changes hands.
    handover_id = ho.open_handover(store, at(17, 30), policy, COLLEAGUE)
    ho.present(store, at(17, 31), policy, handover_id, ho.signed_in_as(store, CLERK))
    ho.acknowledge(store, at(17, 32), [i.id for i in ho.get(store, handover_id).items if i.state != "closed"])
    assert ho.complete(store, at(17, 33), policy, handover_id).state == "done"


# The day's figures, by hand from the events above.
EXPECTED: dict[str, list[dict]] = {
    "summary": [
        {"metric": "visits", "value": 4},
        {"metric": "visit_wait_median_s", "value": 120},
        {"metric": "calls_in", "value": 3},
        {"metric": "answered_within_rings_pct", "value": 50.0},
        {"metric": "calls_missed", "value": 1},
        {"metric": "repairs_household_new", "value": 1},
        {"metric": "repairs_public_new", "value": 1},
        {"metric": "repairs_done", "value": 1},
        {"metric": "repairs_open", "value": 1},
        {"metric": "repairs_overdue", "value": 1},
        {"metric": "complaints_received", "value": 2},
        {"metric": "complaints_answered_late", "value": 0},
        {"metric": "slips_issued", "value": 2},
        {"metric": "promises_made", "value": 5},
        {"metric": "promises_kept", "value": 2},
        {"metric": "promises_broken", "value": 1},
        {"metric": "handovers_done", "value": 1},
        {"metric": "keys_overdue_at_end", "value": 1},
    ],
    "visits": [
        {"purpose": "inquiry", "visits": 1, "served": 0, "left_unserved": 1, "wait_median_s": None, "wait_longest_s": None,
         "satisfaction": None},
        # two waits, 60 and 180: the median is the lower of the two middles (the service's docstring)
        {"purpose": "payment", "visits": 2, "served": 2, "left_unserved": 0, "wait_median_s": 60, "wait_longest_s": 180,
         "satisfaction": 4.5},
        {"purpose": "repair", "visits": 1, "served": 1, "left_unserved": 0, "wait_median_s": 120, "wait_longest_s": 120,
         "satisfaction": 3.0},
        {"purpose": "total", "visits": 4, "served": 3, "left_unserved": 1, "wait_median_s": 120, "wait_longest_s": 180,
         "satisfaction": 4.0},
    ],
    "visit_escalations": [
        {"kind": "handed_to_colleague", "count": 1},
        {"kind": "to_colleague", "count": 0},
        {"kind": "to_supervisor", "count": 1},
        {"kind": "to_director", "count": 0},
    ],
    "calls": [
        {"metric": "in", "value": 3},
        {"metric": "out", "value": 0},
        {"metric": "answered", "value": 2},
        {"metric": "answered_within_rings", "value": 1},
        {"metric": "answered_within_rings_pct", "value": 50.0},
        {"metric": "held", "value": 2},
        {"metric": "held_over_limit", "value": 1},
        {"metric": "missed", "value": 1},
        {"metric": "missed_returned", "value": 0},
        {"metric": "callbacks_due", "value": 1},
        {"metric": "callbacks_done", "value": 0},
    ],
    "repairs": [
        {"area": "household", "new": 1, "done": 1, "closed": 1, "open": 0, "overdue": 0, "arrived": 1, "arrived_on_time": 1,
         "arrived_on_time_pct": 100.0, "reviewed": 1, "reviewed_on_time": 1, "reviewed_on_time_pct": 100.0,
         "satisfaction": 4.0, "callbacks": 1, "callbacks_failed": 0, "referred": 0},
        {"area": "public", "new": 1, "done": 0, "closed": 0, "open": 1, "overdue": 1, "arrived": 0, "arrived_on_time": 0,
         "arrived_on_time_pct": None, "reviewed": 0, "reviewed_on_time": 0, "reviewed_on_time_pct": None,
         "satisfaction": None, "callbacks": 0, "callbacks_failed": 0, "referred": 0},
        {"area": "total", "new": 2, "done": 1, "closed": 1, "open": 1, "overdue": 1, "arrived": 1, "arrived_on_time": 1,
         "arrived_on_time_pct": 100.0, "reviewed": 1, "reviewed_on_time": 1, "reviewed_on_time_pct": 100.0,
         "satisfaction": 4.0, "callbacks": 1, "callbacks_failed": 0, "referred": 0},
    ],
    "complaints_summary": [
        {"metric": "received", "value": 2},
        {"metric": "invalid", "value": 1},
        {"metric": "major", "value": 0},
        {"metric": "escalated", "value": 0},
        {"metric": "answered", "value": 1},
        {"metric": "answered_on_time", "value": 1},
        {"metric": "answered_late", "value": 0},
        {"metric": "closed", "value": 1},
        {"metric": "reopened", "value": 0},
    ],
    "complaints": [
        {"kind": "complaint", "category": "property_management", "severity": "general", "received": 1},
    ],
    "releases": [
        {"metric": "requests", "value": 2},
        {"metric": "issued", "value": 2},
        {"metric": "refused", "value": 0},
        {"metric": "pending_owner", "value": 0},
        {"metric": "void", "value": 1},
        {"metric": "checked_by_guard", "value": 1},
        {"metric": "director_notified", "value": 0},
    ],
    # made: the callback, the invoice delivery, the message and the two repairs' arrival promises;
    # kept: the invoice delivery and the household arrival (on time); open past due at the end:
    # the public repair's arrival (due 14:15); handed over: the message.
    "promises": [
        {"metric": "made", "value": 5},
        {"metric": "kept", "value": 2},
        {"metric": "broken", "value": 1},
        {"metric": "withdrawn", "value": 0},
        {"metric": "handed_over", "value": 1},
        {"metric": "past_due_open_at_end", "value": 1},
        {"metric": "handovers_done", "value": 1},
    ],
    "registers": [
        {"metric": "keys_lent", "value": 1},
        {"metric": "keys_returned", "value": 0},
        {"metric": "keys_out_at_end", "value": 1},
        {"metric": "keys_overdue_at_end", "value": 1},
        {"metric": "keys_checks", "value": 0},
        {"metric": "found_registered", "value": 1},
        {"metric": "found_claimed", "value": 1},
        {"metric": "found_disposed", "value": 0},
        {"metric": "found_held_at_end", "value": 0},
        {"metric": "vacancy_applications", "value": 0},
        {"metric": "vacancies_confirmed", "value": 0},
        {"metric": "vacancies_refused", "value": 0},
        {"metric": "vacancy_inspections", "value": 0},
        {"metric": "vacancy_found_lived_in", "value": 0},
        {"metric": "renovations_opened", "value": 1},
        {"metric": "renovation_patrols", "value": 1},
        {"metric": "renovation_violations", "value": 1},
        {"metric": "deposits_refunded", "value": 0},
    ],
    # By name (the service sorts them): 林 U+6797 < 陈 U+9648 < 黄 U+9EC4. A visit counts for the one
    # who serves it in the end: the Std-2 visitor for the colleague, the escalated one for the supervisor.
    "by_clerk": [
        {"clerk": "林晓婷", "visits_served": 1, "calls_answered": 1, "repairs_taken": 0, "complaints_taken": 1,
         "slips_issued": 0, "promises_made": 1, "promises_kept": 0, "promises_broken": 0},
        {"clerk": "陈小雨", "visits_served": 1, "calls_answered": 1, "repairs_taken": 2, "complaints_taken": 1,
         "slips_issued": 2, "promises_made": 4, "promises_kept": 2, "promises_broken": 1},
        {"clerk": "黄丽娟", "visits_served": 1, "calls_answered": 0, "repairs_taken": 0, "complaints_taken": 0,
         "slips_issued": 0, "promises_made": 0, "promises_kept": 0, "promises_broken": 0},
    ],
    "broken_promises": [
        {"kind": "callback", "customer": "王先生", "phone": MASKED_BROKEN_PHONE, "unit": "3-1-1802", "due": "2026-11-20 12:00",
         "owner": "陈小雨"},
    ],
    "missed_not_returned": [
        {"phone": "137****0003", "unit": "", "rang": "2026-11-20 09:50"},
    ],
}
SECTIONS = ["summary", "visits", "visit_escalations", "calls", "repairs", "complaints_summary", "complaints", "releases",
            "promises", "registers", "by_clerk", "broken_promises", "missed_not_returned"]


@pytest.fixture
def day_store(demo_store: Store, policy: Policy) -> Store:
    build_day(demo_store, policy)
    return demo_store


def deskapp(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
    """The real console script, as `run` in test_cli.py, with stdin when given. A session of its own
    (no controlling terminal), so that a PIN prompt reads stdin, never the tester's terminal; no
    COLUMNS, so that the terminal table is as wide as a plain pipe or an 80-column console."""
    assert DESKAPP, "the deskapp console script is not installed (pip install -e '.[test]')"
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    stdin = {"input": input} if input is not None else {"stdin": subprocess.DEVNULL}
    return subprocess.run([DESKAPP, *args], check=False, capture_output=True, text=True, timeout=120, env=env, start_new_session=True, **stdin)


def ok(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr)
    assert "Traceback" not in done.stderr
    return done


def table_rows(text: str) -> list[list[str]]:
    """The cells of every row (and header) of the terminal tables, stripped."""
    return [[c.strip() for c in line.replace("┃", "│").split("│")[1:-1]] for line in text.splitlines() if "│" in line or "┃" in line]


def csv_sections(text: str) -> tuple[str, dict[str, tuple[list[str], list[list[str]]]]]:
    """The report's CSV: a title line, then per section a blank line, its name, its headers, its rows."""
    rows = list(csv.reader(io.StringIO(text)))
    title, sections, n = rows[0][0], {}, 1
    while n < len(rows):
        assert rows[n] == [], rows[n]
        name, headers, n = rows[n + 1][0], rows[n + 2], n + 3
        body = []
        while n < len(rows) and rows[n] != []:
            body.append(rows[n])
            n += 1
        sections[name] = (headers, body)
    return title, sections


SECTION_NAMES = ["汇总", "来访接待", "安排同事接待与服务上移", "电话", "报修(入户/公共)", "投诉建议", "投诉建议分类", "放行条",
                 "承诺与交接班", "登记簿(钥匙、拾遗、空置房、装修)", "按接待员", "失约的承诺", "未回复的未接来电"]
SHEETS = [name.replace("/", "") for name in SECTION_NAMES]  # "/" cannot be in a sheet's name
SUMMARY_LABELS = ["来访人次", "等候中位数(秒)", "来电", "三声内接听率%", "未接来电", "入户报修", "公共报修", "报修完工", "报修未结",
                  "超时未到场", "受理投诉建议", "超时答复", "开出放行条", "作出承诺", "兑现承诺", "失约", "完成交接班", "日终逾期未还钥匙"]
REPAIR_HEADERS = ["类型", "新报修", "完工", "关闭", "未结", "超时未到场", "到场", "准时到场", "到场及时率%", "评审", "评审及时",
                  "评审及时率%", "满意度", "回访", "回访不满意", "转介"]
TITLE = "客服中心日报表 2026-11-20 · 海悦花园管理处"
# On the terminal, tables wider than 7 columns are printed turned: one row per figure, one column
# per area (or clerk), so that they stay readable at 80 columns.
_HOUSEHOLD = ["1", "1", "1", "0", "0", "1", "1", "100", "1", "1", "100", "4", "1", "0", "0"]
_PUBLIC = ["1", "0", "0", "1", "1", "0", "0", "—", "0", "0", "—", "—", "0", "0", "0"]
_TOTAL = ["2", "1", "1", "1", "1", "1", "1", "100", "1", "1", "100", "4", "1", "0", "0"]
TURNED_REPAIRS = [["类型", "入户", "公共", "合计"]] + [
    [header, h, p, t] for header, h, p, t in zip(REPAIR_HEADERS[1:], _HOUSEHOLD, _PUBLIC, _TOTAL)
]
_CLERK_HEADERS = ["接待来访", "接听电话", "受理报修", "受理投诉", "开放行条", "作出承诺", "兑现承诺", "失约"]
_BY_CLERK = {"林晓婷": ["1", "1", "0", "1", "0", "1", "0", "0"], "陈小雨": ["1", "1", "2", "1", "2", "4", "2", "1"],
             "黄丽娟": ["1", "0", "0", "0", "0", "0", "0", "0"]}
TURNED_CLERKS = [["接待员", *_BY_CLERK]] + [
    [header, *(values[n] for values in _BY_CLERK.values())] for n, header in enumerate(_CLERK_HEADERS)
]


def check_xlsx_equals_json(path: Path, sections: dict[str, list[dict]], ids: list[str], sheets: list[str], title: str) -> None:
    """A summary sheet first, one sheet per section: the title on row 1, the section on row 2, the
    headers on row 3, then the rows — every number a number, equal to the JSON's."""
    book = load_workbook(path)
    assert book.sheetnames == sheets
    for table_id, sheet in zip(ids, book.worksheets, strict=True):
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == title, table_id
        assert rows[1][0].replace("/", "") == sheet.title, table_id  # the section's name
        headers = [h for h in rows[2] if h is not None]
        if sections[table_id]:
            assert len(headers) == len(sections[table_id][0]), table_id
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in headers), (table_id, headers)  # Chinese headers
        body = rows[3:]
        assert len(body) == len(sections[table_id]), table_id
        for cells, record in zip(body, sections[table_id], strict=True):
            for cell, (column, value) in zip(cells[1:], list(record.items())[1:], strict=True):
                if value is None or isinstance(value, int | float):
                    assert cell == value and type(cell) is not str, (table_id, column, cell, value)


# -- the service ---------------------------------------------------------------------------------------


def test_the_day_counted_table_by_table(day_store: Store, clock: FixedClock, policy: Policy) -> None:
    report = daily(day_store, clock, policy, DAY)
    assert (report.kind, report.start, report.end, report.masked) == ("daily", DAY, DAY, True)
    assert report.site == "海悦花园管理处"
    assert [t.id for t in report.tables] == SECTIONS
    for table_id in SECTIONS:
        assert report.table(table_id).as_dicts() == EXPECTED[table_id], table_id


def test_the_days_around_are_not_counted(day_store: Store, clock: FixedClock, policy: Policy) -> None:
    """Nothing of the 20th leaks into the 19th or the 21st (local days, UTC+8); the public repair
    still waiting is open and overdue at the end of the 21st too."""
    for other in (DAY - timedelta(days=1), DAY + timedelta(days=1)):
        summary = dict(daily(day_store, clock, policy, other).table("summary").rows)
        for metric in ("visits", "calls_in", "calls_missed", "repairs_household_new", "repairs_public_new", "repairs_done",
                       "complaints_received", "slips_issued", "promises_made", "promises_kept", "promises_broken", "handovers_done"):
            assert summary[metric] == 0, (other, metric)
    after = dict(daily(day_store, clock, policy, DAY + timedelta(days=1)).table("summary").rows)
    assert (after["repairs_open"], after["repairs_overdue"]) == (1, 1)
    before = dict(daily(day_store, clock, policy, DAY - timedelta(days=1)).table("summary").rows)
    assert (before["repairs_open"], before["repairs_overdue"]) == (0, 0)


# -- the command, every format ---------------------------------------------------------------------------


def test_json_has_the_same_numbers(day_store: Store) -> None:
    done = ok(deskapp("report", "daily", "--date", "2026-11-20", "--format", "json", "--db", day_store.url))
    document = json.loads(done.stdout)
    assert {k: document[k] for k in ("report", "version", "start", "end", "site", "masked")} == {
        "report": "daily", "version": 1, "start": "2026-11-20", "end": "2026-11-20", "site": "海悦花园管理处", "masked": True,
    }
    datetime.fromisoformat(document["generated_at"])
    assert list(document["sections"]) == SECTIONS
    for table_id in SECTIONS:
        assert document["sections"][table_id] == EXPECTED[table_id], table_id
    assert BROKEN_PHONE not in done.stdout and MISSED_PHONE not in done.stdout


def test_csv_on_stdout_and_in_a_file_with_a_bom(day_store: Store, tmp_path: Path) -> None:
    shown = ok(deskapp("report", "daily", "--date", "2026-11-20", "--format", "csv", "--db", day_store.url)).stdout
    title, sections = csv_sections(shown)
    assert title == TITLE
    assert list(sections) == SECTION_NAMES
    assert sections["汇总"] == (["项目", "数值"], [list(pair) for pair in zip(SUMMARY_LABELS, [
        "4", "120", "3", "50.0", "1", "1", "1", "1", "1", "1", "2", "0", "2", "5", "2", "1", "1", "1"], strict=True)])
    assert sections["来访接待"] == (["来访事由", "来访", "已接待", "未接待离开", "等候中位数(秒)", "最长等候(秒)", "满意度"], [
        ["咨询", "1", "0", "1", "", "", ""],
        ["缴费", "2", "2", "0", "60", "180", "4.5"],
        ["报修", "1", "1", "0", "120", "120", "3.0"],
        ["合计", "4", "3", "1", "120", "180", "4.0"],
    ])
    assert sections["安排同事接待与服务上移"][1] == [["3分钟安排同事接待", "1"], ["转相关同事", "0"], ["上移客服主任", "1"], ["上移管理处主任", "0"]]
    assert dict(sections["电话"][1]) == {"来电": "3", "去电(回电)": "0", "接听": "2", "三声内接听": "1", "三声内接听率%": "50.0",
                                         "曾保留": "2", "保留超时": "1", "未接": "1", "未接已回电": "0", "应回电": "1", "已回电": "0"}
    assert sections["报修(入户/公共)"] == (REPAIR_HEADERS, [
        ["入户", "1", "1", "1", "0", "0", "1", "1", "100.0", "1", "1", "100.0", "4.0", "1", "0", "0"],
        ["公共", "1", "0", "0", "1", "1", "0", "0", "", "0", "0", "", "", "0", "0", "0"],
        ["合计", "2", "1", "1", "1", "1", "1", "1", "100.0", "1", "1", "100.0", "4.0", "1", "0", "0"],
    ])
    assert dict(sections["投诉建议"][1]) == {"受理": "2", "无效诉求": "1", "重大问题": "0", "上报上级": "0", "答复客户": "1",
                                           "按时答复": "1", "超时答复": "0", "关闭": "1", "回访不满意重新处理": "0"}
    assert sections["投诉建议分类"][1] == [["投诉", "物业管理类", "一般性问题", "1"]]
    assert dict(sections["放行条"][1]) == {"放行申请": "2", "开出放行条": "2", "不予放行": "0", "待业主答复": "0", "作废": "1",
                                        "门岗查验": "1", "通知管理处主任": "0"}
    assert dict(sections["承诺与交接班"][1]) == {"作出承诺": "5", "兑现": "2", "失约": "1", "撤回": "0", "交接班转交": "1",
                                             "日终仍未兑现且已到期": "1", "完成交接班": "1"}
    assert sections["按接待员"] == (
        ["接待员", "接待来访", "接听电话", "受理报修", "受理投诉", "开放行条", "作出承诺", "兑现承诺", "失约"],
        [["林晓婷", "1", "1", "0", "1", "0", "1", "0", "0"], ["陈小雨", "1", "1", "2", "1", "2", "4", "2", "1"],
         ["黄丽娟", "1", "0", "0", "0", "0", "0", "0", "0"]],
    )
    assert sections["失约的承诺"] == (["类别", "客户", "电话", "房号", "期限", "负责人"],
                                  [["回电/回访", "王先生", "138****5678", "3-1-1802", "2026-11-20 12:00", "陈小雨"]])
    assert sections["未回复的未接来电"] == (["电话", "房号", "来电时间"], [["137****0003", "", "2026-11-20 09:50"]])

    target = tmp_path / "day.csv"
    written = ok(deskapp("report", "daily", "--date", "2026-11-20", "--format", "csv", "--out", str(target), "--db", day_store.url))
    assert written.stdout == "" and str(target) in written.stderr
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # so that Excel and WPS read the Chinese
    assert raw.decode("utf-8-sig") == shown


def test_markdown_in_chinese_and_in_english(day_store: Store) -> None:
    md = ok(deskapp("report", "daily", "--date", "2026-11-20", "--format", "md", "--db", day_store.url)).stdout
    lines = md.splitlines()
    assert lines[0] == f"# {TITLE}"
    for line in ("## 汇总", "| 项目 | 数值 |", "| 来访人次 | 4 |", "| 等候中位数(秒) | 120 |", "| 三声内接听率% | 50 |",
                 "| 缴费 | 2 | 2 | 0 | 60 | 180 | 4.5 |", "| 咨询 | 1 | 0 | 1 | — | — | — |", "| 合计 | 4 | 3 | 1 | 120 | 180 | 4 |",
                 "| 3分钟安排同事接待 | 1 |", "| 保留超时 | 1 |", "| " + " | ".join(REPAIR_HEADERS) + " |",
                 "| 入户 | 1 | 1 | 1 | 0 | 0 | 1 | 1 | 100 | 1 | 1 | 100 | 4 | 1 | 0 | 0 |",
                 "| 公共 | 1 | 0 | 0 | 1 | 1 | 0 | 0 | — | 0 | 0 | — | — | 0 | 0 | 0 |",
                 "| 投诉 | 物业管理类 | 一般性问题 | 1 |", "| 作废 | 1 |", "| 交接班转交 | 1 |",
                 "| 陈小雨 | 1 | 1 | 2 | 1 | 2 | 4 | 2 | 1 |", "| 回电/回访 | 王先生 | 138****5678 | 3-1-1802 | 2026-11-20 12:00 | 陈小雨 |",
                 "| 137****0003 |  | 2026-11-20 09:50 |"):
        assert line in lines, line
    assert "(无)" not in md  # every section has rows on this day

    en = ok(deskapp("--lang", "en", "report", "daily", "--date", "2026-11-20", "--format", "md", "--db", day_store.url)).stdout
    lines = en.splitlines()
    assert lines[0] == "# Customer service centre daily report 2026-11-20 · 海悦花园管理处"
    for line in ("## Summary", "| Item | Value |", "| Visits | 4 |", "| Median wait (s) | 120 |", "| Calls in | 3 |",
                 "| Payment | 2 | 2 | 0 | 60 | 180 | 4.5 |", "| Total | 4 | 3 | 1 | 120 | 180 | 4 |",
                 "| Household | 1 | 1 | 1 | 0 | 0 | 1 | 1 | 100 | 1 | 1 | 100 | 4 | 1 | 0 | 0 |",
                 "| Public | 1 | 0 | 0 | 1 | 1 | 0 | 0 | — | 0 | 0 | — | — | 0 | 0 | 0 |"):
        assert line in lines, line
    assert not any(ch in en for ch in "来访合计汇总入户公共")  # labels in English; names and the site stay as they are


def test_table_written_to_a_file(day_store: Store, tmp_path: Path) -> None:
    target = tmp_path / "day.txt"
    done = ok(deskapp("report", "daily", "--date", "2026-11-20", "--out", str(target), "--db", day_store.url))
    assert done.stdout == ""
    text = target.read_text(encoding="utf-8")
    assert text.splitlines()[0] == TITLE
    for words in (["来访人次", "4"], ["等候中位数(秒)", "120"], ["三声内接听率%", "50"], ["完成交接班", "1"],
                  ["缴费", "2", "2", "0", "60", "180", "4.5"], ["合计", "4", "3", "1", "120", "180", "4"],
                  *TURNED_REPAIRS, *TURNED_CLERKS,
                  ["回电/回访", "王先生", "138****5678", "3-1-1802", "2026-11-20 12:00", "陈小雨"],
                  ["137****0003", "", "2026-11-20 09:50"]):
        assert words in table_rows(text), words


def test_table_on_stdout_keeps_every_label_and_number(day_store: Store) -> None:
    """`deskapp report daily` (the default format) printed where the output is 80 columns wide (a
    pipe, a standard console): every section's labels and numbers must still be readable."""
    text = ok(deskapp("report", "daily", "--date", "2026-11-20", "--db", day_store.url)).stdout
    assert text.splitlines()[0] == TITLE
    for label in [*SUMMARY_LABELS, "来访接待", "缴费", "报修(入户/公共)", "按接待员", "陈小雨", "138****5678", "137****0003"]:
        assert label in text, label
    cells = table_rows(text)
    for row in (*TURNED_REPAIRS, *TURNED_CLERKS):
        assert row in cells, (row, [c for c in cells if len(c) == len(row)])


def test_xlsx_summary_first_one_sheet_per_section_numbers_as_numbers(day_store: Store, tmp_path: Path) -> None:
    target = tmp_path / "day.xlsx"
    done = ok(deskapp("report", "daily", "--date", "2026-11-20", "--format", "xlsx", "--out", str(target), "--db", day_store.url))
    assert done.stdout == "" and str(target) in done.stderr
    document = json.loads(ok(deskapp("report", "daily", "--date", "2026-11-20", "--format", "json", "--db", day_store.url)).stdout)
    check_xlsx_equals_json(target, document["sections"], SECTIONS, SHEETS, TITLE)
    book = load_workbook(target)
    summary = book.worksheets[0]
    assert [c.value for c in summary[3]] == ["项目", "数值"] and all(c.font.bold for c in summary[3])
    assert [[c.value for c in row] for row in summary.iter_rows(min_row=4)] == [list(pair) for pair in zip(SUMMARY_LABELS, [
        4, 120, 3, 50, 1, 1, 1, 1, 1, 1, 2, 0, 2, 5, 2, 1, 1, 1], strict=True)]
    assert [c.value for c in book["报修(入户公共)"][3]] == REPAIR_HEADERS
    assert [c.value for c in book["报修(入户公共)"][4]] == ["入户", 1, 1, 1, 0, 0, 1, 1, 100, 1, 1, 100, 4, 1, 0, 0]
    assert [c.value for c in book["失约的承诺"][4]] == ["回电/回访", "王先生", MASKED_BROKEN_PHONE, "3-1-1802", "2026-11-20 12:00", "陈小雨"]


# -- an empty day -------------------------------------------------------------------------------------------

NULLABLE = {"visit_wait_median_s", "answered_within_rings_pct", "wait_median_s", "wait_longest_s", "satisfaction",
            "arrived_on_time_pct", "reviewed_on_time_pct"}  # nothing to measure: null, never 0


def test_an_empty_day_is_zeros_in_every_format(demo_store: Store, tmp_path: Path) -> None:
    url = demo_store.url
    document = json.loads(ok(deskapp("report", "daily", "--date", "2026-11-20", "--format", "json", "--db", url)).stdout)
    sections = document["sections"]
    assert list(sections) == SECTIONS
    for table_id in ("complaints", "by_clerk", "broken_promises", "missed_not_returned"):
        assert sections[table_id] == [], table_id
    assert sections["visits"] == [{"purpose": "total", "visits": 0, "served": 0, "left_unserved": 0, "wait_median_s": None,
                                   "wait_longest_s": None, "satisfaction": None}]
    assert [r["area"] for r in sections["repairs"]] == ["household", "public", "total"]
    for table_id in ("summary", "visit_escalations", "calls", "complaints_summary", "releases", "promises"):
        assert sections[table_id], table_id
        for record in sections[table_id]:
            key = record.get("metric") or record.get("kind")
            assert record[next(c for c in ("value", "count") if c in record)] == (None if key in NULLABLE else 0), (table_id, record)
    for record in sections["repairs"]:
        assert {k: v for k, v in record.items() if k != "area"} == {k: None if k in NULLABLE else 0 for k in record if k != "area"}

    title, csv_tables = csv_sections(ok(deskapp("report", "daily", "--date", "2026-11-20", "--format", "csv", "--db", url)).stdout)
    assert title == TITLE
    assert csv_tables["汇总"][1] == [[label, "" if n in (1, 3) else "0"] for n, label in enumerate(SUMMARY_LABELS)]
    assert csv_tables["来访接待"][1] == [["合计", "0", "0", "0", "", "", ""]]
    assert csv_tables["按接待员"][1] == [] and csv_tables["失约的承诺"][1] == []

    md = ok(deskapp("report", "daily", "--date", "2026-11-20", "--format", "md", "--db", url)).stdout
    assert "| 来访人次 | 0 |" in md and "| 三声内接听率% | — |" in md
    assert md.count("| (无) |") == 4  # the four sections without rows say so

    table = ok(deskapp("report", "daily", "--date", "2026-11-20", "--format", "table", "--db", url)).stdout
    assert table.splitlines()[0] == TITLE and table.count("(无)") == 4 and "来访人次" in table

    target = tmp_path / "empty.xlsx"
    ok(deskapp("report", "daily", "--date", "2026-11-20", "--format", "xlsx", "--out", str(target), "--db", url))
    check_xlsx_equals_json(target, sections, SECTIONS, SHEETS, TITLE)
    assert load_workbook(target)["按接待员"].max_row == 3  # the headers, no rows


# -- a range over a month's end -------------------------------------------------------------------------------

OCT30, OCT31, NOV1, NOV2 = date(2026, 10, 30), date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)


def build_range(store: Store, policy: Policy) -> None:
    """2026-10-29 … 2026-11-03; the first and the last only at their edges (outside the range)."""
    outside = calls.ring(store, at(23, 59, 59, day=date(2026, 10, 29)), "13600000001")  # one second before the range
    calls.mark_missed(store, at(23, 59, 59, day=date(2026, 10, 29)), outside, CLERK)

    # 30 Oct: a visitor at midnight sharp (waits 60 s), a call answered, a callback promised.
    v = visits.register_arrival(store, at(0, 0, 0, day=OCT30), CLERK, unit_code="", surname="夏", title="先生", purpose="payment")
    visits.start_service(store, at(0, 1, day=OCT30), v, CLERK, "fee_payment")
    visits.finish(store, at(0, 10, day=OCT30), v, CLERK, "done", satisfaction=5)
    c = calls.ring(store, at(9, 0, day=OCT30), "13600000002")
    calls.answer(store, at(9, 0, 4, day=OCT30), c, CLERK)
    calls.end(store, at(9, 5, day=OCT30), c, CLERK, "done")
    callback = promises.make(store, at(15, 0, day=OCT30), policy, CLERK, "callback", "明早回电", customer="韩女士",
                             phone="13511112222", due_at=local(10, 0, day=OCT31))

    # 31 Oct: a household repair received, on site on time, finished; the callback broken; a call
    # missed one second before midnight.
    h = work_orders.open_order(store, at(9, 0, day=OCT31), CLERK, area="household", unit_code="1-1-201", item="门锁坏了")
    work_orders.dispatch(store, at(9, 5, day=OCT31), policy, CLERK, h, local(10, 0, day=OCT31), "十点师傅上门")
    work_orders.arrive(store, at(10, 5, day=OCT31), CLERK, h, local(10, 5, day=OCT31))
    work_orders.finish(store, at(10, 30, day=OCT31), CLERK, h, [], 0, "")
    promises.close(store, at(11, 0, day=OCT31), CLERK, callback, "broken")
    late = calls.ring(store, at(23, 59, 59, day=OCT31), "13600000003")
    calls.mark_missed(store, at(23, 59, 59, day=OCT31), late, CLERK)

    # 1 Nov: a complaint, a visitor who waits 4 minutes, a slip issued.
    f = feedback.receive(store, at(10, 0, day=NOV1), CLERK, what="楼道灯坏了", customer="孔先生")
    feedback.judge_valid(store, at(10, 10, day=NOV1), CLERK, f, kind="complaint", category="property_management",
                         severity="general", department="工程部")
    v = visits.register_arrival(store, at(10, 0, day=NOV1), CLERK, unit_code="", surname="孔", title="先生", purpose="repair")
    visits.start_service(store, at(10, 4, day=NOV1), v, CLERK, "repair")
    visits.finish(store, at(10, 20, day=NOV1), v, CLERK, "done")
    _issued(store, at(14, 0, day=NOV1), policy, "1-1-201", today=NOV1)

    # 2 Nov: two visitors (one served after 30 s, one leaves), a call answered, the colleague's
    # promise handed over to the clerk.
    v = visits.register_arrival(store, at(9, 0, day=NOV2), CLERK, unit_code="", surname="邓", title="女士", purpose="inquiry")
    visits.start_service(store, at(9, 0, 30, day=NOV2), v, CLERK, "inquiry")
    visits.finish(store, at(9, 5, day=NOV2), v, CLERK, "done")
    v = visits.register_arrival(store, at(9, 10, day=NOV2), CLERK, unit_code="", surname="许", title="先生", purpose="inquiry")
    visits.mark_left(store, at(9, 20, day=NOV2), v, CLERK)
    c = calls.ring(store, at(11, 0, day=NOV2), "13600000004")
    calls.answer(store, at(11, 0, 20, day=NOV2), c, COLLEAGUE)
    calls.end(store, at(11, 3, day=NOV2), c, COLLEAGUE, "done")
    promises.make(store, at(16, 0, day=NOV2), policy, COLLEAGUE, "message", "转告经理", customer="钱先生")
    handover_id = ho.open_handover(store, at(17, 0, day=NOV2), policy, COLLEAGUE)
    ho.present(store, at(17, 1, day=NOV2), policy, handover_id, ho.signed_in_as(store, CLERK))
    ho.acknowledge(store, at(17, 2, day=NOV2), [i.id for i in ho.get(store, handover_id).items if i.state != "closed"])
    ho.complete(store, at(17, 3, day=NOV2), policy, handover_id)

    # 3 Nov at midnight sharp: after the range.
    visits.register_arrival(store, at(0, 0, 0, day=date(2026, 11, 3)), CLERK, unit_code="", surname="沈", title="女士", purpose="payment")


RANGE_DAYS = [  # date, visits, calls_in, calls_missed, repairs_new, repairs_done, complaints, slips_issued, promises_made, promises_broken, handovers
    ["2026-10-30", 1, 1, 0, 0, 0, 0, 0, 1, 0, 0],
    ["2026-10-31", 0, 1, 1, 1, 1, 0, 0, 1, 1, 0],  # the promise made: the repair's arrival
    ["2026-11-01", 1, 0, 0, 0, 0, 1, 1, 0, 0, 0],
    ["2026-11-02", 2, 1, 0, 0, 0, 0, 0, 1, 0, 1],
    ["total", 4, 3, 1, 1, 1, 1, 1, 3, 1, 1],
]
DAY_COLUMNS = ["date", "visits", "calls_in", "calls_missed", "repairs_new", "repairs_done", "complaints", "slips_issued",
               "promises_made", "promises_broken", "handovers"]


def test_a_range_over_a_month_end(demo_store: Store, clock: FixedClock, policy: Policy, tmp_path: Path) -> None:
    build_range(demo_store, policy)
    report = span(demo_store, clock, policy, OCT30, NOV2)
    assert (report.kind, report.start, report.end) == ("range", OCT30, NOV2)
    assert [t.id for t in report.tables] == ["summary", "days", *SECTIONS[1:]]
    days = report.table("days")
    assert days.columns == tuple(DAY_COLUMNS)
    assert [list(row) for row in days.rows] == RANGE_DAYS
    for n in range(1, len(DAY_COLUMNS)):  # the total row is the sum of the days
        assert days.rows[-1][n] == sum(row[n] for row in days.rows[:-1])

    summary = dict(report.table("summary").rows)
    assert summary == {
        "visits": 4, "visit_wait_median_s": 60, "calls_in": 3, "answered_within_rings_pct": 50.0, "calls_missed": 1,
        "repairs_household_new": 1, "repairs_public_new": 0, "repairs_done": 1, "repairs_open": 1, "repairs_overdue": 0,
        "complaints_received": 1, "complaints_answered_late": 0, "slips_issued": 1, "promises_made": 3, "promises_kept": 1,
        "promises_broken": 1, "handovers_done": 1, "keys_overdue_at_end": 0,
    }
    assert report.table("visits").as_dicts()[-1] == {"purpose": "total", "visits": 4, "served": 3, "left_unserved": 1,
                                                      "wait_median_s": 60, "wait_longest_s": 240, "satisfaction": 5.0}
    assert dict(report.table("promises").rows)["handed_over"] == 1
    assert report.table("missed_not_returned").as_dicts() == [{"phone": "136****0003", "unit": "", "rang": "2026-10-31 23:59"}]
    assert [r["date"] for r in report.table("days").as_dicts()] == ["2026-10-30", "2026-10-31", "2026-11-01", "2026-11-02", "total"]

    url = demo_store.url
    document = json.loads(ok(deskapp("report", "range", "--from", "2026-10-30", "--to", "2026-11-02", "--format", "json", "--db", url)).stdout)
    assert (document["report"], document["start"], document["end"]) == ("range", "2026-10-30", "2026-11-02")
    assert list(document["sections"])[:2] == ["summary", "days"]
    assert document["sections"]["days"] == [dict(zip(DAY_COLUMNS, row, strict=True)) for row in RANGE_DAYS]
    assert {r["metric"]: r["value"] for r in document["sections"]["summary"]} == summary

    md = ok(deskapp("report", "range", "--from", "2026-10-30", "--to", "2026-11-02", "--format", "md", "--db", url)).stdout
    assert md.splitlines()[0] == "# 客服中心报表 2026-10-30 — 2026-11-02 · 海悦花园管理处"
    assert "## 逐日" in md and "| 2026-10-31 | 0 | 1 | 1 | 1 | 1 | 0 | 0 | 1 | 1 | 0 |" in md
    assert "| 合计 | 4 | 3 | 1 | 1 | 1 | 1 | 1 | 3 | 1 | 1 |" in md

    target = tmp_path / "range.xlsx"
    ok(deskapp("report", "range", "--from", "2026-10-30", "--to", "2026-11-02", "--format", "xlsx", "--out", str(target), "--db", url))
    check_xlsx_equals_json(target, document["sections"], ["summary", "days", *SECTIONS[1:]], ["汇总", "逐日", *SHEETS[1:]],
                           "客服中心报表 2026-10-30 — 2026-11-02 · 海悦花园管理处")


def test_a_range_backwards_is_one_line(demo_store: Store) -> None:
    done = deskapp("report", "range", "--from", "2026-11-02", "--to", "2026-10-30", "--db", demo_store.url)
    assert one_line_failure(done) == "deskapp: 起始日期 2026-11-02 晚于结束日期 2026-10-30"
    assert done.stdout == ""


# -- masking --------------------------------------------------------------------------------------------------


@pytest.fixture
def broken_store(demo_store: Store, policy: Policy) -> Store:
    """A day with a broken callback promise (with a phone) and a missed call: no visitors."""
    made = promises.make(demo_store, at(9, 35), policy, CLERK, "callback", "中午前回电", customer="王先生", phone=BROKEN_PHONE,
                         due_at=local(12, 0))
    promises.close(demo_store, at(12, 30), CLERK, made, "broken")
    missed = calls.ring(demo_store, at(9, 50), MISSED_PHONE)
    calls.mark_missed(demo_store, at(9, 50, 40), missed, CLERK)
    return demo_store


def _unmasked_audits(store: Store) -> list[AuditEvent]:
    with store.read() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == "report.unmasked")).all())


def test_mask_phone() -> None:
    assert mask_phone(BROKEN_PHONE) == MASKED_BROKEN_PHONE
    assert mask_phone("075526001234") == "075*****1234"
    assert mask_phone("123456") == "******"


def test_phones_are_masked_by_default_in_json_and_xlsx(broken_store: Store, tmp_path: Path) -> None:
    done = ok(deskapp("report", "daily", "--date", "2026-11-20", "--format", "json", "--db", broken_store.url))
    document = json.loads(done.stdout)
    assert document["masked"] is True
    assert [r["phone"] for r in document["sections"]["broken_promises"]] == [MASKED_BROKEN_PHONE]
    assert [r["phone"] for r in document["sections"]["missed_not_returned"]] == ["137****0003"]
    assert BROKEN_PHONE not in done.stdout and MISSED_PHONE not in done.stdout

    target = tmp_path / "masked.xlsx"
    ok(deskapp("report", "daily", "--date", "2026-11-20", "--format", "xlsx", "--out", str(target), "--db", broken_store.url))
    book = load_workbook(target)
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row]
    assert MASKED_BROKEN_PHONE in cells and "137****0003" in cells
    assert not any(isinstance(c, str) and (BROKEN_PHONE in c or MISSED_PHONE in c) for c in cells)
    assert _unmasked_audits(broken_store) == []


def test_unmasked_with_the_supervisors_pin(broken_store: Store, tmp_path: Path) -> None:
    target = tmp_path / "unmasked.xlsx"
    done = ok(deskapp("report", "daily", "--date", "2026-11-20", "--format", "xlsx", "--out", str(target), "--unmasked",
                      "--db", broken_store.url, input="super\n5678\n"))
    assert "客服主任员工编号" in done.stderr and "5678" not in done.stderr
    assert load_workbook(target)["失约的承诺"]["C4"].value == BROKEN_PHONE
    assert load_workbook(target)["未回复的未接来电"]["A4"].value == MISSED_PHONE
    (audit,) = _unmasked_audits(broken_store)
    assert (audit.actor_id, audit.entity, audit.entity_id) == (SUPERVISOR, "staff", SUPERVISOR)

    done = ok(deskapp("report", "daily", "--date", "2026-11-20", "--format", "json", "--unmasked", "--db", broken_store.url,
                      input="super\n5678\n"))
    document = json.loads(done.stdout)
    assert document["masked"] is False
    assert document["sections"]["broken_promises"][0]["phone"] == BROKEN_PHONE
    assert document["sections"]["missed_not_returned"][0]["phone"] == MISSED_PHONE
    assert len(_unmasked_audits(broken_store)) == 2  # every unmasked export is audited
    assert done.stdout.startswith("{"), repr(done.stdout[:20])  # the JSON alone on stdout: the prompts belong on stderr


@pytest.mark.parametrize(("code", "pin", "message"), [
    ("demo", "1234", "deskapp: 只有客服主任或管理处主任可以导出未遮蔽的个人信息"),  # a clerk, with the right PIN
    ("super", "0000", "deskapp: 密码不正确,请重新输入"),  # the supervisor, a wrong PIN
], ids=["clerk", "wrong-pin"])
def test_unmasked_is_refused_without_a_supervisor(broken_store: Store, code: str, pin: str, message: str) -> None:
    done = deskapp("report", "daily", "--date", "2026-11-20", "--format", "json", "--unmasked", "--db", broken_store.url,
                   input=f"{code}\n{pin}\n")
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout
    said = [line for line in done.stderr.splitlines() if line.startswith("deskapp: ")]
    assert said == [message] and done.stderr.splitlines()[-1] == message
    assert BROKEN_PHONE not in done.stdout + done.stderr
    assert _unmasked_audits(broken_store) == []
    assert done.stdout == "", repr(done.stdout)  # nothing of the report, nor anything else


# -- dates -------------------------------------------------------------------------------------------------------

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(("typed", "day"), [
    ("2026-11-24", TODAY), ("2026-11-20", date(2026, 11, 20)), ("2026/11/24", TODAY), ("2026/11/3", date(2026, 11, 3)),
    ("11-20", date(2026, 11, 20)), ("2025-12-31", date(2025, 12, 31)),
    ("today", TODAY), (" Today ", TODAY), ("今天", TODAY), ("yesterday", date(2026, 11, 23)), ("昨天", date(2026, 11, 23)),
    ("前天", date(2026, 11, 22)), ("-3", date(2026, 11, 21)), ("-0", TODAY), ("-24", date(2026, 10, 31)),
])
def test_parse_day(typed: str, day: date) -> None:
    assert parse_day(typed, TODAY) == day


@pytest.mark.parametrize(("typed", "day"), [("tomorrow", "2026-11-25"), ("明天", "2026-11-25"), ("2026-11-25", "2026-11-25"),
                                            ("2099-01-01", "2099-01-01")])
def test_parse_day_refuses_the_future(typed: str, day: str) -> None:
    with pytest.raises(DeskappError) as refused:
        parse_day(typed, TODAY)
    assert (refused.value.key, refused.value.params) == ("report.future_date", {"value": day})


@pytest.mark.parametrize("typed", ["2026-13-45", "2026-02-30", "abc", "", "  ", "-x", "2026-11-xx", "-1000000"])
def test_parse_day_refuses_what_is_not_a_day(typed: str) -> None:
    with pytest.raises(DeskappError) as refused:
        parse_day(typed, TODAY)
    assert (refused.value.key, refused.value.params) == ("report.bad_date", {"value": typed.strip()})


@pytest.mark.parametrize(("args", "message"), [
    (["--date", "2026-13-45"], "deskapp: 无法识别的日期:2026-13-45(例如 2026-11-24、today、yesterday、昨天)"),
    (["--date", "2099-01-01"], "deskapp: 日期 2099-01-01 在今天之后,还没有数据"),
    (["--date=-1000000"], "deskapp: 无法识别的日期:-1000000(例如 2026-11-24、today、yesterday、昨天)"),
    (["--date", "2026-11-20", "--format", "xlsx"], "deskapp: xlsx 格式须用 --out 指定文件"),
    (["--date", "2026-11-20", "--format", "pdf"], "deskapp: 不支持的格式:pdf(可用 table、csv、xlsx、md、json)"),
], ids=["malformed", "future", "too-far-back", "xlsx-without-out", "unknown-format"])
def test_bad_dates_and_formats_are_one_line(demo_store: Store, args: list[str], message: str) -> None:
    done = deskapp("report", "daily", *args, "--db", demo_store.url)
    assert one_line_failure(done) == message
    assert done.stdout == ""


def test_a_future_range_end_is_one_line(demo_store: Store) -> None:
    done = deskapp("--lang", "en", "report", "range", "--from", "2026-11-20", "--to", "2099-01-01", "--db", demo_store.url)
    assert one_line_failure(done) == "deskapp: 2099-01-01 is after today: there is nothing to report yet"
    assert done.stdout == ""


# -- the edges a supervisor would ask about ------------------------------------------------------------------


def test_a_call_answered_as_the_third_ring_ends_counts_alike_at_any_hour(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """Three rings of three seconds (policy: phone.answer_rings × phone.ring_seconds): a call answered
    9 s after it rang is within them (the service compares "<= 9 s"), whatever the hour it rang."""
    for hh in (9, 10):
        call = calls.ring(demo_store, at(hh, 0, 0), f"135000000{hh:02d}")
        calls.answer(demo_store, at(hh, 0, 9), call, CLERK)
        calls.end(demo_store, at(hh, 1), call, CLERK, "done")
    slow = calls.ring(demo_store, at(11, 0, 0), "13500000011")
    calls.answer(demo_store, at(11, 0, 10), slow, CLERK)  # 10 s: the third ring is over
    calls.end(demo_store, at(11, 1), slow, CLERK, "done")
    figures = dict(daily(demo_store, clock, policy, DAY).table("calls").rows)
    assert (figures["in"], figures["answered"]) == (3, 3)
    assert figures["answered_within_rings"] == 2, "the 09:00:00 and the 10:00:00 call were both answered after 9 s exactly"
    assert figures["answered_within_rings_pct"] == 66.7


def test_one_hold_over_seven_seconds_is_over_the_limit(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """最多让来电者稍候7秒钟 (policy phone.hold_seconds): a caller held 12 s has waited too long,
    even if an earlier hold on the same call lasted only 1 s."""
    call = calls.ring(demo_store, at(9, 0), "13500000001")
    calls.answer(demo_store, at(9, 0, 3), call, CLERK)
    calls.hold(demo_store, at(9, 1, 0), call, CLERK)
    calls.resume(demo_store, at(9, 1, 1), call, CLERK)
    calls.hold(demo_store, at(9, 2, 0), call, CLERK)
    calls.resume(demo_store, at(9, 2, 12), call, CLERK)
    calls.end(demo_store, at(9, 3), call, CLERK, "done")
    figures = dict(daily(demo_store, clock, policy, DAY).table("calls").rows)
    assert figures["held"] == 1
    assert figures["held_over_limit"] == 1


def test_a_missed_call_returned_is_not_a_call_answered(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """The clerk answers one call and rings a missed caller back: one call answered (the calls
    table counts calls in), one out; by clerk, "接听电话" is the same one call."""
    first = calls.ring(demo_store, at(9, 0), "13500000001")
    calls.answer(demo_store, at(9, 0, 3), first, CLERK)
    calls.end(demo_store, at(9, 2), first, CLERK, "done")
    missed = calls.ring(demo_store, at(9, 10), "13500000002")
    calls.mark_missed(demo_store, at(9, 10, 30), missed, CLERK)
    owed = next(o for o in calls.callbacks_owed(demo_store) if o.missed_call_id == missed)
    back = calls.start_callback(demo_store, at(9, 20), CLERK, owed)
    calls.end(demo_store, at(9, 22), back, CLERK, "done")

    report = daily(demo_store, clock, policy, DAY)
    figures = dict(report.table("calls").rows)
    assert {k: figures[k] for k in ("in", "out", "answered", "missed", "missed_returned")} == {
        "in": 2, "out": 1, "answered": 1, "missed": 1, "missed_returned": 1}
    assert report.table("missed_not_returned").rows == []
    (clerk,) = report.table("by_clerk").as_dicts()
    assert clerk["clerk"] == "陈小雨"
    assert clerk["calls_answered"] == figures["answered"] == 1


def test_complaint_replies_against_their_limits(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """A general matter is answered within 24 h of its acceptance, a major one within 48 h: both
    accepted on the 19th at 10:00 and answered on the 20th at 11:00 (25 h)."""
    day_before = DAY - timedelta(days=1)
    general = feedback.receive(demo_store, at(9, 50, day=day_before), CLERK, what="垃圾没有清运", customer="杨先生")
    feedback.judge_valid(demo_store, at(10, 0, day=day_before), CLERK, general, kind="complaint", category="property_management",
                         severity="general", department="环境部")
    major = feedback.receive(demo_store, at(9, 55, day=day_before), CLERK, what="外墙渗水", customer="朱女士")
    feedback.judge_valid(demo_store, at(10, 0, day=day_before), CLERK, major, kind="complaint", category="engineering_quality",
                         severity="major", department="工程部")
    feedback.answer(demo_store, at(11, 0), CLERK, general, "已清运")
    feedback.answer(demo_store, at(11, 0), CLERK, major, "已安排维修")
    summary = dict(daily(demo_store, clock, policy, DAY).table("complaints_summary").rows)
    assert (summary["received"], summary["major"]) == (0, 0)  # received the day before
    assert (summary["answered"], summary["answered_on_time"], summary["answered_late"]) == (2, 1, 1)
    before = daily(demo_store, clock, policy, day_before)
    assert dict(before.table("complaints_summary").rows)["received"] == 2
    assert dict(before.table("complaints_summary").rows)["major"] == 1
    assert before.table("complaints").as_dicts() == [
        {"kind": "complaint", "category": "engineering_quality", "severity": "major", "received": 1},
        {"kind": "complaint", "category": "property_management", "severity": "general", "received": 1},
    ]


def test_repairs_late_referred_and_due_tomorrow(demo_store: Store, clock: FixedClock, policy: Policy) -> None:
    """A household repair on site 10 minutes after its promise (the arrival promise broken), a public
    one dispatched for tomorrow (open, not overdue), one referred to a specialist (not open)."""
    late = work_orders.open_order(demo_store, at(9, 0), CLERK, area="household", unit_code="1-1-201", item="马桶漏水")
    work_orders.dispatch(demo_store, at(9, 5), policy, CLERK, late, local(10, 0), "十点师傅上门")
    assert work_orders.arrive(demo_store, at(10, 25), CLERK, late, local(10, 25)) is True
    tomorrow = work_orders.open_order(demo_store, at(15, 0), CLERK, area="public", place="地库入口", item="道闸失灵")
    work_orders.dispatch(demo_store, at(15, 5), policy, CLERK, tomorrow, local(9, 0, day=DAY + timedelta(days=1)), "明早九点到场")
    referred = work_orders.open_order(demo_store, at(16, 0), CLERK, area="household", unit_code="1-1-202", item="燃气灶打不着火")
    work_orders.refer(demo_store, at(16, 5), CLERK, referred, work_orders.referrals(demo_store)[0].id)

    report = daily(demo_store, clock, policy, DAY)
    household, public, total = report.table("repairs").as_dicts()
    assert {k: household[k] for k in ("new", "open", "overdue", "arrived", "arrived_on_time", "arrived_on_time_pct", "referred")} == {
        "new": 2, "open": 1, "overdue": 0, "arrived": 1, "arrived_on_time": 0, "arrived_on_time_pct": 0.0, "referred": 1}
    assert {k: public[k] for k in ("new", "open", "overdue", "arrived")} == {"new": 1, "open": 1, "overdue": 0, "arrived": 0}
    assert (total["new"], total["open"], total["overdue"], total["referred"]) == (3, 2, 0, 1)
    promised = dict(report.table("promises").rows)
    assert (promised["made"], promised["kept"], promised["broken"], promised["past_due_open_at_end"]) == (2, 0, 1, 0)
    (broken,) = report.table("broken_promises").as_dicts()
    assert (broken["kind"], broken["unit"], broken["due"], broken["owner"]) == ("repair_arrival", "1-1-201", "2026-11-20 10:15", "陈小雨")
    assert (broken["customer"], broken["phone"]) == ("高女士", "158****5784")  # the owner on record, 15839835784, masked
