"""The roster: search, filters, editing a participant, adding a missing one, absentees «Н».

Every operation the roster screen offers is here, callable without a screen.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Optional, Sequence
from unicodedata import normalize

from pydantic import ValidationError

from ..domain.layout import has_latin, to_russian
from ..domain.limits import value_problem
from ..domain.names import document_key
from ..domain.ordering import fold
from ..errors import Refused
from ..domain.models import OVZ_RESERVE, Attendance, Participant, Protocol, RoomLogEntry
from ..store.workspace import Store
from .data import scheme_for

NO_ROOM = "—"  # filter value: participants without a room


class RosterError(Refused):
    """An operation the user asked for that cannot be done; the text is Russian."""


# -- the table of F2 -----------------------------------------------------------------

# key, title, width (0: the ФИО column takes what the terminal leaves). Every width is fixed,
# so a table never measures its 2,500 rows cell by cell.
COLUMNS = (("sel", " ", 1), ("no", "№", 3), ("fio", "ФИО", 0), ("code", "Код", 6),
           ("grade", "Класс", 5), ("room", "Ауд.", 6), ("ovz", "ОВЗ", 9), ("att", "Явка", 4))
MIN_FIO_WIDTH = 24
ATTENDANCE_CELL = {"absent": "Н", "present": "явка", "unknown": ""}


def fio_width(terminal_width: int) -> int:
    """The ФИО column at this terminal width (28 at 80 columns, at most 60)."""
    others = sum(w + 2 for _, _, w in COLUMNS if w) + 4  # cell padding, cursor, scrollbar
    return max(MIN_FIO_WIDTH, min(60, terminal_width - others))


def row_cells(p: Participant, *, selected: bool, width: int, categories: dict[str, str],
              default_category: str) -> tuple[str, ...]:
    """One row of the roster, in COLUMNS order: the name fitted to `width`, the participant's
    code, the ОВЗ category («22?»: «Резерв = 22» with none chosen yet), «Н»."""
    fio = p.fio
    if len(fio) > width:
        fio = p.short_fio if len(p.short_fio) <= width else fio[: width - 1] + "…"
    if p.added_locally:
        fio = fio[: width - 2] + " +"
    ovz = ""
    if p.is_ovz:
        ovz = (categories.get(p.category, "ОВЗ") if p.category != default_category
               else "22?" if p.category_unset else categories.get(p.category, "Общая"))
    return ("✓" if selected else "", str(p.order or ""), fio, p.code, p.grade, p.room_mark, ovz,
            ATTENDANCE_CELL[p.attendance.value])


# -- search and filters ---------------------------------------------------------------


def search_key(p: Participant) -> str:
    """What the type-to-search matches: the surname, lower case, «ё» as «е»."""
    return fold(p.surname)


def normalize_query(text: str) -> str:
    """The search as the surnames are written: folded, and read in the Russian layout when it
    was typed with the Latin one on («Bdfy» → «ивану»; surnames are Cyrillic)."""
    return fold(to_russian(text) if has_latin(text) else text)


@dataclass(frozen=True)
class RosterFilter:
    text: str = ""  # beginning of the surname (as typed)
    room: Optional[str] = None  # None = any, NO_ROOM = without a room
    grade: Optional[str] = None
    ovz: Optional[bool] = None
    attendance: Optional[Attendance] = None

    def matches(self, p: Participant, key: Optional[str] = None) -> bool:
        q = normalize_query(self.text)
        if q and not (key if key is not None else search_key(p)).startswith(q):
            return False
        return self.matches_fields(p)

    def matches_fields(self, p: Participant) -> bool:
        """The filter without the search text (room, class, ОВЗ, attendance)."""
        if self.room is not None:
            if self.room == NO_ROOM:
                if p.room:
                    return False
            elif p.room != self.room:
                return False
        if self.grade is not None and p.grade != self.grade:
            return False
        if self.ovz is not None and p.is_ovz != self.ovz:
            return False
        if self.attendance is not None and p.attendance is not self.attendance:
            return False
        return True

    @property
    def latin(self) -> bool:
        """The search was typed in the Latin layout (and is read as Russian)."""
        return has_latin(self.text)

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.room, self.grade, self.ovz, self.attendance))

    def describe(self) -> str:
        parts = []
        if self.room is not None:
            parts.append("без аудитории" if self.room == NO_ROOM else f"ауд. {self.room}")
        if self.grade is not None:
            parts.append(f"класс {self.grade}")
        if self.ovz is not None:
            parts.append("с ОВЗ" if self.ovz else "без ОВЗ")
        if self.attendance is not None:
            parts.append(self.attendance.label)
        return ", ".join(parts) or "все"


def filter_participants(participants: Iterable[Participant], flt: RosterFilter) -> list[Participant]:
    return [p for p in participants if flt.matches(p)]


_AFTER_ALL = chr(0x10FFFF)  # sorts after every key: the end of a prefix range

class SearchIndex:
    """The participants in roster order with their search keys, for a search as you type
    at 36,000 rows: the roster order (name_key) begins with the search key, so the
    participants whose surname starts with the query are one run found by bisection."""

    def __init__(self, participants: Sequence[Participant]) -> None:
        self.people = list(participants)
        self.keys = [search_key(p) for p in self.people]
        self.ordered = all(a <= b for a, b in zip(self.keys, self.keys[1:]))
        self.pos = {p.guid: i for i, p in enumerate(self.people)}

    def starting_with(self, q: str) -> list[Participant]:
        if not self.ordered:  # not in roster order: a scan
            return [p for p, k in zip(self.people, self.keys) if k.startswith(q)]
        lo = bisect_left(self.keys, q)
        hi = bisect_left(self.keys, q + _AFTER_ALL, lo)
        return self.people[lo:hi]

    def replace(self, p: Participant) -> None:
        """A changed participant in its place (the order is kept: only for changes that do
        not move it, such as «Н» or a mark)."""
        i = self.pos[p.guid]
        self.people[i] = p
        self.keys[i] = search_key(p)
        self.ordered = self.ordered and (i == 0 or self.keys[i - 1] <= self.keys[i]) and \
            (i + 1 == len(self.keys) or self.keys[i] <= self.keys[i + 1])


def select(index: SearchIndex, flt: RosterFilter) -> Sequence[Participant]:
    """What the filter keeps, in roster order: the same as filter_participants() on
    index.people, without a scan of every participant on each key. A filter that keeps
    everyone returns index.people itself (no copy)."""
    q = normalize_query(flt.text)
    out: Sequence[Participant] = index.starting_with(q) if q else index.people
    if flt.active:
        out = [p for p in out if flt.matches_fields(p)]
    return out


def grades(participants: Iterable[Participant]) -> list[str]:
    return sorted({p.grade for p in participants if p.grade})


# -- editing ------------------------------------------------------------------------------

EDITABLE = ("surname", "name", "patronymic", "grade", "birth_date", "sex", "doc_series",
            "doc_number", "category", "reserve", "room", "ovz_basis", "ovz_doc_number",
            "ovz_doc_date", "conditions", "remote")
OVZ_BASES = ("ПМПК", "МСЭ", "ПМПК, МСЭ")


def _check_category(store: Store, category: str) -> None:
    sch = scheme_for(store)
    if not sch.has_category(category):
        raise RosterError(f"Неизвестная категория «{category}». Выберите категорию из списка.")


def _validation_message(e: ValidationError) -> str:
    names = {"surname": "фамилия", "name": "имя", "sex": "пол", "birth_date": "дата рождения",
             "grade": "класс", "room": "аудитория"}
    out = []
    for err in e.errors():
        loc = str(err.get("loc", ("",))[0])
        msg = err.get("msg", "")
        if err.get("type") == "string_too_short":
            msg = "не заполнено"
        elif err.get("type", "").startswith("date"):
            msg = "дата в формате ДД.ММ.ГГГГ"
        out.append(f"{names.get(loc, loc)}: {msg.removeprefix('Value error, ')}")
    return "Проверьте поля — " + "; ".join(out) + "."


# the text fields of a participant a person types (or pastes from a web page or a letter)
_TYPED_TEXT = ("surname", "name", "patronymic", "grade", "doc_series", "doc_number")


def _apply(p: Participant, changes: dict[str, Any], store: Store) -> Participant:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise RosterError(f"Эти поля нельзя менять здесь: {', '.join(sorted(unknown))}.")
    changes = dict(changes)
    for attr in _TYPED_TEXT:  # typed or pasted: held to an imported file's rules
        value = changes.get(attr)
        if isinstance(value, str):
            value = changes[attr] = normalize("NFC", value)
            problem = value_problem(attr, value)
            if problem:
                raise RosterError(f"{problem[1]}.")
    if "category" in changes:
        cat = changes["category"] or scheme_for(store).default_category
        _check_category(store, cat)
        changes["category"] = cat
        # the ОВЗ category and «Резерв = 22» go together (seed 004: parameter «22»); «Общая»
        # chosen for a «22» without a category keeps the «22» and is recorded as an explicit
        # confirmation (who, when); taking back an ОВЗ category clears the «22» as before
        if cat != scheme_for(store).default_category:
            changes["reserve"] = OVZ_RESERVE
        elif (p.category != cat and changes.get("reserve", p.reserve) == OVZ_RESERVE
              and "reserve" not in changes):
            changes["reserve"] = ""  # an ОВЗ category taken back: no longer «22»
        if cat != p.category or p.category_confirmed_at is None:
            changes["category_confirmed_by"] = store.operator
            changes["category_confirmed_at"] = datetime.now().replace(microsecond=0)
    if changes.get("ovz_basis"):
        basis = str(changes["ovz_basis"]).strip().upper().replace("MSE", "МСЭ").replace("PMPK", "ПМПК")
        if basis not in OVZ_BASES:
            raise RosterError("Основание: ПМПК (рекомендации), МСЭ (справка об инвалидности) или "
                              "«ПМПК, МСЭ».")
        changes["ovz_basis"] = basis
    if "conditions" in changes:
        from .calendar import condition_ids

        known = condition_ids()
        bad = [c for c in changes["conditions"] if c not in known]
        if bad:
            raise RosterError(f"Неизвестные условия: {', '.join(bad)}. Возможны: {', '.join(known)}.")
    if "room" in changes and changes["room"]:
        if _no_room(store, changes["room"]):
            raise RosterError(f"Аудитории {changes['room']} нет. Заведите её на экране аудиторий (F3).")
    try:
        data = p.model_dump()
        data.update(changes)
        return Participant.model_validate(data)
    except ValidationError as e:
        raise RosterError(_validation_message(e)) from None


def _no_room(store: Store, number: str) -> bool:
    from ..domain.models import Room

    return store.get(Room, number) is None


def _same_document(store: Store, new: Participant) -> None:
    """One document — one participant, as at import: a child typed in again (a namesake
    with a Latin letter, a changed class) under another's document is refused."""
    key = document_key(new.doc_series, new.doc_number)
    if not key:
        return
    other = next((p for p in store.participants() if p.guid != new.guid
                  and document_key(p.doc_series, p.doc_number) == key), None)
    if other is not None:
        raise RosterError(f"Документ {new.doc_series} {new.doc_number} уже у участника "
                          f"{other.short_fio} (класс {other.grade or '—'}): один документ — один "
                          f"участник.")


