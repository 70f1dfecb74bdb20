"""The shared page kit of the forms: A4 pages, a header block, cells whose text shrinks or
wraps to fit, tables with headers repeated over pages, comb cells, signature and date lines.

Every text cell is recorded in `FormPDF.cells` (its text, the width the text needs and the
width the cell offers), so a test can check that nothing on any form overflows its cell.
"""
from __future__ import annotations

import math

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from operator import itemgetter
from typing import Optional, Sequence

import codecs
import copy

from encodings.cp1251 import encoding_table as _CP1251

from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap
from fpdf.util import escape_parens

from ..paths import data_path

FONT = "Serif"
PT = 25.4 / 72  # mm per point
PAD = 0.8  # mm between a cell's border and its text
LINE = 1.12  # line height as a multiple of the font size
ASCENT = 0.78  # baseline below the top of a line, as a multiple of the font size
MIN_SIZE = 5.0  # the smallest font size a cell may shrink to


_TEMPLATES: dict = {}  # fontkey -> parsed TTFFont, never used for output itself

ONE_BYTE = "cp1251"  # every Russian letter, digit and sign of a name is one byte in it
_cp1251 = codecs.charmap_encode  # text.encode(ONE_BYTE) without the codec's Python frame


class CharTable:
    """A glyph's width in thousandths of the font size (an integer, see
    FormPDF.text_width) per character, looked up for a whole text at once. Python spends
    far more on looking up each character of a long text than on the sum after it; a text
    that cp1251 encodes (any Russian one) is turned into bytes in C, and its bytes index a
    list in C (itemgetter), or are summed in C through two byte tables (the high and the
    low byte of each width): the same integers as looking the characters up one by one."""

    __slots__ = ("chars", "by_byte", "known", "high", "low")

    def __init__(self) -> None:
        self.chars: dict[str, int] = {}
        self.by_byte: list = [None] * 256
        self.known = b""  # the bytes whose character has a width
        self.high = bytearray(256)  # byte -> its width // 256
        self.low = bytearray(256)  # byte -> its width % 256

    def add(self, ch: str, value: int) -> None:
        self.chars[ch] = value
        try:
            b = ch.encode(ONE_BYTE)
        except UnicodeEncodeError:
            return
        if not 0 <= value < 65536:
            return  # (a glyph that wide: looked up one by one)
        self.by_byte[b[0]] = value
        self.high[b[0]], self.low[b[0]] = divmod(value, 256)
        self.known += b

    def _bytes(self, text: str) -> Optional[bytes]:
        """text in cp1251 if every byte of it has a width, else None."""
        try:
            data = _cp1251(text, "strict", _CP1251)[0]
        except UnicodeEncodeError:
            return None
        return None if data.translate(None, self.known) else data

    def values(self, text: str) -> Optional[Sequence[int]]:
        """The widths of text's characters in order; None if one is not in the table."""
        if len(text) > 1:
            data = self._bytes(text)
            if data is not None:
                return itemgetter(*data)(self.by_byte)
        try:
            return list(map(self.chars.__getitem__, text))
        except KeyError:
            return None

    def total(self, text: str) -> Optional[int]:
        """The sum of the widths of text's characters; None if one is not in the table."""
        data = self._bytes(text)
        if data is not None:
            return (sum(data.translate(self.high)) << 8) + sum(data.translate(self.low))
        try:
            return sum(map(self.chars.__getitem__, text))
        except KeyError:
            return None


@lru_cache(maxsize=1)
def _font_files() -> dict[str, str]:
    files = {
        "": data_path("fonts", "LiberationSerif-Regular.ttf"),
        "B": data_path("fonts", "LiberationSerif-Bold.ttf"),
        "I": data_path("fonts", "LiberationSerif-Italic.ttf"),
    }
    for path in files.values():
        if not path.exists():
            raise FileNotFoundError(f"Нет файла шрифта {path}: переустановите программу.")
    return {k: str(v) for k, v in files.items()}


def font_path(style: str = "") -> str:
    """The bundled serif font for a style ("", "B", "I"): the one font of every PDF we make."""
    return _font_files()[style]


