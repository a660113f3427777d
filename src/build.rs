//! `anjuan build`: checked cases → 文号 → document data → PDFs → volumes → catalogues →
//! transfer package, as [`Stage`]s over one [`BuildContext`] (see `stage`). A case with errors
//! gets no documents and never stops the others; every file is written under a temporary name
//! and renamed, and rewritten only when its bytes change.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::cache::{BuildCache, Digests, Made};
use crate::documents::DocSpec;
use crate::ledger::Ledger;
use crate::manifest::{self, FileEntry, Manifest};
use crate::numbering::{self, Numbers};
use crate::output::write_atomic;
use crate::problems::{Problem, Problems, Severity};
use crate::project::{CaseEntry, CaseFacts, CheckedCase, Project};
use crate::records::{CaseRecord, Records, Stood};
use crate::render::{RenderRequest, Renderer, batch};
use crate::settings::Settings;
use crate::stage::{BuildContext, Stage, progress_bar, release};
pub use crate::stage::{BuildError, BuildOptions, BuildReport, WhenBusy};
pub use crate::template_data::document_data;

/// The stages of a build, in the order they run.
fn stages() -> [&'static dyn Stage; 5] {
    [
        &CaseDocuments,
        &crate::letters::Letters,
        &crate::archive::Volumes,
        &crate::catalog::Catalogues,
        &crate::archive::transfer::TransferPackage,
    ]
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
    let mut timing = crate::memstat::Stages::from_env();
    let checked = project.check_light(opts.today);
    let mut cx = open(project, renderer, opts, checked)?;
    forget_vanished_cases(&mut cx);
    timing.done("核对");
    let previous_paths = cx.previous.paths();
    // The stages take the last build's sections as they go: what they were is kept as a digest
    // (the transfer package's section is not among them: its stage keeps it apart).
    let previous_sections = cx.previous.digest();
    for stage in stages() {
        stage.run(&mut cx)?;
        timing.done(stage.name());
    }
    close(&mut cx, &previous_paths, previous_sections)?;
    timing.done("清单和签名");
    let mut report = std::mem::take(&mut cx.report);
    report.cases_failed = std::mem::take(&mut cx.failed).into_iter().collect();
    report.problems = std::mem::take(&mut cx.problems);
    report.elapsed = started.elapsed();
    report.files_written = crate::output::files_written() - written_before;
    Ok(report)
}

/// The context of a build: the cases numbered from the ledger, those lacking a template
/// failed, the last build's manifest and cache.
fn open<'a>(
    project: &'a Project,
    renderer: &'a Renderer,
    opts: &'a BuildOptions,
    checked: crate::project::Checked,
) -> Result<BuildContext<'a>, BuildError> {
    let mut problems = checked.problems.clone();
    let mut failed: BTreeSet<String> = checked.failed.iter().cloned().collect();
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
    let sources = build_sources(project, renderer);
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
            failed.insert(c.loaded.id().to_string());
            false
        })
        .collect();
    // From here on a case is held light, its model let go: a stage makes it whole again for
    // the chunk it works on.
    let cases: Arc<[CaseEntry]> = cases
        .par_iter()
        .map(|c| {
            let facts = facts_of(&project.root, c);
            CaseEntry {
                loaded: c.loaded.clone(),
                docs: c.docs.len(),
                filed: facts.filed,
                sources: case_sources(&sources, &numbers, &facts, c),
            }
        })
        .collect::<Vec<_>>()
        .into();
    drop(checked);
    for c in &project.cases {
        c.release();
    }
    crate::memstat::release_free();
    std::fs::create_dir_all(&opts.out).map_err(|e| BuildError::Output(opts.out.clone(), e))?;
    let records = Records::open(&opts.out)
        .map_err(|e| BuildError::Output(opts.out.join(crate::records::DIR), e))?;
    let cache = BuildCache::load(&opts.out);
    let previous = cache
        .recorded(manifest::FILE_NAME)
        .and_then(|d| Manifest::kept_sections(&opts.out, &d.sha256))
        .or_else(|| Manifest::load_sections(&opts.out))
        .unwrap_or_default();
    Ok(BuildContext {
        project,
        renderer,
        opts,
        cache,
        records,
        previous,
        sources,
        unchanged: Default::default(),
        stale: Vec::new(),
        transfer_changed: false,
        manifest: Manifest::default(),
        volumes: Vec::new(),
        problems,
        cases,
        numbers,
        failed,
        report: BuildReport::default(),
    })
}

