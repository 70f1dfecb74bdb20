"""Criteria schemes and ОВЗ categories, read from data (data/criteria/YYYY.json)."""
from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, Field, model_validator


class Criterion(BaseModel):
    code: str
    name: str
    max: int = Field(ge=0, le=9)
    task: int


class Task(BaseModel):
    no: int
    name: str


class Subtotal(BaseModel):
    code: str
    name: str
    tasks: list[int]


class Category(BaseModel):
    id: str
    name: str
    short: str = ""
    criteria: list[str]
    max: int
    pass_min: int
    extra_minutes: int = 0
    to_confirm: str = ""  # an assumption of the data: shown as «уточните в РЦОИ» until confirmed
    group: str = ""  # variants of one category share a group («blind»: all tasks / tasks 3–4)
    variant: str = ""  # «только задания 3–4»
    requires_scheme: Optional[int] = None  # РАС: 2 (seed 004, 9.5)
    scheme_note: str = ""


class Scheme(BaseModel):
    year: str
    title: str = ""
    source: str = ""
    criteria: list[Criterion]
    tasks: list[Task]
    subtotals: list[Subtotal]
    b2p_order: list[str]
    default_category: str = "general"
    categories: list[Category]

    @model_validator(mode="after")
    def _consistent(self) -> "Scheme":
        codes = [c.code for c in self.criteria]
        if len(set(codes)) != len(codes):
            raise ValueError("коды критериев повторяются")
        if sorted(self.b2p_order) != sorted(codes):
            raise ValueError("b2p_order должен перечислять все критерии ровно один раз")
        for cat in self.categories:
            unknown = [c for c in cat.criteria if c not in codes]
            if unknown:
                raise ValueError(f"категория {cat.id}: неизвестные критерии {unknown}")
            total = sum(self.criterion(c).max for c in cat.criteria)
            if total != cat.max:
                raise ValueError(
                    f"категория {cat.id}: сумма максимумов {total} не равна максимуму {cat.max}"
                )
            if not 0 < cat.pass_min <= cat.max:
                raise ValueError(f"категория {cat.id}: минимум для зачёта вне диапазона")
        if self.default_category not in {c.id for c in self.categories}:
            raise ValueError("default_category не найдена среди категорий")
        return self

    @cached_property
    def _by_code(self) -> dict[str, Criterion]:
        return {c.code: c for c in self.criteria}

    @cached_property
    def _cats(self) -> dict[str, Category]:
        return {c.id: c for c in self.categories}

    @cached_property
    def _plans(self) -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
        by_task = {}
        for c in self.criteria:
            by_task.setdefault(c.task, []).append(c.code)
        return {cat.id: tuple((sub.code, tuple(code for t in sub.tasks for code in by_task.get(t, ())
                                               if code in cat.criteria))
                              for sub in self.subtotals)
                for cat in self.categories}

    def subtotal_plan(self, category: Category) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(subtotal code, the codes of the criteria it sums for this category), per subtotal."""
        return self._plans[category.id]

    @cached_property
    def _b2p_slots(self) -> dict[str, tuple[tuple[int, str], ...]]:
        return {cat.id: tuple((i, code) for i, code in enumerate(self.b2p_order) if code in cat.criteria)
                for cat in self.categories}

    def b2p_slots(self, category: Category) -> tuple[tuple[int, str], ...]:
        """(position in b2p_order, criterion code) of the criteria this category scores."""
        return self._b2p_slots[category.id]

    @cached_property
    def _limits(self) -> dict[str, dict[str, int]]:
        return {cat.id: {code: self._by_code[code].max for code in cat.criteria}
                for cat in self.categories}

    def limits(self, category: Category) -> dict[str, int]:
        """Criterion code -> its maximum, for the criteria this category scores."""
        return self._limits[category.id]

    def criterion(self, code: str) -> Criterion:
        return self._by_code[code]

    def has_criterion(self, code: str) -> bool:
        return code in self._by_code

    def category(self, cat_id: Optional[str]) -> Category:
        """The category by id; an unknown id raises KeyError with a Russian message."""
        key = cat_id or self.default_category
        try:
            return self._cats[key]
        except KeyError:
            raise KeyError(f"неизвестная категория участника «{key}»") from None

    def has_category(self, cat_id: str) -> bool:
        return cat_id in self._cats

    @property
    def total_max(self) -> int:
        return self.category(self.default_category).max

    def subtotal_max(self, sub: Subtotal, category: Optional[Category] = None) -> int:
        allowed = set(category.criteria) if category else None
        return sum(
            c.max
            for c in self.criteria
            if c.task in sub.tasks and (allowed is None or c.code in allowed)
        )

    def task_criteria(self, task_no: int) -> list[Criterion]:
        return [c for c in self.criteria if c.task == task_no]


def load_scheme_file(path: Path) -> Scheme:
    return Scheme.model_validate(json.loads(Path(path).read_text(encoding="utf-8")))
