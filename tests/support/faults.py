"""Faults at the OS boundary, one at a time, for the fault suite (tests/test_store_faults.py)
and bench/store_soak.py. POSIX only (fork).

Every call that changes a file is a *step*: os.open with a write flag, os.write, os.pwrite,
os.fsync, os.fdatasync, os.ftruncate, os.truncate, os.replace, os.rename, os.link,
os.unlink, os.mkdir, os.sendfile, and .write() of a file opened for writing with open().
`run(fn, fault)` forks, installs the counter in the child and runs `fn()` there; the fault
hits step `fault.step`:

- "kill": SIGKILL before the step (a kill -9 between two steps);
- "enospc" / "eio": the step raises OSError(ENOSPC / EIO) instead of happening (once);
- "count": nothing, the child reports how many steps `fn` made.

The child's stdout and stderr go to files; `Outcome` has them with its exit code.

Where there is no fork (Windows: the Windows leg of CI), `run_inline` runs `fn()` in this
process with the same steps counted (and the Windows replace, MoveFileExW through ctypes,
as one more step). ENOSPC and EIO are the same there. A kill is what it leaves on the disk:
at the step, the folders given as `image` are copied as they are at that instant (every
write made so far is in the OS's cache and survives a killed process; nothing after it
is), the program is stopped by an exception nothing catches, and the copies replace the
folders — the state a TerminateProcess at that step leaves behind. `run` picks the fork
where there is one.
"""
from __future__ import annotations

import builtins
import errno
import io
import os
import signal
import sys
import tempfile
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

KINDS = ("kill", "enospc", "eio")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_OS_STEPS = ("write", "pwrite", "fsync", "fdatasync", "ftruncate", "truncate", "replace",
             "rename", "link", "unlink", "mkdir", "sendfile")


@dataclass(frozen=True)
class Fault:
    kind: str  # "count" | "kill" | "enospc" | "eio"
    step: int = 0


@dataclass
class Outcome:
    fault: Fault
    rc: Optional[int]  # None when killed by a signal
    killed: bool
    stdout: str
    stderr: str
    steps: int

    @property
    def traceback(self) -> bool:
        return "Traceback" in self.stderr or "Traceback" in self.stdout


class Killed(BaseException):
    """The inline kill: stops the program at the step (nothing may catch it)."""


class _Injector:
    def __init__(self, fault: Fault, on_kill: Optional[Callable[[], None]] = None) -> None:
        self.fault = fault
        self.n = 0
        self.fired = False
        self.on_kill = on_kill
        self.thread = threading.get_ident()
        self.undo: list[tuple[object, str, object]] = []
        self.opened: list = []  # descriptors and file objects the program opened (see close_all)

    def close_all(self) -> None:
        """What the OS does when a killed process goes: every handle it had is closed."""
        for h in reversed(self.opened):
            try:
                h.close() if hasattr(h, "close") else os.close(h)
            except (OSError, ValueError):
                pass
        self.opened.clear()

    def step(self, what: str) -> None:
        if threading.get_ident() != self.thread:
            return  # another thread of this process (the test runner's): not the program's
        self.n += 1
        if self.fired or self.fault.kind == "count" or self.n != self.fault.step:
            return
        self.fired = True
        if self.fault.kind == "kill":
            if self.on_kill is None:
                os.kill(os.getpid(), signal.SIGKILL)
            self.on_kill()
            raise Killed(f"killed at step {self.n}: {what}")
        code = errno.ENOSPC if self.fault.kind == "enospc" else errno.EIO
        raise OSError(code, os.strerror(code) + f" (injected at step {self.n}: {what})")


class _File:
    """A file opened for writing whose write() is a step."""

    def __init__(self, f, inj: _Injector) -> None:
        self._f = f
        self._inj = inj

    def write(self, data):
        self._inj.step("file.write")
        return self._f.write(data)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __enter__(self):
        self._f.__enter__()
        return self

    def __exit__(self, *exc):
        return self._f.__exit__(*exc)

    def __iter__(self):
        return iter(self._f)

    def __getattr__(self, name):
        return getattr(self._f, name)


def _patch(inj: _Injector, owner, name: str, new) -> None:
    inj.undo.append((owner, name, getattr(owner, name)))
    setattr(owner, name, new)


