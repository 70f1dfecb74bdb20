"""F7 Аудио: microphone, test recording with a verdict and playback, the room's day stream
with a level meter, personal recordings (times go into the ИС-02 log), clips."""
from __future__ import annotations

from typing import Optional

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from ..audio.devices import NO_INPUT, AudioUnavailable, InputDevice
from ..domain.models import RoomLogEntry
from ..domain.ordering import seat_key
from ..services import audio as svc
from ..notes import Level, Note
from ..widgets.level_meter import LevelMeter
from ..widgets.status_line import StatusLine
from .jobs import JobScreen

TEST_SECONDS = 10.0


def _hms(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


class DevicePicker(ModalScreen[Optional[InputDevice]]):
    """Choose the microphone; F5 re-scans (a microphone plugged in just now)."""

    BINDINGS = [
        Binding("escape", "cancel", "Отмена", id="device-cancel"),
        Binding("f5", "rescan", "Обновить список", id="device-rescan"),
        Binding("f9", "format", "Формат MP3/WAV", id="device-format"),
    ]

    def __init__(self, devices: list[InputDevice], current: str = "") -> None:
        super().__init__()
        self.devices = devices
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="device-box"):
            yield Static("Устройство записи — стрелки и Enter; F5 — обновить список;\n"
                         "F9 — формат файлов (MP3 или WAV); Esc — закрыть", id="device-title")
            yield Static(id="device-format")
            yield OptionList(*self._options(), id="device-list")
            yield StatusLine(id="device-msg")
            yield Footer()

    def _options(self) -> list[Option]:
        return [Option(("● " if d.matches(self.current) else "  ") + f"{d.index}: {d.label}",
                       id=str(i)) for i, d in enumerate(self.devices)]

    def on_mount(self) -> None:
        self._show_format()
        self.query_one(OptionList).focus()

    def _show_format(self) -> None:
        fmt, notice = svc.audio_format(self.app.store)
        size = "~115 МБ в час" if fmt == "wav" else "~4–10 МБ в час"
        self.query_one("#device-format", Static).update(
            f"Формат: [b]{fmt.upper()}[/b] 16 кГц моно ({size}) {notice}")

    def action_format(self) -> None:
        fmt, _ = svc.audio_format(self.app.store)
        svc.set_format(self.app.store, "wav" if fmt == "mp3" else "mp3")
        self._show_format()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.devices[int(event.option.id)])

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_rescan(self) -> None:
        try:
            self.devices = svc.refresh_devices()
        except AudioUnavailable as e:
            self.query_one(StatusLine).show(str(e), Level.ERROR)
            self.devices = []
        ol = self.query_one(OptionList)
        ol.clear_options()
        ol.add_options(self._options())


