"""Shared fixtures: a fresh workspace, the demo workspace (with and without results)."""
from __future__ import annotations

import pytest

from support.workspaces import copy_workspace
from tui_app.services.demo import create_demo
from tui_app.store.workspace import Workspace


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
