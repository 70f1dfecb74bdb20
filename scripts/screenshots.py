#!/usr/bin/env python3
"""Screenshots for the user guide, made by the program itself (Textual SVG screenshots).

    python scripts/screenshots.py            -> docs/img/*.svg
    python scripts/screenshots.py --out DIR

Runs the app with Pilot on the demo workspace (with results) at 80×25, presses the keys a
user would, and saves each screen. Add a shot for a new screen to SHOTS-like code below.
"""
from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIZE = (80, 25)


def _demo_files(root: Path) -> None:
    """Stand-ins for the results file, the audio and the forms other parts produce."""
    (root / "export" / "47002090-06-470123-005-20270210.b2p").write_bytes(b"<HwPackage/>" * 400)
    for room in ("101", "102", "201", "202"):
        base = f"2027-02-10_OO470123_aud{room}"  # the program's naming rule (audio/names.py)
        d = root / "audio" / base
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{base}_001_090000.mp3").write_bytes(bytes(range(256)) * 8000)
    for name in ("IS-02_470123_20270210.pdf", "IS-03_470123_20270210.pdf",
                 "IS-04_470123_20270210.pdf"):
        (root / "forms" / name).write_bytes(b"%PDF-1.4 " * 2000)


async def _until(pilot, cond, what: str, timeout: float = 120.0) -> None:
    """Let the app run until cond() is true (no fixed waits: a loaded machine is slow)."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not reached within {timeout:.0f} s")
        await pilot.pause(0.05)


async def _settled(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def _shoot(out: Path, work: Path) -> list[Path]:
    from tui_app.app import ShtabApp
    from tui_app.services import drives, retention
    from tui_app.services.demo import create_demo
    from tui_app.store.workspace import Workspace

    retention.today = lambda: date(2027, 2, 10)  # the demo day: no reminders yet
    stick = work / "FLASH"
    stick.mkdir()
    drives.removable_drives = lambda: [drives.Drive(stick, "FLASH", 7_500_000_000, 7_800_000_000)]
    ws = Workspace.open(work / "demo", snapshot=False)
    create_demo(ws.store, with_results=True)
    _demo_files(ws.root)
    shots: list[Path] = []

    def save(app, name: str) -> None:
        shots.append(Path(app.save_screenshot(filename=f"{name}.svg", path=str(out))))

    try:
        app = ShtabApp(ws)
        async with app.run_test(size=SIZE) as pilot:
            await _settled(app, pilot)
            main = app.screen
            save(app, "main")
            # every section of the day, opened the way the guide says (menu or F-key)
            for name, opener in (("exchange", "exchange"), ("roster", "f2"), ("rooms", "f3"),
                                 ("forms", "f6"), ("audio", "f7"), ("room_log", "room_log"),
                                 ("entry", "f4"), ("form04", "f5"), ("checks", "f8"),
                                 ("stats", "stats")):
                if opener.startswith("f"):
                    await pilot.press(opener)
                else:
                    app.open_screen(opener)
                await _until(pilot, lambda: app.screen is not main, f"the {name} screen")
                await _settled(app, pilot)
                save(app, name)
                await pilot.press("escape")
                await _until(pilot, lambda: app.screen is main, "back on the main screen")
            await pilot.press("f9")
            await _until(pilot, lambda: app.screen is not main, "the handoff screen")
            await _settled(app, pilot)
            save(app, "handoff")
            await pilot.press("enter", "f9")
            result = app.screen.query_one("#handoff-result")

            def copied() -> bool:  # busy is set only once the copy starts: wait for its result
                said = str(result.render())
                return not app.screen.busy and ("Готово" in said or "НЕ выполнена" in said)

            await _until(pilot, copied, "the copy finished")
            await _settled(app, pilot)
            save(app, "handoff-done")
            await pilot.press("escape")
            await pilot.pause()
            save(app, "main-after-handoff")
            app.open_screen("retakes")
            await pilot.pause()
            save(app, "retakes")
            await pilot.press("escape")
            app.open_screen("retention")
            await pilot.pause()
            save(app, "retention")
            await pilot.press("escape")
            await _beyond(app, pilot, ws, save)
    finally:
        ws.close()
    return shots


async def _beyond(app, pilot, ws, save) -> None:
    """Issue 20: the listening station, the halt of a second entry, the readiness check."""
    from datetime import datetime

    from tui_app.audio.devices import InputDevice
    from tui_app.screens.entry import EntryScreen
    from tui_app.services import readiness
    from tui_app.services.entry import PASS2_TABLE
    from tui_app.services.printing import Printer

    main = app.screen
    from tui_app.screens import printing as print_screen

    real_printer = print_screen.default_printer
    print_screen.default_printer = lambda: Printer("HP_LaserJet", True, "Принтер по умолчанию: HP_LaserJet (готов).")
    try:
        await pilot.press("f6")
        await _until(pilot, lambda: app.screen is not main, "the forms screen")
        forms = app.screen
        await pilot.press("f5")
        await _until(pilot, lambda: forms.printable(), "the PDF built")
        await pilot.press("f4")
        await _until(pilot, lambda: app.screen is not forms, "the print dialog")
        await _settled(app, pilot)
        save(app, "print")
        await pilot.press("escape", "escape")
    finally:
        print_screen.default_printer = real_printer
    await _until(pilot, lambda: app.screen is main, "back on the main screen")
    app.open_screen("listening")
    await _until(pilot, lambda: app.screen is not main, "the listening station")
    await _settled(app, pilot)
    save(app, "listening")
    await pilot.press("escape")
    await _until(pilot, lambda: app.screen is main, "back on the main screen")
    store = ws.store
    protocols = store.protocols()
    p = next(x for x in store.participants() if x.room == "101" and x.guid in protocols
             and protocols[x.guid].scores and not x.is_ovz)
    first = protocols[p.guid]
    code = next(c for c in first.scores if first.scores[c] is not None)
    app.push_screen(EntryScreen(participant=p.guid, table=PASS2_TABLE, halt=True))
    await _settled(app, pilot)
    await pilot.press(*(first.variant or "1"), "enter")
    entry = app.screen
    while entry.state.current != code:
        await pilot.press(str(first.scores[entry.state.current]))
    await pilot.press("1" if first.scores[code] == 0 else "0")
    await _until(pilot, lambda: app.screen is not entry, "the halt")
    await _settled(app, pilot)
    save(app, "double-entry-halt")
    await pilot.press("f4")  # type it again
    await pilot.press("escape")  # leave: the digits typed are not saved — asked, F3 discards
    await _until(pilot, lambda: app.screen is not entry, "the unsaved question")
    await pilot.press("f3")
    await _until(pilot, lambda: app.screen is main, "back on the main screen")
    real = readiness.run_checks
    mic = InputDevice(0, "USB Microphone", "ALSA", 1, 16000.0, True)
    readiness.run_checks = lambda store, stick=None: real(
        store, stick=stick, now=datetime(2027, 2, 9, 15, 0), devices=lambda: [mic],
        printer=lambda: Printer("HP_LaserJet", True, "Принтер по умолчанию: HP_LaserJet (готов)."))
    try:
        app.open_screen("readiness")
        await _until(pilot, lambda: app.screen is not main and app.screen.result is not None,
                     "the readiness check")
        await _settled(app, pilot)
        save(app, "readiness")
    finally:
        readiness.run_checks = real
    await pilot.press("escape")


def make_screenshots(out: Path, work: Path | None = None) -> list[Path]:
    """The demo lives in a fixed temporary folder, so the paths the screens show (and so the
    pictures) are the same from one run to the next; a test passes its own `work` folder (two
    runs at once must not share one)."""
    out.mkdir(parents=True, exist_ok=True)
    work = work or Path(tempfile.gettempdir()) / "is-shtab-guide"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        return asyncio.run(_shoot(out, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Снимки экранов для руководства пользователя")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = ap.parse_args(argv)
    for p in make_screenshots(args.out):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
