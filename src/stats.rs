//! `anjuan stats`: the year's 保密检查情况统计表 and 行政强制情况统计表, as a workbook, a one-page
//! PDF and JSON that lists the cases behind every figure.
//!
//! A case belongs to the year its inspection started (保密检查) or its measure was taken on site
//! (行政强制); every figure of a case is counted in that year.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde_json::json;

use crate::case::enforcement::{Disposition, MeasureKind};
use crate::case::model::Breach;
use crate::case::{
    Case, DisposalKind, EnforcementCase, InspectionCase, ObjectionResult, OrganizedBy,
    ReinspectionOutcome,
};
use crate::documents::DocKind;
use crate::project::Project;
use crate::render::{RenderRequest, Renderer};

/// One figure of a table with the cases behind it.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// 项目, e.g. 检查计算机.
    pub item: String,
    pub value: u64,
    /// 计量单位, e.g. 台.
    pub unit: String,
    /// Case ids contributing to the figure.
    pub cases: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub title: String,
    pub figures: Vec<Figure>,
}

impl Table {
    pub fn get(&self, item: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.item == item)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub year: i32,
    /// Rectifications not done by this day (and past their due day) are overdue.
    pub as_of: NaiveDate,
    pub authority: String,
    /// How cases are assigned to a year.
    pub basis: String,
    pub tables: Vec<Table>,
}

pub const INSPECTION_TITLE: &str = "保密检查情况统计表";
pub const ENFORCEMENT_TITLE: &str = "行政强制情况统计表";

/// Collects the figures of `year`; rectifications are judged as of `as_of` (at most the year's
/// last day).
pub fn collect(project: &Project, year: i32, today: NaiveDate) -> Stats {
    let last = NaiveDate::from_ymd_opt(year, 12, 31).expect("valid year");
    let as_of = today.min(last);
    let models: Vec<std::sync::Arc<Case>> = project.cases.iter().map(|c| c.case()).collect();
    let mut inspections: Vec<&InspectionCase> = Vec::new();
    let mut enforcements: Vec<&EnforcementCase> = Vec::new();
    for c in &models {
        match &**c {
            Case::Inspection(i) if i.inspection.start.year() == year => inspections.push(i),
            Case::Enforcement(e) if e.on_site.date.year() == year => enforcements.push(e),
            _ => {}
        }
    }
    inspections.sort_by(|a, b| a.common.id.cmp(&b.common.id));
    enforcements.sort_by(|a, b| a.common.id.cmp(&b.common.id));
    let mut inspection = inspection_table(&inspections, as_of);
    campaign_figures(project, year, as_of, &mut inspection);
    Stats {
        year,
        as_of,
        authority: project.settings.authority.name.to_string(),
        basis: "保密检查按检查开始日期、行政强制按现场实施日期所在年度归属案件，案件的各项数字都计入该年度；批量发文按文书日期计入。整改逾期以统计截止日为准。".into(),
        tables: vec![inspection, enforcement_table(&enforcements)],
    }
}

/// Adds up one figure: `f` gives each case's contribution.
struct Builder {
    figures: Vec<Figure>,
}

impl Builder {
    fn sum<T: CaseId>(&mut self, item: &str, unit: &str, cases: &[&T], f: impl Fn(&T) -> u64) {
        let mut value = 0;
        let mut ids = Vec::new();
        for c in cases {
            let n = f(c);
            if n > 0 {
                value += n;
                ids.push(c.case_id().to_string());
            }
        }
        self.figures.push(Figure {
            item: item.into(),
            value,
            unit: unit.into(),
            cases: ids,
        });
    }
}

trait CaseId {
    fn case_id(&self) -> &str;
}

impl CaseId for InspectionCase {
    fn case_id(&self) -> &str {
        &self.common.id
    }
}

impl CaseId for EnforcementCase {
    fn case_id(&self) -> &str {
        &self.common.id
    }
}

fn count(b: bool) -> u64 {
    u64::from(b)
}