def edit_participant(store: Store, guid: str, **changes: Any) -> Participant:
    """Change fields of a participant (incl. the ОВЗ category). A new room goes through the
    same checks as a move (seats, accessibility for ОВЗ, no protocol yet). All or nothing,
    durable on return."""
    p = store.participant(guid)
    if p is None:
        raise RosterError("Участник не найден: список изменился. Обновите экран.")
    room = changes.pop("room", None)
    new = _apply(p, changes, store)
    if (new.doc_series, new.doc_number) != (p.doc_series, p.doc_number):
        _same_document(store, new)
    with store.transaction():
        if new != p:
            store.put(new)
        if room is not None and room != p.room:
            from .distribute import DistributeError, move

            try:
                move(store, [guid], room)
            except DistributeError as e:
                raise RosterError(str(e)) from None
            new = store.participant(guid)
    if new != p:
        store.audit.append(_audit(store, "participant", guid, p, new))
    return new


def placement_warning(store: Store, p: Participant) -> str:
    """A participant with ОВЗ seated in a room not marked accessible (e.g. after the category
    was set): the Russian warning, or ""."""
    from ..domain.models import Room

    if not (p.is_ovz and p.room):
        return ""
    room = store.get(Room, p.room)
    if room is not None and not room.accessible:
        return (f"{p.short_fio} — участник с ОВЗ, а аудитория {p.room} не доступна для участников "
                "с ОВЗ. Переведите его (F6) в доступную аудиторию.")
    return ""


