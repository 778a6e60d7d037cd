"""A small PDF writer for long report tables: text set in the bundled Noto Sans, embedded as a subset.

WeasyPrint lays out ~7 ms per table row, so a statement of 10,000 contributions took
minutes. Here pages are plain text content streams: each glyph written by its id
(Identity-H), the font embedded with only the glyphs used (the others emptied, ids kept),
and a ToUnicode map so the text extracts and searches as written (₼, ə, ğ, ı, ş, Cyrillic).
"""

from __future__ import annotations

import struct
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from tracker.reporting.reports.files import FONTS

A4 = (595.28, 841.89)
MM = 72 / 25.4
# Tables a TrueType font needs inside a PDF (cmap is not: glyphs are addressed by id).
KEPT_TABLES = ("head", "hhea", "maxp", "hmtx", "cvt ", "fpgm", "prep", "loca", "glyf")


@dataclass(frozen=True)
class FontFile:
    """A TrueType font's metrics and raw tables, read once per process."""

    name: str
    glyph_of: dict[str, int]  # character → glyph id
    advance: defaultdict[str, float]  # character → advance width per 1 pt of font size (.notdef's when missing)
    widths: dict[int, int]  # glyph id → advance in 1/1000 em
    tables: dict[str, bytes]
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int
    long_loca: bool

    def width(self, text: str, size: float) -> float:
        return sum(map(self.advance.__getitem__, text)) * size


@cache
def font_file(filename: str) -> FontFile:
    from fontTools.ttLib import TTFont

    font = TTFont(FONTS / filename, lazy=True)
    scale = 1000 / font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    order = font.getGlyphOrder()
    ids = {name: n for n, name in enumerate(order)}
    glyph_of = {chr(code): ids[name] for code, name in font.getBestCmap().items()}
    widths = {n: round(metrics[name][0] * scale) for n, name in enumerate(order)}
    head, os2 = font["head"], font["OS/2"]
    return FontFile(
        name=Path(filename).stem,
        glyph_of=glyph_of,
        advance=defaultdict(lambda: widths[0] / 1000, {c: widths[g] / 1000 for c, g in glyph_of.items()}),
        widths=widths,
        tables={tag: font.reader[tag] for tag in KEPT_TABLES if tag in font.reader},
        bbox=(round(head.xMin * scale), round(head.yMin * scale), round(head.xMax * scale), round(head.yMax * scale)),
        ascent=round(font["hhea"].ascent * scale),
        descent=round(font["hhea"].descent * scale),
        cap_height=round(getattr(os2, "sCapHeight", 700) * scale),
        long_loca=head.indexToLocFormat == 1,
    )


@dataclass
class Font:
    """A font as one document uses it: its resource name and the characters written with it."""

    file: FontFile
    resource: str
    used: set[str] = field(default_factory=set)
    _hex: dict[str, str] = field(default_factory=dict)

    def encode(self, text: str) -> str:
        """The text as a hex string of glyph ids; characters the font lacks are written as .notdef."""
        table = self._hex
        try:
            return "".join(map(table.__getitem__, text))
        except KeyError:
            for c in text:
                if c not in table:
                    table[c] = f"{self.file.glyph_of.get(c, 0):04X}"
                    self.used.add(c)
            return "".join(map(table.__getitem__, text))


class Document:
    """Pages of text and rules; `pdf()` writes the file with the fonts subset to what was written."""

    def __init__(self, title: str, fonts: Iterable[str] = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf")) -> None:
        self.title = title
        self.fonts = [Font(font_file(name), f"F{n}") for n, name in enumerate(fonts, start=1)]
        self.pages: list[list[str]] = []

    def new_page(self) -> list[str]:
        self.pages.append([])
        return self.pages[-1]

    def text(
        self, page: list[str], x: float, y: float, text: str, size: float, font: int = 0, grey: float = 0.0
    ) -> None:
        """Text with its baseline's left end at (x, y), in points from the page's bottom left."""
        if text:
            used = self.fonts[font]
            page.append(f"BT {grey:g} g /{used.resource} {size:g} Tf {x:.2f} {y:.2f} Td <{used.encode(text)}> Tj ET")

    def rule(self, page: list[str], x1: float, y: float, x2: float, width: float = 0.5, grey: float = 0.0) -> None:
        page.append(f"{grey:g} G {width:g} w {x1:.2f} {y:.2f} m {x2:.2f} {y:.2f} l S")

    def pdf(self) -> bytes:
        objects: list[bytes] = []

        def add(body: bytes) -> int:
            objects.append(body)
            return len(objects)

        catalog = add(b"")  # filled in last
        pages_id = add(b"")
        font_refs = {font.resource: self._embed(font, add) for font in self.fonts}
        resources = "/Font << " + " ".join(f"/{name} {ref} 0 R" for name, ref in font_refs.items()) + " >>"
        kids = []
        for content in self.pages:
            stream = add(_stream("\n".join(content).encode("latin-1")))
            kids.append(
                add(
                    f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {A4[0]} {A4[1]}] "
                    f"/Resources << {resources} >> /Contents {stream} 0 R >>".encode()
                )
            )
        objects[pages_id - 1] = (
            f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
        )
        objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode()
        info = add(f"<< /Title {_pdf_string(self.title)} /Producer (tracker) >>".encode())
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
        out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
        out += f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R /Info {info} 0 R >>\n".encode()
        out += f"startxref\n{xref}\n%%EOF\n".encode()
        return bytes(out)

    def _embed(self, font: Font, add: Callable[[bytes], int]) -> int:
        file = font.file
        glyphs = {0} | {file.glyph_of.get(c, 0) for c in font.used}
        program, glyphs = subset_font(file, glyphs)
        base = f"{_subset_tag(glyphs)}+{file.name}"
        font_stream = add(_stream(program, f"/Length1 {len(program)}"))
        x1, y1, x2, y2 = file.bbox
        descriptor = add(
            f"<< /Type /FontDescriptor /FontName /{base} /Flags 32 /FontBBox [{x1} {y1} {x2} {y2}] /ItalicAngle 0 "
            f"/Ascent {file.ascent} /Descent {file.descent} /CapHeight {file.cap_height} /StemV 80 "
            f"/FontFile2 {font_stream} 0 R >>".encode()
        )
        widths = " ".join(f"{g} [{file.widths.get(g, 0)}]" for g in sorted(glyphs))
        cid = add(
            f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{base} "
            f"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
            f"/FontDescriptor {descriptor} 0 R /W [{widths}] /CIDToGIDMap /Identity >>".encode()
        )
        to_unicode = add(_stream(_to_unicode({c: file.glyph_of[c] for c in font.used if c in file.glyph_of})))
        return add(
            f"<< /Type /Font /Subtype /Type0 /BaseFont /{base} /Encoding /Identity-H "
            f"/DescendantFonts [{cid} 0 R] /ToUnicode {to_unicode} 0 R >>".encode()
        )


