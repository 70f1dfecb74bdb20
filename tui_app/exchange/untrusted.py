"""Reading a file that arrived from outside: a regular file only, bounded in size and in time.

Every input (B2P, CSV) is read through here, never with `open()`/`read_bytes()`:
- a named pipe, a device (`/dev/stdin`, `/dev/zero`, `CON`), a socket or a folder is refused
  by its type before it is opened (and checked again on the open handle);
- the size is checked before reading and while reading (a file that grows is cut off);
- the bytes are read by a daemon thread and handed over chunk by chunk: if no byte arrives
  for READ_STALL_SECONDS (a dead network share, a stick pulled out mid-read) or the whole
  read takes longer than READ_TOTAL_SECONDS, the reader gives up with a Russian message. The
  stuck thread is a daemon: it can never keep the program alive (F10 always ends it).
"""
from __future__ import annotations

import os
import queue
import stat
import sys
import threading
import time
from pathlib import Path
from typing import Iterator, Optional

from ..domain.filenames import RESERVED_NAMES
from ..domain.limits import READ_STALL_SECONDS, READ_TOTAL_SECONDS
from ..errors import Refused, os_error_text

CHUNK = 256 * 1024
_IS_WINDOWS = sys.platform.startswith("win")
_FLAGS = (os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)
          | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))


