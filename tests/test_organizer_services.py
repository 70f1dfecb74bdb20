"""Roster, rooms, moves and staff: every operation without a screen."""
from __future__ import annotations

import re

from datetime import date

import pytest

from tui_app.domain.models import Attendance, Protocol, Role, Room, StaffMember
from tui_app.services import distribute as dist
from tui_app.services import roster, rooms, staff
from tui_app.services.protocols import ProtocolRejected, save_protocol
from tui_app.services.summary import summarize


def test_search_and_filters(demo_ws):
    ps = demo_ws.store.participants()
    hits = roster.filter_participants(ps, roster.RosterFilter(text="Пономарёва-С"))
    assert [p.surname for p in hits] == ["Пономарёва-Соловьёва"]
    # «е» finds «ё», any case
    assert roster.filter_participants(ps, roster.RosterFilter(text="поноМАРЕВА-сол")) == hits
    assert all(p.surname.startswith("Пономарёва")
               for p in roster.filter_participants(ps, roster.RosterFilter(text="Поно")))
    ovz = roster.filter_participants(ps, roster.RosterFilter(ovz=True))
    assert len(ovz) == 8 and all(p.reserve == "22" for p in ovz)
    grade = roster.filter_participants(ps, roster.RosterFilter(grade="9Б"))
    assert grade and all(p.grade == "9Б" for p in grade)
    assert len(roster.filter_participants(ps, roster.RosterFilter(room=roster.NO_ROOM))) == 120
    assert roster.filter_participants(ps, roster.RosterFilter(attendance=Attendance.ABSENT)) == []
    assert roster.grades(ps) == ["9А", "9Б", "9В", "9Г"]


def test_edit_participant_sets_category_and_reserve(demo_ws):
    store = demo_ws.store
    p = next(p for p in store.participants() if not p.is_ovz)
    new = roster.edit_participant(store, p.guid, category="autism")
    assert new.category == "autism" and new.reserve == "22" and new.is_ovz
    assert store.participant(p.guid).category == "autism"
    back = roster.edit_participant(store, p.guid, category="general")
    assert back.reserve == "" and not back.is_ovz
    with pytest.raises(roster.RosterError, match="Неизвестная категория"):
        roster.edit_participant(store, p.guid, category="nope")
    with pytest.raises(roster.RosterError, match="фамилия: не заполнено"):
        roster.edit_participant(store, p.guid, surname="")
    with pytest.raises(roster.RosterError, match="Аудитории 999 нет"):
        roster.edit_participant(store, p.guid, room="999")
    # the audit log keeps the change but no personal data
    text = store.audit.path.read_text(encoding="utf-8")
    assert "autism" in text and p.surname not in text


def test_add_missing_participant(demo_ws):
    store = demo_ws.store
    new = roster.add_participant(store, "Новикова", "Ольга", "Петровна", "9В",
                                 birth_date=date(2011, 5, 4), sex="Ж", room="102")
    assert new.added_locally and new.room == "102" and new.order == 1
    assert store.participant(new.guid).added_locally
    with pytest.raises(roster.RosterError, match="уже есть в списке"):
        roster.add_participant(store, "Новикова", "Ольга", "Петровна", birth_date=date(2011, 5, 4))
    with pytest.raises(roster.RosterError, match="имя: не заполнено"):
        roster.add_participant(store, "Петров", "")
    assert len(store.participants()) == 121


def test_a_typed_or_pasted_name_is_held_to_the_rules_of_a_file(demo_ws):
    """An invisible character pasted with a name (a zero-width space from a web page, a bidi
    override) or a name past its limit is refused as an import would refuse it; a name
    pasted in decomposed form («и» + U+0306) is stored with its ordinary «й», and found as
    one typed with it."""
    store = demo_ws.store
    before = len(store.participants())
    for bad, words in (("Ива\u200bнов", "U+200B"), ("Ива\u202eнов", "U+202E"),
                       ("Я" * 61, "не больше 60")):
        with pytest.raises(roster.RosterError, match=re.escape(words)):
            roster.add_participant(store, bad, "Иван", grade="9А")
    p = store.participants()[0]
    with pytest.raises(roster.RosterError, match="невидимый символ U\\+00AD"):
        roster.edit_participant(store, p.guid, name="Ан\xadна")
    assert len(store.participants()) == before and store.participant(p.guid) == p
    new = roster.add_participant(store, "Сергеи\u0306кина", "Алёна", grade="9А")
    assert store.participant(new.guid).surname == "Сергейкина"


