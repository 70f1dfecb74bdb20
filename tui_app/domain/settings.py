"""The workspace's settings and progress marks: one typed model (pure).

The store reads and writes the settings only through this model (`Store.settings()`,
`Store.update_settings(...)`), so every key has one name, one type and one default here.
"""
from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, ValidationError


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    # -- the day's checklist (main screen) ----------------------------------------------
    demo: bool = False  # the workspace is the built-in demo school
    roster_reviewed: bool = False
    distributed_auto: bool = False
    forms_printed: bool = False
    forms_printed_codes: list[str] = []
    export_done: bool = False
    handoff_done: bool = False

    # -- last operations (what the screens and `info` report) ----------------------------
    last_import: Optional[dict[str, Any]] = None
    last_scores_import: Optional[dict[str, Any]] = None
    last_export: Optional[dict[str, Any]] = None
    handoff_last: Optional[dict[str, Any]] = None

    # -- timetable (F3) ---------------------------------------------------------------
    schedule_start: Optional[str] = None  # ЧЧ:ММ
    schedule_limit: Optional[str] = None  # ЧЧ:ММ
    minutes_per_participant: Optional[int] = None
    remote_prep_minutes: Optional[int] = None
    test_call_start: Optional[str] = None  # ЧЧ:ММ, the remote form's test calls the day before
    room_log_window: Optional[list[str]] = None  # [ЧЧ:ММ, ЧЧ:ММ]: hours ИС-02 times may fall in

    # -- audio (F7) -------------------------------------------------------------------
    audio_device: Optional[str] = None
    audio_format: Optional[str] = None  # mp3 | wav
    audio_segment_seconds: Optional[float] = None
    audio_test_ok: Optional[bool] = None  # the last check, any room
    audio_test_result: Optional[dict[str, Any]] = None
    audio_tests: dict[str, dict[str, Any]] = {}  # room -> its last check {"verdict", "at", "device"}

    # -- printing and the readiness check (issue 20) --------------------------------
    print_viewer: Optional[str] = None  # Windows: SumatraPDF.exe for N copies in one job
    scans_required: Optional[bool] = None  # the region wants signed ИС-02/ИС-03 as scans
    readiness_last: Optional[dict[str, Any]] = None  # the last «протокол технической готовности»
    double_entry_halt: bool = True  # the second pass stops at the first differing digit (else blind)

    # -- retention ---------------------------------------------------------------------
    retention_acts: list[dict[str, Any]] = []
    retention_destroyed: list[str] = []

    @classmethod
    def load(cls, raw: Optional[dict]) -> "Settings":
        """Read stored settings; a value of the wrong type (a damaged or older file) falls
        back to its default instead of failing the whole workspace."""
        data = dict(raw or {})
        for _ in range(len(data) + 1):
            try:
                return cls.model_validate(data)
            except ValidationError as e:
                bad = {err["loc"][0] for err in e.errors() if err.get("loc")}
                if not bad & data.keys():
                    raise
                for key in bad:
                    data.pop(key, None)
        return cls()

    def updated(self, **changes: Any) -> "Settings":
        """A copy with `changes` applied and validated; an unknown name is a bug (TypeError)."""
        unknown = set(changes) - set(type(self).model_fields)
        if unknown:
            raise TypeError(f"unknown settings: {sorted(unknown)}")
        return type(self).model_validate({**self.model_dump(), **changes})
