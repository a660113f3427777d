//! `anjuan status`: every open obligation across the cases and campaigns of a root, as of a
//! day — statutory deadlines not yet met, the 30-day period of each running compulsory measure,
//! the rectification deadlines of inspected units until their re-inspection, the 7-day decision
//! on preserved evidence, and decisions that have no service record — with the working days
//! left and where in which file the obligation comes from.
//!
//! The items are shown as a table (grouped by urgency), JSON, a self-contained HTML page, an
//! iCalendar file or the 案件台账 workbook.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

use unicode_width::UnicodeWidthStr;

use crate::calendar::Calendar;
use crate::case::Case;
use crate::deadlines::Status;
use crate::diagnostics::Positions;
use crate::documents::{self, DocKind, DocSpec};
use crate::project::Project;

/// What an obligation is about (the HTML page filters by it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A statutory period of a procedural step (report, opinion, reply …).
    Deadline,
    /// The period of a running compulsory measure (行政强制法 第二十五条).
    Measure,
    /// The handling decision on preserved evidence (7 working days).
    Decision,
    /// A rectification deadline of the inspected unit, open until the re-inspection.
    Rectification,
    /// A decision or opinion with no service record (送达回证).
    Service,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Deadline,
        Kind::Measure,
        Kind::Decision,
        Kind::Rectification,
        Kind::Service,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Kind::Deadline => "deadline",
            Kind::Measure => "measure",
            Kind::Decision => "decision",
            Kind::Rectification => "rectification",
            Kind::Service => "service",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Deadline => "法定期限",
            Kind::Measure => "强制措施期限",
            Kind::Decision => "处理决定期限",
            Kind::Rectification => "整改期限",
            Kind::Service => "未送达文书",
        }
    }
}

/// The urgency groups, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Late,
    ThisWeek,
    Soon,
    Later,
}

impl Group {
    pub const ALL: [Group; 4] = [Group::Late, Group::ThisWeek, Group::Soon, Group::Later];

    pub fn id(self) -> &'static str {
        match self {
            Group::Late => "late",
            Group::ThisWeek => "week",
            Group::Soon => "soon",
            Group::Later => "later",
        }
    }

    pub fn label(self, within: u32) -> String {
        match self {
            Group::Late => "已逾期".into(),
            Group::ThisWeek => "本周到期".into(),
            Group::Soon => format!("{within} 个工作日内"),
            Group::Later => "以后".into(),
        }
    }
}

/// One open obligation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Case id (a campaign letter: `<campaign>-NNN`).
    pub case: String,
    /// What is to be done, in Chinese.
    pub what: String,
    /// The document kind it concerns.
    pub document: DocKind,
    pub due: NaiveDate,
    /// Working days from today to the due day: 0 on the day, negative when late; None where the
    /// calendar lacks a year.
    pub days_left: Option<i64>,
    /// `overdue` (due day passed) or `pending`.
    pub status: Status,
    pub file: String,
    pub line: usize,
    #[serde(skip)]
    pub kind: Kind,
    #[serde(skip)]
    pub group: Group,
    /// The YAML field it comes from (stable identity for calendar UIDs).
    #[serde(skip)]
    pub field: String,
    /// 案卷题名 or the letter's unit.
    #[serde(skip)]
    pub title: String,
}

impl Item {
    /// The document's printed name.
    pub fn document_title(&self) -> &str {
        self.document.title()
    }

    pub fn status_label(&self) -> &'static str {
        match self.status {
            Status::Overdue => "已逾期",
            _ if self.days_left == Some(0) => "今日到期",
            _ => "未到期",
        }
    }

    /// A stable identity: the same obligation keeps it from run to run.
    pub fn uid(&self) -> String {
        let key = format!(
            "{}|{}|{}|{}",
            self.case,
            self.kind.id(),
            self.document.id(),
            self.field
        );
        let digest = crate::output::sha256_hex(key.as_bytes());
        format!("{}-{}@anjuan", self.case, &digest[..16])
    }
}

/// One case's row of the 案件台账.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerRow {
    pub case: String,
    pub title: String,
    pub procedure: &'static str,
    pub stage: String,
    pub file: String,
    pub open: usize,
    pub next_due: Option<NaiveDate>,
    pub days_left: Option<i64>,
    pub status: &'static str,
}