class TextCodes:
    """fpdf2's `font.encode_text(text)` for our TrueType (not symbol) font, the same
    string: encode_text picks each character in the font's subset and escapes the UTF-16
    of the picked numbers, in Python per character. Here a character is picked the first
    time a text of the document has it (so the subset is numbered in the same order) and
    its code kept. A text that cp1251 encodes, of characters numbered below 256 (a
    document's whole alphabet is), is then done in C: its bytes translated to the
    numbers, a zero byte before each (UTF-16), escaped as encode_text escapes."""

    __slots__ = ("font", "chars", "numbers", "known", "missing")

    def __init__(self, font) -> None:
        self.font = font
        self.chars: dict[str, str] = {}  # character -> its escaped code ("" if no glyph)
        self.numbers = bytearray(range(256))  # cp1251 byte -> its character's number
        self.known = b""  # the cp1251 bytes done in C: numbered below 256, or no glyph
        self.missing = b""  # those with no glyph (encode_text leaves them out)

    def _add(self, ch: str) -> None:
        number = self.font.subset.pick(ord(ch))  # None: no glyph (fpdf2 notes it)
        self.chars[ch] = "" if number is None else self.font.escape_text(chr(number))
        try:
            b = ch.encode(ONE_BYTE)
        except UnicodeEncodeError:
            return
        if number is None:
            self.missing += b
        elif number < 256:
            self.numbers[b[0]] = number
        else:
            return
        self.known += b

    def encode(self, text: str) -> str:
        try:
            data = _cp1251(text, "strict", _CP1251)[0]
        except UnicodeEncodeError:
            data = None
        if data is not None and not data.translate(None, self.known):
            numbers = data.translate(self.numbers, self.missing)
            utf16 = bytearray(2 * len(numbers))
            utf16[1::2] = numbers
            return escape_parens(utf16.decode("latin-1"))
        chars = self.chars
        for ch in text:
            if ch not in chars:
                self._add(ch)
        return "".join(map(chars.__getitem__, text))


@dataclass(frozen=True)
class CellRecord:
    """One text cell as drawn: needed vs offered width and height (mm)."""

    page: int
    x: float
    y: float
    w: float
    h: float
    text: str
    size: float
    lines: tuple[str, ...]
    text_w: float  # the widest line
    text_h: float  # all lines

    @property
    def fits(self) -> bool:
        return self.text_w <= self.w - 2 * PAD + 0.01 and self.text_h <= self.h + 0.01


@dataclass
class Col:
    """A table column: header text, width (mm), alignment and base font size."""

    title: str
    w: float
    align: str = "C"
    size: float = 10.0
    style: str = ""


