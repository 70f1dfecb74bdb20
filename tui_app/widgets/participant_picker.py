"""The participant picker: type who is meant, get exactly that person (services/picker.py).

- `ChoiceList` — a short modal list when several participants match («ёлкин» with two Ёлкиных
  in the room): one line each with the class, the room and the code; arrows and Enter, or the
  line's number; Esc — back to typing.
- `ParticipantField` — a one-line field for forms that ask «who» (acts, …): Enter looks the
  text up; one match is chosen at once, several open the `ChoiceList`; the chosen person is
  shown under the field and announced with `ParticipantField.Picked`.
"""
from __future__ import annotations

from typing import Callable, Optional, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..domain.models import Participant
from ..services.picker import Found, find, label
from .typeahead import ReleaseKeys


class ChoiceList(ModalScreen[Optional[Participant]]):
    """«Несколько участников: выберите» — arrows and Enter, or the number; Esc — none.

    The list itself takes the keys (its lines are not focusable), so every key typed while it
    is up waits in this one queue; the keys typed after the choice, before it is gone, are
    kept in `early` and handed on by `pick` in their order (widgets/typeahead.py)."""

    BINDINGS = [Binding("escape", "cancel", "Отмена", id="choice-cancel")]
    DEFAULT_CSS = """
    ChoiceList { align: center middle; }
    ChoiceList > Vertical {
        width: 78; max-width: 100%; height: auto; max-height: 90%;
        border: thick $primary; background: $panel; padding: 0 1;
    }
    ChoiceList OptionList { height: auto; max-height: 15; }
    ChoiceList .choice-hint { color: $text-muted; }
    ChoiceList .choice-note { color: $warning; }
    """
    MOVES = {"up": "cursor_up", "down": "cursor_down", "pageup": "page_up",
             "pagedown": "page_down", "home": "first", "end": "last"}

    def __init__(self, found: Found, room_list: Optional[Sequence[Participant]] = None,
                 note: str = "") -> None:
        super().__init__()
        self.found = found
        self.note = note  # e.g. that the keys typed before the list was up were not taken
        self.people = list(found.people)
        self.room_list = room_list
        self._chosen = False
        self.early: list[tuple[str, Optional[str]]] = []  # typed after the choice, in order

    def compose(self) -> ComposeResult:
        with Vertical():
            head = f"«{self.found.text}»: участников {len(self.people)} — выберите"
            if self.found.hint:
                head += f" ({self.found.hint})"
            yield Static(head, classes="choice-title", markup=False)
            lines = OptionList(*[Option(f"{i}. {label(p, self.room_list)}", id=p.guid)
                                 for i, p in enumerate(self.people, 1)], id="choice-list")
            lines.can_focus = False  # the keys stay in this screen's queue, in their order
            yield lines
            yield Static("Стрелки и Enter или номер строки — выбрать · Esc — отмена",
                         classes="choice-hint")
            if self.note:
                yield Static(self.note, classes="choice-note", markup=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    def on_key(self, event) -> None:
        event.stop()
        event.prevent_default()
        if self._chosen:  # typed after the choice, before this list was gone: kept, in order
            self.early.append((event.key, event.character))
            return
        ol = self.query_one(OptionList)
        ch = event.character
        if event.key == "escape":
            self.action_cancel()
        elif event.key == "enter" and ol.highlighted is not None:
            self._choose(self.people[ol.highlighted])
        elif event.key in self.MOVES:
            getattr(ol, f"action_{self.MOVES[event.key]}")()
        elif ch and ch.isdigit() and ch != "0" and int(ch) <= len(self.people):
            self._choose(self.people[int(ch) - 1])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(next(p for p in self.people if p.guid == event.option.id))

    def _choose(self, p: Optional[Participant]) -> None:
        if self._chosen:
            return
        self._chosen = True
        self.query_one(OptionList).disabled = True
        self.app.typeahead.start()  # new keys wait at the app from now on
        self.call_later(self._close, p)  # after the keys already queued here

    def _close(self, p: Optional[Participant]) -> None:
        self.dismiss(p)

    def action_cancel(self) -> None:
        self._choose(None)


def pick(app, found: Found, then: Callable[[Optional[Participant]], None],
         room_list: Optional[Sequence[Participant]] = None,
         sink: Optional[Callable[[list], None]] = None, note: str = "") -> None:
    """One match → `then(it)` at once; several → the ChoiceList first (with `note` under
    it, if given); none → `then(None)`.

    The keys typed after a choice from the list go, once `then` has run, to `sink` (a
    callable taking [(key, character), …]) or else to the focused widget of the screen that
    asked — never to a dialog `then` opened (widgets/typeahead.py)."""
    if found.one is not None:
        then(found.one)
    elif found.several:
        below = app.screen
        box = ChoiceList(found, room_list, note)

        def chosen(p: Optional[Participant]) -> None:
            try:
                then(p)
            finally:
                app.post_message(ReleaseKeys(box.early, below, sink))

        app.push_screen(box, chosen)
    else:
        then(None)


class ParticipantField(Vertical):
    """A field «Участник»: surname (with initials), code; Enter — find."""

    DEFAULT_CSS = """
    ParticipantField { height: auto; }
    ParticipantField > Input { width: 1fr; }
    ParticipantField > .picker-who { height: auto; min-height: 1; padding: 0 1; }
    """

    class Picked(Message):
        """A participant was chosen (None: the field was cleared or nothing matched)."""

        def __init__(self, field: "ParticipantField", participant: Optional[Participant]) -> None:
            super().__init__()
            self.field = field
            self.participant = participant

        @property
        def control(self) -> "ParticipantField":
            return self.field

    def __init__(self, people: Callable[[], Sequence[Participant]], *, placeholder: str = "",
                 id: Optional[str] = None, input_id: Optional[str] = None) -> None:
        super().__init__(id=id)
        self._people = people
        self._placeholder = placeholder or "фамилия (можно с инициалами) или код, Enter"
        self._input_id = input_id
        self.participant: Optional[Participant] = None
        self.message = ""

    def compose(self) -> ComposeResult:
        yield Input(placeholder=self._placeholder, id=self._input_id)
        yield Static("", classes="picker-who", markup=False)

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def value(self) -> str:
        return self.input.value

    def clear(self) -> None:
        self.input.value = ""
        self._set(None, "")

    def focus(self, scroll_visible: bool = True):  # type: ignore[override]
        return self.input.focus(scroll_visible)

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.participant is not None and event.value.strip() != self._shown_text():
            self._set(None, "")  # typing again forgets the previous choice

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.lookup(then_next=True)

    def lookup(self, then_next: bool = False) -> None:
        text = self.input.value.strip()
        if not text:
            self._set(None, "")
            return
        if self.participant is not None and text == self._shown_text():
            if then_next:
                self.screen.focus_next()
            return
        found = find(self._people(), text)

        def chosen(p: Optional[Participant]) -> None:
            if p is None:
                self._set(None, found.not_found() if not found else "")
                return
            self._set(p, found.hint)
            with self.input.prevent(Input.Changed):
                self.input.value = self._shown_text()
            if then_next:
                self.screen.focus_next()

        pick(self.app, found, chosen)

    def _shown_text(self) -> str:
        p = self.participant
        return f"{p.short_fio} ({p.code})" if p is not None and p.code else (p.short_fio if p else "")

    def _set(self, p: Optional[Participant], note: str) -> None:
        self.participant = p
        self.message = note
        who = self.query_one(".picker-who", Static)
        if p is None:
            who.update(note)
        else:
            absent = " · не явился (Н)" if p.absent else ""
            who.update(label(p) + absent + (f" — {note}" if note else ""))
        self.post_message(self.Picked(self, p))
