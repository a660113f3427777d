//! 立卷归档: one volume (or several, split at `archive.max_pages`) per case with an `archive`
//! block — cover, 卷内文件目录, the documents in procedural order with the scanned originals
//! after the document each names, 备考表 — 页号 stamped on every content page, bookmarks and
//! page labels agreeing with the stamps. 档号 serials come from the cases root's ledger.

pub use crate::pdf;
pub mod transfer;
pub mod verify;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use serde_json::json;

use crate::cache::BuildCache;
use crate::case::validate::resolve_attachment;
use crate::documents::DocKind;
use crate::ledger::Ledger;
use crate::manifest::{ArchiveCodes, FileEntry};
pub use crate::manifest::{ItemRow, Served, VolumeEntry, item_code};
use crate::output::sha256_hex;
use crate::problems::Problems;
use crate::project::{CaseEntry, CheckedCase};
use crate::records::{CaseRecord, Stood, VolumeKey};
use crate::render::{RenderRequest, Renderer};
use crate::settings::{ArchiveSettings, Settings};
use crate::stage::{BuildContext, BuildError, Stage};

/// Where volumes are written, below the output folder.
pub const VOLUMES_DIR: &str = "volumes";

/// Bumped when what a volume holds changes shape (its XMP identity, the item files), so volumes
/// of an older anjuan are made again.
const VOLUME_FORMAT: &str = "volume-format 2: XMP identity, item files";

/// A content item before rendering: where its PDF comes from.
struct Item {
    row: ItemRow,
    source: Source,
}

enum Source {
    /// A document of this build (its path below the output folder, as the cache knows it),
    /// with the SHA-256 the build recorded for it.
    Document(String, String),
    Pdf(PathBuf),
    Image(PathBuf),
}

/// Volumes assembled between two clearings of typst's memo cache.
const VOLUMES_PER_CHUNK: usize = 8;

/// Cases whose records are held at once while their volumes are made.
const CASES_PER_CHUNK: usize = 64;

/// A volume planned: its items and code.
struct Plan<'a> {
    case: &'a CheckedCase,
    code: String,
    year: i32,
    volume: usize,
    volumes: usize,
    items: Vec<Item>,
}

/// What the archive stage works with: the settings, the renderer, the cases root (whose ledger
/// gives the serials) and the output folder.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    pub settings: &'a Settings,
    pub renderer: &'a Renderer,
    pub root: &'a Path,
    pub out: &'a Path,
    /// Knows the outputs of the last build: unchanged ones are neither made nor read again.
    pub cache: &'a BuildCache,
}

/// 立卷: the volumes of the cases built (a case whose outputs stand keeps its last volumes),
/// recorded with each case (see `records`), with the 档号 settings (`archive`) `verify` checks
/// them against. The cases are worked through a chunk at a time: their records are read, their
/// volumes made, their records written back, and nothing of them is held after.
pub struct Volumes;

impl Stage for Volumes {
    fn name(&self) -> &'static str {
        "立卷"
    }

    fn run(&self, cx: &mut BuildContext) -> Result<(), BuildError> {
        let project = cx.project;
        let cases = cx.cases.clone();
        // The index of every recorded volume: those of the cases worked on here are known as
        // they are kept or made; only the records of other cases (failed now, or not read by
        // this build) are read for theirs.
        let mut volumes: Vec<VolumeKey> = Vec::new();
        let mut known: HashSet<&str> = cases
            .iter()
            .map(|c| c.loaded.id())
            .filter(|id| !cx.failed.contains(*id))
            .collect();
        if let Some(arch) = project.settings.archive.as_ref() {
            let failed = &cx.failed;
            let mut ordered: Vec<&CaseEntry> = cases
                .iter()
                .filter(|c| c.filed.is_some() && !failed.contains(c.loaded.id()))
                .collect();
            // Serials go out in filing order, so a case added later never moves anybody.
            ordered.sort_by(|a, b| {
                (a.filed.map(|f| f.0), a.loaded.id()).cmp(&(b.filed.map(|f| f.0), b.loaded.id()))
            });
            let (codes, kept) = allocate_codes(cx, arch, &ordered);
            for id in &kept {
                if let Some(Some(stood)) = cx.unchanged.get_mut(id) {
                    volumes.append(&mut stood.keys);
                }
            }
            ordered.retain(|c| !kept.contains(c.loaded.id()));
            for chunk in ordered.chunks(CASES_PER_CHUNK) {
                let whole = cx.materialise(chunk);
                let refs: Vec<&CheckedCase> = whole.iter().collect();
                make_chunk(cx, arch, &refs, &codes, &mut volumes)?;
                drop(refs);
                crate::stage::release(whole);
            }
            // A failure in making them may have left a case's volumes as they were.
            known.retain(|id| !cx.failed.contains(*id));
        }
        for id in cx.records.ids() {
            if !known.contains(id.as_str())
                && let Some(r) = cx.records.load(&id)
            {
                volumes.extend(r.volumes.into_iter().map(VolumeKey::of));
            }
        }
        volumes.sort_by(|a, b| a.path.cmp(&b.path));
        // verify checks 档号 against the template without the cases root.
        cx.manifest.archive = cx
            .project
            .settings
            .archive
            .as_ref()
            .filter(|_| !volumes.is_empty())
            .map(|a| ArchiveCodes {
                code_template: a.code_template.to_string(),
                fonds_no: a.fonds_no.to_string(),
                category: a.category.to_string(),
                org_code: a.org_code.to_string(),
            });
        cx.volumes = volumes;
        Ok(())
    }
}