class FormPDF(FPDF):
    """A4 document in millimetres with the bundled serif font."""

    def __init__(self, orientation: str = "P", title: str = "") -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        for style, path in _font_files().items():
            self._add_font(style, path)
        self.set_font(FONT, "", 10)
        self.set_margins(15, 12, 12)
        self.set_auto_page_break(False)
        self.set_creator("ИС-Штаб")
        self.set_lang("ru")
        if title:
            self.set_title(title)
        self.cells: list[CellRecord] = []
        self.set_line_width(0.25)
        self._widths: dict[tuple[str, str], int] = {}  # (text, style) -> units, see text_width
        self._glyphs: dict[str, CharTable] = {}  # style -> character -> units
        self._enc: dict[tuple[int, str], str] = {}  # (font, short text) -> its Tj operator
        self._codes: dict[int, TextCodes] = {}  # font -> its characters' codes in the text
        self._words: dict[tuple[str, str], _Words] = {}  # (text, style) -> its words, see wrap
        self._limits: dict[tuple[float, float], int] = {}  # (size, width) -> units, see _limit

    def _add_font(self, style: str, path: str) -> None:
        """add_font(), but the font's metrics are parsed once per process: a new document
        gets a copy of them (fpdf2's own __deepcopy__ shares the immutable parts) with its
        own font file handle and an empty subset (fpdf2 subsets that file in place)."""
        key = f"{FONT.lower()}{style}"
        template = _TEMPLATES.get(key)
        if template is not None:
            try:
                font = copy.deepcopy(template)
                font.i = len(self.fonts) + 1
                font.ttfont = ttLib.TTFont(path, recalcTimestamp=False, lazy=True)
                font.subset = SubsetMap(font)
                font.missing_glyphs = []
                font.biggest_size_pt = 0
                self.fonts[key] = font
                return
            except Exception:  # noqa: BLE001 - any surprise: the plain, slower way
                _TEMPLATES.pop(key, None)
        self.add_font(FONT, style, path)
        if key not in _TEMPLATES:
            _TEMPLATES[key] = copy.deepcopy(self.fonts[key])

    # -- geometry -----------------------------------------------------------
    @property
    def left(self) -> float:
        return self.l_margin

    @property
    def right(self) -> float:
        return self.w - self.r_margin

    @property
    def width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    @property
    def bottom(self) -> float:
        return self.h - 10

    # -- text measuring -------------------------------------------------------
    # A width is kept as fpdf2 keeps it: a glyph's advance is an integer number of
    # thousandths of the font size (the font's `cw`), a text's is their sum, and its
    # width in mm at a size is units * size * 0.001 / k, fpdf2's own formula. Sums of
    # integers are exact: a line measured as a whole, as its words plus spaces, or as a
    # running sum is the same number, so a wrap can add whole lines at once (bisect on
    # sums) and a cell's lines keep the units the wrap found for them.
    def text_width(self, text: str, size: float, style: str = "") -> float:
        """The width of text at size, as fpdf2's get_string_width gives it (no kerning or
        shaping is set): the glyphs are measured once each, a text once per style."""
        return self._units(text, style) * size * 0.001 / self.k

    def _units(self, text: str, style: str) -> int:
        """The width of text in thousandths of the font size (cached per text and style)."""
        key = (text, style)
        u = self._widths.get(key)
        if u is None:
            table = self._glyphs.get(style)
            u = None if table is None else table.total(text)
            if u is None:
                u = self._table(text, style).total(text)
            if len(self._widths) < 50000:
                self._widths[key] = u
        return u

    def _table(self, text: str, style: str) -> CharTable:
        """The style's glyph table, with every character of text in it."""
        table = self._glyphs.get(style)
        if table is None:
            table = self._glyphs[style] = CharTable()
        if any(ch not in table.chars for ch in text):
            current = (self.font_family, self.font_style, self.font_size_pt)
            self.set_font(FONT, style, 1)
            k = self.k
            for ch in set(text) - table.chars.keys():
                # fpdf2's width at 1 pt is cw * 0.001 / k: cw back, an integer
                table.add(ch, round(self.get_string_width(ch) * k * 1000))
            if current[0]:  # measuring leaves the font as it was
                self.set_font(*current)
        return table

    def _limit(self, size: float, avail: float) -> int:
        """The most units a line may have to fit avail mm at size: u fits exactly when
        u <= _limit (text_width's u * size * 0.001 / k grows with u), -1 if none does."""
        if not avail >= 0:
            return -1
        if size <= 0:
            return 1 << 62
        key = (size, avail)
        found = self._limits.get(key)
        if found is not None:
            return found
        if len(self._limits) > 1000:
            self._limits.clear()
        k = self.k
        u = int(avail * k / (size * 0.001))
        while u > 0 and u * size * 0.001 / k > avail:
            u -= 1
        while (u + 1) * size * 0.001 / k <= avail:
            u += 1
        self._limits[key] = u
        return u

    def _fit_prefix(self, line: str, style: str, limit: int) -> int:
        """How many first characters of line fit limit units (at least 1)."""
        return max(1, bisect_right(list(accumulate(self._table(line, style).values(line))),
                                   limit))

    def _measure(self, text: str, style: str) -> _Words:
        """text's words, measured once however many sizes layout() tries to wrap it at
        (a word's units are cached as any text's: names repeat their words)."""
        key = (text, style)
        found = self._words.get(key)
        if found is None:
            if len(self._words) > 1000:
                self._words.clear()
            words = text.split()
            units = self._units
            found = self._words[key] = _Words(words, [units(w, style) for w in words],
                                              units(" ", style))
        return found

    def wrap(self, text: str, size: float, style: str, avail: float) -> list[str]:
        """Greedy word wrap; a word longer than the line breaks after a hyphen, or by
        letters as the last resort."""
        return self._wrap(text, size, style, self._limit(size, avail))[0]

    def _wrap(self, text: str, size: float, style: str, limit: int,
              max_h: Optional[float] = None) -> Optional[tuple[list[str], list[int]]]:
        """wrap() at limit units a line, and the units of each line; with max_h, None as
        soon as the lines are sure to be more than max_h high (layout() would refuse this
        size anyway)."""
        m = self._measure(text, style)
        if m.widest > limit:  # a word with hyphens wider than the line: its parts instead
            m = m.split(limit, lambda part: self._units(part, style))
        sums, glues = m.sums, m.glues
        step = size * PT * LINE
        n = len(m.words)
        spans = []
        i = 0
        while i < n:  # a line takes each next word while the whole line fits
            j = bisect_right(sums, limit + sums[i] + glues[i], i + 2) - 1
            spans.append((i, j))
            if j < n and max_h is not None and (len(spans) + 1) * step > max_h:
                return None
            i = j
        lines: list[str] = []
        units: list[int] = []
        for i, j in spans:
            line = m.line(i, j)
            lu = sums[j] - sums[i] - glues[i]
            while lu > limit and len(line) > 1:  # one word: cut by letters
                cut = min(self._fit_prefix(line, style, limit), len(line) - 1)
                lines.append(line[:cut])
                units.append(self._units(line[:cut], style))
                line = line[cut:]
                lu = self._units(line, style)
            lines.append(line)
            units.append(lu)
        return lines, units

    def layout(self, text: str, w: float, h: float, size: float, style: str = "",
               wrap: bool = True, min_size: float = MIN_SIZE,
               shrink_first: float = 0.8) -> tuple[float, list[str]]:
        """The font size and lines that fit `text` into a w×h cell: the largest size not
        above `size`, first on one line, then wrapped."""
        s, lines, _ = self._layout(text, w, h, size, style, wrap, min_size, shrink_first)
        return s, lines

    def _layout(self, text: str, w: float, h: float, size: float, style: str,
                wrap: bool, min_size: float,
                shrink_first: float) -> tuple[float, list[str], list[int]]:
        """layout(), and the units of each line."""
        avail_w = w - 2 * PAD
        text = " ".join(str(text).split())
        if not text:
            return size, [], []
        k = self.k
        u = self._units(text, style)
        w1 = u * 0.001 / k  # the width at 1 pt, for the sizes passed over (with margins)
        # sizes tried one by one from `size` down by 0.5; those at which the text surely
        # does not fit (see _passed) are passed over without trying
        measurable = u > 0 and avail_w > 0 and h > 0
        # a little shrinking on one line reads better than a wrapped line
        s = _passed(size, avail_w / w1) if measurable else size
        while s >= max(min_size, size * shrink_first):
            if u * s * 0.001 / k <= avail_w and s * PT * LINE <= h:
                return s, [text], [u]
            s -= 0.5
        s = size
        spaces = text.count(" ")
        space = self._units(" ", style)
        breakable = wrap and (" " in text or "-" in text)
        if measurable and size > min_size:
            top = avail_w / w1  # above it, one line is too wide
            wide = w1 - spaces * (space * 0.001 / k)  # the text less its spaces, at 1 pt
            if breakable and wide > 0.01 * w1:
                # above it, even the floor below cannot fit the height: n lines (the
                # floor, s * wide / avail_w at least) fit h up to h / (n PT LINE)
                n = 1
                while True:
                    by_h = h / (n * PT * LINE)
                    if by_h * (1 + 1e-9) < min_size:
                        break
                    by_w = (n + 1e-9) * avail_w / wide
                    if by_w >= by_h:
                        top = max(top, by_h)
                        break
                    top = max(top, by_w)
                    n += 1
            elif breakable:
                top = size
            s = max(min_size, _passed(size, top))
        leap = True
        while True:
            one_line_h = s * PT * LINE
            if u * s * 0.001 / k <= avail_w and one_line_h <= h:
                return s, [text], [u]
            if breakable:
                # the lines of a wrap add up to the text less the spaces it breaks at: a
                # size at which even that many full lines do not fit the height is skipped
                floor = u * s * 0.001 / k - spaces * (space * s * 0.001 / k)
                if math.ceil(floor / avail_w - 1e-9) * one_line_h <= h:
                    limit = self._limit(s, avail_w)
                    if measurable:
                        m = self._measure(text, style)
                        if leap and m.widest <= limit:
                            leap = False  # (then at every smaller size too)
                            to = max(min_size, _passed(s, m.top_size(h, avail_w * k, min_size)))
                            if to < s:
                                s = to
                                continue
                    if not measurable or m.lines_at_least(limit) * one_line_h <= h:
                        got = self._wrap(text, s, style, limit, h)
                        if got is not None and len(got[0]) * one_line_h <= h and \
                                max(got[1]) <= limit:
                            return s, got[0], got[1]
            if s <= min_size:
                break
            s = max(min_size, s - 0.5)
        if wrap:
            lines, units = self._wrap(text, s, style, self._limit(s, avail_w))
            return s, lines, units
        return s, [text], [u]

    # -- drawing ----------------------------------------------------------------
    # Forms draw tens of thousands of cells (300 protocols ИС-03 in a few seconds), so
    # plain text and rectangles go straight to the page stream, with the encoded strings
    # cached (the same labels repeat on every page); fpdf2 keeps the font subset.
    def _text(self, x: float, y: float, text: str) -> None:
        font = self.current_font
        if self.fill_color != self.text_color or self.text_mode != 0 or self.underline:
            self.text(x, y, text)
            return
        if not self.current_font_is_set_on_page:
            self._out(self._set_font_for_page(font, self.font_size_pt))
        key = (font.i, text)
        enc = self._enc.get(key)
        if enc is None:
            enc = self._encode(font, text)
            if len(text) <= 64:  # labels repeat on every page; names do not
                self._enc[key] = enc
        k = self.k
        self._out(f"BT {x * k:.2f} {(self.h - y) * k:.2f} Td {enc} ET")

    def _text_lines(self, places: Sequence[tuple[float, float, str]]) -> None:
        """A cell's lines (x, y, text each) in one text object: the first placed as _text
        places it (Td from the origin), each next one by its own absolute matrix (Tm), so
        every line lands exactly where a text object of its own would put it."""
        if self.fill_color != self.text_color or self.text_mode != 0 or self.underline:
            for x, y, text in places:
                self.text(x, y, text)
            return
        font = self.current_font
        if not self.current_font_is_set_on_page:
            self._out(self._set_font_for_page(font, self.font_size_pt))
        k, page_h, cache = self.k, self.h, self._enc
        ops = []
        for x, y, text in places:
            key = (font.i, text)
            enc = cache.get(key)
            if enc is None:
                enc = self._encode(font, text)
                if len(text) <= 64:
                    cache[key] = enc
            ops.append(f"1 0 0 1 {x * k:.2f} {(page_h - y) * k:.2f} Tm {enc}" if ops else
                       f"BT {x * k:.2f} {(page_h - y) * k:.2f} Td {enc}")
        ops.append("ET")
        self._out(" ".join(ops))

    def _encode(self, font, text: str) -> str:
        """The text operator of text in font: fpdf2's font.encode_text(text), see TextCodes."""
        if font.is_symbol or font.color_font or not self.is_ttf_font:
            return font.encode_text(self.normalize_text(text))
        codes = self._codes.get(font.i)
        if codes is None:
            codes = self._codes[font.i] = TextCodes(font)
        return f"({codes.encode(text)}) Tj"

    def _rect(self, x: float, y: float, w: float, h: float, op: str) -> None:
        k = self.k
        self._out(f"{x * k:.2f} {(self.h - y) * k:.2f} {w * k:.2f} {-h * k:.2f} re {op}")

    def box(self, x: float, y: float, w: float, h: float, text: str = "", *,
            size: float = 10, style: str = "", align: str = "L", valign: str = "M",
            border: bool = True, wrap: bool = True, fill: Optional[int] = None,
            min_size: float = MIN_SIZE, shrink_first: float = 0.8) -> CellRecord:
        """A cell with its text fitted inside (shrunk, then wrapped)."""
        if fill is not None:
            self.set_fill_color(fill)
            self._rect(x, y, w, h, "B" if border else "f")
            self.set_fill_color(0)  # text is painted with the fill colour
        elif border:
            self._rect(x, y, w, h, "S")
        text = "" if text is None else str(text)
        s, lines, units = self._layout(text, w, h, size, style, wrap, min_size, shrink_first)
        line_h = s * PT * LINE
        text_h = len(lines) * line_h
        if valign == "T":
            top = y + PAD * 0.5
        elif valign == "B":
            top = y + h - text_h - PAD * 0.5
        else:
            top = y + (h - text_h) / 2
        widest = 0.0
        if lines:
            self.set_font(FONT, style, s)
        k = self.k
        places = []
        for i, line in enumerate(lines):
            lw = units[i] * s * 0.001 / k  # text_width(line, s, style)
            widest = max(widest, lw)
            if align == "C":
                tx = x + (w - lw) / 2
            elif align == "R":
                tx = x + w - PAD - lw
            else:
                tx = x + PAD
            places.append((tx, top + i * line_h + s * PT * ASCENT + (line_h - s * PT) / 2, line))
        if len(places) == 1:
            self._text(*places[0])
        elif places:
            self._text_lines(places)
        rec = CellRecord(self.page, x, y, w, h, text, s, tuple(lines), widest, text_h)
        if text:
            self.cells.append(rec)
        return rec

    def label(self, x: float, y: float, text: str, *, size: float = 10, style: str = "",
              w: Optional[float] = None, h: Optional[float] = None, align: str = "L") -> float:
        """Borderless text; with no width it takes what the text needs. Returns the width."""
        if w is None:
            w = self.text_width(text, size, style) + 2 * PAD + 0.2
        if h is None:
            h = size * PT * LINE + 1
        self.box(x, y, w, h, text, size=size, style=style, align=align, border=False)
        return w

    def caption(self, x: float, y: float, w: float, text: str, size: float = 7) -> None:
        """The small italic caption under a line or a box: «(подпись)», «(ФИО)»."""
        self.box(x, y, w, size * PT * LINE + 0.6, text, size=size, style="I", align="C",
                 border=False)

    def comb(self, x: float, y: float, value: str, n: int, cell: float = 5.0,
             h: Optional[float] = None, size: float = 10) -> float:
        """n boxes, one character each (codes, dates, names on the application form).
        Returns the width used."""
        h = h or cell + 1
        value = str(value or "")
        for i in range(n):
            ch = value[i] if i < len(value) else ""
            self.box(x + i * cell, y, cell, h, ch, size=size, align="C", wrap=False)
        return n * cell

    def checkbox(self, x: float, y: float, checked: bool, side: float = 4.0) -> None:
        self.box(x, y, side, side, "X" if checked else "", size=9, style="B", align="C",
                 wrap=False)

    def hline(self, x: float, y: float, w: float) -> None:
        self.line(x, y, x + w, y)

    def fill_line(self, x: float, y: float, w: float, text: str = "", *, size: float = 10,
                  caption: str = "", style: str = "", align: str = "L") -> None:
        """A line to write on, with `text` already written on it and a caption below."""
        h = 5.5
        self.hline(x, y + h, w)
        if text:
            self.box(x, y, w, h, text, size=size, style=style, align=align, border=False)
        if caption:
            self.caption(x, y + h, w, caption)

    def signature(self, x: float, y: float, w: float, fio: str = "", *,
                  sign_caption: str = "(подпись)", fio_caption: str = "(ФИО)",
                  sign_w: Optional[float] = None) -> None:
        """«____ / ФИО» pair: a line to sign on and a line with the (prefilled) name."""
        sign_w = sign_w or min(40.0, w * 0.4)
        self.fill_line(x, y, sign_w, caption=sign_caption)
        self.label(x + sign_w, y, "/", size=11, w=4, h=5.5, align="C")
        self.fill_line(x + sign_w + 4, y, w - sign_w - 4, fio, caption=fio_caption,
                       align="C")

    def date_line(self, x: float, y: float, value: str = "", size: float = 10) -> float:
        """«__» ________ 20__ г. — or the date written out when known. Returns the width."""
        if value:
            return self.label(x, y, value, size=size)
        text = "«____» ______________ 20___ г."
        return self.label(x, y, text, size=size)

    def form_code(self, code: str, y: Optional[float] = None) -> None:
        """«Форма ИС-01» in the top right corner."""
        y = self.t_margin - 4 if y is None else y
        w = 40
        self.box(self.right - w, y, w, 5, f"Форма {code}", size=9, style="B", align="R",
                 border=False)

    def title_block(self, y: float, lines: Sequence[str], size: float = 13) -> float:
        """Centered bold title lines; returns the y below them."""
        for line in lines:
            h = size * PT * LINE + 1
            self.box(self.left, y, self.width, h, line, size=size, style="B", align="C",
                     border=False)
            y += h
        return y + 1

    def field(self, x: float, y: float, label: str, value: str, w: float, *,
              label_w: Optional[float] = None, h: float = 6.5, size: float = 10,
              label_style: str = "", value_style: str = "") -> float:
        """«Label: [value]» — a label and a bordered value box. Returns the x after it."""
        lw = label_w if label_w is not None else self.text_width(label, size, label_style) + 2 * PAD + 1
        self.box(x, y, lw, h, label, size=size, style=label_style, border=False)
        self.box(x + lw, y, w - lw, h, value, size=size, style=value_style, align="C")
        return x + w

    def goto_page(self, n: int) -> None:
        """Draw on an earlier page again (page numbers «лист 1 из 3» once the count is known)."""
        self.page = n
        self.current_font_is_set_on_page = False  # the font must be selected on that page

    def number_pages(self, first: int, prefix: str) -> None:
        """«prefix · лист k из n» at the foot of pages first…current."""
        last = self.page
        for n in range(first, last + 1):
            self.goto_page(n)
            self.page_number(f"{prefix} · лист {n - first + 1} из {last - first + 1}")
        self.goto_page(last)

    def page_number(self, text: str) -> None:
        self.box(self.left, self.h - 9, self.width, 4.5, text, size=8, align="C", border=False)

    # -- tables -----------------------------------------------------------------
    def table_row(self, x: float, y: float, cols: Sequence[Col], values: Sequence[str],
                  h: float, *, header: bool = False) -> float:
        cx = x
        for col, value in zip(cols, values):
            self.box(cx, y, col.w, h, value, size=(9 if header else col.size),
                     style=("B" if header else col.style), align=("C" if header else col.align),
                     fill=(235 if header else None), shrink_first=(1.0 if header else 0.8))
            cx += col.w
        return y + h


