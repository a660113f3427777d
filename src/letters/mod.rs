//! Bulk letters (批量发文): a campaign file sends one document kind to many recipients. Each
//! recipient row is merged over `common`, checked like a case of that kind, numbered from the
//! ledger, and rendered; the campaign gets a print file, a service receipt per letter and a
//! dispatch register (发文登记簿), all listed in the manifest.
//!
//! Output, below `OUT/<campaign-id>/`: `NNN-<kind>.pdf` per letter (NNN = row number),
//! `receipts/NNN-service_receipt.pdf`, `print.pdf`, `register.xlsx`, `register.csv`.

pub mod campaign;
pub mod print;
pub mod register;
pub mod sheet;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use indicatif::ProgressBar;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::build::{self, BuildError, BuildOptions};
use crate::case::Ctx;
use crate::documents::DocKind;
use crate::ledger::Ledger;
use crate::manifest::Manifest;
use crate::numbering::{self, Numbers};
use crate::output::{sha256_hex, write_if_changed};
use crate::problems::{Problem, Problems, Severity};
use crate::project::Project;
use crate::render::{RenderRequest, Renderer, batch};
use crate::settings::Settings;
pub use campaign::{Campaign, Letter};
use register::RegisterRow;

/// Manifest sections this stage owns.
pub const SECTIONS: &[&str] = &["letters", "print_files", "registers"];

/// What the letters stage did, for the summary line.
#[derive(Debug, Default, Clone)]
pub struct LettersReport {
    pub campaigns: usize,
    pub letters: usize,
    pub receipts: usize,
    /// Rows that got no letter.
    pub failed_rows: usize,
    pub pages: usize,
    pub written: usize,
}

/// A campaign with its rows checked.
pub struct Prepared {
    pub campaign: Campaign,
    /// The good rows' letters, in row order.
    pub letters: Vec<Letter>,
    pub failed_rows: usize,
}

/// One output file of a campaign, as listed in the manifest's `letters` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LetterEntry {
    pub path: String,
    pub campaign: String,
    pub row: usize,
    pub recipient: String,
    pub document: String,
    pub title: String,
    pub no: Option<String>,
    pub date: Option<NaiveDate>,
    pub pages: usize,
    pub sha256: String,
}

/// Reads and checks every campaign under the root; `case_ids` are the ids cases already use
/// (a campaign with the same id would write into the same folder).
pub fn check(project: &Project, today: NaiveDate) -> (Vec<Prepared>, Problems) {
    let mut problems = Problems::default();
    let case_ids: BTreeSet<&str> = project.cases.iter().map(|c| c.case.id()).collect();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut prepared = Vec::new();
    for cf in &project.campaigns {
        let Some(campaign) = campaign::read(cf, &mut problems) else {
            continue;
        };
        let clash = seen.get(&campaign.id).cloned().or_else(|| {
            case_ids
                .contains(campaign.id.as_str())
                .then(|| "一个案件".to_string())
        });
        if let Some(other) = clash {
            let mut ctx = Ctx::new(cf.file.clone(), &cf.text);
            ctx.error(
                "id",
                format!(
                    "批次编号 {} 与 {other} 重复；输出目录以编号命名，必须唯一",
                    campaign.id
                ),
            );
            problems.extend(ctx.problems);
            continue;
        }
        seen.insert(campaign.id.clone(), cf.file.clone());
        let checked: Vec<(Option<Letter>, Problems)> = campaign
            .rows
            .par_iter()
            .map(|row| campaign::check_row(project, &campaign, row, today))
            .collect();
        let mut letters = Vec::new();
        let mut failed_rows = 0;
        let mut rows = Problems::default();
        for (letter, p) in checked {
            rows.extend(p);
            match letter {
                Some(l) => letters.push(l),
                None => failed_rows += 1,
            }
        }
        problems.extend(campaign::collapse_unknown_columns(
            campaign::collapse_common(rows),
        ));
        prepared.push(Prepared {
            campaign,
            letters,
            failed_rows,
        });
    }
    (prepared, problems)
}

