"""Cold start to the main screen in tmux 80×25, against a bare Textual hello app started the
same way in the same run (bench/bare.py hello), alternating.

    python bench/startup.py [--sizes 100,2500,10000,36000] [--runs 7]

A fresh interpreter each time. The clock starts when tmux is told to start the command and
stops when the first frame containing the screen's marker text reaches the terminal, read as
it happens from a tmux control-mode client (`tmux -C`, %output events: no polling). Goal
(issue 19): ≤ 1.5× the hello app at 2,500 participants.
"""
from __future__ import annotations

import argparse
import os
import re
import select
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, SIZES, Figure, make_workspace, median, table  # noqa: E402

MAIN_MARKER = "Что дальше"  # the checklist title of the main screen (drawn in its first frame)
HELLO_MARKER = "Hello"
_OCTAL = re.compile(rb"\\([0-7]{3})")
_CSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]|\x1b\][^\x07]*\x07")


class ControlTmux:
    """A private tmux server with one 80×25 window and a control-mode client reading its
    output as it is written."""

    def __init__(self, width: int = 80, height: int = 25) -> None:
        if not shutil.which("tmux"):
            raise RuntimeError("нужен tmux")
        self.sock = f"bench-{uuid.uuid4().hex[:8]}"
        self.base = ["tmux", "-L", self.sock, "-f", "/dev/null"]
        subprocess.run(self.base + ["new-session", "-d", "-s", "b", "-x", str(width), "-y", str(height),
                                    "sleep 100000"], check=True)
        subprocess.run(self.base + ["set-option", "-g", "remain-on-exit", "on"], check=True)
        self.client = subprocess.Popen(self.base + ["-C", "attach", "-t", "b"], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, bufsize=0)
        self._buf = b""
        self._drain(0.3)

    def _lines(self, timeout: float):
        end = time.perf_counter() + timeout
        fd = self.client.stdout.fileno()
        while True:
            while b"\n" in self._buf:
                line, self._buf = self._buf.split(b"\n", 1)
                yield line
            left = end - time.perf_counter()
            if left <= 0:
                return
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return
            chunk = os.read(fd, 65536)
            if not chunk:
                return
            self._buf += chunk

    def _drain(self, quiet: float) -> None:
        for _ in self._lines(quiet):
            pass

    def pane_cpu(self) -> float:
        """CPU seconds (user + system) used so far by the program in the window (Linux)."""
        pid = subprocess.run(self.base + ["display-message", "-p", "-t", "b", "#{pane_pid}"],
                             capture_output=True, text=True).stdout.strip()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def time_to(self, command: str, marker: str, timeout: float = 60.0) -> tuple[float, float]:
        """(wall, CPU) seconds from starting `command` in the window until `marker` is on
        screen; the CPU is the program's own, read when the marker arrives."""
        self._drain(0.05)
        text = ""
        cmd = f"respawn-pane -k -t b {shlex.quote(command)}\n".encode()
        t0 = time.perf_counter()
        self.client.stdin.write(cmd)
        for line in self._lines(timeout):
            if not line.startswith(b"%output "):
                continue
            data = _OCTAL.sub(lambda m: bytes([int(m.group(1), 8)]), line.split(b" ", 2)[2])
            text += _CSI.sub("", data.decode("utf-8", "replace"))
            if marker in text:
                return time.perf_counter() - t0, self.pane_cpu()
            text = text[-4000:]
        raise RuntimeError(f"«{marker}» не появился за {timeout} с: {command}")

    def send_keys(self, *keys: str) -> None:
        self.client.stdin.write(("send-keys -t b " + " ".join(shlex.quote(k) for k in keys) + "\n").encode())

    def wait_for(self, marker: str, timeout: float = 60.0) -> bool:
        """Wait until `marker` is written to the terminal (a new frame containing it)."""
        text = ""
        for line in self._lines(timeout):
            if line.startswith(b"%output "):
                data = _OCTAL.sub(lambda m: bytes([int(m.group(1), 8)]), line.split(b" ", 2)[2])
                text = (text + _CSI.sub("", data.decode("utf-8", "replace")))[-4000:]
                if marker in text:
                    return True
        return False

    def pane_memory(self) -> tuple[float, float]:
        """(resident, peak resident) MB of the program in the window (Linux)."""
        pid = subprocess.run(self.base + ["display-message", "-p", "-t", "b", "#{pane_pid}"],
                             capture_output=True, text=True).stdout.strip()
        values = {}
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(("VmRSS:", "VmHWM:")):
                    values[line.split(":")[0]] = int(line.split()[1]) / 1024
        except OSError:
            return float("nan"), float("nan")
        return values.get("VmRSS", float("nan")), values.get("VmHWM", float("nan"))

    def stop_app(self) -> None:
        self.client.stdin.write(b"respawn-pane -k -t b 'sleep 100000'\n")
        self._drain(0.4)

    def close(self) -> None:
        try:
            self.client.stdin.close()
            self.client.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.client.kill()
        subprocess.run(self.base + ["kill-server"], capture_output=True)