/// Everything `anjuan status` shows.
#[derive(Debug, Clone)]
pub struct Report {
    pub today: NaiveDate,
    pub within: u32,
    pub items: Vec<Item>,
    pub ledger: Vec<LedgerRow>,
    /// Years the calendar lacks (days left could not be counted for some items).
    pub missing_years: BTreeSet<i32>,
}

struct Source<'a> {
    case: &'a Case,
    id: String,
    title: String,
    file: String,
    positions: &'a Positions,
    /// Campaign letters: only the letter's own document is theirs.
    only: Option<DocKind>,
}

/// Collects the open obligations of every case and campaign letter of `project` as of `today`.
pub fn collect(project: &Project, today: NaiveDate, within: u32) -> Report {
    let cal = &project.calendar;
    let models: Vec<std::sync::Arc<crate::case::Case>> =
        project.cases.iter().map(|c| c.case()).collect();
    let (prepared, _) = crate::letters::check(project, today);
    let letter_models: Vec<std::sync::Arc<crate::case::Case>> = prepared
        .iter()
        .flat_map(|p| &p.letters)
        .map(|l| l.case.loaded.case())
        .collect();
    let mut sources: Vec<Source> = project
        .cases
        .iter()
        .zip(&models)
        .map(|(c, model)| Source {
            case: model,
            id: c.id().to_string(),
            title: model.title().to_string(),
            file: c.file.clone(),
            positions: &c.positions,
            only: None,
        })
        .collect();
    let mut letter_model = letter_models.iter();
    for p in &prepared {
        for (l, model) in p.letters.iter().zip(letter_model.by_ref()) {
            sources.push(Source {
                case: model,
                id: l.id.clone(),
                title: format!("{}（{}）", p.campaign.title, l.unit),
                file: l.case.loaded.file.clone(),
                positions: &l.case.loaded.positions,
                only: Some(p.campaign.document),
            });
        }
    }
    let mut report = Report {
        today,
        within,
        items: Vec::new(),
        ledger: Vec::new(),
        missing_years: BTreeSet::new(),
    };
    for s in &sources {
        let start = report.items.len();
        collect_case(s, cal, today, within, &mut report);
        let items = &report.items[start..];
        let next = items.iter().min_by_key(|i| i.due);
        report.ledger.push(LedgerRow {
            case: s.id.clone(),
            title: s.title.clone(),
            procedure: if s.only.is_some() {
                "批量发文"
            } else {
                s.case.procedure_name()
            },
            stage: stage(s.case, s.only),
            file: s.file.clone(),
            open: items.len(),
            next_due: next.map(|i| i.due),
            days_left: next.and_then(|i| i.days_left),
            status: if items.iter().any(|i| i.group == Group::Late) {
                "有逾期事项"
            } else if items.is_empty() {
                "无待办事项"
            } else {
                "正常"
            },
        });
    }
    report.items.sort_by(|a, b| {
        (a.group, a.due, &a.case, a.kind, &a.field)
            .cmp(&(b.group, b.due, &b.case, b.kind, &b.field))
    });
    report.ledger.sort_by(|a, b| a.case.cmp(&b.case));
    report
}

