//! `anjuan build`: checked cases → 文号 → document data → PDFs → manifest. A case with errors
//! gets no documents and never stops the others; every file is written under a temporary name
//! and renamed, and rewritten only when its bytes change.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};

use crate::documents::{DocKind, DocSpec};
use crate::ledger::Ledger;
use crate::manifest::{FileEntry, Manifest};
use crate::numbering::{self, Numbers};
use crate::output::{sha256_hex, write_atomic, write_if_changed};
use crate::problems::{Problem, Problems, Severity};
use crate::project::{CheckedCase, Project};
use crate::render::{RenderRequest, Renderer, batch};
use crate::settings::Settings;
use crate::{law, manifest};

pub struct BuildOptions {
    pub out: PathBuf,
    pub today: NaiveDate,
    pub progress: bool,
    /// Writes each document's template data as JSON below this folder.
    pub dump_data: Option<PathBuf>,
}

#[derive(Debug, Default)]
pub struct BuildReport {
    pub cases_built: usize,
    /// Cases (id or file) that got no documents.
    pub cases_failed: Vec<String>,
    pub documents: usize,
    /// Documents whose bytes changed (or are new).
    pub written: usize,
    pub pages: usize,
    /// Files of every kind this build wrote (documents, volumes, catalogues, transfer package,
    /// manifest, ledger, log); unchanged files are not rewritten and not counted.
    pub files_written: usize,
    pub elapsed: Duration,
    pub problems: Problems,
    /// Bulk letters (campaigns).
    pub letters: crate::letters::LettersReport,
}

impl BuildReport {
    pub fn ok(&self) -> bool {
        self.cases_failed.is_empty() && !self.problems.has_errors()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{0}")]
    Ledger(#[from] crate::ledger::LedgerError),
    #[error("{0}")]
    Lock(#[from] crate::lock::LockError),
    #[error("无法写入输出目录 {}：{}", .0.display(), crate::text::io_error(.1))]
    Output(PathBuf, std::io::Error),
}

/// One document to render.
struct Job<'a> {
    case: &'a CheckedCase,
    doc: &'a DocSpec,
    /// `<case-id>/NN-<kind>.pdf`
    rel_path: String,
    data: Vec<u8>,
    /// The PDF's date: the document's, or the case's latest while it has none.
    date: Option<NaiveDate>,
}

/// What a build does when another build holds its output folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenBusy {
    /// Wait for it, saying who holds the folder.
    Wait,
    /// Fail at once (`--no-wait`).
    Fail,
}

/// Builds with the output folder locked, waiting for a build that holds it.
pub fn build(
    project: &Project,
    renderer: &Renderer,
    opts: &BuildOptions,
) -> Result<BuildReport, BuildError> {
    build_with(project, renderer, opts, WhenBusy::Wait)
}

/// Builds with the output folder locked for the whole build: one build per output folder.
pub fn build_with(
    project: &Project,
    renderer: &Renderer,
    opts: &BuildOptions,
    when_busy: WhenBusy,
) -> Result<BuildReport, BuildError> {
    let _lock = crate::lock::lock_output(&opts.out, when_busy == WhenBusy::Wait, |holder| {
        eprintln!(
            "输出目录 {} 正由另一个 anjuan 生成任务使用（{holder}），等待它结束……（按 Ctrl+C 停止等待；加 --no-wait 则不等待）",
            opts.out.display()
        )
    })?;
    build_locked(project, renderer, opts)
}

fn build_locked(
    project: &Project,
    renderer: &Renderer,
    opts: &BuildOptions,
) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let written_before = crate::output::files_written();
    let mut stages = crate::memstat::Stages::from_env();
    let checked = project.check(opts.today);
    let mut problems = checked.problems;
    let mut failed: BTreeSet<String> = checked.failed.into_iter().collect();

    let (numbers, clashes) = Ledger::update(
        &project.root,
        || crate::ledger::say_busy(&project.root),
        |ledger| numbering::assign(&project.settings, ledger, &checked.cases),
    )?;
    for (ci, field, message) in clashes {
        let mut ctx = checked.cases[ci].loaded.ctx();
        ctx.warn(&field, message);
        problems.extend(ctx.problems);
    }

    let cases: Vec<&CheckedCase> = checked
        .cases
        .iter()
        .filter(|c| {
            let mut missing: Vec<&str> = c
                .docs
                .iter()
                .map(|d| d.kind.id())
                .filter(|k| !renderer.has_template(k))
                .collect();
            missing.dedup();
            if missing.is_empty() {
                return true;
            }
            let mut ctx = c.loaded.ctx();
            ctx.error("kind", format!("缺少文书模板：{}", missing.join("、")));
            problems.extend(ctx.problems);
            failed.insert(c.loaded.case.id().to_string());
            false
        })
        .collect();

