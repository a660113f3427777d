//! 立卷归档: one volume (or several, split at `archive.max_pages`) per case with an `archive`
//! block — cover, 卷内文件目录, the documents in procedural order with the scanned originals
//! after the document each names, 备考表 — 页号 stamped on every content page, bookmarks and
//! page labels agreeing with the stamps. 档号 serials come from the cases root's ledger.

pub mod pdf;
pub mod transfer;
pub mod verify;

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::case::validate::resolve_attachment;
use crate::documents::DocKind;
use crate::ledger::Ledger;
use crate::manifest::FileEntry;
use crate::output::{sha256_hex, write_if_changed};
use crate::problems::Problems;
use crate::project::CheckedCase;
use crate::render::{RenderRequest, Renderer};
use crate::settings::{ArchiveSettings, Settings};

/// Where volumes are written, below the output folder.
pub const VOLUMES_DIR: &str = "volumes";

/// One row of a 卷内文件目录 (and of the 归档文件目录).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRow {
    pub seq: usize,
    /// The item's own 档号: the volume's and its 卷内顺序号 (`…-0003-007`).
    #[serde(default)]
    pub code: String,
    /// Document kind id (`inspection_register`); none for a scanned original.
    pub document: Option<String>,
    pub no: Option<String>,
    pub author: String,
    pub title: String,
    pub date: Option<NaiveDate>,
    /// First and last 页号 within the volume.
    pub start: usize,
    pub end: usize,
    pub pages: usize,
    /// A scanned original rather than a generated document.
    pub scanned: bool,
    pub remarks: Option<String>,
    /// The 件's own file in the output, `volumes/<档号>/<件档号>.<ext>`: a document with its
    /// identity in its XMP, a scanned original as it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sha256: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sm3: String,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub size: u64,
    /// 送达 as the case records it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub served: Vec<Served>,
}

/// One service of a document (the case's `services`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Served {
    pub on: NaiveDate,
    pub recipient: String,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A 件's 档号: its volume's 档号 and its 卷内顺序号 (`Z041-WS·2026-D30-BMJ-0003-007`).
pub fn item_code(volume_code: &str, seq: usize) -> String {
    format!("{volume_code}-{seq:03}")
}

/// Bumped when what a volume holds changes shape (its XMP identity, the item files), so volumes
/// of an older anjuan are made again.
const VOLUME_FORMAT: &str = "volume-format 2: XMP identity, item files";

impl ItemRow {
    /// 页号 as the 目录 prints it: the start page, the last row start–end.
    pub fn page_cell(&self, last: bool) -> String {
        if last && self.end > self.start {
            format!("{}-{}", self.start, self.end)
        } else {
            self.start.to_string()
        }
    }
}

/// A volume as recorded in `manifest.json` (`volumes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeEntry {
    pub path: String,
    pub case: String,
    pub archive_code: String,
    pub volume: usize,
    pub volumes: usize,
    /// Every page of the file (cover, 目录, documents, 备考表).
    pub pages: usize,
    pub sha256: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sm3: String,
    pub title: String,
    pub category: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub retention: String,
    pub classification: Option<String>,
    pub remarks: Option<String>,
    pub filed_on: NaiveDate,
    /// The volume's year: that of the case's last document (DA/T 22-2015), not of filing.
    #[serde(default)]
    pub year: i32,
    /// Pages before the first numbered page (cover and 目录).
    pub front_pages: usize,
    /// Numbered pages (页号 1..=content_pages).
    pub content_pages: usize,
    pub items: Vec<ItemRow>,
    /// Per page of the file: digest of what it draws (its content and forms), so a page
    /// deleted, swapped or replaced is found by position.
    pub page_digests: Vec<String>,
    /// Digest of everything the volume is made from: unchanged inputs, volume not rebuilt.
    pub inputs: String,
}

/// A content item before rendering: where its PDF comes from.
struct Item {
    row: ItemRow,
    source: Source,
}

enum Source {
    Document(PathBuf),
    Pdf(PathBuf),
    Image(PathBuf),
}

/// Volumes assembled between two clearings of typst's memo cache.
const VOLUMES_PER_CHUNK: usize = 8;

/// A volume planned: its items and code.
struct Plan<'a> {
    case: &'a CheckedCase,
    code: String,
    year: i32,
    volume: usize,
    volumes: usize,
    items: Vec<Item>,
}