def _audit(store: Store, entity: str, key: str, old: Optional[Participant], new: Participant) -> list:
    from ..store.audit import diff_entries

    old_d = old.model_dump(mode="json") if old else {}
    new_d = new.model_dump(mode="json")
    # personal data never goes to the audit/log: keep only the fields of the exam day
    keep = {"room", "attendance", "category", "reserve", "order", "added_locally", "grade",
            "category_confirmed_by", "remote", "conditions", "ovz_basis"}
    return diff_entries(entity, key, store.operator,
                        {k: v for k, v in old_d.items() if k in keep},
                        {k: v for k, v in new_d.items() if k in keep})


def add_participant(store: Store, surname: str, name: str, patronymic: str = "", grade: str = "",
                    category: str = "", room: str = "", birth_date: Optional[date] = None,
                    sex: str = "", doc_series: str = "", doc_number: str = "") -> Participant:
    """A participant missing from the loaded roster: marked «добавлен в школе»."""
    base = Participant(surname="?", name="?", added_locally=True)
    changes = dict(surname=surname, name=name, patronymic=patronymic, grade=grade,
                   category=category or scheme_for(store).default_category, room=room,
                   birth_date=birth_date, sex=sex, doc_series=doc_series, doc_number=doc_number)
    new = _apply(base, changes, store)
    dup = [p for p in store.participants()
           if (p.surname.casefold(), p.name.casefold(), p.patronymic.casefold(), p.birth_date)
           == (new.surname.casefold(), new.name.casefold(), new.patronymic.casefold(), new.birth_date)]
    if dup:
        raise RosterError(f"{new.short_fio} уже есть в списке (класс {dup[0].grade or '—'}).")
    _same_document(store, new)
    if new.room:
        new = new.model_copy(update={"order": _next_order(store, new.room)})
    store.put(new)
    store.audit.append(_audit(store, "participant", new.guid, None, new))
    return new


