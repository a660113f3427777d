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
use std::path::PathBuf;

use chrono::NaiveDate;
use indicatif::ProgressBar;
use rayon::prelude::*;

use crate::cache::{BuildCache, Digests, Made};
use crate::case::Ctx;
use crate::documents::DocKind;
use crate::ledger::Ledger;
pub use crate::manifest::LetterEntry;
use crate::manifest::{PrintFileEntry, RegisterEntry};
use crate::numbering::{self, Numbers};
use crate::problems::{Problem, Problems, Severity};
use crate::project::Project;
use crate::render::{RenderRequest, Renderer, batch};
use crate::settings::Settings;
pub use crate::stage::LettersReport;
use crate::stage::{BuildContext, BuildError, BuildOptions, Stage};
pub use campaign::{Campaign, Letter};
use register::RegisterRow;

/// A campaign with its rows checked.
pub struct Prepared {
    pub campaign: Campaign,
    /// The good rows' letters, in row order.
    pub letters: Vec<Letter>,
    pub failed_rows: usize,
}

/// Reads and checks every campaign under the root; `case_ids` are the ids cases already use
/// (a campaign with the same id would write into the same folder).
pub fn check(project: &Project, today: NaiveDate) -> (Vec<Prepared>, Problems) {
    let mut problems = Problems::default();
    let case_ids: BTreeSet<&str> = project.cases.iter().map(|c| c.id()).collect();
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

/// 批量发文: every campaign, recorded in the manifest's `letters`, `print_files` and
/// `registers`.
pub struct Letters;

impl Stage for Letters {
    fn name(&self) -> &'static str {
        "批量发文"
    }

    fn run(&self, cx: &mut BuildContext) -> Result<(), BuildError> {
        let (report, problems) = build(cx)?;
        cx.report.letters = report;
        cx.problems.extend(problems);
        Ok(())
    }
}

/// Builds every campaign into the output folder and records the outputs in the manifest.
pub fn build(cx: &mut BuildContext) -> Result<(LettersReport, Problems), BuildError> {
    let (project, renderer, opts) = (cx.project, cx.renderer, cx.opts);
    let (prepared, mut problems) = check(project, opts.today);
    let mut report = LettersReport {
        campaigns: prepared.len(),
        ..Default::default()
    };
    // A build of part of the root leaves the other campaigns' outputs listed as they were.
    let ours: Vec<String> = prepared
        .iter()
        .map(|p| format!("{}/", p.campaign.id))
        .collect();
    let standing =
        |path: &str| project.partial && !ours.iter().any(|o| path.starts_with(o.as_str()));
    let mut letters: Vec<LetterEntry> = std::mem::take(&mut cx.previous.letters)
        .into_iter()
        .filter(|e| standing(&e.path))
        .collect();
    let mut prints: Vec<PrintFileEntry> = std::mem::take(&mut cx.previous.print_files)
        .into_iter()
        .filter(|e| standing(&e.path))
        .collect();
    let mut registers: Vec<RegisterEntry> = std::mem::take(&mut cx.previous.registers)
        .into_iter()
        .filter(|e| standing(&e.path))
        .collect();
    for path in letters
        .iter()
        .map(|e| &e.path)
        .chain(prints.iter().map(|e| &e.path))
        .chain(registers.iter().map(|e| &e.path))
    {
        cx.cache.keep(path);
    }
    if !prepared.is_empty() {
        let (numbers, clashes) = Ledger::update(
            &project.root,
            || crate::ledger::say_busy(&project.root),
            |ledger| assign_numbers(&project.settings, ledger, &prepared),
        )?;
        problems.extend(clashes);
        let total: usize = prepared.iter().map(|p| p.letters.len()).sum();
        let bar = crate::stage::progress_bar(opts.progress, total as u64, "批量发文", "封");
        for p in &prepared {
            report.failed_rows += p.failed_rows;
            let env = Env {
                project,
                renderer,
                opts,
                cache: &cx.cache,
                numbers: &numbers,
            };
            let Some(built) = build_campaign(env, p, &bar, &mut problems) else {
                continue;
            };
            report.letters += built.letters.len();
            report.receipts += built.receipts.len();
            report.pages += built
                .letters
                .iter()
                .chain(&built.receipts)
                .map(|e| e.pages)
                .sum::<usize>();
            report.written += built.written;
            letters.extend(built.letters);
            letters.extend(built.receipts);
            prints.extend(built.print);
            registers.extend(built.registers);
        }
        bar.finish_and_clear();
    }
    letters.sort_by(|a, b| a.path.cmp(&b.path));
    prints.sort_by(|a, b| a.path.cmp(&b.path));
    registers.sort_by(|a, b| a.path.cmp(&b.path));
    cx.manifest.letters = letters;
    cx.manifest.print_files = prints;
    cx.manifest.registers = registers;
    Ok((report, problems))
}