def test_one_document_one_participant_when_typed_too(demo_ws):
    """As at import: a participant added or edited on screen under another's document is
    refused (spaces, case and a Latin look-alike make no other document)."""
    store = demo_ws.store
    p = next(x for x in store.participants() if x.doc_number)
    other = next(x for x in store.participants() if x.guid != p.guid)
    before = len(store.participants())
    with pytest.raises(roster.RosterError, match="один документ — один участник"):
        roster.add_participant(store, "Ивaнов", "Иван", grade="9А", doc_series=p.doc_series,
                               doc_number=" ".join(p.doc_number))
    with pytest.raises(roster.RosterError, match=re.escape(p.short_fio)):
        roster.edit_participant(store, other.guid, doc_series=p.doc_series,
                                doc_number=p.doc_number)
    assert len(store.participants()) == before and store.participant(other.guid) == other
    roster.edit_participant(store, p.guid, grade=p.grade)  # its own document: no question


def test_absent_mark_and_protocol_exclude_each_other(demo_results_ws):
    store = demo_results_ws.store
    protocols = store.protocols()
    with_proto = next(p for p in store.participants() if p.guid in protocols)
    with pytest.raises(roster.RosterError, match="уже внесён протокол"):
        roster.set_absent(store, with_proto.guid)
    assert store.participant(with_proto.guid).attendance is not Attendance.ABSENT
    free = roster.add_participant(store, "Новиков", "Олег", grade="9А", room="101")
    marked = roster.toggle_absent(store, free.guid)
    assert marked.absent and marked.room_mark == f"{free.room} Н"
    # an absentee cannot get a protocol
    with pytest.raises(ProtocolRejected):
        save_protocol(store, Protocol(participant=free.guid, room=free.room, variant="1",
                                      expert="Эксперт Э. Э.", scores={}))
    assert not roster.toggle_absent(store, free.guid).absent


def test_review_flag_reaches_the_checklist(demo_ws):
    store = demo_ws.store
    assert not roster.is_reviewed(store)
    roster.mark_reviewed(store)
    item = next(done for done, text in summarize(store).checklist if text.startswith("Проверить список"))
    assert item


def test_rooms_crud(demo_ws):
    store = demo_ws.store
    r = rooms.create_room(store, "301", 12, accessible=True)
    assert store.get(Room, "301") == r
    with pytest.raises(rooms.RoomError, match="уже есть"):
        rooms.create_room(store, "301")
    with pytest.raises(rooms.RoomError, match="вместимость"):
        rooms.create_room(store, "302", capacity=0)
    rooms.edit_room(store, "301", capacity=20, note="2 этаж")
    assert store.get(Room, "301").capacity == 20
    dist.move(store, [store.participants()[0].guid], "301")
    with pytest.raises(rooms.RoomError, match="сначала переместите"):
        rooms.remove_room(store, "301")
    with pytest.raises(rooms.RoomError, match="номер менять нельзя"):
        rooms.edit_room(store, "301", new_number="303")
    dist.move(store, [store.participants()[0].guid], "")
    rooms.edit_room(store, "301", new_number="303")
    rooms.remove_room(store, "303")
    assert store.get(Room, "303") is None and store.get(Room, "301") is None


@pytest.mark.parametrize("number,words", [
    ("1/2", "«/»"), ("CON", "зарезервированное имя"), ("101.", "оканчивается точкой"),
    ("１０１", "выглядит как «101»"), ("Я" * 11, "от 1 до 10 символов"), ("1\u200b01", "U+200B"),
    ("101A", "совпал бы с аудиторией «101А»"),  # a Latin A beside the Cyrillic А of 101А
])
def test_a_room_number_typed_is_held_to_the_rules_of_a_file(demo_ws, number, words):
    """The screen and the CLI take a room number only if an import would (it names the
    folders and files of its recordings on a FAT stick), and not one whose recordings would
    be named as another room's."""
    store = demo_ws.store
    rooms.create_room(store, "101А")
    before = [r.number for r in store.rooms()]
    with pytest.raises(rooms.RoomError, match=re.escape(words)):
        rooms.create_room(store, number)
    rooms.create_room(store, "301")
    with pytest.raises(rooms.RoomError, match=re.escape(words)):
        rooms.edit_room(store, "301", new_number=number)
    assert sorted(r.number for r in store.rooms()) == sorted(before + ["301"])


def test_room_keeps_ovz_accessible(demo_ws):
    store = demo_ws.store
    dist.auto_distribute(store)
    with pytest.raises(rooms.RoomError, match="участники с ОВЗ"):
        rooms.edit_room(store, "101", accessible=False)
    with pytest.raises(rooms.RoomError, match="больше, чем"):
        rooms.edit_room(store, "102", capacity=5)