    stages.done("核对");
    let total: usize = cases.iter().map(|c| c.docs.len()).sum();
    let bar = progress_bar(opts.progress, total as u64, "生成文书", "份");
    std::fs::create_dir_all(&opts.out).map_err(|e| BuildError::Output(opts.out.clone(), e))?;

    let cache = crate::render_cache::RenderCache::load(&opts.out);
    // Whole cases a chunk at a time: a case is written only once all its documents rendered.
    let mut results: Vec<CaseResult> = Vec::with_capacity(cases.len());
    for group in case_chunks(&cases, batch::CHUNK) {
        let per_case: Vec<Vec<Job>> = group
            .iter()
            .map(|c| jobs_of(&project.settings, c, &numbers))
            .collect();
        let flat: Vec<&Job> = per_case.iter().flatten().collect();
        let mut rendered = batch::parallel(&flat, batch::threads(), |job| {
            let r = render_job(renderer, job, &numbers, &cache);
            bar.inc(1);
            r
        })
        .into_iter();
        for (case, jobs) in group.iter().zip(&per_case) {
            let own: Vec<_> = rendered.by_ref().take(jobs.len()).collect();
            results.push(finish_case(case, jobs, own, opts));
        }
        typst::comemo::evict(0);
        crate::memstat::release_free();
    }
    bar.finish_and_clear();
    stages.done("文书");

    let previous = Manifest::load(&opts.out).unwrap_or_default();
    let previous_paths = previous.paths();
    let mut manifest = Manifest {
        files: Vec::new(),
        extra: previous.extra.clone(),
    };
    let mut report = BuildReport::default();
    for r in results {
        match r {
            CaseResult::Built {
                entries,
                written,
                problems: p,
            } => {
                problems.extend(p);
                report.cases_built += 1;
                report.documents += entries.len();
                report.pages += entries.iter().map(|e| e.pages).sum::<usize>();
                report.written += written;
                manifest.files.extend(entries);
            }
            CaseResult::Failed { id, problems: p } => {
                failed.insert(id);
                problems.extend(p);
            }
        }
    }
    // A case that fails now keeps the documents of its last good build, still listed; so does
    // every case this run did not read (one case file was built).
    let read: BTreeSet<&str> = project.cases.iter().map(|c| c.case.id()).collect();
    let standing: BTreeSet<String> = previous
        .files
        .iter()
        .map(|f| f.case.clone())
        .filter(|id| failed.contains(id) || (project.partial && !read.contains(id.as_str())))
        .collect();
    let built: BTreeSet<&str> = manifest.files.iter().map(|f| f.case.as_str()).collect();
    let kept: Vec<FileEntry> = previous
        .files
        .into_iter()
        .filter(|f| {
            standing.contains(&f.case)
                && !built.contains(f.case.as_str())
                && opts.out.join(&f.path).is_file()
        })
        .collect();
    manifest.files.extend(kept);
    let (letters, letter_problems) = crate::letters::build(project, renderer, opts, &mut manifest)?;
    report.letters = letters;
    problems.extend(letter_problems);
    stages.done("批量发文");
    manifest.extra.insert(
        crate::render_cache::KEY.into(),
        cache.finish(&manifest.files),
    );
    // Volumes too stand for failed cases and for the cases this run did not read.
    let keep_volumes: BTreeSet<String> = failed.union(&standing).cloned().collect();
    let archive_env = crate::archive::Env {
        settings: &project.settings,
        renderer,
        root: &project.root,
        out: &opts.out,
    };
    problems.extend(crate::archive::stage(
        archive_env,
        &cases,
        &keep_volumes,
        &mut manifest,
        &mut stages,
    ));
    manifest
        .save(&opts.out)
        .map_err(|e| BuildError::Output(opts.out.join(manifest::FILE_NAME), e))?;
    if !project.partial {
        manifest.remove_dropped(&previous_paths, &opts.out);
    }
    // Signature and build log, once the manifest is final.
    problems.extend(crate::buildlog::seal(
        &project.settings,
        &project.root,
        &opts.out,
    ));
    stages.done("清单和签名");

    report.cases_failed = failed.into_iter().collect();
    report.problems = problems;
    report.elapsed = started.elapsed();
    report.files_written = crate::output::files_written() - written_before;
    Ok(report)
}

enum CaseResult {
    Built {
        entries: Vec<FileEntry>,
        written: usize,
        /// Problems that did not stop the case (a `--dump-data` file not written).
        problems: Problems,
    },
    Failed {
        id: String,
        problems: Problems,
    },
}

