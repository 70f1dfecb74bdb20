"""Finding and opening the workspace."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from ..store.workspace import Workspace

ENV_VAR = "IS_SHTAB_WORKSPACE"


def default_root() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("is-shtab", appauthor=False)) / "workspace"


def demo_root() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("is-shtab", appauthor=False)) / "demo"


def resolve_root(arg: Optional[str]) -> Path:
    """--workspace wins, then IS_SHTAB_WORKSPACE, then the per-user default."""
    if arg:
        return Path(arg).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return default_root()


def open_workspace(root: Path | str) -> Workspace:
    return Workspace.open(root)