class _Words:
    """A text's words for wrapping, in units (see FormPDF.text_width): each word, its
    units and whether it ends in a hyphen (then no space before the next one on a line);
    `sums` the running width of the words with the glue before each (`glues`: 0 first and
    after a hyphen, else a space), so the words i…j-1 on one line are sums[j] - sums[i] -
    glues[i] wide; the widest word with an inner hyphen (0 if none); each two
    neighbours' width together, sorted (see lines_at_least)."""

    __slots__ = ("words", "units", "space", "hyphen", "glues", "sums", "glued", "widest",
                 "pairs")

    def __init__(self, words: list[str], units: list[int], space: int) -> None:
        self.words, self.units, self.space = words, units, space
        self.hyphen = hyphen = []
        self.glues = glues = []
        self.sums = sums = [0]
        pairs = []
        total = widest = last = 0
        glue = 0  # none before the first word
        first = True
        for word, u in zip(words, units):
            glues.append(glue)
            if first:
                first = False
            else:
                pairs.append(last + glue + u)
            total += glue + u
            sums.append(total)
            last = u
            if word[-1] == "-":
                hyphen.append(True)
                glue = 0
            else:
                hyphen.append(False)
                glue = space
            if "-" in word[1:-1] and u > widest:
                widest = u
        self.glued = True in hyphen[:-1]  # a word ends in a hyphen before another
        self.widest = widest
        pairs.sort()
        self.pairs = pairs

    def line(self, i: int, j: int) -> str:
        """The words i…j-1 as one line."""
        words = self.words
        if j == i + 1:
            return words[i]
        if not self.glued:
            return " ".join(words[i:j])
        hyphen = self.hyphen
        return words[i] + "".join([words[r] if hyphen[r - 1] else " " + words[r]
                                   for r in range(i + 1, j)])

    def split(self, limit: int, units_of) -> "_Words":
        """The words with each one wider than limit that has inner hyphens broken after
        them (its parts; units_of measures a part)."""
        words, units = [], []
        for word, wu in zip(self.words, self.units):
            if wu <= limit or "-" not in word[1:-1]:
                words.append(word)
                units.append(wu)
                continue
            pieces = word.split("-")
            last = pieces.pop()
            for piece in pieces:
                words.append(piece + "-")
                units.append(units_of(piece + "-"))
            if last:  # (after a final hyphen an empty part would change no line)
                words.append(last)
                units.append(units_of(last))
        return _Words(words, units, self.space)

    def top_size(self, h: float, avail_k: float, min_size: float) -> float:
        """A size above which lines_at_least cannot fit height h (avail_k: the line's
        width in mm times the document's k): at n lines the size is at most h / (n PT
        LINE), and the n-th widest pair must fit the line (at most n - 1 breaks), at most
        avail_k / (its units * 0.001). Valid where no word is broken into parts (the
        floor holds), i.e. at any size at or below one where widest fits."""
        pairs = self.pairs
        count = len(pairs)
        best = 0.0
        for n in range(1, count + 2):
            top = h / (n * PT * LINE)
            if top < min_size:
                break
            need = pairs[count - n] if n <= count else 0
            if need:
                top = min(top, avail_k / (need * 0.001))
            best = max(best, top)
        return best

    def lines_at_least(self, limit: int) -> int:
        """A floor under the number of lines the wrap at limit gives: two neighbouring
        words wider together than limit cannot share a line, so each such pair is a line
        break. Whole words only (with a word broken into parts there is no floor but 1)."""
        if self.widest > limit:
            return 1
        return 1 + len(self.pairs) - bisect_right(self.pairs, limit)

