//! 案卷目录 (one row per volume) and 归档文件目录 (one row per document, across all volumes), as
//! archive.md lists their columns: PDF (A4 landscape, repeating header, page x of y), XLSX
//! (typed columns, frozen header, widths fitting the Chinese text), CSV (UTF-8 with BOM) and an
//! offline HTML page (sortable, filterable, rows linking to their volume).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::Digest;
use unicode_width::UnicodeWidthStr;

use crate::cache::{BuildCache, Digests, Made};
use crate::manifest::{CatalogEntry, VolumeEntry};
use crate::records::{Records, VolumeKey};
use crate::render::{RenderRequest, Renderer};
use crate::stage::{BuildContext, BuildError, Stage};

pub const DIR: &str = "catalogs";

/// Bumped when the rows a volume gives change: the catalogues' inputs digest is composed of the
/// volumes' entries, not of the rows.
const ROWS_FORMAT: &str = "catalogue rows 1";

/// Bumped when how a catalogue's PDF is put together changes (its parts, their footers): the
/// files of the last build are then made again, and those no longer made given up.
const PDF_FORMAT: &str = "catalogue pdf 2: footers per part";

/// A cell: text, or a number (typed in the XLSX).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Cell {
    Text(String),
    Num(usize),
}

impl Cell {
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Num(n) => n.to_string(),
        }
    }
}

/// One catalogue: its name, columns and rows; `links[i]` is the volume row i belongs to.
pub struct Catalog {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    pub rows: Vec<Vec<Cell>>,
    pub links: Vec<String>,
}

pub const VOLUME_CATALOG: &str = "案卷目录";
pub const ITEM_CATALOG: &str = "归档文件目录";

pub const VOLUME_COLUMNS: &[&str] = &[
    "序号",
    "档号",
    "案卷题名",
    "起止日期",
    "件数",
    "页数",
    "保管期限",
    "密级",
    "备注",
];
pub const ITEM_COLUMNS: &[&str] = &[
    "序号",
    "档号",
    "文号",
    "责任者",
    "题名",
    "日期",
    "密级",
    "页数",
    "备注",
];

fn date8(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y%m%d").to_string())
        .unwrap_or_default()
}

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// The rows one volume gives: its row of the 案卷目录, numbered `n`, and its 件's rows of the
/// 归档文件目录, numbered from `first_item`.
pub fn rows_of(v: &VolumeEntry, n: usize, first_item: usize) -> (Vec<Cell>, Vec<Vec<Cell>>) {
    let title = if v.volumes > 1 {
        format!("{}（第{}卷 共{}卷）", v.title, v.volume, v.volumes)
    } else {
        v.title.clone()
    };
    let secret = v.classification.clone().unwrap_or_default();
    let volume_row = vec![
        Cell::Num(n),
        t(&v.archive_code),
        t(title),
        t(format!("{}-{}", date8(v.start_date), date8(v.end_date))),
        Cell::Num(v.items.len()),
        Cell::Num(v.content_pages),
        t(&v.retention),
        t(&secret),
        t(v.remarks.clone().unwrap_or_default()),
    ];
    let item_rows = v
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            // Each 件 its own 档号 (a volume of an old build without them: derived).
            let code = if it.code.is_empty() {
                crate::manifest::item_code(&v.archive_code, it.seq)
            } else {
                it.code.clone()
            };
            vec![
                Cell::Num(first_item + i),
                t(code),
                t(it.no.clone().unwrap_or_default()),
                t(&it.author),
                t(&it.title),
                t(date8(it.date)),
                t(&secret),
                Cell::Num(it.pages),
                t(it.remarks.clone().unwrap_or_default()),
            ]
        })
        .collect();
    (volume_row, item_rows)
}

