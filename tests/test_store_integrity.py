"""Integrity you can verify: every committed state carries a checksum, checked on open;
anything that does not verify is a recovery from the newest good copy, with a notice that
says which copy was used and what may be missing — never data silently different.

- the corruption test: 240 seeded random damages of the database files (bytes flipped,
  truncated, zeroed, emptied, whitespace, lines swapped or doubled, structurally valid
  JSON with wrong content): each loads the identical data, or falls back with a notice to a
  state that was committed; none loads altered data;
- the cases of issue 15 one by one (each failed on the code before the journal).
"""
from __future__ import annotations

import errno
import json
import os
import random
import shutil
import sys
from pathlib import Path

import pytest

from support import faults as sf
from tui_app.domain.models import Participant, Protocol
from tui_app.errors import DiskFull, StorageError
from tui_app.services.protocols import save_protocol
from tui_app.store.atomic import backup_path
from tui_app.store.workspace import DB_NAME, Workspace

JOURNAL = f"{DB_NAME}.journal"


def _stripped(store) -> dict:
    data = json.loads(json.dumps(store.storage.tables()))
    return {n: {i: sf._strip(d, stamps=False) for i, d in t.items()
                if not (n == "meta" and d.get("key") == "store_notice")}
            for n, t in data.items() if t}


_abandon = sf.abandon


def _toggle(store, guid: str, i: int) -> None:
    proto = store.get(Protocol, guid)
    save_protocol(store, proto.model_copy(update={"variant": str(i)}))


@pytest.fixture(scope="module")
def history(tmp_path_factory, _demo_template):
    """The demo school with a history: a compaction with backups (.bak, journal.bak), then
    15 saves in the journal; every committed state after the demo is recorded."""
    root = tmp_path_factory.mktemp("history") / "ws"
    shutil.copytree(_demo_template[1], root, ignore=shutil.ignore_patterns(".lock"))
    states = []
    ws = Workspace.open(root)
    guids = sorted(ws.store.protocols())
    states.append(_stripped(ws.store))
    for i in range(10):
        _toggle(ws.store, guids[i], 100 + i)
        states.append(_stripped(ws.store))
    ws.close()
    ws = Workspace.open(root)
    for i in range(15):
        _toggle(ws.store, guids[i % 7], 200 + i)
        states.append(_stripped(ws.store))
    _abandon(ws)
    assert (root / JOURNAL).stat().st_size > 3000 and (root / f"{JOURNAL}.bak").exists()
    return root, states


def _key(state: dict) -> str:
    return json.dumps(state, sort_keys=True)


def _damage(rng: random.Random, raw: bytes, name: str) -> bytes:
    kind = rng.choice(["flip", "flip", "truncate", "zero", "empty", "space", "json", "lines"])
    n = len(raw)
    if kind == "flip":
        out = bytearray(raw)
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(n)
            out[i] ^= 1 << rng.randrange(8)
        return bytes(out)
    if kind == "truncate":
        return raw[:rng.randrange(n)]
    if kind == "zero":
        i = rng.randrange(n)
        return raw[:i] + b"\0" * min(rng.randint(1, 4096), n - i) + raw[i + rng.randint(1, 4096):]
    if kind == "empty":
        return b""
    if kind == "space":
        return b" \n" * rng.randint(1, 5)
    if kind == "lines" and name == JOURNAL:
        lines = raw.split(b"\n")
        i, j = rng.randrange(len(lines) - 1), rng.randrange(len(lines) - 1)
        if rng.random() < 0.5:
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines.insert(i, lines[j])
        return b"\n".join(lines)
    # structurally valid JSON with wrong content
    text = raw.decode("utf-8", "replace")
    guids = [g for g in set(__import__("re").findall(r'"guid":"([0-9a-f-]{36})"', text))]
    if guids and rng.random() < 0.6:
        g = rng.choice(sorted(guids))
        return text.replace(g, g[:-1] + ("0" if g[-1] != "0" else "1"), 1).encode("utf-8")
    if name == DB_NAME:
        start = text.index('"tables":') + len('"tables":')
        tables = json.loads(text[start:-2])
        tables["participants"].pop(next(iter(tables["participants"])))
        return (text[:start] + json.dumps(tables) + "}\n").encode("utf-8") if rng.random() < 0.5 \
            else json.dumps(tables).encode("utf-8")
    return text.replace('"variant":"2', '"variant":"3', 1).encode("utf-8")