class InputRefused(Refused):
    """The input cannot be read as a file (type, size, time, OS error); nothing was read."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind

    def __reduce__(self):  # travels from a worker process
        return (self.__class__, (str(self), self.kind))


_BOMS = ((b"\x00\x00\xfe\xff", "UTF-32 (BE) с BOM"), (b"\xff\xfe\x00\x00", "UTF-32 (LE) с BOM"),
         (b"\xfe\xff", "UTF-16 (BE) с BOM"), (b"\xff\xfe", "UTF-16 (LE) с BOM"))


def encoding_form(head: bytes) -> Optional[str]:
    """The name of an encoding other than UTF-8 that the first bytes show, or None. Decided
    from the bytes alone: a BOM; else where the NUL bytes fall (markup is ASCII: in UTF-16
    every second byte of it is NUL, in UTF-32 three of four); else the EBCDIC «<?xm»."""
    for bom, label in _BOMS:
        if head.startswith(bom):
            return label
    if head.startswith(b"\xef\xbb\xbf"):
        return None
    h = head[:4096]
    if head.startswith(b"\x4c\x6f\xa7\x94"):
        return "EBCDIC"
    if b"\x00" not in h or len(h) < 4:
        return None
    quads = [h[i::4].count(0) / max(1, len(h[i::4])) for i in range(4)]
    even, odd = (quads[0] + quads[2]) / 2, (quads[1] + quads[3]) / 2
    for ok, codec, label in ((min(quads[0], quads[1], quads[2]) > 0.6, "utf-32-be", "UTF-32 (BE)"),
                             (min(quads[1], quads[2], quads[3]) > 0.6, "utf-32-le", "UTF-32 (LE)"),
                             (even > 0.6 and odd < 0.2, "utf-16-be", "UTF-16 (BE)"),
                             (odd > 0.6 and even < 0.2, "utf-16-le", "UTF-16 (LE)")):
        if ok and _reads_as_text(h[:256], codec):
            return f"{label} без BOM"
    return None


_SHEETS = {".xlsx": "Excel (.xlsx)", ".xlsm": "Excel (.xlsx)", ".xls": "Excel 97–2003 (.xls)",
           ".ods": "LibreOffice (.ods)"}  # a workbook's suffix -> its name in a message
SPREADSHEET_SUFFIXES = tuple(_SHEETS)
SAVE_AS_CSV = ("откройте его в Excel (или LibreOffice Calc) и сохраните как «CSV UTF-8 (разделитель — "
               "запятая)» или «CSV (разделители — точка с запятой)», затем загрузите этот CSV")


def spreadsheet_form(name: str, head: bytes = b"") -> Optional[str]:
    """«Excel (.xlsx)» and the like when the file is a spreadsheet workbook, not a text file:
    by its name, or by its first bytes (a ZIP package: .xlsx, .ods; an OLE compound file:
    .xls) — a workbook renamed to .csv too."""
    by_name = _SHEETS.get(Path(name).suffix.lower())
    if by_name:
        return by_name
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _SHEETS[".xls"]
    if head.startswith(b"PK\x03\x04"):
        return "Excel или LibreOffice (архив .xlsx/.ods)"
    return None


def _reads_as_text(data: bytes, codec: str) -> bool:
    """The bytes decode in that codec to text (letters, digits, punctuation, line breaks)."""
    unit = 4 if "32" in codec else 2
    try:
        text = data[:len(data) - len(data) % unit].decode(codec)
    except UnicodeDecodeError:
        return False
    good = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t")
    return bool(text) and good >= 0.9 * len(text)


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f} МБ"


def _check_type(path: Path, st: os.stat_result) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise InputRefused(f"«{path}» — папка, а нужен файл.", "not_regular")
    if not stat.S_ISREG(st.st_mode):
        raise InputRefused(f"«{path.name}» — не обычный файл (канал, устройство или сокет): "
                           f"загружаются только файлы с диска или флешки.", "not_regular")


def _check_size(path: Path, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise InputRefused(f"{path.name}: файл слишком большой ({_mb(size)}, допустимо до "
                           f"{_mb(max_bytes)}). Файл не загружен.", "too_large")


def check_file(path: Path) -> os.stat_result:
    """That `path` names a file (not missing, not a folder, a pipe or a device): a stat, never
    an open."""
    if _IS_WINDOWS and path.name.split(".")[0].upper().rstrip() in RESERVED_NAMES:
        raise InputRefused(f"«{path.name}» — имя устройства Windows, а не файла.", "not_regular")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputRefused(f"Файл «{path}» не найден.", "not_found") from None
    except OSError as e:
        raise InputRefused(os_error_text(e, path), "os_error") from None
    _check_type(path, st)
    return st


def check_input(path: Path, max_bytes: int) -> os.stat_result:
    """The checks that need no reading: type and size (a stat, never an open)."""
    st = check_file(path)
    _check_size(path, st.st_size, max_bytes)
    if st.st_size == 0:
        raise InputRefused(f"{path.name}: файл пустой.", "empty")
    return st


def _reader(path: Path, max_bytes: int, chunk: int, out: "queue.Queue", stop: threading.Event) -> None:
    def put(item) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    try:
        check_input(path, max_bytes)
        fd = os.open(path, _FLAGS)
        try:
            st = os.fstat(fd)  # the file opened is the file checked
            _check_type(path, st)
            _check_size(path, st.st_size, max_bytes)
            size = 0
            while not stop.is_set():
                data = os.read(fd, chunk)
                if not data:
                    put(("eof", None))
                    return
                size += len(data)
                if size > max_bytes:
                    _check_size(path, size, max_bytes)
                if not put(("data", data)):
                    return
        finally:
            os.close(fd)
    except InputRefused as e:
        put(("refused", e))
    except OSError as e:
        put(("refused", InputRefused(os_error_text(e, path), "os_error")))
    except BaseException as e:  # noqa: BLE001 - handed to the caller's thread, re-raised there
        put(("bug", e))


def read_chunks(path: Path | str, *, max_bytes: int, chunk: int = CHUNK,
                stall: float = READ_STALL_SECONDS,
                total: float = READ_TOTAL_SECONDS) -> Iterator[bytes]:
    """The file's bytes, chunk by chunk, read by a daemon thread with a time bound.
    Raises InputRefused (Russian) for anything that is not a readable regular file."""
    path = Path(path)
    out: queue.Queue = queue.Queue(maxsize=8)
    stop = threading.Event()
    threading.Thread(target=_reader, args=(path, max_bytes, chunk, out, stop), daemon=True,
                     name=f"read {path.name}").start()
    deadline = time.monotonic() + total
    got = 0
    try:
        while True:
            wait = min(stall, deadline - time.monotonic())
            try:
                kind, value = out.get(timeout=max(wait, 0.0))
            except queue.Empty:
                raise _too_slow(path, got, wait < stall) from None
            if kind == "data":
                got += len(value)
                yield value
            elif kind == "eof":
                return
            elif kind == "refused":
                raise value
            else:
                raise value
    finally:
        stop.set()


def _too_slow(path: Path, got: int, whole: bool) -> InputRefused:
    where = f"прочитано {got / 2**20:.1f} МБ" if got else "не прочитано ни байта"
    if whole:
        return InputRefused(f"{path.name}: файл читается слишком долго (дольше "
                            f"{READ_TOTAL_SECONDS:.0f} с, {where}). Скопируйте его на "
                            f"компьютер и загрузите копию.", "slow")
    return InputRefused(f"{path.name}: файл не читается — {READ_STALL_SECONDS:.0f} с не пришло "
                        f"ни одного байта ({where}): сетевая папка недоступна или устройство не "
                        f"отвечает. Скопируйте файл на компьютер и загрузите копию.", "stalled")


def read_all(path: Path | str, *, max_bytes: int, **kw) -> bytes:
    return b"".join(read_chunks(path, max_bytes=max_bytes, **kw))


def chunks_of(data: bytes, chunk: int = CHUNK) -> Iterator[bytes]:
    """Bytes already in memory, in the same chunks as a file (one reading code path)."""
    for i in range(0, len(data), chunk):
        yield data[i:i + chunk]


def first_chunk(it: Iterator[bytes], at_least: int) -> tuple[bytes, Optional[Iterator[bytes]]]:
    """Up to `at_least` bytes from the start of the chunks (the encoding is decided on them
    before anything is parsed) and the iterator of the rest."""
    head = b""
    for data in it:
        head += data
        if len(head) >= at_least:
            break
    return head, it