/// Both catalogues over the volumes (sorted by 档号), whole: for `verify`, which compares them
/// with the files. The build streams the same rows (see [`write`]).
pub fn catalogs<'a>(volumes: impl IntoIterator<Item = &'a VolumeEntry>) -> [Catalog; 2] {
    let mut vols: Vec<&VolumeEntry> = volumes.into_iter().collect();
    vols.sort_by(|a, b| (&a.archive_code, a.volume).cmp(&(&b.archive_code, b.volume)));
    let mut by_volume = Catalog {
        name: VOLUME_CATALOG,
        columns: VOLUME_COLUMNS,
        rows: Vec::new(),
        links: Vec::new(),
    };
    let mut by_item = Catalog {
        name: ITEM_CATALOG,
        columns: ITEM_COLUMNS,
        rows: Vec::new(),
        links: Vec::new(),
    };
    for v in &vols {
        let (row, items) = rows_of(v, by_volume.rows.len() + 1, by_item.rows.len() + 1);
        by_volume.rows.push(row);
        by_volume.links.push(v.path.clone());
        for r in items {
            by_item.rows.push(r);
            by_item.links.push(v.path.clone());
        }
    }
    [by_volume, by_item]
}

/// A file of the build cache's folder written for the time a stage works (rows laid aside, a
/// workbook before it is copied into place), removed when dropped.
pub struct Spool {
    path: PathBuf,
    writer: Option<std::io::BufWriter<std::fs::File>>,
}

impl Spool {
    /// A new spool `name` in `OUT/.anjuan-cache/`.
    pub fn create(out: &Path, name: &str) -> std::io::Result<Spool> {
        let dir = out.join(crate::cache::DIR);
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("spool-{name}-{}.tmp", std::process::id()));
        let file = std::fs::File::create(&path)?;
        Ok(Spool {
            path,
            writer: Some(std::io::BufWriter::with_capacity(1 << 16, file)),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where to write (until [`Spool::finish`]).
    pub fn writer(&mut self) -> std::io::Result<&mut std::io::BufWriter<std::fs::File>> {
        self.writer
            .as_mut()
            .ok_or_else(|| std::io::Error::other("临时文件已写完"))
    }

    /// A row of a catalogue: one JSON line, `[link, [cells…]]`.
    pub fn push_row(&mut self, link: &str, row: &[Cell]) -> std::io::Result<()> {
        let w = self.writer()?;
        serde_json::to_writer(&mut *w, &(link, row)).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    }

    /// Everything written is on disk.
    pub fn finish(&mut self) -> std::io::Result<()> {
        match self.writer.take() {
            Some(mut w) => w.flush(),
            None => Ok(()),
        }
    }

    /// The rows pushed, in order, read from disk.
    pub fn rows(
        &self,
    ) -> std::io::Result<impl Iterator<Item = std::io::Result<(String, Vec<Cell>)>>> {
        let file = std::fs::File::open(&self.path)?;
        Ok(std::io::BufReader::with_capacity(1 << 16, file)
            .lines()
            .map(|line| {
                serde_json::from_str::<(String, Vec<Cell>)>(&line?).map_err(std::io::Error::other)
            }))
    }

    /// Copies what was written into `w`.
    pub fn copy_to(&self, w: &mut dyn Write) -> std::io::Result<()> {
        let mut file = std::fs::File::open(&self.path)?;
        std::io::copy(&mut file, w).map(|_| ())
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        self.writer = None;
        let _ = std::fs::remove_file(&self.path);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("无法生成 {0}：{1}")]
    Make(String, String),
    #[error("无法写入 {}：{}", .0, crate::text::io_error(.1))]
    Write(String, std::io::Error),
    #[error("{0}")]
    Missing(#[from] crate::records::MissingVolume),
}

/// 目录: both catalogues over the volumes, in every format, recorded in the manifest's
/// `catalogs`. Nothing filed yet: no catalogues, and none left from before.
pub struct Catalogues;

impl Stage for Catalogues {
    fn name(&self) -> &'static str {
        "目录"
    }

    fn run(&self, cx: &mut BuildContext) -> Result<(), BuildError> {
        let volumes = &cx.volumes;
        if volumes.is_empty() {
            return Ok(());
        }
        let date = volumes.iter().map(|v| v.filed_on).max();
        let previous = std::mem::take(&mut cx.previous.catalogs);
        let (out, cache, records) = (&cx.opts.out, &cx.cache, &cx.records);
        match write(cx.renderer, cache, records, out, volumes, date, &previous) {
            Ok(entries) => cx.manifest.catalogs = entries,
            Err(e) => cx.settings_error("archive", e.to_string()),
        }
        Ok(())
    }
}

/// Digest of what a catalogue is made from: its rows are a function of the volumes' entries in
/// catalogue order, so the entries' digests stand for them (nothing is read to know it).
fn inputs_of(
    renderer: &Renderer,
    date: Option<NaiveDate>,
    name: &str,
    order: &[&VolumeKey],
) -> String {
    let mut h = sha2::Sha256::new();
    h.update(format!(
        "{}\n{date:?}\n{name}\n{ROWS_FORMAT}\n{PDF_FORMAT}\n",
        renderer.fingerprint()
    ));
    for k in order {
        h.update(k.digest);
        h.update(k.path.as_bytes());
        h.update([0x1e]);
    }
    hex::encode(h.finalize())
}

/// A catalogue's rows laid aside on disk, with what its writers need before the first row.
struct Spooled {
    name: &'static str,
    columns: &'static [&'static str],
    spool: Spool,
    rows: usize,
    /// Widest text of each column, its header's included (the XLSX sets widths first).
    widths: Vec<usize>,
}

impl Spooled {
    fn new(
        out: &Path,
        name: &'static str,
        columns: &'static [&'static str],
    ) -> std::io::Result<Self> {
        Ok(Spooled {
            name,
            columns,
            spool: Spool::create(out, name)?,
            rows: 0,
            widths: columns.iter().map(|h| h.width()).collect(),
        })
    }

