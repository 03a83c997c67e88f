"""Save screenshots of every registered screen, offscreen, over a fresh demo home, in Vietnamese.

    python scripts/screenshots.py [--out DIR] [--lang vi] [--households 300] [--only KEY ...]
    python scripts/screenshots.py --readme      # just the images the README shows, into docs/screenshots

For each screen the main window shows (``teamdesk.ui.screens``): ``<key>.png`` at 1366×768 and
``<key>-large.png`` in large-text mode; plus the setup wizard's first steps (``wizard-*.png``).
Look at every image: no cut-off labels, no English on a Vietnamese screen.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("TEAMDESK_HOME", None)

SIZE = (1366, 768)
README_SET = {"wizard-2-start", "today", "households", "today-large", "settings"}


def settle(app, runner=None, ms: int = 150) -> None:
    """Let queued work and painting finish (the worker's queue, then a short quiet period)."""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.time() + 15
    loop = QEventLoop()

    def poll() -> None:  # (not processEvents(flags, ms) in a loop: PySide6 6.12 crashes on it)
        if runner is None or not runner.pending() or time.time() > deadline:
            QTimer.singleShot(ms, loop.quit)
        else:
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)
    loop.exec()


def save(widget, path: Path) -> Path:
    """A 256-colour PNG: the same to the eye for a UI, a fifth of the bytes in the repository."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage

    image = widget.grab().toImage()
    flags = Qt.ImageConversionFlag.ThresholdDither | Qt.ImageConversionFlag.AvoidDither
    image.convertToFormat(QImage.Format.Format_Indexed8, flags).save(str(path), "PNG", 0)
    return path


def dress(key: str, screen) -> None:
    """Make a screen show something typical (a search typed, a row selected) when it can."""
    if key == "households" and hasattr(screen, "search"):
        screen.search.setText("nguyen van")
    if key == "today" and hasattr(screen, "receive"):
        from teamdesk import search

        log = getattr(screen, "log", None)
        if log is not None and hasattr(log, "search"):
            log.search.setText("nguyen van")  # typed without accents: the matches listed
        else:
            found = search.find(screen.ctx.reader(), "nguyen van", limit=1)
            if found:  # a household picked in the log panel
                screen.receive({"household": found[0]["id"]})
    view = getattr(screen, "view", None)
    if view is not None and hasattr(view, "selectRow"):
        view.selectRow(0)


def shoot_shell(home: Path, out: Path, lang: str, only: list[str]) -> list[Path]:
    from teamdesk.ui.app import ensure_app, open_shell

    app = ensure_app()
    window = open_shell(home, app=app, lang=lang)
    window.resize(*SIZE)
    window.show()
    runner = window.ctx.runner
    settle(app, runner, 300)
    saved = []
    for large in (False, True):
        window.ctx.set_large_text(large, persist=False)
        for key in window.keys():
            if only and key not in only:
                continue
            screen = window.show_screen(key)
            settle(app, runner)
            if not large:
                dress(key, screen)
            settle(app, runner, 400)
            saved.append(save(window, out / f"{key}{'-large' if large else ''}.png"))
    window.close()
    window.shutdown()
    return saved


def shoot_wizard(out: Path) -> list[Path]:
    from teamdesk.ui.app import ensure_app
    from teamdesk.ui.wizard_view import WizardWindow

    app = ensure_app()
    with tempfile.TemporaryDirectory() as tmp:
        view = WizardWindow(Path(tmp) / "home")
        view.resize(920, 640)
        view.show()
        saved = []
        settle(app)
        for name, action in (
            ("wizard-1-language", lambda: None),
            ("wizard-2-start", view.go_next),
            ("wizard-4-commune", lambda: (view.go_next(), view.go_next(), view.commune_edit.setText("nguyet an"))),
        ):
            action()
            settle(app)
            saved.append(save(view, out / f"{name}.png"))
        view.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--lang", default="vi", choices=["vi", "en"])
    parser.add_argument("--households", type=int, default=300)
    parser.add_argument("--only", nargs="*", default=[])
    parser.add_argument("--no-wizard", action="store_true")
    parser.add_argument("--readme", action="store_true", help="only the README's images, into docs/screenshots")
    args = parser.parse_args()
    if args.readme:
        args.out = "docs/screenshots"

    from teamdesk import i18n
    from teamdesk.demo import make_demo
    from teamdesk.ui import theme
    from teamdesk.ui.app import ensure_app

    i18n.set_language(args.lang)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = ensure_app(["teamdesk-screenshots"])
    theme.apply(app)
    saved = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "demo"
        make_demo(home, households=args.households, seed=1)
        if not args.no_wizard:
            saved += shoot_wizard(out)
        saved += shoot_shell(home, out, args.lang, args.only)
    if args.readme:
        for path in saved:
            if path.stem not in README_SET:
                path.unlink()
        saved = [p for p in saved if p.stem in README_SET]
    for path in saved:
        print(path)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
