"""One household at a glance: who lives there, the consent given, and every help logged.

Read through ``Desk.household`` on the runner (the same call ``teamdesk household show`` makes);
the panel only draws the dict it gets back. On a volunteer's laptop the same read also asks
``teamdesk.sync.receipts.has_reached`` whether the household's latest version and each help has
reached the commune ("Đã đến xã" / "Chưa đến xã"): the commune's receipts say so. A coordinator's
installation is the commune, so it shows no badge.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from teamdesk.dates import show as show_date
from teamdesk.help_services import outcome_label, service_label
from teamdesk.i18n import tr

MEMBER_COLUMNS = ("full_name", "sex", "birth_year", "relation")
HELP_COLUMNS = ("date", "service", "who")  # outcome with the service, volunteer under the person


NOT_REACHED_BACKGROUND = "#fff4ce"  # the amber of the clock banner: "not there yet", not an error
BADGE_STYLE = {
    True: "background: #e6f4ea; color: #1e6b34; border: 1px solid #9fd3ad; border-radius: 9px; padding: 2px 10px;",
    False: "background: #fff4ce; color: #5c4400; border: 1px solid #e0c36a; border-radius: 9px; padding: 2px 10px;",
}


def household_with_reach(desk, household_id: str, *, with_reach: bool) -> dict:
    """``desk.household`` plus, for a laptop, what has reached the commune (runs on the worker).

    ``reached``: ``{"household": bool, "helps": {help_id: bool}}``. The household counts as
    reached when its own row and every member row (removed ones too) have: an edit of a member is
    an edit of the household to the person looking at it.
    """
    h = desk.household(household_id)
    if with_reach and not h.get("deleted"):
        from teamdesk.sync.receipts import has_reached  # here: the sync package is not needed at start

        member_ids = [r[0] for r in desk.conn.execute("SELECT id FROM members WHERE household_id = ?", (h["id"],))]
        h["reached"] = {
            "household": has_reached(desk, "households", h["id"]) and all(has_reached(desk, "members", m) for m in member_ids),
            "helps": {e["id"]: has_reached(desk, "help_events", e["id"]) for e in h["helps"]},
        }
    return h


def _table(columns: int) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


class HouseholdDetail(QWidget):
    edit_requested = Signal(str)
    log_requested = Signal(str)
    loaded = Signal(object)  # the household dict (or None when cleared)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.household: dict | None = None
        self._wanted: str | None = None

        self.title = QLabel()
        self.title.setProperty("heading", True)
        self.title.setWordWrap(True)
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.consent = QLabel()
        self.consent.setWordWrap(True)
        self.consent.setProperty("hint", True)
        self.reach_badge = QLabel()  # "Đã đến xã" / "Chưa đến xã", a volunteer's laptop only
        self.reach_badge.setObjectName("reachBadge")
        self.reach_badge.hide()
        self.members_title = QLabel()
        self.members_title.setProperty("heading", True)
        self.members = _table(len(MEMBER_COLUMNS))
        self.helps_title = QLabel()
        self.helps_title.setProperty("heading", True)
        self.helps = _table(len(HELP_COLUMNS))
        self.helps.setWordWrap(True)
        # rows follow their wrapped text whenever the columns change width (large text, a resize)
        self.helps.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.helps.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.empty = QLabel()
        self.empty.setProperty("hint", True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)

        self.log_button = QPushButton()
        self.log_button.setProperty("primary", True)
        self.log_button.clicked.connect(lambda: self.household and self.log_requested.emit(self.household["id"]))
        self.edit_button = QPushButton()
        self.edit_button.clicked.connect(lambda: self.household and self.edit_requested.emit(self.household["id"]))
        badge_row = QHBoxLayout()
        badge_row.addWidget(self.reach_badge)
        badge_row.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.log_button)
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.title)
        body.addWidget(self.facts)
        body.addWidget(self.consent)
        body.addLayout(badge_row)
        body.addLayout(buttons)
        body.addWidget(self.members_title)
        body.addWidget(self.members, 2)
        body.addWidget(self.helps_title)
        body.addWidget(self.helps, 3)

        self.setMinimumWidth(320)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.body, 1)
        self.body.hide()
        self.retranslate()

    # --- loading ----------------------------------------------------------------------------
    def show_household(self, household_id: str | None) -> None:
        self._wanted = household_id
        if not household_id:
            self._draw(None)
            return
        with_reach = self.ctx.role != "coordinator"  # the commune itself needs no badge
        self.ctx.runner.query(
            lambda desk: household_with_reach(desk, household_id, with_reach=with_reach),
            on_done=lambda h: self._draw(h) if self._wanted == household_id else None,
            on_error=lambda exc: self._draw(None) if self._wanted == household_id else None,
        )

    def reload(self) -> None:
        self.show_household(self._wanted)

    def _draw(self, household: dict | None) -> None:
        self.household = household if household and not household.get("deleted") else None
        self.empty.setVisible(self.household is None)
        self.body.setVisible(self.household is not None)
        if self.household is not None:
            self._fill()
        self.loaded.emit(self.household)

    def _fill(self) -> None:
        h = self.household
        assert h is not None
        self.title.setText(h["head_name"])
        parts = [h["village"] or "—", h["phone"] or tr("hh.no_phone")]
        if h["address"]:
            parts.append(h["address"])
        facts = " · ".join(parts)
        if h.get("note"):
            facts += "\n" + tr("hh.note_line", note=h["note"])
        self.facts.setText(facts)
        c = h["consent"]
        if c.get("withdrawn_at"):
            self.consent.setText(tr("hh.consent_withdrawn", date=show_date(c["withdrawn_at"])))
        elif c.get("by"):
            scopes = ", ".join(tr(f"consent.scope.{s}") for s in c["scope"])
            self.consent.setText(tr("hh.consent_line", who=c["by"], date=show_date(c["at"]), scopes=scopes))
        else:
            self.consent.setText(tr("hh.consent_missing"))
        reached = h.get("reached")
        self.reach_badge.setVisible(reached is not None)
        if reached is not None:
            self.reach_badge.setText(tr("hh.reached" if reached["household"] else "hh.not_reached"))
            self.reach_badge.setToolTip(tr("hh.reached.tip" if reached["household"] else "hh.not_reached.tip"))
            self.reach_badge.setStyleSheet(BADGE_STYLE[bool(reached["household"])])
        self.members.setRowCount(len(h["members"]))
        for i, m in enumerate(h["members"]):
            values = (
                m["full_name"],
                tr(f"sex.{m['sex']}") if m["sex"] else "—",
                str(m["birth_year"] or "—"),
                tr(f"relation.{m['relation']}"),
            )
            for j, value in enumerate(values):
                self.members.setItem(i, j, QTableWidgetItem(value))
        self.members_title.setText(tr("hh.members_title", n=len(h["members"])))
        self.helps.setRowCount(len(h["helps"]))
        for i, e in enumerate(h["helps"]):
            service = service_label(e["service"]) + (f" — {e['detail']}" if e["detail"] else "")
            help_reached = reached["helps"].get(e["id"]) if reached is not None else None
            date = show_date(e["date"])
            if help_reached is not None:
                date += "\n" + tr("hh.reached" if help_reached else "hh.not_reached")
            values = (
                date,
                f"{service}\n{outcome_label(e['outcome'])}",
                f"{e['member'] or tr('hh.whole_household')}\n{tr('hh.by_volunteer', name=e['volunteer'] or '—')}",
            )
            for j, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip("\n".join(x for x in (value, e.get("note") or "") if x) if j == 1 else value)
                if j == 0 and help_reached is not None:
                    item.setToolTip(tr("hh.reached.tip_help" if help_reached else "hh.not_reached.tip_help"))
                    if not help_reached:  # what has not reached the commune stands out at a glance
                        item.setBackground(QBrush(QColor(NOT_REACHED_BACKGROUND)))
                self.helps.setItem(i, j, item)
        self.helps_title.setText(tr("hh.helps_title", n=len(h["helps"])))

    # --- text ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.empty.setText(tr("hh.pick_one"))
        self.log_button.setText(tr("hh.log_for"))
        self.log_button.setToolTip(tr("hh.log_for.tip"))
        self.edit_button.setText(tr("hh.edit"))
        self.edit_button.setToolTip(tr("hh.edit.tip"))
        self.members.setHorizontalHeaderLabels([tr(f"hh.member.{c}") for c in MEMBER_COLUMNS])
        self.helps.setHorizontalHeaderLabels([tr(f"hh.help.{c}") for c in HELP_COLUMNS])
        for table, prefix, columns in ((self.members, "hh.member", MEMBER_COLUMNS), (self.helps, "hh.help", HELP_COLUMNS)):
            for i, c in enumerate(columns):  # short headings; the tooltip says it in full
                table.horizontalHeaderItem(i).setToolTip(tr(f"{prefix}.{c}.tip"))
        self.members_title.setText(tr("hh.members_title", n=len(self.household["members"]) if self.household else 0))
        self.helps_title.setText(tr("hh.helps_title", n=len(self.household["helps"]) if self.household else 0))
        if self.household is not None:
            self._fill()