/// The build's records once every stage ran: the records of cases no longer in the cases root
/// dropped, the manifest written from the records and the stages' sections, the cache saved,
/// outputs no longer made removed, then the signature and the build log over the final manifest.
fn close(
    cx: &mut BuildContext,
    previous_paths: &BTreeSet<String>,
    previous_sections: [u8; 32],
) -> Result<(), BuildError> {
    let out = &cx.opts.out;
    let ids = cx.records.ids();
    let records = &cx.records;
    // The sections the build holds whole; the volumes are an index, their entries written from
    // the records.
    let volumes = std::mem::take(&mut cx.volumes);
    let sections = std::mem::take(&mut cx.manifest);
    // Nothing listed changed (no record written, the other sections as before) and the file is
    // the one the last build wrote: it stands, unread and unwritten.
    let stands = !cx.records.changed()
        && cx.stale.is_empty()
        && !cx.transfer_changed
        && sections.digest() == previous_sections
        && cx.cache.as_last_recorded(manifest::FILE_NAME);
    if !stands {
        let digests = sections
            .save_streamed(
                out,
                |w| records.write_files(&ids, w),
                |w| crate::archive::transfer::write_listed_section(out, w),
                (!volumes.is_empty())
                    .then_some(|w: &mut dyn std::io::Write| records.write_volumes(&volumes, w)),
            )
            .map_err(|e| BuildError::Output(out.join(manifest::FILE_NAME), e))?;
        cx.cache.record(manifest::FILE_NAME, &digests);
    }
    if let Some(d) = cx.cache.digests(manifest::FILE_NAME) {
        sections
            .keep_sections(out, &d.sha256)
            .map_err(|e| BuildError::Output(out.join(".anjuan-cache"), e))?;
    }
    cx.manifest = sections;
    // The signature is the seal's: made again with the manifest, or standing with it.
    let signature = format!("{}{}", manifest::FILE_NAME, crate::signing::SIG_SUFFIX);
    let stood = stands.then(|| crate::buildlog::Stood {
        sm3: cx
            .cache
            .digests(manifest::FILE_NAME)
            .map(|d| d.sm3)
            .unwrap_or_default(),
        signature_as_recorded: cx.cache.as_last_recorded(&signature),
    });
    // Outputs no longer made, all in one place: what the cases made again no longer have, and
    // what the last build listed or made outside the cases that this one neither made nor kept.
    let listed = cx.manifest.paths();
    let mut stale: BTreeSet<String> = previous_paths.difference(&listed).cloned().collect();
    stale.extend(std::mem::take(&mut cx.stale));
    let mut gone: BTreeSet<String> = cx
        .cache
        .no_longer_made()
        .into_iter()
        .filter(|p| !listed.contains(p) && *p != signature)
        .collect();
    // A volume or 件 file the records still list stays: the records are read only when the cache
    // has such a file to give up (the volumes' records travel with their cases, not the index).
    let below_volumes = format!("{}/", crate::archive::VOLUMES_DIR);
    if gone.iter().any(|p| p.starts_with(&below_volumes)) {
        for v in records.entries(&volumes).flatten() {
            gone.remove(&v.path);
            for it in &v.items {
                if let Some(f) = &it.file {
                    gone.remove(f);
                }
            }
        }
    }
    stale.extend(gone);
    crate::output::remove_outputs(out, &stale);
    cx.problems.extend(crate::buildlog::seal_known(
        &cx.project.settings,
        &cx.project.root,
        out,
        stood,
    ));
    if out.join(&signature).is_file() {
        // Its stamp, so that the next build knows it unread.
        let _ = cx.cache.digests(&signature);
    }
    cx.cache
        .save()
        .map_err(|e| BuildError::Output(out.join(crate::cache::FILE_NAME), e))?;
    Ok(())
}

