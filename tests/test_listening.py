"""The expert's listening station (issue 20): tempo without pitch, the player, the answer cut
from the room's stream, scoring as scheme 2 «from the recording», the blind re-check; the
screen at 80×25 (in-process without a sound device; real PortAudio in tests/test_listening_portaudio.py)."""
from __future__ import annotations

import threading
from datetime import date

import numpy as np
import pytest

from support.listening import SR, known, room_stream
from support.pilot import settle, text_of, wait_until
from tui_app.audio import player as playerlib
from tui_app.audio.player import Player
from tui_app.audio.tempo import stretch
from tui_app.domain.models import Protocol, RecheckApplication
from tui_app.services import listening as ls
from tui_app.services.protocols import ProtocolRejected


def crossings(y: np.ndarray) -> float:
    m = y.astype(float)
    return float(np.sum((m[:-1] < 0) & (m[1:] >= 0))) / (len(m) / SR)


@pytest.mark.parametrize("speed", [0.75, 1.25, 1.5])
def test_tempo_changes_duration_not_pitch(speed):
    t = np.arange(4 * SR) / SR
    x = (9000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16)
    y = stretch(x, SR, speed)
    assert abs(len(y) / len(x) - 1 / speed) < 0.02
    assert abs(crossings(y[2000:-2000]) - 220) < 1.5  # the voice keeps its pitch
    naive = x[::2] if speed == 1.5 else None  # what dropping samples would do: an octave up
    if naive is not None:
        assert crossings(naive) > 400


def test_tempo_one_is_the_samples_themselves():
    x = known(3)
    assert np.array_equal(stretch(x, SR, 1.0)[800:-800], x[800:len(x) - 800])


class FakeOut:
    """PortAudio's output stream without a device: the callback is pulled by `pull()`."""

    class Stop(Exception):
        pass

    callback_stop = Stop

    def __init__(self, output: bool = True) -> None:
        self.output = output
        self.played: list[np.ndarray] = []
        self.stream = None

    def has_output(self) -> bool:
        return self.output

    def open(self, samplerate, channels, blocksize, callback, finished):
        out = self

        class S:
            stopped = True
            active = False

            def start(self):
                self.stopped, self.active = False, True

            def stop(self):
                self.stopped, self.active = True, False

            def abort(self):
                self.stop()

            def close(self):
                pass

        self.stream = S()
        self.callback, self.finished, self.blocksize = callback, finished, blocksize
        return self.stream

    def pull(self, blocks: int = 1) -> None:
        for _ in range(blocks):
            if not self.stream.active:
                return
            buf = np.zeros((self.blocksize, 1), dtype=np.int16)
            try:
                self.callback(buf, self.blocksize, None, None)
            except self.Stop:
                self.played.append(buf[:, 0].copy())
                self.stream.active = False
                self.finished()
                return
            self.played.append(buf[:, 0].copy())


def test_player_plays_seeks_and_pauses_exactly():
    x = known(10)
    out = FakeOut()
    p = Player(x, SR, backend=out)
    p.open()
    p.seek(4.0)
    p.play()
    out.pull(3)
    p.pause()
    out.pull(5)  # paused: the stream is stopped, nothing more is played
    got = np.concatenate(out.played)
    assert np.array_equal(got, x[4 * SR:4 * SR + 3 * playerlib.BLOCK])
    assert p.position == pytest.approx(4 + 3 * playerlib.BLOCK / SR)
    p.skip(-30)
    assert p.position == 0.0
    p.skip(+30)
    assert p.position == 10.0 and p.at_end
    p.seek(9.9)
    before = len(out.played)
    p.play()
    out.pull(10)
    assert not p.playing and p.at_end  # ran to the end, stopped by itself
    tail = np.concatenate(out.played[before:])
    n = len(x) - int(9.9 * SR)  # 1600 frames: one block and a part, then silence
    assert len(tail) == 2 * playerlib.BLOCK
    assert np.array_equal(tail[:n], x[int(9.9 * SR):]) and not tail[n:].any()


def test_player_speed_keeps_the_place_and_says_no_output():
    x = known(20)
    out = FakeOut()
    p = Player(x, SR, backend=out)
    p.open()
    p.seek(8.0)
    assert p.faster() == 1.25 and p.faster() == 1.5 and p.faster() == 1.5
    assert p.position == pytest.approx(8.0, abs=0.05)
    p.play()
    out.pull(40)  # 40 blocks at 1.5× cover 1.5 × 2.56 s of the recording
    assert p.position == pytest.approx(8.0 + 1.5 * 40 * playerlib.BLOCK / SR, abs=0.1)
    assert p.slower() == 1.25 and p.slower() == 1.0 and p.slower() == 0.75 and p.slower() == 0.75
    silent = Player(x, SR, backend=FakeOut(output=False))
    from tui_app.audio.devices import AudioUnavailable

    with pytest.raises(AudioUnavailable, match="Нет устройства воспроизведения"):
        silent.open()
    assert not silent.available


