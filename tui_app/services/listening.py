"""The expert's listening station (the second scheme, seeds 002 and 004 п. 11.4; the re-check,
seed 004 п. 16.5): the answer of one participant as samples to play, the starts of the tasks,
saving the protocol as «scored from the recording», the blind re-check and its comparison.

The screen (screens/listening.py) and the tests call these; playing is audio/player.py.

Where the audio comes from is one function, `answer_audio`: the participant's answer cut
from the room's day stream by the ИС-02 times or the markers (services/audio.plan_clip; imported
files are parts of that stream), else their personal recording (audio_import.participant_audio).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta  # noqa: F401 - date in signatures
from pathlib import Path
from typing import Optional

import numpy as np

from ..audio import clip as cliplib
from ..audio import markers as mk
from ..domain.models import Participant, Protocol, RecheckApplication, Room, RoomLogEntry
from ..domain.ordering import fold, room_list_key
from ..domain.scoring import ScoreResult, score_protocol
from ..errors import Refused
from ..store.workspace import Store
from . import audio as audio_svc
from .data import scheme_for
from .entry import EntryState, expert_of_room
from .protocols import save_protocol

RECHECK_TABLE = "protocols_recheck"
SCORE, RECHECK = "score", "recheck"
TASK_SOURCE = "task"  # markers «task1» … «task4»: where each task of the answer begins


class ListeningRefused(Refused):
    pass


# -- the audio ---------------------------------------------------------------------------------
@dataclass
class AnswerPlan:
    """Where the answer is (store reads only: fast, on the UI thread)."""

    participant: Participant
    room: str
    start: datetime  # wall clock of the first sample
    end: datetime
    source: str  # «журнал ИС-02» | «метки» | «персональная запись»
    _clip: object = None  # services.audio.ClipPlan
    _piece: object = None  # services.audio_import.Piece: a personal recording instead

    @property
    def text(self) -> str:
        if self._piece is not None:
            return (f"персональная запись {Path(self._piece.path).name}, "
                    f"{self.start:%H:%M:%S}–{self.end:%H:%M:%S}")
        how = ("по времени ведомости ИС-02" if self.source == "журнал ИС-02"
               else "по меткам" if self.source == "метки" else self.source)
        return f"поток ауд. {self.room}, {self.start:%H:%M:%S}–{self.end:%H:%M:%S} ({how})"


@dataclass
class Answer:
    plan: AnswerPlan
    samples: np.ndarray  # int16, mono
    samplerate: int
    missing_seconds: float = 0.0  # gaps of the recording inside the answer (silence)
    files: list[str] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return len(self.samples) / self.samplerate

    @property
    def participant(self) -> Participant:
        return self.plan.participant


def answer_audio(store: Store, ref: str) -> AnswerPlan:
    """The one place that knows where a participant's answer is recorded."""
    try:
        plan = audio_svc.plan_clip(store, ref)
    except audio_svc.AudioError:
        from .audio_import import participant_audio

        pa = participant_audio(store, ref)  # its personal recording, or AudioError (Russian)
        piece = next(pc for pc in pa.pieces if pc.source == "personal")
        entry = store.get(RoomLogEntry, pa.participant.guid)
        room = entry.room if entry and entry.room else pa.participant.room
        end = piece.at + timedelta(seconds=piece.end - piece.start)
        return AnswerPlan(pa.participant, room, piece.at, end, "персональная запись", None, piece)
    entry = store.get(RoomLogEntry, plan.participant.guid)
    room = entry.room if entry and entry.room else plan.participant.room
    return AnswerPlan(plan.participant, room, plan.start, plan.end, plan.source, plan)


def load_answer(plan: AnswerPlan) -> Answer:
    """Decode the answer (slow for MP3: run it off the UI thread). No store access."""
    if plan._piece is not None:
        pc = plan._piece
        try:
            data, sr = cliplib.read_span(pc.path, pc.start, pc.end)
        except cliplib.ClipError as e:
            raise audio_svc.AudioError(str(e)) from e
        mono = data[:, 0] if data.shape[1] == 1 else data.mean(axis=1).astype(np.int16)
        return Answer(plan, np.ascontiguousarray(mono), sr, 0.0, [Path(pc.path).name])
    cp = plan._clip
    try:
        clip, covered, sr, used = cliplib.assemble(cp.folder, cp.segments, cp.start, cp.end)
    except cliplib.ClipError as e:
        raise audio_svc.AudioError(str(e)) from e
    mono = clip[:, 0] if clip.shape[1] == 1 else clip.mean(axis=1).astype(np.int16)
    return Answer(plan, np.ascontiguousarray(mono), sr, (len(covered) - int(covered.sum())) / sr, used)


