"""What every benchmark shares: timing a key in a running Textual app (CPU and wall), the
workspace of N participants, medians, peak memory, the figure rows of `bench/run_all.py`.

Timing a key. Pilot's `press()` sleeps until the process looks idle (two 20 ms sleeps a key
at least), so a latency measured around it is mostly the harness waiting. Here the key event
is posted straight to the app and the clock stops when the frame that shows its result has
been composed: the bench wraps the method that applies the key (the app's own method, the
same way for our screen and for the bare baseline app) to learn that the key was handled,
then waits for the next refresh (`wait_for_refresh`, public Textual API). Two clocks:
`time.process_time()` (CPU of the whole process: what the key cost) and `time.perf_counter()`
(wall: includes waiting for the next frame tick of Textual's 60 Hz update timer, the same for
both apps).
"""
from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIZES = (100, 2500, 10000, 36000)
NO_DATA = "нет данных (ещё не сделано)"


# -- figures -----------------------------------------------------------------------------
@dataclass
class Figure:
    """One row of the table: a measured value against a baseline measured in the same run
    (ratio goal), or against an absolute goal."""

    what: str
    size: Optional[int]  # participants (None: does not depend on the size)
    value: Optional[float]  # None: no data
    unit: str = "мс"
    baseline: Optional[float] = None
    baseline_what: str = ""
    goal_ratio: Optional[float] = None
    goal_value: Optional[float] = None
    peak_mb: Optional[float] = None
    goal_peak_mb: Optional[float] = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> Optional[float]:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def met(self) -> Optional[bool]:
        if self.value is None:
            return None
        checks = []
        if self.goal_ratio is not None and self.ratio is not None:
            checks.append(self.ratio <= self.goal_ratio)
        if self.goal_value is not None:
            checks.append(self.value <= self.goal_value)
        if self.goal_peak_mb is not None and self.peak_mb is not None:
            checks.append(self.peak_mb <= self.goal_peak_mb)
        return all(checks) if checks else None

    def goal_text(self) -> str:
        parts = []
        if self.goal_ratio is not None:
            parts.append(f"≤ {self.goal_ratio:g}×")
        if self.goal_value is not None:
            parts.append(f"≤ {_num(self.goal_value)} {self.unit}")
        if self.goal_peak_mb is not None:
            parts.append(f"пик ≤ {self.goal_peak_mb:g} МБ")
        return ", ".join(parts) or "—"

    def verdict(self) -> str:
        if self.value is None:
            return self.note or NO_DATA
        return {True: "да", False: "НЕТ", None: "—"}[self.met]

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, d: dict) -> "Figure":
        return cls(**d)


def _num(v: float) -> str:
    if v >= 100:
        return f"{v:,.0f}".replace(",", " ")
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def table(figures: list[Figure]) -> str:
    """The Markdown table of issue 19: what, N, measured, baseline, ratio, goal, verdict."""
    head = "| что | участников | замер | база (тот же прогон) | отношение | цель | пик памяти | итог |"
    out = [head, "|---|---|---|---|---|---|---|---|"]
    for f in figures:
        size = f"{f.size:,}".replace(",", " ") if f.size else "—"
        value = NO_DATA if f.value is None else f"{_num(f.value)} {f.unit}"
        base = (f"{f.baseline_what} {_num(f.baseline)} {f.unit}".strip()
                if f.baseline is not None else (f.baseline_what or "—"))
        ratio = f"{f.ratio:.2f}×" if f.ratio is not None else "—"
        peak = f"{f.peak_mb:.0f} МБ" if f.peak_mb is not None else "—"
        verdict = f.verdict() if f.value is None else f.verdict() + (f" ({f.note})" if f.note else "")
        out.append(f"| {f.what} | {size} | {value} | {base} | {ratio} | {f.goal_text()} | {peak} | {verdict} |")
    return "\n".join(out)


# -- measuring ---------------------------------------------------------------------------
def median(xs) -> float:
    return statistics.median(xs)


