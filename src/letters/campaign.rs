//! A campaign file read and checked: its header, its recipient rows (from YAML or a
//! spreadsheet), and each row merged over `common` and checked as a case of the document's
//! procedure. A bad row is reported with its row number and never stops the others.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_yaml::{Mapping, Value};

use super::sheet::{self, Table};
use crate::case::{self, Case, Ctx, LoadedCase, Positions, Service, ServiceMethod, Text};
use crate::documents::{DocKind, DocSpec};
use crate::problems::{Problem, Problems, Severity};
use crate::project::{CampaignFile, CheckedCase, Project};
use crate::yaml::{Fields, did_you_mean};

/// Document kinds a campaign can send (the table's `bulk` column): one per recipient, each
/// from its block of the case.
pub fn letter_kinds() -> impl Iterator<Item = DocKind> {
    DocKind::ALL.iter().copied().filter(|k| k.bulk())
}

/// Where the recipient rows come from.
#[derive(Debug, Clone)]
pub enum Source {
    Yaml,
    /// `recipients_from`: the file as shown in messages and its column names.
    Sheet {
        file: String,
        columns: Vec<String>,
    },
}

/// One recipient row as written.
#[derive(Debug, Clone)]
pub struct Row {
    /// Counted from 1 in the order of the rows: the letter's number within the campaign.
    pub ordinal: usize,
    pub map: Mapping,
    /// YAML: index into `recipients`; spreadsheet: row number in the file (header = 1).
    pub at: usize,
}

#[derive(Debug, Clone)]
pub struct Campaign {
    pub id: String,
    pub title: String,
    pub document: DocKind,
    pub path: PathBuf,
    pub file: String,
    pub positions: Positions,
    pub common: Mapping,
    pub source: Source,
    pub rows: Vec<Row>,
}

/// A letter whose row passed every check.
pub struct Letter {
    pub ordinal: usize,
    /// `<campaign-id>-NNN`.
    pub id: String,
    pub unit: String,
    pub contact: Option<String>,
    pub case: CheckedCase,
    /// Index into `case.docs` of the letter; the service receipt, when there is one, follows.
    pub letter: usize,
}

impl Letter {
    pub fn doc(&self) -> &DocSpec {
        &self.case.docs[self.letter]
    }
    pub fn receipt(&self) -> Option<&DocSpec> {
        self.case
            .docs
            .iter()
            .find(|d| d.kind == DocKind::ServiceReceipt)
    }
}

/// Reads a campaign file's header and rows. None when the campaign as a whole is unusable.
pub fn read(cf: &CampaignFile, problems: &mut Problems) -> Option<Campaign> {
    let mut ctx = Ctx::new(cf.file.clone(), &cf.text);
    let campaign = read_with(cf, &mut ctx);
    problems.extend(ctx.problems);
    campaign
}

fn read_with(cf: &CampaignFile, ctx: &mut Ctx) -> Option<Campaign> {
    let map = cf.value.as_mapping()?;
    let mut f = Fields::new(map, "");
    f.known(&["kind"]);
    let id: Option<Text> = f.required(
        ctx,
        "id",
        "批次编号，只用字母、数字、“-”和“_”，用作输出目录名",
    );
    let title: Option<Text> = f.required(ctx, "title", "批次名称，如 2026年度保密检查通知");
    let document: Option<Text> =
        f.required(ctx, "document", "发送的文书种类，如 inspection_notice");
    let common: Mapping = f.optional(ctx, "common").unwrap_or_default();
    let recipients: Option<Vec<Value>> = f.optional(ctx, "recipients");
    let from: Option<Text> = f.optional(ctx, "recipients_from");
    f.reject_unknown(ctx);

    let id = id?.to_string();
    if !crate::output::valid_id(&id) {
        ctx.error(
            "id",
            format!("批次编号 {id} 只能由字母、数字、“-”和“_”组成（它用作输出目录名）"),
        );
        return None;
    }
    let document = document_kind(ctx, document?.as_str())?;
    let dir = cf.path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let (source, rows) = match (recipients, from) {
        (Some(_), Some(_)) => {
            ctx.error("recipients_from", "recipients 和 recipients_from 只能写一个：收文单位要么列在本文件中，要么来自表格文件");
            return None;
        }
        (None, None) => {
            ctx.error("recipients", "缺少收文单位：请写 recipients（收文单位列表）或 recipients_from（表格文件 .xlsx/.csv）");
            return None;
        }
        (Some(list), None) => (Source::Yaml, yaml_rows(ctx, list)),
        (None, Some(rel)) => sheet_rows(ctx, &dir, &cf.file, rel.as_str())?,
    };
    if rows.is_empty() {
        ctx.warn(
            if matches!(source, Source::Yaml) {
                "recipients"
            } else {
                "recipients_from"
            },
            "本批次没有收文单位",
        );
    }
    Some(Campaign {
        id,
        title: title?.to_string(),
        document,
        path: cf.path.clone(),
        file: cf.file.clone(),
        positions: ctx.positions.clone(),
        common,
        source,
        rows,
    })
}

