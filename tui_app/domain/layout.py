"""The keyboard layout: text typed with the Latin layout on, read as the Russian (pure).

An operator who forgot to switch the layout types «Bdfyjd» for «Иванов». Every search of a
name offers the ЙЦУКЕН reading of such text when the text as typed finds nothing, with the
hint «похоже, включена латинская раскладка».
"""
from __future__ import annotations

HINT = "похоже, включена латинская раскладка"

_QWERTY = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_JCUKEN = "йцукенгшщзхъфывапролджэячсмитьбюё"
_TABLE = str.maketrans(
    _QWERTY + _QWERTY.upper().replace("[", "{").replace("]", "}").replace(";", ":")
    .replace("'", '"').replace(",", "<").replace(".", ">").replace("`", "~"),
    _JCUKEN + _JCUKEN.upper(),
)
# the keys of the Latin layout that are letters in the Russian one
LATIN_KEYS = frozenset(_QWERTY + _QWERTY.upper() + '{}:"<>~')


def has_latin(text: str) -> bool:
    return any("a" <= c.lower() <= "z" for c in text)


def to_russian(text: str) -> str:
    """«Bdfyjd» → «Иванов»: each key of the Latin layout as the Russian letter on it."""
    return text.translate(_TABLE)
