//! 案卷目录 (one row per volume) and 归档文件目录 (one row per document, across all volumes), as
//! archive.md lists their columns: PDF (A4 landscape, repeating header, page x of y), XLSX
//! (typed columns, frozen header, widths fitting the Chinese text), CSV (UTF-8 with BOM) and an
//! offline HTML page (sortable, filterable, rows linking to their volume).

use chrono::NaiveDate;
use serde_json::json;
use sha2::Digest;
use unicode_width::UnicodeWidthStr;

use crate::cache::{BuildCache, Digests, Made};
use crate::manifest::{CatalogEntry, VolumeEntry};
use crate::render::{RenderRequest, Renderer};
use crate::stage::{BuildContext, BuildError, Stage};

pub const DIR: &str = "catalogs";

/// A cell: text, or a number (typed in the XLSX).
#[derive(Debug, Clone, PartialEq)]
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

/// Both catalogues over the volumes (sorted by 档号).
pub fn catalogs<'a>(volumes: impl IntoIterator<Item = &'a VolumeEntry>) -> [Catalog; 2] {
    let mut vols: Vec<&VolumeEntry> = volumes.into_iter().collect();
    vols.sort_by(|a, b| (&a.archive_code, a.volume).cmp(&(&b.archive_code, b.volume)));
    let mut by_volume = Catalog {
        name: "案卷目录",
        columns: VOLUME_COLUMNS,
        rows: Vec::new(),
        links: Vec::new(),
    };
    let mut by_item = Catalog {
        name: "归档文件目录",
        columns: ITEM_COLUMNS,
        rows: Vec::new(),
        links: Vec::new(),
    };
    for v in &vols {
        let title = if v.volumes > 1 {
            format!("{}（第{}卷 共{}卷）", v.title, v.volume, v.volumes)
        } else {
            v.title.clone()
        };
        let secret = v.classification.clone().unwrap_or_default();
        by_volume.rows.push(vec![
            Cell::Num(by_volume.rows.len() + 1),
            t(&v.archive_code),
            t(title),
            t(format!("{}-{}", date8(v.start_date), date8(v.end_date))),
            Cell::Num(v.items.len()),
            Cell::Num(v.content_pages),
            t(&v.retention),
            t(&secret),
            t(v.remarks.clone().unwrap_or_default()),
        ]);
        by_volume.links.push(v.path.clone());
        for it in &v.items {
            // Each 件 its own 档号 (a volume of an old build without them: derived).
            let code = if it.code.is_empty() {
                crate::manifest::item_code(&v.archive_code, it.seq)
            } else {
                it.code.clone()
            };
            by_item.rows.push(vec![
                Cell::Num(by_item.rows.len() + 1),
                t(code),
                t(it.no.clone().unwrap_or_default()),
                t(&it.author),
                t(&it.title),
                t(date8(it.date)),
                t(&secret),
                Cell::Num(it.pages),
                t(it.remarks.clone().unwrap_or_default()),
            ]);
            by_item.links.push(v.path.clone());
        }
    }
    [by_volume, by_item]
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("无法生成 {0}：{1}")]
    Make(String, String),
    #[error("无法写入 {}：{}", .0, crate::text::io_error(.1))]
    Write(String, std::io::Error),
}

/// 目录: both catalogues over the volumes, in every format, recorded in the manifest's
/// `catalogs`. Nothing filed yet: no catalogues, and none left from before.
pub struct Catalogues;

impl Stage for Catalogues {
    fn name(&self) -> &'static str {
        "目录"
    }

    fn run(&self, cx: &mut BuildContext) -> Result<(), BuildError> {
        let volumes = &cx.manifest.volumes;
        if volumes.is_empty() {
            return Ok(());
        }
        let date = volumes.iter().map(|v| v.filed_on).max();
        let previous = std::mem::take(&mut cx.previous.catalogs);
        match write(cx.renderer, &cx.cache, volumes, date, &previous) {
            Ok(entries) => cx.manifest.catalogs = entries,
            Err(e) => cx.settings_error("archive", e.to_string()),
        }
        Ok(())
    }
}

