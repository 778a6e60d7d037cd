"""How much memory and time reading an import file takes at the limits of `importing.files.XlsxLimits`.

    .venv/bin/python benchmarks/import_limits.py

Each case is read (`read_rows`, every row consumed) in a fresh process, which reports its peak
resident memory and how long it took; a refused file is reported with its refusal. The cases are
workbooks at, or just past, each limit, built small on disk (they are mostly one letter repeated):
shared strings of 16 MiB of short distinct strings, a sheet of 2,000,000 cells, a cell of 500 KiB,
and a sheet that would unpack to 1 GiB. Not part of the test run.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from typing import IO

from openpyxl import Workbook

HEADER = ["date", "status", "donor", "recipient", "kind", "amount", "currency", "notes"]
ROW = ["2023-02-10", "paid", "Kuwait Red Crescent", "AFAD", "money", "10", "USD", "NOTES"]
SHARED = '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'  # noqa: E501


def base() -> bytes:
    book = Workbook()
    book.active.append(HEADER)
    book.active.append(ROW)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezipped(data: bytes, parts: dict[str, bytes | Callable[[IO[bytes]], None]]) -> bytes:
    """The workbook with parts replaced or added; a callable part writes itself (a large one, streamed)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    parts = dict(parts)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name in [*source.namelist(), *(name for name in parts if name not in source.namelist())]:
            part = parts.pop(name, None) or source.read(name)
            if name == "[Content_Types].xml" and "xl/sharedStrings.xml" in parts:
                assert isinstance(part, bytes)
                part = part.replace(b"</Types>", SHARED.encode() + b"</Types>")
            if callable(part):
                with target.open(name, "w", force_zip64=True) as stream:
                    part(stream)
            else:
                target.writestr(name, part)
    return out.getvalue()


def sheet_with(rows: Callable[[IO[bytes]], None]) -> Callable[[IO[bytes]], None]:
    head, tail = zipfile.ZipFile(io.BytesIO(base())).read("xl/worksheets/sheet1.xml").split(b"</sheetData>")

    def write(stream: IO[bytes]) -> None:
        stream.write(head)
        rows(stream)
        stream.write(b"</sheetData>" + tail)

    return write


def repeated(piece: bytes, times: int) -> Callable[[IO[bytes]], None]:
    def write(stream: IO[bytes]) -> None:
        block = piece * max(1, (1 << 20) // len(piece))
        left = times
        while left > 0:
            count = min(left, len(block) // len(piece))
            stream.write(block[: count * len(piece)])
            left -= count

    return write


def shared_strings() -> bytes:
    strings = b"".join(b"<si><t>s%07d</t></si>" % i for i in range(16 * 1024 * 1024 // 24 - 100))
    table = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + strings + b"</sst>"
    return rezipped(base(), {"xl/sharedStrings.xml": table})


CASES: dict[str, Callable[[], bytes]] = {
    "shared strings, 16 MiB": shared_strings,
    "sheet, 2,000,000 cells": lambda: rezipped(
        base(),
        {
            "xl/worksheets/sheet1.xml": sheet_with(
                repeated(b"<row>" + b'<c t="inlineStr"><is><t>x</t></is></c>' * 8 + b"</row>", 2_000_000 // 8 - 16)
            )
        },
    ),
    "one cell of 500 KiB": lambda: rezipped(
        base(),
        {
            "xl/worksheets/sheet1.xml": sheet_with(
                repeated(b'<row><c t="inlineStr"><is><t>' + b"x" * (500 * 1024) + b"</t></is></c></row>", 1)
            )
        },
    ),
    "sheet unpacking to 1 GiB": lambda: rezipped(
        base(), {"xl/worksheets/sheet1.xml": sheet_with(repeated(b" ", 1 << 30))}
    ),
}


CHILD = """
import io, json, sys, time
from tracker.core.errors import Invalid
from tracker.importing.files import read_rows
data = sys.stdin.buffer.read()
start = time.perf_counter()
try:
    rows = sum(1 for _ in read_rows(io.BytesIO(data)))
    outcome = f"{rows} rows"
except Invalid as exc:
    outcome = "refused: " + exc.rule
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))  # this process's own peak
print(json.dumps({"outcome": outcome, "seconds": time.perf_counter() - start, "peak_mb": int(peak.split()[1]) / 1024}))
"""


def main() -> None:
    for name, make in CASES.items():
        data = make()
        found = json.loads(
            subprocess.run([sys.executable, "-c", CHILD], input=data, capture_output=True, check=True).stdout
        )
        print(f"{name:28} {len(data) / 1e6:6.1f} MB file  {found['seconds']:6.1f} s  peak {found['peak_mb']:5.0f} MB  "
              f"{found['outcome'][:90]}")  # fmt: skip


if __name__ == "__main__":
    main()