class AudioScreen(JobScreen):
    HELP_TITLE = "Аудио (F7)"
    HELP = """\
**Аудиозапись аудитории**

Накануне — **проверочная запись (F3)**: 10 секунд, затем вывод по сигналу — «слишком тихо»,
«перегрузка», «шумно» или «хорошо» — с измеренными уровнями. **F4** — прослушать её.

В день собеседования выберите аудиторию слева (стрелки, Enter) и нажмите **F5** — идёт
потоковая запись на весь день. Файлы пишутся частями по 10 минут в папку `audio/` рабочей
папки: при отключении питания теряются только последние секунды. Имя файла содержит дату,
код ОО и номер аудитории.

Следите за индикатором уровня, временем записи и запасом диска в часах. Громкое
предупреждение появится, если на входе тишина, звук перегружен или микрофон пропал
(запись сама продолжится в новый файл, когда он вернётся).

**F6** — персональная запись выбранного в таблице участника: первое нажатие — начало,
второе — конец. Время начала и окончания записывается в ведомость ИС-02 и в метки потока.

**F8** — вырезать ответ выбранного участника из потоковой записи по времени ИС-02
(для эксперта по второй схеме и для апелляции): файл в папке `audio/clips/`.

**F2** — выбрать микрофон; там же **F9** — формат файлов (MP3 или WAV).

**F9** — загрузить записи с диктофона, телефона или другого компьютера (папка, флешка).
"""
    # Esc (back) works as everywhere but is not shown: the 80-column footer needs the room
    BINDINGS = [b for b in JobScreen.BINDINGS if b.key != "escape"] + [
        Binding("escape", "back", "Назад", id="back", show=False),
        Binding("f2", "device", "Микрофон", id="audio-device"),
        Binding("f3", "test", "Тест", id="audio-test"),
        Binding("f4", "play", "Слушать", id="audio-play"),
        Binding("f5", "record", "Запись", id="audio-record"),
        Binding("f6", "personal", "Личная", id="audio-personal"),
        Binding("f8", "clip", "Фрагмент", id="audio-clip"),
        # not in the 80-column footer (it is full): the idle status line and F1 name it
        Binding("f9", "import_files", "Загрузить", id="audio-import", show=False),
    ]

    def __init__(self, test_seconds: float = TEST_SECONDS, record_seconds: Optional[float] = None) -> None:
        super().__init__()
        self.test_seconds = test_seconds
        self.record_seconds = record_seconds  # a limit (tests, a timed recording); None = until F5
        self.devices: list[InputDevice] = []
        self.device_error: str = ""
        self.last_check: Optional[svc.CheckResult] = None
        self.room = ""

    # -- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="audio-device")
        yield LevelMeter(id="audio-meter")
        yield Static(id="audio-status")
        yield Static(id="audio-alert")
        with Horizontal(id="audio-body"):
            yield OptionList(id="audio-rooms")
            yield DataTable(id="audio-people", cursor_type="row", zebra_stripes=True)
            yield Static(id="audio-report")
        yield StatusLine(id="audio-msg")
        yield Footer(compact=True)

    @property
    def session(self) -> Optional[svc.RoomRecording]:
        """The room's stream: it belongs to the app and goes on while other screens are open."""
        return self.app.audio_session

    @session.setter
    def session(self, value: Optional[svc.RoomRecording]) -> None:
        self.app.audio_session = value

    def on_mount(self) -> None:
        table = self.query_one("#audio-people", DataTable)
        table.add_columns("Код", "Участник", "Нач.", "Кон.")
        rooms = self.query_one("#audio-rooms", OptionList)
        numbers = [r.number for r in self.app.store.rooms()]
        rooms.border_title = "Ауд."
        rooms.add_options([Option(n, id=n) for n in numbers])
        if self.session is not None:
            self.room = self.session.room
        elif numbers:
            self.room = numbers[0]
        if self.room in numbers:
            rooms.highlighted = numbers.index(self.room)
        self._fill_people()
        last = self.app.store.settings().audio_test_result
        if last:
            self._report_saved(last)
        else:
            self.query_one("#audio-report", Static).update(
                "[b]Проверка не проводилась[/b]\nF3 — записать 10 с\nи получить вывод.")
        self._load_devices()
        self._recover()
        self._tick()
        self.set_interval(0.2, self._tick)
        (table if numbers else rooms).focus()

    def _recover(self) -> None:
        """Parts a power cut left as WAV journals become MP3s, in the background (files only,
        no store writes; not a job: a recording may start meanwhile)."""
        def work() -> None:
            try:
                res = svc.recover_recordings(self.app.store)
            except OSError:
                return
            if res.files or res.errors:
                level = Level.WARNING if res.errors else Level.OK
                self.app.call_from_thread(self.say, svc.recovered_text(res), level)

        self.run_worker(work, thread=True, group="audio-recover", exit_on_error=False)

    # -- devices ---------------------------------------------------------------------------
    def _load_devices(self) -> None:
        try:
            self.devices = svc.list_devices()
            self.device_error = ""
        except AudioUnavailable as e:
            self.devices = []
            self.device_error = str(e)
        self._show_device()

    def _device(self) -> Optional[InputDevice]:
        if not self.devices:
            return None
        try:
            return svc.current_device(self.app.store)
        except AudioUnavailable:
            return None

    def _show_device(self) -> None:
        fmt, notice = svc.audio_format(self.app.store)
        d = self._device()
        name = d.name if d else "[b red]нет[/b red]"
        text = f"Микрофон: [b]{name}[/b] · формат: [b]{fmt.upper()}[/b] 16 кГц моно"
        if notice:
            text += f"\n[yellow]{notice}[/yellow]"
        self.query_one("#audio-device", Static).update(text)

    def _need_device(self) -> Optional[InputDevice]:
        d = self._device()
        if d is None:
            self.say(self.device_error or NO_INPUT, Level.ERROR)
        return d

    def action_device(self) -> None:
        if self.session and self.session.running:
            self.say("Микрофон и формат меняют, когда запись остановлена (F5).", Level.WARNING)
            return
        try:
            self.devices = svc.refresh_devices()
            self.device_error = ""
        except AudioUnavailable as e:
            self.devices, self.device_error = [], str(e)
            self._show_device()
            self.say(str(e), Level.ERROR)
            return
        current = self.app.store.settings().audio_device or ""

        def chosen(dev: Optional[InputDevice]) -> None:
            if dev is not None:
                svc.choose_device(self.app.store, dev)
                self.say(f"Выбран микрофон: {dev.name}", Level.OK)
            self._show_device()

        self.app.push_screen(DevicePicker(self.devices, current), chosen)

    # -- rooms and participants -----------------------------------------------------------------
    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "audio-rooms" and event.option.id:
            if self.session and self.session.running and event.option.id != self.session.room:
                return  # the table keeps showing the room being recorded
            self.room = event.option.id
            self._fill_people()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "audio-rooms":
            self.query_one("#audio-people", DataTable).focus()

    def _fill_people(self) -> None:
        table = self.query_one("#audio-people", DataTable)
        keep = table.cursor_row
        table.clear()
        store = self.app.store
        log = {e.participant: e for e in store.all(RoomLogEntry)}
        people = [p for p in store.participants() if p.room == self.room and not p.absent]
        people.sort(key=seat_key)
        for p in people:
            e = log.get(p.guid)
            table.add_row(p.code or "—", p.short_fio,
                          e.start.strftime("%H:%M") if e and e.start else "",
                          e.end.strftime("%H:%M") if e and e.end else "", key=p.guid)
        if people:
            table.move_cursor(row=min(max(keep, 0), len(people) - 1))

    def _selected(self):
        table = self.query_one("#audio-people", DataTable)
        if table.row_count == 0:
            self.say("Выберите участника в таблице (в аудитории нет участников).", Level.WARNING)
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.app.store.participant(key)

    # -- test recording --------------------------------------------------------------------------
    def action_test(self) -> None:
        if self.session and self.session.running:
            self.say("Во время записи аудитории проверка не нужна: смотрите на индикатор.",
                     Level.WARNING)
            return
        if self.still_busy():
            return
        dev = self._need_device()
        if dev is None:
            return
        folder = self.app.store.dir("audio") / "test"
        seconds, room = self.test_seconds, self.room
        self.run_job(lambda job: svc.capture_check(
            folder, dev, seconds, room,
            progress=lambda f, rms, peak: job.on_ui(self._check_progress, f, rms, peak)),
            busy=f"идёт проверочная запись {seconds:g} с — говорите обычным голосом",
            done=self._check_done, failed=self._check_failed)

    def _check_failed(self, e: BaseException, message: str) -> str:
        self._status("")
        return message

    def _check_progress(self, frac: float, rms: float, peak: float) -> None:
        self.query_one("#audio-meter", LevelMeter).set_levels(rms, peak, True)
        self._status(f"[b]Проверочная запись[/b]: {frac * 100:.0f} % — говорите обычным голосом")

    def _check_done(self, res: svc.CheckResult) -> Note:
        self.last_check = res
        svc.remember_check(self.app.store, res, self.room)
        a = res.analysis
        meter = self.query_one("#audio-meter", LevelMeter)
        meter.set_levels(a.rms_db, a.peak_db, True)
        self._report_saved({**a.as_dict(), "at": "F4 — прослушать"}, title="Проверка")
        self._status(f"Проверка: [b]{a.verdict.label}[/b]. F4 — прослушать.")
        return Note(Level.OK if a.verdict.value == "good" else Level.WARNING,
                    f"Проверка: {a.verdict.label}")

    def _report_saved(self, d: dict, title: str = "Последняя проверка") -> None:
        """The verdict and the measured levels, compact enough for 80 columns."""
        from ..audio.quality import Verdict

        v = Verdict(d.get("verdict", "quiet"))
        colour = "green" if v.value == "good" else "red"
        self.query_one("#audio-report", Static).update(
            f"{title}:\n[b {colour}]{v.label.upper()}[/]\n"
            f"RMS      {d.get('rms_db', 0):6.1f} дБFS\n"
            f"пик      {d.get('peak_db', 0):6.1f} дБFS\n"
            f"голос    {d.get('active_db', 0):6.1f} дБFS\n"
            f"шум      {d.get('noise_floor_db', 0):6.1f} дБFS\n"
            f"запас    {d.get('snr_db', 0):6.1f} дБ\n"
            f"клиппинг {d.get('clip_ratio', 0) * 100:6.2f} %\n"
            f"[dim]{d.get('at', '')}[/dim]")

    def action_play(self) -> None:
        if self.last_check is None:
            self.say("Сначала сделайте проверочную запись (F3).", Level.WARNING)
            return
        try:
            svc.play(self.last_check.samples, self.last_check.samplerate)
            self.say(f"Воспроизведение {self.last_check.analysis.seconds:.0f} с…")
        except AudioUnavailable as e:
            self.say(f"{e}\nФайл: {self.last_check.path}", Level.ERROR)

    # -- the room's stream --------------------------------------------------------------------------
    def action_record(self) -> None:
        s = self.session
        if s and s.running:
            self._stop_session()
            return
        if self.still_busy():
            return
        if not self.room:
            self.say("Нет аудиторий: сначала задайте аудитории (F3 на главном экране).", Level.ERROR)
            return
        dev = self._need_device()
        if dev is None:
            return
        ok, rec = self.attempt(svc.RoomRecording, self.app.store, self.room,
                               device=str(dev.index), seconds=self.record_seconds)
        if not ok or not self.attempt(rec.start)[0]:
            return
        self.session = rec
        self.say(f"Запись аудитории {self.room} начата." + (f" {rec.notice}" if rec.notice else ""),
                 Level.WARNING if rec.notice else Level.OK)
        self._tick()

    def _stop_session(self) -> None:
        s = self.session
        if s is None or self.busy:
            return
        self.run_job(lambda job: s.halt(), busy="останавливается запись: дописываются последние секунды",
                     done=lambda _: self._stopped(s))

    def _stopped(self, s: svc.RoomRecording) -> str:
        self._apply_notes(s.finish())
        st = s.status()
        self._tick()
        return f"Запись аудитории {s.room} остановлена: {_hms(st.elapsed)}, файлов: {st.segments}."

    def action_personal(self) -> None:
        s = self.session
        if s is None or not s.running:
            self.say("Сначала начните запись аудитории (F5), затем персональную (F6).", Level.WARNING)
            return
        p = self._selected()
        if p is None:
            return
        if s.personal is not None and s.personal.guid == p.guid:
            s.personal_stop()
            self.say(f"Персональная запись {p.short_fio}: стоп.")
        else:
            s.personal_start(p)
            self.say(f"Персональная запись {p.short_fio}: старт.")
        self._tick()

    def action_import_files(self) -> None:
        from .audio_import import AudioImportScreen

        self.app.push_screen(AudioImportScreen())

    def action_clip(self) -> None:
        if self.still_busy():
            return
        p = self._selected()
        if p is None:
            return
        ok, plan = self.attempt(svc.plan_clip, self.app.store, p.guid)
        if not ok:
            return
        self._status(f"Вырезается фрагмент {plan.start:%H:%M:%S}–{plan.end:%H:%M:%S}…")
        self.run_job(lambda job: svc.execute_clip(plan), busy="вырезается фрагмент",
                     done=lambda res: self._clip_done(res, plan))

    def _clip_done(self, res, plan: svc.ClipPlan) -> Note:
        self._status(f"Фрагмент ({plan.source}): {res.seconds:.0f} с → audio/clips/{res.path.name}")
        if res.missing_seconds > 0.05:
            return Note(Level.WARNING, f"Фрагмент сохранён: {res.path.name}; "
                                       f"{res.missing_seconds:.0f} с этого времени в записи нет (тишина).")
        return Note(Level.OK, f"Фрагмент сохранён: {res.path.name}")

    # -- the live view -------------------------------------------------------------------------------
    def _status(self, text: str) -> None:
        self.query_one("#audio-status", Static).update(text)

    def _apply_notes(self, notes: list[Note]) -> None:
        for n in notes:
            self.say_note(n)
            if n.level.loud:
                self.app.bell()
        if notes:
            self._fill_people()  # a personal recording wrote its times into ИС-02

    def _disk_text(self) -> str:
        """Free disk in hours of recording per room, re-read every few seconds."""
        import time

        now = time.monotonic()
        if now - getattr(self, "_disk_at", -1e9) > 5:
            self._disk_at = now
            self._disk = svc.disk_hours(self.app.store).text
        return self._disk

    def _tick(self) -> None:
        s = self.session
        alert = self.query_one("#audio-alert", Static)
        meter = self.query_one("#audio-meter", LevelMeter)
        if s is None:
            if not self.busy and self.last_check is None:
                self._status(self.device_error and f"[b red]{self.device_error}[/b red]" or
                             "Запись не идёт. F5 — начать запись выбранной аудитории; "
                             "F9 — загрузить записи с диктофона или телефона.\n"
                             + self._disk_text())
            alert.update("")
            alert.set_class(bool(self.device_error), "-loud")
            if self.device_error:
                alert.update("НЕТ УСТРОЙСТВА ЗАПИСИ")
            meter.set_class(bool(self.device_error), "-alert")
            return
        if not s.running and not s.finished and not self.busy:
            self._apply_notes(s.finish())  # a timed recording ended by itself
        else:
            self._apply_notes(s.poll())
        st = s.status()
        meter.set_levels(st.rms_db, st.peak_db, st.recording)
        state = "[b red]● ЗАПИСЬ[/b red]" if st.recording else "[b]■ остановлена[/b]"
        line1 = (f"{state} ауд. {st.room} · [b]{_hms(st.elapsed)}[/b] · файлов: {st.segments}"
                 + (f" · диск: ≈{st.hours_left:.0f} ч на ауд." if st.hours_left != float("inf") else " · диск: ?"))
        line2 = f"Потеряно блоков: {st.dropped} · переполнений устройства: {st.overflows}"
        if st.personal:
            line2 += f" · [b]персональная: {st.personal}[/b]"
        self._status(line1 + "\n" + line2)
        loud = st.warnings
        alert.update("\n".join(loud))
        alert.set_class(bool(loud), "-loud")
        meter.set_class(bool(loud), "-alert")
