"""``teamdesk hub serve|enrol|summary|devices`` (the province) and ``teamdesk sync push`` (a commune)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from teamdesk.cli import Run, cli, command
from teamdesk.i18n import tr

from teamdesk.cli.sync import sync_group

hub_group = click.Group("hub", help="Máy chủ tỉnh: nhận và tổng hợp số liệu các xã. / The province hub.")
cli.add_command(hub_group)


def _open_store(run: Run, **options):
    from teamdesk.sync.hub.store import HubStore

    return HubStore.open(run.home, **options)


@command(hub_group, "serve", help="Chạy máy chủ tỉnh (HTTP). / Run the province hub (HTTP).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Địa chỉ lắng nghe / address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Cổng / port (0: any free port).")
@click.option("--max-mb", type=click.IntRange(1, 1024), default=64, show_default=True, help="Cỡ tệp tối đa (MB) / largest upload (MB).")
def serve_cmd(run: Run, host: str, port: int, max_mb: int):
    from teamdesk.sync.hub.serve import serve

    def ready(store, url: str) -> None:
        lines = []
        if store.recovered:
            lines.append(tr("hub.cli.recovered", count=store.recovered))
        if store.token_created:
            lines.append(tr("hub.cli.token_new", token=store.operator_token))
        lines.append(tr("hub.cli.page", url=url, token=store.operator_token))
        lines.append(tr("hub.cli.serving", name=store.name, url=url))  # last: "the hub is up"
        data = {"url": url, "name": store.name, "hub": store.identity.device_id, "recovered": store.recovered}
        if store.token_created:
            data["operator_token"] = store.operator_token
        run.emit(data, lines)
        click.get_text_stream("stdout").flush()

    serve(run.home, host=host, port=port, max_bytes=max_mb * 1024 * 1024, on_ready=ready)


@command(hub_group, "enrol", help="Đăng ký máy của một xã từ tệp tham gia. / Enrol a commune coordinator from its enrolment file.")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def enrol_cmd(run: Run, file: Path):
    from teamdesk.units import commune

    with _open_store(run) as store:
        rows = store.call(store.enrol_file, file)
    run.emit(
        {"enrolled": rows},
        [tr("hub.cli.enrolled", name=r["name"] or "—", device=r["device_id"], commune=commune(r["commune_code"])["name"]) for r in rows],
    )


@command(hub_group, "revoke", help="Thu hồi đăng ký của một máy xã (mất máy, đổi máy). / Revoke a commune device (lost, replaced).")
@click.argument("device_id")
def revoke_cmd(run: Run, device_id: str):
    with _open_store(run) as store:
        row = store.call(store.revoke, device_id.strip())
    run.emit({"revoked": row}, tr("hub.cli.revoked", device=row["device_id"], name=row["name"] or "—"))


@command(hub_group, "identity", help="Khóa công khai của máy chủ tỉnh (để xã đối chiếu). / The hub's public keys (for communes to check).")
def identity_cmd(run: Run):
    from teamdesk.sync.upload import fingerprint

    with _open_store(run) as store:
        keys = store.identity.public().to_json() | {"name": store.name}
    keys["fingerprint"] = fingerprint(keys["signing_key"])
    run.emit(keys, [f"{k}: {v}" for k, v in keys.items()])


@command(hub_group, "devices", help="Các máy xã đã đăng ký. / Enrolled commune devices.")
def devices_cmd(run: Run):
    with _open_store(run) as store:
        devices = store.call(store.devices)
    run.emit({"devices": devices}, [f"{d['commune_code']}  {d['device_id']}  {d['name']}" for d in devices] or [tr("hub.cli.summary_empty")])


@command(hub_group, "summary", help="Tổng hợp theo xã hoặc tỉnh. / The summary by commune or province.")
@click.option("--by", type=click.Choice(["commune", "province"]), default="commune", show_default=True, help="Theo xã hoặc tỉnh / grouping.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "text"]), default="text", show_default=True, help="Định dạng / format.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Ghi ra tệp / write to a file.")
def summary_cmd(run: Run, by: str, fmt: str, out: Path | None):
    from teamdesk.atomic_file import write_atomic
    from teamdesk.sync.hub.summary import to_csv

    with _open_store(run) as store:
        lines = store.call(store.summary, by=by)
    if fmt == "csv":
        text = to_csv(lines, by=by)
    elif fmt == "json" or run.as_json:
        text = json.dumps({"ok": True, "by": by, "lines": lines}, ensure_ascii=False, indent=2)
    else:
        text = "\n".join(tr("hub.cli.summary_line", **(e | {"commune": e.get("commune") or e.get("province")})) for e in lines) or tr("hub.cli.summary_empty")
    if out:
        write_atomic(out, text.encode("utf-8"))
        run.emit({"out": str(out), "lines": len(lines)}, str(out))
    elif run.as_json and fmt != "csv":
        run.emit({"by": by, "lines": lines})
    else:
        click.echo(text.lstrip("\ufeff") if fmt == "csv" else text)


@command(sync_group, "push", help="Gửi số liệu (đã ẩn danh) lên máy chủ tỉnh. / Push de-identified figures to the province hub.")
@click.option("--hub", "hub_url", help="Địa chỉ máy chủ tỉnh (ghi nhớ cho lần sau) / hub address (remembered).")
@click.option("--full", is_flag=True, help="Gửi lại toàn bộ (vô hại) / send everything again (harmless).")
@click.option("--retries", type=click.IntRange(0, 20), default=4, show_default=True, help="Số lần thử lại / retries per bundle.")
def push_cmd(run: Run, hub_url: str | None, full: bool, retries: int):
    from teamdesk.sync.upload import Backoff, push

    result = push(run.home, hub_url=hub_url, full=full, backoff=Backoff(retries=retries))
    lines = []
    if not result["reachable"]:
        lines.append(tr("hub.cli.push_unreachable", hub=result["hub"], pending=result["pending"]))
    else:
        if result["first_contact"]:
            lines.append(tr("hub.cli.push_first_contact"))
        if result["prepared"]:
            lines.append(tr("hub.cli.push_prepared", **result["prepared"]))
        lines.append(tr("hub.cli.push_done", **result))
        if result["error"]:
            lines.append(tr("hub.cli.push_error", message=result.get("error_message") or result["error"]))
    run.emit(result, lines)
    if not result["reachable"] or result["error"]:
        raise SystemExit(1)  # not done (yet): the bundles wait in the outbox