def install(fault: Fault, on_kill: Optional[Callable[[], None]] = None) -> _Injector:
    """Count (and fault) every write step from now on; `uninstall` puts the OS back."""
    inj = _Injector(fault, on_kill)
    for name in _OS_STEPS:
        real = getattr(os, name, None)
        if real is None:
            continue

        def wrapped(*a, _real=real, _name=name, **kw):
            inj.step(_name)
            return _real(*a, **kw)

        _patch(inj, os, name, wrapped)
    from tui_app.store import atomic

    real_move = atomic._win_move  # the Windows replace (ctypes, not os.replace)

    def win_move(*a, **kw):
        inj.step("MoveFileExW")
        return real_move(*a, **kw)

    _patch(inj, atomic, "_win_move", win_move)
    real_open = os.open

    def os_open(path, flags, *a, **kw):
        if flags & _WRITE_FLAGS:
            inj.step("open")
        fd = real_open(path, flags, *a, **kw)
        if threading.get_ident() == inj.thread:
            inj.opened.append(fd)
        return fd

    _patch(inj, os, "open", os_open)
    real_io_open = io.open

    def io_open(file, mode="r", *a, **kw):
        writing = any(c in mode for c in "wax+")
        if writing:
            inj.step("io.open")
        f = real_io_open(file, mode, *a, **kw)
        if threading.get_ident() == inj.thread:
            inj.opened.append(f)
        return _File(f, inj) if writing else f

    _patch(inj, io, "open", io_open)
    _patch(inj, builtins, "open", io_open)
    return inj


def uninstall(inj: _Injector) -> None:
    for owner, name, real in reversed(inj.undo):
        setattr(owner, name, real)
    inj.undo.clear()


def run(fn: Callable[[], int], fault: Fault, workdir: Optional[Path] = None,
        timeout: float = 120.0) -> Outcome:
    """Run fn() in a forked child with the fault installed."""
    tmp = Path(tempfile.mkdtemp(prefix="fault-", dir=workdir))
    out, err, cnt = tmp / "out", tmp / "err", tmp / "steps"
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child
        rc = 99
        try:
            fo = os.open(out, os.O_WRONLY | os.O_CREAT, 0o600)
            fe = os.open(err, os.O_WRONLY | os.O_CREAT, 0o600)
            os.dup2(fo, 1)
            os.dup2(fe, 2)
            sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8",
                                          line_buffering=True)
            sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8",
                                          line_buffering=True)
            inj = install(fault)
            try:
                rc = int(fn() or 0)
            except SystemExit as e:
                rc = int(e.code or 0) if not isinstance(e.code, str) else 1
            except BaseException:  # a traceback is the finding
                traceback.print_exc()
                rc = 98
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                with io.FileIO(str(cnt), "w") as f:  # not a counted step: the child is done
                    f.write(str(inj.n).encode())
        finally:
            os._exit(rc)
    import time

    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise TimeoutError(f"child did not finish in {timeout} s ({fault})")
        time.sleep(0.005)
    killed = os.WIFSIGNALED(status)
    rc = None if killed else os.WEXITSTATUS(status)
    text = lambda p: p.read_text(encoding="utf-8", errors="replace") if p.exists() else ""  # noqa: E731
    steps = int(cnt.read_text()) if cnt.exists() else -1
    o = Outcome(fault, rc, killed, text(out), text(err), steps)
    for p in (out, err, cnt):
        p.unlink(missing_ok=True)
    tmp.rmdir()
    return o


def run_inline(fn: Callable[[], int], fault: Fault, image: tuple = ()) -> Outcome:
    """Run fn() in this process with the fault installed (see the module's docstring;
    `image`: the folders a kill leaves as they were at the step)."""
    import contextlib
    import shutil

    out, err = io.StringIO(), io.StringIO()
    seen: dict[str, str] = {}
    folders = [Path(f) for f in image]

    def on_kill() -> None:  # the injector has fired: these writes are not steps
        seen["out"], seen["err"] = out.getvalue(), err.getvalue()
        for f in folders:
            if f.exists():
                shutil.copytree(f, _image_of(f), symlinks=True,
                                ignore=shutil.ignore_patterns(".lock"))

    inj = install(fault, on_kill)
    rc: Optional[int] = 99
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc = int(fn() or 0)
            except SystemExit as e:
                rc = int(e.code or 0) if not isinstance(e.code, str) else 1
            except Killed:
                rc = None
            except BaseException:  # a traceback is the finding
                traceback.print_exc()
                rc = 98
    finally:
        uninstall(inj)
    killed = "out" in seen
    if killed:  # what the program did after the kill never happened
        rc = None
        inj.close_all()  # its handles went with it (Windows cannot remove an open file)
        for f in folders:
            shutil.rmtree(f, ignore_errors=True)
            if _image_of(f).exists():
                os.replace(_image_of(f), f)
    return Outcome(fault, rc, killed, seen.get("out", out.getvalue()),
                   seen.get("err", err.getvalue()), inj.n)