def peak_rss_mb() -> float:
    """Peak resident memory of this process, MB (Linux: VmHWM, which reset_peak() restarts)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 1024 / (1024 if sys.platform == "darwin" else 1)
    except ImportError:  # Windows
        import ctypes
        from ctypes import wintypes

        class PMC(ctypes.Structure):
            _fields_ = [("cb", wintypes.DWORD), ("PageFaultCount", wintypes.DWORD),
                        ("PeakWorkingSetSize", ctypes.c_size_t), ("WorkingSetSize", ctypes.c_size_t),
                        ("QuotaPeakPagedPoolUsage", ctypes.c_size_t), ("QuotaPagedPoolUsage", ctypes.c_size_t),
                        ("QuotaPeakNonPagedPoolUsage", ctypes.c_size_t), ("QuotaNonPagedPoolUsage", ctypes.c_size_t),
                        ("PagefileUsage", ctypes.c_size_t), ("PeakPagefileUsage", ctypes.c_size_t)]

        pmc = PMC()
        pmc.cb = ctypes.sizeof(PMC)
        ctypes.windll.psapi.GetProcessMemoryInfo(ctypes.windll.kernel32.GetCurrentProcess(),
                                                 ctypes.byref(pmc), pmc.cb)
        return pmc.PeakWorkingSetSize / 2**20


def reset_peak() -> bool:
    """Start the peak resident memory (VmHWM, ru_maxrss) over from the current size, so that
    the peak of one step can be read (Linux: /proc/self/clear_refs «5»). False elsewhere."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def rss_mb() -> float:
    """Current resident memory of this process, MB (Linux; elsewhere the peak)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mb()


class KeyTimer:
    """Times keys in a running app: post the key, wait until `obj.method` (wrapped here) has
    run as a result, then until the next frame is composed."""

    def __init__(self, app, obj, method: str) -> None:
        self.app = app
        self.obj = obj
        self._done = asyncio.Event()
        orig = getattr(obj, method)

        def wrapped(*a, **kw):
            try:
                return orig(*a, **kw)
            finally:
                self._done.set()

        setattr(obj, method, wrapped)

    async def key(self, key: str, char: Optional[str] = None) -> tuple[float, float]:
        """(cpu seconds, wall seconds) from the key to its frame."""
        from textual import events

        widget = self.app.focused or self.app.screen
        self._done.clear()
        c0, t0 = time.process_time(), time.perf_counter()
        event = events.Key(key, char)
        event.set_sender(self.app)
        self.app.post_message(event)
        await self._done.wait()
        await widget.wait_for_refresh()
        return time.process_time() - c0, time.perf_counter() - t0

    async def settle(self) -> None:
        """Let timers and refreshes of the previous key finish before the next one."""
        await self.app.screen.wait_for_refresh()
        await asyncio.sleep(0.03)


def make_workspace(root: Path, n: int, *, results: bool = False):
    """A workspace of the demo school with n generated participants (120 = the demo itself),
    spread over its rooms; with `results`, a protocol for each (the end of the day)."""
    import random

    from tui_app.domain.models import Attendance, Protocol
    from tui_app.services.data import scheme
    from tui_app.services.demo import create_demo, generate_participants
    from tui_app.store.workspace import Workspace

    ws = Workspace.open(root, snapshot=False)
    create_demo(ws.store, with_results=results)
    if n != 120:
        people = generate_participants(n, seed=11)
        rooms = [r.number for r in ws.store.rooms()]
        people = [p.model_copy(update={"room": rooms[i % len(rooms)], "order": i // len(rooms) + 1,
                                       "attendance": Attendance.PRESENT if results else p.attendance})
                  for i, p in enumerate(people)]
        with ws.store.transaction():
            replace_participants(ws.store, people)
            if results:
                sch, rng = scheme(), random.Random(5)
                ws.store.put_many([
                    Protocol(participant=p.guid, room=p.room, variant=str(rng.randint(1, 8)),
                             expert="Громова Наталья Сергеевна",
                             scores={c: rng.randint(0, sch.criterion(c).max)
                                     for c in sch.category(p.category).criteria})
                    for p in people])
    return ws


def replace_participants(store, people) -> None:
    """Drop every participant (and protocol) and put these instead, through the Store's
    public methods."""
    from tui_app.domain.models import Participant, Protocol

    for p in store.all(Protocol):
        store.delete(Protocol, p.participant)
    for p in store.all(Participant):
        store.delete(Participant, p.guid)
    store.put_many(people)


def run_child(module: str, func: str, *args: Any, timeout: float = 1800) -> Any:
    """Run bench.<module>.<func>(*args) in a fresh interpreter (its own peak memory, nothing
    warmed up by an earlier measure) and return its JSON result."""
    import json
    import subprocess

    code = (f"import json, sys; sys.path.insert(0, {str(ROOT)!r}); "
            f"from bench.{module} import {func} as f; "
            f"print('@@RESULT@@' + json.dumps(f(*{list(args)!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         timeout=timeout, env=dict(os.environ, PYTHONHASHSEED="0"))
    if out.returncode != 0:
        raise RuntimeError(f"bench.{module}.{func}{args} failed:\n{out.stderr[-3000:]}")
    line = next(ln for ln in reversed(out.stdout.splitlines()) if ln.startswith("@@RESULT@@"))
    return json.loads(line[len("@@RESULT@@"):])
