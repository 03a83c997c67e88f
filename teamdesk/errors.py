"""Typed errors. Each carries a message key (translated by ``teamdesk.i18n``) and an exit code.

Exit codes follow the CLI contract: 1 failed, 2 usage, 3 input rejected.
"""

from __future__ import annotations


class TeamDeskError(Exception):
    exit_code = 1

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self) -> str:
        from teamdesk.i18n import tr

        params = dict(self.params)
        if "field" in params:  # field names are shown in the user's language too
            params["field"] = tr(f"field.{params['field']}")
        return tr(self.key, **params)

    def __str__(self) -> str:
        return self.message()


class Failed(TeamDeskError):
    """Something went wrong that is not the user's input: disk full, read-only home, a bug."""


class InputRejected(TeamDeskError):
    """Outside input that failed validation; nothing was written."""

    exit_code = 3


class NotFound(InputRejected):
    """An id or code that names nothing."""


class UsageError(TeamDeskError):
    exit_code = 2


class NotInitialised(UsageError):
    """The home folder has no installation yet."""


class SchemaTooNew(Failed):
    """The database was written by a newer TeamDesk; it is left untouched."""


class ClockSuspect(InputRejected):
    """The system clock cannot be trusted to date a help; the user must give the date."""