def _image_of(folder: Path) -> Path:
    return folder.with_name(folder.name + ".killed")


def count_steps(fn: Callable[[], int], workdir: Optional[Path] = None, inline: bool = False) -> int:
    o = run_inline(fn, Fault("count")) if inline else run(fn, Fault("count"), workdir)
    if o.rc != 0 or o.traceback:
        raise AssertionError(f"the fault-free run failed: rc={o.rc}\n{o.stderr}")
    return o.steps


# -- what a workspace holds, for comparing states ----------------------------------------

VOLATILE = {"at", "saved_at", "created"}  # and with stamps every *_at: category_confirmed_at…


def _strip(x, stamps: bool = True):
    """Without the time stamps (two runs of one operation differ only there); stamps=False
    keeps the `*_at` fields (states of one run compared with each other). (The fault suite
    strips every document twice per fault: the scalars are not passed down one by one.)"""
    if isinstance(x, dict):
        return {k: _strip(v, stamps) if isinstance(v, (dict, list)) else v
                for k, v in x.items()
                if k not in VOLATILE and not (stamps and k.endswith("_at"))}
    if isinstance(x, list):
        return [_strip(v, stamps) if isinstance(v, (dict, list)) else v for v in x]
    return x


def state(root: Path, places: Optional[dict[str, str]] = None,
          stamps: bool = True) -> tuple[dict, bool]:
    """(the committed data without timestamps, whether a recovery notice came with it).
    `places`: paths to write as names (the workspace, the stick), so that copies compare;
    `stamps`: see _strip."""
    from tui_app.store.storage import DurableStorage
    from tui_app.store.workspace import DB_NAME, NOTICE_KEY

    st = DurableStorage(Path(root) / DB_NAME, read_only=True)
    st.load()
    data = st.tables()
    tables = {}
    notice = st.notice is not None
    for name, table in data.items():
        docs = {}
        for doc_id, doc in table.items():
            if name == "meta" and doc.get("key") == NOTICE_KEY:
                notice = True
                continue
            docs[doc_id] = _strip(doc, stamps)
        if docs:
            tables[name] = docs
    if places:
        import json

        import orjson

        text = orjson.dumps(tables).decode()  # as json.dumps(ensure_ascii=False), faster
        for path, name in sorted(places.items(), key=lambda kv: -len(kv[0])):
            text = text.replace(json.dumps(path, ensure_ascii=False)[1:-1], name)
        tables = orjson.loads(text)
    return tables, notice


def audit_commits(root: Path) -> list:
    """The audit entries as the program reads them (recovery marks applied)."""
    from tui_app.store.audit import AuditLog

    return list(AuditLog(Path(root) / "audit.jsonl"))


def committed_seq(root: Path) -> int:
    from tui_app.store.storage import DurableStorage
    from tui_app.store.workspace import DB_NAME

    st = DurableStorage(Path(root) / DB_NAME, read_only=True)
    st.load()
    return st.seq


def leftovers(root: Path) -> list[str]:
    """Temp files anywhere in the workspace (after a reopen there must be none)."""
    return sorted(str(p.relative_to(root)) for p in Path(root).rglob(".*.tmp"))


def abandon(ws) -> None:
    """What a power cut leaves of an open workspace: the files as they are, no compaction
    at close (the lock is released, as the OS does for a dead process)."""
    st = ws.store.storage
    if st._journal is not None:
        st._journal.close()
        st._journal = None
    st._close_audit()
    ws._lock.release()


# -- the soak: many rounds of a save loop with a fault at a random step -------------------

@dataclass
class SoakFigures:
    rounds: int = 0
    by_kind: dict = None
    acked: int = 0
    refused: int = 0  # saves that failed with a message (the fault hit them)
    notices: int = 0  # opens that recovered with a notice
    failures: list = None

    def __post_init__(self):
        self.by_kind = self.by_kind or {k: 0 for k in KINDS}
        self.failures = self.failures or []


