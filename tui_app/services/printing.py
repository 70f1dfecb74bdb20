"""Printing a PDF from the keyboard: the default printer, the number of copies, what was sent.

«Сохранён» is a PDF in the workspace; «напечатан» is a PDF handed to a printer's queue.

- Linux (and macOS): CUPS — `lp -n КОПИЙ -t НАЗВАНИЕ ФАЙЛ` to the default destination
  (`lpstat -d`); the queue's job id is reported.
- Windows: the print verb of the PDF viewer — `os.startfile(ФАЙЛ, "print")`, once per copy
  (the verb has no copy count); or, when the setting `print_viewer` names SumatraPDF,
  `SumatraPDF.exe -print-to-default -print-settings "Nx" -silent ФАЙЛ` (one job, N copies).
  The default printer is read with `GetDefaultPrinterW` (winspool, through ctypes).

No printer (no CUPS, no default destination, the queue refuses) is a Russian message, never
«напечатан».
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

from ..errors import DeviceError, Refused
from ..store.workspace import Store

MAX_COPIES = 50
TIMEOUT = 30

NO_CUPS = ("Печать недоступна: не найдена программа lp (CUPS). Установите CUPS "
           "(apt-get install cups) и настройте принтер, или распечатайте PDF из программы просмотра.")
NO_DEFAULT = ("Принтер по умолчанию не задан: настройте принтер в системе (в Linux — "
              "lpadmin -d ИМЯ, в Windows — «Параметры → Принтеры»).")
NO_SCHEDULER = ("Служба печати не отвечает (CUPS не запущен): запустите её или распечатайте PDF "
                "из программы просмотра.")


class PrintFailed(DeviceError):
    """Not sent to a printer (Russian message)."""


@dataclass(frozen=True)
class Printer:
    name: str
    ready: bool
    text: str  # for a screen: «Принтер по умолчанию: X (готов)» or why there is none


@dataclass
class PrintResult:
    printer: str
    copies: int
    files: list[Path]
    jobs: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        names = ", ".join(p.name for p in self.files)
        jobs = f" (задание {', '.join(self.jobs)})" if self.jobs else ""
        return (f"Напечатан{'ы' if len(self.files) > 1 else ''}: {names} — отправлено на принтер "
                f"«{self.printer}», копий: {self.copies}{jobs}.")


def is_windows() -> bool:
    return sys.platform == "win32"


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, LC_ALL="C", LANG="C")  # lp/lpstat answers parsed in English
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, env=env)


def _windows_default() -> Optional[str]:
    import ctypes
    from ctypes import wintypes

    winspool = ctypes.WinDLL("winspool.drv")
    size = wintypes.DWORD(0)
    winspool.GetDefaultPrinterW(None, ctypes.byref(size))
    if not size.value:
        return None
    buf = ctypes.create_unicode_buffer(size.value)
    if not winspool.GetDefaultPrinterW(buf, ctypes.byref(size)):
        return None
    return buf.value or None


def default_printer() -> Printer:
    """The default printer and whether it can take a job now."""
    if is_windows():
        try:
            name = _windows_default()
        except OSError:
            name = None
        if not name:
            return Printer("", False, NO_DEFAULT)
        return Printer(name, True, f"Принтер по умолчанию: {name}.")
    if shutil.which("lp") is None or shutil.which("lpstat") is None:
        return Printer("", False, NO_CUPS)
    try:
        running = _run(["lpstat", "-r"])
        r = _run(["lpstat", "-d"])
    except (OSError, subprocess.SubprocessError):
        return Printer("", False, NO_CUPS)
    if "not running" in (running.stdout + running.stderr).lower():
        return Printer("", False, NO_SCHEDULER)
    out = (r.stdout + r.stderr).strip()
    m = re.search(r"system default destination:\s*(\S+)", out)
    if not m:
        return Printer("", False, NO_DEFAULT)
    name = m.group(1)
    try:
        st = _run(["lpstat", "-p", name])
    except (OSError, subprocess.SubprocessError):
        return Printer(name, False, NO_SCHEDULER)
    state = st.stdout.lower()
    if "disabled" in state:
        return Printer(name, False, f"Принтер «{name}» остановлен (disabled): включите его "
                                    f"(cupsenable {name}) или выберите другой.")
    if st.returncode != 0:
        return Printer(name, False, f"Принтер «{name}» недоступен: {(st.stderr or st.stdout).strip()}")
    return Printer(name, True, f"Принтер по умолчанию: {name} (готов).")


def check_copies(copies: int | str) -> int:
    try:
        n = int(str(copies).strip())
    except ValueError:
        raise Refused(f"Число копий «{copies}» — не число: введите от 1 до {MAX_COPIES}.") from None
    if not 1 <= n <= MAX_COPIES:
        raise Refused(f"Число копий должно быть от 1 до {MAX_COPIES}.")
    return n


def windows_command(path: Path | str, copies: int, viewer: str = "") -> str:
    """What is run on Windows, for the help text and the docs."""
    if viewer:
        return f'"{viewer}" -print-to-default -print-settings "{copies}x" -silent "{path}"'
    return f'os.startfile(r"{path}", "print")  × {copies}'


def print_files(paths: Sequence[Path | str], copies: int | str = 1, *, title: str = "",
                viewer: str = "") -> PrintResult:
    """Send each PDF to the default printer, `copies` times. Raises PrintFailed (nothing or
    not everything was sent: the message says which) or Refused (a bad number of copies)."""
    n = check_copies(copies)
    files = [Path(p) for p in paths]
    missing = [p.name for p in files if not p.is_file()]
    if missing:
        raise PrintFailed(f"Файл не найден: {', '.join(missing)} — сначала создайте PDF.")
    if not files:
        raise PrintFailed("Нечего печатать: PDF ещё не создан.")
    printer = default_printer()
    if not printer.ready:
        raise PrintFailed(printer.text)
    result = PrintResult(printer.name, n, [])
    for f in files:
        try:
            if is_windows():
                _print_windows(f, n, viewer)
            else:
                result.jobs.append(_print_cups(f, n, title or f.stem))
        except PrintFailed as e:
            if result.files:
                raise PrintFailed(f"{e} Уже отправлено: {', '.join(p.name for p in result.files)}.") from None
            raise
        result.files.append(f)
    return result


def _print_cups(path: Path, copies: int, title: str) -> str:
    try:
        r = _run(["lp", "-n", str(copies), "-t", title, "--", str(path)])
    except (OSError, subprocess.SubprocessError) as e:
        raise PrintFailed(f"Не удалось отправить «{path.name}» на печать: {e}.") from None
    out = (r.stdout + r.stderr).strip()
    if r.returncode != 0:
        low = out.lower()
        if "no default destination" in low:
            raise PrintFailed(NO_DEFAULT)
        if "scheduler is not running" in low or "unable to connect" in low:
            raise PrintFailed(NO_SCHEDULER)
        raise PrintFailed(f"Принтер не принял «{path.name}»: {out or 'lp завершилась с ошибкой'}.")
    m = re.search(r"request id is (\S+)", out)
    return m.group(1) if m else ""


def _print_windows(path: Path, copies: int, viewer: str) -> None:
    try:
        if viewer:
            subprocess.run([viewer, "-print-to-default", "-print-settings", f"{copies}x", "-silent",
                            str(path)], check=True, timeout=120)
        else:
            for _ in range(copies):
                os.startfile(str(path), "print")  # type: ignore[attr-defined]  # Windows only
    except (OSError, subprocess.SubprocessError) as e:
        raise PrintFailed(f"Windows не смогла напечатать «{path.name}»: {e}. Нет программы "
                          "просмотра PDF с командой «Печать» — установите её (например, "
                          "SumatraPDF) или распечатайте файл вручную.") from None


def print_for(store: Store, paths: Sequence[Path | str], copies: int | str = 1,
              title: str = "") -> PrintResult:
    """Print with the workspace's settings (the Windows viewer, if one is set)."""
    return print_files(paths, copies, title=title, viewer=store.settings().print_viewer or "")
