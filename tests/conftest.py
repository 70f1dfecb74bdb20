"""Shared fixtures: a fresh workspace, the demo workspace (with and without results)."""
from __future__ import annotations

import inspect
import os
import sys

import pytest

from support.wine import retry_spawns
from support.workspaces import copy_workspace
from tui_app.services.demo import create_demo
from tui_app.store.workspace import Workspace

pytest_plugins = ["support.speed"]  # what keeps the suite fast (see its docstring)


def pytest_configure(config):
    retry_spawns()  # under wine only: a child wine could not start (WinError 1359) is started again


@pytest.fixture(autouse=True)
def _no_user_workspace(tmp_path, monkeypatch):
    """Tests never touch the real per-user workspace (nor the user's keymap file)."""
    monkeypatch.setenv("IS_SHTAB_WORKSPACE", str(tmp_path / "default-ws"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("IS_SHTAB_KEYMAP", str(tmp_path / "no-keymap.txt"))


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    """Screens and summaries see a fixed «today» (before the demo exam day), so snapshots
    and retention reminders do not change with the calendar."""
    from datetime import date

    from tui_app.services import retention

    monkeypatch.setattr(retention, "today", lambda: date(2026, 11, 22))


@pytest.fixture
def ws(tmp_path):
    """An empty, opened workspace."""
    w = Workspace.open(tmp_path / "ws")
    yield w
    w.close()


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo-template")
    plain, full = root / "plain", root / "full"
    for folder, results in ((plain, False), (full, True)):
        w = Workspace.open(folder, snapshot=False)
        create_demo(w.store, with_results=results)
        w.close()
    return plain, full


@pytest.fixture
def demo_ws(tmp_path, _demo_template):
    """The demo school (no rooms assigned yet), opened."""
    w = Workspace.open(copy_workspace(_demo_template[0], tmp_path / "demo"))
    yield w
    w.close()


@pytest.fixture
def demo_results_ws(tmp_path, _demo_template):
    """The demo school distributed, with absentees and plausible protocols, opened."""
    w = Workspace.open(copy_workspace(_demo_template[1], tmp_path / "demo-results"))
    yield w
    w.close()


@pytest.fixture
def demo_results_dir(tmp_path, _demo_template):
    """A closed copy of the distributed demo workspace with results (for a subprocess,
    which takes its lock itself)."""
    return copy_workspace(_demo_template[1], tmp_path / "ws")


@pytest.fixture
def typing_ws(demo_results_ws):
    """The demo school distributed, before the protocols are typed (no results, no ИС-02)."""
    from support.workspaces import clear_results

    clear_results(demo_results_ws.store)
    return demo_results_ws


# -- under Windows (the Windows leg of CI: tools/windows_check.py) ---------------------------
WINDOWS = sys.platform.startswith("win")
# what truly needs Linux: the reason is printed in the leg's skip list
LINUX_ONLY = {
    "test_audio_portaudio": "ALSA's file plugin as the microphone and the system libportaudio2 "
                            "(Linux); the Windows leg records through wine's audio instead",
}
TUI_REASON = ("TUI under Pilot/snapshots: Textual's headless driver, the same code on every OS, "
              "run by the Linux suite (IS_SHTAB_WINDOWS_TUI=1 runs them here too)")
TUI_MODULES = {"test_guide_screenshots"}


def pytest_collection_modifyitems(config, items):
    if not WINDOWS:
        return
    tui = os.environ.get("IS_SHTAB_WINDOWS_TUI") != "1"
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if getattr(item, "module", None) else ""
        names = getattr(item, "fixturenames", ())
        if module in LINUX_ONLY:
            item.add_marker(pytest.mark.skip(reason=LINUX_ONLY[module]))
        elif "alsa_here" in names or "alsa_home" in getattr(
                getattr(getattr(item, "function", None), "__code__", None), "co_names", ()):
            # ALSA's file plugin as the device, sample for sample: wine's audio between
            # PortAudio and ALSA starts late and buffers in its own way
            item.add_marker(pytest.mark.skip(reason=LINUX_ONLY["test_audio_portaudio"]))
        elif tui and ("snap_compare" in names or module in TUI_MODULES
                      or inspect.iscoroutinefunction(getattr(item, "function", None))):
            item.add_marker(pytest.mark.skip(reason=TUI_REASON))
