"""A lean start (issue 19): the TUI imports no command module, no Markdown (until F1), no
lxml, fpdf2 or sounddevice; a command imports only its own module; the command names are
found in the modules' source, so a new command module needs no list."""
from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import textwrap

import pytest

from tui_app import cli

HEAVY = ("lxml", "fpdf", "sounddevice", "soundfile", "markdown_it", "numpy", "fontTools")

PROBE = textwrap.dedent("""
    import asyncio, importlib.metadata as metadata, json, sys
    scans = []
    _distributions = metadata.distributions
    metadata.distributions = lambda *a, **k: scans.append(1) or _distributions(*a, **k)
    from tui_app.app import ShtabApp

    async def headless(app):
        async with app.run_test(size=(80, 25)) as pilot:
            await pilot.pause()
            assert app.screen.__class__.__name__ == "MainScreen"

    ShtabApp.run = lambda self, *a, **k: asyncio.run(headless(self))
    from tui_app.cli import main
    code = main(sys.argv[1:])
    from tui_app.domain import models
    built = sorted(n for n, c in vars(models).items() if getattr(c, "__pydantic_complete__", False))
    print("@@" + json.dumps(sorted(sys.modules) + ["built-model:" + n for n in built]
                            + ["distribution-scans:" + str(len(scans))]))
    sys.exit(code)
""")


def modules_after(*args: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("@@"))
    return json.loads(line[2:])


def test_the_tui_starts_without_command_modules_or_heavy_libraries(demo_ws):
    root = str(demo_ws.root)
    demo_ws.close()  # the probe opens it
    mods = modules_after("-w", root)
    assert [m for m in mods if m.startswith("tui_app.commands.") and m != "tui_app.commands._common"] == []
    assert [m for m in mods if m.split(".")[0] in HEAVY] == []
    assert "tui_app.screens.help" not in mods and "textual.widgets._markdown" not in mods
    # the main screen's counts come from the stored documents: no participant or protocol
    # model is built (pydantic builds a model's validator at its first use)
    built = [m for m in mods if m.startswith("built-model:")]
    assert "built-model:Participant" not in built and "built-model:Protocol" not in built, built
    # the checklist's deadlines need the Russian production calendar: read from the table
    # written out of `holidays` (data/calendar/ru.json), the package is not imported
    assert [m for m in mods if m.split(".")[0] == "holidays"] == []
    # pydantic's plugin search reads every installed distribution's entry points (~40 ms
    # with a cold disk cache): disabled by tui_app (PYDANTIC_DISABLE_PLUGINS)
    assert "distribution-scans:0" in mods


def test_russia_loaded_alone_is_the_calendar_of_the_whole_package():
    probe = textwrap.dedent("""
        import json, sys
        from tui_app.services.calendar import russia_live
        names, workdays = russia_live((2025, 2026, 2027, 2028))
        assert "holidays.countries" not in sys.modules
        import holidays.countries  # now the package with every country
        sys.modules.pop("holidays.countries.russia")
        import holidays
        full = holidays.country_holidays("RU", years=[2025, 2026, 2027, 2028], language="ru")
        assert set(names) == set(full), set(names) ^ set(full)
        assert workdays == frozenset(full.weekend_workdays)
        assert all(names[d] == str(n) for d, n in full.items())
        print("ok", len(names))
    """)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.startswith("ok"), out.stderr[-2000:]


def test_the_written_out_calendar_is_the_holidays_package():
    """data/calendar/ru.json is what the installed `holidays` says for every window of three
    years the program asks for. After an upgrade of the package the table is stale and not
    used (a warning says to write it again with `python -m tui_app.services.calendar`): the
    days are still the package's, only the start is slower."""
    import warnings

    from tui_app.services import calendar

    if calendar._table() is None:  # another version of the package: it is asked, days right
        warnings.warn("data/calendar/ru.json is stale (another version of holidays): write it "
                      "again with python -m tui_app.services.calendar (the start is slower)")
    for y in calendar.TABLE_YEARS[1:-1]:
        years = (y - 1, y, y + 1)
        assert calendar.russia(years) == calendar.russia_live(years), y


def test_a_stale_or_missing_calendar_table_asks_the_package(monkeypatch):
    from tui_app.services import calendar

    live = calendar.russia_live((2025, 2026, 2027))
    asked = []
    monkeypatch.setattr(calendar, "russia_live", lambda years: asked.append(years) or live)
    assert calendar.russia((2060, 2061, 2062)) == live  # beyond the table's years
    with monkeypatch.context() as m:  # made from another version of the package
        m.setattr(calendar, "russia_fingerprint", lambda: "another version of holidays")
        calendar._table.cache_clear()
        assert calendar.russia((2025, 2026, 2027)) == live
    with monkeypatch.context() as m:  # not shipped
        m.setattr(calendar, "TABLE", ("calendar", "missing.json"))
        calendar._table.cache_clear()
        assert calendar.russia((2025, 2026, 2027)) == live
    calendar._table.cache_clear()
    assert len(asked) == 3
    assert calendar.russia((2025, 2026, 2027)) == live and len(asked) == 3  # the table again