/// Each case's volumes' year and 档号, by case id.
type Codes = HashMap<String, (i32, Vec<String>)>;

/// The 档号 of each case's volumes, from the ledger in one update, by case id, and the cases whose
/// volumes stand as they are (the case unchanged, its volumes still under the 档号 the ledger
/// gives and still there as made). A case that cannot be planned gets none, and its problem is
/// recorded.
fn allocate_codes(
    cx: &mut BuildContext,
    arch: &ArchiveSettings,
    ordered: &[&CaseEntry],
) -> (Codes, std::collections::HashSet<String>) {
    let (settings, root, records) = (&cx.project.settings, &cx.project.root, &cx.records);
    let unchanged = &cx.unchanged;
    let whole_of = |entries: &[&CaseEntry]| cx.materialise(entries);
    let mut codes = HashMap::new();
    let mut kept = std::collections::HashSet::new();
    let mut problems = Problems::default();
    let planned = Ledger::update(
        root,
        || crate::ledger::say_busy(root),
        |ledger| {
            // Serials in filing order, the cases to plan made whole a chunk at a time.
            for chunk in ordered.chunks(CASES_PER_CHUNK) {
                let mut todo: Vec<(&CaseEntry, CaseRecord)> = Vec::new();
                for c in chunk {
                    let id = c.loaded.id();
                    if let Some(Some(stood)) = unchanged.get(id)
                        && codes_stand(arch, ledger, c, &stood.codes)
                    {
                        kept.insert(id.to_string());
                    } else {
                        todo.push((c, records.load(id).unwrap_or_default()));
                    }
                }
                let entries: Vec<&CaseEntry> = todo.iter().map(|(c, _)| *c).collect();
                let whole = whole_of(&entries);
                for ((c, record), case) in todo.iter().zip(&whole) {
                    let id = c.loaded.id();
                    let retention = c.filed.map(|f| f.1);
                    match items_of(settings, case, &record.files) {
                        Ok((items, year)) => {
                            let n = split(items, arch.max_pages.max(1)).len();
                            let given = (0..n)
                                .map(|i| allocate_code(arch, ledger, id, retention, year, i))
                                .collect();
                            codes.insert(id.to_string(), (year, given));
                        }
                        Err(message) => {
                            let mut ctx = c.loaded.ctx();
                            ctx.error("archive", message);
                            problems.extend(ctx.problems);
                        }
                    }
                }
                crate::stage::release(whole);
            }
        },
    );
    if let Err(e) = planned {
        // Serials not recorded are not given: no volume is made with them.
        codes.clear();
        let mut ctx = crate::case::Ctx::new(crate::ledger::FILE_NAME, "");
        ctx.error("", e.to_string());
        problems.extend(ctx.problems);
    }
    cx.problems.extend(problems);
    (codes, kept)
}

/// An unchanged case's volumes as its record lists them, if it has any and their files (volume
/// and 件) are all there as made (the record's cache records adopted).
pub fn stood(cache: &BuildCache, record: &CaseRecord) -> Option<Stood> {
    stood_by(record, |rel, sha256| cache.holds(rel, sha256))
}

