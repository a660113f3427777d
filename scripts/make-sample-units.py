#!/usr/bin/env python3
"""Writes cases/campaigns/units-2026-q4.xlsx, the recipients of the sample campaign 2026-ND-02.

Dates are a mix of real spreadsheet dates and text, as officers' sheets are.
Run from the repository root: python3 scripts/make-sample-units.py (needs openpyxl).
"""
import datetime
import openpyxl

UNITS = [
    ("某县发展和改革局", "某县人民路12号", "赵某"), ("某县公安局", "某县平安路1号", "孙某"),
    ("某县民政局", "某县团结路8号", "李某"), ("某县司法局", "某县法治路3号", "周某"),
    ("某县人力资源和社会保障局", "某县人民路30号", "吴某"), ("某县自然资源局", "某县建设路15号", "郑某"),
    ("某县住房和城乡建设局", "某县建设路17号", "冯某"), ("某县交通运输局", "某县通达路6号", "陈某"),
    ("某县水利局", "某县河滨路2号", "褚某"), ("某县农业农村局", "某县农科路11号", "卫某"),
    ("某县商务局", "某县商贸街4号", "蒋某"), ("某县文化和旅游局", "某县文化路9号", "沈某"),
    ("某县应急管理局", "某县安康路5号", "韩某"), ("某县审计局", "某县人民路40号", "杨某"),
    ("某县统计局", "某县人民路42号", "朱某"), ("某县医疗保障局", "某县健康路7号", "秦某"),
    ("某县市场监督管理局", "某县商贸街20号", "尤某"), ("某县林业和草原局", "某县绿园路3号", "许某"),
    ("某县退役军人事务局", "某县拥军路1号", "何某"), ("某县生态环境分局", "某县绿园路10号", "吕某"),
    ("某县教育体育局附属中学", "某县文昌路18号", "施某"), ("某县人民医院", "某县健康路1号", "张某"),
    ("某县融媒体中心", "某县文化路21号", "孔某"), ("某县供销合作社", "某县商贸街2号", "曹某"),
]

# (start, end, notice issued on or None for the common date 2026-10-15); 1-2 working days ahead.
SCHEDULE = [
    (datetime.date(2026, 10, 19), datetime.date(2026, 10, 19), None),
    (datetime.date(2026, 10, 20), datetime.date(2026, 10, 20), datetime.date(2026, 10, 16)),
    (datetime.date(2026, 10, 21), datetime.date(2026, 10, 22), datetime.date(2026, 10, 19)),
]

wb = openpyxl.Workbook()
ws = wb.active
ws.title = "收文单位"
ws.append(["inspected_unit.name", "inspected_unit.address", "inspected_unit.contact.name",
           "inspected_unit.contact.phone", "inspection.start", "inspection.end", "notice.issued_on"])
for i, (name, address, contact) in enumerate(UNITS):
    start, end, issued = SCHEDULE[i % len(SCHEDULE)]
    # Every other row writes its dates as text, the others as spreadsheet dates.
    as_text = i % 2 == 1
    cell = (lambda d: d.isoformat()) if as_text else (lambda d: d)
    ws.append([name, address, contact, f"0976-88713{i:02d}", cell(start), cell(end),
               cell(issued) if issued else None])
    for col in (5, 6, 7):
        c = ws.cell(row=i + 2, column=col)
        if isinstance(c.value, datetime.date):
            c.number_format = "yyyy-mm-dd"
wb.properties.created = datetime.datetime(2026, 10, 1)
wb.properties.modified = datetime.datetime(2026, 10, 1)
wb.save("cases/campaigns/units-2026-q4.xlsx")
