"""The offline bundle: built here (needs PyPI), installed into a fresh venv with --no-index,
then the program started from that venv. Skipped cleanly when PyPI is unreachable."""
from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_tool():
    spec = importlib.util.spec_from_file_location("build_offline_bundle",
                                                  ROOT / "tools" / "build_offline_bundle.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _pypi_reachable() -> bool:
    try:
        with urllib.request.urlopen("https://pypi.org/simple/tinydb/", timeout=5) as r:
            return r.status == 200
    except Exception:
        return False


def _offline_env() -> dict:
    """pip with no index, no config, no extra find-links: only the bundle."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PIP_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_NO_INDEX"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def test_install_scripts_and_manifest_are_written(tmp_path):
    tool = _load_tool()
    (tmp_path / "x.whl").write_bytes(b"wheel")
    tool.write_extras(tmp_path)
    assert "--no-index --find-links . is-shtab" in (tmp_path / "install-windows.bat").read_text("utf-8")
    assert b"\r\n" in (tmp_path / "install-windows.bat").read_bytes()
    assert "--no-index --find-links . is-shtab" in (tmp_path / "install-linux.sh").read_text("utf-8")
    for line in (tmp_path / "SHA256SUMS").read_text("utf-8").splitlines():  # sha256sum -c
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest, name
    assert "x.whl" in (tmp_path / "SHA256SUMS").read_text("utf-8")
    assert "win_amd64" in tool.WINDOWS and "manylinux2014_x86_64" in tool.LINUX
    # `py -3` takes the newest Python installed: the bundle covers up to 3.13 and the .bat
    # asks for the versions it has wheels for, newest first
    assert tool.PYTHONS == ("3.10", "3.11", "3.12", "3.13")
    bat = (tmp_path / "install-windows.bat").read_text("utf-8")
    assert "for %%V in (3.13 3.12 3.11 3.10)" in bat and "py -3 -m" not in bat


@pytest.mark.slow
def test_bundle_installs_offline_and_the_program_starts(tmp_path, tmp_path_factory):
    venv = pytest.importorskip("venv", reason="this Python has no venv (the embeddable build): the Windows leg installs the wheelhouse into a full CPython's venv itself")
    # a wheelhouse under pytest's temp root, kept between runs: a rerun needs no network
    cache = tmp_path_factory.getbasetemp().parent / "is-shtab-wheelhouse"
    if not _pypi_reachable() and not any(cache.glob("*.whl")):
        pytest.skip("PyPI недоступен: комплект для установки без сети собирается только с сетью")
    tool = _load_tool()
    bundle = tmp_path / "bundle"
    wheel = tool.build(bundle, current=True, cache=cache)
    assert wheel.name.startswith("is_shtab-")
    names = {p.name.split("-")[0].lower() for p in bundle.glob("*.whl")}
    for dep in ("textual", "tinydb", "pydantic", "lxml", "fpdf2", "sounddevice", "soundfile",
                "platformdirs"):
        assert dep in names, dep

    env_dir = tmp_path / "venv"
    # a fresh venv without its own pip (ensurepip alone takes ~20 s here); this pip installs
    # into it with --python, with no index and no pip configuration: only the bundle.
    # --no-compile only saves time in the test (the school install compiles as usual).
    venv.EnvBuilder(with_pip=False, clear=True).create(env_dir)
    py = env_dir / ("Scripts/python.exe" if sys.platform.startswith("win") else "bin/python")
    env = _offline_env()
    r = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install",
                        "--no-index", "--find-links", str(bundle), "--no-compile", "is-shtab"],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert "Successfully installed" in r.stdout and "is-shtab" in r.stdout

    # the program runs from the venv, not from this checkout
    where = subprocess.run([str(py), "-c", "import tui_app; print(tui_app.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True)
    assert str(env_dir) in where.stdout
    h = subprocess.run([str(py), "-m", "tui_app", "--help"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=60)
    assert h.returncode == 0 and "ИС-Штаб" in h.stdout and "handoff" in h.stdout
    ws = tmp_path / "ws"
    d = subprocess.run([str(py), "-m", "tui_app", "-w", str(ws), "demo"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=60)
    assert d.returncode == 0, d.stderr
    assert "Участников:" in d.stdout and (ws / "is-shtab.json").exists()