fn collect_case(s: &Source, cal: &Calendar, today: NaiveDate, within: u32, report: &mut Report) {
    let anchor = crate::procedure::of(s.case).anchor();
    let line_of = |field: &str| {
        s.positions
            .find_within(field)
            .unwrap_or_else(|| s.positions.find(anchor))
            .line
    };
    let push = |report: &mut Report,
                kind: Kind,
                what: String,
                document: DocKind,
                field: String,
                due: NaiveDate| {
        let days_left = match days_left(cal, today, due) {
            Ok(n) => Some(n),
            Err(year) => {
                report.missing_years.insert(year);
                None
            }
        };
        let status = if due < today {
            Status::Overdue
        } else {
            Status::Pending
        };
        report.items.push(Item {
            case: s.id.clone(),
            what,
            document,
            due,
            days_left,
            status,
            file: s.file.clone(),
            line: line_of(&field),
            kind,
            group: group(today, due, days_left, within),
            field,
            title: s.title.clone(),
        });
    };

    // Statutory periods not yet met (the deadline rules' own warnings are `check`'s business).
    let mut ctx = crate::diagnostics::Ctx {
        file: s.file.clone(),
        positions: s.positions.clone(),
        problems: Default::default(),
    };
    for d in crate::procedure::deadlines(s.case, cal, today, &mut ctx) {
        if d.done.is_some() {
            continue;
        }
        if s.only.is_some_and(|k| k != d.document) {
            continue;
        }
        let kind = match d.document {
            // The period of a running measure and the written notice of its extension.
            DocKind::MeasureDecision | DocKind::ExtensionDecision => Kind::Measure,
            DocKind::HandlingDecision | DocKind::PreservationDecision => Kind::Decision,
            _ => Kind::Deadline,
        };
        push(
            report,
            kind,
            d.rule.clone(),
            d.document,
            d.field.clone(),
            d.due,
        );
    }

    // Rectification deadlines, open until the re-inspection.
    if let Case::Inspection(c) = s.case
        && c.reinspection.is_none()
        && let Some(o) = &c.opinion
    {
        for (i, r) in o.rectifications.iter().enumerate() {
            push(
                report,
                Kind::Rectification,
                format!(
                    "{}整改：{}（届满后复查）",
                    c.inspected_unit.name,
                    r.content.trim_end_matches('。')
                ),
                DocKind::InspectionOpinion,
                format!("opinion.rectifications[{i}].due"),
                r.due,
            );
        }
    }

    // Decisions with no service record.
    let docs = crate::procedure::plan(s.case);
    let served: BTreeSet<String> = s
        .case
        .services()
        .iter()
        .filter(|sv| !sv.blank)
        .filter_map(|sv| documents::find(&docs, &sv.document, sv.index))
        .map(DocSpec::key)
        .collect();
    for d in &docs {
        if !d.kind.served() || s.only.is_some_and(|k| k != d.kind) {
            continue;
        }
        let Some(date) = d.date else { continue };
        if served.contains(&d.key()) {
            continue;
        }
        let no = d
            .explicit_no
            .as_ref()
            .map(|n| format!("（{n}）"))
            .unwrap_or_default();
        push(
            report,
            Kind::Service,
            format!("《{}》{no}未送达：services 中没有送达记录", d.title),
            d.kind,
            d.field.clone(),
            date,
        );
    }
}

/// Working days from `today` to `due`: those in (today, due] ahead, minus those in (due, today]
/// behind (at least one when the due day has passed). Err: the year the calendar lacks.
pub fn days_left(cal: &Calendar, today: NaiveDate, due: NaiveDate) -> Result<i64, i32> {
    let next = |d: NaiveDate| d.checked_add_days(Days::new(1)).expect("date in range");
    let missing = |e: crate::calendar::CalendarError| match e {
        crate::calendar::CalendarError::MissingYear(y) => y,
        _ => due.year(),
    };
    if due >= today {
        cal.working_days_between(next(today), next(due))
            .map(i64::from)
            .map_err(missing)
    } else {
        cal.working_days_between(next(due), next(today))
            .map(|n| -i64::from(n.max(1)))
            .map_err(missing)
    }
}

/// The last day of "this week": the coming Sunday; on a weekend, the Sunday after the next
/// working week (an officer looking on Saturday means the week ahead).
pub fn week_end(today: NaiveDate) -> NaiveDate {
    let from_monday = today.weekday().num_days_from_monday();
    let sunday = today + chrono::TimeDelta::days(i64::from(6 - from_monday));
    if from_monday >= 5 {
        sunday + chrono::TimeDelta::days(7)
    } else {
        sunday
    }
}

fn group(today: NaiveDate, due: NaiveDate, days_left: Option<i64>, within: u32) -> Group {
    if due < today {
        Group::Late
    } else if due <= week_end(today) {
        Group::ThisWeek
    } else if days_left.is_some_and(|n| n <= i64::from(within)) {
        Group::Soon
    } else {
        Group::Later
    }
}

/// Where a case stands, in a few words.
fn stage(case: &Case, only: Option<DocKind>) -> String {
    if let Some(kind) = only {
        return format!("已制发{}", kind.title());
    }
    if case.archive().is_some() {
        return "已归档".into();
    }
    crate::procedure::of(case).stage().into()
}

// ---------------------------------------------------------------------------------------------
// Output

fn days_text(d: Option<i64>) -> String {
    match d {
        Some(n) if n < 0 => format!("逾期 {} 个工作日", -n),
        Some(0) => "今日到期".into(),
        Some(n) => format!("剩 {n} 个工作日"),
        None => "—".into(),
    }
}