/// Cases grouped so that each group has at least `min_docs` documents (the last may have
/// fewer).
fn case_chunks<'a>(cases: &[&'a CheckedCase], min_docs: usize) -> Vec<Vec<&'a CheckedCase>> {
    let mut groups: Vec<Vec<&CheckedCase>> = Vec::new();
    let mut docs = 0;
    for &c in cases {
        if groups.is_empty() || docs >= min_docs {
            groups.push(Vec::new());
            docs = 0;
        }
        docs += c.docs.len();
        groups.last_mut().expect("a group").push(c);
    }
    groups
}

/// The documents of a case to render, with their data.
fn jobs_of<'a>(settings: &Settings, case: &'a CheckedCase, numbers: &Numbers) -> Vec<Job<'a>> {
    let id = case.loaded.case.id();
    let fallback_date = case.docs.iter().filter_map(|d| d.date).max();
    case.docs
        .iter()
        .enumerate()
        .map(|(i, doc)| Job {
            case,
            doc,
            rel_path: crate::output::document_path(id, i, doc.kind.id()),
            data: document_data(settings, case, doc, numbers)
                .to_string()
                .into_bytes(),
            date: doc.date.or(fallback_date),
        })
        .collect()
}

/// Writes a case's documents if every one of them rendered.
fn finish_case(
    case: &CheckedCase,
    jobs: &[Job],
    rendered: Vec<Result<(FileEntry, Vec<u8>), Problem>>,
    opts: &BuildOptions,
) -> CaseResult {
    let id = case.loaded.case.id().to_string();
    let mut ok = Vec::new();
    let mut problems = Problems::default();
    for r in rendered {
        match r {
            Ok(x) => ok.push(x),
            Err(p) => problems.push(p),
        }
    }
    if !problems.is_empty() {
        return CaseResult::Failed { id, problems };
    }
    if let Some(dir) = &opts.dump_data {
        for job in jobs {
            let path = dir.join(job.rel_path.replace(".pdf", ".json"));
            if let Err(e) = write_atomic(&path, &job.data) {
                let mut ctx = case.loaded.ctx();
                ctx.error(
                    &job.doc.field,
                    format!(
                        "无法写入模板数据 {}：{}",
                        path.display(),
                        crate::text::io_error(&e)
                    ),
                );
                problems.extend(ctx.problems);
            }
        }
    }
    let mut written = 0;
    for (entry, pdf) in &ok {
        match write_if_changed(&opts.out.join(&entry.path), pdf) {
            Ok(true) => written += 1,
            Ok(false) => {}
            Err(e) => {
                let mut ctx = case.loaded.ctx();
                ctx.error(
                    "",
                    format!("无法写入 {}：{}", entry.path, crate::text::io_error(&e)),
                );
                return CaseResult::Failed {
                    id,
                    problems: ctx.problems,
                };
            }
        }
    }
    remove_stale(
        &opts.out.join(&id),
        ok.iter().map(|(e, _)| e.path.as_str()).collect(),
    );
    CaseResult::Built {
        entries: ok.into_iter().map(|(e, _)| e).collect(),
        written,
        problems,
    }
}

fn render_job(
    renderer: &Renderer,
    job: &Job,
    numbers: &Numbers,
    cache: &crate::render_cache::RenderCache,
) -> Result<(FileEntry, Vec<u8>), Problem> {
    let id = job.case.loaded.case.id();
    let request = RenderRequest {
        template: job.doc.kind.id(),
        data: job.data.clone(),
        ident: format!("{id}/{}", job.doc.key()),
        date: job.date,
    };
    match cache.render(renderer, &request, &job.rel_path) {
        Ok(r) => Ok((
            FileEntry {
                path: job.rel_path.clone(),
                case: id.to_string(),
                document: job.doc.kind.id().to_string(),
                title: job.doc.title.clone(),
                no: numbers.get(&(id.to_string(), job.doc.key())).cloned(),
                date: job.doc.date,
                pages: r.pages,
                sha256: sha256_hex(&r.pdf),
                sm3: crate::output::sm3_hex(&r.pdf),
            },
            r.pdf,
        )),
        Err(e) => {
            let pos = job.case.loaded.positions.find(&job.doc.field);
            Err(Problem {
                file: job.case.loaded.file.clone(),
                line: pos.line,
                column: pos.column,
                field: job.doc.field.clone(),
                severity: Severity::Error,
                message: format!("生成{}失败：{e}", job.doc.title),
            })
        }
    }
}

