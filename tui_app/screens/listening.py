"""The expert's listening station (the second scheme) and the blind re-check: pick a
participant, hear exactly their answer, score it on the ИС-03 grid — all from the keyboard."""
from __future__ import annotations

from typing import Optional

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ..audio.devices import AudioUnavailable
from ..audio.player import Player
from ..domain.models import Participant, ProtocolStatus
from ..errors import ShtabError, user_message
from ..services import listening as ls
from ..services.protocols import ProtocolRejected
from ..widgets.criteria_grid import CriteriaGrid
from ..widgets.level_meter import LevelMeter
from .base import BaseScreen

SKIP_SHORT, SKIP_LONG = 5.0, 30.0


def clock(seconds: float) -> str:
    s = int(max(0, seconds))
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def bar(done: float, total: float, width: int = 24) -> str:
    n = int(round(width * (done / total))) if total > 0 else 0
    return "█" * n + "─" * (width - n)


class CompareScreen(ModalScreen[bool]):
    """The first protocol beside the re-check: Enter — write the outcome into the application."""

    BINDINGS = [Binding("enter,f2", "record", "Записать итог", id="cmp-record"),
                Binding("escape", "close", "Закрыть", id="cmp-close")]

    def __init__(self, cmp_: ls.Comparison) -> None:
        super().__init__()
        self.cmp = cmp_

    def compose(self) -> ComposeResult:
        c = self.cmp
        lines = [f"[b]Сравнение: {escape(c.participant.short_fio)}[/b]",
                 f"первая проверка: {escape(c.first_expert or '—')} · повторная: {escape(c.second_expert or '—')}",
                 "критерий   первая  повторная"]
        for r in c.rows:
            mark = "" if r.same else "  [b red]≠[/b red]"
            lines.append(f"{r.code:<10} {r.first:>6}  {r.second:>9}{mark}")
        lines.append(f"[b]{escape(c.outcome)}[/b]")
        with Vertical(id="cmp-box"):
            yield Static("\n".join(lines), id="cmp-text")
            yield Static("Enter — записать итог в заявление · Esc — закрыть", classes="hint")

    def action_record(self) -> None:
        self.dismiss(True)

    def action_close(self) -> None:
        self.dismiss(False)


