"""Every form built from the demo school, read back from the real PDF (pypdf and
poppler's pdftotext), page counts against the data, and no text outside its cell."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from support.workspaces import drop_demo_acts
from pypdf import PdfReader

from tui_app.domain.models import Participant, Protocol, ProtocolStatus, RoomLogEntry
from tui_app.domain.scoring import score_protocol
from tui_app.forms.context import FormError
from tui_app.forms.kit import PT, FormPDF
from tui_app.services.acts import create_act
from tui_app.services.data import scheme
from tui_app.services.demo import LONG_SURNAME
from tui_app.services.forms import build_form, build_pdf, context, normalize_form

LONG_FIO = " ".join(LONG_SURNAME)
ALL = ["ИС-01", "ИС-02", "ИС-03", "ИС-04", "ИС-08", "ИС-09", "заявление"]


def pages_text_pypdf(path: Path) -> list[str]:
    return [" ".join((pg.extract_text() or "").split()) for pg in PdfReader(str(path)).pages]


def pages_text(path: Path) -> list[str]:
    """Text per page by poppler's pdftotext (fast); pypdf where poppler is missing."""
    if not shutil.which("pdftotext"):
        return pages_text_pypdf(path)
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
                         capture_output=True, check=True).stdout.decode("utf-8")
    pages = [" ".join(t.split()) for t in out.split("\f")]
    if pages and not pages[-1]:
        pages.pop()
    assert len(pages) == len(PdfReader(str(path)).pages)
    return pages


def assert_all_fit(pdf: FormPDF) -> None:
    bad = [c for c in pdf.cells if not c.fits]
    assert not bad, "text wider/taller than its cell: " + "; ".join(
        f"p{c.page} «{c.text}» {c.text_w:.1f}>{c.w:.1f} or {c.text_h:.1f}>{c.h:.1f}" for c in bad[:5])
    assert len(pdf.cells) > 20


def long_participant(store) -> Participant:
    return next(p for p in store.participants() if p.surname == LONG_SURNAME[0])


@pytest.fixture
def ctx(demo_results_ws):
    return context(demo_results_ws.store)


# -- names of forms and files -------------------------------------------------------
@pytest.mark.parametrize("raw,code", [("ИС-01", "ИС-01"), ("IS-02", "ИС-02"), ("is03", "ИС-03"),
                                      ("ис-4", "ИС-04"), ("IS-08", "ИС-08"), ("ИС09", "ИС-09"),
                                      ("application", "заявление"), ("Заявление", "заявление")])
def test_form_names(raw, code):
    assert normalize_form(raw) == code


@pytest.mark.parametrize("raw", ["ИС-05", "IS-10", "протокол", ""])
def test_unknown_form_is_refused_in_russian(raw):
    with pytest.raises(FormError, match="[А-Яа-я]"):
        normalize_form(raw)


# -- ИС-01 --------------------------------------------------------------------------
def test_is01_lists_everyone_with_room_and_absence_mark(demo_results_ws, tmp_path):
    store = demo_results_ws.store
    [path] = build_form(store, "ИС-01", out_dir=tmp_path)
    assert path.name == "IS-01_470123_20270210.pdf"
    text = " ".join(pages_text_pypdf(path))
    assert "Форма ИС-01" in text and "Списки участников итогового собеседования" in text
    assert "470123" in text.replace(" ", "") and "10.02.2027" in text
    assert "Номер аудитории / отметка о неявке" in text
    people = store.participants()
    for p in people:
        assert p.fio in text, p.fio
    # the code follows the name: namesakes are told apart by it (issue 18)
    assert all(f"{p.fio} · {p.code}" in text for p in people if p.code and p.fio != LONG_FIO)
    absent = [p for p in people if p.absent]
    assert absent
    for p in absent:
        assert re.search(re.escape(p.fio) + r"(?: · \d+)? " + re.escape(p.room) + " Н", text), p.fio
    assert LONG_FIO in text


def test_is01_one_room(demo_results_ws, tmp_path):
    store = demo_results_ws.store
    [path] = build_form(store, "IS-01", room="101", out_dir=tmp_path)
    assert "room101" in path.name
    text = " ".join(pages_text(path))
    for p in store.participants():
        assert (p.fio in text) == (p.room == "101"), p.fio