# -- the tasks' starts --------------------------------------------------------------------------
@dataclass(frozen=True)
class TaskMark:
    task: int
    seconds: float  # from the start of the answer


def _markers_file(store: Store, plan: AnswerPlan):
    folder, base = audio_svc.room_folder(store, plan.room)
    return mk.markers_path(folder, base)


def task_marks(store: Store, plan: AnswerPlan) -> list[TaskMark]:
    """The starts of the tasks inside this answer, from the room's markers (task order)."""
    out = []
    guid = plan.participant.guid
    for m in mk.load(_markers_file(store, plan)):
        if m.guid != guid or not m.source.startswith(TASK_SOURCE):
            continue
        try:
            n = int(m.source[len(TASK_SOURCE):])
        except ValueError:
            continue
        secs = (m.start_dt - plan.start).total_seconds()
        if 0 <= secs <= (plan.end - plan.start).total_seconds():
            out.append(TaskMark(n, secs))
    return sorted(out, key=lambda t: t.task)


def mark_task(store: Store, plan: AnswerPlan, task: int, seconds: float) -> TaskMark:
    """Remember that task `task` begins `seconds` into the answer (a marker beside the stream:
    the second expert of a re-check finds it too)."""
    p = plan.participant
    at = plan.start + timedelta(seconds=max(0.0, seconds))
    path = _markers_file(store, plan)
    path.parent.mkdir(parents=True, exist_ok=True)
    mk.upsert(path, mk.Marker(p.guid, p.code, at.isoformat(timespec="milliseconds"), None,
                              f"{TASK_SOURCE}{task}"))
    return TaskMark(task, max(0.0, seconds))


def next_task_to_mark(marks: list[TaskMark], seconds: float, tasks: int = 4) -> int:
    """The task whose start is being marked at `seconds`: the one after the last mark before."""
    before = [m.task for m in marks if m.seconds <= seconds + 1e-6]
    return min(tasks, (max(before) + 1) if before else 1)


def jump_target(marks: list[TaskMark], seconds: float, forward: bool = True) -> Optional[TaskMark]:
    """The next task start after `seconds` (or, backwards, the start before the current one)."""
    if forward:
        later = [m for m in marks if m.seconds > seconds + 0.5]
        return min(later, key=lambda m: m.seconds) if later else None
    earlier = [m for m in marks if m.seconds < seconds - 1.5]
    return max(earlier, key=lambda m: m.seconds) if earlier else None


# -- scoring -------------------------------------------------------------------------------------
def table_for(mode: str) -> Optional[str]:
    return RECHECK_TABLE if mode == RECHECK else None


def start_state(store: Store, p: Participant, mode: str = SCORE, expert: str = "") -> EntryState:
    """The protocol being scored. Scoring: the saved protocol if any (its own scores). The
    re-check: only the re-check's own protocol — the first scores are never loaded."""
    sch = scheme_for(store)
    room = next((r for r in store.rooms() if r.number == p.room), None)
    proto = store.get(Protocol, p.guid, table_for(mode))
    variant = ""
    if mode == RECHECK:
        first = store.get(Protocol, p.guid)
        variant = first.variant if first else ""  # the variant is not a score: shown
    else:
        expert = expert or expert_of_room(store, room)
    st = EntryState.start(sch, p, proto, variant=variant, expert=expert, scheme_no=2)
    st.scheme_no = 2
    return st


def room_scheme(store: Store, p: Participant) -> int:
    room: Optional[Room] = next((r for r in store.rooms() if r.number == p.room), None)
    return room.scheme if room else 1


def recheck_people(store: Store) -> list[Participant]:
    """Who has an application for a re-check (seed 004, 16.3), in room and list order."""
    apps = {a.participant for a in store.all(RecheckApplication)}
    return sorted((p for p in store.participants() if p.guid in apps), key=room_list_key)


def recheck_refusal(store: Store, p: Participant, expert: str) -> str:
    """Why this re-check cannot be saved, or ""."""
    if store.get(RecheckApplication, p.guid) is None:
        return (f"{p.short_fio}: нет заявления на повторную проверку — сначала примите его "
                f"(is-shtab recheck {p.code or p.guid} --applied ДАТА).")
    if not expert.strip():
        return "Укажите ФИО эксперта, который проводит повторную проверку."
    first = store.get(Protocol, p.guid)
    if first is not None and first.expert and fold(first.expert) == fold(expert):
        return ("К повторной проверке не допускается эксперт, оценивавший этот ответ "
                "(seed 004, п. 16.4): повторную проверку проводит другой эксперт.")
    return ""