def _subset_tag(glyphs: set[int]) -> str:
    """Six capitals naming a subset (PDF's convention for subset fonts), derived from its glyphs."""
    number, tag = zlib.crc32(repr(sorted(glyphs)).encode()), ""
    for _ in range(6):
        number, rest = divmod(number, 26)
        tag += chr(65 + rest)
    return tag


def subset_font(file: FontFile, wanted: set[int]) -> tuple[bytes, set[int]]:
    """The font with every glyph but `wanted` (and the parts of composite glyphs) emptied; glyph ids unchanged."""
    tables = file.tables
    loca_data, glyf = tables["loca"], tables["glyf"]
    count = len(loca_data) // (4 if file.long_loca else 2) - 1
    offsets = struct.unpack(f">{count + 1}{'L' if file.long_loca else 'H'}", loca_data)
    if not file.long_loca:
        offsets = tuple(o * 2 for o in offsets)
    keep = set()
    todo = [g for g in wanted if 0 <= g < count]
    while todo:
        glyph = todo.pop()
        if glyph in keep:
            continue
        keep.add(glyph)
        todo.extend(_components(glyf[offsets[glyph] : offsets[glyph + 1]]))
    new_glyf = bytearray()
    new_offsets = []
    for glyph in range(count):
        new_offsets.append(len(new_glyf))
        if glyph in keep:
            new_glyf += glyf[offsets[glyph] : offsets[glyph + 1]]
            new_glyf += b"\0" * (-len(new_glyf) % 4)
    new_offsets.append(len(new_glyf))
    head = bytearray(tables["head"])
    head[8:12] = b"\0\0\0\0"  # checkSumAdjustment: not checked by PDF readers; left at zero
    head[50:52] = struct.pack(">h", 1)  # long offsets in loca
    built = dict(tables)
    built.update(head=bytes(head), loca=struct.pack(f">{count + 1}L", *new_offsets), glyf=bytes(new_glyf))
    return _sfnt(built), keep


def _components(data: bytes) -> list[int]:
    """The glyph ids a composite glyph is built from (none for a simple glyph)."""
    if len(data) < 10 or struct.unpack(">h", data[:2])[0] >= 0:
        return []
    found, at = [], 10
    while True:
        flags, glyph = struct.unpack(">HH", data[at : at + 4])
        found.append(glyph)
        at += 4 + (4 if flags & 0x0001 else 2)
        at += 8 if flags & 0x0080 else 4 if flags & 0x0040 else 2 if flags & 0x0008 else 0
        if not flags & 0x0020:
            return found


def _sfnt(tables: dict[str, bytes]) -> bytes:
    tags = sorted(tables)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(">LHHHH", 0x00010000, count, power * 16, power.bit_length() - 1, count * 16 - power * 16)
    directory, body = bytearray(), bytearray()
    offset = 12 + 16 * count
    for tag in tags:
        data = tables[tag]
        padded = data + b"\0" * (-len(data) % 4)
        checksum = sum(struct.unpack(f">{len(padded) // 4}L", padded)) & 0xFFFFFFFF
        directory += struct.pack(">4sLLL", tag.encode("latin-1"), checksum, offset + len(body), len(data))
        body += padded
    return header + bytes(directory) + bytes(body)


def _to_unicode(glyphs: dict[str, int]) -> bytes:
    pairs = sorted((g, c) for c, g in glyphs.items())
    unique: dict[int, str] = {}
    for glyph, char in pairs:
        unique.setdefault(glyph, char)
    lines = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    entries = sorted(unique.items())
    for start in range(0, len(entries), 100):
        chunk = entries[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines.extend(f"<{g:04X}> <{c.encode('utf-16-be').hex().upper()}>" for g, c in chunk)
        lines.append("endbfchar")
    lines.append("endcmap CMapName currentdict /CMap defineresource pop end end")
    return "\n".join(lines).encode()


def _stream(data: bytes, extra: str = "") -> bytes:
    packed = zlib.compress(data, 1)  # text streams: level 1 is 3× quicker than 6 and only slightly larger
    return f"<< /Length {len(packed)} /Filter /FlateDecode {extra}>>\nstream\n".encode() + packed + b"\nendstream"


def _pdf_string(text: str) -> str:
    """A text string as UTF-16 with its byte order mark, in hex (any script, nothing to escape)."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"
