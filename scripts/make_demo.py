#!/usr/bin/env python3
"""Generate the demo community in data/demo/ (海悦花园 / Haiyue Garden).

Standard library only. A fixed random seed makes every run produce byte-identical files:

    python3 scripts/make_demo.py

Everything here is invented: names, phone numbers, ID numbers, companies. Full ID numbers
exist only in memory while the script runs; the files keep the masked form (first 4 and
last 4 characters). See data/demo/README.md for the files and their columns.

``build()`` returns ``{filename: text}``; ``main()`` writes them.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

SEED = 20261124
OUT_DIR = Path(__file__).resolve().parents[1] / "data" / "demo"

# --------------------------------------------------------------------------- the estate

COMMUNITY = {
    "name": "海悦花园",
    "name_en": "Haiyue Garden",
    "site": "海悦花园管理处",
    "address": "广东省深圳市南山区海悦路88号",
    "hotline": "0755-86238866",
}

# Management fee per m² of floor area per month (yuan): high-rise with lifts, low-rise without.
RATE_HIGH = Decimal("2.80")
RATE_LOW = Decimal("2.30")

# code, floors, entrances, room areas (m²) by entrance then room position 01, 02, ...
# The same layout stacks up every floor, so a stack has the same surveyed area.
BUILDINGS: list[tuple[int, int, int, list[list[str]]]] = [
    (1, 18, 2, [["89.36", "126.58"], ["126.58", "89.36"]]),
    (2, 18, 2, [["98.47", "132.15"], ["132.15", "98.47"]]),
    (3, 24, 2, [["76.82", "118.64", "88.05"], ["88.05", "118.64", "76.82"]]),
    (4, 32, 2, [["63.27", "95.40"], ["95.40", "63.27"]]),
    (5, 7, 2, [["112.73", "136.29"], ["136.29", "112.73"]]),
    (6, 6, 2, [["165.38", "178.92"], ["178.92", "165.38"]]),
]
HIGH_RISE_MIN_FLOORS = 10

VACANT_SHARE = 0.08
TENANT_SHARE = 0.20
TWO_UNIT_OWNERS = 5
PASSPORT_HOLDERS = 6

HANDOVER_START = date(2015, 7, 1)  # first owners took their keys in the second half of 2015
HANDOVER_END = date(2015, 12, 31)
LAST_SINCE = date(2026, 10, 31)

# --------------------------------------------------------------------------- people

# Common surnames, weighted roughly by frequency.
SURNAMES = (
    "王" * 9 + "李" * 9 + "张" * 8 + "刘" * 7 + "陈" * 7 + "杨" * 5 + "黄" * 5 + "赵" * 4
    + "吴" * 4 + "周" * 4 + "徐" * 3 + "孙" * 3 + "马" * 3 + "朱" * 3 + "胡" * 3 + "郭" * 3
    + "何" * 3 + "高" * 2 + "林" * 3 + "罗" * 2 + "郑" * 2 + "梁" * 2 + "谢" * 2 + "宋" * 2
    + "唐" * 2 + "许" * 2 + "韩" * 2 + "冯" * 2 + "邓" * 2 + "曹" * 2 + "彭" + "曾" * 2
    + "肖" + "田" + "董" + "袁" + "潘" + "蔡" * 2 + "蒋" + "余" + "杜" + "叶" * 2 + "程"
    + "苏" + "魏" + "吕" + "丁" + "任" + "沈" + "姚" + "卢" + "钟" * 2 + "廖" + "方"
)

# Given names by generation (born before 1975 / from 1975) and gender.
GIVEN = {
    ("old", "M"): (
        "建国 建华 建军 国强 国华 志强 志刚 志明 振华 德明 永强 文忠 卫东 卫国 庆华 宏伟 "
        "学军 海涛 金生 长江 荣华 新民 树林 光明 明 强 军 勇 刚 平 斌 华 林 辉 波 峰 东 杰"
    ).split(),
    ("old", "F"): (
        "秀英 桂兰 玉兰 淑芬 秀珍 凤英 丽华 美玲 海燕 红梅 春花 素芳 月娥 爱华 慧敏 "
        "丽娟 晓红 建英 翠萍 小芳 芳 敏 静 丽 艳 娟 霞 燕 玲 萍 红 梅 琴 英"
    ).split(),
    ("young", "M"): (
        "浩然 子轩 宇航 俊杰 嘉豪 梓豪 家乐 志远 文博 晨阳 一鸣 泽宇 思远 天佑 铭轩 "
        "伟 磊 涛 超 鹏 飞 鑫 宁 浩 俊 帆 宇 凯 博 昊 轩 睿 航 锋 晨 阳"
    ).split(),
    ("young", "F"): (
        "欣怡 梓涵 诗琪 雨桐 佳怡 晓婷 思琪 梦瑶 嘉欣 雅婷 婉清 子琳 可欣 心怡 静雯 "
        "芳 娜 敏 静 婷 雪 慧 颖 琳 晶 倩 洁 莉 欣 怡 佳 悦 璐 瑶 萱 妍 雯 蕾 薇"
    ).split(),
}

# Mobile prefixes of the three carriers.
PHONE_PREFIXES = (
    [f"13{d}" for d in range(10)]
    + ["150", "151", "152", "153", "155", "156", "157", "158", "159"]
    + ["170", "173", "175", "176", "177", "178"]
    + [f"18{d}" for d in range(10)]
    + ["191", "193", "195", "198", "199"]
)

# Household-registration area codes: mostly Shenzhen districts, some from the provinces a
# Shenzhen estate's residents typically come from.
AREA_SHENZHEN = ["440303", "440304", "440305", "440306", "440307", "440308", "440309", "440311"]
AREA_ELSEWHERE = [
    "440103", "440582", "441402", "445102", "430104", "430602", "420106",
    "360102", "450103", "510107", "350203", "410105",
]
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"

# --------------------------------------------------------------------------- staff

# code, name, role, pin (role 工程主管 and 工程师 are both "engineering"; eng is the supervisor)
STAFF = [
    ("demo", "陈小雨", "clerk", "1234"),        # 客户接待员
    ("c02", "林晓婷", "clerk", "2468"),         # 客户接待员
    ("c03", "吴嘉欣", "clerk", "1357"),         # 客户接待员
    ("super", "黄丽娟", "supervisor", "5678"),  # 客服主任
    ("dir", "郑国强", "director", "8642"),      # 管理处主任
    ("eng", "王建华", "engineering", "3690"),   # 工程主管
    ("e01", "李志刚", "engineering", "4812"),   # 维修工
    ("e02", "何伟", "engineering", "7153"),     # 维修工
    ("fin", "刘慧敏", "finance", "902413"),     # 财务
    ("g01", "张勇", "guard", "2580"),           # 大堂护卫员
    ("g02", "赵海峰", "guard", "7391"),         # 大堂护卫员
]

# --------------------------------------------------------------------------- price list

# The approved repair price list (经过物价局审批后的维修价目表): labour only, parts extra.
UNIT_EN = {"次": "job", "个": "each", "米": "metre", "项": "item", "套": "set",
           "扇": "panel", "平方米": "m²"}
PRICES = [
    ("PL01", "plumbing", "更换水龙头", "Replace a tap", "个", "20.00"),
    ("PL02", "plumbing", "更换角阀", "Replace an angle valve", "个", "25.00"),
    ("PL03", "plumbing", "马桶疏通", "Unblock a toilet", "次", "80.00"),
    ("PL04", "plumbing", "洗手盆、洗菜盆下水疏通", "Unblock a basin or sink drain", "次", "50.00"),
    ("PL05", "plumbing", "地漏疏通", "Unblock a floor drain", "次", "50.00"),
    ("PL06", "plumbing", "更换马桶水箱配件", "Replace toilet cistern fittings", "套", "40.00"),
    ("PL07", "plumbing", "更换花洒、淋浴软管", "Replace a shower head or hose", "个", "20.00"),
    ("PL08", "plumbing", "更换给水管（PPR）", "Replace a water supply pipe (PPR)", "米", "30.00"),
    ("PL09", "plumbing", "更换下水管（PVC）", "Replace a drain pipe (PVC)", "米", "35.00"),
    ("PL10", "plumbing", "室内水管漏水检查维修", "Find and fix a leaking indoor pipe", "项", "60.00"),
    ("PL11", "plumbing", "更换洗手盆", "Replace a wash basin", "个", "80.00"),
    ("PL12", "plumbing", "更换坐便器", "Replace a toilet", "个", "150.00"),
    ("EL01", "electrical", "更换灯具", "Replace a light fitting", "个", "30.00"),
    ("EL02", "electrical", "更换灯管、灯泡", "Replace a tube or bulb", "个", "20.00"),
    ("EL03", "electrical", "开关插座更换", "Replace a switch or socket", "个", "20.00"),
    ("EL04", "electrical", "更换空气开关、漏电开关", "Replace a circuit breaker or RCD", "个", "40.00"),
    ("EL05", "electrical", "室内线路故障检查维修", "Trace and fix an indoor wiring fault", "项", "80.00"),
    ("EL06", "electrical", "更换排气扇", "Replace an extractor fan", "个", "50.00"),
    ("EL07", "electrical", "安装吊扇", "Install a ceiling fan", "个", "80.00"),
    ("EL08", "electrical", "更换门铃", "Replace a doorbell", "个", "25.00"),
    ("DW01", "doors_windows", "门锁维修", "Repair a door lock", "次", "40.00"),
    ("DW02", "doors_windows", "更换锁芯", "Replace a lock cylinder", "个", "50.00"),
    ("DW03", "doors_windows", "更换门合页", "Replace a door hinge", "个", "20.00"),
    ("DW04", "doors_windows", "纱窗更换", "Replace a fly screen", "扇", "40.00"),
    ("DW05", "doors_windows", "更换窗户滑轮、执手", "Replace a window roller or handle", "个", "25.00"),
    ("DW06", "doors_windows", "更换闭门器", "Replace a door closer", "个", "60.00"),
    ("DW07", "doors_windows", "门扇调整修理", "Adjust and repair a sagging door", "扇", "40.00"),
    ("DW08", "doors_windows", "门窗玻璃胶重打", "Reseal a door or window with silicone", "米", "20.00"),
    ("BD01", "building", "墙面修补刷漆", "Patch and repaint a wall", "平方米", "40.00"),
    ("BD02", "building", "天花板修补", "Repair a ceiling", "平方米", "50.00"),
    ("BD03", "building", "更换墙地砖", "Replace wall or floor tiles", "平方米", "80.00"),
    ("BD04", "building", "地砖空鼓修补", "Re-bed a hollow floor tile", "平方米", "100.00"),
    ("BD05", "building", "踢脚线修补", "Repair a skirting board", "米", "20.00"),
    ("OT01", "other", "空调漏水检查", "Check a leaking air conditioner", "次", "50.00"),
    ("OT02", "other", "空调冷凝水管疏通", "Unblock an air-conditioner condensate pipe", "次", "60.00"),
    ("OT03", "other", "安装晾衣架", "Install a clothes-drying rack", "套", "80.00"),
    ("OT04", "other", "安装毛巾架、置物架", "Install a towel rail or shelf", "个", "20.00"),
    ("OT05", "other", "安装窗帘杆、窗帘轨道", "Install a curtain rod or track", "套", "40.00"),
    ("OT06", "other", "上门检查", "Call-out inspection", "次", "20.00"),
]

# --------------------------------------------------------------------------- referrals

# Repairs outside engineering's capability: the phone the clerk writes on a note for the
# customer. Invented companies and numbers.
REFERRALS = [
    ("燃气管道及燃气具", "Gas pipes and gas appliances", "湾区燃气客户服务中心", "0755-83416218",
     "燃气管道只能由燃气公司维修；闻到燃气味请关闭总阀、开窗通风，不要开关电器，到室外拨打。",
     "Only the gas company may work on gas pipes. If you smell gas, shut the main valve, open "
     "the windows, do not touch electrical switches, and call from outside."),
    ("供水及水表", "Water supply and water meter", "海城水务集团客户服务中心", "0755-86623311",
     "入户水表及表前管道属供水公司；表后室内管道可报工程部维修。",
     "The water meter and the pipe before it belong to the water company; indoor pipes after "
     "the meter can be repaired by engineering."),
    ("供电及电表", "Electricity supply and meter", "湾区电网供电服务中心", "0755-86105588",
     "电表及表前线路属供电部门；户内线路、开关可报工程部维修。",
     "The electricity meter and the supply before it belong to the power company; indoor "
     "wiring and switches can be repaired by engineering."),
    ("有线电视", "Cable TV", "天悦有线网络客服中心", "0755-83370662",
     "有线电视信号、机顶盒故障。",
     "Cable TV signal or set-top box faults."),
    ("宽带网络", "Broadband", "星海宽带服务热线", "400-675-2288",
     "宽带、光猫故障，请备好宽带账号。",
     "Broadband or fibre modem faults; have the account number ready."),
    ("空调维修、加氟", "Air-conditioner repair and recharge", "冷博士空调维修服务部", "0755-26718839",
     "空调不制冷、加氟、移机；空调漏水检查可先报工程部。",
     "No cooling, refrigerant recharge or moving a unit; a leaking air conditioner can first be "
     "checked by engineering."),
    ("冰箱、洗衣机、热水器等家电", "Fridges, washing machines, water heaters and other appliances",
     "惠家家电维修中心", "400-826-3317",
     "在保修期内请先联系品牌售后。",
     "Within the warranty period, call the brand's after-sales service first."),
    ("开锁、换锁", "Locksmith", "安信开锁服务部（公安备案）", "0755-86093110",
     "公安备案的开锁公司；开锁时须出示身份证及房屋证明。",
     "A locksmith registered with the police; show your ID and proof of residence before the "
     "door is opened."),
    ("防水补漏", "Waterproofing and leaks", "固安防水工程有限公司", "0755-26547720",
     "户内卫生间、阳台渗漏；公共外墙、屋面渗漏请报客服中心按公共维修处理。",
     "Leaks from bathrooms and balconies inside the unit; leaks through outer walls or the "
     "roof are public repairs, report them to the service centre."),
    ("家具及橱柜维修", "Furniture and kitchen cabinets", "木匠坊家具维修", "0755-29871536",
     "家具、橱柜、衣柜的维修与改装。",
     "Repair and alteration of furniture, kitchen cabinets and wardrobes."),
    ("门窗及玻璃定做", "Made-to-measure doors, windows and glass", "明亮铝合金门窗店", "0755-27761904",
     "铝合金门窗、防盗网、整块玻璃定做更换；封阳台须先办理装修申请。",
     "Aluminium doors and windows, security grilles and whole glass panes; enclosing a "
     "balcony needs a renovation application first."),
    ("可视对讲室内机", "Video intercom handset", "安居智能楼宇对讲售后服务", "400-188-6630",
     "户内对讲分机故障；单元门禁主机属公共设施，请报客服中心。",
     "Faults of the handset inside the unit; the entrance door panel is a public facility, "
     "report it to the service centre."),
]

# --------------------------------------------------------------------------- helpers


def money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def random_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def id_check_digit(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def mask(number: str) -> str:
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def to_csv(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


class PeopleMaker:
    """Invented people with unique names and unique mobile numbers."""

    def __init__(self, rng: random.Random, reserved_names: set[str]) -> None:
        self.rng = rng
        self.names = set(reserved_names)
        self.phones: set[str] = set()

    def phone(self) -> str:
        while True:
            number = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randint(0, 99_999_999):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def person(self, kind: str, since: date, passport: bool) -> dict[str, str]:
        rng = self.rng
        gender = rng.choice("MF")
        # Owners are 25-76 when they move in, tenants 22-45.
        lo, hi = (25, 76) if kind == "owner" else (22, 45)
        birth = random_date(rng, date(since.year - hi, 1, 1), date(since.year - lo, 12, 31))
        generation = "old" if birth.year < 1975 else "young"
        while True:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN[(generation, gender)])
            if name not in self.names:
                self.names.add(name)
                break
        if passport:
            full_id = "E" + f"{rng.randint(0, 99_999_999):08d}"
        else:
            area = rng.choice(AREA_SHENZHEN if rng.random() < 0.7 else AREA_ELSEWHERE)
            seq = rng.randint(0, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if gender == "M" else (0, 2, 4, 6, 8))
            first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
            full_id = first17 + id_check_digit(first17)
        return {
            "kind": kind,
            "name": name,
            "gender": gender,
            "phone": self.phone(),
            "id_type": "passport" if passport else "resident_id",
            "id_masked": mask(full_id),
            "since": since.isoformat(),
        }


# Open promises of the demo: (kind, minutes from load until due, owner's staff code, text).
PROMISES = [
    ("invoice_delivery", -90, "demo", "财务人员回来后,将管理费发票送到业主家里"),
    ("callback", -30, "demo", "回访:厨房水龙头更换后是否满意"),
    ("repair_arrival", 10, "demo", "工程部15分钟内上门查看卫生间漏水"),
    ("renovation_approval", 240, "demo", "工程主管审批装修资料后立即通知业主"),
    ("director_message", 300, "demo", "向管理处主任转达:地下车库B区照明不足"),
    ("complaint_reply", 1200, "demo", "电梯卫生投诉:24小时内答复客户"),
]


# --------------------------------------------------------------------------- build


def build() -> dict[str, str]:
    """Return the demo files as {filename: text}."""
    rng = random.Random(SEED)
    files: dict[str, str] = {}

    # community.toml
    lines = ["# Generated by scripts/make_demo.py; edit the script, not this file.\n"]
    for key, value in COMMUNITY.items():
        lines.append(f'{key} = "{value}"\n')
    files["community.toml"] = "".join(lines)

    # buildings.csv and units.csv
    building_rows = []
    units: list[dict] = []
    for code, floors, entrances, areas in BUILDINGS:
        assert len(areas) == entrances
        building_rows.append([str(code), f"{code}栋", f"Building {code}", str(floors), str(entrances)])
        rate = RATE_HIGH if floors >= HIGH_RISE_MIN_FLOORS else RATE_LOW
        for entrance in range(1, entrances + 1):
            for floor in range(1, floors + 1):
                for n, area in enumerate(areas[entrance - 1], start=1):
                    room = floor * 100 + n
                    units.append({
                        "code": f"{code}-{entrance}-{room}",
                        "building": code, "entrance": entrance, "floor": floor, "room": room,
                        "area": Decimal(area), "fee": Decimal(area) * rate,
                    })
    files["buildings.csv"] = to_csv(["code", "name", "name_en", "floors", "entrances"], building_rows)

    # Vacant, tenanted and owner-only units.
    n_units = len(units)
    vacant_idx = set(rng.sample(range(n_units), round(n_units * VACANT_SHARE)))
    occupied = [i for i in range(n_units) if i not in vacant_idx]
    tenanted = set(rng.sample(occupied, round(len(occupied) * TENANT_SHARE)))
    owner_only = [i for i in occupied if i not in tenanted]

    # Arrears (months unpaid) for occupied units: most pay on time.
    arrears = {i: 0 for i in range(n_units)}
    for i in occupied:
        arrears[i] = rng.choices((0, 1, 2, 3), weights=(80, 11, 6, 3))[0]
    # A handful of long-standing debtors (over 3 months: the director is told).
    for i, months in zip(rng.sample(owner_only, 6), (4, 5, 6, 6, 7, 8)):
        arrears[i] = months
    debtor_tenant = rng.choice(sorted(tenanted))
    arrears[debtor_tenant] = 5
    # Release-slip cases: tenants with and without arrears.
    t_sorted = [i for i in sorted(tenanted) if i != debtor_tenant]
    rng.shuffle(t_sorted)
    for i, months in zip(t_sorted[:3], (1, 2, 3)):
        if arrears[i] == 0:
            arrears[i] = months
    for i in t_sorted[3:6]:
        arrears[i] = 0

    unit_rows = []
    for i, u in enumerate(units):
        unit_rows.append([
            u["code"], str(u["building"]), str(u["entrance"]), str(u["floor"]), str(u["room"]),
            money(u["area"]), money(u["fee"]), "1" if i in vacant_idx else "0", str(arrears[i]),
        ])
    files["units.csv"] = to_csv(
        ["code", "building", "entrance", "floor", "room", "area_m2", "monthly_fee", "vacant",
         "arrears_months"],
        unit_rows,
    )

    # people.csv
    maker = PeopleMaker(rng, {name for _, name, _, _ in STAFF})
    staff_phones = [maker.phone() for _ in STAFF]
    passport_slots = set(rng.sample(range(len(occupied) + len(tenanted)), PASSPORT_HOLDERS))
    slot = 0
    owners: dict[int, dict[str, str]] = {}
    tenants: dict[int, dict[str, str]] = {}
    for i in occupied:
        if rng.random() < 0.55:
            since = random_date(rng, HANDOVER_START, HANDOVER_END)  # first owner
        else:
            since = random_date(rng, date(2016, 1, 1), LAST_SINCE)  # bought later
        owners[i] = maker.person("owner", since, slot in passport_slots)
        slot += 1
    for i in sorted(tenanted):
        owner_since = date.fromisoformat(owners[i]["since"])
        start = max(owner_since + timedelta(days=30), date(2020, 1, 1))
        since = random_date(rng, min(start, LAST_SINCE), LAST_SINCE)
        tenants[i] = maker.person("tenant", since, slot in passport_slots)
        slot += 1

    # A few owners own a second unit: same person; the second purchase is the later one.
    pool = sorted(occupied)
    rng.shuffle(pool)
    firsts, seconds = pool[:TWO_UNIT_OWNERS], pool[TWO_UNIT_OWNERS:2 * TWO_UNIT_OWNERS]
    for a, b in zip(firsts, seconds):
        since = max(owners[a]["since"], owners[b]["since"])
        owners[b] = dict(owners[a], since=since)

    people_rows = []
    columns = ["kind", "name", "gender", "phone", "id_type", "id_masked", "since"]
    for i in occupied:
        people_rows.append([units[i]["code"]] + [owners[i][c] for c in columns])
        if i in tenants:
            people_rows.append([units[i]["code"]] + [tenants[i][c] for c in columns])
    files["people.csv"] = to_csv(["unit"] + columns, people_rows)

    # staff.csv
    staff_rows = [[code, name, role, phone, pin]
                  for (code, name, role, pin), phone in zip(STAFF, staff_phones)]
    files["staff.csv"] = to_csv(["code", "name", "role", "phone", "pin"], staff_rows)

    # repair_prices.csv
    price_rows = [[code, cat, zh, en, unit, UNIT_EN[unit], price]
                  for code, cat, zh, en, unit, price in PRICES]
    files["repair_prices.csv"] = to_csv(
        ["code", "category", "item_zh", "item_en", "unit_zh", "unit_en", "price"], price_rows)

    # referrals.csv
    files["referrals.csv"] = to_csv(
        ["trade_zh", "trade_en", "name", "phone", "note_zh", "note_en"],
        [list(r) for r in REFERRALS])

    # promises.csv: a few open promises, due relative to the moment the demo is loaded, so the
    # Today board shows overdue, due-soon and open work on first start.
    tenanted_codes = [units[i]["code"] for i in sorted(tenanted)]
    owner_codes = [units[i]["code"] for i in owner_only]
    picks = rng.sample(owner_codes, 5) + rng.sample(tenanted_codes, 1)
    promise_rows = []
    for (kind, due, owner, text), code in zip(PROMISES, picks):
        person = owners[next(i for i, u in enumerate(units) if u["code"] == code)]
        promise_rows.append([kind, code, person["name"], person["phone"], owner, str(due), text])
    files["promises.csv"] = to_csv(
        ["kind", "unit", "customer", "phone", "owner", "due_in_minutes", "text"], promise_rows)

    return files


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, text in build().items():
        (OUT_DIR / name).write_bytes(text.encode("utf-8"))
        print(f"wrote {OUT_DIR / name}")


if __name__ == "__main__":
    main()
