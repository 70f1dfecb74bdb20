"""The criteria grid of a protocol ИС-03 with live subtotals, total and result.

It renders a services.entry.EntryState and forwards digits to it: a valid digit fills the
criterion and moves on, an impossible one is refused with the allowed range. The totals are
the state's result() (domain.scoring.score), recomputed on every key.
"""
from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from ..domain.models import ProtocolStatus
from ..services.entry import EntryState

CELL = 3


class CriteriaGrid(Widget, can_focus=True):
    DEFAULT_CSS = """
    CriteriaGrid {
        height: auto;
        width: 1fr;
        padding: 0 1;
        border: round $secondary;
    }
    CriteriaGrid:focus {
        border: round $accent;
    }
    """
    BINDINGS = [
        Binding("left", "left", "←", show=False),
        Binding("right", "right", "→", show=False),
        Binding("home", "home", "В начало", show=False),
        Binding("backspace", "backspace", "Стереть", show=False),
        Binding("delete", "clear", "Очистить", show=False),
    ]

    class Typed(Message):
        """A key was handled: accepted or refused (message in Russian)."""

        def __init__(self, accepted: bool, message: str) -> None:
            super().__init__()
            self.accepted = accepted
            self.message = message

    class Submit(Message):
        """Enter on the grid: save."""

    def __init__(self, state: EntryState | None = None, **kw) -> None:
        super().__init__(**kw)
        self.state = state

    def set_state(self, state: EntryState | None) -> None:
        self.state = state
        self.refresh(layout=True)  # an ОВЗ protocol has one more line

    # -- keys --------------------------------------------------------------
    def on_key(self, event) -> None:
        if self.state is None:
            return
        ch = event.character
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            if self.state.enter():  # from the variant to the criteria: handled here, at once
                self._moved()
            else:
                self.post_message(self.Submit())
            return
        if ch and ch.isprintable() and len(ch) == 1 and event.key not in ("space",):
            event.stop()
            event.prevent_default()
            out = self.state.type_digit(ch)
            self.refresh()
            self.post_message(self.Typed(out.accepted, out.message))

    def _moved(self) -> None:
        self.refresh()
        self.post_message(self.Typed(True, ""))

    def action_left(self) -> None:
        if self.state:
            self.state.left()
            self._moved()

    def action_right(self) -> None:
        if self.state:
            self.state.right()
            self._moved()

    def action_home(self) -> None:
        if self.state:
            self.state.home()
            self._moved()

    def action_backspace(self) -> None:
        if self.state:
            self.state.backspace()
            self._moved()

    def action_clear(self) -> None:
        if self.state:
            self.state.clear_current()
            self._moved()

    # -- drawing -------------------------------------------------------------
    def render(self) -> Text:
        st = self.state
        if st is None:
            return Text("Выберите участника: номер в списке аудитории или начало фамилии, Enter.",
                        style="dim")
        sch = st.scheme
        codes = st.codes
        task_of = {c.code: c.task for c in sch.criteria}
        present = st.status is ProtocolStatus.PRESENT

        def sep(i: int) -> str:
            return "│" if i + 1 < len(codes) and task_of[codes[i]] != task_of[codes[i + 1]] else ""

        var = Text()
        var.append("Вариант ")
        vtext = f"{st.variant or ' '}"
        if st.on_variant and self.has_focus:
            var.append(f" {vtext:<4} ", style="reverse bold")
        elif st.on_variant:
            var.append(f" {vtext:<4} ", style="underline bold")
        else:
            var.append(f" {vtext:<4} ", style="bold")
        if st.on_variant:
            var.append(" Enter — к баллам", style="dim")
        head = Text()
        maxes = Text()
        vals = Text()
        for i, code in enumerate(codes):
            scored = st.scored(code)
            head.append(f"{code:^{CELL}}", style="bold" if scored else "dim strike")
            maxes.append(f"{'/' + str(st.max_of(code)) if scored else '':^{CELL}}", style="dim")
            v = st.scores.get(code)
            if not scored:
                cell, style = "×", "dim"
            elif not present:
                cell, style = "–", "dim"
            elif v is None:
                cell, style = "·", ""
            else:
                cell, style = str(v), "bold"
            if present and st.cursor == i and self.has_focus:
                style = "reverse bold"
            elif present and st.cursor == i:
                style = "underline bold"
            vals.append(f"{cell:^{CELL}}", style=style)
            for t in (head, maxes, vals):
                t.append(sep(i), style="dim")
        res = st.result()
        subs = Text()
        wide = self.size.width >= 70
        for sub in sch.subtotals:
            smax = sch.subtotal_max(sub, st.category)
            subs.append(f"{sub.name}: " if wide else f"{sub.code}: ", style="dim")
            subs.append(f"{res.subtotals.get(sub.code, 0)}/{smax}", style="bold")
            subs.append("  ")
        total = Text()
        total.append("Итого: ")
        total.append(f"{res.total}/{res.max}", style="bold")
        total.append(f"  зачёт от {res.pass_min}  ", style="dim")
        if not present:
            total.append(st.status.label.upper(), style="bold yellow")
        elif res.passed is True:
            total.append("ЗАЧЁТ", style="bold green")
        elif res.passed is False:
            total.append("НЕЗАЧЁТ", style="bold red")
        else:
            total.append(f"не заполнено: {len(res.missing)}", style="yellow")
        lines = [var, head, maxes, vals, subs, total]
        skipped = [c for c in codes if not st.scored(c)]
        if skipped:
            lines.append(Text("× не оцениваются: " + " ".join(skipped), style="dim"))
        return Text("\n").join(lines)