/// A case with a record that is no longer in the cases root (and not merely unread by a build of
/// one case file, nor failed): its outputs go.
fn forget_vanished_cases(cx: &mut BuildContext) {
    let present: BTreeSet<&str> = cx.project.cases.iter().map(|c| c.id()).collect();
    for id in cx.records.ids() {
        if present.contains(id.as_str()) || cx.stands(&id) {
            continue;
        }
        let Some(r) = cx.records.load(&id) else {
            cx.records.remove(&id);
            continue;
        };
        if !r.file.is_empty() && cx.failed.contains(&r.file) {
            // Its file is there but cannot be read as a case now: its outputs stand.
            continue;
        }
        cx.stale.extend(r.paths().into_iter().map(String::from));
        cx.records.remove(&id);
    }
}

/// Every case's documents, rendered a chunk of cases at a time.
pub struct CaseDocuments;

impl Stage for CaseDocuments {
    fn name(&self) -> &'static str {
        "文书"
    }

    fn run(&self, cx: &mut BuildContext) -> Result<(), BuildError> {
        let opts = cx.opts;
        let cases = cx.cases.clone();
        let total: usize = cases.iter().map(|c| c.docs).sum();
        let bar = progress_bar(opts.progress, total as u64, "生成文书", "份");
        // Whole cases a chunk at a time: a case is written only once all its documents
        // rendered, and its record once its documents are written.
        for window in cases.chunks(CHECKED_AT_ONCE) {
            // Which cases are unchanged, their records read and their files' stamps looked at
            // in parallel.
            let (records, cache) = (&cx.records, &cx.cache);
            let dumping = opts.dump_data.is_some();
            let checked: Vec<(CaseRecord, Option<Option<Stood>>)> = window
                .par_iter()
                .map(|c| {
                    let record = records.load(c.loaded.id()).unwrap_or_default();
                    if !dumping && let Some(stood) = stands_as_recorded(cache, &record, &c.sources)
                    {
                        return (record, Some(stood));
                    }
                    cache.adopt(record.cache.clone());
                    if dumping || !still_made_from(cache, &record, &c.sources) {
                        return (record, None);
                    }
                    let stood = crate::archive::stood(cache, &record);
                    cache.take(record.paths());
                    (record, Some(stood))
                })
                .collect();
            let mut todo: Vec<(&CaseEntry, CaseRecord)> = Vec::new();
            for (c, (record, stood)) in window.iter().zip(checked) {
                let Some(stood) = stood else {
                    let sources = c.sources.clone();
                    todo.push((c, CaseRecord { sources, ..record }));
                    continue;
                };
                // Nothing to make, nothing to write: its record stands as it is.
                cx.report.cases_built += 1;
                cx.report.documents += record.files.len();
                cx.report.pages += record.files.iter().map(|f| f.pages).sum::<usize>();
                cx.unchanged.insert(c.loaded.id().to_string(), stood);
                bar.inc(c.docs as u64);
            }
            for group in case_chunks(todo, batch::CHUNK) {
                self.render_group(cx, group, &bar)?;
            }
        }
        bar.finish_and_clear();
        Ok(())
    }
}

