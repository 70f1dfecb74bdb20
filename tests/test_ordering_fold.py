"""`domain.ordering.fold`, the comparable form of every name the program sorts or searches:
its fast path (each step only where the text needs it) gives exactly what the plain
definition gives, on the cases the regulations' names meet and on random text."""
from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from tui_app.domain.ordering import fold

_DASHES = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-"})


def plain_fold(text):
    """The definition, step by step on the whole text (what fold was before it was made fast)."""
    t = (text or "").translate(_DASHES).casefold().replace("ё", "е")
    t = re.sub(r"\s+", " ", t).strip()
    return t.replace(" - ", "-").replace("- ", "-").replace(" -", "-")


def test_the_cases_names_meet():
    assert fold("Ёлкин") == fold("елкин") == "елкин"
    assert fold("Салтыков—Щедрин") == fold("салтыков - щедрин") == "салтыков-щедрин"
    assert fold("  Анна\u00a0 Мария\t") == "анна мария"
    assert fold("Mac Donald") == "mac donald"
    assert fold(None) == fold("") == ""
    assert fold("ПЁТР") == "петр"


_ALPHABET = "абвгдеёжзЁЕАБ-xyzXYZßİﬁ ‐‑‒–—−\t\n\u00a0\u2003\u3000"


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(st.text(alphabet=_ALPHABET, max_size=24))
def test_fold_is_the_plain_definition(text):
    assert fold(text) == plain_fold(text)


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(st.text(max_size=40))
def test_fold_is_the_plain_definition_on_any_text(text):
    assert fold(text) == plain_fold(text)