/// The table, grouped by urgency.
pub fn to_table(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "截至 {} 的待办事项", r.today);
    if r.items.is_empty() {
        out.push_str("（没有待办事项）\n");
    }
    let header = ["案件", "事项", "文书", "期限", "剩余工作日", "状态", "位置"];
    let rows: Vec<(Group, [String; 7])> = r
        .items
        .iter()
        .map(|i| {
            (
                i.group,
                [
                    i.case.clone(),
                    i.what.clone(),
                    i.document_title().to_string(),
                    i.due.to_string(),
                    days_text(i.days_left),
                    i.status_label().to_string(),
                    format!("{}:{}", i.file, i.line),
                ],
            )
        })
        .collect();
    let columns = crate::text::Columns::fit(&header, rows.iter().map(|(_, r)| r.as_slice()));
    for g in Group::ALL {
        let in_group: Vec<&[String; 7]> = rows
            .iter()
            .filter(|(gg, _)| *gg == g)
            .map(|(_, r)| r)
            .collect();
        if in_group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n【{}】{} 项", g.label(r.within), in_group.len());
        let _ = writeln!(out, "{}", columns.line(&header));
        let _ = writeln!(out, "{}", columns.rule());
        for row in in_group {
            let _ = writeln!(out, "{}", columns.line(row));
        }
    }
    let count = |g| r.items.iter().filter(|i| i.group == g).count();
    let _ = writeln!(
        out,
        "\n共 {} 项：已逾期 {}，本周到期 {}，{} 个工作日内 {}，以后 {}",
        r.items.len(),
        count(Group::Late),
        count(Group::ThisWeek),
        r.within,
        count(Group::Soon),
        count(Group::Later)
    );
    out
}

