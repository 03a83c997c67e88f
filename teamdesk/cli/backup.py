"""``teamdesk backup --out FILE`` and ``teamdesk restore FILE``: the same core calls as Settings."""

from __future__ import annotations

from pathlib import Path

import click

from teamdesk.cli import Run, cli, command
from teamdesk.i18n import tr
from teamdesk.paths import default_home


@command(cli, "backup", help="Sao lưu dữ liệu ra một tệp (an toàn khi ứng dụng đang mở). / Back up the data to a file.")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="Tệp (hoặc thư mục) sao lưu / backup file (or folder).",
)
def backup_cmd(run: Run, out: Path):
    from teamdesk import backup  # here: `teamdesk` (the app) loads every command module first

    done = backup.backup_file(run.desk(), out=out)
    run.emit(done, tr("backup.done", file=done["file"]))


@command(
    cli,
    "restore",
    help="Khôi phục dữ liệu từ bản sao lưu (đóng ứng dụng trước); dữ liệu hiện tại được giữ lại một bản. / "
    "Restore from a backup (close the app first); the current data is kept aside.",
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def restore_cmd(run: Run, file: Path):
    from teamdesk import backup

    done = backup.restore(run.home or default_home(), file)
    run.emit(done, tr("cli.restored", file=file.name, aside=done["kept_aside"] or "—"))