impl CaseDocuments {
    /// Renders a chunk of cases whole and writes their documents and records; `group` holds
    /// each case with its record as the last build left it.
    fn render_group(
        &self,
        cx: &mut BuildContext,
        group: Vec<(&CaseEntry, CaseRecord)>,
        bar: &indicatif::ProgressBar,
    ) -> Result<(), BuildError> {
        let (project, renderer, opts) = (cx.project, cx.renderer, cx.opts);
        let (todo, before): (Vec<&CaseEntry>, Vec<CaseRecord>) = group.into_iter().unzip();
        let whole = cx.materialise(&todo);
        let group: Vec<&CheckedCase> = whole.iter().collect();
        let per_case: Vec<Vec<Job>> = group
            .iter()
            .map(|c| jobs_of(&project.settings, c, &cx.numbers))
            .collect();
        let flat: Vec<&Job> = per_case.iter().flatten().collect();
        let mut rendered = batch::parallel(&flat, batch::threads(), |job| {
            let r = render_job(renderer, job, &cx.numbers, &cx.cache);
            bar.inc(1);
            r
        })
        .into_iter();
        drop(flat);
        for ((case, jobs), before) in group.iter().zip(&per_case).zip(before) {
            let own: Vec<_> = rendered.by_ref().take(jobs.len()).collect();
            match finish_case(case, jobs, own, opts, &cx.cache) {
                CaseResult::Built {
                    entries,
                    written,
                    problems: p,
                } => {
                    cx.problems.extend(p);
                    cx.report.cases_built += 1;
                    cx.report.documents += entries.len();
                    cx.report.pages += entries.iter().map(|e| e.pages).sum::<usize>();
                    cx.report.written += written;
                    record_documents(cx, case, entries, before)?;
                }
                CaseResult::Failed { id, problems: p } => {
                    // Its last good outputs stand, its record untouched.
                    cx.cache.forget(before.paths());
                    cx.failed.insert(id);
                    cx.problems.extend(p);
                }
            }
        }
        drop(group);
        release(whole);
        typst::comemo::evict(0);
        crate::memstat::release_free();
        Ok(())
    }
}

/// Digest of everything a case's outputs are made from: the build's sources (anjuan, templates,
/// fonts, settings, calendar), the case file, the 文号 it was given and its scanned originals as
/// they are on disk.
fn case_sources(
    build_sources: &str,
    numbers: &Numbers,
    facts: &CaseFacts,
    case: &CheckedCase,
) -> String {
    let id = case.loaded.id();
    let mut key = format!("{build_sources}\n{}\n", case.loaded.digest);
    for d in &case.docs {
        if let Some(no) = numbers.get(id, &d.key()) {
            key.push_str(&format!("{}={no}\n", d.key()));
        }
    }
    key.push_str(&facts.attachments);
    crate::output::sha256_hex(key.as_bytes())
}

/// What the build keeps of a case's model: as the light check took it, else from the model.
fn facts_of<'c>(root: &std::path::Path, c: &'c CheckedCase) -> std::borrow::Cow<'c, CaseFacts> {
    match &c.facts {
        Some(f) => std::borrow::Cow::Borrowed(f),
        None => {
            let dir = c.loaded.path.parent().unwrap_or(root);
            std::borrow::Cow::Owned(CaseFacts::of(&c.loaded.case(), root, dir))
        }
    }
}

/// What 立卷 needs of a case whose outputs (documents, volumes, 件) were all made from `sources`
/// and are all there as its record says, known from the record alone (none when it has no
/// volume): a no-op build looks at its cases this way, without taking their records into the
/// shared cache. Anything else (a file touched, a volume to make) goes the long way round.
fn stands_as_recorded(
    cache: &BuildCache,
    record: &CaseRecord,
    sources: &str,
) -> Option<Option<Stood>> {
    let holds = |rel: &str, sha256: &str| cache.holds_as_recorded(&record.cache, rel, sha256);
    if !made_from_by(record, sources, holds) {
        return None;
    }
    if record.volumes.is_empty() {
        return Some(None);
    }
    crate::archive::stood_by(record, holds).map(Some)
}

/// Whether the case's outputs as recorded were made from `sources` and are all still there as
/// made (known from their stamps, not read).
fn still_made_from(cache: &BuildCache, record: &CaseRecord, sources: &str) -> bool {
    made_from_by(record, sources, |rel, sha256| cache.holds(rel, sha256))
}

/// [`still_made_from`] with whether a file holds what it should told by `holds(path, sha256)`.
fn made_from_by(record: &CaseRecord, sources: &str, holds: impl Fn(&str, &str) -> bool) -> bool {
    record.sources == sources
        && !record.files.is_empty()
        && record.files.iter().all(|f| holds(&f.path, &f.sha256))
}

/// Digest of what every case's outputs are made from besides the case itself. The program's
/// own file is in it: an anjuan built anew may print differently under the same version.
fn build_sources(project: &Project, renderer: &Renderer) -> String {
    let program = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::metadata(p).ok())
        .map(|m| (m.len(), m.modified().ok()));
    let settings = serde_json::to_string(&project.settings).unwrap_or_default();
    crate::output::sha256_hex(
        format!(
            "{}\n{settings}\n{}\n{program:?}",
            renderer.fingerprint(),
            project.calendar.digest()
        )
        .as_bytes(),
    )
}