/// Builds every campaign into `opts.out` and records the outputs in `manifest`.
pub fn build(
    project: &Project,
    renderer: &Renderer,
    opts: &BuildOptions,
    manifest: &mut Manifest,
) -> Result<(LettersReport, Problems), BuildError> {
    let (prepared, mut problems) = check(project, opts.today);
    let mut report = LettersReport {
        campaigns: prepared.len(),
        ..Default::default()
    };
    // A build of part of the root leaves the other campaigns' outputs listed as they were.
    let mut standing: Vec<(&str, Vec<Value>)> = Vec::new();
    for key in SECTIONS {
        let old = manifest.extra.remove(*key);
        if project.partial {
            let ours: Vec<String> = prepared
                .iter()
                .map(|p| format!("{}/", p.campaign.id))
                .collect();
            let kept = old
                .and_then(|v| v.as_array().cloned())
                .unwrap_or_default()
                .into_iter()
                .filter(|e| {
                    let path = e.get("path").and_then(Value::as_str).unwrap_or_default();
                    !ours.iter().any(|prefix| path.starts_with(prefix.as_str()))
                })
                .collect();
            standing.push((key, kept));
        }
    }
    if prepared.is_empty() {
        for (key, kept) in standing {
            if !kept.is_empty() {
                manifest.extra.insert(key.to_string(), Value::Array(kept));
            }
        }
        return Ok((report, problems));
    }
    let (numbers, clashes) = Ledger::update(
        &project.root,
        || crate::ledger::say_busy(&project.root),
        |ledger| assign_numbers(&project.settings, ledger, &prepared),
    )?;
    problems.extend(clashes);

    let total: usize = prepared.iter().map(|p| p.letters.len()).sum();
    let bar = crate::build::progress_bar(opts.progress, total as u64, "批量发文", "封");
    let mut entries: Vec<LetterEntry> = Vec::new();
    let mut prints = Vec::new();
    let mut registers = Vec::new();
    for p in &prepared {
        report.failed_rows += p.failed_rows;
        let built = build_campaign(project, renderer, opts, p, &numbers, &bar, &mut problems);
        let Some(built) = built else { continue };
        report.letters += built.letters.len();
        report.receipts += built.receipts.len();
        report.pages += built
            .letters
            .iter()
            .chain(&built.receipts)
            .map(|e| e.pages)
            .sum::<usize>();
        report.written += built.written;
        entries.extend(built.letters);
        entries.extend(built.receipts);
        prints.extend(built.print);
        registers.extend(built.registers);
    }
    bar.finish_and_clear();
    let letters = match serde_json::to_value(&entries) {
        Ok(Value::Array(a)) => a,
        _ => Vec::new(),
    };
    let mut sections = [
        ("letters", letters),
        ("print_files", prints),
        ("registers", registers),
    ];
    for (key, list) in &mut sections {
        if let Some((_, kept)) = standing.iter_mut().find(|(k, _)| k == key) {
            list.append(kept);
        }
        let path = |e: &Value| {
            e.get("path")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        list.sort_by_key(path);
    }
    for (key, list) in sections {
        manifest.extra.insert(key.into(), Value::Array(list));
    }
    Ok((report, problems))
}

/// The ledger owner of a row: its position and its unit, so that appending rows keeps every
/// number, and a row that now names another unit gets a new one.
fn owner(campaign: &str, letter: &Letter) -> String {
    format!("{campaign}/{:03}/{}", letter.ordinal, letter.unit)
}

/// 文号 for every letter, allocated in row order, and a warning for each row whose own number
/// is already held by somebody else.
fn assign_numbers(
    settings: &Settings,
    ledger: &mut Ledger,
    prepared: &[Prepared],
) -> (Numbers, Problems) {
    let mut numbers = Numbers::new();
    let mut clashes = Problems::default();
    for p in prepared {
        for l in &p.letters {
            let doc = l.doc();
            let key = (l.id.clone(), doc.key());
            let owner = owner(&p.campaign.id, l);
            let kind = doc.kind.id();
            let no = match (&doc.explicit_no, doc.date) {
                (Some(no), Some(date)) => {
                    // The row's own number wins, as in a case, and the officer is told.
                    if let Some(other) =
                        numbering::reserve(settings, ledger, kind, date, &owner, no)
                    {
                        let mut ctx = l.case.loaded.ctx();
                        ctx.warn(
                            &doc.field,
                            format!("文号 {no} 已在台账中分配给 {other}，请核对，避免重号"),
                        );
                        clashes.extend(ctx.problems);
                    }
                    Some(no.clone())
                }
                (Some(no), None) => Some(no.clone()),
                (None, Some(date)) => numbering::allocate(settings, ledger, kind, date, &owner),
                (None, None) => None,
            };
            if let Some(no) = no {
                numbers.insert(key, no);
            }
        }
    }
    (numbers, clashes)
}

/// A letter's entry, its receipt's, and how many files changed.
type RenderedLetter = (LetterEntry, Option<LetterEntry>, usize);

struct Built {
    letters: Vec<LetterEntry>,
    receipts: Vec<LetterEntry>,
    print: Option<Value>,
    registers: Vec<Value>,
    written: usize,
}

fn campaign_problem(c: &Campaign, field: &str, severity: Severity, message: String) -> Problem {
    let pos = c.positions.find(field);
    Problem {
        file: c.file.clone(),
        line: pos.line,
        column: pos.column,
        field: field.to_string(),
        severity,
        message,
    }
}

fn build_campaign(
    project: &Project,
    renderer: &Renderer,
    opts: &BuildOptions,
    p: &Prepared,
    numbers: &Numbers,
    bar: &ProgressBar,
    problems: &mut Problems,
) -> Option<Built> {
    let c = &p.campaign;
    let kind = c.document.id();
    if !renderer.has_template(kind) {
        problems.push(campaign_problem(
            c,
            "document",
            Severity::Error,
            format!("缺少文书模板：{kind}"),
        ));
        return None;
    }
    let receipts = renderer.has_template(DocKind::ServiceReceipt.id());
    if !receipts {
        problems.push(campaign_problem(
            c,
            "document",
            Severity::Warning,
            "缺少送达回证模板 service_receipt，本批次不生成送达回证".into(),
        ));
    }
    let dir = opts.out.join(&c.id);
    // In chunks, with typst's memo cache evicted between them: memory stays flat however many
    // letters a campaign has.
    let mut results: Vec<Result<RenderedLetter, Problem>> = Vec::with_capacity(p.letters.len());
    batch::in_chunks(
        &p.letters,
        batch::CHUNK,
        batch::threads(),
        |l| {
            let r = render_letter(project, renderer, opts, c, l, numbers, receipts);
            bar.inc(1);
            r
        },
        |_, rendered| results.extend(rendered),
    );
    let mut letters = Vec::new();
    let mut receipt_entries = Vec::new();
    let mut written = 0;
    for r in results {
        match r {
            Ok((letter, receipt, w)) => {
                letters.push(letter);
                receipt_entries.extend(receipt);
                written += w;
            }
            Err(e) => problems.push(e),
        }
    }
    let mut keep: BTreeSet<String> = letters
        .iter()
        .chain(&receipt_entries)
        .map(|e| e.path.clone())
        .collect();

    let print_path = format!("{}/print.pdf", c.id);
    let print = if letters.is_empty() {
        None
    } else {
        let files: Vec<PathBuf> = letters.iter().map(|e| opts.out.join(&e.path)).collect();
        match print::merge(&files, &opts.out.join(&print_path)) {
            Ok(pf) => {
                written += usize::from(pf.written);
                keep.insert(print_path.clone());
                Some(serde_json::json!({
                    "path": print_path, "campaign": c.id, "letters": letters.len(),
                    "pages": pf.pages, "blank_pages": pf.blank, "sha256": pf.sha256,
                }))
            }
            Err(e) => {
                problems.push(campaign_problem(
                    c,
                    "id",
                    Severity::Error,
                    format!("生成打印文件失败：{e}"),
                ));
                None
            }
        }
    };

    let rows = register_rows(p, &letters);
    let mut registers = Vec::new();
    let date = letters.iter().filter_map(|e| e.date).max();
    let xlsx = register::xlsx(&rows, &c.title, date).map_err(|e| e.to_string());
    let files = [
        ("register.xlsx", "xlsx", xlsx),
        ("register.csv", "csv", Ok(register::csv(&rows))),
    ];
    for (name, format, bytes) in files {
        let path = format!("{}/{name}", c.id);
        let result = bytes.and_then(|b| {
            write_if_changed(&opts.out.join(&path), &b)
                .map(|w| (w, b))
                .map_err(|e| e.to_string())
        });
        match result {
            Ok((w, bytes)) => {
                written += usize::from(w);
                keep.insert(path.clone());
                registers.push(serde_json::json!({
                    "path": path, "campaign": c.id, "format": format, "rows": rows.len(), "sha256": sha256_hex(&bytes),
                }));
            }
            Err(e) => problems.push(campaign_problem(
                c,
                "id",
                Severity::Error,
                format!("无法写入发文登记簿 {path}：{e}"),
            )),
        }
    }
    remove_stale(&opts.out, &dir, &keep);
    Some(Built {
        letters,
        receipts: receipt_entries,
        print,
        registers,
        written,
    })
}

fn register_rows(p: &Prepared, letters: &[LetterEntry]) -> Vec<RegisterRow> {
    let contacts: HashMap<usize, &Letter> = p.letters.iter().map(|l| (l.ordinal, l)).collect();
    letters
        .iter()
        .enumerate()
        .map(|(i, e)| RegisterRow {
            seq: i + 1,
            no: e.no.clone().unwrap_or_default(),
            title: e.title.clone(),
            unit: e.recipient.clone(),
            contact: contacts
                .get(&e.row)
                .and_then(|l| l.contact.clone())
                .unwrap_or_default(),
            date: e.date.map(|d| d.to_string()).unwrap_or_default(),
            pages: e.pages,
            file: e.path.rsplit('/').next().unwrap_or_default().to_string(),
        })
        .collect()
}

/// Renders one letter and its receipt and writes them. Returns the entries and how many files
/// changed.
fn render_letter(
    project: &Project,
    renderer: &Renderer,
    opts: &BuildOptions,
    c: &Campaign,
    l: &Letter,
    numbers: &Numbers,
    receipts: bool,
) -> Result<RenderedLetter, Problem> {
    let mut written = 0;
    let doc = l.doc();
    let letter_path = format!("{}/{:03}-{}.pdf", c.id, l.ordinal, doc.kind.id());
    let letter = render_one(
        project,
        renderer,
        opts,
        c,
        l,
        doc,
        numbers,
        letter_path,
        &mut written,
    )?;
    let receipt = match l.receipt().filter(|_| receipts) {
        Some(r) => {
            let path = format!("{}/receipts/{:03}-{}.pdf", c.id, l.ordinal, r.kind.id());
            Some(render_one(
                project,
                renderer,
                opts,
                c,
                l,
                r,
                numbers,
                path,
                &mut written,
            )?)
        }
        None => None,
    };
    Ok((letter, receipt, written))
}

#[allow(clippy::too_many_arguments)]
fn render_one(
    project: &Project,
    renderer: &Renderer,
    opts: &BuildOptions,
    c: &Campaign,
    l: &Letter,
    doc: &crate::documents::DocSpec,
    numbers: &Numbers,
    path: String,
    written: &mut usize,
) -> Result<LetterEntry, Problem> {
    let data = build::document_data(&project.settings, &l.case, doc, numbers)
        .to_string()
        .into_bytes();
    if let Some(dump) = &opts.dump_data {
        let _ = crate::output::write_atomic(&dump.join(path.replace(".pdf", ".json")), &data);
    }
    let request = RenderRequest {
        template: doc.kind.id(),
        data,
        ident: format!("{}/{}", l.id, doc.key()),
        date: doc.date,
    };
    let fail = |message: String| {
        let field = match c.source {
            campaign::Source::Yaml => format!("recipients[{}]", l.ordinal - 1),
            campaign::Source::Sheet { .. } => "recipients_from".to_string(),
        };
        campaign_problem(
            c,
            &field,
            Severity::Error,
            format!("第{}个收文单位（{}）：{message}", l.ordinal, l.unit),
        )
    };
    let rendered = renderer
        .render(&request)
        .map_err(|e| fail(format!("生成{}失败：{e}", doc.title)))?;
    if write_if_changed(&opts.out.join(&path), &rendered.pdf)
        .map_err(|e| fail(format!("无法写入 {path}：{e}")))?
    {
        *written += 1;
    }
    Ok(LetterEntry {
        path,
        campaign: c.id.clone(),
        row: l.ordinal,
        recipient: l.unit.clone(),
        document: doc.kind.id().to_string(),
        title: doc.title.clone(),
        no: numbers.get(&(l.id.clone(), doc.key())).cloned(),
        date: doc.date,
        pages: rendered.pages,
        sha256: sha256_hex(&rendered.pdf),
    })
}

/// Removes files of the campaign folder this run did not produce (a row taken out, or one
/// that now fails), so the folder holds exactly what the manifest lists.
fn remove_stale(out: &Path, dir: &Path, keep: &BTreeSet<String>) {
    for sub in [dir.to_path_buf(), dir.join("receipts")] {
        let Ok(entries) = std::fs::read_dir(&sub) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            let Ok(rel) = path.strip_prefix(out) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            let ours = [".pdf", ".xlsx", ".csv"].iter().any(|x| rel.ends_with(x));
            if path.is_file() && ours && !keep.contains(&rel) {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}
