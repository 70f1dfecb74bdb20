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


def test_fold_is_the_plain_definition_on_every_short_text_and_many_long_ones():
    """Every text of up to 3 characters of the alphabet (37,000: each dash, space and letter
    beside each other), and 30,000 seeded random ones up to 24 long — in a fraction of a
    second, where Hypothesis spends ~7 ms on drawing each example (below, for shrinking and
    its edge cases)."""
    from itertools import product
    from random import Random

    texts = ["".join(t) for n in range(4) for t in product(_ALPHABET, repeat=n)]
    rnd = Random(20261201)
    texts += ["".join(rnd.choices(_ALPHABET, k=rnd.randint(4, 24))) for _ in range(30000)]
    bad = [t for t in texts if fold(t) != plain_fold(t)]
    assert bad == [], [(t, fold(t), plain_fold(t)) for t in bad[:5]]


def test_fold_is_the_plain_definition_on_random_unicode():
    """10,000 seeded random texts over the whole of Unicode but surrogates, up to 40 long."""
    from random import Random

    rnd = Random(4096)

    def char():
        while True:
            c = chr(rnd.randrange(0x110000) if rnd.random() < 0.5 else rnd.randrange(0x3000))
            if not 0xD800 <= ord(c) <= 0xDFFF:
                return c

    texts = ["".join(char() for _ in range(rnd.randint(0, 40))) for _ in range(10000)]
    bad = [t for t in texts if fold(t) != plain_fold(t)]
    assert bad == [], [(t, fold(t), plain_fold(t)) for t in bad[:5]]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=_ALPHABET, max_size=24))
def test_fold_is_the_plain_definition(text):
    assert fold(text) == plain_fold(text)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(max_size=40))
def test_fold_is_the_plain_definition_on_any_text(text):
    assert fold(text) == plain_fold(text)
