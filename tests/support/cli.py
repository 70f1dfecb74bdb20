"""Run the program (or any Python code) in a subprocess, as a user's shell would."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

from . import ROOT


def run_python(*args, env: Optional[dict] = None, cwd: Path | str = ROOT, timeout: float = 120,
               no_traceback: bool = True) -> subprocess.CompletedProcess:
    """`python ARGS…` with this interpreter (so it runs the code under test), text in UTF-8;
    `env` is added to the current environment. A traceback in the output fails the test
    unless `no_traceback=False`."""
    full_env = dict(os.environ, PYTHONIOENCODING="utf-8", **(env or {}))
    p = subprocess.run([sys.executable, *[str(a) for a in args]], cwd=cwd, capture_output=True,
                       text=True, encoding="utf-8", env=full_env, timeout=timeout)
    if no_traceback:
        assert "Traceback" not in p.stdout + p.stderr, p.stdout + p.stderr
    return p


def run_cli(*args, ws: Path | str | None = None, **kw) -> subprocess.CompletedProcess:
    """`python -m tui_app [-w WS] ARGS…` (see run_python for the keywords)."""
    head = ["-m", "tui_app", *(["-w", str(ws)] if ws is not None else [])]
    return run_python(*head, *args, **kw)
