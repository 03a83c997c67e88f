"""The first-run setup as a state machine without Qt (the desktop app draws it; tests drive it).

As Electrum does with its wizard: the flow, its validation and the final call into the core live
here; ``teamdesk.ui.wizard_view`` only shows the current step and passes what was typed.

Paths (``mode``):

- ``new``:  language → start → role → commune → villages → people → finish
- ``join``: language → start → join → finish   (only when the UI hands in a ``joiner``)
- ``demo``: language → start → finish          (a realistic demo commune to try things with)

``next()`` validates the current step and raises ``InputRejected`` (a Vietnamese message by
default) when something is missing; ``finish()`` creates the installation and saves the chosen
language, the first volunteer and puts them on duty, so logging works straight away.

Joining a team is the sync feature's (``teamdesk.sync.enrolment``), and the core never imports
``teamdesk.sync``: the UI passes ``joiner`` (``join_team``) and ``peek`` (reads an enrolment file:
``{"commune": code, "villages": [names]}``, raising ``InputRejected`` for a bad one). Without
them, the join option is not offered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from teamdesk import i18n, units, validate
from teamdesk.errors import InputRejected

MODES = ("new", "join", "demo")
ROLES = ("volunteer", "coordinator")
PATHS = {
    "new": ("language", "start", "role", "commune", "villages", "people", "finish"),
    "join": ("language", "start", "join", "finish"),
    "demo": ("language", "start", "finish"),
}
DEMO_HOUSEHOLDS = 300


@dataclass
class SetupWizard:
    home: Path
    step: str = "language"
    lang: str = field(default_factory=i18n.language)
    mode: str = "new"
    role: str = "volunteer"
    commune_code: str = ""
    villages: list[str] = field(default_factory=list)
    device_name: str = ""
    person_name: str = ""
    enrolment_file: str = ""
    join_village: str = ""
    demo_households: int = DEMO_HOUSEHOLDS
    joiner: Callable[..., object] | None = None  # join_team(home, name=, role=, enrolment_file=, village=)
    peek: Callable[[Path], dict] | None = None  # an enrolment file's commune and villages
    enrolment: dict | None = None  # what ``peek`` found in the chosen file

    # --- where we are ------------------------------------------------------------------------
    def path(self) -> tuple[str, ...]:
        return PATHS[self.mode]

    def index(self) -> int:
        return self.path().index(self.step)

    def is_first(self) -> bool:
        return self.index() == 0

    def is_last(self) -> bool:
        return self.step == "finish"

    def modes(self) -> list[str]:
        return [m for m in MODES if m != "join" or (self.joiner is not None and self.peek is not None)]

    # --- choosing ----------------------------------------------------------------------------
    def set_language(self, lang: str) -> None:
        if lang not in i18n.LANGUAGES:
            raise InputRejected("wizard.error_language")
        self.lang = lang
        i18n.set_language(lang)

    def find_communes(self, text: str, *, limit: int = 30) -> list[dict]:
        """Communes whose name matches what was typed, accents optional (``nguyet an``)."""
        return units.find(text, limit=limit)

    def commune(self) -> dict | None:
        return units.commune(self.commune_code) if self.commune_code else None

    def add_village(self, name: str) -> None:
        from teamdesk.fold import fold

        name = validate.text(name, field="village", max_len=80, required=True)
        if any(fold(v) == fold(name) for v in self.villages):
            raise InputRejected("error.village_exists", village=name)
        self.villages.append(name)

    def choose_enrolment(self, file: Path | str) -> dict:
        """Read the enrolment file now, so a wrong file is said at once; returns what it holds."""
        found = self.peek(Path(file))
        self.enrolment_file, self.enrolment = str(file), found
        villages = found.get("villages") or []
        if self.join_village not in villages:
            self.join_village = villages[0] if len(villages) == 1 else ""
        return found

    def remove_village(self, name: str) -> None:
        self.villages = [v for v in self.villages if v != name]

    def suggested_device_name(self) -> str:
        if self.role == "coordinator":
            return i18n.tr("wizard.device_suggest_commune")
        return i18n.tr("wizard.device_suggest_village", village=self.villages[0] if self.villages else "")

    # --- moving ------------------------------------------------------------------------------
    def check(self, step: str | None = None) -> None:
        """Raise ``InputRejected`` if ``step`` (default: the current one) is not complete."""
        step = step or self.step
        if step == "start" and self.mode not in self.modes():
            raise InputRejected("wizard.error_mode")
        if step == "role" and self.role not in ROLES:
            raise InputRejected("wizard.error_role")
        if step == "commune":
            if not self.commune_code:
                raise InputRejected("wizard.error_commune")
            units.commune(self.commune_code)  # NotFound for a code that names nothing
        if step == "villages" and not self.villages:
            raise InputRejected("wizard.error_villages")
        if step == "people":
            validate.text(self.device_name, field="device_name", max_len=80, required=True)
            validate.person_name(self.person_name, field="person_name")
        if step == "join":
            if not self.enrolment_file or self.enrolment is None:
                raise InputRejected("wizard.error_enrolment_file")
            validate.person_name(self.person_name, field="person_name")
            if len(self.enrolment.get("villages") or []) > 1 and not self.join_village:
                raise InputRejected("wizard.error_join_village")

    def next(self) -> str:
        self.check()
        if self.step == "villages" and not self.device_name:
            self.device_name = self.suggested_device_name()
        path = self.path()
        self.step = path[min(self.index() + 1, len(path) - 1)]
        return self.step

    def back(self) -> str:
        self.step = self.path()[max(self.index() - 1, 0)]
        return self.step

    def summary(self) -> dict:
        """What ``finish`` will do, for the last page."""
        code = self.commune_code or (self.enrolment or {}).get("commune", "")
        unit = units.commune(code) if code else None
        return {
            "mode": self.mode,
            "role": self.role,
            "commune": f"{unit['name']}, {unit['province_name']}" if unit else "",
            "villages": list(self.villages),
            "device_name": self.device_name,
            "person_name": self.person_name,
            "enrolment_file": self.enrolment_file,
            "join_village": self.join_village,
            "demo_households": self.demo_households,
        }

    # --- finishing ---------------------------------------------------------------------------
    def finish(
        self,
        *,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> dict:
        """Create the installation in ``home``; returns ``Desk.info()`` of the new installation."""
        from teamdesk.desk import Desk

        for step in self.path()[:-1]:
            self.check(step)
        if self.mode == "demo":
            from teamdesk.demo import make_demo

            make_demo(self.home, households=self.demo_households, progress=progress, cancelled=cancelled)
            desk = Desk.open(self.home)
        elif self.mode == "join":
            desk = self.joiner(
                self.home,
                name=self.person_name,
                role="volunteer",
                enrolment_file=Path(self.enrolment_file),
                village=self.join_village or None,
            )
            self._first_volunteer(desk, village=self.join_village or None)
        else:
            desk = Desk.create(
                self.home,
                role=self.role,
                name=self.device_name,
                commune_code=self.commune_code,
                villages=self.villages,
            )
            self._first_volunteer(desk, village=self.villages[0] if self.role == "volunteer" else None)
        with desk:
            desk.set_setting("lang", self.lang)
            return desk.info()

    def _first_volunteer(self, desk, *, village: str | None) -> None:
        from teamdesk.errors import NotFound

        try:
            vid = desk.volunteer(self.person_name)["id"]
        except NotFound:
            try:
                desk.village(village) if village else None
            except NotFound:
                village = None
            vid = desk.add_volunteer(self.person_name, village=village).first("volunteers")
        desk.set_on_duty(vid)
