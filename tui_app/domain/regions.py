"""A region's rules as data (data/regions/<код>.json over default.json): exam dates, deadlines,
the results file's rows, re-check and retake grounds (pure: dicts in, a typed model out)."""
from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel, ConfigDict

RESULTS_ROWS = {
    "all": "все участники списка; неявившиеся — строкой с «Н» (файл — присланный список)",
    "sat": "только сдававшие (буква правила «количество строк … равно количеству сдававших»)",
}


class RegionRules(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    region: str = ""
    name: str = ""
    source: str = ""
    exam_dates: dict[str, Any] = {}
    years: dict[str, dict[str, Any]] = {}  # "2027": {"main": "2027-02-10", "additional": [...]}
    holidays: list[str] = []  # the region's own days off (ISO dates)
    workdays: list[str] = []  # extra working weekend days (ISO dates)
    deadlines: dict[str, dict[str, Any]] = {}
    results_rows: str = "all"
    results_rows_note: str = ""
    recheck_after: str = "repeat_fail"  # "repeat_fail" (seed 004, 16.2) | "fail" (seed 003, 8.1)
    removed_may_retake: bool = True  # seed 004 15.1 names the removed; seed 003 3.6 does not
    confirmed_categories: list[str] = []  # categories whose «to_confirm» the РЦОИ confirmed
    online_form: bool = False  # results typed into the region's online cabinet (seed 004 12.1)
    conditions: list[dict[str, str]] = []  # special conditions: {"id", "name", "quote"}

    def condition_name(self, cid: str) -> str:
        return next((c["name"] for c in self.conditions if c.get("id") == cid), cid)

    def category_note(self, category) -> str:
        """«уточните в РЦОИ: …» for a category whose criteria the data only assumes."""
        if category.to_confirm and category.id not in self.confirmed_categories:
            return f"уточните в РЦОИ: {category.to_confirm}"
        return ""


def merge(base: dict, over: dict) -> dict:
    """The region's file over the default: dicts merged key by key (deadlines one by one)."""
    out = dict(base)
    for k, v in over.items():
        if k == "base":
            continue
        if isinstance(v, dict) and isinstance(out.get(k), dict) and k in ("deadlines", "years"):
            out[k] = {**out[k], **v}
        else:
            out[k] = v
    return out


def rules_from(default: dict, region: Optional[dict]) -> RegionRules:
    return RegionRules.model_validate(merge(default, region or {}))