/// Builds the volumes of every case with an `archive` block. `files` are this build's
/// documents; `previous` the volumes of the last build (reused when their inputs are unchanged).
pub fn build_volumes(
    settings: &Settings,
    renderer: &Renderer,
    cases: &[&CheckedCase],
    files: &[FileEntry],
    previous: &[VolumeEntry],
    root: &Path,
    out: &Path,
) -> (Vec<VolumeEntry>, Problems) {
    let mut problems = Problems::default();
    let Some(arch) = settings.archive.as_ref() else {
        return (Vec::new(), problems);
    };
    let mut ordered: Vec<&&CheckedCase> = cases
        .iter()
        .filter(|c| c.loaded.case.archive().is_some())
        .collect();
    // Serials go out in filing order, so a case added later never moves anybody.
    ordered.sort_by_key(|c| {
        (
            c.loaded.case.archive().map(|a| a.filed_on),
            c.loaded.case.id().to_string(),
        )
    });
    let mut plans = Vec::new();
    // Documents by path, once for all cases (a case's are found by the paths it writes).
    let by_path: HashMap<&str, &FileEntry> = files.iter().map(|f| (f.path.as_str(), f)).collect();
    let planned = Ledger::update(
        root,
        || crate::ledger::say_busy(root),
        |ledger| {
            for c in ordered {
                match plan_case(settings, arch, c, &by_path, ledger) {
                    Ok(p) => plans.extend(p),
                    Err(message) => {
                        let mut ctx = c.loaded.ctx();
                        ctx.error("archive", message);
                        problems.extend(ctx.problems);
                    }
                }
            }
        },
    );
    if let Err(e) = planned {
        // Serials not recorded are not given: no volume is made with them.
        plans.clear();
        let mut ctx = crate::case::Ctx::new(crate::ledger::FILE_NAME, "");
        ctx.error("", e.to_string());
        problems.extend(ctx.problems);
    }
    // A few volumes at a time: each holds its documents and typst's work in memory.
    let mut results: Vec<Result<VolumeEntry, (String, String)>> = Vec::with_capacity(plans.len());
    crate::render::batch::in_chunks(
        &plans,
        VOLUMES_PER_CHUNK,
        crate::render::batch::threads(),
        |p| make_volume(arch, renderer, p, previous, out),
        |_, r| results.extend(r),
    );
    let mut volumes = Vec::new();
    for r in results {
        match r {
            Ok(v) => volumes.push(v),
            Err((case, message)) => {
                if let Some(c) = cases.iter().find(|c| c.loaded.case.id() == case) {
                    let mut ctx = c.loaded.ctx();
                    ctx.error("archive", message);
                    problems.extend(ctx.problems);
                }
            }
        }
    }
    volumes.sort_by(|a, b| a.path.cmp(&b.path));
    (volumes, problems)
}

/// What the archive stage works with: the settings, the renderer, the cases root (whose ledger
/// gives the serials) and the output folder.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    pub settings: &'a Settings,
    pub renderer: &'a Renderer,
    pub root: &'a Path,
    pub out: &'a Path,
}