fn inspection_table(cases: &[&InspectionCase], as_of: NaiveDate) -> Table {
    let mut b = Builder {
        figures: Vec::new(),
    };
    let data = |c: &InspectionCase| {
        c.report
            .as_ref()
            .map(|r| r.data.clone())
            .unwrap_or_default()
    };
    b.sum("检查案件", "件", cases, |_| 1);
    b.sum("受检机关、单位", "个", cases, |c| {
        u64::from(data(c).units.unwrap_or(1))
    });
    b.sum("其中：上级部署的检查", "件", cases, |c| {
        count(c.organized_by == OrganizedBy::Superior)
    });
    b.sum("检查计算机", "台", cases, |c| {
        u64::from(data(c).computers.unwrap_or(0))
    });
    b.sum("检查存储介质", "个", cases, |c| {
        u64::from(data(c).storage_media.unwrap_or(0))
    });
    b.sum("检查文件资料", "份", cases, |c| {
        u64::from(data(c).documents.unwrap_or(0))
    });
    b.sum("发现问题", "个", cases, |c| {
        c.inspection.records.iter().filter(|r| r.problem).count() as u64
    });
    b.sum("其中：当场整改", "个", cases, |c| {
        c.inspection
            .records
            .iter()
            .filter(|r| r.problem && r.corrected_on_site)
            .count() as u64
    });
    b.sum("责令停止使用", "项", cases, |c| {
        c.measures
            .iter()
            .filter(|m| m.kind == DisposalKind::StopUse)
            .count() as u64
    });
    b.sum("登记保存", "项", cases, |c| {
        c.measures
            .iter()
            .filter(|m| m.kind == DisposalKind::RegisterPreserve)
            .count() as u64
    });
    b.sum("技术核查取证", "次", cases, |c| {
        count(c.technical_check.is_some())
    });
    let rectifications = |c: &InspectionCase| {
        c.opinion
            .as_ref()
            .map(|o| o.rectifications.len() as u64)
            .unwrap_or(0)
    };
    let rectified = |c: &InspectionCase| {
        c.reinspection
            .as_ref()
            .is_some_and(|r| r.outcome == ReinspectionOutcome::Rectified && r.performed_on <= as_of)
    };
    b.sum("提出整改要求", "项", cases, rectifications);
    b.sum("其中：已整改（经复查）", "项", cases, |c| {
        if rectified(c) { rectifications(c) } else { 0 }
    });
    b.sum("其中：逾期未整改", "项", cases, |c| {
        if rectified(c) {
            return 0;
        }
        c.opinion
            .as_ref()
            .map(|o| o.rectifications.iter().filter(|r| r.due < as_of).count() as u64)
            .unwrap_or(0)
    });
    b.sum("其中：整改期限未届满", "项", cases, |c| {
        if rectified(c) {
            return 0;
        }
        c.opinion
            .as_ref()
            .map(|o| o.rectifications.iter().filter(|r| r.due >= as_of).count() as u64)
            .unwrap_or(0)
    });
    b.sum("收到异议", "件", cases, |c| {
        count(c.objection.is_some())
    });
    let result = |c: &InspectionCase, want: Option<ObjectionResult>| {
        count(c.objection.as_ref().is_some_and(|o| o.result == want))
    };
    b.sum("其中：异议成立", "件", cases, |c| {
        result(c, Some(ObjectionResult::Upheld))
    });
    b.sum("其中：异议部分成立", "件", cases, |c| {
        result(c, Some(ObjectionResult::PartlyUpheld))
    });
    b.sum("其中：异议不成立", "件", cases, |c| {
        result(c, Some(ObjectionResult::Rejected))
    });
    b.sum("其中：尚未答复", "件", cases, |c| result(c, None));
    b.sum("复查", "次", cases, |c| count(c.reinspection.is_some()));
    b.sum("其中：复查未整改", "次", cases, |c| {
        count(
            c.reinspection
                .as_ref()
                .is_some_and(|r| r.outcome == ReinspectionOutcome::NotRectified),
        )
    });
    // Persons handled, worded by what their facts breach (`personnel_handling[].breach`): a
    // breach of the unit's secrecy rules is not a breach of the secrecy law.
    let handled = |c: &InspectionCase, breach: Breach| {
        c.report.as_ref().map_or(0, |r| {
            r.personnel_handling
                .iter()
                .filter(|p| p.breach == breach)
                .count() as u64
        })
    };
    b.sum("违反保密法律法规人员处理", "人", cases, |c| {
        handled(c, Breach::Law)
    });
    b.sum("违反保密管理规定人员处理", "人", cases, |c| {
        handled(c, Breach::Rules)
    });
    Table {
        title: INSPECTION_TITLE.into(),
        figures: b.figures,
    }
}

