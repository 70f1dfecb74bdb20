"""No file but the input is opened while any hostile file is parsed, and every parse ends
within a bound — proved at the OS level (strace of every openat/connect of the process and
its threads) and at Python's (sys.addaudithook), in a subprocess.

The corpus points DTDs and entities at /etc/passwd, a named pipe that never answers,
/dev/stdin, /dev/zero, UNC paths and network addresses, in UTF-8 and in UTF-16/32 with and
without a BOM: a parser that reached out would read a file, hang on the pipe (the subprocess
timeout fails the test) or open a socket. Before this was fixed, `collect_ids=False` made
libxml2 open the external DTD of a UTF-16 file that the byte search did not recognise.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from support import ROOT, hostile

CHILD = r"""
import json, os, sys, time
from tui_app.errors import ShtabError
from tui_app.exchange.b2p import read_b2p
from tui_app.exchange.b2p_read import schema
from tui_app.exchange.csvio import read_table

files = json.loads(sys.stdin.read())  # (not argv: Windows caps a command line at 32,767)
schema()  # the program's own XSD: loaded before the audit

def parse(path, kind):
    try:
        (read_b2p if kind == "b2p" else read_table)(path)
    except ShtabError:
        pass

for path, kind in files:  # once to warm up: lazy imports, codecs
    parse(path, kind)

opened = []
def hook(event, args):
    if event in ("open", "os.open") or event.startswith("socket."):
        opened.append([event, str(args[0]) if args else ""])
sys.addaudithook(hook)

out = []
for i, (path, kind) in enumerate(files):
    try:
        os.open(f"/audit-marker/BEGIN/{i}", os.O_RDONLY)
    except OSError:
        pass
    opened.clear()
    t = time.monotonic()
    parse(path, kind)
    seconds = time.monotonic() - t
    events = list(opened)
    try:
        os.open(f"/audit-marker/END/{i}", os.O_RDONLY)
    except OSError:
        pass
    out.append({"path": path, "seconds": seconds, "python_opens": events})
print(json.dumps(out))
"""

BOUND = 30.0  # seconds: a parse longer than the read time bound is a hang


def _files(corpus):
    out = []
    for c in hostile.CASES:
        if c.posix and not hasattr(os, "mkfifo"):
            continue
        out.append([str(corpus / c.name), "b2p" if c.importer == "b2p" else "csv"])
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return hostile.build(tmp_path_factory.mktemp("audit") / "corpus")


def _run(cmd, files):
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    p = subprocess.run(cmd + [sys.executable, "-c", CHILD], input=json.dumps(files), cwd=ROOT,
                       capture_output=True, text=True, encoding="utf-8", env=env, timeout=900)
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr[-3000:]
    return json.loads(p.stdout.strip().splitlines()[-1])


def _allowed(path: str) -> set[str]:
    return {path, os.path.realpath(path)}


@pytest.mark.slow
def test_no_file_but_the_input_is_opened_python_audit(corpus):
    files = _files(corpus)
    assert len(files) >= 150
    for rec in _run([], files):
        assert rec["seconds"] < BOUND, rec
        others = [e for e in rec["python_opens"] if e[1] not in _allowed(rec["path"])]
        assert not others, (rec["path"], others)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_no_file_but_the_input_is_opened_strace(corpus, tmp_path):
    files = _files(corpus)
    log = tmp_path / "strace.log"
    results = _run(["strace", "-f", "-qq", "-e", "trace=openat,open,creat,connect,socket",
                    "-e", "signal=none", "-o", str(log)], files)
    assert all(r["seconds"] < BOUND for r in results)
    current, seen, bad = None, set(), []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if "/audit-marker/BEGIN/" in line:
            current = int(line.split("/audit-marker/BEGIN/")[1].split('"')[0])
            seen.add(current)
            continue
        if "/audit-marker/END/" in line:
            current = None
            continue
        if current is None:
            continue
        if "connect(" in line or "socket(" in line:
            bad.append((files[current][0], line))
            continue
        if '"' in line:
            opened = line.split('"')[1]
            if opened not in _allowed(files[current][0]):
                bad.append((files[current][0], line))
    assert len(seen) == len(files)  # every file was parsed under the trace
    assert not bad, bad[:10]
