"""Scoring against the seed's table: every category, with the pass boundaries."""
import pytest

from tui_app.domain.criteria import Scheme
from tui_app.domain.models import Attendance, Participant, Protocol, ProtocolStatus
from tui_app.domain.scoring import check_digit, result_matches, score, validate_protocol
from tui_app.services.data import scheme

S = scheme("2025")

# (category, scored criteria, max, pass minimum) straight from seed 004's last table
SEED_TABLE = [
    ("general", "Ч1 Ч2 Ч3 П1 П2 П3 М1 М2 Д1 Р1 Р2 Р3 Р4", 20, 10),
    ("deaf", "П1 П2 П3 М1 М2 Д1", 10, 5),
    ("hard_of_hearing", "П1 П2 П3 М1 М2 Д1", 10, 5),
    ("speech", "П1 П2 П3 М1 М2 Д1", 10, 5),
    ("blind", "Ч1 Ч3 П1 П2 П3 М1 М2 Д1 Р1 Р2 Р3 Р4", 19, 9),
    ("low_vision", "Ч1 Ч3 П1 П2 П3 М1 М2 Д1 Р1 Р2 Р3 Р4", 19, 9),
    ("musculoskeletal", "Ч1 Ч2 Ч3 П1 П2 П3 М1 М2 Д1 Р1 Р2 Р3 Р4", 20, 10),
    ("autism", "Ч1 М1 М2 Д1", 7, 3),
    ("zpr", "Ч1 П1 П2 П3 М1 М2 Д1", 11, 5),
    ("other", "Ч1 Ч2 Ч3 П1 П2 П3 М1 М2 Д1 Р1 Р2 Р3 Р4", 20, 10),
]


def _fill(cat_id: str, total: int) -> dict[str, int]:
    """Scores over the category's criteria that add up to `total`."""
    cat = S.category(cat_id)
    scores, left = {}, total
    for code in cat.criteria:
        v = min(S.criterion(code).max, left)
        scores[code] = v
        left -= v
    assert left == 0
    return scores


def test_general_scheme_matches_the_ис03_form():
    assert [(c.code, c.max) for c in S.criteria] == [
        ("Ч1", 1), ("Ч2", 1), ("Ч3", 1), ("П1", 2), ("П2", 1), ("П3", 1),
        ("М1", 2), ("М2", 1), ("Д1", 3), ("Р1", 2), ("Р2", 2), ("Р3", 2), ("Р4", 1)]
    general = S.category("general")
    assert [S.subtotal_max(s, general) for s in S.subtotals] == [7, 6, 7]
    assert S.total_max == 20


@pytest.mark.parametrize("cat_id,criteria,cmax,pass_min", SEED_TABLE)
def test_category_matches_seed_table(cat_id, criteria, cmax, pass_min):
    cat = S.category(cat_id)
    assert cat.criteria == criteria.split()
    assert (cat.max, cat.pass_min) == (cmax, pass_min)
    full = score(S, cat, _fill(cat_id, cmax))
    assert full.total == cmax and full.passed is True


@pytest.mark.parametrize("cat_id,criteria,cmax,pass_min", SEED_TABLE)
def test_pass_boundary_for_every_category(cat_id, criteria, cmax, pass_min):
    cat = S.category(cat_id)
    below = score(S, cat, _fill(cat_id, pass_min - 1))
    at = score(S, cat, _fill(cat_id, pass_min))
    assert (below.total, below.passed, below.result_label) == (pass_min - 1, False, "незачёт")
    assert (at.total, at.passed, at.result_label) == (pass_min, True, "зачёт")


@pytest.mark.parametrize("cat_id,below,at", [("general", 9, 10), ("autism", 2, 3), ("zpr", 4, 5)])
def test_named_boundaries(cat_id, below, at):
    cat = S.category(cat_id)
    assert score(S, cat, _fill(cat_id, below)).passed is False
    assert score(S, cat, _fill(cat_id, at)).passed is True


