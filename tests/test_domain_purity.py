"""domain/ stays pure: none of the UI, storage, XML, PDF or audio libraries."""
import ast
import subprocess
import sys
from pathlib import Path

import tui_app.domain

FORBIDDEN = {"textual", "tinydb", "lxml", "fpdf", "sounddevice", "soundfile", "rich", "platformdirs"}
DOMAIN = Path(tui_app.domain.__file__).parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level >= 2:
            out.add("tui_app-outside-domain")  # from ..store import … climbs out of domain
    return out


def test_domain_sources_import_nothing_forbidden():
    files = sorted(DOMAIN.glob("*.py"))
    assert len(files) >= 5
    for f in files:
        bad = _imports(f) & (FORBIDDEN | {"tui_app-outside-domain"})
        assert not bad, f"{f.name} imports {bad}"


def test_importing_domain_loads_no_forbidden_module():
    code = (
        "import sys, pkgutil, importlib, tui_app.domain as d\n"
        "for m in pkgutil.iter_modules(d.__path__): importlib.import_module('tui_app.domain.'+m.name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {sorted(FORBIDDEN)!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_purity_check_catches_a_forbidden_import(tmp_path):
    f = tmp_path / "bad.py"
    f.write_text("from textual.app import App\nimport lxml.etree\nfrom ..store import x\n")
    assert {"textual", "lxml", "tui_app-outside-domain"} <= _imports(f)
