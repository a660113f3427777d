//! The print file of a campaign: every letter one after the other, each starting on an odd page
//! (a blank page is put in after a letter with an odd page count) so a duplex printer never
//! prints two letters on one sheet.
//!
//! Written as a stream, one letter at a time, so memory does not grow with the number of
//! letters: each letter's objects are renumbered into the file and written out, only the page
//! list and the cross-reference offsets are kept.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use lopdf::{Dictionary, Document, Object, ObjectId, Writer};
use sha2::{Digest, Sha256};

const CATALOG: u32 = 1;
const PAGES: u32 = 2;
/// Page attributes a page may inherit from its page tree nodes.
const INHERITED: &[&[u8]] = &[b"MediaBox", b"CropBox", b"Resources", b"Rotate"];

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("无法读取 {0}：{1}")]
    Read(PathBuf, String),
    #[error("无法写入打印文件 {}：{}", .0.display(), crate::text::io_error(.1))]
    Write(PathBuf, std::io::Error),
}

/// The print file written: pages in total (blank ones included) and its SHA-256.
pub struct PrintFile {
    pub pages: usize,
    pub blank: usize,
    pub sha256: String,
    pub written: bool,
}

struct Counting<W: Write> {
    inner: W,
    bytes: u64,
    hash: Sha256,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Merges `letters` into `out`; the file is replaced only when its bytes change.
pub fn merge(letters: &[PathBuf], out: &Path) -> Result<PrintFile, PrintError> {
    let werr = |e: std::io::Error| PrintError::Write(out.to_path_buf(), e);
    let dir = out.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(werr)?;
    let tmp = dir.join(format!(".print.{}.tmp", std::process::id()));
    let result = write_merged(letters, &tmp, out);
    let (pages, blank, sha) = match result {
        Ok(x) => x,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    let unchanged = crate::output::file_sha256(out).is_some_and(|old| old == sha);
    if unchanged {
        let _ = std::fs::remove_file(&tmp);
    } else {
        std::fs::rename(&tmp, out).map_err(werr)?;
    }
    Ok(PrintFile {
        pages,
        blank,
        sha256: sha,
        written: !unchanged,
    })
}

fn write_merged(
    letters: &[PathBuf],
    tmp: &Path,
    out: &Path,
) -> Result<(usize, usize, String), PrintError> {
    let werr = |e: std::io::Error| PrintError::Write(out.to_path_buf(), e);
    let file = File::create(tmp).map_err(werr)?;
    let mut w = Counting {
        inner: BufWriter::new(file),
        bytes: 0,
        hash: Sha256::new(),
    };
    w.write_all(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n")
        .map_err(werr)?;
    let mut offsets: Vec<u64> = vec![0; 3];
    let mut kids: Vec<Object> = Vec::new();
    let mut blank = 0;
    let mut media_box = Object::Array(vec![
        0.into(),
        0.into(),
        Object::Real(595.276),
        Object::Real(841.89),
    ]);
    // The letters are PDF/A-2b; the print file keeps the first one's identification (XMP
    // metadata and output intent) so that it stays an archivable file too.
    let mut identity: Vec<(&[u8], Object)> = Vec::new();
    for (n, path) in letters.iter().enumerate() {
        let mut doc =
            Document::load(path).map_err(|e| PrintError::Read(path.clone(), e.to_string()))?;
        doc.renumber_objects_with(offsets.len() as u32);
        if n == 0
            && let Ok(catalog) = doc.catalog()
        {
            for key in [&b"Metadata"[..], b"OutputIntents"] {
                if let Ok(v) = catalog.get(key) {
                    identity.push((key, v.clone()));
                }
            }
        }
        let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
        for &id in &pages {
            let dict = inherit(&doc, id);
            if let Some(mb) = dict.get(b"MediaBox").ok().cloned() {
                media_box = mb;
            }
            doc.objects.insert(id, Object::Dictionary(dict));
            kids.push(Object::Reference(id));
        }
        let max = doc.objects.keys().map(|(i, _)| *i).max().unwrap_or(0);
        for id in offsets.len() as u32..=max {
            offsets.push(w.bytes);
            let obj = match doc.objects.get(&(id, 0)) {
                // The letter's own catalog and page tree are replaced by the print file's.
                Some(o) if !is_tree(o) => o,
                _ => &Object::Null,
            };
            write_object(&mut w, id, obj).map_err(werr)?;
        }
        let odd = kids.len() % 2 == 1;
        if odd && n + 1 < letters.len() {
            let id = offsets.len() as u32;
            offsets.push(w.bytes);
            let mut page = Dictionary::new();
            page.set("Type", Object::Name(b"Page".to_vec()));
            page.set("Parent", Object::Reference((PAGES, 0)));
            page.set("MediaBox", media_box.clone());
            page.set("Resources", Object::Dictionary(Dictionary::new()));
            write_object(&mut w, id, &Object::Dictionary(page)).map_err(werr)?;
            kids.push(Object::Reference((id, 0)));
            blank += 1;
        }
    }
    let count = kids.len();
    let mut tree = Dictionary::new();
    tree.set("Type", Object::Name(b"Pages".to_vec()));
    tree.set("Kids", Object::Array(kids));
    tree.set("Count", Object::Integer(count as i64));
    offsets[PAGES as usize] = w.bytes;
    write_object(&mut w, PAGES, &Object::Dictionary(tree)).map_err(werr)?;
    let mut catalog = Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", Object::Reference((PAGES, 0)));
    for (key, value) in identity {
        catalog.set(key, value);
    }
    offsets[CATALOG as usize] = w.bytes;
    write_object(&mut w, CATALOG, &Object::Dictionary(catalog)).map_err(werr)?;

    let xref = w.bytes;
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len());
    for off in &offsets[1..] {
        table.push_str(&format!("{off:010} 00000 n \n"));
    }
    // PDF/A wants a file identifier: derived from the content, so rebuilds are identical.
    let id = &hex::encode(w.hash.clone().finalize())[..32];
    table.push_str(&format!(
        "trailer\n<< /Size {} /Root {CATALOG} 0 R /ID [<{id}> <{id}>] >>\nstartxref\n{xref}\n%%EOF\n",
        offsets.len()
    ));
    w.write_all(table.as_bytes()).map_err(werr)?;
    w.flush().map_err(werr)?;
    let sha = hex::encode(w.hash.clone().finalize());
    let file = w.inner.into_inner().map_err(|e| werr(e.into_error()))?;
    file.sync_all().map_err(werr)?;
    Ok((count, blank, sha))
}

fn is_tree(o: &Object) -> bool {
    let ty = match o {
        Object::Dictionary(d) => d.get(b"Type").ok(),
        _ => None,
    };
    matches!(ty, Some(Object::Name(n)) if n == b"Catalog" || n == b"Pages")
}

/// The page's dictionary with inherited attributes copied in and its parent set to the print
/// file's page tree.
fn inherit(doc: &Document, id: ObjectId) -> Dictionary {
    let mut page = doc.get_dictionary(id).cloned().unwrap_or_default();
    let mut parent = page.get(b"Parent").and_then(Object::as_reference).ok();
    let mut guard = 0;
    while let Some(pid) = parent {
        let Ok(node) = doc.get_dictionary(pid) else {
            break;
        };
        for key in INHERITED {
            if !page.has(key)
                && let Ok(v) = node.get(key)
            {
                page.set(key.to_vec(), v.clone());
            }
        }
        parent = node.get(b"Parent").and_then(Object::as_reference).ok();
        guard += 1;
        if guard > 64 {
            break;
        }
    }
    page.set("Parent", Object::Reference((PAGES, 0)));
    page
}

fn write_object<W: Write>(w: &mut W, id: u32, obj: &Object) -> std::io::Result<()> {
    write!(
        w,
        "{id} 0 obj\n{}",
        if Writer::need_separator(obj) { " " } else { "" }
    )?;
    Writer::write_object(w, obj).map_err(|e| std::io::Error::other(e.to_string()))?;
    writeln!(
        w,
        "{}\nendobj",
        if Writer::need_end_separator(obj) {
            " "
        } else {
            ""
        }
    )
}
