"""ИС-09 «Акт об удалении участника итогового собеседования»: the page of ИС-08 (is08.py)
with its own title, reason and time labels, and the participant's signature line."""
from __future__ import annotations

from typing import Optional, Sequence

from ..domain.models import Act, Participant
from . import is08
from .context import FormContext
from .kit import FormPDF

CODE = "ИС-09"
LAYOUT = is08.ActLayout(
    code=CODE,
    subtitle="об удалении участника итогового собеседования",
    about="Сведения об участнике итогового собеседования",
    reason_label="Удалён с итогового собеседования по следующим причинам:",
    time_label="Время удаления участника с итогового собеседования",
    participant_signs=True,
)


def build(ctx: FormContext, act: Optional[Act], p: Optional[Participant], *,
          pdf: Optional[FormPDF] = None, progress=None) -> FormPDF:
    return is08.build(ctx, act, p, pdf=pdf, progress=progress, layout=LAYOUT)


def build_many(ctx: FormContext, acts: Sequence[tuple[Act, Optional[Participant]]], *,
               progress=None) -> FormPDF:
    return is08.build_many(ctx, acts, progress=progress, layout=LAYOUT)
