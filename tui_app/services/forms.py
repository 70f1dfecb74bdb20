"""Building the PDF forms: ИС-01, ИС-02, ИС-03, ИС-04, ИС-08, ИС-09 and the application.

`build_form(store, "ИС-03", room="101", blank=True)` writes the PDF into the workspace's
forms/ folder (or `out_dir`) and returns the paths written. File names are ASCII (FAT32
sticks, any printer driver): IS-03_470123_20270210_room101_blank.pdf.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

from ..domain.models import Act, ActKind, Participant, RoomLogEntry
from ..domain.ordering import name_key
from ..errors import os_error_text
from ..forms.context import FormContext, FormError
from ..store.workspace import Store
from .acts import acts_of
from .data import scheme_for
from .picker import find_one
from .documents import write_document

if TYPE_CHECKING:  # fpdf2 loads in the worker thread, not when a screen opens
    from ..forms.kit import FormPDF

Progress = Optional[Callable[[int, int], None]]

# code -> (title, needs) ; needs: "" | "participant" | "act"
FORMS: dict[str, str] = {
    "ИС-01": "Списки участников итогового собеседования",
    "ИС-02": "Ведомость учёта проведения итогового собеседования в аудитории",
    "ИС-03": "Протоколы эксперта по оцениванию ответов участников",
    "ИС-04": "Специализированная форма (сведения из протоколов)",
    "ИС-08": "Акт о досрочном завершении по уважительным причинам",
    "ИС-09": "Акт об удалении участника итогового собеседования",
    "заявление": "Заявление об участии в итоговом собеседовании",
    "график": "График подключения (дистанционная форма, проверка за 15 минут, тест накануне)",
    "ознакомление": "Ознакомление с результатами под подпись с датой (по классам)",
}
PRINTED_FOR_DAY = {"ИС-01", "ИС-02", "ИС-03"}
_ASCII = {"ИС-01": "IS-01", "ИС-02": "IS-02", "ИС-03": "IS-03", "ИС-04": "IS-04",
          "ИС-08": "IS-08", "ИС-09": "IS-09", "заявление": "zayavlenie",
          "график": "connection-schedule", "ознакомление": "acquaintance"}


def normalize_form(name: str) -> str:
    """«ИС-01», «IS-01», «ис01», «is1», «заявление», «application» -> the canonical code."""
    raw = (name or "").strip().lower().replace(" ", "").replace("_", "-")
    if raw in ("заявление", "заявления", "application", "zayavlenie", "app"):
        return "заявление"
    if raw in ("график", "график-подключения", "schedule", "connection-schedule", "remote"):
        return "график"
    if raw in ("ознакомление", "acquaintance", "results-list"):
        return "ознакомление"
    m = re.fullmatch(r"(?:ис|is|иc|иs)-?0?(\d)", raw)
    if m:
        code = f"ИС-0{m.group(1)}"
        if code in FORMS:
            return code
        raise FormError(
            f"Форма {code} не печатается программой: доступны {', '.join(k for k in FORMS)}."
        )
    raise FormError(
        f"Неизвестная форма «{name}». Укажите одну из: {', '.join(FORMS)} "
        "(можно латиницей: IS-01 … IS-09, application)."
    )


def context(store: Store) -> FormContext:
    from ..domain.models import PriorSitting, StaffMember
    from .calendar import rules_for

    return FormContext(
        day=store.exam_day(),
        scheme=scheme_for(store),
        participants=store.participants(),
        rooms=store.rooms(),
        staff=store.all(StaffMember),
        protocols=store.protocols(),
        log={e.participant: e for e in store.all(RoomLogEntry)},
        acts=acts_of(store),
        prior=store.all(PriorSitting),
        category_note=rules_for(store).category_note,
    )


def find_participant(store: Store, key: str) -> Participant:
    """By participant code, GUID, surname (with initials or a name): the one picker."""
    key = (key or "").strip()
    return find_one(store.participants(), key, FormError,
                    f"Участник «{key}» не найден: укажите код участника (см. список ИС-01).")


def _file_name(ctx: FormContext, form: str, room: Optional[str], participant: Optional[Participant],
               blank: bool, extra: str = "") -> str:
    parts = [_ASCII[form]]
    if ctx.day:
        parts += [ctx.oo, ctx.day.date.strftime("%Y%m%d")]
    if room:
        parts.append("room" + (re.sub(r"[^0-9A-Za-z-]", "", _translit(room)) or "x"))
    if participant is not None:
        parts.append(re.sub(r"[^0-9A-Za-z]", "", participant.code) or participant.guid[:8])
    if extra:
        parts.append(extra)
    if blank:
        parts.append("blank")
    return "_".join(parts) + ".pdf"


_TR = dict(zip("абвгдеёзийклмнопрстуфхцыэ", "abvgdeeziyklmnoprstufhcye"))
_TR.update({"ж": "zh", "ч": "ch", "ш": "sh", "щ": "sch", "ю": "yu", "я": "ya", "ь": "", "ъ": ""})


def _translit(text: str) -> str:
    return "".join(_TR.get(ch.lower(), ch) for ch in text)


def build_pdf(ctx: FormContext, form: str, *, room: Optional[str] = None,
              participant: Optional[Participant] = None, act: Optional[Act] = None,
              blank: bool = False, progress: Progress = None) -> "FormPDF":
    """The document itself (no file written)."""
    import importlib

    def mod(name: str):
        return importlib.import_module(f"tui_app.forms.{name}")

    if ctx.day is None and not blank and form != "заявление":
        raise FormError("Экзаменационный день не задан: сначала загрузите список участников.")
    if room and not any(p.room == room for p in ctx.participants) and ctx.room(room) is None:
        raise FormError(f"Аудитория «{room}» не найдена.")
    if form == "ИС-01":
        return mod('is01').build(ctx, room=room, blank=blank, progress=progress)
    if form == "ИС-02":
        return mod('is02').build(ctx, room=room, blank=blank, progress=progress)
    if form == "ИС-03":
        people = _scope(ctx, room, participant)
        return mod('is03').build(ctx, people, blank=blank, progress=progress)
    if form == "ИС-04":
        return mod('is04').build(ctx, room=room, blank=blank, progress=progress)
    if form in ("ИС-08", "ИС-09"):
        kind = ActKind(form)
        module = mod('is08' if kind is ActKind.EARLY else 'is09')
        if blank:
            return module.build(ctx, None, None, progress=progress)
        acts = [a for a in ctx.acts if a.kind is kind]
        if act is not None:
            acts = [act]
        elif participant is not None:
            acts = [a for a in acts if a.participant == participant.guid]
        if room:
            in_room = {p.guid for p in ctx.participants if p.room == room}
            acts = [a for a in acts if a.participant in in_room]
        if not acts:
            if participant is not None:
                return module.build(ctx, None, participant, progress=progress)
            raise FormError(
                f"Актов {form} нет. Составьте акт (раздел «Акты» или `is-shtab act`) "
                f"или напечатайте пустой бланк: --blank."
            )
        by_guid = {p.guid: p for p in ctx.participants}
        return module.build_many(ctx, [(a, by_guid.get(a.participant)) for a in acts],
                                 progress=progress)
    if form == "заявление":
        people = _scope(ctx, room, participant) if not blank else [None]
        return mod('application').build(ctx, people, progress=progress)
    if form == "график":
        return mod('lists').connection_schedule_pdf(ctx, ctx.extra["connection_rows"])
    if form == "ознакомление":
        return mod('lists').acquaintance_pdf(ctx, ctx.extra["acquaintance_rows"])
    raise FormError(f"Неизвестная форма «{form}».")


def _scope(ctx: FormContext, room: Optional[str], participant: Optional[Participant]):
    if participant is not None:
        return [participant]
    people = ctx.participants
    if room:
        return ctx.in_room(room)
    if any(p.room for p in people):
        out = []
        for number in ctx.room_numbers():
            out += ctx.in_room(number)
        out += sorted((p for p in people if not p.room), key=name_key)
        return out
    return list(people)


def mark_printed(store: Store, form: str) -> None:
    """Remember which of ИС-01/02/03 were printed; all three -> the checklist item is done."""
    s = store.settings()
    done = set(s.forms_printed_codes) | {form}
    store.record_progress(forms_printed_codes=sorted(done),
                          forms_printed=s.forms_printed or PRINTED_FOR_DAY <= done)


def build_form(store: Store, form: str, room: Optional[str] = None,
               participant: Optional[str | Participant] = None, blank: bool = False,
               out_dir: Optional[Path | str] = None, progress: Progress = None,
               act: Optional[Act] = None, grade: str = "") -> list[Path]:
    """Build one form into a PDF file; returns the paths written."""
    form = normalize_form(form)
    room = (room or "").strip() or None
    who: Optional[Participant] = None
    if isinstance(participant, Participant):
        who = participant
    elif participant:
        who = find_participant(store, participant)
    ctx = context(store)
    if form == "график":
        from .distribute import schedule_settings
        from .sheets import connection_rows

        ctx.extra["connection_rows"] = connection_rows(store, room)
        ctx.extra["prep"] = schedule_settings(store).remote_prep
    elif form == "ознакомление":
        from .recheck import acquaintance_rows

        ctx.extra["acquaintance_rows"] = acquaintance_rows(store, grade)
        if not ctx.extra["acquaintance_rows"]:
            raise FormError(f"Нет участников{' класса ' + grade if grade else ''}.")
    steps = [1]

    def step(done: int, total: int) -> None:  # one more step: writing the file
        steps[0] = total + 1
        if progress:
            progress(done, total + 1)

    pdf = build_pdf(ctx, form, room=room, participant=who, act=act, blank=blank,
                    progress=step)
    folder = Path(out_dir) if out_dir else store.dir("forms")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # (exist_ok) something that is not a folder has the name
        raise FormError(f"Бланк не записан: «{folder}» — не папка. Выберите папку для бланков.") \
            from None
    except OSError as e:
        raise FormError(f"Бланк не записан: не удалось создать папку «{folder}». "
                        f"{os_error_text(e, folder)}") from None
    path = folder / _file_name(ctx, form, room, who, blank,
                               _translit(grade) if form == "ознакомление" and grade else "")
    write_document(path, bytes(pdf.output()))  # a viewer holding it: «закройте файл…»
    if progress:
        progress(steps[0], steps[0])
    if form in PRINTED_FOR_DAY or form == "график":
        mark_printed(store, form)
    return [path]
