"""The listening station through REAL PortAudio, as a person uses it: the program runs in tmux
(80×25) with HOME holding an .asoundrc whose default OUTPUT is ALSA's `file` plugin, so every
sample PortAudio plays lands in out.raw (TESTING.md). Pick a participant, seek, play to the end,
score, save: out.raw must hold exactly the cut from the seek on, and the protocol scheme 2."""
from __future__ import annotations

import numpy as np
import pytest

from support.listening import SR, alsa_out_home, room_stream
from support.tmux import EXIT_MARK, Tmux, program
from tui_app.domain.models import Protocol
from tui_app.screens.registry import MENU
from tui_app.services.demo import create_demo
from tui_app.store.workspace import Workspace

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Tmux.available(), reason="нужен tmux")]


def played_part(raw: np.ndarray, expected: np.ndarray) -> bool:
    """out.raw = PortAudio's priming silence, then exactly `expected`, then silence."""
    nz = np.flatnonzero(raw)
    if not len(nz):
        return False
    start = nz[0]
    # the first expected sample may itself be 0: look a few frames back
    for off in range(max(0, start - 4), start + 1):
        if np.array_equal(raw[off:off + len(expected)], expected):
            return not raw[:off].any() and not raw[off + len(expected):].any()
    return False


def test_listen_seek_score_in_tmux_through_portaudio(tmp_path):
    root = tmp_path / "ws"
    w = Workspace.open(root, snapshot=False)
    create_demo(w.store, with_results=True)
    s = room_stream(w.store, "101", minutes=1)
    p = s.participant
    w.store.delete(Protocol, p.guid)
    w.close()
    home, raw = alsa_out_home(tmp_path / "home")
    with Tmux(program("-w", str(root)), 80, 25, env={"HOME": str(home)}) as t:
        t.wait_for("Что дальше", timeout=20)
        t.keys(*["Down"] * [e.id for e in MENU].index("listening"))  # down the menu
        t.wait_for("эксперт слушает", timeout=10)
        t.keys("Enter")
        t.wait_for("фамилия или код участника", timeout=15)
        t.type(p.code)
        t.keys("Enter")
        t.wait_for("/ 00:01:00", timeout=20)  # the answer is loaded: one minute
        assert "Нет устройства воспроизведения" not in t.screen()
        t.keys("PageDown")  # +30 s
        t.wait_for("00:00:30 / 00:01:00", timeout=10)
        t.keys("C-Left")  # −5 s
        t.wait_for("00:00:25 / 00:01:00", timeout=10)
        t.keys("Space")  # the null device is not clocked: the rest plays at once
        t.wait_for("║ 00:01:00 / 00:01:00", timeout=30)
        t.keys("4", "Enter", *"1102112032121")
        t.wait_for("Итого: 17/20", timeout=10)
        t.keys("Enter")
        t.wait_for("Сохранено", timeout=10)
        assert "схема 2, по аудиозаписи" in t.screen()
        t.keys("F10")
        t.wait_for(EXIT_MARK + "0", timeout=15)
    got = np.fromfile(raw, dtype="<i2")
    assert played_part(got, s.answer[25 * SR:]), (len(got), len(s.answer[25 * SR:]))
    w = Workspace.open(root, snapshot=False)
    try:
        saved = w.store.get(Protocol, p.guid)
    finally:
        w.close()
    assert saved.scheme == 2 and saved.from_recording and saved.variant == "4"
    assert "поток ауд. 101, 09:00:00–09:01:00" in saved.recording