/// `{"today": D, "items": [...]}`.
pub fn to_json(r: &Report) -> String {
    let v = serde_json::json!({ "today": r.today, "items": r.items });
    serde_json::to_string_pretty(&v).expect("serializes")
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const HTML_STYLE: &str = r#"
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "SimSun", sans-serif; margin: 1.5em; color: #111; }
h1 { font-size: 1.5em; margin: 0 0 .3em; }
.meta { color: #333; margin: 0 0 1em; }
.filters { margin: .5em 0 1em; padding: .5em; border: 1px solid #999; }
.filters label { margin-right: 1.5em; }
.legend { margin: 0 0 1em; padding: 0; list-style: none; }
.legend li { display: inline-block; margin-right: 1.5em; }
.swatch { display: inline-block; width: 1em; height: 1em; vertical-align: middle; margin-right: .3em; border: 1px solid #333; }
section { margin-bottom: 1.2em; page-break-inside: auto; }
section h2 { font-size: 1.15em; padding: .2em .5em; margin: 0 0 .3em; border-left: .6em solid; }
table { border-collapse: collapse; width: 100%; font-size: .92em; }
th, td { border: 1px solid #666; padding: .25em .4em; text-align: left; vertical-align: top; }
th { background: #eee; }
tr { page-break-inside: avoid; }
td.days { white-space: nowrap; text-align: right; }
.late h2 { border-color: #b00020; background: #fde7ea; }
.late td.days { color: #b00020; font-weight: bold; }
.week h2 { border-color: #c77700; background: #fff3dc; }
.soon h2 { border-color: #1f5fa8; background: #e6effa; }
.later h2 { border-color: #555; background: #f1f1f1; }
.sw-late { background: #b00020; } .sw-week { background: #c77700; } .sw-soon { background: #1f5fa8; } .sw-later { background: #555; }
.empty { color: #555; }
@page { size: A4; margin: 15mm; }
@media print {
  body { margin: 0; font-size: 10pt; }
  .filters { display: none; }
  section h2, .swatch { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

const HTML_SCRIPT: &str = r#"
(function () {
  var caseSel = document.getElementById('filter-case');
  var kindSel = document.getElementById('filter-kind');
  function apply() {
    var c = caseSel.value, k = kindSel.value;
    document.querySelectorAll('section.group').forEach(function (sec) {
      var shown = 0;
      sec.querySelectorAll('tr.item').forEach(function (tr) {
        var ok = (c === '' || tr.dataset.case === c) && (k === '' || tr.dataset.kind === k);
        tr.hidden = !ok;
        if (ok) { shown += 1; }
      });
      sec.querySelector('.count').textContent = shown + ' 项';
      sec.hidden = shown === 0;
    });
  }
  caseSel.addEventListener('change', apply);
  kindSel.addEventListener('change', apply);
  apply();
})();
"#;

/// One self-contained page: no network, the same groups, colour with a plain-text legend,
/// filters by case and kind, printable on A4.
pub fn to_html(r: &Report) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>待办事项（截至 {today}）</title>\n<style>{HTML_STYLE}</style>\n</head>\n<body>\n<h1>待办事项</h1>\n<p class=\"meta\">截至 {today}；共 {n} 项。剩余天数按工作日计算（跳过周末和法定节假日，调休上班日计入），负数表示已逾期。</p>\n",
        today = r.today,
        n = r.items.len()
    );
    h.push_str("<ul class=\"legend\" id=\"legend\">\n");
    let legend = [
        ("late", "红色：已逾期（期限已过仍未完成）"),
        ("week", "橙色：本周到期"),
        ("soon", "蓝色：近期到期（本周以后、指定工作日数以内）"),
        ("later", "灰色：以后到期"),
    ];
    for (id, text) in legend {
        let _ = writeln!(
            h,
            "<li><span class=\"swatch sw-{id}\"></span>{}</li>",
            esc(text)
        );
    }
    h.push_str("</ul>\n<div class=\"filters\">\n<label>案件：<select id=\"filter-case\"><option value=\"\">全部</option>");
    let cases: BTreeSet<&str> = r.items.iter().map(|i| i.case.as_str()).collect();
    for c in cases {
        let _ = write!(h, "<option value=\"{0}\">{0}</option>", esc(c));
    }
    h.push_str("</select></label>\n<label>种类：<select id=\"filter-kind\"><option value=\"\">全部</option>");
    for k in Kind::ALL {
        let _ = write!(h, "<option value=\"{}\">{}</option>", k.id(), k.label());
    }
    h.push_str("</select></label>\n</div>\n");
    for g in Group::ALL {
        let items: Vec<&Item> = r.items.iter().filter(|i| i.group == g).collect();
        let _ = write!(
            h,
            "<section class=\"group {id}\" id=\"group-{id}\" data-group=\"{id}\">\n<h2>{label}（<span class=\"count\">{n} 项</span>）</h2>\n",
            id = g.id(),
            label = esc(&g.label(r.within)),
            n = items.len()
        );
        if items.is_empty() {
            h.push_str("<p class=\"empty\">（无）</p>\n</section>\n");
            continue;
        }
        h.push_str("<table>\n<thead><tr><th>案件</th><th>事项</th><th>文书</th><th>期限</th><th>剩余工作日</th><th>状态</th><th>种类</th><th>位置</th></tr></thead>\n<tbody>\n");
        for i in items {
            let _ = writeln!(
                h,
                "<tr class=\"item\" id=\"{uid}\" data-case=\"{case}\" data-kind=\"{kind}\"><td>{case}</td><td>{what}</td><td>{doc}</td><td>{due}</td><td class=\"days\">{days}</td><td>{status}</td><td>{kl}</td><td>{file}:{line}</td></tr>",
                uid = esc(&i.uid()),
                case = esc(&i.case),
                kind = i.kind.id(),
                what = esc(&i.what),
                doc = esc(i.document_title()),
                due = i.due,
                days = esc(&days_text(i.days_left)),
                status = i.status_label(),
                kl = i.kind.label(),
                file = esc(&i.file),
                line = i.line
            );
        }
        h.push_str("</tbody>\n</table>\n</section>\n");
    }
    let _ = write!(h, "<script>{HTML_SCRIPT}</script>\n</body>\n</html>\n");
    h
}

/// RFC 5545: one all-day event per item with a display alarm, UIDs stable across runs so that
/// importing again updates the events.
pub fn to_ics(r: &Report) -> String {
    use icalendar::{Alarm, Calendar as Ical, Component, Event, EventLike, Trigger};
    let mut cal = Ical::new();
    cal.name("案卷待办事项");
    let stamp = r.today.and_hms_opt(0, 0, 0).expect("valid time").and_utc();
    for i in &r.items {
        let summary = format!("【{}】{} {}", i.kind.label(), i.case, i.what);
        let description = format!(
            "案件：{}（{}）\n文书：{}\n期限：{}\n依据位置：{}:{}",
            i.case,
            i.title,
            i.document_title(),
            i.due,
            i.file,
            i.line
        );
        let reminder_days = if i.kind == Kind::Rectification { 3 } else { 1 };
        let uid = i.uid();
        let mut alarm = Alarm::display(
            &format!("即将到期：{}", i.what),
            Trigger::before_start(chrono::TimeDelta::days(reminder_days)),
        );
        // Fixed, so that the same obligations give the same file.
        alarm.uid(&format!("alarm-{uid}")).timestamp(stamp);
        // An all-day event: DTEND is the day after (exclusive).
        let event = Event::new()
            .uid(&uid)
            .timestamp(stamp)
            .summary(&summary)
            .description(&description)
            .starts(i.due)
            .ends(i.due + chrono::TimeDelta::days(1))
            .alarm(alarm)
            .done();
        cal.push(event);
    }
    cal.done().to_string()
}

/// The 案件台账: one row a case with its stage, next due date and status.
pub fn to_xlsx(r: &Report) -> Result<Vec<u8>, String> {
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut wb = crate::xlsx::workbook("案件台账", r.today).map_err(err)?;
    let head = crate::xlsx::header();
    let cell = crate::xlsx::cell();
    let ws = wb.add_worksheet();
    ws.set_name("案件台账").map_err(err)?;
    ws.set_landscape();
    let columns = [
        "案件编号",
        "案卷题名",
        "程序",
        "当前阶段",
        "待办事项",
        "最近到期日",
        "剩余工作日",
        "状态",
        "文件",
    ];
    let mut widths: Vec<usize> = columns.iter().map(|c| c.width()).collect();
    for (j, c) in columns.iter().enumerate() {
        ws.write_string_with_format(0, j as u16, *c, &head)
            .map_err(err)?;
    }
    for (i, row) in r.ledger.iter().enumerate() {
        let cells = [
            row.case.clone(),
            row.title.clone(),
            row.procedure.to_string(),
            row.stage.clone(),
            row.open.to_string(),
            row.next_due.map(|d| d.to_string()).unwrap_or_default(),
            row.days_left.map(|d| d.to_string()).unwrap_or_default(),
            row.status.to_string(),
            row.file.clone(),
        ];
        for (j, v) in cells.iter().enumerate() {
            let (rr, cc) = ((i + 1) as u32, j as u16);
            let numeric = (j == 4 || j == 6) && !v.is_empty();
            if numeric {
                ws.write_number_with_format(rr, cc, v.parse::<f64>().unwrap_or(0.0), &cell)
                    .map_err(err)?;
            } else {
                ws.write_string_with_format(rr, cc, v, &cell).map_err(err)?;
            }
            widths[j] = widths[j].max(v.width());
        }
    }
    for (j, w) in widths.iter().enumerate() {
        ws.set_column_width(j as u16, (*w as f64 * 1.1 + 2.0).min(60.0))
            .map_err(err)?;
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    ws.autofilter(0, 0, r.ledger.len() as u32, (columns.len() - 1) as u16)
        .map_err(err)?;
    wb.save_to_buffer().map_err(err)
}

/// Items per case, for summaries.
pub fn by_case(r: &Report) -> BTreeMap<&str, Vec<&Item>> {
    let mut m: BTreeMap<&str, Vec<&Item>> = BTreeMap::new();
    for i in &r.items {
        m.entry(i.case.as_str()).or_default().push(i);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn this_week_is_the_coming_working_week_on_a_weekend() {
        assert_eq!(week_end(d("2026-11-25")), d("2026-11-29"));
        assert_eq!(week_end(d("2026-11-23")), d("2026-11-29"));
        assert_eq!(week_end(d("2026-11-28")), d("2026-12-06"));
        assert_eq!(week_end(d("2026-11-29")), d("2026-12-06"));
    }

    #[test]
    fn days_left_in_working_days() {
        let cal = Calendar::bundled();
        // Friday to Monday: one working day ahead; the Friday seen from Monday: one behind.
        assert_eq!(days_left(&cal, d("2026-11-27"), d("2026-11-30")), Ok(1));
        assert_eq!(days_left(&cal, d("2026-11-30"), d("2026-11-27")), Ok(-1));
        // Due yesterday, today a Sunday after it: still late by (at least) one.
        assert_eq!(days_left(&cal, d("2026-11-29"), d("2026-11-28")), Ok(-1));
        assert_eq!(days_left(&cal, d("2026-11-29"), d("2026-11-29")), Ok(0));
        // National Day: 1-7 October off, Saturday 10 October worked.
        assert_eq!(days_left(&cal, d("2026-09-30"), d("2026-10-12")), Ok(4));
        // A year the calendar lacks is named, never counted as weekends only.
        assert_eq!(days_left(&cal, d("2026-12-28"), d("2027-01-05")), Err(2027));
    }
}
