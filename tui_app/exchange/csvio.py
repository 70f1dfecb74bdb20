"""CSV tables as Excel saves them, read strictly, and the one CSV writer of the program.

Reading (every CSV that arrives: a roster, scores, a roster for the next date):
- the bytes through `untrusted.read_all` (a regular file, at most MAX_CSV_BYTES, time bound);
- the encoding decided from the bytes: UTF-8 with or without BOM, or windows-1251 when the
  whole file is in it; UTF-16/UTF-32 (with or without BOM), a NUL byte anywhere, a file
  that mixes UTF-8 and windows-1251 lines, bytes valid in neither — refused with the line;
- `;`, `,` or tab as the separator (from the header line);
- strict quoting: an unclosed quote (the value would swallow the lines after it), text after
  a closing quote, a value spanning lines, more values than columns — refused with the line;
- at most MAX_CSV_ROWS rows.
What the rows mean (duplicates, limits of every field) is checked by the importers.

Writing: `write_table` is the only CSV writer (consolidate --out, retakes --out, the test
data): UTF-8 with BOM, `;` (what Russian Excel opens without asking), and every cell that
starts with `=`, `+`, `-`, `@`, a tab or a CR is prefixed with `'` (the OWASP rule against
CSV/formula injection: Excel shows it as text). The reader takes such a prefix off again.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence
from unicodedata import is_normalized, normalize

from ..domain.limits import MAX_CSV_BYTES, MAX_CSV_ROWS
from ..domain.ordering import fold
from ..errors import Refused
from . import untrusted

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class CsvError(Refused):
    def __init__(self, problems: list[str], kind: str = "csv") -> None:
        self.problems = problems
        self.kind = kind
        super().__init__("\n".join(problems))

    def __reduce__(self):  # travels from a worker process
        return (self.__class__, (self.problems, self.kind))


def norm_header(text: str) -> str:
    t = fold(text.replace("\ufeff", ""))
    for ch in "_/-.":
        t = t.replace(ch, " ")
    return " ".join(t.split())


@dataclass
class CsvTable:
    path: Path
    encoding: str
    delimiter: str
    header: list[str]  # as in the file
    keys: list[str]  # normalized
    rows: list[tuple[int, dict[str, str]]]  # (line number, normalized key -> value)
    composed: int = 0  # values in a decomposed Unicode form, composed (NFC; see read_table)


# -- bytes -> text ---------------------------------------------------------------------

def _line(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _refuse_shape(data: bytes, name: str = "") -> None:
    sheet = untrusted.spreadsheet_form(name, data[:8])
    if sheet:
        raise CsvError([f"это файл таблицы {sheet}, а не текст CSV: {untrusted.SAVE_AS_CSV}."],
                       "spreadsheet")
    form = untrusted.encoding_form(data)  # the same decision from the bytes as for B2P
    if form:
        raise CsvError([f"файл в кодировке {form}: сохраните его из Excel как «CSV UTF-8» "
                        f"или «CSV (разделители — точка с запятой)»."], "encoding")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise CsvError([f"строка {_line(data, nul)}: нулевой байт (NUL) — это не текстовый файл "
                        f"CSV (двоичные данные или кодировка UTF-16/UTF-32)."], "nul")


def _mixed_line(data: bytes) -> Optional[int]:
    """The first line that is not UTF-8 in a file whose other lines are UTF-8 with Russian
    letters (a file put together from two sources), else None."""
    first_bad, good = None, False
    for i, raw in enumerate(data.split(b"\n"), start=1):
        if raw.isascii():
            continue
        try:
            raw.decode("utf-8")
            good = True
        except UnicodeDecodeError:
            first_bad = first_bad or i
        if good and first_bad:
            return first_bad
    return None


def decode(data: bytes, name: str = "") -> tuple[str, str]:
    """(text, encoding name) of a CSV's bytes (`name`: the file's, for a workbook's suffix);
    raises CsvError with the line."""
    _refuse_shape(data, name)
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8 (BOM)"
        except UnicodeDecodeError as e:
            raise CsvError([f"строка {_line(data, e.start + 3)}: байты не в кодировке UTF-8, "
                            f"хотя файл начинается с метки UTF-8 (BOM) — в файле смешаны "
                            f"кодировки."], "encoding") from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    mixed = _mixed_line(data)
    if mixed:
        raise CsvError([f"строка {mixed}: байты не в кодировке UTF-8, а другие строки файла — в "
                        f"UTF-8: в файле смешаны кодировки. Сохраните его из Excel заново как "
                        f"«CSV UTF-8»."], "encoding")
    try:
        return data.decode("cp1251"), "windows-1251"
    except UnicodeDecodeError as e:
        raise CsvError([f"строка {_line(data, e.start)}: байты не в кодировке UTF-8 и не "
                        f"windows-1251."], "encoding") from None


# -- text -> rows ----------------------------------------------------------------------

def unescape_cell(value: str) -> str:
    """A cell this program wrote with the formula guard («'=…») comes back as it was."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
        return value[1:]
    return value


_SEP_HINT = re.compile(r"sep=([;,\t|])", re.IGNORECASE)  # Excel's first line naming the delimiter


def _delimiter(path: Path, text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        raise CsvError([f"{path.name}: строка 1: не найден разделитель столбцов («;» или «,»)."],
                       "not_csv")
    return delimiter


def _csv_error(path: Path, e: csv.Error, start: int) -> CsvError:
    text = str(e)
    if "unexpected end of data" in text or "EOF" in text:
        return CsvError([f"{path.name}: строка {start}: кавычка открыта и не закрыта до конца "
                         f"файла — значение поглотило бы все строки после неё. Проверьте "
                         f"кавычки в этой строке."], "quote")
    if "field larger than field limit" in text:
        return CsvError([f"{path.name}: строка {start}: слишком длинное значение (больше 128 КБ) — "
                         f"вероятно, не закрыта кавычка."], "quote")
    return CsvError([f"{path.name}: строка {start}: ошибка кавычек — после закрывающей кавычки "
                     f"должен идти разделитель столбцов ({text})."], "quote")


def _records(path: Path, text: str, delimiter: str,
             skipped: int = 0) -> Iterable[tuple[int, int, list[str]]]:
    """(first line, last line, values) of every record, strictly; `skipped` lines before
    text (the «sep=» line) count in the numbers."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = skipped
    while True:
        start = line + 1
        try:
            rec = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise _csv_error(path, e, start) from None
        line = skipped + reader.line_num
        yield start, line, rec


def _row(path: Path, header: list[str], keys: list[str], start: int, end: int,
         rec: list[str]) -> dict[str, str]:
    if end > start:
        col = next((header[i] if i < len(header) else f"№{i + 1}"
                    for i, c in enumerate(rec) if "\n" in c or "\r" in c), "?")
        raise CsvError([f"{path.name}: строка {start}: значение в столбце «{col}» занимает "
                        f"несколько строк (строки {start}–{end}) — вероятно, не закрыта "
                        f"кавычка. Значения участников пишутся в одну строку."], "quote")
    if len(rec) > len(header) and any(c.strip() for c in rec[len(header):]):
        raise CsvError([f"{path.name}: строка {start}: значений больше, чем столбцов "
                        f"({len(rec)} > {len(header)}). Проверьте разделитель."], "columns")
    return {k: (unescape_cell(rec[i].strip()) if i < len(rec) else "")
            for i, k in enumerate(keys) if k}


def read_table(path: Path | str, *, max_bytes: int = MAX_CSV_BYTES,
               max_rows: int = MAX_CSV_ROWS) -> CsvTable:
    path = Path(path)
    try:
        data = untrusted.read_all(path, max_bytes=max_bytes)
    except untrusted.InputRefused as e:
        raise CsvError([str(e)], e.kind) from None
    try:
        text, encoding = decode(data, path.name)
    except CsvError as e:
        raise CsvError([f"{path.name}: {m}" for m in e.problems], e.kind) from None
    skipped = 0
    first, _, rest = text.partition("\n")
    hint = _SEP_HINT.fullmatch(first.rstrip("\r"))
    if hint:  # Excel's «sep=;» line: the delimiter named, not a header
        delimiter, text, skipped = hint.group(1), rest, 1
    else:
        delimiter = _delimiter(path, text)
    records = iter(_records(path, text, delimiter, skipped))
    head = next(records, None)
    if head is None:
        raise CsvError([f"{path.name}: файл пустой."], "empty")
    # a file saved on a Mac (or by a program that decomposes) holds «й» as «и» + U+0306 and
    # «ё» as «е» + U+0308: the same letters to a reader, another string to a search, a sort,
    # a duplicate check and a font; every value is composed (NFC) and counted for the summary
    decomposed = not text.isascii() and not is_normalized("NFC", text)
    composed = 0
    header = [normalize("NFC", h) for h in head[2]] if decomposed else head[2]
    keys = [norm_header(h) for h in header]
    dup = sorted({k for k in keys if k and keys.count(k) > 1})
    if dup:
        raise CsvError([f"{path.name}: строка 1: столбцы повторяются: {', '.join(dup)}."], "header")
    rows: list[tuple[int, dict[str, str]]] = []
    for start, end, rec in records:
        if not any(c.strip() for c in rec):
            continue
        if len(rows) == max_rows:
            raise CsvError([f"{path.name}: строка {start}: строк больше {max_rows} — это больше "
                            f"любого региона. Файл не загружен."], "too_many_rows")
        row = _row(path, header, keys, start, end, rec)
        if decomposed:
            for k, v in row.items():
                c = normalize("NFC", v)
                if c != v:
                    row[k] = c
                    composed += 1
        rows.append((start, row))
    return CsvTable(path, encoding, delimiter, header, keys, rows, composed)


def find_key(table: CsvTable, *aliases: str) -> Optional[str]:
    for a in aliases:
        k = norm_header(a)
        if k in table.keys:
            return k
    return None


# -- writing ---------------------------------------------------------------------------

def escape_cell(value) -> str:
    """A cell that Excel must show as text: one starting with = + - @, a tab or a CR gets
    a leading apostrophe (OWASP, CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_table(header: Sequence[str], rows: Iterable[Sequence], *, delimiter: str = ";") -> bytes:
    """UTF-8 with BOM and `;`: what Russian Excel opens without asking; formula cells escaped.
    The one CSV writer of the program."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow([escape_cell(h) for h in header])
    w.writerows([escape_cell(c) for c in row] for row in rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