def _save_loop(root: Path, guids: list[str], start: int, n: int) -> Callable[[], int]:
    def fn() -> int:
        from tui_app.domain.models import Protocol
        from tui_app.errors import ShtabError
        from tui_app.store.workspace import Workspace

        try:
            ws = Workspace.open(root, snapshot=False)
        except ShtabError as e:
            print(f"OPEN-ERR {e}", flush=True)
            return 2
        try:
            for i in range(start, start + n):
                g = guids[i % len(guids)]
                try:
                    ws.store.save_protocol(Protocol(participant=g, variant=str(i), scores={"Ч1": i % 2}))
                except ShtabError as e:
                    print(f"ERR {g} {i} {e}", flush=True)
                    continue
                print(f"ACK {g} {i}", flush=True)
        finally:
            ws.close()
        return 0

    return fn


def fault_soak(root: Path, rounds: int, seed: int = 1, saves: int = 12,
               workdir: Optional[Path] = None) -> SoakFigures:
    """Rounds of `saves` protocol saves, each round with one fault (kill -9, ENOSPC or EIO)
    at a random write step; after each round the store must hold exactly the last
    acknowledged save of every participant (none lost, none that failed), and audit.jsonl
    must agree with it."""
    import random

    from tui_app.domain.models import Protocol
    from tui_app.store.workspace import Workspace

    rng = random.Random(seed)
    from .crash import prepare

    guids = prepare(root, n=8)
    expect: dict[str, int] = {}
    fig = SoakFigures()
    issued = 0
    steps = count_steps(_save_loop(root, guids, 0, saves), workdir)
    issued += saves
    with Workspace.open(root, snapshot=False) as ws:
        expect = {p.participant: int(p.variant) for p in ws.store.all(Protocol)}
    for r in range(rounds):
        kind = KINDS[r % 3]
        fault = Fault(kind, rng.randint(1, steps + 2))
        o = run(_save_loop(root, guids, issued, saves), fault, workdir)
        fig.rounds += 1
        fig.by_kind[kind] += 1
        if o.traceback:
            fig.failures.append(f"round {r} {fault}: traceback\n{o.stderr[-800:]}")
        maybe: dict[str, int] = {}  # a save the kill interrupted may or may not have landed
        for line in o.stdout.splitlines():
            parts = line.split(" ", 3)
            if parts[0] == "ACK":
                expect[parts[1]] = int(parts[2])
                fig.acked += 1
            elif parts[0] == "ERR":
                fig.refused += 1
        if o.killed:
            nxt = issued + sum(1 for ln in o.stdout.splitlines() if ln.split(" ")[0] in ("ACK", "ERR"))
            if nxt < issued + saves:
                maybe[guids[nxt % len(guids)]] = nxt
        issued += saves
        try:
            with Workspace.open(root, snapshot=False) as ws:
                fig.notices += ws.store.recovery_notice() is not None
                if ws.store.recovery_notice() is not None:
                    ws.store.acknowledge_recovery()
                stored = {p.participant: int(p.variant) for p in ws.store.all(Protocol)}
                audit = {}
                for e in ws.store.audit:
                    if e.field == "variant":
                        audit[e.key] = int(e.new)
        except Exception as e:  # noqa: BLE001 - a store that does not open is the finding
            fig.failures.append(f"round {r} {fault}: did not open: {e!r}")
            continue
        for g in guids:
            want, got = expect.get(g), stored.get(g)
            if got != want and not (g in maybe and got == maybe[g]):
                fig.failures.append(f"round {r} {fault}: {g[:8]} holds {got}, acknowledged {want}")
            if audit.get(g) != got:
                fig.failures.append(f"round {r} {fault}: audit says {audit.get(g)}, data {got}")
        expect = dict(stored)
    return fig


def fail_syncs(monkeypatch, code: int = errno.ENOSPC) -> None:
    """Every fsync/fdatasync raises OSError(code) (ENOSPC: a full disk at the commit), in
    this process, for as long as the monkeypatch (or its context) lasts."""
    def failing(fd):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", failing)
    if hasattr(os, "fdatasync"):
        monkeypatch.setattr(os, "fdatasync", failing)