/// What rendering a campaign works with.
#[derive(Clone, Copy)]
struct Env<'a> {
    project: &'a Project,
    renderer: &'a Renderer,
    opts: &'a BuildOptions,
    cache: &'a BuildCache,
    numbers: &'a Numbers,
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
    let mut numbers = Vec::new();
    let mut clashes = Problems::default();
    for p in prepared {
        for l in &p.letters {
            let doc = l.doc();
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
                numbers.push((l.id.clone(), doc.key(), no));
            }
        }
    }
    let numbers = Numbers::of(
        numbers
            .iter()
            .map(|(id, key, no)| [id.as_str(), key.as_str(), no.as_str()]),
    );
    (numbers, clashes)
}

/// A letter's entry, its receipt's, and how many files changed.
type RenderedLetter = (LetterEntry, Option<LetterEntry>, usize);

struct Built {
    letters: Vec<LetterEntry>,
    receipts: Vec<LetterEntry>,
    print: Option<PrintFileEntry>,
    registers: Vec<RegisterEntry>,
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
    env: Env,
    p: &Prepared,
    bar: &ProgressBar,
    problems: &mut Problems,
) -> Option<Built> {
    let Env {
        renderer,
        opts,
        cache,
        ..
    } = env;
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
    // In chunks, with typst's memo cache evicted between them: memory stays flat however many
    // letters a campaign has.
    let mut results: Vec<Result<RenderedLetter, Problem>> = Vec::with_capacity(p.letters.len());
    batch::in_chunks(
        &p.letters,
        batch::CHUNK,
        batch::threads(),
        |l| {
            let r = render_letter(env, c, l, receipts);
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
    let print_path = format!("{}/print.pdf", c.id);
    let print = if letters.is_empty() {
        None
    } else {
        let files: Vec<PathBuf> = letters.iter().map(|e| opts.out.join(&e.path)).collect();
        match print::merge(&files, &opts.out.join(&print_path)) {
            Ok(pf) => {
                written += usize::from(pf.written);
                Some(PrintFileEntry {
                    sm3: cache
                        .digests(&print_path)
                        .map(|d| d.sm3)
                        .unwrap_or_default(),
                    path: print_path,
                    campaign: c.id.clone(),
                    letters: letters.len(),
                    pages: pf.pages,
                    blank_pages: pf.blank,
                    sha256: pf.sha256,
                })
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
        let result = bytes.and_then(|b| cache.write(&path, &b).map_err(|e| e.to_string()));
        match result {
            Ok((d, w)) => {
                written += usize::from(w);
                registers.push(RegisterEntry {
                    path,
                    campaign: c.id.clone(),
                    format: format.to_string(),
                    rows: rows.len(),
                    sha256: d.sha256,
                    sm3: d.sm3,
                });
            }
            Err(e) => problems.push(campaign_problem(
                c,
                "id",
                Severity::Error,
                format!("无法写入发文登记簿 {path}：{e}"),
            )),
        }
    }
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
    env: Env,
    c: &Campaign,
    l: &Letter,
    receipts: bool,
) -> Result<RenderedLetter, Problem> {
    let mut written = 0;
    let doc = l.doc();
    let letter_path = format!("{}/{:03}-{}.pdf", c.id, l.ordinal, doc.kind.id());
    let letter = render_one(env, c, l, doc, letter_path, &mut written)?;
    let receipt = match l.receipt().filter(|_| receipts) {
        Some(r) => {
            let path = format!("{}/receipts/{:03}-{}.pdf", c.id, l.ordinal, r.kind.id());
            Some(render_one(env, c, l, r, path, &mut written)?)
        }
        None => None,
    };
    Ok((letter, receipt, written))
}

/// Renders a letter or receipt, or takes the last build's file when nothing it is made from
/// changed.
fn render_one(
    env: Env,
    c: &Campaign,
    l: &Letter,
    doc: &crate::documents::DocSpec,
    path: String,
    written: &mut usize,
) -> Result<LetterEntry, Problem> {
    let Env {
        project,
        renderer,
        opts,
        cache,
        numbers,
    } = env;
    let data = crate::template_data::document_data(&project.settings, &l.case, doc, numbers)
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
    let inputs = renderer.inputs_digest(&request);
    let (pages, d) = match cache.reusable(&path, &inputs) {
        Some((d, pages)) => (pages, d),
        None => {
            let rendered = renderer
                .render(&request)
                .map_err(|e| fail(format!("生成{}失败：{e}", doc.title)))?;
            let d = Digests::of(&rendered.pdf);
            if cache
                .write_known(&path, &rendered.pdf, &d)
                .map_err(|e| fail(format!("无法写入 {path}：{e}")))?
            {
                *written += 1;
            }
            let made = Made {
                inputs,
                pages: rendered.pages,
                sha256: d.sha256.clone(),
                mid: None,
            };
            cache.made(&path, made);
            (rendered.pages, d)
        }
    };
    Ok(LetterEntry {
        path,
        campaign: c.id.clone(),
        row: l.ordinal,
        recipient: l.unit.clone(),
        document: doc.kind.id().to_string(),
        title: doc.title.clone(),
        no: numbers.get(&l.id, &doc.key()).map(str::to_string),
        date: doc.date,
        pages,
        sha256: d.sha256,
        sm3: d.sm3,
    })
}