def save_scores(store: Store, st: EntryState, plan: Optional[AnswerPlan], mode: str = SCORE
                ) -> ScoreResult:
    """Save the protocol as scored from the recording (scheme 2). Raises ProtocolRejected
    (services.protocols) or ListeningRefused."""
    if mode == RECHECK:
        why = recheck_refusal(store, st.participant, st.expert)
        if why:
            raise ListeningRefused(why)
    proto = st.protocol().model_copy(update={
        "scheme": 2, "from_recording": True,
        "recording": plan.text if plan is not None else "запись не прослушана на этом компьютере"})
    return save_protocol(store, proto, table_for(mode))


# -- the re-check compared ---------------------------------------------------------------------
@dataclass(frozen=True)
class CompareRow:
    code: str  # criterion code, or «итого» / «результат»
    first: str
    second: str

    @property
    def same(self) -> bool:
        return self.first == self.second


@dataclass
class Comparison:
    participant: Participant
    rows: list[CompareRow]
    first: ScoreResult
    second: ScoreResult
    first_expert: str
    second_expert: str

    @property
    def differences(self) -> list[CompareRow]:
        return [r for r in self.rows if not r.same]

    @property
    def outcome(self) -> str:
        a, b = self.first, self.second
        if a.passed == b.passed and a.total == b.total:
            return f"результат не изменён ({b.total} б., {b.result_label})"
        return f"результат изменён: {a.total} → {b.total} б., {a.result_label} → {b.result_label}"


def compare(store: Store, guid: str) -> Comparison:
    """The first protocol beside the re-check's, criterion by criterion, with both totals."""
    p = store.participant(guid)
    first = store.get(Protocol, guid)
    second = store.get(Protocol, guid, RECHECK_TABLE)
    if p is None or first is None or second is None:
        raise ListeningRefused("Для сравнения нужны оба протокола: первый и повторной проверки.")
    sch = scheme_for(store)
    a, b = score_protocol(sch, p, first), score_protocol(sch, p, second)

    def show(v) -> str:
        return "—" if v is None else str(v)

    rows = [CompareRow(c.code, show(first.scores.get(c.code)), show(second.scores.get(c.code)))
            for c in sch.criteria]
    rows.append(CompareRow("итого", str(a.total), str(b.total)))
    rows.append(CompareRow("результат", a.result_label, b.result_label))
    return Comparison(p, rows, a, b, first.expert, second.expert)


def record_outcome(store: Store, guid: str, on: Optional[date] = None) -> RecheckApplication:
    """Write the comparison's outcome into the application (the «ознакомление» list shows it)."""
    cmp_ = compare(store, guid)
    app = store.get(RecheckApplication, guid)
    if app is None:
        raise ListeningRefused("Нет заявления на повторную проверку этого участника.")
    app = app.model_copy(update={"outcome": cmp_.outcome})
    store.put(app)
    return app


def find_people(people: list[Participant], text: str) -> list[Participant]:
    """Whom the typed text means: a participant code, else the beginning of the surname
    (with an initial or the name after it). Until the shared picker (services/picker.py)
    lands on main, this is the station's lookup."""
    text = (text or "").strip()
    if not text:
        return []
    exact = [p for p in people if text in (p.code, p.guid, p.local_guid)]
    if exact:
        return exact
    tokens = [t for t in fold(text).replace(".", " ").split(" ") if t]
    sur, rest = tokens[0], tokens[1:]

    def given(p: Participant) -> bool:
        names = [fold(p.name), fold(p.patronymic)]
        return all(i < 2 and names[i].startswith(t) for i, t in enumerate(rest))

    hits = [p for p in people if fold(p.surname) == sur and given(p)]
    hits = hits or [p for p in people if fold(p.surname).startswith(sur) and given(p)]
    return sorted(hits, key=room_list_key)


def participant_line(p: Participant, scheme_no: int) -> str:
    bits = [p.fio, p.grade or "класс —", f"ауд. {p.room}" if p.room else "без аудитории",
            f"код {p.code}" if p.code else "без кода", f"схема {scheme_no}"]
    return " · ".join(bits)