/// Writes every catalogue in every format, each file as soon as it is made; returns the
/// manifest entries. `date` dates the files (never the clock).
pub fn write(
    renderer: &Renderer,
    cache: &BuildCache,
    volumes: &[VolumeEntry],
    date: Option<NaiveDate>,
    previous: &[CatalogEntry],
) -> Result<Vec<CatalogEntry>, CatalogError> {
    let mut entries = Vec::new();
    for c in catalogs(volumes) {
        // Unchanged rows: the files of the last build stand (the PDF is the costly one).
        let inputs = {
            let mut h = sha2::Sha256::new();
            h.update(format!("{}\n{date:?}\n", renderer.fingerprint()));
            for (row, link) in c.rows.iter().zip(&c.links) {
                for cell in row {
                    h.update(cell.text());
                    h.update([0x1f]);
                }
                h.update(link);
                h.update([0x1e]);
            }
            hex::encode(h.finalize())
        };
        let reused: Vec<CatalogEntry> = previous
            .iter()
            .filter(|e| e.catalog == c.name && e.inputs == inputs)
            .filter(|e| cache.holds(&e.path, &e.sha256))
            .cloned()
            .collect();
        if reused.len() == 4 {
            entries.extend(reused);
            cache.keep_below(&parts_prefix(c.name));
            continue;
        }
        let mut stages = crate::memstat::Stages::from_env();
        let mut put = |ext: &str, bytes: Option<Vec<u8>>| -> Result<(), CatalogError> {
            let rel = format!("{DIR}/{}.{ext}", c.name);
            let d = match bytes {
                Some(bytes) => cache.write(&rel, &bytes).map(|(d, _)| d),
                // The PDF: joined from its parts straight into the file.
                None => write_pdf(renderer, cache, &c, date, &rel)?,
            }
            .map_err(|e| CatalogError::Write(rel.clone(), e))?;
            entries.push(CatalogEntry {
                path: rel,
                catalog: c.name.to_string(),
                format: ext.to_string(),
                sha256: d.sha256,
                sm3: d.sm3,
                inputs: inputs.clone(),
            });
            stages.done(&format!("{}.{ext}", c.name));
            Ok(())
        };
        put("csv", Some(csv_bytes(&c)?))?;
        put("xlsx", Some(xlsx_bytes(&c, date)?))?;
        put("html", Some(html(&c).into_bytes()))?;
        put("pdf", None)?;
    }
    Ok(entries)
}

fn csv_bytes(c: &Catalog) -> Result<Vec<u8>, CatalogError> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let err = |e: csv::Error| CatalogError::Make(format!("{}.csv", c.name), e.to_string());
    w.write_record(c.columns).map_err(err)?;
    for r in &c.rows {
        w.write_record(r.iter().map(Cell::text)).map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| CatalogError::Make(format!("{}.csv", c.name), e.to_string()))
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

fn xlsx_bytes(c: &Catalog, date: Option<NaiveDate>) -> Result<Vec<u8>, CatalogError> {
    let err = |e: rust_xlsxwriter::XlsxError| {
        CatalogError::Make(format!("{}.xlsx", c.name), e.to_string())
    };
    // A fixed creation time keeps the bytes the same for the same catalogue.
    let d = date.unwrap_or_else(|| NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date"));
    let mut wb = crate::xlsx::workbook(c.name, d).map_err(err)?;
    let head = crate::xlsx::header();
    let cell = crate::xlsx::cell();
    let ws = wb.add_worksheet();
    ws.set_name(c.name).map_err(err)?;
    ws.set_landscape();
    let mut widths: Vec<usize> = c.columns.iter().map(|h| h.width()).collect();
    for (j, h) in c.columns.iter().enumerate() {
        ws.write_string_with_format(0, j as u16, *h, &head)
            .map_err(err)?;
    }
    for (i, r) in c.rows.iter().enumerate() {
        for (j, v) in r.iter().enumerate() {
            let (row, col) = ((i + 1) as u32, j as u16);
            match v {
                Cell::Num(n) => ws
                    .write_number_with_format(row, col, *n as f64, &cell)
                    .map_err(err)?,
                Cell::Text(s) => ws
                    .write_string_with_format(row, col, s, &cell)
                    .map_err(err)?,
            };
            widths[j] = widths[j].max(v.text().width());
        }
    }
    for (j, w) in widths.iter().enumerate() {
        ws.set_column_width(j as u16, (*w as f64 * 1.1 + 2.0).min(60.0))
            .map_err(err)?;
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    ws.autofilter(0, 0, c.rows.len() as u32, (c.columns.len() - 1) as u16)
        .map_err(err)?;
    wb.save_to_buffer().map_err(err)
}

/// Rows of the PDF catalogue laid out as one typst document: a catalogue of many volumes is
/// laid out in parts of this many rows and joined, so its memory does not grow with its length.
pub const PART_ROWS: usize = 120;

/// Where the parts of a catalogue's PDF are kept between builds.
fn parts_prefix(name: &str) -> String {
    format!("{}/parts/{name}-", crate::cache::DIR)
}

/// Lays out the catalogue's PDF and writes it to `rel`. The outer result is the layout's, the
/// inner the writing's.
fn write_pdf(
    renderer: &Renderer,
    cache: &BuildCache,
    c: &Catalog,
    date: Option<NaiveDate>,
    rel: &str,
) -> Result<std::io::Result<Digests>, CatalogError> {
    let make = |e: String| CatalogError::Make(format!("{}.pdf", c.name), e);
    let rows: Vec<Vec<String>> = c
        .rows
        .iter()
        .map(|r| r.iter().map(Cell::text).collect())
        .collect();
    let parts: Vec<&[Vec<String>]> = if rows.is_empty() {
        vec![&rows[..]]
    } else {
        rows.chunks(PART_ROWS).collect()
    };
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
    if parts.len() == 1 {
        // One part: typst counts its own pages.
        let req = request(part_data(0, parts[0]));
        let pdf = renderer.render(&req).map_err(|e| make(e.to_string()))?.pdf;
        return Ok(cache.write(rel, &pdf).map(|(d, _)| d));
    }
    let indexed: Vec<(usize, &[Vec<String>])> = parts.iter().copied().enumerate().collect();
    let threads = crate::render::batch::threads();
    // Each part is laid out once, without page numbers, and kept in the build cache: it does
    // not depend on the other parts, so a catalogue where one case changed lays out again only
    // the part that lists it.
    let part_path = |i: usize| format!("{}part-{:04}.pdf", parts_prefix(c.name), i + 1);
    let mut laid_out: Vec<Result<(String, usize), String>> = Vec::new();
    crate::render::batch::in_chunks(
        &indexed,
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
                },
            );
            Ok((rel, r.pages))
        },
        |_, r| laid_out.extend(r),
    );
    let parts: Vec<(String, usize)> = laid_out
        .into_iter()
        .collect::<Result<_, _>>()
        .map_err(make)?;
    // The page numbers of the whole: one page of footers per page, no table to lay out; laid
    // over the parts' pages as they are joined.
    let total: usize = parts.iter().map(|(_, n)| n).sum();
    let req = request(json!({
        "title": c.name,
        "columns": c.columns,
        "rows": [],
        "footers": total,
    }));
    let inputs = renderer.inputs_digest(&req);
    let footers_rel = format!("{}footers.pdf", parts_prefix(c.name));
    let footers = match cache
        .reusable(&footers_rel, &inputs)
        .and_then(|_| cache.read(&footers_rel))
    {
        Some(pdf) => pdf,
        None => {
            let r = renderer.render(&req).map_err(|e| make(e.to_string()))?;
            if r.pages != total {
                return Err(make(format!(
                    "页脚排版为 {} 页，目录共 {total} 页",
                    r.pages
                )));
            }
            let (d, _) = cache.write(&footers_rel, &r.pdf).map_err(|e| {
                make(format!(
                    "无法写入 {footers_rel}：{}",
                    crate::text::io_error(&e)
                ))
            })?;
            cache.made(
                &footers_rel,
                Made {
                    inputs,
                    pages: r.pages,
                    sha256: d.sha256,
                },
            );
            r.pdf
        }
    };
    let read = |(rel, _): &(String, usize)| {
        cache
            .read(rel)
            .ok_or_else(|| crate::pdf::PdfError::Structure(format!("缺少目录的部分 {rel}")))
    };
    Ok(cache.write_streamed(rel, |w| {
        crate::pdf::join_footed_to(parts.iter().map(read), &footers, w)
            .map_err(std::io::Error::other)
    }))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A self-contained page: no external resources; links go to the volumes beside it.