# -- ИС-02 --------------------------------------------------------------------------
def test_is02_one_page_set_per_room_with_times_and_marks(demo_results_ws, tmp_path):
    store = demo_results_ws.store
    ctx = context(store)
    [path] = build_form(store, "ИС-02", out_dir=tmp_path)
    pages = pages_text(path)
    rooms = ctx.room_numbers()
    # group pages by the room in the page foot: every room has its own pages, in order
    foot = [re.search(r"ИС-02 · аудитория (\S+) · лист (\d+) из (\d+)", t).groups() for t in pages]
    assert [r for r, _, _ in foot] == sorted([r for r, _, _ in foot], key=rooms.index)
    assert {r for r, _, _ in foot} == set(rooms)
    for room in rooms:
        mine = [(k, n) for r, k, n in foot if r == room]
        assert [int(k) for k, _ in mine] == list(range(1, len(mine) + 1))
        assert all(int(n) == len(mine) for _, n in mine)
        assert len(mine) == (1 if len(ctx.in_room(room)) <= 20 else 2)
        text = " ".join(t for t, f in zip(pages, foot) if f[0] == room)
        assert f"Аудитория {room}" in text
        for p in ctx.in_room(room):
            assert p.fio in text and p.doc_number in text
            entry = ctx.log.get(p.guid)
            if entry and entry.start:
                assert f"{entry.start:%H:%M}" in text
        assert ctx.interlocutor(room) in text
    # the marks come from Protocol.status: one «X» per early / removed protocol of the room
    for room in rooms:
        text = " ".join(t for t, f in zip(pages, foot) if f[0] == room)
        marks = sum(1 for p in ctx.in_room(room) if ctx.protocols.get(p.guid)
                    and ctx.protocols[p.guid].status is not ProtocolStatus.PRESENT)
        assert len(re.findall(r"(?<![А-Яа-яA-Za-z])X(?![А-Яа-яA-Za-z])", text)) == marks


def test_is02_marks_follow_an_act(demo_results_ws, tmp_path):
    store = demo_results_ws.store
    p = long_participant(store)
    end = store.get(RoomLogEntry, p.guid).end
    create_act(store, p, "ИС-09", "Пользовался мобильным телефоном", "10:31")
    [path] = build_form(store, "ИС-02", room=p.room, out_dir=tmp_path)
    text = " ".join(pages_text(path))
    # both times: the ИС-02 end time stays, the act's time stands beside the mark (issue 17)
    assert re.search(re.escape(LONG_FIO) + r" \d{4} \d{6} 9\S \d\d:\d\d "
                     + end.strftime("%H:%M") + r" X акт 10:31", text), text[:2000]


# -- ИС-03 --------------------------------------------------------------------------
def test_is03_filled_one_page_per_protocol_with_scores(demo_results_ws, tmp_path):
    store = demo_results_ws.store
    ctx = context(store)
    [path] = build_form(store, "ИС-03", out_dir=tmp_path)
    pages = pages_text(path)
    assert len(pages) == len(ctx.protocols) > 100
    sch = scheme()
    by_fio = {}
    for t in pages:
        m = re.search(r"ФИО участника: (.+?) Класс:", t)
        by_fio[m.group(1)] = t
    assert len(by_fio) == len(pages)
    checked = {"pass": 0, "fail": 0, "skip": 0, "early": 0}
    for p in store.participants():
        proto = ctx.protocols.get(p.guid)
        if proto is None:
            assert p.fio not in by_fio
            continue
        t = by_fio[p.fio]
        assert "Форма ИС-03" in t and f"Номер варианта: {proto.variant}" in t
        assert f"Номер аудитории: {p.room}" in t and proto.expert in t
        res = score_protocol(sch, p, proto)
        results = t.split("Результат Зачёт Незачёт ")[1]
        m = re.match(r"Максимальный балл (\d+|—) (\d+|—) (\d+|—) (\d+) Балл, выставленный "
                     r"участнику(?: (\d+|—) (\d+|—) (\d+|—) (\d+) ?(X)?)?", results)
        assert m, t[-400:]
        assert int(m.group(4)) == sch.category(p.category).max
        if proto.status is ProtocolStatus.PRESENT:
            assert int(m.group(8)) == res.total
            assert [m.group(5), m.group(6), m.group(7)] == [
                str(res.subtotals[s.code]) if sch.subtotal_max(s, sch.category(p.category)) else "—"
                for s in sch.subtotals]
            checked["pass" if res.passed else "fail"] += 1
            # Ч1 … of task 1, skipped criteria as «—»
            row = re.search(r"Название критерия Ч1 Ч2 Ч3 Итого Максимальный балл 1 1 1 (?:\d|—) "
                            r"Балл, выставленный участнику (\S+) (\S+) (\S+)", t).groups()
            cat = sch.category(p.category)
            for code, got in zip(["Ч1", "Ч2", "Ч3"], row):
                want = str(proto.scores[code]) if code in cat.criteria else "—"
                assert got == want, (p.fio, code)
                checked["skip"] += want == "—"
        else:
            assert m.group(5) is None  # no points, no result
            checked["early"] += 1
    assert all(checked.values()), checked