class ListeningScreen(BaseScreen):
    MODE = ls.SCORE
    HELP_TITLE = "Прослушивание и оценивание (вторая схема)"
    HELP = """\
**Вторая схема**: эксперт оценивает ответ после собеседования, прослушивая аудиозапись
(seed 004, п. 11.4). Программа вырезает из потоковой записи аудитории ответ выбранного
участника по времени ведомости ИС-02 (или по меткам) и играет ровно его.

1. Наберите **фамилию** (можно начало) или **код участника**, Enter. Если таких несколько —
   выберите стрелками и Enter.
2. **Пробел** или **F5** — слушать / пауза. **Ctrl+←/→** — назад / вперёд на 5 с,
   **PageUp / PageDown** — на 30 с. **F3 / F2** — к началу следующего / текущего задания
   (по меткам), **F9** — отметить здесь начало очередного задания. **F6 / F7** — медленнее /
   быстрее (0,75–1,5×, высота голоса не меняется).
3. Баллы — цифрами в сетке ИС-03, как при вводе протоколов; итоги считаются сразу.
   **Enter** — сохранить. Протокол сохраняется как «схема 2, по аудиозаписи».

Нет колонок или наушников — программа скажет об этом; оценивать всё равно можно.
- **Ctrl+F** — другой участник, **Tab** — к полю «Эксперт».
- **F8** — повторная проверка (вслепую, вторым экспертом).
"""
    BINDINGS = BaseScreen.BINDINGS + [
        Binding("space", "toggle", "Пуск/пауза", id="toggle", show=False),
        Binding("f5", "toggle", "Пуск/пауза", id="play"),
        Binding("ctrl+left", "skip(-5)", "−5 с", id="back5", show=False),
        Binding("ctrl+right", "skip(5)", "+5 с", id="fwd5", show=False),
        Binding("pageup", "skip(-30)", "−30 с", id="back30", show=False),
        Binding("pagedown", "skip(30)", "+30 с", id="fwd30", show=False),
        Binding("f3", "task(1)", "Задание→", id="task_next"),
        Binding("f2", "task(0)", "←Задание", id="task_prev"),
        Binding("f9", "mark", "Метка", id="mark"),
        Binding("f6", "speed(-1)", "Медл.", id="slower"),
        Binding("f7", "speed(1)", "Быстр.", id="faster"),
        Binding("f4,ctrl+f", "pick", "Участник", id="pick"),
        Binding("f8", "other_mode", "Перепроверка", id="other_mode"),
    ]

    def __init__(self, participant: Optional[str] = None) -> None:
        super().__init__()
        self.initial = participant
        self.mode = self.MODE
        self.state = None
        self.plan: Optional[ls.AnswerPlan] = None
        self.answer: Optional[ls.Answer] = None
        self.player: Optional[Player] = None
        self.marks: list[ls.TaskMark] = []
        self.choices: list[Participant] = []
        self.sound_note = ""
        self.saved = 0

    # -- layout ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="ls-body"):
            with Horizontal(classes="ls-row"):
                yield Label("Участник", classes="ls-label")
                yield Input(placeholder="фамилия или код участника, Enter", id="ls-who")
            yield OptionList(id="ls-choices")
            yield Static(id="ls-person")
            yield Static(id="ls-source")
            yield Static(id="ls-clock")
            yield Static(id="ls-tasks")
            yield LevelMeter(id="ls-meter")
            yield CriteriaGrid(id="ls-grid")
            with Horizontal(classes="ls-row"):
                yield Label("Эксперт", classes="ls-label")
                yield Input(id="ls-expert")
            yield Static(id="ls-msg")
        yield Footer()

    def on_mount(self) -> None:
        recheck = self.mode == ls.RECHECK
        self.title = ("Повторная проверка по аудиозаписи (вслепую)" if recheck
                      else "Прослушивание и оценивание · вторая схема")
        self.query_one("#ls-choices", OptionList).display = False
        self.query_one(CriteriaGrid).state = None
        self.set_interval(0.1, self._tick)
        self._tick()
        if recheck:
            people = ls.recheck_people(self.app.store)
            self._msg(f"Заявлений на повторную проверку: {len(people)}. Первые баллы не "
                      "показываются до сохранения повторной проверки." if people else
                      "Заявлений на повторную проверку нет (is-shtab recheck КОД --applied ДАТА).",
                      "" if people else "warning")
        if self.initial:
            p = self.app.store.participant(self.initial)
            if p is not None:
                self.choose(p)
                return
        self.query_one("#ls-who", Input).focus()

    def action_other_mode(self) -> None:
        """The scoring station ↔ the blind re-check (one menu entry, two modes)."""
        self._stop_player()
        other = ListeningScreen if self.mode == ls.RECHECK else RecheckScreen
        self.app.switch_screen(other())

    def on_unmount(self) -> None:
        self._stop_player()

    # -- who -----------------------------------------------------------------------------
    def _people(self) -> list[Participant]:
        store = self.app.store
        return ls.recheck_people(store) if self.mode == ls.RECHECK else store.participants()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "ls-who":
            self._lookup(event.value)
        elif event.input.id == "ls-expert":
            self.query_one(CriteriaGrid).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "ls-expert" and self.state is not None:
            self.state.expert = event.value

    def _lookup(self, text: str) -> None:
        found = ls.find_people(self._people(), text)
        if not found:
            self.app.bell()
            where = " среди заявлений на повторную проверку" if self.mode == ls.RECHECK else ""
            self._msg(f"Участник «{text.strip()}» не найден{where}: наберите фамилию или код.", "error")
            return
        if len(found) == 1:
            self.choose(found[0])
            return
        self.choices = found
        ol = self.query_one("#ls-choices", OptionList)
        ol.clear_options()
        for i, p in enumerate(found, 1):
            ol.add_option(Option(f"{i}. {ls.participant_line(p, ls.room_scheme(self.app.store, p))}", id=p.guid))
        ol.display = True
        ol.highlighted = 0
        ol.focus()
        self._msg(f"«{text.strip()}»: участников {len(found)} — выберите стрелками и Enter.")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        p = next((p for p in self.choices if p.guid == event.option.id), None)
        self.query_one("#ls-choices", OptionList).display = False
        if p is not None:
            self.choose(p)

    def action_pick(self) -> None:
        who = self.query_one("#ls-who", Input)
        who.value = ""
        who.focus()

    def choose(self, p: Participant) -> None:
        store = self.app.store
        self._stop_player()
        self.answer = None
        self.marks = []
        if p.absent:
            self.app.bell()
            self._msg(f"{p.short_fio} отмечен «Н» (не явился): ответа нет.", "warning")
            return
        st = ls.start_state(store, p, self.mode, expert=self.query_one("#ls-expert", Input).value
                            if self.mode == ls.RECHECK else "")
        self.state = st
        self.query_one("#ls-who", Input).value = f"{p.short_fio} ({p.code})" if p.code else p.short_fio
        self.query_one("#ls-expert", Input).value = st.expert
        scheme_room = ls.room_scheme(store, p)
        self.query_one("#ls-person", Static).update(
            f"[b]{escape(p.fio)}[/b] · {escape(p.grade or 'класс —')} · ауд. {escape(p.room or '—')} · "
            f"код {escape(p.code or '—')} · [b]схема 2[/b]")
        grid = self.query_one(CriteriaGrid)
        grid.set_state(st)
        grid.focus()
        note = ""
        if scheme_room == 1 and self.mode == ls.SCORE:
            note = f"Аудитория {p.room} — по первой схеме; протокол будет записан как «схема 2, по аудиозаписи». "
        if st.existing:
            note += "Протокол уже сохранён: исправления попадут в журнал изменений."
        try:
            self.plan = ls.answer_audio(store, p.guid)
        except ShtabError as e:
            self.plan = None
            self.query_one("#ls-source", Static).update(f"[red]{escape(str(e))}[/red]")
            self._msg((note + " " if note else "") + "Записи нет — оценивать можно по бумаге; протокол "
                      "сохранится без отметки о прослушанной записи.", "warning")
            return
        self.marks = ls.task_marks(store, self.plan)
        self.query_one("#ls-source", Static).update(f"Запись: {escape(self.plan.text)} · загружается…")
        self._msg(note)
        plan = self.plan
        self.run_worker(lambda: self._load(plan), thread=True, group="ls-load", exclusive=True,
                        exit_on_error=False)

    def _load(self, plan: ls.AnswerPlan) -> None:
        try:
            answer = ls.load_answer(plan)
        except (ShtabError, OSError) as e:
            self.app.call_from_thread(self._load_failed, plan, user_message(e) or str(e))
            return
        self.app.call_from_thread(self._loaded, answer)

    def _load_failed(self, plan: ls.AnswerPlan, text: str) -> None:
        if plan is not self.plan:
            return
        self.query_one("#ls-source", Static).update(f"[red]{escape(text)}[/red]")

    def _loaded(self, answer: ls.Answer) -> None:
        if answer.plan is not self.plan:
            return  # another participant was chosen meanwhile
        self.answer = answer
        gap = f" · пропуски записи {answer.missing_seconds:.0f} с" if answer.missing_seconds >= 1 else ""
        self.query_one("#ls-source", Static).update(f"Запись: {escape(answer.plan.text)}{gap}")
        player = Player(answer.samples, answer.samplerate)
        try:
            player.open()
        except AudioUnavailable as e:
            self.sound_note = str(e)
            self._msg(f"{e} Оценивать можно: баллы сохраняются как обычно.", "warning")
        self.player = player
        self._tick()

    def _stop_player(self) -> None:
        p, self.player = self.player, None
        if p is not None:
            p.close()

    # -- playing -----------------------------------------------------------------------
    def _ready(self) -> Optional[Player]:
        if self.player is None:
            self.app.bell()
            self._msg("Сначала выберите участника: запись ещё не загружена." if self.answer is None
                      else "Запись загружается…", "warning")
            return None
        if not self.player.available:
            self.app.bell()
            self._msg(f"{self.sound_note} Оценивать можно.", "warning")
            return None
        return self.player

    def action_toggle(self) -> None:
        p = self._ready()
        if p is None:
            return
        try:
            p.toggle()
        except AudioUnavailable as e:
            self._msg(str(e), "error")
        self._tick()

    def action_skip(self, seconds: float) -> None:
        if self.player is None:
            self._ready()
            return
        self.player.skip(float(seconds))
        self._tick()

    def action_task(self, forward: int) -> None:
        if self.player is None:
            self._ready()
            return
        if not self.marks:
            self._msg("Меток заданий нет: F9 — отметить начало задания в текущем месте записи.", "warning")
            return
        m = ls.jump_target(self.marks, self.player.position, bool(forward))
        if m is None:
            m = self.marks[0] if not forward else None
        if m is None:
            self._msg("Дальше меток заданий нет.", "warning")
            return
        self.player.seek(m.seconds)
        self._msg(f"Задание {m.task}: {clock(m.seconds)}.")
        self._tick()

    def action_mark(self) -> None:
        if self.player is None or self.plan is None:
            self._ready()
            return
        at = self.player.position
        n = ls.next_task_to_mark(self.marks, at)
        ok, mark = True, None
        try:
            mark = ls.mark_task(self.app.store, self.plan, n, at)
        except (ShtabError, OSError) as e:
            ok = False
            self._msg(user_message(e) or str(e), "error")
        if ok and mark is not None:
            self.marks = ls.task_marks(self.app.store, self.plan)
            self._msg(f"Метка: задание {mark.task} начинается в {clock(mark.seconds)}.")
            self._tick()

    def action_speed(self, step: int) -> None:
        if self.player is None:
            self._ready()
            return
        sp = self.player.faster() if int(step) > 0 else self.player.slower()
        self._msg(f"Скорость ×{sp:.2f}".replace(".", ",") + " (высота голоса сохраняется).")
        self._tick()

    def _tick(self) -> None:
        p = self.player
        clock_box = self.query_one("#ls-clock", Static)
        meter = self.query_one(LevelMeter)
        if p is None:
            clock_box.update("[dim]► 00:00:00 / 00:00:00 — выберите участника[/dim]" if self.answer is None
                             else "")
            meter.set_levels(-100, -100, False)
        else:
            icon = "▶" if p.playing else "║"
            speed = f"×{p.speed:.2f}".replace(".", ",")
            sound = "" if p.available else " · [yellow]звук недоступен[/yellow]"
            clock_box.update(f"[b]{icon} {clock(p.position)}[/b] / {clock(p.duration)} · {speed} · "
                             f"{bar(p.position, p.duration)}{sound}")
            meter.set_levels(p.rms_db, p.peak_db, p.playing)
        tasks = " · ".join(f"{m.task}: {clock(m.seconds)}" for m in self.marks) or "меток нет (F9 — поставить)"
        self.query_one("#ls-tasks", Static).update(f"Задания: {tasks}")

    # -- scoring -----------------------------------------------------------------------
    def on_criteria_grid_typed(self, event: CriteriaGrid.Typed) -> None:
        if not event.accepted:
            self.app.bell()
            self._msg(event.message, "error")
        elif self.state and self.state.cursor is None and self.state.status is ProtocolStatus.PRESENT:
            self._msg("Все критерии заполнены: Enter — сохранить.")

    def on_criteria_grid_submit(self, event: CriteriaGrid.Submit) -> None:
        self.save()

    def on_criteria_grid_pick_submit(self, event: CriteriaGrid.PickSubmit) -> None:
        self.query_one(CriteriaGrid).cancel_pending()
        self.action_pick()

    def save(self) -> None:
        st = self.state
        grid = self.query_one(CriteriaGrid)
        if st is None:
            grid.cancel_pending()
            return
        st.expert = self.query_one("#ls-expert", Input).value
        try:
            res = ls.save_scores(self.app.store, st, self.plan if self.answer is not None else None, self.mode)
        except ProtocolRejected as e:
            grid.cancel_pending()
            self.app.bell()
            st.to_first_missing()
            grid.refresh()
            self._msg("Не сохранено: " + "; ".join(x.split(": ", 1)[-1] for x in e.problems), "error")
            return
        except (ShtabError, OSError) as e:
            grid.cancel_pending()
            self.app.bell()
            self._msg(f"Не сохранено: {user_message(e) or e}", "error")
            return
        self.saved += 1
        st.existing = True
        grid.set_state(st)
        p = st.participant
        result = st.status.label if st.status is not ProtocolStatus.PRESENT else f"{res.total} б., {res.result_label}"
        what = "повторная проверка" if self.mode == ls.RECHECK else "схема 2, по аудиозаписи"
        self._msg(f"[green]Сохранено:[/green] {escape(p.short_fio)} — {result} ({what}). "
                  "Ctrl+F — следующий участник.")
        if self.mode == ls.RECHECK:
            self._show_comparison(p.guid)

    def _show_comparison(self, guid: str) -> None:
        try:
            cmp_ = ls.compare(self.app.store, guid)
        except ShtabError as e:
            self._msg(str(e), "warning")
            return

        def done(record: Optional[bool]) -> None:
            if record:
                app = ls.record_outcome(self.app.store, guid)
                self._msg(f"[green]Итог записан в заявление:[/green] {escape(app.outcome)}.")

        self.app.push_screen(CompareScreen(cmp_), done)

    # -- messages ----------------------------------------------------------------------
    def _msg(self, text: str, kind: str = "") -> None:
        style = {"error": "red", "warning": "yellow"}.get(kind)
        self.query_one("#ls-msg", Static).update(f"[{style}]{text}[/{style}]" if style and text else text)


class RecheckScreen(ListeningScreen):
    MODE = ls.RECHECK
    HELP_TITLE = "Повторная проверка по аудиозаписи"
    HELP = """\
**Повторная проверка** (seed 004, п. 16): эксперт комиссии прослушивает аудиозапись ответа
участника, подавшего заявление, и оценивает его **вслепую** — баллы первой проверки не
показываются. Эксперт, оценивавший ответ в первый раз, к повторной проверке не допускается.

1. Наберите фамилию или код участника (только те, у кого принято заявление:
   `is-shtab recheck КОД --applied ДАТА`), Enter.
2. **Tab** — поле «Эксперт»: ФИО эксперта повторной проверки (обязательно).
3. Слушайте (Пробел, Ctrl+←/→, PageUp/PageDown, F2/F3/F9, F6/F7 — как при второй схеме) и
   ставьте баллы; **Enter** — сохранить.
4. После сохранения показывается сравнение с первой проверкой по каждому критерию и итогу;
   **Enter** — записать итог («результат не изменён» / «изменён») в заявление.

**F8** — назад к оцениванию по второй схеме.
"""