fn document_kind(ctx: &mut Ctx, id: &str) -> Option<DocKind> {
    let allowed: Vec<&str> = letter_kinds().map(|k| k.id()).collect();
    match DocKind::from_id(id).filter(|k| k.bulk()) {
        Some(k) => Some(k),
        None => {
            let hint = did_you_mean(id, &allowed)
                .map(|k| format!("是否想写 {k}？"))
                .unwrap_or_default();
            ctx.error(
                "document",
                format!(
                    "批量发文不支持文书种类 {id}，可用：{}。{hint}",
                    allowed.join("、")
                ),
            );
            None
        }
    }
}

fn yaml_rows(ctx: &mut Ctx, list: Vec<Value>) -> Vec<Row> {
    let mut rows = Vec::new();
    for (i, v) in list.into_iter().enumerate() {
        match v {
            Value::Mapping(map) => rows.push(Row {
                ordinal: i + 1,
                map,
                at: i,
            }),
            _ => ctx.error(
                &format!("recipients[{i}]"),
                "每个收文单位应写成“键: 值”的映射，如 { inspected_unit: { name: 某县教育局 } }",
            ),
        }
    }
    rows
}

fn sheet_rows(
    ctx: &mut Ctx,
    dir: &Path,
    campaign_file: &str,
    rel: &str,
) -> Option<(Source, Vec<Row>)> {
    let path = dir.join(rel);
    let shown = Path::new(campaign_file)
        .parent()
        .map(|p| p.join(rel))
        .unwrap_or_else(|| PathBuf::from(rel));
    let shown = shown.to_string_lossy().replace('\\', "/");
    if !path.is_file() {
        ctx.error(
            "recipients_from",
            format!("找不到收文单位表格 {rel}（相对于本文件所在目录）"),
        );
        return None;
    }
    let table = match sheet::read(&path, &shown) {
        Ok(t) => t,
        Err(e) => {
            ctx.error("recipients_from", e.to_string());
            return None;
        }
    };
    let rows = table_rows(&table, &shown, &mut ctx.problems);
    Some((
        Source::Sheet {
            file: shown,
            columns: table.columns,
        },
        rows,
    ))
}

/// Rows of a table as nested mappings. Header problems are reported on the file's first row.
fn table_rows(table: &Table, file: &str, problems: &mut Problems) -> Vec<Row> {
    let mut seen = std::collections::BTreeSet::new();
    for (c, name) in table.columns.iter().enumerate() {
        if !name.is_empty() && !seen.insert(name.as_str()) {
            problems.push(sheet_problem(
                file,
                1,
                c + 1,
                name,
                Severity::Error,
                format!("第1行 列名 {name} 重复"),
            ));
        }
    }
    let mut rows = Vec::new();
    for (ordinal, (line, cells)) in table.rows.iter().enumerate() {
        let mut map = Mapping::new();
        for (c, cell) in cells.iter().enumerate() {
            let Some(name) = table.columns.get(c).filter(|n| !n.is_empty()) else {
                continue;
            };
            let Some(value) = cell.value() else { continue };
            if let Err(part) = sheet::insert_dotted(&mut map, name, value) {
                problems.push(sheet_problem(
                    file,
                    *line,
                    c + 1,
                    name,
                    Severity::Error,
                    format!("第{line}行 {name}：{part} 已有取值，不能再有下级字段"),
                ));
            }
        }
        rows.push(Row {
            ordinal: ordinal + 1,
            map,
            at: *line,
        });
    }
    rows
}

