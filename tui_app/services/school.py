"""The school's own data printed on the forms: full name, address, region name."""
from __future__ import annotations

from typing import Optional

from ..domain.models import ExamDay
from ..errors import Refused
from ..store.workspace import Store


def set_school(store: Store, name: Optional[str] = None, address: Optional[str] = None,
               region_name: Optional[str] = None) -> ExamDay:
    day = store.exam_day()
    if day is None:
        raise Refused("Экзаменационный день не задан: сначала загрузите список участников.")
    changes = {k: " ".join(v.split()) for k, v in
               (("oo_name", name), ("oo_address", address), ("region_name", region_name))
               if v is not None}
    new = day.model_copy(update=changes)
    store.set_exam_day(new)
    return new
