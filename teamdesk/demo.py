"""Realistic demo data: a commune with villages, volunteers, households, members and helps.

Family names follow their real shares in Vietnam (Nguyễn about 38%, then Trần, Lê, Phạm …),
given names follow the person's sex, households have the sizes and generations of a rural
commune, and helps follow the campaign's order (install VNeID, then level 1, then level 2 at the
commune police). The content is deterministic for a seed (ids and stamps are not: they are born
now). Rows go in with ``executemany`` in chunks, each committed, so a killed run leaves whole
households behind; 200,000 households take well under a minute.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

from teamdesk import records, search
from teamdesk.db import transaction
from teamdesk.desk import Desk
from teamdesk.ids import new_id

DEMO_COMMUNE = "15106"  # Xã Nguyệt Ấn, Tỉnh Thanh Hóa
CHUNK = 2000

FAMILY = [
    ("Nguyễn", 384), ("Trần", 121), ("Lê", 95), ("Phạm", 70), ("Hoàng", 41), ("Huỳnh", 10), ("Phan", 45),
    ("Vũ", 30), ("Võ", 9), ("Đặng", 21), ("Bùi", 20), ("Đỗ", 14), ("Hồ", 13), ("Ngô", 13), ("Dương", 10),
    ("Lý", 5), ("Đinh", 6), ("Trịnh", 6), ("Mai", 4), ("Lương", 4), ("Đào", 4), ("Cao", 3), ("Hà", 3),
    ("Lâm", 3), ("Tạ", 2), ("Chu", 2), ("Tô", 2), ("Quách", 1), ("Lưu", 2), ("Triệu", 1), ("Kiều", 1),
]
MIDDLE = {
    "M": [("Văn", 50), ("Đức", 10), ("Minh", 8), ("Quang", 6), ("Hữu", 6), ("Công", 5), ("Xuân", 4), ("Thanh", 4), ("Đình", 7)],
    "F": [("Thị", 70), ("Ngọc", 6), ("Thu", 5), ("Thanh", 4), ("Phương", 3), ("Hồng", 4), ("Kim", 3), ("Minh", 3), ("Bích", 2)],
}
GIVEN = {
    "M": "Ấn An Anh Bình Cường Dũng Đạt Đức Hải Hào Hiếu Hoàng Hùng Hưng Huy Khánh Khoa Kiên Lâm Long Lộc Mạnh Minh Nam "
    "Nghĩa Phong Phúc Quân Quang Sơn Tài Tâm Thắng Thành Thịnh Tiến Toàn Trọng Trung Tuấn Tùng Việt Vinh Vũ".split(),
    "F": "An Anh Ánh Bích Chi Dung Duyên Giang Hà Hạnh Hằng Hiền Hoa Hồng Huệ Hương Lan Liên Linh Loan Mai Nga Ngọc "
    "Nhàn Nhung Oanh Phương Quyên Thảo Thơm Thu Thủy Thúy Trang Tuyết Vân Xuân Yến".split(),
}
PHONE_PREFIXES = ["086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039", "091", "094",
                  "081", "082", "083", "084", "085", "088", "090", "093", "070", "076", "077", "078", "079", "089", "092", "056"]
HAMLETS = ["Xóm Đông", "Xóm Tây", "Xóm Nam", "Xóm Bắc", "Xóm Giữa", "Xóm Trại", "Xóm Chùa", "Xóm Đồng", "Xóm Mới", "Xóm Bãi"]
PROCEDURES = ["Đăng ký khai sinh", "Đăng ký thường trú", "Cấp phiếu lý lịch tư pháp", "Đăng ký kết hôn",
              "Cấp đổi giấy phép lái xe", "Nộp thuế sử dụng đất", "Đăng ký khai tử", "Xác nhận tình trạng hôn nhân"]
WALLETS = ["Viettel Money", "VNPT Money", "Agribank", "BIDV", "Vietcombank", "MoMo", "MobiFone Money"]
SHOPS = ["Postmart", "Voso"]
VOLUNTEER_NAMES = ["Lê Thị Hoa", "Nguyễn Văn Hùng", "Trần Thị Mai", "Phạm Đức Anh", "Hoàng Thị Lan", "Vũ Minh Tuấn",
                   "Đỗ Thị Hương", "Bùi Văn Nam", "Ngô Thị Thu", "Đặng Quang Huy", "Dương Thị Yến", "Hồ Văn Sơn"]


_CUMULATIVE: dict[int, tuple[list[str], list[int]]] = {}


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    if id(weighted) not in _CUMULATIVE:
        total, cum = 0, []
        for _, w in weighted:
            total += w
            cum.append(total)
        _CUMULATIVE[id(weighted)] = ([w[0] for w in weighted], cum)
    names, cum = _CUMULATIVE[id(weighted)]
    return rng.choices(names, cum_weights=cum)[0]


def _name(rng: random.Random, sex: str, family: str | None = None) -> str:
    return f"{family or _pick(rng, FAMILY)} {_pick(rng, MIDDLE[sex])} {rng.choice(GIVEN[sex])}"


def _phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**7):07d}"


def _people(rng: random.Random, year: int) -> list[dict]:
    """One household's members, head first: a couple, their children, sometimes a parent or grandchildren."""
    head_sex = "M" if rng.random() < 0.78 else "F"
    family = _pick(rng, FAMILY)
    head_year = rng.randint(year - 80, year - 22)
    people = [{"full_name": _name(rng, head_sex, family), "sex": head_sex, "birth_year": head_year, "relation": "head"}]
    if rng.random() < 0.82:
        sex = "F" if head_sex == "M" else "M"
        people.append({"full_name": _name(rng, sex), "sex": sex, "birth_year": min(year - 18, head_year + rng.randint(-3, 6)), "relation": "spouse"})
    for _ in range(rng.choices([0, 1, 2, 3], weights=[20, 30, 35, 15])[0]):
        child_year = head_year + rng.randint(20, 38)
        if child_year <= year:
            sex = rng.choice("MF")
            people.append({"full_name": _name(rng, sex, family if sex == "M" or rng.random() < 0.9 else None), "sex": sex, "birth_year": child_year, "relation": "child"})
    if head_year > year - 50 and rng.random() < 0.18:
        sex = rng.choice("MF")
        people.append({"full_name": _name(rng, sex, family if sex == "M" else None), "sex": sex, "birth_year": head_year - rng.randint(22, 32), "relation": "parent"})
    if head_year < year - 55 and rng.random() < 0.3:
        for _ in range(rng.randint(1, 2)):
            sex = rng.choice("MF")
            people.append({"full_name": _name(rng, sex, family), "sex": sex, "birth_year": rng.randint(year - 16, year - 2), "relation": "grandchild"})
    for p in people:
        adult = year - p["birth_year"] >= 16
        p["phone"] = _phone(rng) if adult and rng.random() < (0.9 if p["relation"] == "head" else 0.6) else ""
    return people


