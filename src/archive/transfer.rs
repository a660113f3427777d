//! 归档移交包 `OUT/transfer/<year>/` (archive.md): 说明文件.TXT, 案卷目录.XML, 文件目录.XML and
//! `电子档案/<档号>.pdf`, wrapped as a BagIt 1.0 bag. BagIt keeps the payload under `data/`, so
//! those files sit in `data/`, with bagit.txt, bag-info.txt (Payload-Oxum),
//! manifest-sha256.txt and tagmanifest-sha256.txt beside it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};

use super::VolumeEntry;
use crate::catalog::{self, Cell};
use crate::output::{sha256_hex, write_if_changed};

pub const DIR: &str = "transfer";

/// Writes one bag per filing year; returns the manifest entries `{path, sha256}`.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("移交包：无法读取 {}：{}", .0, crate::text::io_error(.1))]
    Read(String, std::io::Error),
    #[error("移交包：无法写入 {}：{}", .0, crate::text::io_error(.1))]
    Write(String, std::io::Error),
}

pub fn write(
    volumes: &[VolumeEntry],
    fonds_name: &str,
    out: &Path,
) -> Result<Vec<Value>, TransferError> {
    let mut by_year: BTreeMap<i32, Vec<VolumeEntry>> = BTreeMap::new();
    for v in volumes {
        use chrono::Datelike;
        // The volume's year (of its last document); volumes of older builds by filing.
        let year = if v.year != 0 {
            v.year
        } else {
            v.filed_on.year()
        };
        by_year.entry(year).or_default().push(v.clone());
    }
    let mut entries = Vec::new();
    for (year, vols) in &by_year {
        for (rel, content) in bag(*year, vols, fonds_name, out)? {
            let path = format!("{DIR}/{year}/{rel}");
            let target = out.join(&path);
            let sha = match content {
                Content::Bytes(bytes) => {
                    write_if_changed(&target, &bytes)
                        .map_err(|e| TransferError::Write(path.clone(), e))?;
                    sha256_hex(&bytes)
                }
                Content::Copy { from, sha256, .. } => {
                    copy_if_changed(&from, &target, &sha256)
                        .map_err(|e| TransferError::Write(path.clone(), e))?;
                    sha256
                }
            };
            entries.push(json!({"path": path, "sha256": sha}));
        }
    }
    remove_stale(out, &entries);
    Ok(entries)
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A catalogue as XML, each row with 电子档案名称 (the volume file's name).
fn catalog_xml(root: &str, row_tag: &str, c: &catalog::Catalog) -> Vec<u8> {
    let mut s = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root}>\n");
    for (r, link) in c.rows.iter().zip(&c.links) {
        s.push_str(&format!("  <{row_tag}>\n"));
        for (name, cell) in c.columns.iter().zip(r) {
            s.push_str(&format!(
                "    <{name}>{}</{name}>\n",
                xml_escape(&cell.text())
            ));
        }
        let file = link.rsplit('/').next().unwrap_or(link);
        s.push_str(&format!(
            "    <电子档案名称>{}</电子档案名称>\n",
            xml_escape(file)
        ));
        s.push_str(&format!("  </{row_tag}>\n"));
    }
    s.push_str(&format!("</{root}>\n"));
    s.into_bytes()
}

/// A file of the bag: made here, or a volume copied in (a year's volumes are never all held in
/// memory; their digests are known from the build).
enum Content {
    Bytes(Vec<u8>),
    Copy {
        from: std::path::PathBuf,
        sha256: String,
        size: u64,
    },
}

impl Content {
    fn sha256(&self) -> String {
        match self {
            Content::Bytes(b) => sha256_hex(b),
            Content::Copy { sha256, .. } => sha256.clone(),
        }
    }
    fn size(&self) -> u64 {
        match self {
            Content::Bytes(b) => b.len() as u64,
            Content::Copy { size, .. } => *size,
        }
    }
}

/// Copies `from` to `to` through a temporary name, unless `to` already has the digest `sha256`.
fn copy_if_changed(from: &Path, to: &Path, sha256: &str) -> std::io::Result<()> {
    if crate::output::file_sha256(to).is_some_and(|have| have == sha256) {
        return Ok(());
    }
    let dir = to.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".copy.{}.tmp", std::process::id()));
    std::fs::copy(from, &tmp)?;
    std::fs::rename(&tmp, to).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Every file of one year's bag, relative to the bag's folder.
