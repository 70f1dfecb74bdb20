"""CSV tables as Excel saves them: UTF-8 (with or without BOM) or windows-1251, `;` or `,`."""
from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..domain.ordering import fold
from ..errors import Refused

MAX_CSV_BYTES = 20 * 1024 * 1024


class CsvError(Refused):
    def __init__(self, problems: list[str], kind: str = "csv") -> None:
        self.problems = problems
        self.kind = kind
        super().__init__("\n".join(problems))


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


def decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "UTF-8 (BOM)"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvError(["Файл в кодировке UTF-16: сохраните его из Excel как «CSV UTF-8» "
                        "или «CSV (разделители — точка с запятой)»."], "encoding")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251"), "windows-1251"
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise CsvError([f"строка {line}: байты не в кодировке UTF-8 и не windows-1251."],
                       "encoding") from None


def read_table(path: Path | str, *, max_bytes: int = MAX_CSV_BYTES) -> CsvTable:
    path = Path(path)
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise CsvError([f"Файл «{path}» не найден."], "not_found") from None
    if size > max_bytes:
        raise CsvError([f"{path.name}: файл слишком большой ({size / 2**20:.0f} МБ, допустимо до "
                        f"{max_bytes / 2**20:.0f} МБ)."], "too_large")
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise CsvError([f"{path.name}: это не текстовый файл CSV (двоичные данные в начале)."],
                       "not_csv")
    text, encoding = decode(data)
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        raise CsvError([f"{path.name}: строка 1: не найден разделитель столбцов («;» или «,»)."],
                       "not_csv")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise CsvError([f"{path.name}: файл пустой."], "empty") from None
    keys = [norm_header(h) for h in header]
    dup = sorted({k for k in keys if k and keys.count(k) > 1})
    if dup:
        raise CsvError([f"{path.name}: строка 1: столбцы повторяются: {', '.join(dup)}."], "header")
    rows: list[tuple[int, dict[str, str]]] = []
    line = 1
    try:
        for rec in reader:
            start = line + 1
            line = reader.line_num
            if not any(c.strip() for c in rec):
                continue
            if len(rec) > len(header) and any(c.strip() for c in rec[len(header):]):
                raise CsvError([f"{path.name}: строка {start}: значений больше, чем столбцов "
                                f"({len(rec)} > {len(header)}). Проверьте разделитель."], "columns")
            rows.append((start, {k: (rec[i].strip() if i < len(rec) else "")
                                 for i, k in enumerate(keys) if k}))
    except csv.Error as e:
        raise CsvError([f"{path.name}: строка {reader.line_num}: ошибка CSV ({e})."], "csv") from None
    return CsvTable(path, encoding, delimiter, header, keys, rows)


def find_key(table: CsvTable, *aliases: str) -> Optional[str]:
    for a in aliases:
        k = norm_header(a)
        if k in table.keys:
            return k
    return None


def write_table(header: list[str], rows: list[list[str]], *, delimiter: str = ";") -> bytes:
    """UTF-8 with BOM and `;`: what Russian Excel opens without asking."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
