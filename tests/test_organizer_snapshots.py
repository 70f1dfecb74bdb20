"""Snapshots of the organizer's screens (SVGs committed under tests/__snapshots__/)."""
from __future__ import annotations

from tui_app.app import ShtabApp


def test_roster_search_80x25(demo_ws, snap_compare):
    assert snap_compare(ShtabApp(demo_ws), press=["f2", "п", "о"], terminal_size=(80, 25))


def test_roster_day_120x40(demo_results_ws, snap_compare):
    assert snap_compare(ShtabApp(demo_results_ws), press=["f2"], terminal_size=(120, 40))


def test_participant_modal_80x25(demo_ws, snap_compare):
    async def open_first(pilot):
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("enter")
        for _ in range(3):
            await pilot.pause()
        pilot.app.focused.cursor_blink = False  # a blinking cursor makes the picture random

    assert snap_compare(ShtabApp(demo_ws), run_before=open_first, terminal_size=(80, 25))


def test_rooms_timetable_80x25(demo_results_ws, snap_compare):
    async def to_room_102(pilot):
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("down")
        for _ in range(3):
            await pilot.pause()

    assert snap_compare(ShtabApp(demo_results_ws), run_before=to_room_102, terminal_size=(80, 25))


def test_rooms_timetable_limit_120x40(demo_results_ws, snap_compare):
    demo_results_ws.store.update_settings(schedule_limit="14:00")
    assert snap_compare(ShtabApp(demo_results_ws), press=["f3"], terminal_size=(120, 40))


def test_staff_80x25(demo_ws, snap_compare):
    async def open_staff(pilot):
        menu = pilot.app.screen.query_one("#menu")
        for _ in range(len(menu.options)):
            if menu.highlighted is not None and menu.get_option_at_index(menu.highlighted).id == "staff":
                break
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(ShtabApp(demo_ws), run_before=open_staff, terminal_size=(80, 25))


def test_rooms_remote_connection_schedule_120x40(demo_ws, snap_compare):
    """Remote form (seed 002): the timetable is the connection schedule, test call the day before."""
    from tui_app.services import distribute as dist
    from tui_app.services import rooms

    store = demo_ws.store
    store.set_exam_day(store.exam_day().model_copy(update={"remote": True}))
    for r in store.rooms():
        rooms.edit_room(store, r.number, capacity=40)
    dist.auto_distribute(store)
    assert snap_compare(ShtabApp(demo_ws), press=["f3", "down"], terminal_size=(120, 40))