fn sheet_problem(
    file: &str,
    line: usize,
    column: usize,
    field: &str,
    severity: Severity,
    message: String,
) -> Problem {
    Problem {
        file: file.to_string(),
        line,
        column,
        field: field.to_string(),
        severity,
        message,
    }
}

/// `b` over `a`: mappings merge key by key, anything else is replaced.
pub fn deep_merge(a: &mut Mapping, b: &Mapping) {
    for (k, v) in b {
        match (a.get_mut(k), v) {
            (Some(Value::Mapping(x)), Value::Mapping(y)) => deep_merge(x, y),
            _ => {
                a.insert(k.clone(), v.clone());
            }
        }
    }
}

fn get_str(map: &Mapping, path: &[&str]) -> Option<String> {
    let mut v = map.get(path[0])?;
    for p in &path[1..] {
        v = v.get(*p)?;
    }
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The case a row stands for: `common` and the row merged, with what a letter needs filled in.
pub fn merged_case(c: &Campaign, row: &Row) -> Mapping {
    let mut m = c.common.clone();
    deep_merge(&mut m, &row.map);
    let unit = get_str(&m, &["inspected_unit", "name"]).unwrap_or_default();
    m.insert("kind".into(), procedure(c.document).into());
    m.insert("id".into(), letter_id(c, row).into());
    m.insert("title".into(), format!("{}（{unit}）", c.title).into());
    // The inspection model wants the on-site records, which a letter sent beforehand cannot
    // have yet.
    if let Some(Value::Mapping(i)) = m.get_mut("inspection")
        && !i.contains_key("records")
    {
        i.insert("records".into(), Value::Sequence(Vec::new()));
    }
    m
}

pub fn letter_id(c: &Campaign, row: &Row) -> String {
    format!("{}-{:03}", c.id, row.ordinal)
}

/// The `kind:` of the case a document belongs to.
fn procedure(kind: DocKind) -> &'static str {
    match kind {
        DocKind::InspectionNotice | DocKind::InspectionOpinion | DocKind::ReinspectionOpinion => {
            "inspection"
        }
        _ => "inspection",
    }
}

/// Loads and checks one row: the letter, or None with the row's problems.
pub fn check_row(
    project: &Project,
    c: &Campaign,
    row: &Row,
    today: NaiveDate,
) -> (Option<Letter>, Problems) {
    let merged = merged_case(c, row);
    let mut ctx = row_ctx(c, row);
    let letter = check_merged(project, c, row, &merged, today, &mut ctx);
    let problems = relocate(c, row, &merged, ctx.problems);
    if problems.has_errors() {
        (None, problems)
    } else {
        (letter, problems)
    }
}

fn row_ctx(c: &Campaign, row: &Row) -> Ctx {
    let positions = match c.source {
        Source::Yaml => c
            .positions
            .rebased(&[&format!("recipients[{}]", row.at), "common"]),
        Source::Sheet { .. } => Positions::default(),
    };
    Ctx {
        file: c.file.clone(),
        positions,
        problems: Problems::default(),
    }
}