def test_random_damage_loads_identical_data_or_falls_back_with_a_notice(history, tmp_path):
    root, states = history
    final, known = states[-1], {_key(s) for s in states}
    rng = random.Random(2027)
    figures = {"identical": 0, "identical, with a notice": 0, "older, with a notice": 0}
    problems = []
    cases = 240
    for case in range(cases):
        ws_dir = tmp_path / f"c{case}"
        shutil.copytree(root, ws_dir)
        names = [DB_NAME, JOURNAL] if case % 5 else [DB_NAME, JOURNAL, f"{DB_NAME}.bak"]
        hit = rng.sample(names, 2 if case % 7 == 0 else 1)
        for name in hit:
            p = ws_dir / name
            p.write_bytes(_damage(rng, p.read_bytes(), name))
        try:
            got, notice = sf.state(ws_dir, stamps=False)
        except StorageError as e:
            problems.append(f"case {case} ({hit}): did not load: {e}")
            continue
        if not notice:
            if got != final:
                problems.append(f"case {case} ({hit}): SILENTLY different data")
            else:
                figures["identical"] += 1
        elif got == final:
            figures["identical, with a notice"] += 1
        elif _key(got) in known:
            figures["older, with a notice"] += 1
        else:
            problems.append(f"case {case} ({hit}): altered data (with a notice)")
        if case % 12 == 0:  # the real start: recovers on disk the same way, says it again
            with Workspace.open(ws_dir) as w:
                assert _stripped(w.store) == got
                assert (w.store.recovery_notice() is not None) == notice
            with Workspace.open(ws_dir) as w:
                assert _stripped(w.store) == got
        shutil.rmtree(ws_dir)
    print(f"{cases} damages: " + ", ".join(f"{k} {v}" for k, v in figures.items())
          + f"; problems {len(problems)}")
    assert problems == [], "\n".join(problems[:20])
    assert sum(figures.values()) == cases
    assert figures["older, with a notice"] and figures["identical"]


# -- the cases of issue 15, one by one -----------------------------------------------------

