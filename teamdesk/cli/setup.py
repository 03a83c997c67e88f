"""Setting up: ``init``, ``demo``, ``units find``, ``status``, ``gui``."""

from __future__ import annotations

from pathlib import Path

import click

from teamdesk import units
from teamdesk.cli import Run, cli, command
from teamdesk.i18n import tr


@command(
    cli,
    "init",
    help="Tạo bản cài đặt mới cho máy này. / Set up this installation.",
)
@click.option("--role", type=click.Choice(["volunteer", "coordinator", "hub"]), required=True, help="Vai trò / role.")
@click.option("--name", required=True, help="Tên máy hoặc người dùng / device or user name.")
@click.option("--commune", "commune_code", default="", help="Mã xã/phường (5 số) / commune code.")
@click.option("--village", "villages", multiple=True, help="Thôn/tổ dân phố (lặp lại được) / village (repeatable).")
@click.option("--enrol", "enrol_file", type=click.Path(dir_okay=False, path_type=Path), help="Tệp tham gia tổ / enrolment file.")
def init_cmd(run: Run, role: str, name: str, commune_code: str, villages: tuple[str, ...], enrol_file: Path | None):
    if enrol_file:
        from teamdesk.sync.enrolment import join_team

        desk = join_team(run.home, name=name, role=role, enrolment_file=enrol_file, village=villages[0] if villages else None)
    else:
        from teamdesk.desk import Desk

        desk = Desk.create(run.home, role=role, name=name, commune_code=commune_code, villages=villages)
        from teamdesk.sync.identity import Identity

        # keys are made now, not at the first sync: a hub's are what coordinators pin
        Identity.load_or_create(desk.home, device_id=desk.device_id)
    with desk:
        info = desk.info() | {"counts": desk.counts()}
    run.emit(info, tr("cli.init_done", home=info["home"], place=f" — {info['commune']}" if info["commune"] else "", role=tr(f"role.{role}")))


@command(cli, "demo", help="Tạo dữ liệu mẫu thực tế. / Fill this home with realistic demo data.")
@click.option("--households", "count", type=click.IntRange(1, 1_000_000), default=300, show_default=True, help="Số hộ / households.")
@click.option("--seed", type=int, default=1, show_default=True, help="Hạt giống ngẫu nhiên / random seed.")
def demo_cmd(run: Run, count: int, seed: int):
    from teamdesk.demo import make_demo

    def progress(done: int, total: int) -> None:
        if not run.as_json:
            click.echo(f"\r{tr('cli.demo_progress', done=done, total=total)}", nl=False, err=True)

    summary = make_demo(run.home, households=count, seed=seed, progress=progress)
    if not run.as_json:
        click.echo("", err=True)
    run.emit(summary, tr("cli.demo_done", **summary))


units_group = click.Group("units", help="Đơn vị hành chính (34 tỉnh, 3.321 xã) / administrative units.")
cli.add_command(units_group)


@command(units_group, "find", help="Tìm xã/phường theo tên, không cần dấu. / Find a commune by name.")
@click.argument("text")
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True, help="Số kết quả / results.")
def units_find_cmd(run: Run, text: str, limit: int):
    found = units.find(text, limit=limit)
    run.emit(
        {"communes": found, "source": units.source()},
        [f"{c['code']}  {c['name']}, {c['province_name']}" for c in found] or [tr("cli.nothing_found")],
    )


@command(cli, "status", help="Thông tin bản cài đặt này. / About this installation.")
def status_cmd(run: Run):
    info = run.desk().info() | {"counts": run.desk().counts()}
    lines = [
        tr("cli.status_line", name=info["device_name"], role=tr(f"role.{info['role']}"), commune=info["commune"] or "—"),
        tr("cli.status_counts", **info["counts"]),
    ]
    if not info["clock"]["ok"]:
        lines.append(tr("warning.clock", **info["clock"]))
    run.emit(info, lines)


@cli.command("gui", help="Mở ứng dụng (mặc định). / Open the desktop app (the default).")
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), envvar="TEAMDESK_HOME", help="Thư mục dữ liệu / data folder.")
@click.option("--lang", type=click.Choice(["vi", "en"]), help="Ngôn ngữ / language.")
@click.option("--demo", is_flag=True, help="Mở với dữ liệu mẫu (tạo 2.000 hộ lần đầu) / open on demo data (2,000 households made on first run).")
def gui_cmd(home: Path | None, lang: str | None, demo: bool):
    if demo:
        from teamdesk.demo import make_demo
        from teamdesk.desk import Desk
        from teamdesk.paths import default_home

        home = home or default_home().with_name("TeamDesk-demo")
        if not Desk.exists(home):
            click.echo(tr("cli.demo_first_run", home=home), err=True)
            make_demo(home, households=2000)
    from teamdesk.ui.app import run_app

    raise SystemExit(run_app(home=home, lang=lang))
