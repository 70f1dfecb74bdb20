"""Protocol ИС-03 entry without a screen: the state of one protocol being typed and the stack
of a room — the participants whose protocol is still to be typed (who is meant by a typed
name or number: services/picker.py).

The screen (screens/entry.py) only renders this state and forwards keys to it, so every
rule of entry (ranges checked as typed, auto-advance, skipped ОВЗ criteria) is testable
headless. Totals come from domain.scoring.score — never recomputed here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..domain.criteria import Category, Scheme
from ..domain.models import Attendance, Participant, Protocol, ProtocolStatus, Room, StaffMember
from ..domain.ordering import room_number_key, seat_key
from ..domain.scoring import ScoreResult, score
from ..store.workspace import Store

PASS2_TABLE = "protocols_pass2"
VARIANT = -1  # cursor on the variant field
MAX_VARIANT_DIGITS = 4


@dataclass(frozen=True)
class KeyOutcome:
    accepted: bool
    message: str = ""
    mismatch: Optional[tuple[str, int, int]] = None  # (criterion, first pass, typed): halt here


@dataclass
class EntryState:
    """One protocol being typed. cursor indexes `codes`; VARIANT (-1) = on the variant
    field, which comes first; None = after the last criterion (ready to save)."""

    scheme: Scheme
    participant: Participant
    category: Category
    codes: list[str]
    scores: dict[str, Optional[int]] = field(default_factory=dict)
    cursor: Optional[int] = 0
    status: ProtocolStatus = ProtocolStatus.PRESENT
    variant: str = ""
    expert: str = ""
    scheme_no: int = 1
    room: str = ""
    existing: bool = False  # a saved protocol was loaded (editing)
    sitting: int = 1  # 2: a same-day retake with another variant
    variant_fresh: bool = True  # the first digit typed on the variant replaces it
    halt_ref: Optional[dict[str, Optional[int]]] = None  # the first pass's scores: a second pass
    # that stops at the first digit differing from them (double entry, as EpiData does)
    baseline: Optional[Protocol] = None  # the protocol as opened: what «unsaved» compares to

    # -- construction -------------------------------------------------------
    @classmethod
    def start(cls, scheme: Scheme, participant: Participant, protocol: Optional[Protocol] = None,
              *, variant: str = "", expert: str = "", scheme_no: int = 1) -> "EntryState":
        try:
            category = scheme.category(participant.category)
        except KeyError:
            category = scheme.category(None)
        st = cls(scheme=scheme, participant=participant, category=category,
                 codes=[c.code for c in scheme.criteria], room=participant.room,
                 variant=variant, expert=expert,
                 scheme_no=category.requires_scheme or scheme_no)  # РАС: the second scheme
        if protocol is not None:
            st.sitting = protocol.sitting
            st.existing = True
            st.scores = {k: v for k, v in protocol.scores.items() if v is not None}
            st.status = protocol.status
            st.variant = protocol.variant or variant
            st.expert = protocol.expert or expert
            st.scheme_no = protocol.scheme
            st.room = protocol.room or participant.room
        st.cursor = VARIANT
        st.baseline = st.protocol()
        return st

    # -- queries -------------------------------------------------------------
    def scored(self, code: str) -> bool:
        return code in self.category.criteria

    def max_of(self, code: str) -> int:
        return self.scheme.criterion(code).max

    @property
    def current(self) -> Optional[str]:
        if self.cursor == VARIANT:
            return "variant"
        return None if self.cursor is None else self.codes[self.cursor]

    @property
    def on_variant(self) -> bool:
        return self.cursor == VARIANT

    def result(self) -> ScoreResult:
        return score(self.scheme, self.category, self.scores, self.status)

    @property
    def missing(self) -> list[str]:
        return [c for c in self.category.criteria if self.scores.get(c) is None]

    @property
    def changed(self) -> bool:
        """Something was typed that is not saved (a prefilled variant or expert is not)."""
        return self.baseline is None or self.protocol() != self.baseline

    def saved_as(self) -> None:
        """The protocol as it is now is on disk: nothing is unsaved any more."""
        self.baseline = self.protocol()
        self.existing = True

    def protocol(self) -> Protocol:
        present = self.status is ProtocolStatus.PRESENT
        scores = {c: self.scores.get(c) for c in self.codes if self.scored(c) and self.scores.get(c) is not None}
        return Protocol(participant=self.participant.guid, room=self.room, variant=self.variant.strip(),
                        scheme=self.scheme_no, expert=self.expert.strip(), status=self.status,
                        scores=scores if present else {}, sitting=self.sitting)

    # -- moving --------------------------------------------------------------
    def _first_scored(self, start: int) -> Optional[int]:
        for i in range(max(start, 0), len(self.codes)):
            if self.scored(self.codes[i]):
                return i
        return None

    def _last_scored(self, before: int) -> Optional[int]:
        for i in range(min(before, len(self.codes) - 1), -1, -1):
            if self.scored(self.codes[i]):
                return i
        return None

    def go(self, code: str) -> None:
        if code == "variant":
            self.cursor = VARIANT
            self.variant_fresh = True
        elif code in self.codes and self.scored(code):
            self.cursor = self.codes.index(code)

    def right(self) -> None:
        if self.cursor is not None:
            self.cursor = self._first_scored(self.cursor + 1)

    def left(self) -> None:
        if self.cursor == VARIANT:
            return
        pos = len(self.codes) if self.cursor is None else self.cursor
        prev = self._last_scored(pos - 1)
        self.cursor = prev if prev is not None else VARIANT
        if self.cursor == VARIANT:
            self.variant_fresh = True

    def enter(self) -> bool:
        """Enter: on the variant it moves to the criteria (True); elsewhere it means save (False)."""
        if self.cursor == VARIANT:
            self.variant_fresh = False
            self.cursor = self._first_scored(0)
            return True
        return False

    def home(self) -> None:
        self.cursor = self._first_scored(0)

    def to_first_missing(self) -> None:
        """After a refused save: stand where something is missing (variant first)."""
        if self.status is ProtocolStatus.PRESENT and not self.variant.strip():
            self.go("variant")
            return
        miss = self.missing if self.status is ProtocolStatus.PRESENT else []
        if miss:
            self.go(miss[0])

    # -- typing --------------------------------------------------------------
    def type_digit(self, ch: str) -> KeyOutcome:
        """A typed character on the criteria: a valid digit fills and moves on; anything
        else is refused with the allowed range."""
        if self.status is not ProtocolStatus.PRESENT and self.cursor != VARIANT:
            return KeyOutcome(False, f"Участник {self.status.label}: баллы не выставляются "
                                     "(F3 — сменить отметку).")
        if self.cursor == VARIANT:
            return self._type_variant(ch)
        if self.cursor is None:
            return KeyOutcome(False, "Все критерии заполнены: Enter — сохранить, ← — исправить.")
        code = self.codes[self.cursor]
        cmax = self.max_of(code)
        if len(ch) != 1 or not ch.isdigit():
            return KeyOutcome(False, f"{code}: введите цифру от 0 до {cmax}.")
        value = int(ch)
        if value > cmax:
            return KeyOutcome(False, f"{code}: балл {value} невозможен, допустимо 0–{cmax}.")
        self.scores[code] = value
        first = (self.halt_ref or {}).get(code)
        if first is not None and first != value:  # shown, the cursor stays until decided
            return KeyOutcome(True, "", (code, first, value))
        self.cursor = self._first_scored(self.cursor + 1)
        return KeyOutcome(True)

    def resolve_mismatch(self, code: str, value: Optional[int]) -> None:
        """After a halt on `code`: keep `value` and go on, or (None) type it again."""
        if value is None:
            self.scores.pop(code, None)
            self.go(code)
            return
        self.scores[code] = value
        self.cursor = self._first_scored(self.codes.index(code) + 1)

    def _type_variant(self, ch: str) -> KeyOutcome:
        if len(ch) != 1 or not ch.isdigit():
            return KeyOutcome(False, "Вариант — номер из цифр; Enter — к баллам.")
        if self.variant_fresh:
            self.variant = ch
            self.variant_fresh = False
        elif len(self.variant) < MAX_VARIANT_DIGITS:
            self.variant += ch
        else:
            return KeyOutcome(False, f"Номер варианта — не больше {MAX_VARIANT_DIGITS} цифр.")
        return KeyOutcome(True)

    def backspace(self) -> None:
        """Clear the previous criterion (or the current one when it is filled) and stand on it."""
        if self.cursor == VARIANT:
            self.variant = self.variant[:-1]
            self.variant_fresh = False
            return
        if self.cursor is not None and self.scores.get(self.codes[self.cursor]) is not None:
            self.scores.pop(self.codes[self.cursor], None)
            return
        self.left()
        if self.cursor is not None and self.cursor != VARIANT:
            self.scores.pop(self.codes[self.cursor], None)

    def clear_current(self) -> None:
        if self.cursor == VARIANT:
            self.variant = ""
            self.variant_fresh = False
        elif self.cursor is not None:
            self.scores.pop(self.codes[self.cursor], None)

    def cycle_status(self) -> ProtocolStatus:
        order = [ProtocolStatus.PRESENT, ProtocolStatus.EARLY, ProtocolStatus.REMOVED]
        self.status = order[(order.index(self.status) + 1) % len(order)]
        return self.status


# -- the stack of a room ------------------------------------------------------

def room_list(store: Store, room: str) -> list[Participant]:
    """The room's participants in the order of its list (ИС-02), absentees included."""
    ps = [p for p in store.participants() if p.room == room]
    return sorted(ps, key=seat_key)