def test_subtotals_follow_the_form():
    cat = S.category("general")
    r = score(S, cat, {"Ч1": 1, "Ч2": 1, "Ч3": 0, "П1": 2, "П2": 0, "П3": 1, "М1": 2, "М2": 1,
                       "Д1": 2, "Р1": 1, "Р2": 2, "Р3": 0, "Р4": 1})
    assert r.subtotals == {"D1": 5, "D2": 5, "D3": 4}
    assert r.total == 14 and r.passed


def test_criteria_outside_the_category_do_not_count():
    cat = S.category("autism")
    r = score(S, cat, {"Ч1": 1, "М1": 1, "М2": 0, "Д1": 1, "Р1": 2})
    assert r.total == 3 and r.passed is True


def test_incomplete_or_early_has_no_result():
    cat = S.category("general")
    part = _fill("general", 12)
    del part["Р4"]
    assert score(S, cat, part).passed is None
    assert score(S, cat, _fill("general", 15), ProtocolStatus.EARLY).passed is None
    assert score(S, cat, {}, ProtocolStatus.REMOVED).result_label == "—"


def _person(cat="general", attendance=Attendance.PRESENT):
    return Participant(surname="Ёлкина", name="Анна", category=cat, attendance=attendance)


def test_validation_names_every_problem_in_russian():
    p = _person("autism")
    proto = Protocol(participant=p.guid, variant="", expert="",
                     scores={"Ч1": 2, "П1": 1, "М1": 1, "М2": 1, "Д1": 3, "Х9": 1})
    problems = validate_protocol(S, p, proto)
    text = "\n".join(problems)
    assert "Ч1: балл 2 вне диапазона 0–1" in text
    assert "критерий П1 не оценивается для категории «РАС»" in text
    assert "неизвестный критерий «Х9»" in text
    assert "не указан номер варианта" in text
    assert "не указано ФИО эксперта" in text
    assert all(s.startswith("Ёлкина А.") for s in problems)


def test_validation_refuses_marks_on_absent_early_removed():
    absent = _person(attendance=Attendance.ABSENT)
    proto = Protocol(participant=absent.guid, variant="3", expert="Х", scores=_fill("general", 12))
    assert any("не явившийся" in m for m in validate_protocol(S, absent, proto))
    p = _person()
    for status in (ProtocolStatus.EARLY, ProtocolStatus.REMOVED):
        proto = Protocol(participant=p.guid, status=status, scores={"Ч1": 1})
        problems = validate_protocol(S, p, proto)
        assert any("баллы не выставляются" in m for m in problems), problems
        clean = Protocol(participant=p.guid, status=status)
        assert validate_protocol(S, p, clean) == []


def test_valid_protocol_passes_validation():
    p = _person("zpr")
    proto = Protocol(participant=p.guid, variant="12", expert="Петрова И. И.", scores=_fill("zpr", 7))
    assert validate_protocol(S, p, proto) == []


def test_negative_and_non_numeric_scores_are_refused():
    p = _person()
    cat = S.category("general")
    assert check_digit(S, cat, "Д1", -1) == "Д1: балл -1 вне диапазона 0–3"
    proto = Protocol.model_construct(participant=p.guid, variant="1", expert="Э",
                                     status=ProtocolStatus.PRESENT, scores={"Ч1": "З"}, room="", scheme=1)
    assert any("не является числом" in m for m in validate_protocol(S, p, proto))


def test_result_contradicting_total_is_named():
    p = _person()
    proto = Protocol(participant=p.guid, variant="1", expert="Э", scores=_fill("general", 9))
    msgs = result_matches(S, p, proto, claimed_total=10, claimed_pass=True)
    assert any("не равен сумме баллов 9" in m for m in msgs)
    assert any("противоречит сумме 9" in m for m in msgs)
    assert result_matches(S, p, proto, 9, False) == []


def test_scheme_data_is_checked_on_load():
    raw = S.model_dump()
    raw["categories"][1]["max"] = 12  # deaf: criteria add up to 10
    with pytest.raises(ValueError, match="сумма максимумов 10 не равна максимуму 12"):
        Scheme.model_validate(raw)


def test_blind_categories_flag_the_regional_setting():
    assert "Ч2" not in S.category("blind").criteria
    assert S.category("blind").to_confirm