# -- the services ------------------------------------------------------------------------------
def test_answer_is_the_stream_between_the_log_times(demo_results_ws):
    store = demo_results_ws.store
    s = room_stream(store, "101", minutes=1)
    plan = ls.answer_audio(store, s.participant.code)
    assert plan.source == "журнал ИС-02" and plan.room == "101"
    ans = ls.load_answer(plan)
    assert ans.samplerate == SR and ans.duration == 60.0
    assert np.array_equal(ans.samples, s.answer)  # across the 40 s segment boundary
    assert "поток ауд. 101, 09:00:00–09:01:00" in plan.text


def test_task_marks_are_kept_beside_the_stream(demo_results_ws):
    store = demo_results_ws.store
    s = room_stream(store, "101", minutes=1)
    plan = ls.answer_audio(store, s.participant.guid)
    assert ls.task_marks(store, plan) == []
    assert ls.next_task_to_mark([], 3.0) == 1
    ls.mark_task(store, plan, 1, 2.0)
    ls.mark_task(store, plan, 2, 20.5)
    marks = ls.task_marks(store, plan)
    assert [(m.task, m.seconds) for m in marks] == [(1, 2.0), (2, 20.5)]
    assert ls.next_task_to_mark(marks, 25.0) == 3
    assert ls.jump_target(marks, 5.0).task == 2
    assert ls.jump_target(marks, 25.0, forward=False).task == 2
    assert ls.jump_target(marks, 21.0, forward=False).task == 1
    # the answer's own times still cut the same clip (the task markers have no end)
    assert ls.answer_audio(store, s.participant.guid).start == plan.start


def _fill(st, digits="1111", variant="3"):
    st.type_digit(variant)
    st.enter()
    for code in st.category.criteria:
        st.type_digit("1")


def test_scored_from_the_recording_is_scheme_two(demo_results_ws):
    store = demo_results_ws.store
    s = room_stream(store, "101", minutes=1)
    p = s.participant
    store.delete(Protocol, p.guid)
    plan = ls.answer_audio(store, p.guid)
    st = ls.start_state(store, p)
    assert st.scheme_no == 2 and not st.existing
    _fill(st)
    res = ls.save_scores(store, st, plan)
    saved = store.get(Protocol, p.guid)
    assert saved.scheme == 2 and saved.from_recording
    assert "поток ауд. 101" in saved.recording and res.total > 0


def test_recheck_is_blind_refuses_the_first_expert_and_compares(demo_results_ws):
    store = demo_results_ws.store
    s = room_stream(store, "101", minutes=1)
    p = s.participant
    first = store.get(Protocol, p.guid)
    assert first is not None and first.expert
    with pytest.raises(ls.ListeningRefused, match="нет заявления"):
        ls.save_scores(store, ls.start_state(store, p, ls.RECHECK, "Другой Эксперт"), None, ls.RECHECK)
    store.put(RecheckApplication(participant=p.guid, applied_on=date(2027, 2, 20)))
    assert p.guid in {x.guid for x in ls.recheck_people(store)}
    st = ls.start_state(store, p, ls.RECHECK, first.expert)
    assert st.scores == {} and not st.existing  # the first scores are not shown
    assert st.variant == first.variant
    _fill(st, variant=first.variant)
    with pytest.raises(ls.ListeningRefused, match="16.4"):
        ls.save_scores(store, st, None, ls.RECHECK)
    st.expert = "Комиссия Анна Петровна"
    ls.save_scores(store, st, None, ls.RECHECK)
    assert store.get(Protocol, p.guid) == first  # the first protocol is untouched
    second = store.get(Protocol, p.guid, ls.RECHECK_TABLE)
    assert second.scheme == 2 and second.from_recording
    cmp_ = ls.compare(store, p.guid)
    assert [r.code for r in cmp_.rows][-2:] == ["итого", "результат"]
    assert cmp_.rows[-2].second == str(cmp_.second.total)
    app = ls.record_outcome(store, p.guid)
    assert app.outcome.startswith("результат") and str(cmp_.second.total) in app.outcome


def test_find_people_by_code_surname_and_initial(demo_results_ws):
    people = demo_results_ws.store.participants()
    p = people[0]
    assert ls.find_people(people, p.code) == [p]
    hits = ls.find_people(people, p.surname.upper()[:3])
    assert p in hits
    assert ls.find_people(people, f"{p.surname} {p.name[0]}.")[0].surname == p.surname
    assert ls.find_people(people, "Нетакойфамилии") == []


