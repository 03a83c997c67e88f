"""Where things live: the installation's home folder and the shipped resources."""

from __future__ import annotations

import os
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
DB_NAME = "teamdesk.sqlite3"


def default_home() -> Path:
    """``TEAMDESK_HOME`` if set, else the platform's user data folder."""
    env = os.environ.get("TEAMDESK_HOME")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("TeamDesk", appauthor=False))


def resource(*parts: str) -> Path:
    return RESOURCES.joinpath(*parts)
