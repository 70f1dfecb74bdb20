"""Russian name forms: feminine surnames, patronymics (pure)."""
from __future__ import annotations

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
