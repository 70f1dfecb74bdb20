"""The second entry that stops at the first difference (issue 20, as EpiData does): in the
second pass a digit that differs from the first pass beeps and stops the pass at once —
the keys typed after it are not taken — and asks «первый / второй / ввести заново». The blind
pass with the list afterwards stays as the other mode (F6; tests/test_entry_screens_nav.py).
The answers are F2 / F3 / F4: the digits a fast typist has already sent after the differing
one reach the window and must not answer it."""
from __future__ import annotations

from support.pilot import wait_until
from support.workspaces import clear_results, present_in, protocol
from tui_app.app import ShtabApp
from tui_app.screens.double_entry import DoubleEntryScreen
from tui_app.screens.entry import EntryScreen
from tui_app.screens.mismatch import MismatchDialog
from tui_app.services import double_entry as de
from tui_app.services.entry import PASS2_TABLE

GENERAL = ["1", "1", "0", "2", "1", "1", "2", "0", "3", "2", "1", "2", "1"]


async def _first_pass(app, pilot, a) -> None:
    app.push_screen(EntryScreen(participant=a.guid))
    await pilot.pause()
    await pilot.press("3", "enter", *GENERAL, "enter", "enter", *GENERAL, "enter", "enter", *GENERAL, "enter")
    app.pop_screen()
    await pilot.pause()


async def test_a_differing_digit_stops_the_second_pass_at_once(demo_results_ws):
    store = demo_results_ws.store
    clear_results(store)
    a, b, c = present_in(store, "102")[:3]
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await _first_pass(app, pilot, a)
        assert protocol(store, c.guid) is not None
        app.open_screen("double_entry")
        await pilot.pause()
        scr = app.screen
        assert isinstance(scr, DoubleEntryScreen) and store.settings().double_entry_halt  # the default
        assert "со сверкой" in str(scr.query_one("#de-info").render())
        await pilot.press("f3")
        entry = app.screen
        assert isinstance(entry, EntryScreen) and entry.halt and "со сверкой" in entry.title
        await pilot.press("f5")  # room 101 -> 102
        await pilot.press(*str(a.order), "enter")
        assert entry.state.participant.guid == a.guid and entry.state.scores == {}  # nothing shown

        # a: М2 typed 1 (the first pass has 0) in one fast burst with the five digits after it
        second = list(GENERAL)
        second[7] = "1"
        await pilot.press("3", "enter", *second)
        await wait_until(pilot, lambda: isinstance(app.screen, MismatchDialog), what="the halt")
        dlg = app.screen
        assert (dlg.code, dlg.first, dlg.second) == ("М2", 0, 1)
        text = str(dlg.query_one("#mm-text").render()) + str(dlg.query_one("#mm-keys").render())
        assert "первый ввод — 0, сейчас введено — 1" in text and "ввести заново" in text
        st = entry.state
        assert st.current == "М2" and len(st.scores) == 8  # stopped there: nothing after it taken
        await pilot.press("f2")  # the first pass was right (digits typed ahead never answer)
        await wait_until(pilot, lambda: app.screen is entry)
        assert st.scores["М2"] == 0 and st.current == "Д1"
        msg = str(entry.query_one("#entry-msg").render())
        assert "верен первый ввод" in msg and "(5) не приняты" in msg
        await pilot.press(*GENERAL[8:], "enter")
        await wait_until(pilot, lambda: protocol(store, a.guid, PASS2_TABLE) is not None, what="saved")
        assert protocol(store, a.guid, PASS2_TABLE).scores == protocol(store, a.guid).scores

        # b: the second pass was right — the first pass is corrected (and audited)
        await wait_until(pilot, lambda: entry.state is not None and entry.state.participant.guid == b.guid)
        second = list(GENERAL)
        second[0] = "0"
        await pilot.press("3", "enter", *second[:1])
        await wait_until(pilot, lambda: isinstance(app.screen, MismatchDialog))
        await pilot.press("f3")
        await wait_until(pilot, lambda: app.screen is entry)
        assert protocol(store, b.guid).scores[entry.state.codes[0]] == 0
        assert "первый ввод исправлен" in str(entry.query_one("#entry-msg").render())
        await pilot.press(*second[1:], "enter")
        await wait_until(pilot, lambda: protocol(store, b.guid, PASS2_TABLE) is not None)

        # c: type it again — the cell is cleared, the cursor stays on it
        await wait_until(pilot, lambda: entry.state is not None and entry.state.participant.guid == c.guid)
        await pilot.press("3", "enter", "1", "0")  # Ч2: 0 against 1
        await wait_until(pilot, lambda: isinstance(app.screen, MismatchDialog))
        await pilot.press("f4")
        await wait_until(pilot, lambda: app.screen is entry)
        code = entry.state.codes[1]
        assert entry.state.current == code and code not in entry.state.scores
        await pilot.press(*GENERAL[1:], "enter")
        await wait_until(pilot, lambda: protocol(store, c.guid, PASS2_TABLE) is not None)
        assert entry.halts == 3

        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is scr)
        assert scr.items == [] and de.counts(store).agreed == 3  # every halt was settled at once
        await pilot.press("f6")  # the blind mode, remembered
        assert store.settings().double_entry_halt is False
        await pilot.press("f3")
        assert isinstance(app.screen, EntryScreen) and not app.screen.halt
        assert "вслепую" in app.screen.title
