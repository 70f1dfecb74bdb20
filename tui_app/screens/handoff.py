"""F9 «Передача в МСУ»: choose the stick, copy with a progress bar, verify, report."""
from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Header, Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from ..services import drives as drives_service
from ..services import handoff as handoff_service
from ..widgets.status_line import StatusLine
from .dialogs import Confirm
from .jobs import JobScreen


class HandoffScreen(JobScreen):
    HELP_TITLE = "Передача в МСУ"
    HELP = """\
**Передача в МСУ** — запись файлов на флешку для муниципалитета.

На флешку в одну папку с датой (например `IS_470123_2027-02-10`) копируются:
последний файл результатов **B2P** (папка export), **аудиозаписи** всех аудиторий,
**бланки и акты** (ИС-02, ИС-03, ИС-04, ИС-08, ИС-09), и файл контрольных сумм
**SHA256SUMS**.

1. Вставьте флешку. Она появится в списке (F5 — обновить список).
   Стрелками выберите её и нажмите **Enter** — путь попадёт в поле ниже.
   Можно ввести любую папку вручную.
2. Нажмите **F9** (или Enter в поле пути) — начнётся копирование.
3. После копирования каждый файл читается с флешки и сверяется с оригиналом.
   Надпись **«Готово»** появляется только если всё совпало.

**F6** — добавить сканы подписанных ИС-02/ИС-03 (PDF/JPEG из папки), если регион требует
ведомости в электронном виде: они идут на флешку в папке scans.

Если места мало — копирование не начинается. Если флешку вынули или она
неисправна — передача **не выполнена**: вставьте флешку (или другую) и повторите.
В МСУ проверить флешку можно командой `sha256sum -c SHA256SUMS` в этой папке.
"""
    BINDINGS = JobScreen.BINDINGS + [
        Binding("f9", "start", "Копировать", id="handoff-start"),
        Binding("f5", "refresh_drives", "Обновить диски", id="handoff-refresh"),
        Binding("f6", "scans", "Сканы", id="handoff-scans"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._drives: list[drives_service.Drive] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="handoff-body"):
            yield Static(id="handoff-plan")
            yield Static("Съёмные диски (Enter — выбрать):", classes="handoff-label")
            yield OptionList(id="handoff-drives")
            yield Input(placeholder="папка назначения, например E:\\ или /media/user/FLASH",
                        id="handoff-path")
            yield ProgressBar(total=1000, show_eta=False, id="handoff-bar")
            yield Static("Выберите носитель и нажмите F9 — копирование с проверкой.",
                         id="handoff-progress")
            yield StatusLine(id="handoff-result")
        yield Footer()

    def on_mount(self) -> None:
        self._show_plan()
        self.action_refresh_drives()
        self.set_interval(2.0, self._poll_drives)
        if self._drives:
            self.query_one("#handoff-drives", OptionList).focus()
        else:  # nothing to choose from: straight to typing a folder
            self.query_one("#handoff-path", Input).focus()

    def _show_plan(self) -> None:
        plan = handoff_service.plan_for(self.app.store)
        self._plan = plan
        b2p = next((i.rel for i in plan.items if i.kind == "b2p"), None)
        lines = [
            f"Папка на носителе: [b]{plan.folder}[/b]",
            f"Результаты B2P: {b2p or '[red]нет[/red]'} · аудио: {plan.count('audio')} · "
            f"бланки и акты: {plan.count('forms')}"
            + (f" · сканы: {plan.count('scans')}" if plan.count("scans") else "") + " · всего "
            f"[b]{handoff_service.format_size(plan.total)}[/b]",
        ]
        lines += [f"[yellow]⚠ {w}[/yellow]" for w in plan.warnings]
        lines += [f"[b red]? {q}[/b red]" for q in plan.questions]
        self.query_one("#handoff-plan", Static).update("\n".join(lines))

    def action_scans(self) -> None:
        if self.busy:
            return
        from .scans import ScansDialog

        self.app.push_screen(ScansDialog(), lambda _added: self._show_plan())

    def action_refresh_drives(self) -> None:
        if self.busy:
            return
        self._drives = drives_service.removable_drives()
        ol = self.query_one("#handoff-drives", OptionList)
        ol.clear_options()
        if self._drives:
            ol.add_options([Option(d.title, id=str(i)) for i, d in enumerate(self._drives)])
            if not self.query_one("#handoff-path", Input).value:
                self.query_one("#handoff-path", Input).value = str(self._drives[0].path)
        else:
            ol.add_option(Option("Съёмные диски не найдены — вставьте флешку и нажмите F5, "
                                 "или введите папку ниже", disabled=True))

    def _poll_drives(self) -> None:
        """A stick plugged in (or pulled) while the screen is open shows up by itself."""
        if self.busy:
            return
        now = [d.path for d in drives_service.removable_drives()]
        if now != [d.path for d in self._drives]:
            self.action_refresh_drives()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is None or self.busy:
            return
        d = self._drives[int(event.option.id)]
        inp = self.query_one("#handoff-path", Input)
        inp.value = str(d.path)
        inp.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_start()

    def action_start(self) -> None:
        if self.busy:
            return
        target = self.query_one("#handoff-path", Input).value.strip()
        if not target:
            self.say("Выберите флешку в списке или введите папку.", "error")
            return
        self._show_plan()
        if self._plan.questions:  # the seeds' materials are missing: ask before going on
            def answer(yes: bool | None) -> None:
                if yes:
                    self._copy(target)

            self.app.push_screen(Confirm(" ".join(self._plan.questions),
                                         "Enter — передать всё равно", "Esc — отмена"), answer)
            return
        self._copy(target)

    def _copy(self, target: str) -> None:
        plan, dest = self._plan, Path(target).expanduser()
        self.run_job(
            lambda job: handoff_service.execute(
                plan, dest, progress=lambda p: job.on_ui(self._on_progress, p),
                cancel=job.cancelled),
            busy=f"идёт передача в {target}; не вынимайте флешку", done=self._on_done,
            failed=lambda e, msg: msg if isinstance(e, handoff_service.HandoffError)
            else f"Передача НЕ выполнена: {msg}")

    def _on_progress(self, p: handoff_service.Progress) -> None:
        self.query_one("#handoff-bar", ProgressBar).update(progress=int(p.fraction * 1000))
        self.query_one("#handoff-progress", Static).update(p.text)

    def _on_done(self, res: handoff_service.Result) -> str:
        handoff_service.record_done(self.app.store, res)  # the store: on the UI thread
        self.query_one("#handoff-bar", ProgressBar).update(progress=1000)
        return res.message
