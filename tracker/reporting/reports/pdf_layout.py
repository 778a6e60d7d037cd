"""Laying out report text on A4 pages for `tracker.reporting.reports.pdf`: headings, wrapped paragraphs, long tables.

The look follows the print stylesheet of the HTML reports (reports/_report_base.html):
14 mm side margins, the issuer at the top, bold headings, tables with a rule under each
row and their header repeated on every page, the issuer and "Page n / N" at the foot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tracker.reporting.reports.pdf import A4, MM, Document

REGULAR, BOLD = 0, 1
MUTED = 0.32  # the stylesheet's #52606d as a grey
LINE = 1.3  # line height, in font sizes
TABLE_SIZE = 8.5
PAD_X, PAD_Y = 3.0, 2.2


@dataclass(frozen=True)
class Column:
    title: str
    share: float  # of the text width
    right: bool = False  # figures are right-aligned
    bold: bool = False  # row headings


class Layout:
    """A cursor moving down the pages of a document."""

    def __init__(self, document: Document, footer_left: str, page_word: str) -> None:
        self.doc = document
        self.left, self.right = 14 * MM, A4[0] - 14 * MM
        self.top, self.bottom = A4[1] - 16 * MM, 18 * MM
        self.width = self.right - self.left
        self.footer_left, self.page_word = footer_left, page_word
        self.page = document.new_page()
        self.y = self.top
        self._wrapped: dict[tuple[str, float, float, int], list[str]] = {}

    def new_page(self) -> None:
        self.page = self.doc.new_page()
        self.y = self.top

    def room(self, height: float) -> None:
        """Start a new page unless `height` more points fit on this one."""
        if self.y - height < self.bottom:
            self.new_page()

    def space(self, points: float) -> None:
        self.y -= points

    def line(self, text: str, size: float = 10, font: int = REGULAR, grey: float = 0.0, right: bool = False) -> None:
        """One line of text (no wrapping), left- or right-aligned."""
        self.room(size * LINE)
        self.y -= size * LINE
        x = self.right - self.measure(text, size, font) if right else self.left
        self.doc.text(self.page, x, self.y + size * 0.28, text, size, font, grey)

    def heading(self, text: str, size: float) -> None:
        self.room(size * LINE * 4)  # never a heading alone at the foot of a page
        self.space(size * 0.6)
        self.line(text, size, BOLD)
        self.space(size * 0.2)

    def paragraph(self, text: str, size: float = 10, grey: float = 0.0) -> None:
        for part in self.wrap(text, self.width, size, REGULAR):
            self.line(part, size, REGULAR, grey)
        self.space(size * 0.3)

    def rule(self, width: float = 1.0) -> None:
        self.doc.rule(self.page, self.left, self.y, self.right, width)

    def facts(self, pairs: Sequence[tuple[str, str]], size: float = 10) -> None:
        """Label and value pairs, the labels muted in a column of their own."""
        label_width = max(self.measure(label, size, REGULAR) for label, _ in pairs) + 12
        for label, value in pairs:
            lines = self.wrap(value, self.width - label_width, size, REGULAR)
            self.room(size * LINE * len(lines))
            self.y -= size * LINE
            self.doc.text(self.page, self.left, self.y + size * 0.28, label, size, REGULAR, MUTED)
            for n, part in enumerate(lines):
                if n:
                    self.y -= size * LINE
                self.doc.text(self.page, self.left + label_width, self.y + size * 0.28, part, size)

    def table(
        self, columns: Sequence[Column], rows: Iterable[Sequence[Sequence[str]]], bold_last: bool = False
    ) -> None:
        """Rows of cells, each cell a list of lines (a line starting with "\\x1f" is a muted note)."""
        size = TABLE_SIZE
        lead = size * LINE
        lefts, widths = [], []
        x = self.left
        for column in columns:
            lefts.append(x)
            widths.append(column.share * self.width)
            x += column.share * self.width
        header = [self.wrap(c.title, w - 2 * PAD_X, size, BOLD) for c, w in zip(columns, widths, strict=True)]
        header_height = max(len(lines) for lines in header) * lead + 2 * PAD_Y

        def draw_header() -> None:
            self._cells(header, columns, lefts, widths, BOLD)
            self.y -= header_height
            self.doc.rule(self.page, self.left, self.y, self.right, 0.6)

        self.room(header_height + lead * 2 + 2 * PAD_Y)
        draw_header()
        rows = list(rows)
        for number, row in enumerate(rows):
            font = BOLD if bold_last and number == len(rows) - 1 else REGULAR
            cells = [self._fit(cell, w - 2 * PAD_X, size, font) for cell, w in zip(row, widths, strict=True)]
            height = max(len(lines) for lines in cells) * lead + 2 * PAD_Y
            if self.y - height < self.bottom:
                self.new_page()
                draw_header()
            self._cells(cells, columns, lefts, widths, font)
            self.y -= height
            self.doc.rule(self.page, self.left, self.y, self.right, 0.4, 0.82)
        self.space(6)

    def _cells(
        self,
        cells: Sequence[Sequence[str]],
        columns: Sequence[Column],
        lefts: list[float],
        widths: list[float],
        font: int,
    ) -> None:
        """One text object per row: fonts and greys set only when they change (pages hold thousands of cells)."""
        size, lead = TABLE_SIZE, TABLE_SIZE * LINE
        fonts = self.doc.fonts
        ops = ["BT"]
        style: tuple[int, float] | None = None
        top = self.y - PAD_Y + size * 0.28
        ys = [f"{top - lead * n:.2f}" for n in range(1, max(len(lines) for lines in cells) + 1)]
        for lines, column, left, width in zip(cells, columns, lefts, widths, strict=True):
            start = f"{left + PAD_X:.2f}"
            for y, text in zip(ys, lines, strict=False):
                face, grey = BOLD if column.bold else font, 0.0
                if text.startswith("\x1f"):
                    text, face, grey = text[1:], REGULAR, MUTED
                if not text:
                    continue
                if style != (face, grey):
                    style = (face, grey)
                    ops.append(f"{grey:g} g /{fonts[face].resource} {size:g} Tf")
                x = f"{left + width - PAD_X - self.measure(text, size, face):.2f}" if column.right else start
                ops.append(f"1 0 0 1 {x} {y} Tm <{fonts[face].encode(text)}> Tj")
        ops.append("ET")
        self.page.append("\n".join(ops))

    def _fit(self, cell: Sequence[str], width: float, size: float, font: int) -> list[str]:
        found: list[str] = []
        for text in cell:
            if text.startswith("\x1f"):
                found.extend("\x1f" + part for part in self.wrap(text[1:], width, size, font))
            else:
                found.extend(self.wrap(text, width, size, font))
        return found or [""]

    def measure(self, text: str, size: float, font: int) -> float:
        return self.doc.fonts[font].file.width(text, size)

    def wrap(self, text: str, width: float, size: float, font: int) -> list[str]:
        """Lines of at most `width` points, broken at spaces (a word too long for a line is cut)."""
        key = (text, width, size, font)
        found = self._wrapped.get(key)
        if found is None:
            found = self._wrapped[key] = self._wrap(text, width, size, font)
        return found

    def _wrap(self, text: str, width: float, size: float, font: int) -> list[str]:
        if self.measure(text, size, font) <= width:
            return [text]
        space = self.measure(" ", size, font)
        lines: list[str] = []
        current, used = "", 0.0
        for word in text.split(" "):
            wide = self.measure(word, size, font)
            if current and used + space + wide <= width:
                current, used = f"{current} {word}", used + space + wide
                continue
            if current:
                lines.append(current)
            current, used = word, wide
            if wide > width:  # a word wider than the column: broken after its hyphens, else anywhere
                current, used = "", 0.0
                for piece in (p for p in re.split(r"(?<=-)", word) if p):
                    wide = self.measure(piece, size, font)
                    if current and used + wide <= width:
                        current, used = current + piece, used + wide
                        continue
                    if current:
                        lines.append(current)
                    while wide > width and len(piece) > 1:
                        cut = len(piece) - 1
                        while cut > 1 and self.measure(piece[:cut], size, font) > width:
                            cut -= 1
                        lines.append(piece[:cut])
                        piece = piece[cut:]
                        wide = self.measure(piece, size, font)
                    current, used = piece, wide
        lines.append(current)
        return lines

    def finish(self) -> bytes:
        """Footers on every page (the issuer, and page n of N), then the file."""
        count = len(self.doc.pages)
        for number, page in enumerate(self.doc.pages, start=1):
            y = self.bottom - 22
            self.doc.text(page, self.left, y, self.footer_left, 7.5, REGULAR, MUTED)
            label = f"{self.page_word} {number} / {count}"
            self.doc.text(page, self.right - self.measure(label, 7.5, REGULAR), y, label, 7.5, REGULAR, MUTED)
        return self.doc.pdf()