/// [`stood`] with whether a file holds what it should told by `holds(path, sha256)`.
pub fn stood_by(record: &CaseRecord, holds: impl Fn(&str, &str) -> bool) -> Option<Stood> {
    let mut volumes: Vec<&VolumeEntry> = record.volumes.iter().collect();
    volumes.sort_by_key(|v| v.volume);
    let files_hold = !volumes.is_empty()
        && volumes.iter().all(|v| {
            holds(&v.path, &v.sha256)
                && v.items
                    .iter()
                    .all(|it| it.file.as_ref().is_none_or(|f| holds(f, &it.sha256)))
        });
    files_hold.then(|| Stood {
        codes: volumes
            .iter()
            .map(|v| (v.year, v.archive_code.clone()))
            .collect(),
        keys: volumes
            .iter()
            .map(|v| VolumeKey::of((*v).clone()))
            .collect(),
    })
}

/// Whether the ledger still gives an unchanged case's volumes their 档号.
fn codes_stand(
    arch: &ArchiveSettings,
    ledger: &mut Ledger,
    case: &CaseEntry,
    stood: &[(i32, String)],
) -> bool {
    let retention = case.filed.map(|f| f.1);
    let Some((year, _)) = stood.first() else {
        return false;
    };
    stood.iter().enumerate().all(|(i, (_, code))| {
        allocate_code(arch, ledger, case.loaded.id(), retention, *year, i) == *code
    })
}

/// Makes the volumes of a chunk of cases and writes their records: each case's volumes as made
/// now (none when they could not be made: the last ones are then removed), the volumes it no
/// longer has noted for removal.
fn make_chunk(
    cx: &mut BuildContext,
    arch: &ArchiveSettings,
    chunk: &[&CheckedCase],
    codes: &Codes,
    index: &mut Vec<VolumeKey>,
) -> Result<(), BuildError> {
    let env = Env {
        settings: &cx.project.settings,
        renderer: cx.renderer,
        root: &cx.project.root,
        out: &cx.opts.out,
        cache: &cx.cache,
    };
    let mut records: Vec<CaseRecord> = Vec::with_capacity(chunk.len());
    let mut plans: Vec<Plan> = Vec::new();
    let mut problems = Problems::default();
    for c in chunk {
        let id = c.loaded.id();
        let record = cx.records.load(id).unwrap_or_default();
        env.cache.adopt(record.cache.clone());
        if let Some((year, given)) = codes.get(id) {
            match items_of(env.settings, c, &record.files)
                .and_then(|(items, _)| plans_of(arch, c, items, *year, given))
            {
                Ok(p) => plans.extend(p),
                Err(message) => {
                    let mut ctx = c.loaded.ctx();
                    ctx.error("archive", message);
                    problems.extend(ctx.problems);
                }
            }
        }
        records.push(record);
    }
    let mut made: Vec<Result<VolumeEntry, (String, String)>> = Vec::with_capacity(plans.len());
    let before: HashMap<&str, &[VolumeEntry]> = chunk
        .iter()
        .zip(&records)
        .map(|(c, r)| (c.loaded.id(), &r.volumes[..]))
        .collect();
    crate::render::batch::in_chunks(
        &plans,
        VOLUMES_PER_CHUNK,
        crate::render::batch::threads(),
        |p| {
            let previous = before.get(p.case.loaded.id()).copied().unwrap_or(&[]);
            make_volume(arch, env.renderer, p, previous, env.out, env.cache)
        },
        |_, r| made.extend(r),
    );
    drop(before);
    drop(plans);
    let mut by_case: HashMap<String, Vec<VolumeEntry>> = HashMap::new();
    for r in made {
        match r {
            Ok(v) => by_case.entry(v.case.clone()).or_default().push(v),
            Err((case, message)) => {
                if let Some(c) = chunk.iter().find(|c| c.loaded.id() == case) {
                    let mut ctx = c.loaded.ctx();
                    ctx.error("archive", message);
                    problems.extend(ctx.problems);
                }
            }
        }
    }
    cx.problems.extend(problems);
    for (c, mut record) in chunk.iter().zip(records) {
        let id = c.loaded.id();
        let before: Vec<String> = record.paths().into_iter().map(String::from).collect();
        record.volumes = by_case.remove(id).unwrap_or_default();
        // A case missing one of its volumes (one failed) gets none: no partial set stands.
        if record.volumes.len() != codes.get(id).map_or(0, |(_, g)| g.len()) {
            record.volumes.clear();
        }
        index.extend(record.volumes.iter().cloned().map(VolumeKey::of));
        cx.write_record(id, before, record)?;
    }
    Ok(())
}

