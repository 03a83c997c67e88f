"""Households, members, villages, volunteers and ``log``: the volunteer's daily commands."""

from __future__ import annotations

import click

from teamdesk.cli import Run, cli, command
from teamdesk.dates import show as show_date
from teamdesk.help_services import outcome_label, service_label
from teamdesk.ids import short
from teamdesk.i18n import tr


def _member_spec(text: str) -> dict:
    """``"Tên;nữ;1985;spouse"`` (name; sex; birth year; relation) → a member dict."""
    parts = [p.strip() for p in text.split(";")]
    parts += [""] * (4 - len(parts))
    return {"full_name": parts[0], "sex": parts[1], "birth_year": parts[2] or None, "relation": parts[3] or "other"}


def _household_lines(h: dict) -> list[str]:
    lines = [
        f"{h['head_name']}  [{short(h['id'])}]  — {h['village']}",
        f"  {tr('field.phone')}: {h['phone'] or '—'}   {tr('field.address')}: {h['address'] or '—'}",
        f"  {tr('field.consent')}: {h['consent']['by'] or '—'} ({', '.join(tr('consent.scope.' + s) for s in h['consent']['scope'])})",
        f"  {tr('field.members')}:",
    ]
    for m in h["members"]:
        lines.append(
            f"    - {m['full_name']}  {m['birth_year'] or ''}  {tr('sex.' + (m['sex'] or 'unknown'))}"
            f"  {tr('relation.' + m['relation'])}  [{short(m['id'])}]"
        )
    lines.append(f"  {tr('field.helps')}:")
    for e in h["helps"] or []:
        lines.append(
            f"    - {show_date(e['date'])}  {service_label(e['service'])}  {outcome_label(e['outcome'])}"
            f"  {e['member'] or ''}  ({e['volunteer'] or '—'})  [{short(e['id'])}]"
        )
    if not h["helps"]:
        lines.append(f"    {tr('cli.no_helps')}")
    return lines


household_group = click.Group("household", help="Hộ gia đình / households.")
cli.add_command(household_group)


@command(household_group, "add", help="Đăng ký hộ mới (cần sự đồng ý). / Register a household (consent required).")
@click.option("--name", "head_name", required=True, help="Họ tên chủ hộ / head of household.")
@click.option("--village", required=True, help="Thôn/tổ dân phố / village.")
@click.option("--consent-by", required=True, help="Người đồng ý / who gave consent.")
@click.option("--consent-scope", default="help", show_default=True, help="help,contact,leaflet")
@click.option("--phone", default="", help="Số điện thoại / phone.")
@click.option("--address", default="", help="Địa chỉ / address.")
@click.option("--sex", "head_sex", default="", help="Giới tính chủ hộ: nam/nữ / head's sex.")
@click.option("--birth-year", "head_birth_year", default=None, help="Năm sinh chủ hộ / head's birth year.")
@click.option("--member", "members", multiple=True, help='Thành viên "Tên;nữ;1985;spouse" (lặp lại) / member.')
@click.option("--note", default="", help="Ghi chú / note.")
def household_add(run: Run, members: tuple[str, ...], consent_scope: str, **fields):
    desk = run.desk()
    changes = desk.add_household(
        **fields, consent_scope=consent_scope.split(","), members=[_member_spec(m) for m in members]
    )
    h = desk.household(changes.first("households"))
    run.emit({"household": h, "changes": changes.to_json()}, [tr("cli.household_added"), *_household_lines(h)])


@command(household_group, "edit", help="Sửa thông tin hộ. / Edit a household.")
@click.argument("household")
@click.option("--name", "head_name", default=None, help="Họ tên chủ hộ / head of household.")
@click.option("--village", default=None, help="Thôn / village.")
@click.option("--phone", default=None, help="Số điện thoại / phone.")
@click.option("--address", default=None, help="Địa chỉ / address.")
@click.option("--note", default=None, help="Ghi chú / note.")
def household_edit(run: Run, household: str, **fields):
    desk = run.desk()
    changes = desk.edit_household(household, **fields)
    h = desk.household(household)
    run.emit({"household": h, "changes": changes.to_json()}, [tr("cli.household_saved"), *_household_lines(h)])


@command(household_group, "show", help="Xem một hộ, thành viên và các lần hỗ trợ. / Show a household.")
@click.argument("household")
def household_show(run: Run, household: str):
    h = run.desk().household(household)
    run.emit({"household": h}, _household_lines(h))


@command(household_group, "find", help="Tìm hộ theo tên, số điện thoại, địa chỉ (không cần dấu). / Find households.")
@click.argument("text")
@click.option("--village", default=None, help="Chỉ trong thôn này / only in this village.")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True, help="Số kết quả / results.")
def household_find(run: Run, text: str, village: str | None, limit: int):
    found = run.desk().find_households(text, village=village, limit=limit)
    run.emit(
        {"households": found},
        [f"[{short(h['id'])}]  {h['head_name']}  {h['phone'] or ''}  — {h['village']}" for h in found]
        or [tr("cli.nothing_found")],
    )