def test_is03_blank_prefilled_for_each_attendee(demo_results_ws, tmp_path):
    store = demo_results_ws.store
    ctx = context(store)
    [path] = build_form(store, "ИС-03", room="102", blank=True, out_dir=tmp_path)
    assert path.name == "IS-03_470123_20270210_room102_blank.pdf"
    pages = pages_text(path)
    people = [p for p in ctx.in_room("102") if not p.absent]
    assert len(pages) == len(people)
    for p, t in zip(people, pages):
        assert f"ФИО участника: {p.fio}" in t and f"Класс: {p.grade}" in t
        assert "Номер аудитории: 102" in t
        assert ctx.expert("102") in t
        assert not re.search(r"участнику \d", t)  # no points on a blank


def test_is03_ovz_category_marks_skipped_criteria(demo_results_ws, tmp_path):
    store = demo_results_ws.store
    deaf = next(p for p in store.participants() if p.category == "deaf")
    [path] = build_form(store, "ИС-03", participant=deaf.code, blank=True, out_dir=tmp_path)
    [t] = pages_text(path)
    assert "Балл, выставленный участнику — — — —" in t  # task 1 not scored
    assert "максимум 10" in t and "зачёт от 5" in t


# -- ИС-04 --------------------------------------------------------------------------
def test_is04_rows_scores_and_repeated_headers(demo_results_ws, tmp_path):
    store = demo_results_ws.store
    ctx = context(store)
    [path] = build_form(store, "ИС-04", out_dir=tmp_path)
    reader = PdfReader(str(path))
    assert all(pg.mediabox.width > pg.mediabox.height for pg in reader.pages)  # landscape
    pages = pages_text(path)
    assert len(pages) > 1
    for t in pages:  # the header rows on every page
        assert "Форма ИС-04" in t and "ФИО участника" in t
        for group in ("Задание 1 Ч1 Ч2 Ч3", "Задание 2 П1 П2 П3", "Задание 3 М1 М2",
                      "Задание 4 Д1", "Грамотность речи Р1 Р2 Р3 Р4"):
            assert group in t
    text = " ".join(pages)
    sch = scheme()
    rows = 0
    for p in store.participants():
        proto = ctx.protocols.get(p.guid)
        if proto is None:
            continue
        rows += 1
        if proto.status is ProtocolStatus.PRESENT and p.surname != LONG_SURNAME[0]:
            res = score_protocol(sch, p, proto)
            cells = " ".join(str(proto.scores[c]) if c in sch.category(p.category).criteria
                             else "—" for c in sch.b2p_order)
            assert f"{p.fio} {p.grade} {p.room} {proto.variant} {cells} {res.total} " \
                   f"{res.result_label}" in text, p.fio
    assert re.findall(r"(\d+) \S+ \S+ \S+ \S+ \d+ 1\d? ?", text)  # numbered rows
    assert f"{rows} " in text