/// Formats a 档号 from the template.
pub fn format_code(
    template: &str,
    arch: &ArchiveSettings,
    year: i32,
    retention: &str,
    serial: u32,
) -> String {
    template
        .replace("{fonds_no}", &arch.fonds_no)
        .replace("{category}", &arch.category)
        .replace("{year}", &year.to_string())
        .replace("{retention}", retention)
        .replace("{org_code}", &arch.org_code)
        .replace("{serial:04}", &format!("{serial:04}"))
        .replace("{serial}", &serial.to_string())
}

/// A case's items in filing order (its documents, each followed by the scanned originals after
/// it), from the documents this build recorded, and the volume's year.
fn items_of(
    settings: &Settings,
    case: &CheckedCase,
    files: &[FileEntry],
) -> Result<(Vec<Item>, i32), String> {
    let by_path: HashMap<&str, &FileEntry> = files.iter().map(|f| (f.path.as_str(), f)).collect();
    let c = &case.loaded.case();
    let info = c.archive().ok_or("案件没有 archive 归档信息")?;
    let id = c.id();
    let bureau = settings.authority.name.to_string();
    let team = format!("{bureau}保密检查组");
    let case_dir = case
        .loaded
        .path
        .parent()
        .unwrap_or(&settings.root)
        .to_path_buf();
    let mut items: Vec<Item> = Vec::new();
    for (i, spec) in case.docs.iter().enumerate() {
        let path = crate::output::document_path(id, i, spec.kind.id());
        let entry = by_path
            .get(path.as_str())
            .ok_or_else(|| format!("文书 {path} 未生成，无法立卷"))?;
        // 责任者: who made the document — the 检查组 its register and reports, else the bureau.
        let author = match spec.kind {
            DocKind::InspectionRegister | DocKind::InspectionReport | DocKind::PersonnelReport => {
                &team
            }
            _ => &bureau,
        };
        let mut r = row(
            entry.no.clone(),
            author,
            &entry.title,
            entry.date,
            entry.pages,
            false,
        );
        r.document = Some(spec.kind.id().to_string());
        r.served = c
            .services()
            .iter()
            .filter(|s| {
                s.document.as_str() == spec.kind.id()
                    && (s.index.is_none() || s.index == spec.index)
            })
            .map(|s| Served {
                on: s.on,
                recipient: s.recipient.to_string(),
            })
            .collect();
        items.push(Item {
            row: r,
            source: Source::Document(entry.path.clone(), entry.sha256.clone()),
        });
        for a in c
            .attachments()
            .iter()
            .filter(|a| a.after.as_str() == spec.kind.id())
        {
            if crate::documents::find(&case.docs, &a.after, None).map(|d| d.key())
                != Some(spec.key())
            {
                continue;
            }
            let path = resolve_attachment(Path::new(a.file.as_str()), &settings.root, &case_dir)
                .ok_or_else(|| format!("找不到附件文件 {}", a.file))?;
            let ext = path
                .extension()
                .map(|e| e.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            let (source, pages) = match ext.as_str() {
                "pdf" => {
                    let bytes = std::fs::read(&path).map_err(|e| {
                        format!("无法读取附件 {}：{}", a.file, crate::text::io_error(&e))
                    })?;
                    let n = pdf::page_sizes(&bytes)
                        .map_err(|e| format!("附件 {}：{e}", a.file))?
                        .len();
                    (Source::Pdf(path), n)
                }
                "jpg" | "jpeg" | "png" => (Source::Image(path), 1),
                _ => {
                    return Err(format!(
                        "附件 {} 的格式不受支持（只能是 PDF、JPG 或 PNG）",
                        a.file
                    ));
                }
            };
            // A scan of the signed document it follows is that document's; an original the
            // unit or party supplied names them (`author`).
            let by = a.author.as_ref().map(|t| t.to_string());
            let mut r = row(
                None,
                by.as_deref().unwrap_or(author),
                &a.title,
                a.date,
                pages,
                true,
            );
            r.remarks = Some("原件扫描件".into());
            items.push(Item { row: r, source });
        }
    }
    // The year the files were formed: of the case's last document (archive.md, revision 2).
    let year = items
        .iter()
        .filter_map(|i| i.row.date)
        .max()
        .map_or(info.filed_on.year(), |d| d.year());
    Ok((items, year))
}

/// The 档号 of a case's `i`-th volume from the ledger (the one it already has, or the next).
fn allocate_code(
    arch: &ArchiveSettings,
    ledger: &mut Ledger,
    id: &str,
    retention: Option<crate::case::Retention>,
    year: i32,
    i: usize,
) -> String {
    let Some(retention) = retention else {
        return String::new();
    };
    let sequence = format!("archive/{year}/{}", retention.code());
    let owner = if i == 0 {
        id.to_string()
    } else {
        format!("{id}/卷{}", i + 1)
    };
    ledger
        .allocate(&sequence, &owner, |s| {
            format_code(&arch.code_template, arch, year, retention.code(), s)
        })
        .value
}

/// A case's volumes: its items split at `archive.max_pages`, numbered with the 档号 given.
fn plans_of<'a>(
    arch: &ArchiveSettings,
    case: &'a CheckedCase,
    items: Vec<Item>,
    year: i32,
    codes: &[String],
) -> Result<Vec<Plan<'a>>, String> {
    let groups = split(items, arch.max_pages.max(1));
    let n = groups.len();
    if n != codes.len() {
        return Err("案件的文书在生成过程中发生变化，请重新生成".into());
    }
    let mut plans = Vec::new();
    for (i, (mut items, code)) in groups.into_iter().zip(codes).enumerate() {
        let mut page = 1;
        for (k, it) in items.iter_mut().enumerate() {
            it.row.seq = k + 1;
            it.row.code = item_code(code, k + 1);
            it.row.start = page;
            it.row.end = page + it.row.pages - 1;
            page += it.row.pages;
        }
        plans.push(Plan {
            case,
            code: code.clone(),
            year,
            volume: i + 1,
            volumes: n,
            items,
        });
    }
    Ok(plans)
}

