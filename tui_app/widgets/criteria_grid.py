"""The criteria grid of a protocol ИС-03 with live subtotals, total and result.

It renders a services.entry.EntryState and forwards digits to it: a valid digit fills the
criterion and moves on, an impossible one is refused with the allowed range. The totals are
the state's result() (domain.scoring.score), recomputed on every key.
"""
from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widget import Widget

from ..domain.layout import LATIN_KEYS
from ..domain.models import ProtocolStatus
from ..services.entry import EntryState

CELL = 3
BINDING = "\x00binding"  # a pending item that is a screen's key, not one of the grid's


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
    GRID_KEYS = {"enter", "backspace", "delete", "left", "right", "home", "escape"}

    class Typed(Message):
        """A key was handled: accepted or refused (message in Russian)."""

        def __init__(self, accepted: bool, message: str) -> None:
            super().__init__()
            self.accepted = accepted
            self.message = message

    class Mismatch(Message):
        """A digit differs from the first pass (a second pass that halts): the grid holds
        every further key until the screen calls resume()."""

        def __init__(self, code: str, first: int, second: int) -> None:
            super().__init__()
            self.code, self.first, self.second = code, first, second

    class Submit(Message):
        """Enter on the criteria: save. The screen answers with set_state() (the next
        participant) or cancel_pending() (not saved)."""

    class PickChanged(Message):
        """The participant search text changed (pick mode)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class PickSubmit(Message):
        """Enter in pick mode: choose the participant matching `text`. The screen answers
        with set_state() or cancel_pending()."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, state: EntryState | None = None, **kw) -> None:
        super().__init__(**kw)
        self.state = state
        # Every key of the entry is typed into this one focused widget: the participant
        # search (pick mode), the variant and the criteria. Keys that arrive while the screen
        # is still handling an Enter (choosing, saving) are kept and replayed on the next
        # protocol, so a fast burst (number, Enter, variant, Enter, 13 digits, Enter, …) never
        # loses or misplaces a key.
        self.pick_mode = state is None
        self.pick_text = ""
        self.awaiting = False
        self.pending: list[tuple[str, str | None]] = []
        self.epoch = 0  # how many times keys were dropped (cancel_pending): see feed()

    # -- driven by the screen ------------------------------------------------------
    def start_pick(self) -> None:
        self.pick_mode = True
        self.pick_text = ""
        self.post_message(self.PickChanged(""))
        self.refresh()

    def stop_pick(self) -> None:
        self.pick_mode = False
        self.pick_text = ""
        self.refresh()

    def set_state(self, state: EntryState | None) -> None:
        self.state = state
        self.pick_mode = state is None
        self.pick_text = ""
        self.awaiting = False
        self.refresh(layout=True)  # an ОВЗ protocol has one more line
        self._replay()

    def cancel_pending(self) -> int:
        """The Enter being handled failed: drop the keys typed after it."""
        dropped = len(self.pending)
        self.epoch += 1
        self.awaiting = False
        self.pending = []
        self.refresh()
        return dropped

    def resume(self) -> int:
        """The halt is decided: go on; keys typed after the differing digit are dropped (the
        typist looks at the paper again from there). Returns how many were dropped."""
        return self.cancel_pending()

    def _replay(self) -> None:
        pending, self.pending = self.pending, []
        for i, (key, ch) in enumerate(pending):
            if self.awaiting:
                self.pending.append((key, ch))
            elif key == BINDING:  # a screen's key (F4 …) typed while an Enter was handled
                if not self._run_binding(ch):  # an async action: the rest waits for it
                    self.pending = pending[i + 1:]
                    return
            else:
                self._handle(key, ch)

    def _run_binding(self, pressed: str, active=None) -> bool:
        """Run the screen's binding of a key in its turn, before the keys typed after it
        (they are replayed when its action is done); `active`: its ActiveBinding, if already
        looked up. False: the rest waits."""
        active = active or self.screen.active_bindings.get(pressed)
        if active is None:
            return True
        self.awaiting = True

        async def run() -> None:
            await self.app.run_action(active.binding.action, active.node)
            self.awaiting = False
            self._replay()

        self.call_later(run)
        return False

    # -- keys ------------------------------------------------------------------------
    def on_key(self, event) -> None:
        if self._take(event.key, event.character):
            event.stop()
            event.prevent_default()

    def feed(self, keys: list[tuple[str, str | None]], epoch: int) -> None:
        """Keys typed for this grid that another widget had first (the namesakes' list,
        widgets/typeahead.py), in the order typed: each handled as if typed here, a screen's
        key (F4, Esc, …) in its turn. Dropped if keys were dropped since `epoch` (a refused
        choice: what was typed after it must not land on anyone)."""
        if epoch != self.epoch:
            return
        for key, ch in keys:
            self._take(key, ch)  # a screen's key runs its binding in its turn (an async one
            # makes the keys after it wait in `pending`)

    def _take(self, key: str, ch: str | None) -> bool:
        """A key of the grid, or a screen's key with a binding (F4, Esc, …): handled now, or
        kept while an Enter is handled (True); False — a key nobody here has a use for."""
        printable = bool(ch) and len(ch) == 1 and ch.isprintable() and key != "space"
        screens = key not in self.GRID_KEYS and not printable and not (self.pick_mode and key == "space")
        screens = screens or (key == "escape" and not (self.pick_mode and self.state is not None))
        if screens:  # F-keys, Esc, Tab, …: the screen's — in their turn, before the keys after them
            active = self.screen.active_bindings.get(key)
            if active is None:
                return False
            if self.awaiting:  # after the keys still waiting
                self.pending.append((BINDING, key))
            else:  # now: left to bubble up to the app, its binding would run after the keys
                self._run_binding(key, active)  # typed after it (F4 after the next name's Enter)
            return True
        if self.awaiting:
            self.pending.append((key, ch))
        else:
            self._handle(key, ch)
        return True

    def _handle(self, key: str, ch: str | None) -> None:
        if self.pick_mode or self.state is None:
            self._pick_key(key, ch)
            return
        st = self.state
        if key == "enter":
            if st.enter():  # from the variant to the criteria: handled here, at once
                self._moved()
            else:
                self.awaiting = True
                self.post_message(self.Submit())
        elif key == "left":
            st.left()
            self._moved()
        elif key == "right":
            st.right()
            self._moved()
        elif key == "home":
            st.home()
            self._moved()
        elif key == "backspace":
            st.backspace()
            self._moved()
        elif key == "delete":
            st.clear_current()
            self._moved()
        elif ch:
            out = st.type_digit(ch)
            self.refresh()
            if out.mismatch:
                self.awaiting = True
                self.post_message(self.Mismatch(*out.mismatch))
            else:
                self.post_message(self.Typed(out.accepted, out.message))

    def _pick_key(self, key: str, ch: str | None) -> None:
        if key == "enter":
            self.awaiting = True
            self.post_message(self.PickSubmit(self.pick_text))
            return
        if key == "backspace":
            self.pick_text = self.pick_text[:-1]
        elif key == "escape":
            self.stop_pick()
        elif ch and len(ch) == 1 and (ch.isalnum() or ch in "- ." or ch in LATIN_KEYS) \
                and len(self.pick_text) < 40:
            self.pick_text += ch
        else:
            return
        self.post_message(self.PickChanged(self.pick_text))

    def _moved(self) -> None:
        self.refresh()
        self.post_message(self.Typed(True, ""))

    # -- drawing -------------------------------------------------------------
    def render(self) -> Text:
        st = self.state
        if st is None:
            return Text("Выберите участника: номер в списке аудитории, фамилия (можно с "
                        "инициалами) или код участника, Enter.", style="dim")
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