/// The archive stage of `anjuan build`: volumes of the built cases (a failed case keeps its last
/// volumes), then catalogues, recorded in the manifest's `volumes` and `catalogs`.
pub fn stage(
    env: Env,
    built: &[&CheckedCase],
    failed: &std::collections::BTreeSet<String>,
    manifest: &mut crate::manifest::Manifest,
    stages: &mut crate::memstat::Stages,
) -> Problems {
    let Env {
        settings,
        renderer,
        root,
        out,
    } = env;
    let previous: Vec<VolumeEntry> = manifest
        .extra
        .get("volumes")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    let cases: Vec<&CheckedCase> = built
        .iter()
        .copied()
        .filter(|c| !failed.contains(c.loaded.case.id()))
        .collect();
    let (mut volumes, mut problems) = build_volumes(
        settings,
        renderer,
        &cases,
        &manifest.files,
        &previous,
        root,
        out,
    );
    let done: std::collections::BTreeSet<String> = volumes.iter().map(|v| v.case.clone()).collect();
    volumes.extend(previous.into_iter().filter(|v| {
        failed.contains(&v.case) && !done.contains(&v.case) && out.join(&v.path).is_file()
    }));
    volumes.sort_by(|a, b| a.path.cmp(&b.path));
    remove_stale(out, &volumes);
    stages.done("立卷");
    manifest.extra.insert(
        "volumes".into(),
        serde_json::to_value(&volumes).expect("volumes serialize"),
    );
    if volumes.is_empty() {
        // Nothing filed yet: no catalogues or transfer package, and none left from before.
        for key in ["catalogs", "transfer"] {
            manifest.extra.remove(key);
        }
        let _ = std::fs::remove_dir_all(out.join(crate::catalog::DIR));
        let _ = std::fs::remove_dir_all(out.join(transfer::DIR));
        return problems;
    }
    let date = volumes.iter().map(|v| v.filed_on).max();
    let previous_catalogs = manifest
        .extra
        .get("catalogs")
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_default();
    match crate::catalog::write(renderer, &volumes, out, date, &previous_catalogs) {
        Ok(entries) => {
            manifest
                .extra
                .insert("catalogs".into(), serde_json::Value::Array(entries));
        }
        Err(message) => {
            let mut ctx = crate::case::Ctx::new("anjuan.yaml", "");
            ctx.error("archive", message.to_string());
            problems.extend(ctx.problems);
        }
    }
    stages.done("目录");
    // A key that cannot be loaded is reported once, by the build's end (buildlog::seal).
    let signer = settings.signer().ok().flatten();
    match transfer::write(&volumes, settings, signer.as_ref(), out) {
        Ok(entries) => {
            manifest
                .extra
                .insert("transfer".into(), serde_json::Value::Array(entries));
        }
        Err(message) => {
            let mut ctx = crate::case::Ctx::new("anjuan.yaml", "");
            ctx.error("archive", message.to_string());
            problems.extend(ctx.problems);
        }
    }
    stages.done("移交包");
    // verify checks 档号 against the template without the cases root.
    if let Some(a) = &settings.archive {
        manifest.extra.insert(
            "archive".into(),
            json!({"code_template": a.code_template.as_str(), "fonds_no": a.fonds_no.as_str(),
                   "category": a.category.as_str(), "org_code": a.org_code.as_str()}),
        );
    }
    problems
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

fn plan_case<'a>(
    settings: &Settings,
    arch: &ArchiveSettings,
    case: &'a CheckedCase,
    by_path: &HashMap<&str, &FileEntry>,
    ledger: &mut Ledger,
) -> Result<Vec<Plan<'a>>, String> {
    let c = &case.loaded.case;
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
            source: Source::Document(PathBuf::from(&entry.path)),
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
    let groups = split(items, arch.max_pages.max(1));
    let n = groups.len();
    let sequence = format!("archive/{year}/{}", info.retention.code());
    let mut plans = Vec::new();
    for (i, mut items) in groups.into_iter().enumerate() {
        let owner = if i == 0 {
            id.to_string()
        } else {
            format!("{id}/卷{}", i + 1)
        };
        let entry = ledger.allocate(&sequence, &owner, |s| {
            format_code(&arch.code_template, arch, year, info.retention.code(), s)
        });
        let mut page = 1;
        for (k, it) in items.iter_mut().enumerate() {
            it.row.seq = k + 1;
            it.row.code = item_code(&entry.value, k + 1);
            it.row.start = page;
            it.row.end = page + it.row.pages - 1;
            page += it.row.pages;
        }
        plans.push(Plan {
            case,
            code: entry.value,
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
) -> Result<VolumeEntry, (String, String)> {
    let c = &plan.case.loaded.case;
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

    // Inputs first: an unchanged volume is neither rendered nor rewritten.
    let mut contents: Vec<Vec<u8>> = Vec::new();
    for it in &plan.items {
        let bytes = match &it.source {
            Source::Document(rel) => std::fs::read(out.join(rel)),
            Source::Pdf(p) | Source::Image(p) => std::fs::read(p),
        }
        .map_err(|e| {
            fail(format!(
                "无法读取《{}》：{}",
                it.row.title,
                crate::text::io_error(&e)
            ))
        })?;
        contents.push(bytes);
    }
    let front_data = json!({
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
    });
    let notes_data = json!({
        "title": pdf_title, "keywords": keywords, "code": plan.code,
        "description": description(plan, &rows, content_pages, info.remarks.as_deref()),
        "filer": arch.filer.as_deref(), "checker": arch.checker.as_deref(), "filed_on": info.filed_on,
    });
    // Templates and fonts shape the volume too: the renderer's fingerprint covers them.
    let mut digest_input = format!(
        "{}\n{VOLUME_FORMAT}\n{front_data}\n{notes_data}\n{}\n{:?}\n{}\n",
        renderer.fingerprint(),
        arch.duplex,
        info.classification,
        serde_json::to_string(&rows).unwrap_or_default(),
    );
    for b in &contents {
        digest_input.push_str(&sha256_hex(b));
        digest_input.push('\n');
    }
    let inputs = sha256_hex(digest_input.as_bytes());
    let unchanged = previous.iter().find(|v| {
        v.path == path
            && v.inputs == inputs
            && std::fs::read(out.join(&path)).is_ok_and(|b| sha256_hex(&b) == v.sha256)
            && v.items.iter().all(|it| {
                it.file.as_ref().is_some_and(|f| {
                    crate::output::file_sha256(&out.join(f)).is_some_and(|h| h == it.sha256)
                })
            })
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
    let mut parts_pdf: Vec<Vec<u8>> = Vec::new();
    for ((it, bytes), row) in plan.items.iter().zip(contents).zip(rows.iter_mut()) {
        // The 件's own file: a document says what it is in its XMP; an original stays as it was.
        let code = item_code(&plan.code, row.seq);
        let (ext, data) = match &it.source {
            Source::Document(_) => {
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
                let pdf = pdf::with_identity(&bytes, &id)
                    .map_err(|e| fail(format!("《{}》写入 XMP 元数据失败：{e}", row.title)))?;
                ("pdf".to_string(), pdf)
            }
            Source::Pdf(p) | Source::Image(p) => (
                p.extension()
                    .map(|e| e.to_string_lossy().to_lowercase())
                    .unwrap_or_default(),
                bytes.clone(),
            ),
        };
        let rel = format!("{VOLUMES_DIR}/{}/{code}.{ext}", plan.code);
        write_if_changed(&out.join(&rel), &data)
            .map_err(|e| fail(format!("无法写入 {rel}：{}", crate::text::io_error(&e))))?;
        row.file = Some(rel);
        row.sha256 = sha256_hex(&data);
        row.sm3 = crate::output::sm3_hex(&data);
        row.size = data.len() as u64;
        let pdf = match &it.source {
            Source::Image(p) => {
                let ext = p
                    .extension()
                    .map(|e| e.to_string_lossy().to_lowercase())
                    .unwrap_or_default();
                let file = format!("/attachment.{ext}");
                render(
                    "archive_image",
                    &json!({"title": it.row.title, "file": file}),
                    &[(file.clone(), bytes)],
                )?
            }
            _ => bytes,
        };
        parts_pdf.push(pdf);
    }
    let mut stamps = Vec::new();
    let mut n = 0;
    for pdf in &parts_pdf {
        for (w, h) in pdf::page_sizes(pdf).map_err(|e| fail(e.to_string()))? {
            n += 1;
            stamps.push(json!({"n": n, "w": w, "h": h, "left": arch.duplex && n % 2 == 0}));
        }
    }
    if n != content_pages {
        return Err(fail(format!(
            "页数不符：目录按 {content_pages} 页编号，文件实有 {n} 页"
        )));
    }
    let front = render("archive_front", &front_data, &[])?;
    let notes = render("archive_notes", &notes_data, &[])?;
    let stamp_pdf = render(
        "archive_stamps",
        &json!({"title": pdf_title, "stamps": stamps}),
        &[],
    )?;
    let front_pages = pdf::page_sizes(&front)
        .map_err(|e| fail(e.to_string()))?
        .len();
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
        front: &front,
        contents: parts_pdf
            .iter()
            .zip(&rows)
            .map(|(p, r)| pdf::ContentPart {
                pdf: p,
                title: r.title.clone(),
            })
            .collect(),
        stamps: &stamp_pdf,
        notes: &notes,
        identity: &identity,
    };
    let volume = pdf::assemble(&parts).map_err(|e| fail(format!("组卷失败：{e}")))?;
    let page_digests = pdf::page_digests(&volume).map_err(|e| fail(e.to_string()))?;
    let pages = page_digests.len();
    write_if_changed(&out.join(&path), &volume)
        .map_err(|e| fail(format!("无法写入 {path}：{}", crate::text::io_error(&e))))?;
    Ok(VolumeEntry {
        path,
        case: id.clone(),
        archive_code: plan.code.clone(),
        volume: plan.volume,
        volumes: plan.volumes,
        pages,
        sha256: sha256_hex(&volume),
        sm3: crate::output::sm3_hex(&volume),
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

/// Removes volume files (and item files in the volumes' folders) no build produces any more.
pub fn remove_stale(out: &Path, volumes: &[VolumeEntry]) {
    let mut keep: BTreeMap<&str, ()> = volumes.iter().map(|v| (v.path.as_str(), ())).collect();
    for v in volumes {
        for it in &v.items {
            if let Some(f) = &it.file {
                keep.insert(f.as_str(), ());
            }
        }
    }
    let dir = out.join(VOLUMES_DIR);
    for e in walkdir::WalkDir::new(&dir)
        .min_depth(1)
        .contents_first(true)
        .into_iter()
        .flatten()
    {
        let rel = format!(
            "{VOLUMES_DIR}/{}",
            e.path()
                .strip_prefix(&dir)
                .unwrap_or(e.path())
                .to_string_lossy()
                .replace('\\', "/")
        );
        if e.file_type().is_dir() {
            // Only empty folders go; the call fails harmlessly on the others.
            let _ = std::fs::remove_dir(e.path());
        } else if (e.depth() > 1 || rel.ends_with(".pdf")) && !keep.contains_key(rel.as_str()) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}
