"""Property-based damage for the B2P and CSV readers (hypothesis strategies and the one
property they must keep), shared by tests/test_exchange_fuzz.py (bounded, in the suite) and
bench/fuzz_exchange.py (long runs).

The property: importing the damaged file either succeeds — and then the store holds exactly
what the summary counts — or raises ImportRefused with a Russian message and leaves the
database bytes unchanged. Any other exception, or a hang, is a bug.
"""
from __future__ import annotations

import faulthandler
from contextlib import contextmanager
from pathlib import Path

from hypothesis import strategies as st

from support import hostile
from support.workspaces import db_fingerprint
from tui_app.domain.models import Participant
from tui_app.exchange.b2p import ROW_TAIL_FIELDS, ROW_TEXT_FIELDS, write_b2p
from tui_app.services.import_plan import ImportRefused
from tui_app.services.import_roster import import_file

HANG_SECONDS = 120  # one example longer than this is a hang: the process is stopped

# characters that have broken readers somewhere: markup, quotes, separators, controls,
# look-alikes, a BOM, a NUL, wide characters, formula starts
NASTY = list('<>&"\';,\t\r\n\x00\x01\x7f\x85\u2028\ufeff=+-@{}') + list("аАaAоOсCрPхXЁё") + \
    ["&amp;", "&#0;", "&#x1F;", "]]>", "<!--", "<!DOCTYPE x>", '<!ENTITY x SYSTEM "/etc/passwd">',
     "&x;", "%p;", "\U0001F600", "З", "-1", "9" * 50, "Я" * 70]

nasty_text = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=8)), max_size=8).map("".join)
FIELDS = [a for a, _ in ROW_TEXT_FIELDS + ROW_TAIL_FIELDS]


@st.composite
def damaged_rows(draw):
    """A valid package (so the CRC is right) whose rows carry hostile values."""
    results = draw(st.booleans())
    pkg = hostile.results_pkg("fuzz", 5) if results else hostile.roster_pkg("fuzz", 4)
    for _ in range(draw(st.integers(1, 6))):
        row = draw(st.sampled_from(pkg.rows))
        what = draw(st.sampled_from(FIELDS + ["scores", "copy"]))
        if what == "scores":
            row.scores[draw(st.integers(0, 12))] = draw(st.one_of(nasty_text, st.sampled_from(
                ["", "0", "1", "3", "99", "100", "-1", "З", " 2 "])))
        elif what == "copy":  # a value of another row: duplicates of every kind
            other = draw(st.sampled_from(pkg.rows))
            attr = draw(st.sampled_from(["guid", "local_guid", "code", "doc_number", "surname"]))
            value = getattr(other, attr)
            setattr(row, attr, draw(st.sampled_from([value, value.upper(), "{" + value + "}"])))
        else:
            setattr(row, what, draw(nasty_text))
    return write_b2p(pkg)


@st.composite
def damaged_bytes(draw):
    """A good file's bytes with structured damage: cut, spliced, re-encoded, a declaration."""
    data = write_b2p(hostile.roster_pkg("fuzz", 3))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["cut", "insert", "delete", "flip", "encode", "doctype"]))
        pos = draw(st.integers(0, len(data)))
        if kind == "cut":
            data = data[:pos]
        elif kind == "insert":
            data = data[:pos] + draw(st.sampled_from(NASTY)).encode("utf-8", "surrogatepass") + data[pos:]
        elif kind == "delete":
            data = data[:pos] + data[pos + draw(st.integers(1, 300)):]
        elif kind == "flip":
            data = data[:pos] + bytes([draw(st.integers(0, 255))]) + data[pos + 1:]
        elif kind == "encode":
            codec = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1251"]))
            data = data.decode("utf-8", "replace").encode(codec, "replace")
        else:
            decl = draw(st.sampled_from([b"<!DOCTYPE HwPackage>", b'<!DOCTYPE HwPackage SYSTEM "/dev/stdin">',
                                         b'<!DOCTYPE HwPackage [<!ENTITY x SYSTEM "//host/s/x">]>']))
            at = data.find(b"\n") + 1
            data = data[:at] + decl + b"\n" + data[at:]
    return data


CSV_HEAD = hostile.ROSTER_HEAD


@st.composite
def damaged_csv(draw):
    """A roster CSV: rows of hostile cells, a separator, an encoding, a BOM, quoting."""
    sep = draw(st.sampled_from([";", ",", "\t"]))
    rows = [list(r) for r in hostile.ROSTER_ROWS]
    for _ in range(draw(st.integers(0, 6))):
        row = draw(st.integers(0, len(rows) - 1))
        col = draw(st.integers(0, len(CSV_HEAD) - 1))
        rows[row][col] = draw(st.one_of(nasty_text, st.sampled_from(
            [rows[0][col], rows[0][col].upper(), '"' + rows[row][col], rows[row][col] + '"x'])))
    if draw(st.booleans()):
        rows.append(list(draw(st.sampled_from(rows))))  # a repeated row
    text = "\r\n".join(sep.join(r) for r in [CSV_HEAD, *rows]) + draw(st.sampled_from(["\r\n", "", "\n"]))
    codec = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1251", "utf-16", "utf-16-le"]))
    data = text.encode(codec, "replace") if codec != "utf-8" else text.encode("utf-8", "surrogatepass")
    return data


@contextmanager
def no_hang():
    """An example that runs longer than HANG_SECONDS stops the process with a traceback."""
    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


def import_keeps_the_property(store, root: Path, path: Path, **codes) -> str:
    """Import path into store and check the property; returns "accepted" or the refusal."""
    before = db_fingerprint(root)
    count = len(store.all(Participant))
    with no_hang():
        try:
            summary = import_file(store, path, **codes)
        except ImportRefused as e:
            assert e.problems and all(isinstance(m, str) and m for m in e.problems)
            assert "Traceback" not in str(e)
            assert db_fingerprint(root) == before, "a refused file changed the workspace"
            return e.kind
    after = len(store.all(Participant))
    assert after == count + summary.added - len(summary.removed), (count, after, summary)
    assert summary.total == summary.added + summary.updated + summary.unchanged
    return "accepted"