def _next_order(store: Store, room: str) -> int:
    return max((p.order for p in store.participants() if p.room == room), default=0) + 1


# -- absentees ----------------------------------------------------------------------------


def absent_conflicts(store: Store, guid: str) -> list[str]:
    """Why «Н» on this participant contradicts what is already recorded (Russian), or []."""
    out = []
    if store.get(Protocol, guid) is not None:
        out.append("уже внесён протокол ИС-03")
    entry = store.get(RoomLogEntry, guid)
    if entry is not None and (entry.start or entry.end):
        times = "–".join(f"{t:%H:%M}" if t else "…" for t in (entry.start, entry.end))
        out.append(f"в ведомости ИС-02 есть время {times}")
    return out


def set_absent(store: Store, guid: str, absent: bool = True, *, despite: bool = False) -> Participant:
    """Mark «Н» (or take it back). «Н» on someone with a protocol or ИС-02 times is refused
    unless the user confirmed it (`despite`); then the pre-export check reports it."""
    p = store.participant(guid)
    if p is None:
        raise RosterError("Участник не найден: список изменился. Обновите экран.")
    conflicts = absent_conflicts(store, guid) if absent else []
    if conflicts and not despite:
        raise RosterError(f"{p.short_fio}: {'; '.join(conflicts)}, поэтому отметить неявку «Н» "
                          "можно только с подтверждением. Если участник не явился, удалите его "
                          "протокол и время в ИС-02.")
    att = Attendance.ABSENT if absent else Attendance.UNKNOWN
    if p.attendance is att:
        return p
    new = p.model_copy(update={"attendance": att})
    store.put(new)
    store.audit.append(_audit(store, "participant", guid, p, new))
    return new


def toggle_absent(store: Store, guid: str, *, despite: bool = False) -> Participant:
    p = store.participant(guid)
    if p is None:
        raise RosterError("Участник не найден: список изменился. Обновите экран.")
    return set_absent(store, guid, not p.absent, despite=despite)


# -- review -------------------------------------------------------------------------------


def mark_reviewed(store: Store, reviewed: bool = True) -> None:
    """«Список проверен»: the organizer has looked through the roster incl. ОВЗ (seed 004)."""
    store.update_settings(roster_reviewed=bool(reviewed))


def is_reviewed(store: Store) -> bool:
    return bool(store.settings().roster_reviewed)


def category_choices(store: Store) -> list[tuple[str, str]]:
    """(label, id) of every category of the year's criteria data."""
    return [(c.name, c.id) for c in scheme_for(store).categories]
