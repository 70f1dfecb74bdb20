"""The hostile corpus (tests/support/hostile.py, ≥ 150 files): every file is refused with its
own Russian message — the database bytes unchanged — or accepted with the right counts."""
from __future__ import annotations

import os
import re

import pytest

from support import hostile
from support.workspaces import copy_workspace, db_fingerprint
from tui_app.services.import_plan import ImportRefused
from tui_app.services.import_roster import import_file
from tui_app.services.import_scores import import_scores
from tui_app.store.workspace import Workspace

CASES = [c for c in hostile.CASES if not c.posix or hasattr(os, "mkfifo")]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    return hostile.build(tmp_path_factory.mktemp("hostile") / "corpus")


@pytest.fixture(scope="session")
def _templates(tmp_path_factory):
    """A fresh workspace (its database already on disk, so «unchanged» compares real bytes)
    and one holding the roster the scores files refer to."""
    root = tmp_path_factory.mktemp("corpus-ws")
    roster = root / "roster.csv"
    roster.write_bytes(hostile._csv_text().encode())
    out = {}
    for kind in ("fresh", "roster"):
        w = Workspace.open(root / kind, snapshot=False)
        w.store.update_settings(roster_reviewed=True)
        if kind == "roster":
            import_file(w.store, roster, **hostile.CODES)
        w.close()
        out[kind] = root / kind
    return out


def _import(case, ws, path):
    if case.importer == "scores":
        return import_scores(ws.store, path)
    return import_file(ws.store, path, **(hostile.CODES if case.importer == "csv" else {}))


def test_the_corpus_is_big_and_covers_every_class():
    assert len(hostile.CASES) >= 150
    want = {"encoding", "dtd", "entity", "special", "csv", "nul", "duplicates", "case",
            "lookalike", "invisible", "spreadsheet", "limits", "formula", "filename", "structure", "results"}
    assert want <= set(hostile.CLASSES)
    for cls in want - {"formula"}:  # formula cells are accepted: the writers escape them
        assert any(c.refused for c in hostile.CASES if c.cls == cls), cls
    assert len({c.name for c in hostile.CASES}) == len(hostile.CASES)
    kinds = {c.refuse for c in hostile.CASES if c.refused}
    assert len(kinds) >= 40  # as many different refusals as there are different defects


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_file(case, corpus, _templates, tmp_path):
    root = copy_workspace(_templates["roster" if case.importer == "scores" else "fresh"],
                          tmp_path / "ws")
    ws = Workspace.open(root, snapshot=False)
    try:
        before = db_fingerprint(root)
        participants = len(ws.store.participants())
        if case.refused:
            with pytest.raises(ImportRefused) as ei:
                _import(case, ws, corpus / case.name)
            text = str(ei.value)
            assert ei.value.kind == case.refuse, text
            for w in case.words:
                assert w in text, (w, text)
            assert "Traceback" not in text and "root:x:" not in text
            assert re.search("[а-яё]", text), text  # a Russian sentence, not a library's
            assert db_fingerprint(root) == before
            assert len(ws.store.participants()) == participants
        else:
            summary = _import(case, ws, corpus / case.name)
            text = "\n".join(summary.lines())
            for attr, value in case.accept.items():
                assert getattr(summary, attr) == value, (attr, text)
            for w in case.words:
                assert w in text, (w, text)
            if "added" in case.accept:  # the counts are what was stored
                assert len(ws.store.participants()) == participants + case.accept["added"]
    finally:
        ws.close()


def test_refusals_of_different_kinds_say_different_things(corpus, _templates, tmp_path):
    """Each kind of defect has its own message (beyond the file name and the numbers)."""
    said: dict[str, set[str]] = {}
    for case in CASES:
        if not case.refused or case.importer == "scores":
            continue
        root = copy_workspace(_templates["fresh"], tmp_path / case.name.replace("/", "_"))
        ws = Workspace.open(root, snapshot=False)
        try:
            with pytest.raises(ImportRefused) as ei:
                _import(case, ws, corpus / case.name)
        finally:
            ws.close()
        first = ei.value.problems[0].split(": ", 1)[-1]
        shape = re.sub(r"«[^»]*»", "«»", re.sub(r"\d+", "N", first))
        said.setdefault(ei.value.kind, set()).add(shape)
    for a, texts_a in said.items():
        for b, texts_b in said.items():
            if a < b:
                assert not texts_a & texts_b, (a, b, texts_a & texts_b)


def test_an_upper_case_reimport_does_not_double_the_roster(ws, tmp_path):
    """GUIDs are compared normalised: the same roster with upper-case, braced GUIDs is the
    same participants (before: every one was «new»)."""
    pkg = hostile.roster_pkg("same")
    path = tmp_path / f"{pkg.file_name}.b2p"
    path.write_bytes(hostile.write_b2p(pkg))
    import_file(ws.store, path)
    for r in pkg.rows:
        r.guid = "{" + r.guid.upper() + "}"
    path.write_bytes(hostile.write_b2p(pkg))
    again = import_file(ws.store, path)
    assert again.added == 0 and again.unchanged == 3
    assert len(ws.store.participants()) == 3
    assert all(p.guid == p.guid.lower() and "{" not in p.guid for p in ws.store.participants())