fn bag(
    year: i32,
    vols: &[VolumeEntry],
    fonds_name: &str,
    out: &Path,
) -> Result<Vec<(String, Content)>, TransferError> {
    let [by_volume, by_item] = catalog::catalogs(vols);
    let mut payload: Vec<(String, Content)> = Vec::new();
    for v in vols {
        let from = out.join(&v.path);
        let size = std::fs::metadata(&from)
            .map_err(|e| TransferError::Read(v.path.clone(), e))?
            .len();
        let name = v.path.rsplit('/').next().unwrap_or(&v.path);
        let content = Content::Copy {
            from,
            sha256: v.sha256.clone(),
            size,
        };
        payload.push((format!("data/电子档案/{name}"), content));
    }
    let pages: usize = by_volume
        .rows
        .iter()
        .map(|r| if let Cell::Num(n) = r[5] { n } else { 0 })
        .sum();
    let note = format!(
        "归档移交说明\r\n\r\n全宗名称：{fonds_name}\r\n归档年度：{year}\r\n内容：{} 卷案卷（{} 件文件，共 {pages} 页）的电子档案，每卷一个 PDF/A-2b 文件，\r\n      文件名为档号；案卷目录.XML 和 文件目录.XML 为对应的目录。\r\n摘要算法：SHA-256（见 manifest-sha256.txt、tagmanifest-sha256.txt）\r\n封装格式：BagIt 1.0\r\n生成工具：anjuan {}\r\n",
        by_volume.rows.len(),
        by_item.rows.len(),
        env!("CARGO_PKG_VERSION"),
    );
    payload.push((
        "data/说明文件.TXT".into(),
        Content::Bytes(note.into_bytes()),
    ));
    payload.push((
        "data/案卷目录.XML".into(),
        Content::Bytes(catalog_xml("案卷目录", "案卷", &by_volume)),
    ));
    payload.push((
        "data/文件目录.XML".into(),
        Content::Bytes(catalog_xml("文件目录", "文件", &by_item)),
    ));
    payload.sort_by(|a, b| a.0.cmp(&b.0));

    let oxum_bytes: u64 = payload.iter().map(|(_, c)| c.size()).sum();
    let manifest: String = payload
        .iter()
        .map(|(p, c)| format!("{}  {p}\n", c.sha256()))
        .collect();
    let bagit = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".to_string();
    let date = vols
        .iter()
        .map(|v| v.filed_on)
        .max()
        .map(|d| d.to_string())
        .unwrap_or_default();
    let info = format!(
        "Source-Organization: {fonds_name}\nBagging-Date: {date}\nPayload-Oxum: {oxum_bytes}.{}\nExternal-Description: {year} 年度归档电子档案移交包\nBag-Software-Agent: anjuan {}\n",
        payload.len(),
        env!("CARGO_PKG_VERSION"),
    );
    let mut tags = vec![
        ("bag-info.txt".to_string(), info.into_bytes()),
        ("bagit.txt".to_string(), bagit.into_bytes()),
        ("manifest-sha256.txt".to_string(), manifest.into_bytes()),
    ];
    let tagmanifest: String = tags
        .iter()
        .map(|(p, b)| format!("{}  {p}\n", sha256_hex(b)))
        .collect();
    tags.push(("tagmanifest-sha256.txt".into(), tagmanifest.into_bytes()));
    payload.extend(tags.into_iter().map(|(p, b)| (p, Content::Bytes(b))));
    Ok(payload)
}

/// Removes files under `transfer/` this build did not write.
fn remove_stale(out: &Path, entries: &[Value]) {
    let keep: BTreeSet<&str> = entries
        .iter()
        .filter_map(|e| e.get("path").and_then(|p| p.as_str()))
        .collect();
    let dir = out.join(DIR);
    for e in walkdir::WalkDir::new(&dir)
        .contents_first(true)
        .into_iter()
        .flatten()
    {
        let rel = e
            .path()
            .strip_prefix(out)
            .unwrap_or(e.path())
            .to_string_lossy()
            .replace('\\', "/");
        if e.file_type().is_file() && !keep.contains(rel.as_str()) {
            let _ = std::fs::remove_file(e.path());
        } else if e.file_type().is_dir() {
            // Only empty folders go; the call fails harmlessly on the others.
            let _ = std::fs::remove_dir(e.path());
        }
    }
}
