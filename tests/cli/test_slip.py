"""`deskapp slip verify` and `deskapp slip print`, run as the lobby guard runs them: the truth about
a valid, a used, a void and an unknown slip, and a PDF whose Chinese reads back."""

from __future__ import annotations

from datetime import date

import pytest
from pypdf import PdfReader

from cli.test_cli import run
from deskapp.services import releases as R

TODAY = date(2026, 11, 24)
ID = "44030519900101123X"
DRIVER = "440306198506152013"


def _issued(store, clock, policy, unit: str = "1-1-201") -> int:
    owner = next(p for p in R.residents(store, unit)[1] if p.kind == "owner")
    request = R.start(store, clock, 1, unit_code=unit, kind="owner", person_id=owner.id, today=TODAY)
    R.record_id(store, clock, 1, request, "resident_id", ID, TODAY)
    R.record_goods(store, clock, 1, request, goods="沙发1、纸箱10", plate="粤B12345", driver="张师傅", driver_id=DRIVER, today=TODAY)
    R.record_signature(store, clock, 1, request)
    return R.issue(store, clock, policy, 1, request, TODAY)


@pytest.fixture
def slips(demo_store, clock, policy):
    """Slip 1 issued; slip 2 issued and voided by the supervisor."""
    _issued(demo_store, clock, policy)
    second = _issued(demo_store, clock, policy, "1-1-1202")
    R.void(demo_store, clock, policy, second, "super", "5678", "物品登记错误")
    return demo_store


def test_verify_tells_the_truth_valid_then_used_void_unknown(slips) -> None:
    url = slips.url
    valid = run("slip", "verify", "1", "--guard", "门岗李", "--db", url)
    assert valid.returncode == 0, valid.stderr
    assert valid.stdout.startswith("✓") and "有效" in valid.stdout and "沙发×1、纸箱×10" in valid.stdout and "粤B·12345" in valid.stdout
    used = run("slip", "verify", "000001", "--db", url)
    assert used.returncode == 1 and used.stdout.startswith("✗✗✗") and "已经使用过" in used.stdout and "门岗李" in used.stdout
    void = run("--lang", "en", "slip", "verify", "2", "--db", url)
    assert void.returncode == 1 and "VOID" in void.stdout and "物品登记错误" in void.stdout
    unknown = run("slip", "verify", "77", "--db", url)
    assert unknown.returncode == 1 and "没有放行条 000077" in unknown.stdout
    assert "Traceback" not in valid.stderr + used.stderr + void.stderr + unknown.stderr


def test_print_writes_a_pdf_whose_chinese_reads_back(slips, tmp_path) -> None:
    target = tmp_path / "slip-1.pdf"
    done = run("slip", "print", "1", "--pdf", str(target), "--db", slips.url)
    assert done.returncode == 0, done.stderr
    assert "物品放行条 No. 000001" in done.stdout and "4403**********123X" in done.stdout and ID not in done.stdout
    text = "".join(page.extract_text() for page in PdfReader(target).pages)
    assert "物品放行条" in text and "沙发×1" in text and "请您将放行条交给大堂护卫员后就可以放行了。" in text
    check = run("slip", "verify", "1", "--db", slips.url)  # printing is not the guard's check
    assert check.returncode == 0


def test_print_of_an_unknown_slip_is_one_line(slips) -> None:
    done = run("slip", "print", "9", "--db", slips.url)
    assert done.returncode == 1 and "没有放行条 000009" in done.stderr and "Traceback" not in done.stderr