fn check_merged(
    project: &Project,
    c: &Campaign,
    row: &Row,
    merged: &Mapping,
    today: NaiveDate,
    ctx: &mut Ctx,
) -> Option<Letter> {
    let mut inspection = case::load_inspection(ctx, merged)?;
    let letter_doc = crate::procedure::plan(&Case::Inspection(inspection.clone()))
        .into_iter()
        .find(|d| d.kind == c.document);
    let Some(letter_doc) = letter_doc else {
        let field = c.document.block();
        ctx.error(
            field,
            format!(
                "缺少 {field}：发送{}需要这一部分（可写在 common 中）",
                c.document.title()
            ),
        );
        return None;
    };
    let unit = inspection.inspected_unit.name.to_string();
    let contact = inspection
        .inspected_unit
        .contact
        .as_ref()
        .map(|p| p.name.to_string());
    // Each letter is served on its own: a receipt for it, unless the row says otherwise. It is
    // printed with the letter, before anyone knows when and how it will be served: those lines
    // stay blank for the officer to fill in.
    if inspection.common.services.is_empty()
        && let Some(date) = letter_doc.date
    {
        inspection.common.services.push(Service {
            document: Text(c.document.id().to_string()),
            on: date,
            method: ServiceMethod::Direct,
            recipient: Text(contact.clone().unwrap_or_else(|| unit.clone())),
            place: inspection.inspected_unit.address.clone(),
            witness: None,
            refused_by: None,
            refused_reason: None,
            index: None,
            blank: true,
        });
    }
    let case = Case::Inspection(inspection);
    let docs: Vec<DocSpec> = crate::procedure::plan(&case)
        .into_iter()
        .filter(|d| {
            d.kind == c.document
                || (d.kind == DocKind::ServiceReceipt && served(&case, d) == Some(c.document.id()))
        })
        .collect();
    let dir = c.path.parent().unwrap_or(&project.root).to_path_buf();
    let mut checks = Ctx {
        file: ctx.file.clone(),
        positions: ctx.positions.clone(),
        problems: Problems::default(),
    };
    crate::procedure::check(&case, &docs, &project.root, &dir, &mut checks);
    // Only the letter's own rules matter: the on-site records come later.
    checks
        .problems
        .0
        .retain(|p| p.field != "inspection.records");
    let mut dl = Ctx {
        file: ctx.file.clone(),
        positions: ctx.positions.clone(),
        problems: Problems::default(),
    };
    let mut deadlines = crate::procedure::deadlines(&case, &project.calendar, today, &mut dl);
    deadlines.retain(|d| d.document == c.document);
    dl.problems
        .0
        .retain(|p| p.field.starts_with(&letter_doc.field));
    ctx.problems.extend(checks.problems);
    ctx.problems.extend(dl.problems);
    if ctx.has_errors() {
        return None;
    }
    let letter = docs.iter().position(|d| d.kind == c.document)?;
    let loaded = LoadedCase::held(case, c.path.clone(), c.file.clone(), ctx.positions.clone());
    Some(Letter {
        ordinal: row.ordinal,
        id: letter_id(c, row),
        unit,
        contact,
        case: CheckedCase {
            loaded: std::sync::Arc::new(loaded),
            docs,
            deadlines,
            facts: None,
        },
        letter,
    })
}

fn served<'a>(case: &'a Case, d: &DocSpec) -> Option<&'a str> {
    case.services().get(d.index?).map(|s| s.document.as_str())
}

/// Puts a row's problems where the officer will look: in the campaign file at the row (or at
/// `common` when the field comes from there), or in the spreadsheet at row and column.
fn relocate(c: &Campaign, row: &Row, merged: &Mapping, problems: Problems) -> Problems {
    let unit = get_str(merged, &["inspected_unit", "name"]).unwrap_or_default();
    let mut out = Problems::default();
    for mut p in problems.0 {
        let first = p
            .field
            .split(['.', '['])
            .next()
            .unwrap_or_default()
            .to_string();
        let in_row = row.map.contains_key(first.as_str()) || p.field.is_empty();
        let in_common = !in_row && c.common.contains_key(first.as_str());
        let who = if unit.is_empty() {
            String::new()
        } else {
            format!("（{unit}）")
        };
        match &c.source {
            _ if in_common => {
                // The field comes from `common`: shown there, naming the row it failed for
                // (`collapse_common` joins the rows that fail alike).
                let field = format!("common.{}", p.field);
                let pos = c.positions.find(&field);
                let label = match c.source {
                    Source::Yaml => format!("第{}个收文单位{who}", row.ordinal),
                    Source::Sheet { .. } => format!("第{}行{who}", row.at),
                };
                p.message = format!("{label}：{}", p.message);
                (p.file, p.line, p.column, p.field) = (c.file.clone(), pos.line, pos.column, field);
            }
            Source::Yaml => {
                let field = if p.field.is_empty() {
                    format!("recipients[{}]", row.at)
                } else {
                    format!("recipients[{}].{}", row.at, p.field)
                };
                p.message = format!("第{}个收文单位{who}：{}", row.ordinal, p.message);
                p.field = field;
            }
            Source::Sheet { file, columns } => {
                p = sheet_located(p, file, columns, row.at);
            }
        }
        out.push(p);
    }
    out
}

