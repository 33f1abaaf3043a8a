"""The report in the formats an office uses: a terminal table, CSV, XLSX, Markdown and JSON.

Headers and row labels are in the UI language; JSON keeps the stable ids (see README, "Report
JSON"). openpyxl and rich are imported only by the format that needs them.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from pathlib import Path

from deskapp.services.report import Report, Table, Value

FORMATS = ("table", "csv", "xlsx", "md", "json")
WIDE = 7  # a terminal table with more columns than this is printed turned (figures as rows)
JSON_VERSION = 1


# -- labels ------------------------------------------------------------------------------------------


def _say(t: Callable[..., str], key: str, fallback: str) -> str:
    text = t(key)
    return fallback if text == key else text


def _first_cell(t: Callable[..., str], table: Table, column: str, value: Value) -> str:
    """Codes in the first column said in the UI language."""
    if value is None:
        return ""
    code = str(value)
    if code == "total":
        return t("report.total")
    if table.columns[:2] == ("metric", "value") or table.id == "visit_escalations":
        return _say(t, f"report.metric.{table.id}.{code}", code)
    namespace = {
        ("visits", "purpose"): "walk_in.purpose",
        ("repairs", "area"): "area",
        ("complaints", "kind"): "complaints.kind",
        ("broken_promises", "kind"): "promise",
    }.get((table.id, column))
    return _say(t, f"{namespace}.{code}", code) if namespace else code


def _cell(t: Callable[..., str], table: Table, column: str, value: Value) -> Value:
    if column == "category" and table.id == "complaints":
        return _say(t, f"complaints.category.{value}", str(value))
    if column == "severity" and table.id == "complaints":
        return _say(t, f"complaints.severity.{value}", str(value))
    return value


def title(report: Report, t: Callable[..., str]) -> str:
    period = report.start.isoformat() if report.kind == "daily" else f"{report.start.isoformat()} — {report.end.isoformat()}"
    head = t(f"report.title_{report.kind}", period=period)
    return f"{head} · {report.site}" if report.site else head


def localised(report: Report, t: Callable[..., str]) -> list[tuple[str, list[str], list[list[Value]]]]:
    """Each table as (its title, its headers, its rows) in the UI language."""
    out = []
    for table in report.tables:
        headers = [_say(t, f"report.col.{c}", c) for c in table.columns]
        rows = []
        for row in table.rows:
            cells: list[Value] = [_first_cell(t, table, table.columns[0], row[0])]
            cells += [_cell(t, table, c, v) for c, v in zip(table.columns[1:], row[1:])]
            rows.append(cells)
        out.append((_say(t, f"report.table.{table.id}", table.id), headers, rows))
    return out


def _text(value: Value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


# -- the formats -------------------------------------------------------------------------------------


def as_json(report: Report) -> str:
    """Stable: ids as keys, numbers as numbers, times ISO 8601, the schema's version."""
    document = {
        "report": report.kind,
        "version": JSON_VERSION,
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "site": report.site,
        "generated_at": report.generated_at.isoformat(),
        "masked": report.masked,
        "sections": {table.id: table.as_dicts() for table in report.tables},
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def as_csv(report: Report, t: Callable[..., str]) -> str:
    """One file, the sections one after another: a title line, the headers, the rows, a blank line."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([title(report, t)])
    for name, headers, rows in localised(report, t):
        writer.writerow([])
        writer.writerow([name])
        writer.writerow(headers)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
    return buffer.getvalue()


def as_markdown(report: Report, t: Callable[..., str]) -> str:
    lines = [f"# {title(report, t)}", ""]
    for name, headers, rows in localised(report, t):
        lines += [f"## {name}", ""]
        lines.append("| " + " | ".join(headers) + " |")
        lines.append("|" + "|".join("---" if n == 0 else "---:" for n in range(len(headers))) + "|")
        if not rows:
            lines.append("| " + " | ".join([t("report.none")] + [""] * (len(headers) - 1)) + " |")
        for row in rows:
            lines.append("| " + " | ".join(_text(v).replace("|", "\\|") for v in row) + " |")
        lines.append("")
    return "\n".join(lines)


def print_table(report: Report, t: Callable[..., str], console=None) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable

    console = console or Console()
    console.print(title(report, t), style="bold")
    for name, headers, rows in localised(report, t):
        if len(headers) > WIDE and rows:  # too wide for 80 columns: one row per figure instead
            headers, rows = [headers[0], *[_text(row[0]) for row in rows]], [[h, *[row[n] for row in rows]] for n, h in enumerate(headers) if n]
        table = RichTable(title=name, title_justify="left", title_style="bold")
        for n, header in enumerate(headers):
            table.add_column(header, justify="left" if n == 0 else "right")
        for row in rows:
            table.add_row(*[_text(v) for v in row])
        if not rows:
            table.add_row(t("report.none"), *[""] * (len(headers) - 1))
        console.print(table)


def _width(value: object) -> int:
    """Columns as Excel measures them: a CJK character is two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


def write_xlsx(report: Report, t: Callable[..., str], path: Path) -> None:
    """A summary sheet first, then one sheet per section: the title on row 1, the headers on row 3
    (bold, frozen below), numbers as numbers, columns wide enough for their Chinese."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    heading = title(report, t)
    used: set[str] = set()
    for name, headers, rows in localised(report, t):
        sheet_name = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "sheet"
        while sheet_name in used:
            sheet_name = sheet_name[:29] + f"_{len(used)}"
        used.add(sheet_name)
        sheet = book.create_sheet(sheet_name)
        sheet.append([heading])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append([name])
        sheet.append(headers)
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A4"
        for n, header in enumerate(headers, 1):
            longest = max([_width(header)] + [_width(_text(row[n - 1])) for row in rows])
            sheet.column_dimensions[sheet.cell(row=3, column=n).column_letter].width = min(max(longest + 2, 8), 60)
    book.properties.title = heading
    book.properties.creator = "deskapp"
    book.save(path)


def render(report: Report, fmt: str, t: Callable[..., str]) -> str:
    """The text formats."""
    if fmt == "json":
        return as_json(report)
    if fmt == "csv":
        return as_csv(report, t)
    if fmt == "md":
        return as_markdown(report, t)
    raise ValueError(fmt)