/// Letters of the campaigns dated in the year: notices and opinions sent in bulk, and the
/// rectifications the opinions require (by letter id, `<campaign>-NNN`).
fn campaign_figures(project: &Project, year: i32, as_of: NaiveDate, table: &mut Table) {
    let (prepared, _) = crate::letters::check(project, as_of);
    let mut notices = Figure {
        item: "批量发文：检查通知书".into(),
        value: 0,
        unit: "份".into(),
        cases: Vec::new(),
    };
    let mut opinions = Figure {
        item: "批量发文：检查意见书".into(),
        value: 0,
        unit: "份".into(),
        cases: Vec::new(),
    };
    let mut rectifications = Figure {
        item: "其中：提出整改要求".into(),
        value: 0,
        unit: "项".into(),
        cases: Vec::new(),
    };
    for p in &prepared {
        for l in &p.letters {
            if l.doc().date.is_none_or(|d| d.year() != year) {
                continue;
            }
            let target = match l.doc().kind {
                DocKind::InspectionNotice => &mut notices,
                DocKind::InspectionOpinion => &mut opinions,
                _ => continue,
            };
            target.value += 1;
            target.cases.push(l.id.clone());
            if let Case::Inspection(c) = &*l.case.loaded.case()
                && l.doc().kind == DocKind::InspectionOpinion
            {
                let n = c.opinion.as_ref().map_or(0, |o| o.rectifications.len());
                if n > 0 {
                    rectifications.value += n as u64;
                    rectifications.cases.push(l.id.clone());
                }
            }
        }
    }
    table.figures.extend([notices, opinions, rectifications]);
}

/// What happens to each item preserved as evidence: (name, quantity, disposition). As the
/// handling decision states it: its per-item list when it has one, else items sent with the
/// transfer are 移送, items returned 退还 and the others 收缴.
fn dispositions(c: &EnforcementCase) -> Vec<(String, u64, Option<Disposition>)> {
    let returned: Vec<&str> = c
        .returned
        .iter()
        .flat_map(|r| r.items.iter().map(|i| i.name.as_str()))
        .collect();
    let sent: Vec<&str> = c
        .transfer
        .iter()
        .flat_map(|t| t.items.iter().map(|i| i.as_str()))
        .collect();
    c.measures
        .iter()
        .filter(|m| m.kind == MeasureKind::PreserveEvidence)
        .flat_map(|m| &m.items)
        .map(|item| {
            let name = item.name.as_str();
            let d = match &c.decision {
                Some(dec) if !dec.items.is_empty() => dec
                    .items
                    .iter()
                    .find(|d| d.item.as_str() == name)
                    .map(|d| d.action),
                Some(_) if sent.contains(&name) => Some(Disposition::Transfer),
                Some(_) if returned.contains(&name) => Some(Disposition::Return),
                Some(_) => Some(Disposition::Confiscate),
                None => None,
            };
            (name.to_string(), u64::from(item.quantity), d)
        })
        .collect()
}

fn enforcement_table(cases: &[&EnforcementCase]) -> Table {
    let mut b = Builder {
        figures: Vec::new(),
    };
    b.sum("行政强制案件", "件", cases, |_| 1);
    b.sum("其中：情况紧急当场实施", "件", cases, |c| {
        count(c.approval.urgent)
    });
    for kind in [
        MeasureKind::Rectify,
        MeasureKind::StopUse,
        MeasureKind::Confiscate,
        MeasureKind::PreserveEvidence,
    ] {
        b.sum(
            &format!("采取{}的案件", kind.label()),
            "件",
            cases,
            |c| count(c.measures.iter().any(|m| m.kind == kind)),
        );
        b.sum(&format!("{}措施", kind.label()), "项", cases, |c| {
            c.measures.iter().filter(|m| m.kind == kind).count() as u64
        });
    }
    b.sum("延长措施期限", "项", cases, |c| {
        c.measures
            .iter()
            .filter(|m| m.extended_on.is_some())
            .count() as u64
    });
    b.sum("解除措施", "项", cases, |c| {
        c.measures.iter().filter(|m| m.lifted.is_some()).count() as u64
    });
    b.sum("作出处理决定", "件", cases, |c| {
        count(c.decision.is_some())
    });
    b.sum("移送有关部门", "件", cases, |c| {
        count(c.transfer.is_some())
    });
    b.sum("收缴物品", "件", cases, |c| {
        // Confiscated by a 收缴 measure, and by the handling decision: its 收缴清单
        // (`decision.confiscated`) when it has one, else the preserved items it confiscates.
        let by_measure: u64 = c
            .measures
            .iter()
            .filter(|m| m.kind == MeasureKind::Confiscate)
            .flat_map(|m| &m.items)
            .map(|i| u64::from(i.quantity))
            .sum();
        let by_decision: u64 = match &c.decision {
            Some(d) if !d.confiscated.is_empty() => {
                d.confiscated.iter().map(|i| u64::from(i.quantity)).sum()
            }
            _ => dispositions(c)
                .iter()
                .filter(|d| d.2 == Some(Disposition::Confiscate))
                .map(|d| d.1)
                .sum(),
        };
        by_measure + by_decision
    });
    b.sum("退还物品", "件", cases, |c| {
        c.returned
            .as_ref()
            .map(|r| r.items.iter().map(|i| u64::from(i.quantity)).sum())
            .unwrap_or(0)
    });
    b.sum("随案移送物品", "件", cases, |c| {
        let listed: u64 = c
            .transfer
            .as_ref()
            .map(|t| {
                // Items sent are named; their quantity is the seized item's of that name.
                t.items
                    .iter()
                    .map(|name| {
                        c.measures
                            .iter()
                            .flat_map(|m| &m.items)
                            .find(|i| i.name == *name)
                            .map_or(1, |i| u64::from(i.quantity))
                    })
                    .sum()
            })
            .unwrap_or(0);
        let decided: u64 = dispositions(c)
            .iter()
            .filter(|d| d.2 == Some(Disposition::Transfer))
            .map(|d| d.1)
            .sum();
        listed.max(decided)
    });
    Table {
        title: ENFORCEMENT_TITLE.into(),
        figures: b.figures,
    }
}