def test_a_command_imports_only_its_own_module(tmp_path):
    mods = modules_after("-w", str(tmp_path / "ws"), "info")
    assert [m for m in mods if m.startswith("tui_app.commands.")] == \
        ["tui_app.commands._common", "tui_app.commands.info"]


class RecordingSubparsers:
    """Stands in for argparse's subparsers: records what a module registers."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def add_parser(self, name: str, **kw):
        self.names.append(name)
        return argparse.ArgumentParser(add_help=False)


def test_every_command_is_found_in_the_source_of_its_module():
    found = cli.command_modules()
    for module in sorted(set(found.values())):
        rec = RecordingSubparsers()
        importlib.import_module(module).register(rec)
        assert sorted(rec.names) == sorted(n for n, m in found.items() if m == module), module
    assert {"demo", "info", "import", "export", "record", "forms", "handoff"} <= set(found)


@pytest.mark.parametrize("argv, expect", [
    (["-w", "X", "info"], "info"), (["--workspace", "import", "export"], "export"),
    (["-w", "X"], None), (["--version"], None), (["import", "-w", "x.b2p"], "import"),
])
def test_the_command_word_skips_global_options(argv, expect):
    assert cli.command_word(argv) == expect


async def test_main_screen_is_summarised_once_at_start_and_again_on_return(demo_ws, monkeypatch):
    from tui_app.app import ShtabApp
    from tui_app.screens import main as main_screen

    calls = []
    real = main_screen.summarize
    monkeypatch.setattr(main_screen, "summarize", lambda store: calls.append(1) or real(store))
    app = ShtabApp(demo_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.pause()
        assert len(calls) == 1
        assert "не явились 0" in str(app.screen.query_one("#counts-box").render())
        await pilot.press("f2", "f8", "escape")
        await pilot.pause()
        assert len(calls) == 2
        assert "не явились 1" in str(app.screen.query_one("#counts-box").render())


def test_the_main_screen_summary_sorts_no_participant(demo_ws, monkeypatch):
    """Counts need no alphabetical order: at 36,000 the sort alone was a third of a second."""
    from tui_app.services.summary import summarize
    from tui_app.store.workspace import Store

    demo_ws.store.update_settings(scans_required=True)  # the scans item of the checklist too
    expected = summarize(demo_ws.store)
    monkeypatch.setattr(Store, "participants", lambda self: pytest.fail("sorted every participant"))
    assert summarize(demo_ws.store) == expected


def test_the_main_screen_summary_builds_no_model_of_a_participant_or_protocol(demo_results_ws, monkeypatch):
    """The counts come from the stored documents: at 36,000 validating every participant and
    protocol was two seconds of the start. They agree with the statistics screen's, which
    counts the validated models (absent, early, removed, зачёт/незачёт, ОВЗ, remote, scans)."""
    from tui_app.domain.models import Participant, Protocol
    from tui_app.services import stats
    from tui_app.services.remote import is_remote
    from tui_app.services.summary import summarize
    from tui_app.store.workspace import Store

    store = demo_results_ws.store
    store.update_settings(scans_required=True)
    people, protocols = store.all(Participant), store.protocols()
    overall = stats.compute(store).overall
    seated = {p.room for p in people if p.room and not p.absent}
    remote = is_remote(store)
    store._reset_index()  # nothing validated: as at a start

    real_validated, real_get = Store._validated, Store.get

    def no_models(real):
        def check(self, model, *a, **k):
            assert model not in (Participant, Protocol), f"{model.__name__} validated"
            return real(self, model, *a, **k)
        return check

    monkeypatch.setattr(Store, "_validated", no_models(real_validated))
    monkeypatch.setattr(Store, "get", no_models(real_get))
    s = summarize(store)
    assert (s.total, s.absent, s.passed, s.failed, s.early, s.removed) == (
        overall.listed, overall.absent, overall.passed, overall.failed, overall.early, overall.removed)
    assert s.early and s.removed and s.passed and s.failed and s.absent  # the demo has each
    assert s.ovz == sum(p.is_ovz for p in people) > 0
    assert s.present == sum(p.attendance.value == "present" for p in people)
    assert s.distributed == sum(bool(p.room) for p in people)
    assert s.protocols == sum(1 for p in people if p.guid in protocols)
    assert is_remote(store) is remote
    assert any(f"из {len(seated)})" in text for _, text in s.checklist)


def test_the_base_is_parsed_with_the_collector_off_and_it_is_on_again(demo_ws, monkeypatch):
    """Parsing a region's base set off a full collection every few hundred dicts; the
    collector is off for the parse only — also when the parse fails."""
    import gc

    from tui_app.store import journal

    seen = []
    real = journal._load_tables
    monkeypatch.setattr(journal, "_load_tables", lambda b: seen.append(gc.isenabled()) or real(b))
    path = demo_ws.store.db_path
    demo_ws.store.compact()
    raw = path.read_bytes()
    assert journal.parse_base(raw, path).tables and seen == [False] and gc.isenabled()
    monkeypatch.setattr(journal, "_load_tables", lambda b: seen.append(gc.isenabled()) or 1 / 0)
    with pytest.raises(ZeroDivisionError):
        journal.parse_base(raw, path)
    assert seen == [False, False] and gc.isenabled()