def _passed(size: float, top: float) -> float:
    """The first of size, size - 0.5, size - 1, … not above top (with a margin far wider
    than any rounding: a size passed over is one the checks it skips would refuse). The
    steps are exact (multiples of 0.5 off a size), so it is the very number the one-by-one
    loop reaches."""
    top *= 1 + 1e-9
    if size <= top:
        return size
    return size - 0.5 * math.ceil((size - top) / 0.5)


def fmt_date(d) -> str:
    return d.strftime("%d.%m.%Y") if d else ""


def fmt_time(t) -> str:
    return t.strftime("%H:%M") if t else ""


def paged_rows(pdf: FormPDF, cols: Sequence[Col], rows: Sequence[Sequence[str]], *, y: float,
               row_h: float, draw_header, new_page, bottom: Optional[float] = None,
               keep_after: float = 0.0) -> float:
    """Rows of a table over as many pages as they need. `draw_header(y) -> y` draws the
    column headers (again on every page); `new_page() -> y` starts a page with its header
    block. `keep_after` mm must stay free below the last row (the signatures), or that
    block goes to a page of its own with the headers. Returns the y below the last row."""
    bottom = pdf.bottom if bottom is None else bottom
    y = draw_header(y)
    for i, row in enumerate(rows):
        last = i == len(rows) - 1
        need = row_h + (keep_after if last else 0)
        if y + need > bottom:
            y = draw_header(new_page())
        y = pdf.table_row(pdf.left, y, cols, row, row_h)
    if not rows and y + keep_after > bottom:
        y = new_page()
    return y
