"""The ``teamdesk`` command line: a thin layer over the same core calls as the desktop app.

Every command takes ``--home``, ``--json`` and ``--lang`` (added by ``command``), prints
Vietnamese by default, and exits 0 done, 1 failed, 2 usage, 3 input rejected. Command groups
live in sibling modules listed in ``COMMAND_MODULES``; each registers itself on ``cli``.
"""

from __future__ import annotations

import functools
import importlib
import json
import sys
from pathlib import Path
from typing import Any, Callable

import click

from teamdesk import i18n
from teamdesk.errors import TeamDeskError
from teamdesk.i18n import tr

COMMAND_MODULES = ("setup", "households", "backup", "leaflets", "sync", "hub", "report")


class Run:
    """One command's context: where the installation is, how to print, the open Desk."""

    def __init__(self, home: Path | None, as_json: bool, *, lang_given: bool = False):
        self.home = home
        self.as_json = as_json
        self._lang_given = lang_given  # --lang wins over the installation's language setting
        self._desk = None

    def desk(self):
        if self._desk is None:
            from teamdesk.desk import Desk

            self._desk = Desk.open(self.home)
            if not self._lang_given and self._desk.setting("lang") in i18n.LANGUAGES:
                i18n.set_language(self._desk.setting("lang"))
        return self._desk

    def emit(self, data: dict[str, Any], text: str | list[str] = "") -> None:
        """Print the result: ``data`` as JSON with --json, else the human ``text``."""
        if self.as_json:
            click.echo(json.dumps({"ok": True, **data}, ensure_ascii=False, indent=2, default=str))
        elif text:
            click.echo(text if isinstance(text, str) else "\n".join(text))

    def close(self) -> None:
        if self._desk is not None:
            self._desk.close()
            self._desk = None



def fail(run: Run, exc: TeamDeskError) -> None:
    message = exc.message()
    if run.as_json:
        click.echo(json.dumps({"ok": False, "error": exc.key, "message": message}, ensure_ascii=False))
    else:
        click.echo(f"{tr('cli.error')}: {message}", err=True)
    sys.exit(exc.exit_code)


def command(group: click.Group, name: str, *, help: str) -> Callable:
    """Register ``fn(run, **params)`` as a command with the common options and error handling."""

    def wrap(fn: Callable) -> Callable:
        @group.command(name, help=help)
        @click.option(
            "--home",
            type=click.Path(file_okay=False, path_type=Path),
            envvar="TEAMDESK_HOME",
            help="Thư mục dữ liệu (mặc định: thư mục người dùng) / data folder (default: the user data folder).",
        )
        @click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON / print JSON.")
        @click.option("--lang", type=click.Choice(i18n.LANGUAGES), help="Ngôn ngữ / language: vi, en.")
        @functools.wraps(fn)
        def run_command(home: Path | None, as_json: bool, lang: str | None, **params):
            if lang:
                i18n.set_language(lang)
            run = Run(home, as_json, lang_given=bool(lang))
            try:
                fn(run, **params)
            except TeamDeskError as exc:
                fail(run, exc)
            finally:
                run.close()

        return run_command

    return wrap


@click.group(
    invoke_without_command=True,
    help="TeamDesk — phần mềm cho tổ công nghệ số cộng đồng. Chạy không tham số để mở ứng dụng.\n\n"
    "TeamDesk for community digital technology teams. Run with no command to open the app.",
)
@click.version_option(package_name="teamdesk")
@click.pass_context
def cli(ctx: click.Context) -> None:
    if ctx.invoked_subcommand is None:
        ctx.invoke(cli.commands["gui"])


def load_commands() -> click.Group:
    for name in COMMAND_MODULES:
        importlib.import_module(f"teamdesk.cli.{name}")
    return cli


def main() -> None:
    load_commands()
    cli(prog_name="teamdesk")
