"""The store's failures as a user at the screen meets them (80×25, real key presses):
a save that the disk refuses shows a Russian message, the typed protocol stays on the screen
(as in the store: nothing saved), and the same Enter saves it once the disk allows."""
from __future__ import annotations

import errno
import os

from support.pilot import text_of
from support.workspaces import clear_results, present_in, protocol
from tui_app.app import ShtabApp
from tui_app.screens.entry import EntryScreen

GENERAL = ["1", "1", "0", "2", "1", "1", "2", "0", "3", "2", "1", "2", "1"]


def _full_disk(monkeypatch):
    def nospace(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", nospace)
    if hasattr(os, "fdatasync"):
        monkeypatch.setattr(os, "fdatasync", nospace)


async def test_a_save_refused_by_the_disk_keeps_the_typed_protocol(demo_results_ws, monkeypatch):
    store = demo_results_ws.store
    clear_results(store)
    first = present_in(store, "102")[0]
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f4", "f5")
        assert isinstance(app.screen, EntryScreen) and app.screen.room == "102"
        await pilot.press(*str(first.order), "enter")
        with monkeypatch.context() as m:
            _full_disk(m)
            await pilot.press("4", "enter", *GENERAL, "enter")
            await pilot.pause()
            assert app.is_running and isinstance(app.screen, EntryScreen)
            shown = text_of(app, "#entry-msg")
            assert "Не сохранено" in shown and "недостаточно места" in shown, shown
            assert protocol(store, first.guid) is None  # the store: nothing saved
            st = app.screen.state  # the screen: everything typed is still there
            assert st.participant.guid == first.guid and st.variant == "4"
            assert st.protocol().scores["Д1"] == 3
        await pilot.press("enter")  # the disk has room again: the same protocol is saved
        await pilot.pause()
        saved = protocol(store, first.guid)
        assert saved is not None and saved.variant == "4" and saved.scores["Д1"] == 3
        assert "Сохранено" in text_of(app, "#entry-msg")


async def test_a_recovery_is_shown_at_start_until_confirmed(demo_results_ws):
    from tui_app.screens.store_notice import StoreNoticeScreen
    from tui_app.store.workspace import DB_NAME, Workspace

    root = demo_results_ws.root
    demo_results_ws.close()
    (root / DB_NAME).write_bytes(b"")
    for answer, still in (("escape", True), ("enter", False)):
        ws = Workspace.open(root)
        try:
            app = ShtabApp(ws)
            async with app.run_test(size=(80, 25)) as pilot:
                await pilot.pause()
                assert isinstance(app.screen, StoreNoticeScreen)
                text = text_of(app, "#store-notice-text")
                assert "is-shtab.json.bak" in text and "ничего не потеряно" in text
                await pilot.press(answer)
                await pilot.pause()
                assert not isinstance(app.screen, StoreNoticeScreen)
                banner = text_of(app, "#ws-notice")
                assert ("восстановлена" in banner) == still
            assert (ws.store.recovery_notice() is not None) == still
        finally:
            ws.close()
