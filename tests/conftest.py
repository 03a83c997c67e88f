"""Shared fixtures: real installations in temporary folders, offscreen Qt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("TEAMDESK_HOME", None)
os.environ.pop("TEAMDESK_LANG", None)

import pytest

from teamdesk import i18n
from teamdesk.desk import Desk

COMMUNE = "15106"  # Xã Nguyệt Ấn, Tỉnh Thanh Hóa


@pytest.fixture(autouse=True)
def _vietnamese_default():
    i18n.set_language("vi")
    yield
    i18n.set_language("vi")


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


@pytest.fixture
def desk(home):
    """A coordinator's installation with three villages and a volunteer on duty."""
    d = Desk.create(home, role="coordinator", name="Máy UBND xã", commune_code=COMMUNE, villages=["Thôn 1", "Thôn 2", "Thôn 3"])
    d.add_volunteer("Lê Thị Hoa", phone="0912345678", village="Thôn 1")
    d.set_on_duty("Lê Thị Hoa")
    yield d
    d.close()


@pytest.fixture
def household(desk):
    """One registered household: Nguyễn Văn Ấn with his wife, in Thôn 2."""
    changes = desk.add_household(
        head_name="Nguyễn Văn Ấn",
        village="Thôn 2",
        consent_by="Nguyễn Văn Ấn",
        phone="0987654321",
        address="Xóm Đông",
        head_sex="nam",
        head_birth_year=1968,
        members=[{"full_name": "Đặng Thị Lan", "sex": "nữ", "birth_year": 1972, "relation": "spouse"}],
    )
    return changes.first("households")


@pytest.fixture
def open_window(qtbot):
    """Open the app's main window over a home, at the common laptop size, once its Desk is open."""
    opened = []

    def open_(home, *, size=(1366, 768), **kwargs):
        from teamdesk.ui.app import open_shell

        window = open_shell(home, **kwargs)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        qtbot.waitUntil(lambda: window.ctx.runner.is_open, timeout=15000)
        opened.append(window)
        return window

    return open_


@pytest.fixture
def team(tmp_path):
    """A coordinator and two enrolled village laptops (``tests/sync_world.make_team``)."""
    from tests.sync_world import make_team

    coordinator, laptops, _ = make_team(tmp_path, volunteers=2)
    yield coordinator, laptops
    for d in (coordinator, *laptops):
        d.close()