    fn push(&mut self, link: &str, row: &[Cell]) -> std::io::Result<()> {
        for (w, cell) in self.widths.iter_mut().zip(row) {
            *w = (*w).max(cell.text().width());
        }
        self.rows += 1;
        self.spool.push_row(link, row)
    }
}

/// Both catalogues' rows in one pass over the volumes in catalogue order, each volume's entry
/// read from its case's record and dropped once its rows are on disk.
fn spool_rows(
    records: &Records,
    out: &Path,
    order: &[&VolumeKey],
) -> Result<[Spooled; 2], CatalogError> {
    let spool_err =
        |e: std::io::Error| CatalogError::Write(format!("{}/spool-*.tmp", crate::cache::DIR), e);
    let mut by_volume = Spooled::new(out, VOLUME_CATALOG, VOLUME_COLUMNS).map_err(spool_err)?;
    let mut by_item = Spooled::new(out, ITEM_CATALOG, ITEM_COLUMNS).map_err(spool_err)?;
    for v in records.entries(order.iter().copied()) {
        let v = v?;
        let (row, items) = rows_of(&v, by_volume.rows + 1, by_item.rows + 1);
        by_volume.push(&v.path, &row).map_err(spool_err)?;
        for r in &items {
            by_item.push(&v.path, r).map_err(spool_err)?;
        }
    }
    by_volume.spool.finish().map_err(spool_err)?;
    by_item.spool.finish().map_err(spool_err)?;
    Ok([by_volume, by_item])
}