/// A problem of a spreadsheet row: 第N行, the column it concerns, and "为空" for a missing value.
fn sheet_located(mut p: Problem, file: &str, columns: &[String], line: usize) -> Problem {
    let field = p.field.clone();
    let exact = columns.iter().position(|c| *c == field);
    let parent = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            !c.is_empty()
                && (field.starts_with(&format!("{c}.")) || field.starts_with(&format!("{c}[")))
        })
        .max_by_key(|(_, c)| c.len())
        .map(|(i, _)| i);
    let child = columns
        .iter()
        .position(|c| !field.is_empty() && c.starts_with(&format!("{field}.")));
    let missing = p.message.starts_with("缺少必填字段");
    p.file = file.to_string();
    p.line = line;
    p.message = match exact.or(parent).or(child) {
        Some(i) => {
            p.column = i + 1;
            p.field = columns[i].clone();
            if missing && (exact.is_some() || child.is_some()) {
                format!("第{line}行 {} 为空", columns[i])
            } else {
                format!("第{line}行 {}：{}", columns[i], p.message)
            }
        }
        None => {
            p.column = 1;
            if missing {
                format!("第{line}行 缺少 {field}：表格中没有这一列，common 中也没有给出")
            } else if field.is_empty() {
                format!("第{line}行：{}", p.message)
            } else {
                format!("第{line}行 {field}：{}", p.message)
            }
        }
    };
    p
}

/// (file, field, severity, message without the row label).
type GroupKey = (String, String, Severity, String);

/// Problems of `common` fields that several rows share, reported once with the rows named:
/// a mistake in `common` should not be repeated for each of 500 rows.
pub fn collapse_common(problems: Problems) -> Problems {
    use std::collections::BTreeMap;
    let mut groups: BTreeMap<GroupKey, Vec<(String, Problem)>> = BTreeMap::new();
    let mut out = Problems::default();
    for p in problems.0 {
        let split = p
            .message
            .split_once('：')
            .map(|(l, m)| (l.to_string(), m.to_string()));
        match split {
            Some((label, message)) if p.field.starts_with("common.") => {
                let key = (p.file.clone(), p.field.clone(), p.severity, message);
                groups.entry(key).or_default().push((label, p));
            }
            _ => out.push(p),
        }
    }
    for ((_, _, _, message), mut rows) in groups {
        if rows.len() == 1 {
            out.push(rows.remove(0).1);
            continue;
        }
        let n = rows.len();
        let shown: Vec<String> = rows.iter().take(5).map(|(l, _)| l.clone()).collect();
        let more = if n > 5 { "等" } else { "" };
        let mut p = rows.remove(0).1;
        p.message = format!("{}{more}共 {n} 行：{message}", shown.join("、"));
        out.push(p);
    }
    out
}

/// A spreadsheet column the case format does not know fails every row alike: reported once, on
/// the header row, instead of once per row.
pub fn collapse_unknown_columns(problems: Problems) -> Problems {
    use std::collections::BTreeMap;
    let mut groups: BTreeMap<(String, String, usize), (Problem, usize)> = BTreeMap::new();
    let mut out = Problems::default();
    for p in problems.0 {
        let rest = p.message.split_once('：').map(|(_, m)| m.to_string());
        match rest {
            Some(m) if m.starts_with("未知字段") && p.message.starts_with('第') => {
                let key = (p.file.clone(), p.field.clone(), p.column);
                let entry = groups.entry(key).or_insert_with(|| {
                    let mut first = p.clone();
                    first.line = 1;
                    first.message = format!("第1行 列名 {}：{m}", p.field);
                    (first, 0)
                });
                entry.1 += 1;
            }
            _ => out.push(p),
        }
    }
    for (_, (mut p, n)) in groups {
        if n > 1 {
            p.message = format!("{}（{n} 行因此未生成）", p.message);
        }
        out.push(p);
    }
    out
}
