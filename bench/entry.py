"""Benchmark of results entry (issue 6).

1. Key press -> updated total on screen: Pilot presses a criterion digit on the ИС-03 entry
   screen and waits until the grid shows the new total; median of many. Baseline measured
   in the same run: the Pilot round trip of a key that changes nothing on screen.
2. Saving one protocol (validated, audited, durable) in a workspace of 2,500 participants
   (2,000 protocols already saved); median of many. Baseline in the same run: one bare
   durable_write() of a file of the same size (the fsync'd write every save must pay).

Run:  python -m bench.entry [--presses 200] [--saves 40]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui_app.app import ShtabApp  # noqa: E402
from tui_app.domain.models import Attendance, Participant, Protocol, Room  # noqa: E402
from tui_app.screens.entry import EntryScreen  # noqa: E402
from tui_app.services.data import scheme  # noqa: E402
from tui_app.services.demo import create_demo  # noqa: E402
from tui_app.services.entry import room_list  # noqa: E402
from tui_app.services.protocols import save_protocol  # noqa: E402
from tui_app.store.atomic import durable_write  # noqa: E402
from tui_app.store.workspace import Workspace  # noqa: E402
from tui_app.widgets.criteria_grid import CriteriaGrid  # noqa: E402


def _ms(xs: list[float]) -> str:
    return f"медиана {statistics.median(xs) * 1000:7.2f} мс (p90 {sorted(xs)[int(len(xs) * 0.9)] * 1000:.2f})"


async def _keys(root: Path, presses: int) -> tuple[list[float], list[float]]:
    ws = Workspace.open(root, snapshot=False)
    create_demo(ws.store, with_results=True)
    p = room_list(ws.store, "102")[0]
    with ws.store.transaction():
        ws.store.delete(Protocol, p.guid)
    app = ShtabApp(ws)
    digit_t, noop_t = [], []
    async with app.run_test(size=(80, 25)) as pilot:
        app.push_screen(EntryScreen(participant=p.guid))
        await pilot.pause()
        await pilot.press("enter")  # to the grid, cursor on Ч1
        grid = app.screen.query_one(CriteriaGrid)
        for _ in range(presses):
            # a digit: Ч1 := 1, the total goes 0 -> 1
            t0 = time.perf_counter()
            await pilot.press("1")
            while "Итого: 1/" not in str(grid.render()):
                await pilot.pause()
            await pilot.pause()  # the frame with the new total is composed
            digit_t.append(time.perf_counter() - t0)
            await pilot.press("backspace")  # back to Ч1, empty again
            # baseline: a key nobody binds on this screen (nothing changes)
            t0 = time.perf_counter()
            await pilot.press("f12")
            await pilot.pause()
            noop_t.append(time.perf_counter() - t0)
        assert "Итого: 0/" in str(grid.render())
    ws.close()
    return digit_t, noop_t


def _saves(root: Path, saves: int, n: int = 2500, entered: int = 2000) -> tuple[list[float], list[float], int]:
    sch = scheme()
    ws = Workspace.open(root, snapshot=False)
    store = ws.store
    rooms = [Room(number=str(100 + i)) for i in range(1, 26)]
    people = [Participant(surname=f"Фамилия{i:04d}", name="Имя", patronymic="Отчество", grade="9А",
                          room=rooms[i % 25].number, order=i // 25 + 1, attendance=Attendance.PRESENT)
              for i in range(n)]
    full = {c.code: min(1, c.max) for c in sch.criteria}
    protos = [Protocol(participant=p.guid, room=p.room, variant="1", expert="Эксперт Э. Э.", scores=full)
              for p in people[:entered]]
    with store.transaction():
        store.put_many(rooms)
        store.put_many(people)
        store.put_many(protos)
    size = store.db_path.stat().st_size
    save_t, base_t = [], []
    probe = root / "probe.json"
    blob = store.db_path.read_bytes()
    for i in range(saves):
        p = people[entered + i]
        proto = Protocol(participant=p.guid, room=p.room, variant="2", expert="Эксперт Э. Э.", scores=full)
        t0 = time.perf_counter()
        save_protocol(store, proto)
        save_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        durable_write(probe, blob)
        base_t.append(time.perf_counter() - t0)
    ws.close()
    return save_t, base_t, size


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Замер скорости ввода протоколов ИС-03")
    ap.add_argument("--presses", type=int, default=200, help="нажатий цифры (по умолчанию 200)")
    ap.add_argument("--saves", type=int, default=40, help="сохранений протокола (по умолчанию 40)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        digit_t, noop_t = asyncio.run(_keys(Path(tmp) / "keys", args.presses))
        save_t, base_t, size = _saves(Path(tmp) / "big", args.saves)
    d, b = statistics.median(digit_t), statistics.median(noop_t)
    print(f"Клавиша -> новый итог на экране ({len(digit_t)} нажатий, Pilot 80x25):")
    print(f"  цифра критерия:        {_ms(digit_t)}")
    print(f"  база (пустая клавиша): {_ms(noop_t)}")
    print(f"  отношение: {d / b:.2f}")
    s, w = statistics.median(save_t), statistics.median(base_t)
    print(f"Сохранение протокола, 2500 участников, 2000 протоколов (файл базы {size / 1e6:.1f} МБ):")
    print(f"  save_protocol:                 {_ms(save_t)}")
    print(f"  база (durable_write того же размера): {_ms(base_t)}")
    print(f"  отношение: {s / w:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