/// Removes PDFs a case no longer produces (a document taken out of its YAML).
fn remove_stale(dir: &Path, keep: BTreeSet<&str>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let rel = format!(
            "{}/{name}",
            dir.file_name().unwrap_or_default().to_string_lossy()
        );
        if name.ends_with(".pdf") && !keep.contains(rel.as_str()) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// A progress bar on the terminal (hidden otherwise): `what` is being made, counted in `unit`.
pub(crate) fn progress_bar(enabled: bool, total: u64, what: &str, unit: &str) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    let template = format!(
        "{{spinner}} {what} [{{bar:30}}] {{pos}}/{{len}} {unit}  已用 {{elapsed}}  剩余约 {{eta}}"
    );
    bar.set_style(
        ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

/// Everything a template may print, as JSON (see `docs/templates.md`).
pub fn document_data(
    settings: &Settings,
    case: &CheckedCase,
    doc: &DocSpec,
    numbers: &Numbers,
) -> Value {
    let id = case.loaded.case.id();
    let case_json = case.loaded.case.to_json();
    let case_numbers: BTreeMap<String, String> = case
        .docs
        .iter()
        .filter_map(|d| {
            numbers
                .get(&(id.to_string(), d.key()))
                .map(|n| (d.key(), n.clone()))
        })
        .collect();
    let item = entry_of(&case_json, &doc.field);
    let served = (doc.kind == DocKind::ServiceReceipt)
        .then(|| served_document(case, doc, &case_numbers))
        .flatten();
    let deadlines = deadlines_for(case, doc);
    // The same dates by the field they are about (`measures[0].lifted`): a kind repeated per
    // measure has one each.
    let periods: BTreeMap<&str, NaiveDate> = case
        .deadlines
        .iter()
        .map(|d| (d.field.as_str(), d.due))
        .collect();
    json!({
        "doc": {
            "kind": doc.kind.id(),
            "title": doc.kind.title(),
            "no": case_numbers.get(&doc.key()),
            "date": doc.date,
            "case_id": id,
            "index": doc.index,
            "security": case.loaded.case.security(),
        },
        "item": item,
        "served": served,
        "case": case_json,
        "numbers": case_numbers,
        "deadlines": deadlines,
        "periods": periods,
        "law": law::citations_for(&act_of(case, doc), settings),
        "authority": settings.authority,
        "superior": settings.superior,
        "remedies": settings.remedies,
    })
}

/// Due dates by document kind as one document should print them: where a kind has a deadline
/// per entry (each measure's own period), the one of this document's entry wins over the others.
fn deadlines_for<'a>(case: &'a CheckedCase, doc: &DocSpec) -> BTreeMap<&'a str, NaiveDate> {
    let own_prefix = format!("{}.", doc.field);
    let is_own = |field: &str| field == doc.field || field.starts_with(&own_prefix);
    let mut deadlines: BTreeMap<&str, NaiveDate> = BTreeMap::new();
    for d in case.deadlines.iter().filter(|d| !is_own(&d.field)) {
        deadlines.insert(d.document.id(), d.due);
    }
    for d in case.deadlines.iter().filter(|d| is_own(&d.field)) {
        deadlines.insert(d.document.id(), d.due);
    }
    deadlines
}

/// What the citations of a document depend on: its date, an urgent measure, how it is served.
fn act_of(case: &CheckedCase, doc: &DocSpec) -> law::Act {
    let c = &case.loaded.case;
    let urgent = matches!(c, crate::case::Case::Enforcement(e) if e.approval.urgent);
    let service = (doc.kind == DocKind::ServiceReceipt)
        .then(|| {
            doc.index
                .and_then(|i| c.services().get(i))
                .map(|s| s.method)
        })
        .flatten();
    law::Act {
        date: doc.date,
        urgent,
        service,
    }
}

/// `measures[1]` → that entry of the case JSON.
fn entry_of(case_json: &Value, field: &str) -> Value {
    let Some((name, rest)) = field.split_once('[') else {
        return Value::Null;
    };
    // `measures[1]` and `measures[1].lifted` both give the measure.
    let Some(index) = rest
        .split_once(']')
        .and_then(|(i, _)| i.parse::<usize>().ok())
    else {
        return Value::Null;
    };
    case_json
        .get(name)
        .and_then(|v| v.get(index))
        .cloned()
        .unwrap_or(Value::Null)
}

/// What a service receipt serves: the document's title, its 文号 (all of them when a repeated
/// kind is served together), and date.
fn served_document(
    case: &CheckedCase,
    doc: &DocSpec,
    numbers: &BTreeMap<String, String>,
) -> Option<Value> {
    let service = case.loaded.case.services().get(doc.index?)?;
    let served: Vec<&DocSpec> = case
        .docs
        .iter()
        .filter(|d| {
            d.kind.id() == service.document.as_str()
                && (service.index.is_none() || d.index == service.index)
        })
        .collect();
    let first = served.first()?;
    Some(json!({
        "kind": first.kind.id(),
        "title": first.kind.title(),
        "nos": served.iter().filter_map(|d| numbers.get(&d.key())).collect::<Vec<_>>(),
        "date": first.date,
    }))
}