@command(household_group, "erase", help="Xóa hộ theo yêu cầu (không hoàn tác). / Erase a household (cannot be undone).")
@click.argument("household")
@click.option("--reason", type=click.Choice(["request", "consent_withdrawn"]), default="request", show_default=True, help="Lý do / reason.")
@click.option("--yes", is_flag=True, help="Xác nhận / confirm.")
def household_erase(run: Run, household: str, reason: str, yes: bool):
    if not yes:
        raise click.UsageError(tr("cli.erase_needs_yes"))
    changes = run.desk().erase_household(household, reason=reason)
    run.emit({"changes": changes.to_json()}, tr("cli.household_erased"))


member_group = click.Group("member", help="Thành viên hộ / household members.")
cli.add_command(member_group)


@command(member_group, "add", help="Thêm thành viên vào hộ. / Add a member.")
@click.argument("household")
@click.option("--name", "full_name", required=True, help="Họ tên / full name.")
@click.option("--sex", default="", help="nam/nữ")
@click.option("--birth-year", default=None, help="Năm sinh / birth year.")
@click.option("--relation", default="other", show_default=True, help="head, spouse, child, parent, grandchild, sibling, other")
@click.option("--phone", default="", help="Số điện thoại / phone.")
def member_add(run: Run, household: str, **member):
    desk = run.desk()
    changes = desk.add_member(household, **member)
    run.emit({"changes": changes.to_json()}, _household_lines(desk.household(household)))


@command(member_group, "remove", help="Bỏ một thành viên khỏi hộ. / Remove a member.")
@click.argument("member")
def member_remove(run: Run, member: str):
    changes = run.desk().remove_member(member)
    run.emit({"changes": changes.to_json()}, tr("cli.saved"))


@command(cli, "log", help="Ghi nhận một lần hỗ trợ. / Log a help given.")
@click.option("--household", required=True, help="Mã hộ (8 ký tự cuối là đủ) / household id.")
@click.option("--service", required=True, help="vneid_install, vneid_level1, vneid_level2, online_service, epayment_account, …")
@click.option("--member", default=None, help="Mã thành viên / member id.")
@click.option("--detail", default="", help="Chi tiết (thủ tục, ngân hàng …) / detail.")
@click.option("--date", default=None, help="Ngày (dd/mm/yyyy), mặc định hôm nay / date, default today.")
@click.option("--outcome", default="done", show_default=True, help="done, follow_up, could_not")
@click.option("--volunteer", default=None, help="Tổ viên (mặc định: người đang trực) / volunteer.")
@click.option("--note", default="", help="Ghi chú / note.")
def log_cmd(run: Run, **fields):
    desk = run.desk()
    changes = desk.log_help(**fields)
    eid = changes.first("help_events")
    e = next(x for x in desk.household(fields["household"])["helps"] if x["id"] == eid)
    run.emit(
        {"help": e, "changes": changes.to_json()},
        tr("cli.logged", service=service_label(e["service"]), date=show_date(e["date"]), volunteer=e["volunteer"] or "—"),
    )


village_group = click.Group("village", help="Thôn, tổ dân phố / villages.")
cli.add_command(village_group)


@command(village_group, "add", help="Thêm thôn/tổ dân phố. / Add a village.")
@click.argument("name")
@click.option("--population", type=click.IntRange(0, 10_000_000), default=None, help="Dân số / population.")
@click.option("--households", "household_count", type=click.IntRange(0, 1_000_000), default=None, help="Số hộ / households.")
def village_add(run: Run, name: str, population: int | None, household_count: int | None):
    changes = run.desk().add_village(name, population=population, household_count=household_count)
    run.emit({"changes": changes.to_json()}, tr("cli.saved"))


@command(village_group, "list", help="Danh sách thôn. / List villages.")
def village_list(run: Run):
    vs = run.desk().villages()
    run.emit({"villages": vs}, [v["name"] for v in vs] or [tr("cli.nothing_found")])


volunteer_group = click.Group("volunteer", help="Tổ viên / volunteers.")
cli.add_command(volunteer_group)


@command(volunteer_group, "add", help="Thêm tổ viên. / Add a volunteer.")
@click.argument("name")
@click.option("--phone", default="", help="Số điện thoại / phone.")
@click.option("--village", default=None, help="Thôn / village.")
def volunteer_add(run: Run, name: str, phone: str, village: str | None):
    changes = run.desk().add_volunteer(name, phone=phone, village=village)
    run.emit({"changes": changes.to_json()}, tr("cli.saved"))


@command(volunteer_group, "list", help="Danh sách tổ viên. / List volunteers.")
def volunteer_list(run: Run):
    desk = run.desk()
    duty = (desk.on_duty() or {}).get("id")
    vs = desk.volunteers()
    run.emit(
        {"volunteers": vs, "on_duty": duty},
        [f"{'*' if v['id'] == duty else ' '} {v['name']}  {v['phone'] or ''}  — {v['village'] or ''}" for v in vs]
        or [tr("cli.nothing_found")],
    )


@command(volunteer_group, "use", help="Chọn tổ viên đang trực trên máy này. / Choose the volunteer on duty.")
@click.argument("volunteer")
def volunteer_use(run: Run, volunteer: str):
    desk = run.desk()
    desk.set_on_duty(volunteer)
    run.emit({"on_duty": desk.on_duty()}, tr("cli.on_duty", name=desk.on_duty()["name"]))