def _helps(rng: random.Random, people: list[dict], today: date, days: int) -> list[dict]:
    """The helps a household received: each adult along the campaign's steps, in date order."""

    def day(after: date | None = None) -> date:
        start = max(after or today - timedelta(days=days), today - timedelta(days=days))
        span = (today - start).days
        # more recent days are busier: the campaign gathers pace
        return start + timedelta(days=int(span * (rng.random() ** 0.7))) if span > 0 else today

    out = []
    for i, p in enumerate(people):
        if today.year - p["birth_year"] < 15:
            continue
        step = None
        if rng.random() < 0.5:
            step = day()
            out.append((i, "vneid_install", "", step))
            if rng.random() < 0.85:
                step = day(step)
                out.append((i, "vneid_level1", "", step))
                if rng.random() < 0.55:
                    out.append((i, "vneid_level2", "", day(step)))
        if rng.random() < 0.28:
            out.append((i, "epayment_account", rng.choice(WALLETS), day()))
        if rng.random() < 0.2:
            out.append((i, "online_service", rng.choice(PROCEDURES), day(step)))
        for code, p_code in (("online_safety", 0.12), ("digital_skills", 0.1), ("ecommerce", 0.04), ("other", 0.02)):
            if rng.random() < p_code:
                out.append((i, code, rng.choice(SHOPS) if code == "ecommerce" else "", day()))
    helps = []
    for i, code, detail, when in out:
        outcome = rng.choices(["done", "follow_up", "could_not"], weights=[86, 10, 4])[0]
        helps.append({"person": i, "service": code, "detail": detail, "date": when, "outcome": outcome})
        if outcome == "follow_up" and rng.random() < 0.6 and when < today:
            helps.append({"person": i, "service": code, "detail": detail, "date": when + timedelta(days=rng.randint(1, max(1, (today - when).days))), "outcome": "done"})
    return [h for h in helps if h["date"] <= today]