/// Writes a case's record with the documents it has now. Its volumes are carried over for 立卷
/// to make again or keep (none without an `archive` block); the documents it no longer has are
/// noted for removal.
fn record_documents(
    cx: &mut BuildContext,
    case: &CheckedCase,
    files: Vec<FileEntry>,
    before: CaseRecord,
) -> Result<(), BuildError> {
    let before_paths: Vec<String> = before.paths().into_iter().map(String::from).collect();
    let keeps_volumes =
        cx.project.settings.archive.is_some() && case.loaded.case().archive().is_some();
    let record = CaseRecord {
        file: case.loaded.file.clone(),
        files,
        volumes: if keeps_volumes {
            before.volumes
        } else {
            Vec::new()
        },
        sources: before.sources,
        ..CaseRecord::default()
    };
    cx.write_record(case.loaded.id(), before_paths, record)
}

/// A document's manifest entry, and its bytes when it was rendered (none: the last build's file
/// stands).
type RenderedDoc = (FileEntry, Option<Vec<u8>>);

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

/// Cases whose records are read and looked at together, in parallel, to find the unchanged.
const CHECKED_AT_ONCE: usize = 256;

/// Cases (with their records) grouped so that each group has at least `min_docs` documents
/// (the last may have fewer).
fn case_chunks(
    cases: Vec<(&CaseEntry, CaseRecord)>,
    min_docs: usize,
) -> Vec<Vec<(&CaseEntry, CaseRecord)>> {
    let mut groups: Vec<Vec<(&CaseEntry, CaseRecord)>> = Vec::new();
    let mut docs = 0;
    for c in cases {
        if groups.is_empty() || docs >= min_docs {
            groups.push(Vec::new());
            docs = 0;
        }
        docs += c.0.docs;
        groups.last_mut().expect("a group").push(c);
    }
    groups
}

/// The documents of a case to render, with their data.
fn jobs_of<'a>(settings: &Settings, case: &'a CheckedCase, numbers: &Numbers) -> Vec<Job<'a>> {
    let id = case.loaded.id();
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
    rendered: Vec<Result<RenderedDoc, Problem>>,
    opts: &BuildOptions,
    cache: &BuildCache,
) -> CaseResult {
    let id = case.loaded.id().to_string();
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
        let Some(pdf) = pdf else { continue };
        match cache.write_known(&entry.path, pdf, &entry.digests()) {
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
    CaseResult::Built {
        entries: ok.into_iter().map(|(e, _)| e).collect(),
        written,
        problems,
    }
}

/// Renders a document, or takes the last build's file when nothing it is made from changed
/// (then no bytes: the file stands as it is).
fn render_job(
    renderer: &Renderer,
    job: &Job,
    numbers: &Numbers,
    cache: &BuildCache,
) -> Result<RenderedDoc, Problem> {
    let id = job.case.loaded.id();
    let request = RenderRequest {
        template: job.doc.kind.id(),
        data: job.data.clone(),
        ident: format!("{id}/{}", job.doc.key()),
        date: job.date,
    };
    let inputs = renderer.inputs_digest(&request);
    let entry = |pages: usize, d: Digests| FileEntry {
        path: job.rel_path.clone(),
        case: id.to_string(),
        document: job.doc.kind.id().to_string(),
        title: job.doc.title.clone(),
        no: numbers.get(id, &job.doc.key()).map(str::to_string),
        date: job.doc.date,
        pages,
        sha256: d.sha256,
        sm3: d.sm3,
    };
    if let Some((d, pages)) = cache.reusable(&job.rel_path, &inputs) {
        return Ok((entry(pages, d), None));
    }
    match renderer.render(&request) {
        Ok(r) => {
            let (d, mid) = Digests::with_midstate(&r.pdf);
            let made = Made {
                inputs,
                pages: r.pages,
                sha256: d.sha256.clone(),
                mid: Some(mid),
            };
            cache.made(&job.rel_path, made);
            Ok((entry(r.pages, d), Some(r.pdf)))
        }
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