def _demo_copy(_demo_template, tmp_path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(_demo_template[1], root, ignore=shutil.ignore_patterns(".lock"))
    with Workspace.open(root) as w:  # one more compaction: .bak holds the same data
        _toggle(w.store, sorted(w.store.protocols())[0], 7)
    return root


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"], ids=["empty", "whitespace"])
def test_empty_main_file_falls_back_to_the_backup_and_says_so(_demo_template, tmp_path, content):
    root = _demo_copy(_demo_template, tmp_path)
    with Workspace.open(root) as w:
        people = len(w.store.participants())
        protocols = len(w.store.protocols())
    bak = backup_path(root / DB_NAME).read_bytes()
    (root / DB_NAME).write_bytes(content)
    with Workspace.open(root) as w:
        s = w.store
        assert len(s.participants()) == people and len(s.protocols()) == protocols
        n = s.recovery_notice()
        assert n is not None and "is-shtab.json" in n.text and "пустой" in n.text
        assert any("восстановлена" in x for x in s.notices())
        _toggle(s, sorted(s.protocols())[1], 8)  # a save before the user has seen it
    # the good copy was not overwritten, and the notice stays until acknowledged
    assert backup_path(root / DB_NAME).read_bytes() == bak
    with Workspace.open(root) as w:
        assert w.store.recovery_notice() is not None
        w.store.acknowledge_recovery()
    with Workspace.open(root) as w:
        assert w.store.recovery_notice() is None
        assert len(w.store.protocols()) == protocols


@pytest.mark.parametrize("content", [b"[1, 2, 3]", b'{"participants": []}', b'{"x": 1}',
                                     b'{"participants": {"1": 5}}'])
def test_structurally_wrong_json_uses_the_backup(_demo_template, tmp_path, content):
    root = _demo_copy(_demo_template, tmp_path)
    with Workspace.open(root) as w:
        people = len(w.store.participants())
    (root / DB_NAME).write_bytes(content)
    with Workspace.open(root) as w:
        assert len(w.store.participants()) == people
        assert w.store.recovery_notice() is not None


def test_a_changed_guid_is_never_loaded_silently(_demo_template, tmp_path):
    root = _demo_copy(_demo_template, tmp_path)
    raw = (root / DB_NAME).read_text(encoding="utf-8")
    with Workspace.open(root) as w:
        guid = w.store.participants()[0].guid
    (root / DB_NAME).write_text(raw.replace(guid, guid[:-1] + "x"), encoding="utf-8")
    with Workspace.open(root) as w:
        assert w.store.participant(guid) is not None
        assert w.store.recovery_notice() is not None


def _fail_syncs(monkeypatch, code=errno.ENOSPC):
    def failing(fd):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", failing)
    if hasattr(os, "fdatasync"):
        monkeypatch.setattr(os, "fdatasync", failing)


def test_a_failed_import_does_not_stay_in_memory(demo_results_ws, monkeypatch):
    """A full disk at the commit of an import: memory is as before, and the next unrelated
    save does not write the import."""
    s = demo_results_ws.store
    before = len(s.participants())
    with monkeypatch.context() as m:
        _fail_syncs(m)
        with pytest.raises(Exception) as e:
            with s.transaction():
                s.put_many([Participant(surname=f"Новый{i}", name="Н") for i in range(30)])
    assert isinstance(e.value, StorageError), e.value
    assert len(s.participants()) == before
    s.update_settings(roster_reviewed=True)  # an unrelated save
    assert len(s.participants()) == before
    root = demo_results_ws.root
    demo_results_ws.close()
    with Workspace.open(root) as w:
        assert len(w.store.participants()) == before


def test_a_failed_save_leaves_no_audit_line_and_keeps_the_old_value(demo_results_ws, monkeypatch):
    s = demo_results_ws.store
    guid = sorted(s.protocols())[3]
    old = s.get(Protocol, guid)
    lines = len(list(s.audit))
    with monkeypatch.context() as m:
        _fail_syncs(m, errno.EIO)
        with pytest.raises(StorageError, match="Ошибка чтения или записи"):
            save_protocol(s, old.model_copy(update={"variant": "77"}))
    assert s.get(Protocol, guid).variant == old.variant
    assert len(list(s.audit)) == lines
    save_protocol(s, old.model_copy(update={"variant": "78"}))
    assert [e.new for e in s.audit.for_key(guid, "variant")][-1] == "78"
    assert "77" not in [e.new for e in s.audit.for_key(guid, "variant")]


def test_audit_lines_lost_by_a_crash_are_restored_from_the_journal(demo_results_ws):
    s = demo_results_ws.store
    root = demo_results_ws.root
    guid = sorted(s.protocols())[2]
    save_protocol(s, s.get(Protocol, guid).model_copy(update={"variant": "55"}))
    text = (root / "audit.jsonl").read_bytes()
    _abandon(demo_results_ws)
    # the crash came between the journal and the log: the last commit's lines are missing
    lines = text.splitlines(keepends=True)
    last = json.loads(lines[-1])["commit"]
    kept = [ln for ln in lines if json.loads(ln).get("commit") != last]
    (root / "audit.jsonl").write_bytes(b"".join(kept) + b'{"at": "2027-02-1')
    with Workspace.open(root) as w:
        assert [e.new for e in w.store.audit.for_key(guid, "variant")][-1] == "55"
        assert (root / "audit.jsonl").read_bytes() == text


def test_disk_full_at_save_is_a_message_with_figures(demo_results_ws, monkeypatch):
    from collections import namedtuple

    import tui_app.diskspace as ds

    s = demo_results_ws.store
    guid = sorted(s.protocols())[1]
    old = s.get(Protocol, guid)
    Usage = namedtuple("Usage", "total used free")
    monkeypatch.setattr(ds.shutil, "disk_usage", lambda p: Usage(10 ** 9, 10 ** 9 - 300_000, 300_000))
    s.storage.recheck_space()
    with pytest.raises(DiskFull, match=r"нужно 1,0 МБ, свободно 0,3 МБ"):
        save_protocol(s, old.model_copy(update={"variant": "66"}))
    assert s.get(Protocol, guid).variant == old.variant


def test_stale_temp_files_of_killed_writes_are_removed_at_start(ws):
    root = ws.root
    ws.store.update_settings(roster_reviewed=True)
    ws.close()
    made = [root / ".is-shtab.json.abc.tmp", root / "export" / ".47002090-x.b2p.k2j.tmp",
            root / "forms" / ".ИС-03 101.pdf.zz.tmp", root / "backups" / ".is-shtab-1.json.tmp"]
    for p in made:
        p.write_bytes(b"x" * 1000)
    with Workspace.open(root):
        pass
    assert [p for p in made if p.exists()] == []


def test_snapshot_ring_is_bounded_by_count_and_by_size(ws, monkeypatch):
    from tui_app.store import workspace as wsmod

    backups = ws.root / "backups"
    for i in range(14):
        (backups / f"is-shtab-20270101-{i:06d}.json").write_bytes(b"x" * 1000 * (i + 1))
    wsmod.prune_snapshots(backups)
    assert len(list(backups.glob("is-shtab-*.json"))) == wsmod.KEEP_SNAPSHOTS
    wsmod.prune_snapshots(backups, budget=25_000)
    left = sorted(backups.glob("is-shtab-*.json"), reverse=True)
    assert len(left) == 2 or sum(p.stat().st_size for p in left[:-1]) <= 25_000
    assert left[0].name.endswith("000013.json")


def test_start_up_snapshots_are_links_that_cost_no_space(tmp_path, _demo_template):
    if sys.platform.startswith("win"):
        pytest.skip("hard links are the POSIX path here")
    root = tmp_path / "ws"
    shutil.copytree(_demo_template[1], root, ignore=shutil.ignore_patterns(".lock"))
    with Workspace.open(root):
        pass
    snaps = list((root / "backups").glob("is-shtab-*.json"))
    assert snaps and os.path.samefile(snaps[0], root / DB_NAME)