/// Writes every catalogue in every format, each file as soon as it is made; returns the
/// manifest entries. `date` dates the files (never the clock). A catalogue whose volumes'
/// entries are those of the last build, with its files as made, stands without a record read;
/// one to make is made from its rows laid aside on disk, never held whole.
pub fn write(
    renderer: &Renderer,
    cache: &BuildCache,
    records: &Records,
    out: &Path,
    volumes: &[VolumeKey],
    date: Option<NaiveDate>,
    previous: &[CatalogEntry],
) -> Result<Vec<CatalogEntry>, CatalogError> {
    let order = VolumeKey::catalogue_order(volumes);
    let names = [VOLUME_CATALOG, ITEM_CATALOG];
    let inputs = names.map(|name| inputs_of(renderer, date, name, &order));
    let reused: Vec<Option<Vec<CatalogEntry>>> = names
        .iter()
        .zip(&inputs)
        .map(|(name, inputs)| {
            let reused: Vec<CatalogEntry> = previous
                .iter()
                .filter(|e| e.catalog == *name && e.inputs == *inputs)
                .filter(|e| cache.holds(&e.path, &e.sha256))
                .cloned()
                .collect();
            (reused.len() == 4).then_some(reused)
        })
        .collect();
    let mut spooled = if reused.iter().all(Option::is_some) {
        None
    } else {
        Some(spool_rows(records, out, &order)?)
    };
    let mut entries = Vec::new();
    for (i, reused) in reused.into_iter().enumerate() {
        if let Some(reused) = reused {
            // Unchanged entries: the files of the last build stand (the PDF is the costly one).
            entries.extend(reused);
            cache.keep_below(&parts_prefix(names[i]));
            continue;
        }
        let Some(c) = spooled.as_mut().map(|s| &s[i]) else {
            continue;
        };
        let mut stages = crate::memstat::Stages::from_env();
        for ext in ["csv", "xlsx", "html", "pdf"] {
            let rel = format!("{DIR}/{}.{ext}", c.name);
            let d = match ext {
                "csv" => write_csv(cache, c, &rel),
                "xlsx" => write_xlsx(cache, out, c, date, &rel)?,
                "html" => write_html(cache, c, &rel),
                _ => write_pdf(renderer, cache, c, date, &rel)?,
            }
            .map_err(|e| CatalogError::Write(rel.clone(), e))?;
            entries.push(CatalogEntry {
                path: rel,
                catalog: c.name.to_string(),
                format: ext.to_string(),
                sha256: d.sha256,
                sm3: d.sm3,
                inputs: inputs[i].clone(),
            });
            stages.done(&format!("{}.{ext}", c.name));
        }
    }
    Ok(entries)
}

/// UTF-8 with a BOM, streamed from the spool.
fn write_csv(cache: &BuildCache, c: &Spooled, rel: &str) -> std::io::Result<Digests> {
    cache.write_streamed(rel, |w| {
        w.write_all(&[0xEF, 0xBB, 0xBF])?;
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record(c.columns).map_err(std::io::Error::other)?;
        for row in c.spool.rows()? {
            let (_, cells) = row?;
            csv.write_record(cells.iter().map(Cell::text))
                .map_err(std::io::Error::other)?;
        }
        csv.flush()
    })
}

