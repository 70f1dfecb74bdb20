"""The school's full name and address for the forms (F11 or Ctrl+O on the main screen)."""
from __future__ import annotations

from typing import Any, Callable, Optional

from textual.app import ComposeResult
from textual.widgets import Input

from .organizer_modals import _Form


class SchoolModal(_Form):
    TITLE_TEXT = "Образовательная организация: наименование и адрес для бланков"

    def __init__(self, name: str, address: str, region_name: str, *,
                 apply: Optional[Callable[[Any], Any]] = None) -> None:
        super().__init__(apply=apply)
        self.values = (name, address, region_name)

    def fields(self) -> ComposeResult:
        name, address, region = self.values
        yield self.row("Полное наименование", Input(compact=True, value=name, id="f-oo-name"))
        yield self.row("Адрес", Input(compact=True, value=address, id="f-oo-address"))
        yield self.row("Субъект РФ", Input(compact=True, value=region, id="f-region-name"))

    def action_save(self) -> None:
        val = (lambda i: self.query_one(f"#{i}", Input).value)
        self.submit({"name": val("f-oo-name"), "address": val("f-oo-address"),
                      "region_name": val("f-region-name")})
