"""Scans of the signed ИС-02/ИС-03 in the handoff (issue 20, seed 004 «в электронном виде»):
a scanner's folder of PDF/JPEG (a hidden folder too) — each named by the rule or refused with
the reason; the checklist item «ведомости всех аудиторий отсканированы» when the region wants
them; the handoff asks while some are missing, then carries them, listed in SHA256SUMS."""
from __future__ import annotations

import io

from PIL import Image

from support.cli import run_cli
from support.sums import sha256sum_check
from tui_app.services import handoff as ho
from tui_app.services import scans as sc
from tui_app.services.summary import summarize
from tui_app.store.workspace import Workspace


def jpeg(shade: int) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (60, 80), shade).save(buf, "JPEG")
    return buf.getvalue()


def scanner(folder):
    def pdf(n: int) -> bytes:
        return b"%PDF-1.4\n%page " + str(n).encode() + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

    files = {
        "Ведомость ауд 101.pdf": pdf(1),
        "IS-03_room101.jpg": jpeg(200),
        ".scanner/протокол 102 стр1.jpeg": jpeg(120),  # a scanner's hidden temp folder
        "scan0007.pdf": pdf(7),  # nothing says which form or room
        "photo.jpg": b"not a jpeg at all",
    }
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    return files


def test_scans_named_by_the_rule_in_the_checklist_and_the_handoff(demo_results_dir, tmp_path):
    src = tmp_path / "scanner"
    files = scanner(src)
    r = run_cli("scans", "add", str(src), ws=demo_results_dir)
    assert r.returncode == 1  # two refused
    out = r.stdout
    assert "Ведомость ауд 101.pdf: ИС-02, аудитория 101" in out
    assert ".scanner/протокол 102 стр1.jpeg: ИС-03, аудитория 102" in out
    assert "scan0007.pdf: не добавлен — не понятно, ИС-02 это или ИС-03" in out
    assert "photo.jpg: не добавлен — это не JPG (содержимое не совпадает с расширением)" in out
    assert "Добавлено сканов: 3, не добавлено: 2." in out
    kept = sorted(p.name for p in (demo_results_dir / "scans").iterdir())
    assert kept == ["SCAN_IS-02_470123_20270210_room101_01.pdf",
                    "SCAN_IS-03_470123_20270210_room101_01.jpg",
                    "SCAN_IS-03_470123_20270210_room102_01.jpg"]
    assert (demo_results_dir / "scans" / kept[0]).read_bytes() == files["Ведомость ауд 101.pdf"]  # untouched
    # the user says what the scanner's name does not
    r = run_cli("scans", "add", str(src / "scan0007.pdf"), "--form", "ИС-02", "--room", "102",
                ws=demo_results_dir)
    assert r.returncode == 0 and "Добавлен: scans/SCAN_IS-02_470123_20270210_room102_01.pdf" in r.stdout
    r = run_cli("scans", "add", str(src / "scan0007.pdf"), "--form", "ИС-02", "--room", "102",
                ws=demo_results_dir)
    assert "уже добавлен" in r.stdout  # the same file twice is one scan
    r = run_cli("scans", "add", str(src), "--form", "ИС-05", ws=demo_results_dir)
    assert r.returncode == 2 and "Сканы принимаются для ИС-02 и ИС-03" in r.stderr

    ws = Workspace.open(demo_results_dir)
    try:
        store = ws.store
        assert all("отсканированы" not in t for _, t in summarize(store).checklist)  # not asked for
        store.update_settings(scans_required=True)
        item = next((d, t) for d, t in summarize(store).checklist if "отсканированы" in t)
        assert item == (False, "Ведомости всех аудиторий отсканированы (2 из 4)")
        plan = ho.plan_for(store)
        assert any("Нет сканов подписанных ведомостей: ИС-02 ауд. 201, ИС-03 ауд. 201" in q for q in plan.questions)
        assert plan.count("scans") == 4
        for room in ("201", "202"):
            for form in ("IS-02", "IS-03"):
                f = tmp_path / f"{form}_{room}.pdf"
                f.write_bytes(b"%PDF-1.4\n%" + f"{form}{room}".encode() + b"\n%%EOF\n")
                sc.add(store, sc.find(store, f))
        assert next(d for d, t in summarize(store).checklist if "отсканированы" in t) is True
        assert not any("сканов" in q for q in ho.plan_for(store).questions)
    finally:
        ws.close()
    stick = tmp_path / "stick"
    stick.mkdir()
    r = run_cli("handoff", "--to", str(stick), "--yes", ws=demo_results_dir)
    assert r.returncode == 0, r.stdout + r.stderr
    folder = stick / "IS_470123_2027-02-10"
    sums = (folder / "SHA256SUMS").read_text(encoding="utf-8")
    assert sum(1 for line in sums.splitlines() if "scans/SCAN_IS-0" in line) == 8
    assert sha256sum_check(folder)[0] == 0
    assert run_cli("handoff", "--verify", str(folder), ws=demo_results_dir).returncode == 0
    r = run_cli("scans", ws=demo_results_dir)
    assert r.returncode == 0 and "Сканы требуются регионом: да" in r.stdout and "Не хватает" not in r.stdout


def test_guess_form_and_room():
    rooms = ["101", "102", "201", "3А"]
    assert sc.guess("ИС-02 ауд.101.pdf", rooms) == ("IS-02", "101")
    assert sc.guess("scan/ис 03 каб 3А.jpg", rooms) == ("IS-03", "3А")
    assert sc.guess("IS02_2027-02-10_201.pdf", rooms) == ("IS-02", "201")
    assert sc.guess("Протокол эксперта.pdf", rooms) == ("IS-03", "")
    assert sc.guess("IMG_0001.jpg", rooms) == ("", "")


def test_a_scan_too_big_or_empty_is_refused_before_it_is_read(demo_results_ws, tmp_path):
    """A scan is read whole when added: a file past MAX_SCAN_BYTES (sparse here) or an empty
    one is refused by its size, without reading it."""
    from tui_app.domain.limits import MAX_SCAN_BYTES

    folder = tmp_path / "scans"
    folder.mkdir()
    with open(folder / "ИС-02 ауд 101.pdf", "wb") as f:
        f.truncate(MAX_SCAN_BYTES + 1)
    (folder / "ИС-03 ауд 101.pdf").write_bytes(b"")
    found = {f.rel: f.refused for f in sc.find(demo_results_ws.store, folder)}
    assert "слишком большой" in found["ИС-02 ауд 101.pdf"]
    assert "пустой" in found["ИС-03 ауд 101.pdf"]


async def test_handoff_screen_adds_scans_with_f6(demo_results_ws, tmp_path):
    from support.pilot import settle, text_of, wait_until
    from tui_app.app import ShtabApp
    from tui_app.screens.scans import ScansDialog

    src = tmp_path / "scanner"
    scanner(src)
    app = ShtabApp(demo_results_ws)
    async with app.run_test(size=(80, 25)) as pilot:
        await pilot.press("f9")
        await settle(pilot)
        assert "сканы:" not in text_of(app, "#handoff-plan")
        await pilot.press("f6")
        await wait_until(pilot, lambda: isinstance(app.screen, ScansDialog))
        app.screen.query_one("#scans-folder").value = str(src)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Добавлено сейчас: 3" in text_of(app, "#scans-out"))
        assert "не понятно, ИС-02 это или ИС-03" in text_of(app, "#scans-out")
        await pilot.press("escape")
        await wait_until(pilot, lambda: "сканы: 3" in text_of(app, "#handoff-plan"))
