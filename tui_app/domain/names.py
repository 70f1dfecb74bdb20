"""Russian name forms: feminine surnames, patronymics; look-alike letters, documents (pure)."""
from __future__ import annotations

import re
from typing import Optional

_IRREGULAR_PATRONYMIC = {
    "Илья": ("Ильич", "Ильинична"),
    "Пётр": ("Петрович", "Петровна"),
    "Лев": ("Львович", "Львовна"),
    "Павел": ("Павлович", "Павловна"),
    "Никита": ("Никитич", "Никитична"),
    "Фома": ("Фомич", "Фоминична"),
    "Михаил": ("Михайлович", "Михайловна"),
}


_VOWELS = set("аеёиоуыэюя")


def feminine_surname(surname: str) -> str:
    """Иванов → Иванова, Вишневский → Вишневская, Черных → Черных; hyphenated parts each."""
    if "-" in surname:
        return "-".join(feminine_surname(p) for p in surname.split("-"))
    for male, female in (("ский", "ская"), ("цкий", "цкая"), ("ой", "ая")):
        if surname.endswith(male):
            return surname[: -len(male)] + female
    for end in ("ов", "ев", "ёв", "ин", "ын"):
        if surname.endswith(end):
            return surname + "а"
    return surname


def patronymic(father: str, female: bool) -> str:
    if father in _IRREGULAR_PATRONYMIC:
        return _IRREGULAR_PATRONYMIC[father][1 if female else 0]
    if father.endswith("ий"):
        if len(father) > 3 and father[-4].lower() not in _VOWELS:  # Дмитрий → Дмитриевич
            return father[:-1] + ("евна" if female else "евич")
        return father[:-2] + ("ьевна" if female else "ьевич")  # Юрий → Юрьевич
    if father.endswith("й"):  # Сергей → Сергеевич, Николай → Николаевич
        return father[:-1] + ("евна" if female else "евич")
    if father.endswith("ь"):
        stem = father[:-1]
        return stem + ("евна" if female else "евич")
    return father + ("овна" if female else "ович")


# -- look-alikes: Latin letters that read as Cyrillic ------------------------------------

_LATIN_TWIN = dict(zip("AaBCcEeHKkMOoPpTXxYy", "АаВСсЕеНКкМОоРрТХхУу"))
_CYRILLIC_TWIN = {c: lat for lat, c in _LATIN_TWIN.items()}


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")  # escapes for re (the console-glyph test reads literals)
_LATIN = re.compile("[A-Za-z]")
_TO_CYRILLIC = str.maketrans(_LATIN_TWIN)


def mixes_scripts(text: str) -> bool:
    """A name with both Cyrillic and Latin letters («Иванова» typed with a Latin «а»)."""
    return bool(_LATIN.search(text)) and bool(_CYRILLIC.search(text))


def cyrillic_spelling(text: str) -> Optional[str]:
    """The all-Cyrillic spelling of a name that mixes scripts, when every Latin letter in it
    has a Cyrillic twin (А В Е К М Н О Р С Т У Х); None otherwise."""
    return _all_cyrillic(text) if mixes_scripts(text) else None


def _all_cyrillic(text: str) -> Optional[str]:
    """text with each Latin look-alike as its Cyrillic twin; None if a Latin letter has none."""
    fixed = text.translate(_TO_CYRILLIC)
    return None if _LATIN.search(fixed) else fixed


def class_spelling(grade: str) -> Optional[str]:
    """«9А» for a class written with a Latin look-alike («9A», «10B»: a class letter is
    Cyrillic), when every Latin letter of it has a Cyrillic twin; None otherwise."""
    return _all_cyrillic(grade) if _LATIN.search(grade) else None


def latin_letters(text: str) -> str:
    """The Latin letters of a mixed name, for a message: «a, o»."""
    return ", ".join(dict.fromkeys(_LATIN.findall(text)))


_DOC_DROP = str.maketrans("", "", " \t\xa0-–—№")
_DOC_TWIN = str.maketrans({c: lat for c, lat in _CYRILLIC_TWIN.items() if c.isupper()})


def document_key(series: str, number: str) -> str:
    """The comparable form of an identity document: no spaces (no-break ones too), dashes or
    «№», upper case, Cyrillic look-alikes as Latin (series «IV-АБ» typed either way is one
    document). Empty when both parts are empty."""
    s = (series or "").translate(_DOC_DROP).upper().translate(_DOC_TWIN)
    n = (number or "").translate(_DOC_DROP).upper().translate(_DOC_TWIN)
    return f"{s}|{n}" if (s or n) else ""