# -- the screen ---------------------------------------------------------------------------
async def test_station_without_a_sound_device_still_scores(demo_results_ws, monkeypatch):
    from tui_app.app import ShtabApp

    monkeypatch.setattr(playerlib, "BACKEND_FACTORY", lambda: FakeOut(output=False))
    store = demo_results_ws.store
    s = room_stream(store, "101", minutes=1)
    p = s.participant
    store.delete(Protocol, p.guid)
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        app.open_screen("listening")
        await settle(pilot)
        await pilot.press(*p.code, "enter")
        await wait_until(pilot, lambda: "Нет устройства воспроизведения" in text_of(app, "#ls-msg"))
        assert "звук недоступен" in text_of(app, "#ls-clock")
        assert "00:01:00" in text_of(app, "#ls-clock")
        await pilot.press("space")
        assert "Оценивать можно" in text_of(app, "#ls-msg")
        await pilot.press("3", "enter", *["1"] * 13, "enter")
        await wait_until(pilot, lambda: "Сохранено" in text_of(app, "#ls-msg"))
    saved = store.get(Protocol, p.guid)
    assert saved.scheme == 2 and saved.from_recording and saved.variant == "3"


async def test_station_plays_seeks_marks_and_scores(demo_results_ws, monkeypatch):
    """The keys on a player whose stream the test pulls: Space, PageDown, Ctrl+←, F4, F6/F7."""
    from tui_app.app import ShtabApp

    out = FakeOut()
    monkeypatch.setattr(playerlib, "BACKEND_FACTORY", lambda: out)
    store = demo_results_ws.store
    s = room_stream(store, "101", minutes=1)
    p = s.participant
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        app.open_screen("listening")
        await settle(pilot)
        await pilot.press(*p.surname[:4])
        await pilot.press("enter")
        screen = app.screen
        if screen.query_one("#ls-choices").display:
            await pilot.press("enter")  # several surnames alike: the first is ours (list order)
        await wait_until(pilot, lambda: app.screen.player is not None)
        assert app.screen.state.participant.guid == p.guid
        await pilot.press("pagedown")  # +30 s
        assert "00:00:30" in text_of(app, "#ls-clock")
        await pilot.press("ctrl+left")  # −5 s
        assert "00:00:25" in text_of(app, "#ls-clock")
        await pilot.press("f9")  # task 1 starts here
        assert "1: 00:00:25" in text_of(app, "#ls-tasks")
        await pilot.press("space")
        assert app.screen.player.playing
        out.pull(4)
        await pilot.press("space")
        assert not app.screen.player.playing
        played = np.concatenate(out.played)
        assert np.array_equal(played, s.answer[25 * SR:25 * SR + len(played)])
        await pilot.press("f7")
        assert "×1,25" in text_of(app, "#ls-clock")
        await pilot.press("f2")  # back to the start of the task
        assert "00:00:25" in text_of(app, "#ls-clock")
        await pilot.press("5", "enter", *["1"] * 13, "enter")
        await wait_until(pilot, lambda: "Сохранено" in text_of(app, "#ls-msg"))
    saved = store.get(Protocol, p.guid)
    assert saved.scheme == 2 and saved.from_recording and saved.variant == "5"


def test_no_stream_plays_the_personal_recording(demo_results_ws):
    """A room recorded only personally (a recording per participant): the station plays that
    file (services/audio_import.participant_audio), bit-exact."""
    import soundfile as sf
    from datetime import datetime, time

    from tui_app.audio import names
    from tui_app.domain.models import Attendance
    from tui_app.services import audio as audio_svc

    store = demo_results_ws.store
    p = next(p for p in store.participants() if p.room == "101" and p.attendance is not Attendance.ABSENT)
    with pytest.raises(audio_svc.AudioError):
        audio_svc.plan_clip(store, p.guid)  # no stream in this room
    folder, base = audio_svc.room_folder(store, "101")
    at = datetime.combine(store.exam_day().date, time(9, 30))
    x = known(20, seed=3)
    (folder / "personal").mkdir(parents=True, exist_ok=True)
    sf.write(str(folder / "personal" / names.personal_name(base, p.code, p.guid, at, "wav")), x, SR,
             subtype="PCM_16")
    plan = ls.answer_audio(store, p.guid)
    assert plan.source == "персональная запись" and plan.start == at
    assert "персональная запись" in plan.text and "09:30:00–09:30:20" in plan.text
    ans = ls.load_answer(plan)
    assert ans.samplerate == SR and np.array_equal(ans.samples, x)