fn row(
    no: Option<String>,
    author: &str,
    title: &str,
    date: Option<NaiveDate>,
    pages: usize,
    scanned: bool,
) -> ItemRow {
    ItemRow {
        seq: 0,
        code: String::new(),
        document: None,
        no,
        author: author.into(),
        title: title.into(),
        date,
        start: 0,
        end: 0,
        pages: pages.max(1),
        scanned,
        remarks: None,
        file: None,
        sha256: String::new(),
        sm3: String::new(),
        size: 0,
        served: Vec::new(),
    }
}

/// Splits at document boundaries (a scanned original stays with its document) once a volume
/// would exceed `max` numbered pages.
fn split(items: Vec<Item>, max: usize) -> Vec<Vec<Item>> {
    let mut groups: Vec<Vec<Item>> = vec![Vec::new()];
    let mut pages = 0;
    for it in items {
        let last = groups.last_mut().expect("one group");
        if !it.row.scanned && !last.is_empty() && pages + it.row.pages > max {
            groups.push(Vec::new());
            pages = 0;
        }
        pages += it.row.pages;
        groups.last_mut().expect("one group").push(it);
    }
    groups
}

fn extension(p: &Path) -> String {
    p.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

fn date8(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y%m%d").to_string())
        .unwrap_or_default()
}

fn make_volume(
    arch: &ArchiveSettings,
    renderer: &Renderer,
    plan: &Plan,
    previous: &[VolumeEntry],
    out: &Path,
    cache: &BuildCache,
) -> Result<VolumeEntry, (String, String)> {
    let c = &plan.case.loaded.case();
    let id = c.id().to_string();
    let fail = |m: String| (id.clone(), m);
    let info = c
        .archive()
        .ok_or_else(|| fail("案件没有 archive 归档信息".into()))?;
    let mut rows: Vec<ItemRow> = plan.items.iter().map(|i| i.row.clone()).collect();
    let start_date = rows.iter().filter_map(|r| r.date).min();
    let end_date = rows.iter().filter_map(|r| r.date).max();
    let content_pages: usize = rows.iter().map(|r| r.pages).sum();
    let path = format!("{VOLUMES_DIR}/{}.pdf", plan.code);
    let title = c.title().to_string();
    let pdf_title = format!("{} {}", plan.code, title);
    let keywords = vec![
        plan.code.clone(),
        format!("起止日期：{}-{}", date8(start_date), date8(end_date)),
        id.clone(),
    ];

    // Inputs first: an unchanged volume is neither rendered nor rewritten, and its documents
    // are not even read (the build recorded their digests). Scanned originals are read: they
    // come from the cases root, outside the build's knowledge.
    let mut source_digests: Vec<String> = Vec::with_capacity(plan.items.len());
    let mut originals: Vec<Option<Vec<u8>>> = Vec::with_capacity(plan.items.len());
    for it in &plan.items {
        match &it.source {
            Source::Document(_, sha256) => {
                source_digests.push(sha256.clone());
                originals.push(None);
            }
            Source::Pdf(p) | Source::Image(p) => {
                let bytes = std::fs::read(p).map_err(|e| {
                    fail(format!(
                        "无法读取《{}》：{}",
                        it.row.title,
                        crate::text::io_error(&e)
                    ))
                })?;
                source_digests.push(sha256_hex(&bytes));
                originals.push(Some(bytes));
            }
        }
    }
    // The volume's own pages' data; its stamps are added once the documents' pages are known.
    let mut frame_data = json!({
        "title": pdf_title, "keywords": keywords,
        "cover": {
            "fonds_name": arch.fonds_name.as_str(), "category_name": c.procedure_name(), "case_title": title,
            "start_date": date8(start_date), "end_date": date8(end_date), "retention": info.retention.label(),
            "items": rows.len(), "pages": content_pages, "code": plan.code, "volume": plan.volume, "volumes": plan.volumes,
        },
        "rows": rows.iter().enumerate().map(|(k, r)| json!({
            "seq": r.seq, "code": r.code, "no": r.no, "author": r.author, "title": r.title, "date8": date8(r.date),
            "pages": r.page_cell(k + 1 == rows.len()), "remarks": r.remarks,
        })).collect::<Vec<_>>(),
        "notes": {
            "code": plan.code,
            "description": description(plan, &rows, content_pages, info.remarks.as_deref()),
            "filer": arch.filer.as_deref(), "checker": arch.checker.as_deref(), "filed_on": info.filed_on,
        },
    });
    // Templates and fonts shape the volume too: the renderer's fingerprint covers them.
    let mut digest_input = format!(
        "{}\n{VOLUME_FORMAT}\n{frame_data}\n{}\n{:?}\n{}\n",
        renderer.fingerprint(),
        arch.duplex,
        info.classification,
        serde_json::to_string(&rows).unwrap_or_default(),
    );
    for d in &source_digests {
        digest_input.push_str(d);
        digest_input.push('\n');
    }
    let inputs = sha256_hex(digest_input.as_bytes());
    let unchanged = previous.iter().find(|v| {
        v.path == path
            && v.inputs == inputs
            && cache.holds(&path, &v.sha256)
            && v.items
                .iter()
                .all(|it| it.file.as_ref().is_some_and(|f| cache.holds(f, &it.sha256)))
    });
    if let Some(prev) = unchanged {
        return Ok(prev.clone());
    }

    let date = info.filed_on;
    let render = |template: &str, data: &serde_json::Value, extra: &[(String, Vec<u8>)]| {
        let req = RenderRequest {
            template,
            data: data.to_string().into_bytes(),
            ident: format!("{}/{template}", plan.code),
            date: Some(date),
        };
        renderer
            .render_with_files(&req, extra)
            .map(|r| r.pdf)
            .map_err(|e| fail(e.to_string()))
    };
    let classification = info.classification.as_ref().map(|s| s.to_string());
    let mut parts: Vec<lopdf::Document> = Vec::with_capacity(plan.items.len());
    for ((it, original), row) in plan.items.iter().zip(originals).zip(rows.iter_mut()) {
        // The 件's own file: a document says what it is in its XMP; an original stays as it was.
        let code = item_code(&plan.code, row.seq);
        let (ext, data, doc) = match (&it.source, original) {
            (Source::Document(rel, _), _) => {
                let bytes = std::fs::read(out.join(rel)).map_err(|e| {
                    fail(format!(
                        "无法读取《{}》：{}",
                        it.row.title,
                        crate::text::io_error(&e)
                    ))
                })?;
                let doc = lopdf::Document::load_mem(&bytes)
                    .map_err(|e| fail(format!("《{}》无法解析：{e}", row.title)))?;
                let id = pdf::Identity {
                    level: "件".into(),
                    code: code.clone(),
                    no: row.no.clone(),
                    title: row.title.clone(),
                    author: row.author.clone(),
                    date: date8(row.date),
                    classification: classification.clone(),
                    volume: Some(plan.code.clone()),
                };
                let pdf = pdf::identity_appended(&bytes, &doc, &id)
                    .map_err(|e| fail(format!("《{}》写入 XMP 元数据失败：{e}", row.title)))?;
                ("pdf".to_string(), pdf, doc)
            }
            (Source::Pdf(p), Some(bytes)) => {
                let doc = lopdf::Document::load_mem(&bytes)
                    .map_err(|e| fail(format!("附件《{}》无法解析：{e}", row.title)))?;
                (extension(p), bytes, doc)
            }
            (Source::Image(p), Some(bytes)) => {
                let ext = extension(p);
                let file = format!("/attachment.{ext}");
                let page = render(
                    "archive_image",
                    &json!({"title": it.row.title, "file": file}),
                    &[(file.clone(), bytes.clone())],
                )?;
                let doc = lopdf::Document::load_mem(&page)
                    .map_err(|e| fail(format!("附件《{}》无法排版：{e}", row.title)))?;
                (ext, bytes, doc)
            }
            (_, None) => return Err(fail(format!("无法读取《{}》", it.row.title))),
        };
        let rel = format!("{VOLUMES_DIR}/{}/{code}.{ext}", plan.code);
        // A document's 件 begins with the document's bytes: its hashes go on from the
        // document's, not from its first byte again.
        let digests = match &it.source {
            Source::Document(doc_rel, sha256) => cache
                .midstate(doc_rel, sha256)
                .and_then(|mid| mid.resume(&data)),
            _ => None,
        }
        .unwrap_or_else(|| crate::cache::Digests::of(&data));
        cache
            .write_known(&rel, &data, &digests)
            .map_err(|e| fail(format!("无法写入 {rel}：{}", crate::text::io_error(&e))))?;
        row.file = Some(rel);
        row.sha256 = digests.sha256;
        row.sm3 = digests.sm3;
        row.size = digests.size;
        parts.push(doc);
    }
    let mut stamps = Vec::new();
    let mut n = 0;
    for doc in &parts {
        for (w, h) in pdf::sizes_of(doc).map_err(|e| fail(e.to_string()))? {
            n += 1;
            stamps.push(json!({"n": n, "w": w, "h": h, "left": arch.duplex && n % 2 == 0}));
        }
    }
    if n != content_pages {
        return Err(fail(format!(
            "页数不符：目录按 {content_pages} 页编号，文件实有 {n} 页"
        )));
    }
    frame_data["stamps"] = json!(stamps);
    let frame_request = RenderRequest {
        template: VOLUME_TEMPLATE,
        data: frame_data.to_string().into_bytes(),
        ident: format!("{}/{VOLUME_TEMPLATE}", plan.code),
        date: Some(date),
    };
    let (frame, marks) = renderer
        .render_marked(&frame_request, &[], &[NOTES_LABEL, STAMPS_LABEL])
        .map_err(|e| fail(e.to_string()))?;
    let (front_pages, notes_pages) = frame_split(&marks, frame.pages, n).ok_or_else(|| {
        let at = |m: Option<usize>| m.map_or("无".to_string(), |p| format!("第 {} 页", p + 1));
        fail(format!(
            "模板 {VOLUME_TEMPLATE} 排出的页面不能组卷：共 {} 页，备考表标签 <{NOTES_LABEL}> 在{}，页号层标签 <{STAMPS_LABEL}> 在{}；页号层应是最后 {n} 页",
            frame.pages,
            at(marks.first().copied().flatten()),
            at(marks.get(1).copied().flatten()),
        ))
    })?;
    let identity = pdf::Identity {
        level: "案卷".into(),
        code: plan.code.clone(),
        no: None,
        title: title.clone(),
        author: arch.fonds_name.to_string(),
        date: format!("{}-{}", date8(start_date), date8(end_date)),
        classification: classification.clone(),
        volume: None,
    };
    let parts = pdf::VolumeParts {
        frame: &frame.pdf,
        front_pages,
        notes_pages,
        contents: parts
            .into_iter()
            .zip(&rows)
            .map(|(doc, r)| pdf::ContentPart {
                doc,
                title: r.title.clone(),
            })
            .collect(),
        identity: &identity,
    };
    let pdf::Assembled {
        pdf: volume,
        page_digests,
    } = pdf::assemble(parts).map_err(|e| fail(format!("组卷失败：{e}")))?;
    let pages = page_digests.len();
    let (volume_digests, _) = cache
        .write(&path, &volume)
        .map_err(|e| fail(format!("无法写入 {path}：{}", crate::text::io_error(&e))))?;
    Ok(VolumeEntry {
        path,
        case: id.clone(),
        archive_code: plan.code.clone(),
        volume: plan.volume,
        volumes: plan.volumes,
        pages,
        sha256: volume_digests.sha256,
        sm3: volume_digests.sm3,
        title,
        category: c.procedure_name().to_string(),
        start_date,
        end_date,
        retention: info.retention.label().to_string(),
        classification: info.classification.as_ref().map(|s| s.to_string()),
        remarks: info.remarks.as_ref().map(|s| s.to_string()),
        filed_on: info.filed_on,
        year: plan.year,
        front_pages,
        content_pages,
        items: rows,
        page_digests,
        inputs,
    })
}

/// The template of a volume's own pages, and the labels on the first page of its 备考表 and of
/// its stamps.
const VOLUME_TEMPLATE: &str = "archive_volume";
const NOTES_LABEL: &str = "anjuan-notes";
const STAMPS_LABEL: &str = "anjuan-stamps";

/// How many of the frame's pages are cover and 目录, and how many 备考表, from where its
/// labels are: the stamps, one per content page, come last.
fn frame_split(marks: &[Option<usize>], pages: usize, stamps: usize) -> Option<(usize, usize)> {
    let notes = marks.first().copied().flatten()?;
    let stamps_at = match marks.get(1).copied().flatten() {
        Some(at) => at,
        None if stamps == 0 => pages,
        None => return None,
    };
    (notes > 0 && notes < stamps_at && stamps_at + stamps == pages)
        .then_some((notes, stamps_at - notes))
}

/// 本卷情况说明 of the 备考表.
fn description(plan: &Plan, rows: &[ItemRow], pages: usize, remarks: Option<&str>) -> Vec<String> {
    let scanned: Vec<&str> = rows
        .iter()
        .filter(|r| r.scanned)
        .map(|r| r.title.as_str())
        .collect();
    let mut lines = vec![format!(
        "本卷共有文件 {} 件，计 {} 页（封面、卷内文件目录和本表不编页号）。",
        rows.len(),
        pages
    )];
    if scanned.is_empty() {
        lines.push("本卷无原件扫描件。".into());
    } else {
        lines.push(format!(
            "其中原件扫描件 {} 件：{}。",
            scanned.len(),
            scanned.join("；")
        ));
    }
    if plan.volumes > 1 {
        lines.push(format!(
            "本案共 {} 卷，本卷为第 {} 卷。",
            plan.volumes, plan.volume
        ));
    }
    lines.push("卷内文件齐全，无缺损。".into());
    if let Some(r) = remarks.filter(|r| !r.trim().is_empty()) {
        lines.push(format!("备注：{r}"));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::frame_split;

    #[test]
    fn a_volumes_own_pages_split_where_their_labels_are() {
        // Cover and two 目录 pages, one 备考表 page, three stamps.
        assert_eq!(frame_split(&[Some(3), Some(4)], 7, 3), Some((3, 1)));
        // A 备考表 that ran over a page.
        assert_eq!(frame_split(&[Some(2), Some(4)], 6, 2), Some((2, 2)));
        // Stamps that are not the frame's last pages, a missing label, no 目录 before the
        // 备考表: the template does not lay out a volume's pages as the volume reads them.
        assert_eq!(frame_split(&[Some(2), Some(3)], 7, 3), None);
        assert_eq!(frame_split(&[None, Some(3)], 6, 3), None);
        assert_eq!(frame_split(&[Some(2), None], 6, 3), None);
        assert_eq!(frame_split(&[Some(0), Some(1)], 4, 3), None);
        assert_eq!(frame_split(&[Some(3), Some(3)], 6, 3), None);
    }
}
