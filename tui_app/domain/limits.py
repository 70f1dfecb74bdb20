"""The limits of what an incoming file may hold: part of the exchange contract (pure).

Every file that arrives (a B2P roster or results file, a roster CSV out of Excel, a scores
CSV, a roster CSV for the next date) is untrusted; these bounds are checked on every input,
each with its own Russian message naming the row. They are documented in `docs/b2p.md`
(«Ограничения входных файлов») and in `exchange/b2p.xsd` (the annotation, the `Value`
maximum length, the number of blocks on a page); `tests/test_exchange_limits.py` checks that
the three agree and tests every limit at the limit and one past it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional
from unicodedata import is_normalized, normalize

MiB = 1024 * 1024

# files
MAX_B2P_BYTES = 80 * MiB  # a region of 36,000 participants is ~64 MB in our serialization
MAX_CSV_BYTES = 20 * MiB
MAX_AUDIO_BYTES = 4 * 1024 * MiB - 1  # one recording to import: FAT32's largest file
MAX_SCAN_BYTES = 200 * MiB  # one scan of a signed ИС-02/ИС-03 (a page at 600 dpi is ~25 MB)
MAX_PROLOG_BYTES = 64 * 1024  # the start tag of HwPackage must end within the first 64 KB
MAX_PARTICIPANTS = 40_000  # rows of a roster or a results file (a region is ~36,000)
ROWS_PER_PAGE = 20
MAX_PAGES = MAX_PARTICIPANTS // ROWS_PER_PAGE
BLOCKS_PER_PAGE = 9 + ROWS_PER_PAGE * 35  # 9 page blocks + 20 rows of 35 blocks
MAX_CSV_ROWS = MAX_PARTICIPANTS

# reading: no input can hang the program
READ_STALL_SECONDS = 20.0  # no byte arrives for this long: a dead network share or a device
READ_TOTAL_SECONDS = 180.0  # the whole file


@dataclass(frozen=True)
class FieldLimit:
    """A value of one participant field: at most `max_len` characters; `digits` = digits only."""

    label: str  # Russian, for messages
    max_len: int
    digits: bool = False
    plain: bool = False  # an identifier (room, code, class, document): no compatibility forms


# Keys: the attributes of a B2P row (exchange.b2p.B2PRow) and of a participant; "score" and
# "subtotal" are the С_NNcc / D_NNcc blocks (and Ч1 … Р4 of a scores CSV).
FIELDS: dict[str, FieldLimit] = {
    "surname": FieldLimit("Фамилия", 60),
    "name": FieldLimit("Имя", 60),
    "patronymic": FieldLimit("Отчество", 60),
    "short_fio": FieldLimit("ФИО участника", 70),
    "grade": FieldLimit("Класс", 10, plain=True),
    "room": FieldLimit("Аудитория", 10, plain=True),
    "doc_series": FieldLimit("Серия документа", 10, plain=True),
    "doc_number": FieldLimit("Номер документа", 20, plain=True),
    "variant": FieldLimit("Номер варианта", 3, digits=True),
    "score": FieldLimit("Балл критерия", 2, digits=True),
    "subtotal": FieldLimit("Промежуточный итог", 3, digits=True),
    "total": FieldLimit("Итоговый балл", 3, digits=True),
    "passed": FieldLimit("Зачёт", 1, digits=True),
    "expert": FieldLimit("ФИО эксперта", 100),
    "not_finished": FieldLimit("Не закончил", 1, digits=True),
    "guid": FieldLimit("Код в базе (GUID)", 38),
    "local_guid": FieldLimit("Локальный ID (GUID)", 38),
    "barcode": FieldLimit("Штрих-код", 20, digits=True),
    "kim": FieldLimit("Номер КИМ", 20, plain=True),
    "code": FieldLimit("Код участника", 20, plain=True),
    "reserve": FieldLimit("РезервI", 10),
}

MAX_VALUE_LEN = max(f.max_len for f in FIELDS.values())  # the XSD's Value maxLength
MAX_FILE_NAME = 100  # FileName (the results file is <FileName>.b2p)

# Characters no value may hold (escapes for re: no raw controls in the source): the C0 and
# C1 controls and DEL; and the invisible ones — Unicode's format characters (Cf: zero-width
# spaces and joiners, the soft hyphen, the bidi overrides, a BOM inside a text), line and
# paragraph separators (Zl, Zp) and the private-use area. Each is unseen on a screen and on a
# form, yet makes a name another string: «Ива<U+200B>нов» is not «Иванов» to a search or to
# a duplicate check, and a bidi override shows a name reversed. The list is Cf of Unicode 15
# (a superset of older versions); tests/test_exchange_limits.py checks it against the
# running Python's unicodedata.
FORBIDDEN_CHARS = re.compile(
    r"[\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    r"\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ue000-\uf8ff\ufeff\ufff9-\ufffb"
    r"\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    r"\U000e0001\U000e0020-\U000e007f\U000f0000-\U0010ffff]")


# «№» and a no-break space (Excel writes one in a formatted number) have compatibility forms
# («No», a space) but read as themselves; documents are compared without them (names.document_key)
_KEPT = str.maketrans("", "", "№\xa0")


def char_problem(ch: str) -> str:
    """The Russian name of a forbidden character (see FORBIDDEN_CHARS)."""
    code = ord(ch)
    return f"управляющий символ (код {code})" if code < 0xA0 else f"невидимый символ U+{code:04X}"


INVISIBLE_HINT = "его не видно, но с ним это другая строка для поиска и сверки; перенаберите значение"


def value_problem(field: str, value: str) -> Optional[tuple[str, str]]:
    """(kind, Russian reason) when `value` cannot be the field `field`, else None; kinds:
    "too_long", "not_digits", "compat_char", "control_char", "invisible_char". Empty values
    pass."""
    if not value:
        return None
    lim = FIELDS[field]
    if len(value) > lim.max_len:
        shown = value[:20] + "…" if len(value) > 20 else value
        return "too_long", (f"{lim.label}: «{shown}» — {len(value)} знаков, допустимо не "
                            f"больше {lim.max_len}")
    if lim.digits and not (value.isascii() and value.isdigit()):
        return "not_digits", f"{lim.label}: «{value}» — допустимы только цифры"
    if lim.plain and not value.isascii() and not is_normalized("NFKC", value.translate(_KEPT)):
        # fullwidth «１０１», a superscript «²», a Roman numeral «Ⅳ», a ligature: look like
        # «101», «2», «IV» — and are other strings to a search, a comparison, a file name
        return "compat_char", (f"{lim.label}: «{value}» — знаки полной ширины или особые формы "
                               f"Юникода (выглядит как «{normalize('NFKC', value)}»): наберите "
                               f"обычными цифрами и буквами")
    bad = FORBIDDEN_CHARS.search(value)
    if bad is not None:
        ch = bad.group()
        if ord(ch) < 0xA0:
            return "control_char", f"{lim.label}: {char_problem(ch)} в значении"
        return "invisible_char", f"{lim.label}: {char_problem(ch)} в значении — {INVISIBLE_HINT}"
    return None