# -- acts and the application -----------------------------------------------------------
def test_acts_printed_from_participant_and_act(demo_results_ws, tmp_path):
    store = demo_results_ws.store
    drop_demo_acts(store)
    p = long_participant(store)
    create_act(store, p, "ИС-08", "Плохое самочувствие, вызван медицинский работник", "11:07",
               signed_by=["Ефремова С. А.", "Носов А. О."])
    [path] = build_form(store, "ИС-08", out_dir=tmp_path)
    [t] = pages_text_pypdf(path)
    assert t == pages_text(path)[0] or LONG_SURNAME[0] in pages_text(path)[0]
    for want in ("ИС-08", "АКТ", "о досрочном завершении итогового собеседования",
                 LONG_SURNAME[0], LONG_SURNAME[1], LONG_SURNAME[2], p.doc_series, p.doc_number,
                 f"{p.birth_date:%d.%m.%Y}", "Плохое самочувствие", "11 : 07",
                 "Ефремова С. А.", "Носов А. О.", "10 число 02 месяц 2027 год", "10.02.2027", "470123"[:1],
                 "(регион)", "(код МСУ)", "(номер учебного кабинета)", p.room):
        assert want in t, want
    assert "Участник итогового собеседования" not in t


def test_is09_has_participant_signature(demo_results_ws, tmp_path):
    store = demo_results_ws.store
    p = next(x for x in store.participants() if not x.absent and x.surname.startswith("Б"))
    create_act(store, p, "IS-09", "Разговаривал с другим участником", "09:48")
    [path] = build_form(store, "IS-09", participant=p.code, out_dir=tmp_path)
    [t] = pages_text(path)
    assert "об удалении участника итогового собеседования" in t and "ИС-09" in t
    assert f"Участник итогового собеседования" in t and p.short_fio in t
    assert "09 : 48" in t and p.surname in t


def test_blank_acts_and_no_act_message(demo_results_ws, tmp_path):
    store = demo_results_ws.store
    drop_demo_acts(store)
    with pytest.raises(FormError, match="Актов ИС-08 нет"):
        build_form(store, "ИС-08", out_dir=tmp_path)
    [path] = build_form(store, "ИС-08", blank=True, out_dir=tmp_path)
    [t] = pages_text(path)
    assert "ИС-08" in t and "Фамилия" in t


def test_application_prefilled_one_page_each(demo_results_ws, tmp_path):
    store = demo_results_ws.store
    p = long_participant(store)
    [path] = build_form(store, "application", participant=p.code, out_dir=tmp_path)
    assert path.name.startswith("zayavlenie_470123_20270210_")
    [t] = pages_text(path)
    assert "Заявление об участии в итоговом собеседовании по русскому языку" in t
    assert " ".join(LONG_SURNAME[0].upper()) in t  # letter cells
    assert " ".join(p.doc_number) in t and "Приложение 1" in t
    [path] = build_form(store, "заявление", room="101", out_dir=tmp_path)
    assert len(PdfReader(str(path)).pages) == len(context(store).in_room("101"))


# -- fit: nothing overflows ----------------------------------------------------------
@pytest.mark.parametrize("form", ALL)
def test_no_text_overflows_its_cell(demo_results_ws, form):
    store = demo_results_ws.store
    p = long_participant(store)
    if form in ("ИС-08", "ИС-09"):
        create_act(store, p, form, "Очень длинная причина " * 12, "10:00")
    ctx = context(store)
    who = p if form in ("ИС-08", "ИС-09", "заявление") else None
    for blank in (False, True):
        pdf = build_pdf(ctx, form, blank=blank, participant=who)
        assert_all_fit(pdf)
        long_cells = [c for c in pdf.cells if LONG_SURNAME[0] in c.text]
        if not blank or form == "ИС-03":
            assert long_cells and all(c.fits for c in long_cells), (form, blank)