def commands(ws: Path, pycache: Path) -> tuple[str, str]:
    """Both programs start as an installed program does: with compiled bytecode cached (an
    installed package has its .pyc; here they go to `pycache`, written by the first start,
    even where PYTHONDONTWRITEBYTECODE is set)."""
    py = shlex.quote(sys.executable)
    env = (f"cd {shlex.quote(str(ROOT))} && unset PYTHONDONTWRITEBYTECODE && "
           f"PYTHONPYCACHEPREFIX={shlex.quote(str(pycache))} PYTHONPATH={shlex.quote(str(ROOT))} ")
    ours = env + f"exec {py} -m tui_app -w {shlex.quote(str(ws))}"
    bare = env + f"exec {py} bench/bare.py hello"
    return ours, bare


def measure(ws: Path, runs: int) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """(wall, CPU) of each start of ours and of the hello app, alternating."""
    ours_cmd, bare_cmd = commands(ws, ws.parent / "pycache")
    tm = ControlTmux()
    ours, bare = [], []
    try:
        for i in range(runs + 1):  # the first pair warms the OS file cache (not counted)
            o = tm.time_to(ours_cmd, MAIN_MARKER)
            tm.stop_app()
            b = tm.time_to(bare_cmd, HELLO_MARKER)
            tm.stop_app()
            if i:
                ours.append(o)
                bare.append(b)
    finally:
        tm.close()
    return ours, bare


def figures(sizes=SIZES, runs: int = 7) -> list[Figure]:
    out = []
    with tempfile.TemporaryDirectory(prefix="bench-start-") as tmp:
        for n in sizes:
            ws = Path(tmp) / f"ws-{n}"
            make_workspace(ws, n).close()
            ours, bare = measure(ws, runs)
            for i, clock in ((0, "время"), (1, "ЦП")):
                out.append(Figure(f"холодный старт до главного экрана, tmux 80×25 ({clock})", n,
                                  median(x[i] for x in ours) * 1000,
                                  baseline=median(x[i] for x in bare) * 1000,
                                  baseline_what="голое приложение Textual «Hello»",
                                  goal_ratio=1.5 if n == 2500 else None,
                                  extra={"ours_ms": [round(x[i] * 1000) for x in ours],
                                         "bare_ms": [round(x[i] * 1000) for x in bare]}))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="2500")
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()
    figs = figures([int(s) for s in a.sizes.split(",")], a.runs)
    print(f"Старт в tmux 80×25, медиана {a.runs} запусков, поочерёдно с голым приложением")
    print(table(figs))
    for f in figs:
        print(f"  {f.size}: наши {f.extra['ours_ms']} мс; голое {f.extra['bare_ms']} мс")


if __name__ == "__main__":
    main()