fn html(c: &Catalog) -> String {
    let mut rows = String::new();
    for (r, link) in c.rows.iter().zip(&c.links) {
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
        rows.push_str("<tr>");
        for (j, v) in r.iter().enumerate() {
            let text = esc(&v.text());
            let num = matches!(v, Cell::Num(_));
            if c.columns[j] == "档号" {
                rows.push_str(&format!("<td><a href=\"{}\">{text}</a></td>", esc(&href)));
            } else if num {
                rows.push_str(&format!("<td class=\"n\" data-v=\"{text}\">{text}</td>"));
            } else {
                rows.push_str(&format!("<td>{text}</td>"));
            }
        }
        rows.push_str("</tr>\n");
    }
    let head: String = c
        .columns
        .iter()
        .map(|h| format!("<th title=\"点击排序\">{h}</th>"))
        .collect();
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
{rows}</tbody></table>
<script>
(function(){{
var t=document.getElementById('t'),b=t.tBodies[0],q=document.getElementById('q'),c=document.getElementById('count');
q.addEventListener('input',function(){{var s=q.value.trim(),n=0;for(var i=0;i<b.rows.length;i++){{var r=b.rows[i],ok=!s||r.textContent.indexOf(s)>=0;r.style.display=ok?'':'none';if(ok)n++;}}c.textContent=n;}});
var ths=t.tHead.rows[0].cells;for(var k=0;k<ths.length;k++)(function(k){{var asc=true;ths[k].addEventListener('click',function(){{
var rs=Array.prototype.slice.call(b.rows);rs.sort(function(x,y){{var a=x.cells[k],d=y.cells[k];
var u=a.dataset.v!==undefined?(+a.dataset.v)-(+d.dataset.v):a.textContent.localeCompare(d.textContent,'zh-CN');return asc?u:-u;}});
asc=!asc;rs.forEach(function(r){{b.appendChild(r);}});}});}})(k);
}})();
</script>
</body></html>
"#,
        name = c.name,
        count = c.rows.len(),
    )
}