def test_long_name_inside_its_column_by_pdftotext_bbox(demo_results_ws, tmp_path):
    """Independent of the kit's own records: poppler's word boxes of the long name lie
    inside the ФИО column of ИС-01 and inside the page of ИС-04."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    store = demo_results_ws.store
    for form, col_right_mm in (("ИС-01", 210 - 12 - 48), ("ИС-04", None)):
        [path] = build_form(store, form, out_dir=tmp_path)
        html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
        words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">'
                           r'([^<]+)</word>', html)
        pagew = [float(w) for w in re.findall(r'<page width="([\d.]+)"', html)]
        hits = [(float(a), float(b)) for a, b, w in words if "Константинопольская" in w]
        assert hits, form
        for x0, x1 in hits:
            assert x0 >= 15 / PT - 1
            limit = col_right_mm / PT if col_right_mm else pagew[0] - 10 / PT
            assert x1 <= limit, (form, x1, limit)


def test_kit_shrinks_then_wraps():
    pdf = FormPDF()
    pdf.add_page()
    short = pdf.box(10, 10, 60, 7, "Иванов Иван", size=11)
    assert short.size == 11 and len(short.lines) == 1
    long = pdf.box(10, 20, 60, 7, LONG_FIO, size=11)
    assert long.fits and long.size < 11
    tall = pdf.box(10, 30, 40, 12, LONG_FIO, size=11)
    assert tall.fits and len(tall.lines) >= 2
    assert tall.lines[0].endswith("-")  # broke after the hyphen of the double surname
    tiny = pdf.box(10, 50, 6, 4, LONG_FIO, size=11)
    assert not tiny.fits  # the records do see an overflow when there is one


# -- the checklist mark and refusals -------------------------------------------------
def test_printing_is01_02_03_marks_forms_printed(demo_results_ws, tmp_path):
    store = demo_results_ws.store
    assert not store.settings().forms_printed
    build_form(store, "ИС-01", out_dir=tmp_path)
    build_form(store, "ИС-02", out_dir=tmp_path)
    assert not store.settings().forms_printed
    build_form(store, "ИС-03", blank=True)
    assert store.settings().forms_printed is True
    assert (demo_results_ws.root / "forms" / "IS-03_470123_20270210_blank.pdf").exists()


def test_refusals_in_russian(demo_ws, ws, tmp_path):
    with pytest.raises(FormError, match="не найдена"):
        build_form(demo_ws.store, "ИС-02", room="999", out_dir=tmp_path)
    with pytest.raises(FormError, match="протоколы ИС-03 ещё не внесены"):
        build_form(demo_ws.store, "ИС-03", out_dir=tmp_path)
    with pytest.raises(FormError, match="распределите"):
        build_form(demo_ws.store, "ИС-02", out_dir=tmp_path)
    with pytest.raises(FormError, match="не найден"):
        build_form(demo_ws.store, "ИС-03", participant="нет-такого", out_dir=tmp_path)
    with pytest.raises(FormError, match="день не задан"):
        build_form(ws.store, "ИС-01", out_dir=tmp_path)
    [path] = build_form(ws.store, "ИС-01", blank=True, out_dir=tmp_path)  # blank: always
    assert "Списки участников" in pages_text(path)[0]


def test_file_names_are_ascii_for_fat32(demo_results_ws, tmp_path):
    store = demo_results_ws.store
    from tui_app.domain.models import Room

    p = next(x for x in store.participants() if not x.absent)
    store.put(Room(number="Спортзал"))
    store.put(p.model_copy(update={"room": "Спортзал"}))
    [path] = build_form(store, "ИС-02", room="Спортзал", out_dir=tmp_path)
    assert path.name == "IS-02_470123_20270210_roomsportzal.pdf"
    assert path.name.isascii()
    text = " ".join(pages_text(path))
    assert "Аудитория Спортзал" in text and p.fio in text


def test_progress_reaches_the_end_after_the_file_is_written(demo_results_ws, tmp_path):
    seen = []

    def path_exists():
        return any(tmp_path.glob("*.pdf"))

    build_form(demo_results_ws.store, "ИС-03", blank=True, out_dir=tmp_path,
               progress=lambda done, total: seen.append((done, total, path_exists())))

    assert len(seen) > 3
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)
    done, total, written = seen[-1]
    assert done == total and written
    assert all(not w for d, t, w in seen[:-1])


def test_text_width_is_fpdf2s_width_of_the_same_text():
    """kit.text_width sums cached glyph widths (so a long name tried at many sizes is measured
    once); it must equal fpdf2's own measure of the whole string at every size and style, and
    leave the current font as it was."""
    import random

    from tui_app.forms.kit import FONT, FormPDF

    pdf = FormPDF("P")
    rng = random.Random(16)
    alphabet = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя -–—.,()«»№0189AZaz'"
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 200)))
        size, style = rng.choice([5, 5.5, 8, 10, 11, 14]), rng.choice(["", "B", "I"])
        pdf.set_font(FONT, "B", 9)
        ours = pdf.text_width(text, size, style)
        assert (pdf.font_style, pdf.font_size_pt) == ("B", 9)
        pdf.set_font(FONT, style, size)
        assert ours == pytest.approx(pdf.get_string_width(text), abs=1e-9)


def test_kit_encodes_text_as_fpdf2_does():
    """The kit writes text with its own per-document table of character codes (TextCodes);
    for any sequence of texts it must give fpdf2's encode_text string and number the font
    subset in the same order: Russian text (the fast path), characters outside cp1251 or
    without a glyph, and the ones PDF escapes (parentheses, backslash, CR)."""
    import random

    from tui_app.forms.kit import FONT, FormPDF

    rng = random.Random(16)
    alphabet = ("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя -–—.,«»№"
                "0189AZaz'()\\\r" "ÄőŁǅ" "字☃")
    ours, theirs = FormPDF("P"), FormPDF("P")
    for pdf in (ours, theirs):
        pdf.set_font(FONT, "", 10)
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 200)))
        if rng.random() < 0.5:  # mostly Russian: the fast path once the letters are known
            text = "".join(ch for ch in text if ch.isalpha() and ch < "ё") or "а"
        assert ours._encode(ours.current_font, text) == theirs.current_font.encode_text(text)
    a, b = ours.current_font, theirs.current_font
    assert a.subset._char_id_per_glyph == b.subset._char_id_per_glyph
    assert a.missing_glyphs == b.missing_glyphs


def _reference_layout(pdf, text, w, h, size, style="", wrap=True, min_size=5.0, shrink_first=0.8):
    """layout() as it was before it skipped sizes and reused measures (fe3d734): every
    size tried one by one, every wrap done to the end, every width measured anew (a
    candidate line as the whole string, as fpdf2 would measure it)."""
    import math

    from tui_app.forms.kit import LINE, PAD, PT

    def tw(t, s):
        pdf._widths.clear()
        return pdf.text_width(t, s, style)

    def do_wrap(text, s, avail):
        words = []
        for word in text.split():
            if tw(word, s) <= avail or "-" not in word[1:-1]:
                words.append(word)
            else:
                parts = word.split("-")
                words.extend(p + "-" for p in parts[:-1])
                words.append(parts[-1])
        lines, cur = [], ""
        for word in words:
            glue = "" if (not cur or cur.endswith("-")) else " "
            cand = f"{cur}{glue}{word}"
            if not cur or tw(cand, s) <= avail:  # the candidate line measured whole
                cur = cand
                continue
            lines.append(cur)
            cur = word
        if cur:
            lines.append(cur)
        out = []
        for line in lines:
            while tw(line, s) > avail and len(line) > 1:
                fit = 1  # the most first letters that fit (at least one)
                while fit < len(line) and tw(line[:fit + 1], s) <= avail:
                    fit += 1
                cut = min(fit, len(line) - 1)
                out.append(line[:cut])
                line = line[cut:]
            out.append(line)
        return out

    avail_w = w - 2 * PAD
    text = " ".join(str(text).split())
    if not text:
        return size, []
    s = size
    while s >= max(min_size, size * shrink_first):
        if tw(text, s) <= avail_w and s * PT * LINE <= h:
            return s, [text]
        s -= 0.5
    s = size
    while True:
        if tw(text, s) <= avail_w and s * PT * LINE <= h:
            return s, [text]
        floor = tw(text, s) - text.count(" ") * tw(" ", s)
        if wrap and (" " in text or "-" in text) and \
                math.ceil(floor / avail_w - 1e-9) * s * PT * LINE <= h:
            lines = do_wrap(text, s, avail_w)
            if len(lines) * s * PT * LINE <= h and all(tw(ln, s) <= avail_w for ln in lines):
                return s, lines
        if s <= min_size:
            break
        s = max(min_size, s - 0.5)
    return s, (do_wrap(text, s, avail_w) if wrap else [text])


def test_layout_gives_what_trying_every_size_gives():
    """layout() passes over sizes that surely do not fit, stops wraps early, measures a
    text once for its words and lines: the size and lines must be exactly those of trying
    every size and wrapping to the end, for names of every length in cells of every shape."""
    import random

    from tui_app.forms.kit import FormPDF

    pdf = FormPDF("P")
    rng = random.Random(24)
    syllables = ["Ива", "нова", "Кон", "стан", "тино", "поль", "ская", "-", "-", " ", " ", " ",
                 "Ёлки", "на", "О'", "щ", "а", "(Мария)", "—"]
    for _ in range(1500):
        text = "".join(rng.choice(syllables) for _ in range(rng.randint(1, 60)))
        w = rng.choice([6, 12, 20, 35, 48, 60, 90, 121, 180]) + rng.random()
        h = rng.choice([3, 4.5, 6, 7, 9, 12, 20]) + rng.random()
        size = rng.choice([7, 8, 9, 10, 11, 12, 13])
        shrink = rng.choice([0.8, 1.0])
        wrap = rng.random() < 0.9
        expected = _reference_layout(pdf, text, w, h, size, "", wrap, 5.0, shrink)
        assert pdf.layout(text, w, h, size, "", wrap, 5.0, shrink) == \
            (expected[0], list(expected[1])), (text, w, h, size)
    # two neighbouring words about as wide as the line: the cases the pair floor decides
    from tui_app.forms.kit import LINE, PAD, PT
    for _ in range(600):
        long = "Константинопольская-Ёлкина Щ" * 3
        words = [long[:rng.randint(4, 30)].strip() or "а" for _ in range(rng.randint(2, 5))]
        text = " ".join(words)
        s_t = rng.choice([5.5, 6, 7, 8.5, 10])
        pair = pdf.text_width(f"{words[0]} {words[1]}", s_t)
        w = pair * (1 + rng.uniform(-0.03, 0.03)) + 2 * PAD
        h = rng.choice([1.5, 2.5, 3.5]) * s_t * PT * LINE
        expected = _reference_layout(pdf, text, w, h, 11)
        assert pdf.layout(text, w, h, 11) == (expected[0], list(expected[1])), (text, w, h)


def test_words_of_a_wrap_are_their_plain_sums():
    """The kit's words of a text (_Words: running sums with the glue, neighbour pairs, the
    widest hyphenated word, a line's text) are the plain definitions, on both of its ways
    (every glue a space, or some word ending in a hyphen before another)."""
    import random

    from tui_app.forms.kit import _Words

    rng = random.Random(16)
    for _ in range(3000):
        words = ["".join(rng.choice("аб-") for _ in range(rng.randint(1, 6)))
                 for _ in range(rng.randint(1, 7))]
        units = [rng.randint(0, 3000) for _ in words]
        space = rng.choice([0, 250, 333])
        m = _Words(words, units, space)
        glues = [0] + [0 if w.endswith("-") else space for w in words[:-1]]
        assert m.glues == glues
        assert m.sums == [sum(units[:i]) + sum(glues[:i]) for i in range(len(words) + 1)]
        assert m.pairs == sorted(units[i] + glues[i + 1] + units[i + 1]
                                 for i in range(len(words) - 1))
        assert m.widest == max([u for w, u in zip(words, units) if "-" in w[1:-1]], default=0)
        for i in range(len(words)):
            for j in range(i + 1, len(words) + 1):
                expected = words[i] + "".join(
                    w if words[r - 1].endswith("-") else " " + w
                    for r, w in zip(range(i + 1, j), words[i + 1:j]))
                assert m.line(i, j) == expected