pub fn to_json(s: &Stats) -> String {
    serde_json::to_string_pretty(s).expect("serializes")
}

/// The workbook: one sheet per table, with the cases behind each figure.
pub fn to_xlsx(s: &Stats) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, FormatAlign};
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut wb = crate::xlsx::workbook(&format!("{}年度统计", s.year), s.as_of).map_err(err)?;
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_font_name("宋体");
    let head = crate::xlsx::header();
    let cell = crate::xlsx::cell();
    for t in &s.tables {
        let ws = wb.add_worksheet();
        ws.set_name(&t.title).map_err(err)?;
        ws.merge_range(0, 0, 0, 3, &format!("{}年度{}", s.year, t.title), &title)
            .map_err(err)?;
        ws.write_string(
            1,
            0,
            format!("填报单位：{}　　统计截止：{}", s.authority, s.as_of),
        )
        .map_err(err)?;
        for (j, h) in ["项目", "数量", "单位", "涉及案件"].iter().enumerate() {
            ws.write_string_with_format(2, j as u16, *h, &head)
                .map_err(err)?;
        }
        for (i, f) in t.figures.iter().enumerate() {
            let r = (i + 3) as u32;
            ws.write_string_with_format(r, 0, &f.item, &cell)
                .map_err(err)?;
            ws.write_number_with_format(r, 1, f.value as f64, &cell)
                .map_err(err)?;
            ws.write_string_with_format(r, 2, &f.unit, &cell)
                .map_err(err)?;
            ws.write_string_with_format(r, 3, f.cases.join("、"), &cell)
                .map_err(err)?;
        }
        ws.set_column_width(0, 28).map_err(err)?;
        ws.set_column_width(1, 8).map_err(err)?;
        ws.set_column_width(2, 6).map_err(err)?;
        ws.set_column_width(3, 50).map_err(err)?;
    }
    wb.save_to_buffer().map_err(err)
}

/// The one-page PDF of both tables (`templates/annual_stats.typ`).
pub fn to_pdf(s: &Stats, renderer: &Renderer) -> Result<Vec<u8>, String> {
    let title = format!("{}年度保密检查和行政强制情况统计", s.year);
    let data = json!({
        "doc": { "title": title, "case_id": format!("stats-{}", s.year) },
        "authority": { "name": s.authority },
        "year": s.year,
        "as_of": s.as_of,
        "basis": s.basis,
        "tables": s.tables.iter().map(|t| json!({
            "title": t.title,
            "rows": t.figures.iter().map(|f| json!([f.item, f.value.to_string(), f.unit])).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    let req = RenderRequest {
        template: "annual_stats",
        data: data.to_string().into_bytes(),
        ident: format!("stats/{}", s.year),
        date: Some(s.as_of),
    };
    renderer
        .render(&req)
        .map(|r| r.pdf)
        .map_err(|e| e.to_string())
}

/// Writes `<year>年度统计.xlsx` and `.pdf` into `dir`; returns the files written.
pub fn write(s: &Stats, renderer: &Renderer, dir: &Path) -> Result<Vec<String>, String> {
    std::fs::create_dir_all(dir).map_err(|e| {
        format!(
            "无法创建目录 {}：{}",
            dir.display(),
            crate::text::io_error(&e)
        )
    })?;
    let name = format!("{}年度统计", s.year);
    let mut written = Vec::new();
    for (ext, bytes) in [("xlsx", to_xlsx(s)?), ("pdf", to_pdf(s, renderer)?)] {
        let path = dir.join(format!("{name}.{ext}"));
        std::fs::write(&path, bytes)
            .map_err(|e| format!("无法写入 {}：{}", path.display(), crate::text::io_error(&e)))?;
        written.push(path.display().to_string());
    }
    Ok(written)
}

/// Figures by table and item, for tests and summaries.
pub fn values(s: &Stats) -> BTreeMap<(String, String), u64> {
    s.tables
        .iter()
        .flat_map(|t| {
            t.figures
                .iter()
                .map(move |f| ((t.title.clone(), f.item.clone()), f.value))
        })
        .collect()
}
