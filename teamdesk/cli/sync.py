"""``teamdesk enrol export`` and ``teamdesk sync …``: sync files between village laptops and the commune.

A thin layer: every command is one call into ``teamdesk.sync`` (the desktop's sync screen makes
the same calls). ``sync_group`` is public: other modules add commands to it (``sync push``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from teamdesk.cli import Run, cli, command
from teamdesk.i18n import tr

sync_group = click.Group("sync", help="Đồng bộ dữ liệu giữa máy thôn và máy xã bằng tệp .tdsync. / Sync files between village laptops and the commune.")
cli.add_command(sync_group)
enrol_group = click.Group("enrol", help="Tệp tham gia tổ cho máy của tổ viên. / Enrolment files for volunteers' laptops.")
cli.add_command(enrol_group)


def _counts_line(r: dict) -> str:
    return tr("sync.cli.counts", new=r["new"], updated=r["updated"], unchanged=r["unchanged"], conflicts=r["conflicts"])


@command(enrol_group, "export", help="(Điều phối viên) Xuất tệp tham gia tổ và thẻ QR để in. / (Coordinator) Write the enrolment file, and a printable QR card.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Tệp tham gia (.json) / enrolment file.")
@click.option("--card", type=click.Path(dir_okay=False, path_type=Path), help="Thẻ QR để in (.pdf) / printable QR card.")
def enrol_export_cmd(run: Run, out: Path, card: Path | None):
    from teamdesk.sync import enrolment

    desk = run.desk()
    result = enrolment.export_enrolment(desk, out=out)
    if card:
        result["card"] = enrolment.write_card(desk, out=card)["file"]
    lines = [tr("sync.cli.enrol_written", file=str(out), commune=result["commune_name"], villages=", ".join(result["villages"]))]
    if card:
        lines.append(tr("sync.cli.card_written", file=str(card)))
    lines.append(tr("sync.cli.enrol_keep_safe"))
    run.emit(result, lines)


@command(sync_group, "export", help="Xuất dữ liệu mới (hoặc tất cả với --full) ra tệp .tdsync. / Export what changed (or everything) to a .tdsync file.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Tệp sẽ ghi / file to write.")
@click.option("--full", is_flag=True, help="Gửi lại toàn bộ (vô hại) / re-send everything (harmless).")
@click.option("--to", "audience", type=click.Choice(["commune", "team"]), help="Nơi nhận: commune (máy xã) hoặc team (các máy thôn) / destination.")
def export_cmd(run: Run, out: Path, full: bool, audience: str | None):
    from teamdesk.sync.export import export_bundle

    result = export_bundle(run.desk(), out=out, full=full, audience=audience)
    run.emit(result, tr("sync.cli.exported", file=str(out), records=result["records"], sequence=result["sequence"]))


@command(sync_group, "import", help="Nhập một hoặc nhiều tệp .tdsync, hoặc cả thư mục USB (thứ tự nào, trùng lặp đều được). / Import .tdsync files or a whole folder (any order, repeats are harmless).")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--receipts", "receipts_dir", type=click.Path(file_okay=False, path_type=Path), help="Ghi biên nhận gửi lại các thôn vào thư mục này / write receipts for the villages here.")
def import_cmd(run: Run, files: tuple[Path, ...], receipts_dir: Path | None):
    from teamdesk.sync.import_ import import_files

    report = import_files(run.desk(), files, receipts_dir=receipts_dir)
    lines = []
    for f in report.files:
        head = f"{f.file}: {tr('sync.state.' + f.state)}"
        if f.state in ("applied", "unchanged") and f.device_name:
            head += f" — {f.device_name}" + (f", {f.village}" if f.village else "") + f" #{f.sequence}"
        if f.state == "applied":
            head += f" — {_counts_line(f.to_json())}"
        if f.message:
            head += f" — {f.message}"
        lines.append(head)
    t = report.totals()
    lines.append(tr("sync.cli.totals", **t))
    lines.extend(m["message"] for m in report.missing)
    lines.extend(tr("sync.cli.receipt_written", file=p) for p in report.receipts)
    run.emit(report.to_json(), lines)
    if t["rejected"]:
        run.close()
        sys.exit(3)


@command(sync_group, "status", help="Tình trạng đồng bộ: cái gì chưa đến xã, gói nào còn thiếu. / Sync status.")
def status_cmd(run: Run):
    from teamdesk.sync.status import status_lines, sync_status

    status = sync_status(run.desk())
    run.emit(status, status_lines(status))


@command(sync_group, "conflicts", help="Các xung đột đang chờ quyết định. / The conflict inbox.")
@click.option("--all", "include_resolved", is_flag=True, help="Gồm cả xung đột đã xử lý / include resolved ones.")
def conflicts_cmd(run: Run, include_resolved: bool):
    from teamdesk.sync.conflicts import list_conflicts

    found = list_conflicts(run.desk(), include_resolved=include_resolved)
    lines = []
    for c in found:
        lines.append(f"[{c['id']}] {c['explanation']}")
    run.emit({"conflicts": found}, lines or [tr("sync.cli.no_conflicts")])


@command(sync_group, "resolve", help="Giải quyết một xung đột: giữ của máy này (mine) hay của máy kia (theirs). / Resolve a conflict.")
@click.argument("conflict_id", type=int)
@click.option("--keep", type=click.Choice(["mine", "theirs"]), required=True, help="mine: giá trị của máy này; theirs: giá trị nhận được.")
def resolve_cmd(run: Run, conflict_id: int, keep: str):
    from teamdesk.sync.conflicts import resolve

    changes = resolve(run.desk(), conflict_id, keep=keep)
    run.emit({"changes": changes.to_json()}, tr("sync.cli.resolved", id=conflict_id, keep=tr(f"conflict.keep_{keep}")))


@command(sync_group, "duplicates", help="Các hộ có thể bị đăng ký trùng. / Likely duplicate households.")
@click.option("--limit", type=click.IntRange(1, 5000), default=100, show_default=True, help="Số cặp tối đa / pairs.")
def duplicates_cmd(run: Run, limit: int):
    from teamdesk.sync.duplicates import find_duplicates

    pairs = find_duplicates(run.desk(), limit=limit)
    lines = []
    for p in pairs:
        k, d = p["keep"], p["drop"]
        reasons = ", ".join(tr(f"dup.reason.{r}") for r in p["reasons"])
        lines.append(f"{k['id'][-8:]} {k['head_name']} ({k['village']})  ≈  {d['id'][-8:]} {d['head_name']} ({d['village']}) — {reasons}")
    run.emit({"pairs": pairs}, lines or [tr("sync.cli.no_duplicates")])


@command(sync_group, "merge-duplicates", help="Gộp hộ --drop vào hộ --keep (giữ mọi lần hỗ trợ). / Merge a duplicate household into another.")
@click.option("--keep", required=True, help="Mã hộ giữ lại / household to keep.")
@click.option("--drop", required=True, help="Mã hộ gộp vào / household merged into it.")
def merge_duplicates_cmd(run: Run, keep: str, drop: str):
    from teamdesk.sync.duplicates import merge_pair

    changes = merge_pair(run.desk(), keep=keep, drop=drop)
    run.emit({"changes": changes.to_json()}, tr("sync.cli.merged", keep=keep, drop=drop))


@command(sync_group, "not-duplicates", help="Đánh dấu hai hộ là khác nhau (không hỏi lại). / Mark two households as different families.")
@click.argument("first")
@click.argument("second")
def not_duplicates_cmd(run: Run, first: str, second: str):
    from teamdesk.sync.duplicates import dismiss

    dismiss(run.desk(), first, second)
    run.emit({"dismissed": [first, second]}, tr("sync.cli.dismissed"))


@command(sync_group, "devices", help="Các máy trong tổ và trạng thái (đã duyệt, chờ duyệt, thu hồi). / Devices and their state.")
def devices_cmd(run: Run):
    from teamdesk.sync.devices import list_devices

    found = list_devices(run.desk())
    lines = [
        f"{d['device_id']}  {tr('device.state.' + d['state']):<12} {d['name']}" + (f" ({d['village']})" if d["village"] else "")
        + (f" — {tr('sync.cli.held', count=d['held'])}" if d["held"] else "")
        for d in found
    ]
    run.emit({"devices": found}, lines or [tr("sync.cli.no_devices")])


@command(sync_group, "approve", help="Duyệt một máy đang chờ và nhập các tệp đang giữ. / Approve a device and import its held files.")
@click.argument("device")
@click.option("--deputy", is_flag=True, help="Máy của phó điều phối viên (được đọc tệp của các thôn) / a deputy coordinator.")
def approve_cmd(run: Run, device: str, deputy: bool):
    from teamdesk.sync.devices import approve

    result = approve(run.desk(), device, deputy=deputy)
    t = result["import"]["totals"]
    run.emit(result, [tr("sync.cli.approved", device=result["device"]["name"] or result["device"]["device_id"]), tr("sync.cli.totals", **t)])


@command(sync_group, "revoke", help="Thu hồi một máy (mất, hỏng, không dùng nữa): từ chối mọi tệp của nó. / Revoke a device.")
@click.argument("device")
def revoke_cmd(run: Run, device: str):
    from teamdesk.sync.devices import revoke

    found = revoke(run.desk(), device)
    run.emit({"device": found}, tr("sync.cli.revoked", device=found["name"] or found["device_id"]))


@command(sync_group, "receipts", help="Ghi biên nhận cho các máy thôn (cái gì đã đến xã). / Write receipts for village laptops.")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Thư mục ghi biên nhận / folder.")
@click.option("--device", "device_refs", multiple=True, help="Chỉ máy này (lặp lại được) / only this device.")
def receipts_cmd(run: Run, out_dir: Path, device_refs: tuple[str, ...]):
    from teamdesk.sync.devices import find, list_devices
    from teamdesk.sync.import_ import _slug
    from teamdesk.sync.receipts import write_receipt

    desk = run.desk()
    targets = [find(desk, ref) for ref in device_refs] or [d for d in list_devices(desk) if d["state"] == "approved" and not d["recipient"]]
    written = []
    for d in targets:
        out = out_dir / f"bien-nhan-{_slug(d['village'] or d['name'])}-{d['device_id'][-6:]}.tdsync"
        written.append(write_receipt(desk, device_id=d["device_id"], out=out))
    run.emit({"receipts": written}, [tr("sync.cli.receipt_written", file=w["file"]) for w in written] or [tr("sync.cli.no_devices")])


@command(sync_group, "reconcile", help="Bảng đối chiếu: số bản ghi gửi, nhận, áp dụng theo thôn, máy, ngày. / The reconciliation sheet.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Ghi ra tệp .csv hoặc .pdf / write a .csv or .pdf file.")
def reconcile_cmd(run: Run, out: Path | None):
    from teamdesk.dates import show
    from teamdesk.sync.reconcile import reconciliation, write_sheet

    desk = run.desk()
    if out:
        result = write_sheet(desk, out=out)
        run.emit(result, tr("sync.cli.sheet_written", file=str(out)))
        return
    sheet = reconciliation(desk)
    lines = [
        f"{r['village']:<12} {r['device']:<18} {show(r['day'])}  "
        + tr("reconcile.line", sent=r["sent"], received=r["received"], applied=r["applied"])
        + ("" if r["ok"] else "  ⚠ " + tr("reconcile.check"))
        for r in sheet["files"]
    ]
    lines.extend(m["message"] for m in sheet["missing"])
    lines.append(tr("reconcile.all_ok") if sheet["ok"] else tr("reconcile.not_ok"))
    run.emit(sheet, lines)