/// Rows of a CSV catalogue as text (BOM stripped), header first.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(bytes);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    r.records()
        .map(|rec| {
            rec.map(|x| x.iter().map(str::to_string).collect())
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// The workbook, its worksheet in constant memory (a row at a time to a temporary file, strings
/// inline), saved beside the cache and copied into place. The outer result is the making's, the
/// inner the writing's.
fn write_xlsx(
    cache: &BuildCache,
    out: &Path,
    c: &Spooled,
    date: Option<NaiveDate>,
    rel: &str,
) -> Result<std::io::Result<Digests>, CatalogError> {
    let err = |e: rust_xlsxwriter::XlsxError| {
        CatalogError::Make(format!("{}.xlsx", c.name), e.to_string())
    };
    let io_err = |e: std::io::Error| {
        CatalogError::Make(format!("{}.xlsx", c.name), crate::text::io_error(&e))
    };
    // A fixed creation time keeps the bytes the same for the same catalogue.
    let d = date.unwrap_or_else(|| NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date"));
    let mut wb = crate::xlsx::workbook(c.name, d).map_err(err)?;
    let mut saved = Spool::create(out, &format!("{}.xlsx", c.name)).map_err(io_err)?;
    saved.finish().map_err(io_err)?;
    // The worksheet's rows wait beside the cache, not in the system's temporary folder (which
    // may be memory).
    wb.set_tempdir(out.join(crate::cache::DIR)).map_err(err)?;
    let head = crate::xlsx::header();
    let cell = crate::xlsx::cell();
    let ws = wb.add_worksheet_with_constant_memory().map_err(err)?;
    ws.set_name(c.name).map_err(err)?;
    ws.set_landscape();
    for (j, w) in c.widths.iter().enumerate() {
        ws.set_column_width(j as u16, (*w as f64 * 1.1 + 2.0).min(60.0))
            .map_err(err)?;
    }
    for (j, h) in c.columns.iter().enumerate() {
        ws.write_string_with_format(0, j as u16, *h, &head)
            .map_err(err)?;
    }
    for (i, r) in c.spool.rows().map_err(io_err)?.enumerate() {
        let (_, cells) = r.map_err(io_err)?;
        for (j, v) in cells.iter().enumerate() {
            let (row, col) = ((i + 1) as u32, j as u16);
            match v {
                Cell::Num(n) => ws
                    .write_number_with_format(row, col, *n as f64, &cell)
                    .map_err(err)?,
                Cell::Text(s) => ws
                    .write_string_with_format(row, col, s, &cell)
                    .map_err(err)?,
            };
        }
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    ws.autofilter(0, 0, c.rows as u32, (c.columns.len() - 1) as u16)
        .map_err(err)?;
    wb.save(saved.path()).map_err(err)?;
    drop(wb);
    Ok(cache.write_streamed(rel, |w| saved.copy_to(w)))
}

/// Rows of the PDF catalogue laid out as one typst document: a catalogue of many volumes is
/// laid out in parts of this many rows and joined, so its memory does not grow with its length.
pub const PART_ROWS: usize = 120;

/// Where the parts of a catalogue's PDF are kept between builds.
fn parts_prefix(name: &str) -> String {
    format!("{}/parts/{name}-", crate::cache::DIR)
}

/// The next `n` rows of the spool, as text.
fn take_rows(
    rows: &mut dyn Iterator<Item = std::io::Result<(String, Vec<Cell>)>>,
    n: usize,
) -> std::io::Result<Vec<Vec<String>>> {
    rows.take(n)
        .map(|r| r.map(|(_, cells)| cells.iter().map(Cell::text).collect()))
        .collect()
}

/// Lays out the catalogue's PDF and writes it to `rel`. The outer result is the layout's, the
/// inner the writing's. The rows are read from the spool a few parts at a time.
fn write_pdf(
    renderer: &Renderer,
    cache: &BuildCache,
    c: &Spooled,
    date: Option<NaiveDate>,
    rel: &str,
) -> Result<std::io::Result<Digests>, CatalogError> {
    let make = |e: String| CatalogError::Make(format!("{}.pdf", c.name), e);
    let read_err = |e: std::io::Error| make(crate::text::io_error(&e));
    let mut rows = c.spool.rows().map_err(read_err)?;
    let request = |data: serde_json::Value| RenderRequest {
        template: "archive_catalog",
        data: data.to_string().into_bytes(),
        ident: format!("catalog/{}", c.name),
        date,
    };
    let part_data = |i: usize, part: &[Vec<String>]| {
        json!({
            "title": c.name,
            "columns": c.columns,
            "rows": part,
            "heading": i == 0,
        })
    };
    if c.rows <= PART_ROWS {
        // One part: typst counts its own pages.
        let part = take_rows(&mut rows, PART_ROWS).map_err(read_err)?;
        let req = request(part_data(0, &part));
        let pdf = renderer.render(&req).map_err(|e| make(e.to_string()))?.pdf;
        return Ok(cache.write(rel, &pdf).map(|(d, _)| d));
    }
    let threads = crate::render::batch::threads();
    // Each part is laid out once, without page numbers, and kept in the build cache: it does
    // not depend on the other parts, so a catalogue where one case changed lays out again only
    // the part that lists it.
    let part_path = |i: usize| format!("{}part-{:04}.pdf", parts_prefix(c.name), i + 1);
    let mut laid_out: Vec<Result<(String, usize), String>> = Vec::new();
    let count = c.rows.div_ceil(PART_ROWS);
    let mut next = 0;
    while next < count {
        // A few parts' rows at a time: as many as there are threads to lay them out.
        let mut batch: Vec<(usize, Vec<Vec<String>>)> = Vec::with_capacity(threads);
        while batch.len() < threads.max(1) && next < count {
            batch.push((next, take_rows(&mut rows, PART_ROWS).map_err(read_err)?));
            next += 1;
        }
        crate::render::batch::in_chunks(
            &batch,
            threads,
            threads,
            |(i, part)| {
                let mut data = part_data(*i, part);
                data["footer"] = json!(false);
                let req = request(data);
                let inputs = renderer.inputs_digest(&req);
                let rel = part_path(*i);
                if let Some((_, pages)) = cache.reusable(&rel, &inputs) {
                    return Ok((rel, pages));
                }
                let r = renderer.render(&req).map_err(|e| e.to_string())?;
                // Each part waits on disk, not in memory, until they are joined.
                let (d, _) = cache
                    .write(&rel, &r.pdf)
                    .map_err(|e| format!("无法写入 {rel}：{}", crate::text::io_error(&e)))?;
                cache.made(
                    &rel,
                    Made {
                        inputs,
                        pages: r.pages,
                        sha256: d.sha256,
                        mid: None,
                    },
                );
                Ok((rel, r.pages))
            },
            |_, r| laid_out.extend(r),
        );
    }
    let parts: Vec<(String, usize)> = laid_out
        .into_iter()
        .collect::<Result<_, _>>()
        .map_err(make)?;
    // The page numbers of the whole: for each part, one page of footers per page of the part,
    // numbered from the part's first page within the whole, no table to lay out; laid over the
    // part's pages as it is joined. Made a few at a time and kept on disk like the parts: they
    // depend only on where a part starts, its page count and the whole's, so a change that
    // keeps the page counts makes none again.
    let total: usize = parts.iter().map(|(_, n)| n).sum();
    let footers_path = |i: usize| format!("{}footers-{:04}.pdf", parts_prefix(c.name), i + 1);
    let mut spans: Vec<(usize, usize, usize)> = Vec::with_capacity(parts.len());
    let mut first = 0;
    for (i, (_, pages)) in parts.iter().enumerate() {
        spans.push((i, first, *pages));
        first += pages;
    }
    let mut footed: Vec<Result<String, String>> = Vec::with_capacity(spans.len());
    crate::render::batch::in_chunks(
        &spans,
        threads,
        threads,
        |&(i, first, pages)| {
            let req = request(json!({
                "title": c.name,
                "columns": c.columns,
                "rows": [],
                "footers": pages,
                "first": first,
                "total": total,
            }));
            let inputs = renderer.inputs_digest(&req);
            let rel = footers_path(i);
            if cache.reusable(&rel, &inputs).is_some() {
                return Ok(rel);
            }
            let r = renderer.render(&req).map_err(|e| e.to_string())?;
            if r.pages != pages {
                return Err(format!(
                    "第 {} 部分的页脚排版为 {} 页，该部分共 {pages} 页",
                    i + 1,
                    r.pages
                ));
            }
            let (d, _) = cache
                .write(&rel, &r.pdf)
                .map_err(|e| format!("无法写入 {rel}：{}", crate::text::io_error(&e)))?;
            cache.made(
                &rel,
                Made {
                    inputs,
                    pages: r.pages,
                    sha256: d.sha256,
                    mid: None,
                },
            );
            Ok(rel)
        },
        |_, r| footed.extend(r),
    );
    let footed: Vec<String> = footed.into_iter().collect::<Result<_, _>>().map_err(make)?;
    let read = |rel: &str| {
        cache
            .read(rel)
            .ok_or_else(|| crate::pdf::PdfError::Structure(format!("缺少目录的部分 {rel}")))
    };
    let joined = parts
        .iter()
        .zip(&footed)
        .map(|((part, _), footers)| Ok((read(part)?, read(footers)?)));
    Ok(cache.write_streamed(rel, |w| {
        crate::pdf::join_footed_to(joined, w).map_err(std::io::Error::other)
    }))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One row of the HTML table, its 档号 linking to the volume beside the page.
fn html_row(columns: &[&str], r: &[Cell], link: &str) -> String {
    let href = format!(
        "../{}",
        link.split('/')
            .map(|s| s
                .replace('%', "%25")
                .replace('#', "%23")
                .replace('?', "%3F"))
            .collect::<Vec<_>>()
            .join("/")
    );
    let mut row = String::from("<tr>");
    for (j, v) in r.iter().enumerate() {
        let text = esc(&v.text());
        let num = matches!(v, Cell::Num(_));
        if columns[j] == "档号" {
            row.push_str(&format!("<td><a href=\"{}\">{text}</a></td>", esc(&href)));
        } else if num {
            row.push_str(&format!("<td class=\"n\" data-v=\"{text}\">{text}</td>"));
        } else {
            row.push_str(&format!("<td>{text}</td>"));
        }
    }
    row.push_str("</tr>\n");
    row
}

/// A self-contained page: no external resources; links go to the volumes beside it. Streamed
/// from the spool: head, a row at a time, tail.
fn write_html(cache: &BuildCache, c: &Spooled, rel: &str) -> std::io::Result<Digests> {
    let head: String = c
        .columns
        .iter()
        .map(|h| format!("<th title=\"点击排序\">{h}</th>"))
        .collect();
    cache.write_streamed(rel, |w| {
        w.write_all(html_head(c.name, &head, c.rows).as_bytes())?;
        for row in c.spool.rows()? {
            let (link, cells) = row?;
            w.write_all(html_row(c.columns, &cells, &link).as_bytes())?;
        }
        w.write_all(HTML_TAIL.as_bytes())
    })
}

fn html_head(name: &str, head: &str, count: usize) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{name}</title>
<style>
body{{font-family:"SimSun","Noto Serif CJK SC",serif;margin:1.5em}}
h1{{text-align:center;font-size:1.5em}}
table{{border-collapse:collapse;width:100%}}
th,td{{border:1px solid #444;padding:4px 6px;font-size:0.95em}}
th{{background:#eee;cursor:pointer;position:sticky;top:0}}
td.n{{text-align:right}}
#q{{width:20em;padding:4px;margin-bottom:0.8em}}
</style></head>
<body>
<h1>{name}</h1>
<p>筛选：<input id="q" placeholder="输入任意文字筛选行"> 共 <span id="count">{count}</span> 行</p>
<table id="t"><thead><tr>{head}</tr></thead>
<tbody>
"#
    )
}

const HTML_TAIL: &str = r#"</tbody></table>
<script>
(function(){
var t=document.getElementById('t'),b=t.tBodies[0],q=document.getElementById('q'),c=document.getElementById('count');
q.addEventListener('input',function(){var s=q.value.trim(),n=0;for(var i=0;i<b.rows.length;i++){var r=b.rows[i],ok=!s||r.textContent.indexOf(s)>=0;r.style.display=ok?'':'none';if(ok)n++;}c.textContent=n;});
var ths=t.tHead.rows[0].cells;for(var k=0;k<ths.length;k++)(function(k){var asc=true;ths[k].addEventListener('click',function(){
var rs=Array.prototype.slice.call(b.rows);rs.sort(function(x,y){var a=x.cells[k],d=y.cells[k];
var u=a.dataset.v!==undefined?(+a.dataset.v)-(+d.dataset.v):a.textContent.localeCompare(d.textContent,'zh-CN');return asc?u:-u;});
asc=!asc;rs.forEach(function(r){b.appendChild(r);});});})(k);
})();
</script>
</body></html>
"#;