def make_demo(
    home: Path | str | None = None,
    *,
    households: int = 300,
    seed: int = 1,
    days: int = 180,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> dict:
    """Fill ``home`` with a demo commune (creating the installation if there is none)."""
    started = time.perf_counter()
    rng = random.Random(seed)
    desk = Desk.open(home) if Desk.exists(home) else Desk.create(home, role="coordinator", name="Máy demo UBND xã", commune_code=DEMO_COMMUNE)
    try:
        if not desk.villages():
            for n in range(1, max(4, min(40, households // 500)) + 1):
                desk.add_village(f"Thôn {n}")
        villages = desk.villages()
        if not desk.volunteers():
            for i, name in enumerate(VOLUNTEER_NAMES[: max(4, min(12, len(villages) * 2))]):
                desk.add_volunteer(name, phone=_phone(rng), village=villages[i % len(villages)]["name"])
        volunteers = desk.volunteers()
        if desk.on_duty() is None:
            desk.set_on_duty(volunteers[0]["id"])
        by_village = {v["id"]: [x["id"] for x in volunteers if x["village_id"] == v["id"]] or [x["id"] for x in volunteers] for v in villages}
        today, year = desk.today(), desk.today().year
        counts = {"households": 0, "members": 0, "help_events": 0}
        for start in range(0, households, CHUNK):
            if cancelled and cancelled():
                break
            rows: dict[str, list[dict]] = {"households": [], "members": [], "help_events": []}
            for _ in range(min(CHUNK, households - start)):
                village = rng.choice(villages)
                people = _people(rng, year)
                hid = new_id()
                vol = rng.choice(by_village[village["id"]])
                rows["households"].append({
                    "id": hid, "village_id": village["id"], "head_name": people[0]["full_name"], "phone": people[0]["phone"],
                    "address": f"{rng.choice(HAMLETS)}, {village['name']}", "note": "", "consent_by": people[0]["full_name"],
                    "consent_at": f"{(today - timedelta(days=rng.randint(0, days))).isoformat()}T02:00:00Z",
                    "consent_scope": rng.choice(["help", "help,contact", "help,contact,leaflet", "help,leaflet"]),
                    "consent_version": "2026-01", "consent_withdrawn_at": "", "registered_by": vol, "merged_into": "",
                })
                member_ids = []
                for p in people:
                    mid = new_id()
                    member_ids.append(mid)
                    rows["members"].append(p | {"id": mid, "household_id": hid, "note": ""})
                for h in sorted(_helps(rng, people, today, days), key=lambda h: h["date"]):
                    rows["help_events"].append({
                        "id": new_id(), "household_id": hid, "member_id": member_ids[h["person"]], "service": h["service"],
                        "detail": h["detail"], "date": h["date"].isoformat(), "volunteer_id": vol, "outcome": h["outcome"], "note": "",
                    })
            with transaction(desk.conn):
                for table, batch in rows.items():
                    records.insert_new(desk.conn, desk.clock, table, batch)
                    counts[table] += len(batch)
                search.refresh(desk.conn, [h["id"] for h in rows["households"]])
                desk._save_clock()
            if progress:
                progress(counts["households"], households)
        info = desk.info()
        return {
            **counts,
            "villages": len(villages),
            "volunteers": len(volunteers),
            "commune": f"{info['commune']}, {info['province']}",
            "home": info["home"],
            "seconds": round(time.perf_counter() - started, 1),
        }
    finally:
        desk.close()
