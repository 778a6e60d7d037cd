"""Import files as people and programs really write them, and hostile ones: a clear refusal, never a crash,
and an XLSX file refused from its zip directory before it can unpack past the limits."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook
from sqlmodel import Session

from tracker.core.errors import Invalid
from tracker.importing.files import MAX_FIELD, Row, XlsxLimits, read_rows
from tracker.importing.report import ImportRefused
from tracker.importing.service import CHUNK, import_contributions

HEADER = ["date", "status", "donor", "recipient", "kind", "amount", "currency"]
ROW = ["2023-02-10", "paid", "Kuwait Red Crescent", "AFAD", "money", "10", "USD"]
SHARED_STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def rows_of(data: bytes, limits: XlsxLimits | None = None) -> list[Row]:
    return list(read_rows(io.BytesIO(data), limits))


def workbook(*rows: list[object]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezipped(data: bytes, parts: dict[str, bytes]) -> bytes:
    """The workbook with parts replaced or added, shared strings declared if added."""
    replaced = dict(parts)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            part = replaced.pop(name, source.read(name))
            if name == "[Content_Types].xml" and "xl/sharedStrings.xml" in parts:
                part = part.replace(b"</Types>", SHARED_STRINGS_TYPE.encode() + b"</Types>")
            target.writestr(name, part)
        for name, part in replaced.items():
            target.writestr(name, part)
    return out.getvalue()


def sheet_of(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")


def refusal(data: bytes, limits: XlsxLimits | None = None) -> str:
    with pytest.raises(Invalid) as refused:
        rows_of(data, limits)
    assert refused.value.field == "file"
    return refused.value.rule


# -- CSV as spreadsheets write it ----------------------------------------------------------------


def test_a_row_with_one_cell_more_than_the_header_is_a_bad_row(session: Session) -> None:
    data = (",".join(HEADER) + "\r\n" + ",".join([*ROW, "surplus"]) + "\r\n").encode()
    with pytest.raises(ImportRefused) as refused:
        import_contributions(session, io.BytesIO(data), None, dry_run=True)
    assert ("", "has 1 cell past the last column of the header") in [
        (p.column, p.message) for p in refused.value.report.problems if p.row == 2
    ]


def test_a_cell_over_the_longest_field_is_cut_and_reported_too_long(session: Session) -> None:
    long_notes = "n" * 5000
    data = (",".join([*HEADER, "notes"]) + "\r\n" + ",".join([*ROW, long_notes]) + "\r\n").encode()
    (row,) = rows_of(data)
    assert row.cells["notes"] == "n" * (MAX_FIELD + 1)  # kept only long enough to say it is too long
    with pytest.raises(ImportRefused) as refused:
        import_contributions(session, io.BytesIO(data), None, dry_run=True)
    assert [p.column for p in refused.value.report.problems if p.row == 2] == ["notes"]


def test_a_header_with_an_empty_last_column_as_excel_writes_it() -> None:
    data = (",".join(HEADER) + ",\r\n" + ",".join(ROW) + ",\r\n").encode()
    (row,) = rows_of(data)
    assert row.cells == dict(zip(HEADER, ROW, strict=True))
    assert row.extra == 0


def test_millions_of_bad_rows_are_counted_without_keeping_them(session: Session) -> None:
    bad = ",".join(["not a date", *ROW[1:]])
    rows = 3 * CHUNK + 7
    data = (",".join(HEADER) + "\r\n" + "\r\n".join([bad] * rows) + "\r\n").encode()
    with pytest.raises(ImportRefused) as refused:
        import_contributions(session, io.BytesIO(data), None, dry_run=True)
    report = refused.value.report
    assert report.bad_row_count == 12_007
    assert len(report.problems) == 1000  # the first thousand are listed; the rest counted
    assert len(report.chunk_bad_rows) <= CHUNK  # only the last chunk's rows are remembered
    assert refused.value.message.startswith("bad rows: 12007, problems: ")


# -- malformed XLSX -------------------------------------------------------------------------------


def test_a_shared_string_index_without_shared_strings_is_an_unreadable_file() -> None:
    data = workbook(HEADER, ROW)
    sheet = sheet_of(data).replace(b'<c r="C2" t="inlineStr"><is><t>Kuwait Red Crescent</t></is></c>',
                                   b'<c r="C2" t="s"><v>7</v></c>')  # fmt: skip
    assert b't="s"' in sheet
    assert refusal(rezipped(data, {"xl/worksheets/sheet1.xml": sheet})).startswith("is not a readable XLSX file")


def test_a_truncated_sheet_is_an_unreadable_file() -> None:
    data = workbook(HEADER, ROW)
    sheet = sheet_of(data)
    rule = refusal(rezipped(data, {"xl/worksheets/sheet1.xml": sheet[: len(sheet) // 2]}))
    assert rule.startswith("is not a readable XLSX file")


def test_a_file_that_is_not_a_zip_after_its_signature_is_an_unreadable_file() -> None:
    assert refusal(b"PK\x03\x04" + b"\x00" * 200).startswith("is not a readable XLSX file")


# -- XLSX bombs: refused before they unpack --------------------------------------------------------


def with_notes(size: int) -> bytes:
    """A workbook whose one row has notes of `size` letters: past what openpyxl writes (a cell's 32,767)."""
    data = workbook([*HEADER, "notes"], [*ROW, "NOTES"])
    sheet = sheet_of(data).replace(b"<t>NOTES</t>", b"<t>" + b"x" * size + b"</t>")
    return rezipped(data, {"xl/worksheets/sheet1.xml": sheet})


def test_a_workbook_that_unpacks_past_the_limit_is_refused_from_its_directory() -> None:
    data = with_notes(300_000)  # 300 kB of one letter: a few hundred bytes zipped
    assert len(data) < 20_000
    rule = refusal(data, XlsxLimits(unpacked_bytes=200_000))
    assert rule == "unpacks past the import's limit of 1 MiB (all); split it, or save it as CSV"


def test_one_huge_cell_is_refused_while_the_sheet_streams() -> None:
    assert refusal(with_notes(600_000)) == "has a cell of more than 512 KiB of text"
    assert len(rows_of(with_notes(32_767))) == 1  # Excel's longest cell is fine


def test_huge_shared_strings_are_refused_before_openpyxl_reads_them() -> None:
    strings = b"".join(b"<si><t>%d</t></si>" % i for i in range(50_000))
    table = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + strings + b"</sst>"
    data = rezipped(workbook(HEADER, ROW), {"xl/sharedStrings.xml": table})
    rule = refusal(data, XlsxLimits(part_bytes=500_000))
    assert rule == "unpacks past the import's limit of 1 MiB (xl/sharedStrings.xml); split it, or save it as CSV"
    assert len(rows_of(data)) == 1  # within the limits, the same file is read


def test_a_sheet_of_too_many_cells_is_refused_as_it_streams() -> None:
    data = workbook(HEADER, *[ROW] * 30)
    assert len(rows_of(data, XlsxLimits(cells=7 * 31))) == 30
    assert refusal(data, XlsxLimits(cells=100)) == ("has more than 100 cells in its sheet, or 16384 in a row; split it")


def test_a_zip_directory_past_its_limit_is_refused_before_it_is_read() -> None:
    assert refusal(workbook(HEADER, ROW), XlsxLimits(directory_bytes=100)).startswith(
        "unpacks past the import's limit of 1 MiB (directory)"
    )


def test_a_nul_in_a_cell_is_a_bad_row_and_nothing_is_stored(session: Session) -> None:
    from factories import make_donor, make_recipient

    make_donor(session, "Kuwait Red Crescent")
    make_recipient(session, "AFAD")
    nul_donor = ",".join([*ROW[:2], "Kuwait\x00Red Crescent", *ROW[3:], "a\x00b"])
    data = (",".join([*HEADER, "notes"]) + "\r\n" + nul_donor + "\r\n").encode()
    with pytest.raises(ImportRefused) as refused:
        import_contributions(session, io.BytesIO(data), None)  # no database stores a NUL: PostgreSQL fails on it
    assert [(p.row, p.column, p.message) for p in refused.value.report.problems] == [
        (2, "donor", "must not contain NUL characters"),
        (2, "notes", "must not contain NUL characters"),
    ]


def test_more_shared_strings_than_cells_are_refused_as_they_are_read() -> None:
    strings = b"".join(b"<si><t>%d</t></si>" % i for i in range(300))
    table = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + strings + b"</sst>"
    data = rezipped(workbook(HEADER, ROW), {"xl/sharedStrings.xml": table})
    assert refusal(data, XlsxLimits(cells=200)) == "has more than 200 shared strings; split it"


def test_shared_strings_and_their_rich_runs_are_read_as_plain_text() -> None:
    table = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<si><t>Kuwait Red Crescent</t></si>"
        b"<si><r><rPr><b/></rPr><t>AF</t></r><r><t>AD</t></r><rPh><t>phonetic</t></rPh></si></sst>"
    )
    data = workbook(HEADER, ROW)
    sheet = sheet_of(data)
    for text, index in ((b"Kuwait Red Crescent", b"0"), (b"AFAD", b"1")):
        cell = sheet.index(b"<t>" + text + b"</t>")
        start = sheet.rindex(b"<c ", 0, cell)
        reference = sheet[start:cell].split(b'r="')[1].split(b'"')[0]
        end = sheet.index(b"</c>", cell) + 4
        sheet = sheet[:start] + b'<c r="' + reference + b'" t="s"><v>' + index + b"</v></c>" + sheet[end:]
    (row,) = rows_of(rezipped(data, {"xl/sharedStrings.xml": table, "xl/worksheets/sheet1.xml": sheet}))
    assert (row.cells["donor"], row.cells["recipient"]) == ("Kuwait Red Crescent", "AFAD")