def left_to_type(p: Participant, done: Optional[dict] = None) -> bool:
    """On the stack: present (not «Н») and no protocol saved yet."""
    return p.attendance is not Attendance.ABSENT and p.guid not in (done or {})


def remaining(stack: list[Participant], done: Optional[dict] = None) -> list[Participant]:
    """What is left of a room's stack, in the list's order: «осталось N»."""
    return [p for p in stack if left_to_type(p, done)]


def next_in_stack(stack: list[Participant], guid: Optional[str],
                  done: Optional[dict] = None) -> Optional[Participant]:
    """The next participant whose protocol is still to be typed after `guid` in the room's
    list, going round to the top (a skipped one comes back at the end); absentees «Н» and
    saved protocols (`done`: guid → protocol) are skipped. None when nothing is left."""
    guids = [p.guid for p in stack]
    start = guids.index(guid) + 1 if guid in guids else 0
    for p in stack[start:] + stack[:start]:
        if p.guid != guid and left_to_type(p, done):
            return p
    return None


def expert_of_room(store: Store, room: Optional[Room]) -> str:
    if room is None or not room.expert:
        return ""
    staff = store.get(StaffMember, room.expert)
    return staff.fio if staff else ""


def load_protocol(store: Store, guid: str, table: Optional[str] = None) -> Optional[Protocol]:
    return store.get(Protocol, guid, table)


def rooms_with_participants(store: Store) -> list[str]:
    numbers = [r.number for r in store.rooms()]
    extra = sorted({p.room for p in store.participants() if p.room and p.room not in numbers}, key=room_number_key)
    return numbers + extra
