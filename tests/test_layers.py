"""The layers of docs/architecture.md hold for every import: `lint-imports` with the contracts
in pyproject.toml ([tool.importlinter]); a deliberate upward import makes it fail. And
importing domain/ at run time loads none of the libraries it must not use."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from support import ROOT
from support.cli import run_python

LINT = [sys.executable, "-c",
        "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"]


def lint(cwd) -> subprocess.CompletedProcess:
    return subprocess.run(LINT, cwd=cwd, capture_output=True, text=True, encoding="utf-8",
                          env={"PYTHONPATH": str(cwd), "PATH": "", "PYTHONIOENCODING": "utf-8"},
                          timeout=120)


def test_every_contract_is_kept():
    r = lint(ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Contracts: 7 kept, 0 broken." in r.stdout, r.stdout


@pytest.mark.parametrize("module, line, broken", [
    ("store/lock.py", "from ..services import demo  # upward", "tui_app.store.lock -> tui_app.services.demo"),
    ("exchange/csvio.py", "from ..forms import kit  # sideways", "tui_app.exchange.csvio -> tui_app.forms.kit"),
    ("domain/names.py", "import textual  # impure", "tui_app.domain.names -> textual"),
    ("screens/stats.py", "import lxml  # a library out of its home", "tui_app.screens.stats -> lxml"),
])
def test_a_wrong_import_breaks_a_contract(tmp_path, module, line, broken):
    shutil.copytree(ROOT / "tui_app", tmp_path / "tui_app",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with open(tmp_path / "tui_app" / module, "a", encoding="utf-8") as f:
        f.write("\n" + line + "\n")
    r = lint(tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert broken in r.stdout and re.search(r"Contracts: \d+ kept, [1-9]\d* broken", r.stdout), r.stdout


FORBIDDEN = ["textual", "rich", "tinydb", "lxml", "fpdf", "fontTools", "sounddevice", "soundfile",
             "numpy", "platformdirs"]


def test_importing_domain_loads_no_forbidden_module():
    code = (
        "import sys, pkgutil, importlib, tui_app.domain as d\n"
        "for m in pkgutil.iter_modules(d.__path__): importlib.import_module('tui_app.domain.'+m.name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(bad))\n"
    )
    assert run_python("-c", code).stdout.strip() == ""