def test_move_one_and_many(demo_ws):
    store = demo_ws.store
    dist.auto_distribute(store)
    rooms.edit_room(store, "201", capacity=40)
    ps = store.participants()
    from_102 = [p for p in ps if p.room == "102" and not p.is_ovz][:3]
    moved = dist.move(store, [p.guid for p in from_102], "201")
    assert len(moved) == 3
    after = {p.guid: p for p in store.participants()}
    in_201 = sorted(p.order for p in after.values() if p.room == "201")
    assert in_201 == list(range(1, len(in_201) + 1))
    in_102 = sorted(p.order for p in after.values() if p.room == "102")
    assert in_102 == list(range(1, len(in_102) + 1))  # the gaps are closed
    ovz = next(p for p in ps if p.is_ovz)
    with pytest.raises(dist.DistributeError, match="участник с ОВЗ"):
        dist.move(store, [ovz.guid], "102")
    seated_101 = sum(1 for p in store.participants() if p.room == "101")
    rooms.edit_room(store, "101", capacity=seated_101)  # room 101 is now full
    full = [p.guid for p in ps if p.room == "202"][:1]
    with pytest.raises(dist.DistributeError, match="не помещаются"):
        dist.move(store, full, "101")
    with pytest.raises(dist.DistributeError, match="нет"):
        dist.move(store, full, "999")


def test_move_refused_after_protocol(demo_results_ws):
    store = demo_results_ws.store
    g = next(iter(store.protocols()))
    rooms.create_room(store, "301", 10)
    with pytest.raises(dist.DistributeError, match="протокол уже внесён"):
        dist.move(store, [g], "301")


def test_staff_crud_and_assignment(demo_ws):
    store = demo_ws.store
    m = staff.add_staff(store, "Кузнецова Анна Павловна", Role.EXPERT, room="102")
    assert store.get(Room, "102").expert == m.id
    assert staff.room_expert(store, "102") == "Кузнецова Анна Павловна"
    # the previous expert of 102 lost the room
    prev = [s for s in store.all(StaffMember) if s.role is Role.EXPERT and s.room == "102"]
    assert [s.id for s in prev] == [m.id]
    p = store.participants()[0]
    dist.move(store, [p.guid], "102") if len([q for q in store.participants() if q.room == "102"]) < 30 else None
    assert staff.default_expert(store, p.guid) == "Кузнецова Анна Павловна"
    staff.assign(store, m.id, "201")
    assert store.get(Room, "201").expert == m.id and store.get(Room, "102").expert == ""
    edited = staff.edit_staff(store, m.id, role=Role.INTERLOCUTOR)
    assert edited.room == "201" and store.get(Room, "201").interlocutor == m.id
    assert store.get(Room, "201").expert == ""
    staff.remove_staff(store, m.id)
    assert store.get(Room, "201").interlocutor == ""
    with pytest.raises(staff.StaffError):
        staff.add_staff(store, "", Role.EXPERT)
    with pytest.raises(staff.StaffError, match="Аудитории 999 нет"):
        staff.add_staff(store, "Иванов И. И.", Role.EXPERT, room="999")
    assert all(s.fio != "Иванов И. И." for s in store.all(StaffMember))  # all or nothing


def test_cli_distribute_and_timetable(tmp_path, capsys):
    from tui_app.cli import main

    ws = str(tmp_path / "w")
    assert main(["-w", ws, "demo"]) == 0
    assert main(["-w", ws, "distribute"]) == 0
    out = capsys.readouterr().out
    # 40 seats a room: the demo school balances by time, every room ends in the same slot
    assert "Распределено участников: 120" in out and "увеличьте вместимость" not in out
    spread = int(re.search(r"Разница окончания аудиторий: (\d+) мин", out).group(1))
    assert spread <= 16, out
    end_102 = re.search(r"аудитория 102: участников \d+, 09:00–(\d\d:\d\d)", out).group(1)
    assert main(["-w", ws, "timetable", "--room", "102"]) == 0
    out = capsys.readouterr().out
    assert f"Расписание: аудитория 102, 09:00–{end_102}" in out and "09:00–09:16 (16 мин.)" in out
    assert main(["-w", ws, "timetable", "--room", "999"]) == 2
    assert "Аудитории 999 нет" in capsys.readouterr().err


def test_edit_room_goes_through_move_checks(demo_ws):
    store = demo_ws.store
    dist.auto_distribute(store)
    ps = store.participants()
    ovz = next(p for p in ps if p.is_ovz)
    with pytest.raises(roster.RosterError, match="участник с ОВЗ"):
        roster.edit_participant(store, ovz.guid, room="102", grade="9Д")
    assert store.participant(ovz.guid).grade == ovz.grade  # all or nothing
    plain = next(p for p in ps if p.room == "102")
    changed = roster.edit_participant(store, plain.guid, category="autism")
    assert "не доступна для участников с ОВЗ" in roster.placement_warning(store, changed)
    seated_201 = sum(1 for p in store.participants() if p.room == "201")
    rooms.edit_room(store, "201", capacity=seated_201 + 1)
    moved = roster.edit_participant(store, plain.guid, room="201", category="general")
    assert moved.room == "201" and moved.order == seated_201 + 1 and not moved.is_ovz
