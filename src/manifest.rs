//! `OUT/manifest.json`: every output file with its SHA-256 and SM3, the index the archive stage
//! and `verify` work from. A build with a signing key signs it (`manifest.json.sig`).
//!
//! Plain data, one typed section per stage (documents, letters, volumes, catalogues, transfer
//! package): every stage reads the last build's sections and writes its own, and `verify` reads
//! them all without knowing the stages.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const FILE_NAME: &str = "manifest.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Relative to the output folder, with `/`.
    pub path: String,
    pub case: String,
    pub document: String,
    pub title: String,
    pub no: Option<String>,
    pub date: Option<NaiveDate>,
    pub pages: usize,
    pub sha256: String,
    /// SM3 (GB/T 32905) of the file, beside its SHA-256.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sm3: String,
}

impl FileEntry {
    pub fn digests(&self) -> crate::cache::Digests {
        crate::cache::Digests {
            sha256: self.sha256.clone(),
            sm3: self.sm3.clone(),
            size: 0,
        }
    }
}

/// A file listed by a later stage: its path and digests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedFile {
    pub path: String,
    pub sha256: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sm3: String,
}

/// One file of a catalogue (`catalogs`): a catalogue in one format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntry {
    pub path: String,
    pub catalog: String,
    pub format: String,
    pub sha256: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sm3: String,
    /// Digest of the rows it was made from: unchanged rows, files kept.
    pub inputs: String,
}

/// One letter or receipt of a campaign (`letters`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sm3: String,
}

/// A campaign's print file (`print_files`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintFileEntry {
    pub path: String,
    pub campaign: String,
    pub letters: usize,
    pub pages: usize,
    pub blank_pages: usize,
    pub sha256: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sm3: String,
}

/// A campaign's dispatch register in one format (`registers`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterEntry {
    pub path: String,
    pub campaign: String,
    pub format: String,
    pub rows: usize,
    pub sha256: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sm3: String,
}

/// The 档号 settings the volumes were numbered under (`archive`): `verify` checks 档号 against
/// them without the cases root.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveCodes {
    pub code_template: String,
    pub fonds_no: String,
    pub category: String,
    pub org_code: String,
}

/// A path with its digests, whatever section lists it.
pub struct Listed<'a> {
    pub path: &'a str,
    pub sha256: &'a str,
    pub sm3: &'a str,
}

/// Where [`Manifest::keep_sections`] keeps them, below the output folder: a build reads them
/// there rather than scanning the whole manifest (hundreds of MB at 10,000 cases) for them.
const KEPT_SECTIONS: &str = ".anjuan-cache/sections.json";

#[derive(Serialize, Deserialize)]
struct KeptSections {
    manifest_sha256: String,
    sections: Manifest,
}

/// Sections in the order they are written (files first, then by name).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub files: Vec<FileEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive: Option<ArchiveCodes>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub catalogs: Vec<CatalogEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub letters: Vec<LetterEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub print_files: Vec<PrintFileEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub registers: Vec<RegisterEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transfer: Vec<ListedFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<VolumeEntry>,
}

impl Manifest {
    pub fn load(out: &Path) -> Option<Manifest> {
        let bytes = std::fs::read(out.join(FILE_NAME)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// SHA-256 of the manifest's JSON, serialised straight into the digest (never held as text):
    /// two manifests with the same digest list the same.
    pub fn digest(&self) -> [u8; 32] {
        crate::output::json_sha256(self)
    }

    /// Keeps the sections a build holds whole (this manifest's, whose `files`, `volumes` and
    /// `transfer` are written from elsewhere) beside the cache, with the SHA-256 of the
    /// manifest file they went into. Written only when they changed.
    pub fn keep_sections(&self, out: &Path, manifest_sha256: &str) -> std::io::Result<()> {
        let kept = KeptSections {
            manifest_sha256: manifest_sha256.to_string(),
            sections: Manifest {
                files: Vec::new(),
                transfer: Vec::new(),
                volumes: Vec::new(),
                ..self.clone()
            },
        };
        crate::output::write_streamed(&out.join(KEPT_SECTIONS), None, |w| {
            serde_json::to_writer(w, &kept).map_err(std::io::Error::other)
        })
        .map(|_| ())
    }

    /// The sections a build holds whole, as kept with the manifest whose SHA-256 is
    /// `manifest_sha256`: None when they were kept with another.
    pub fn kept_sections(out: &Path, manifest_sha256: &str) -> Option<Manifest> {
        let bytes = std::fs::read(out.join(KEPT_SECTIONS)).ok()?;
        let kept: KeptSections = serde_json::from_slice(&bytes).ok()?;
        (kept.manifest_sha256 == manifest_sha256).then_some(kept.sections)
    }

    /// The sections a build holds whole: all but `files` and `volumes`, whose entries are
    /// kept a case at a time (see `records`), and `transfer`, which the transfer package's stage
    /// keeps apart ([`Manifest::load_transfer`] reads it from an older build's manifest).
    pub fn load_sections(out: &Path) -> Option<Manifest> {
        #[derive(Deserialize)]
        struct Sections {
            #[serde(default)]
            archive: Option<ArchiveCodes>,
            #[serde(default)]
            catalogs: Vec<CatalogEntry>,
            #[serde(default)]
            letters: Vec<LetterEntry>,
            #[serde(default)]
            print_files: Vec<PrintFileEntry>,
            #[serde(default)]
            registers: Vec<RegisterEntry>,
        }
        let file = std::fs::File::open(out.join(FILE_NAME)).ok()?;
        let s: Sections =
            serde_json::from_reader(std::io::BufReader::with_capacity(1 << 16, file)).ok()?;
        Some(Manifest {
            files: Vec::new(),
            archive: s.archive,
            catalogs: s.catalogs,
            letters: s.letters,
            print_files: s.print_files,
            registers: s.registers,
            transfer: Vec::new(),
            volumes: Vec::new(),
        })
    }

    /// The `transfer` section alone, read in one pass over the file.
    pub fn load_transfer(out: &Path) -> Vec<ListedFile> {
        #[derive(Deserialize)]
        struct Transfer {
            #[serde(default)]
            transfer: Vec<ListedFile>,
        }
        std::fs::File::open(out.join(FILE_NAME))
            .ok()
            .and_then(|file| {
                serde_json::from_reader::<_, Transfer>(std::io::BufReader::with_capacity(
                    1 << 16,
                    file,
                ))
                .ok()
            })
            .map(|t| t.transfer)
            .unwrap_or_default()
    }

    /// Writes the manifest with its `files`, `transfer` and `volumes` sections written by
    /// `files`, `transfer` (the member and all, or nothing when there is none) and `volumes`
    /// (none: no volumes) instead of from itself, the rest from itself: byte for byte what
    /// [`Manifest::save`] writes for the whole, without holding its text. Returns the digests of
    /// what the file holds.
    pub fn save_streamed(
        &self,
        out: &Path,
        files: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
        transfer: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<bool>,
        volumes: Option<impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>>,
    ) -> std::io::Result<crate::output::Digests> {
        let sections = Manifest {
            files: Vec::new(),
            archive: self.archive.clone(),
            catalogs: self.catalogs.clone(),
            letters: self.letters.clone(),
            print_files: self.print_files.clone(),
            registers: self.registers.clone(),
            transfer: Vec::new(),
            volumes: Vec::new(),
        };
        let text = serde_json::to_string_pretty(&sections).map_err(std::io::Error::other)?;
        let rest = text
            .strip_prefix("{\n  \"files\": []")
            .and_then(|r| r.strip_suffix("\n}"))
            .ok_or_else(|| std::io::Error::other("manifest layout"))?;
        crate::output::write_streamed(&out.join(FILE_NAME), None, |w| {
            w.write_all(b"{\n  \"files\": ")?;
            files(&mut *w)?;
            w.write_all(rest.as_bytes())?;
            transfer(&mut *w)?;
            if let Some(volumes) = volumes {
                w.write_all(b",\n  \"volumes\": ")?;
                volumes(&mut *w)?;
            }
            w.write_all(b"\n}\n")
        })
        .map(|(_, d)| d)
    }

    /// Every file listed, in any section, with its digests (a volume's item files too).
    pub fn listed(&self) -> Vec<Listed<'_>> {
        fn l<'a>(path: &'a str, sha256: &'a str, sm3: &'a str) -> Listed<'a> {
            Listed { path, sha256, sm3 }
        }
        let mut all: Vec<Listed> = Vec::new();
        all.extend(self.files.iter().map(|f| l(&f.path, &f.sha256, &f.sm3)));
        all.extend(self.catalogs.iter().map(|f| l(&f.path, &f.sha256, &f.sm3)));
        all.extend(self.letters.iter().map(|f| l(&f.path, &f.sha256, &f.sm3)));
        all.extend(
            self.print_files
                .iter()
                .map(|f| l(&f.path, &f.sha256, &f.sm3)),
        );
        all.extend(self.registers.iter().map(|f| l(&f.path, &f.sha256, &f.sm3)));
        all.extend(self.transfer.iter().map(|f| l(&f.path, &f.sha256, &f.sm3)));
        for v in &self.volumes {
            all.push(l(&v.path, &v.sha256, &v.sm3));
            for it in &v.items {
                if let Some(f) = &it.file {
                    all.push(l(f, &it.sha256, &it.sm3));
                }
            }
        }
        all
    }

    /// Every output file it lists, in any section.
    pub fn paths(&self) -> std::collections::BTreeSet<String> {
        self.listed().iter().map(|l| l.path.to_string()).collect()
    }

    /// Writes the manifest, sorted, only when its content changed. Streamed to the file: the
    /// text of a large manifest is never held whole.
    pub fn save(&mut self, out: &Path) -> std::io::Result<()> {
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        crate::output::write_streamed(&out.join(FILE_NAME), None, |w| {
            serde_json::to_writer_pretty(&mut *w, self).map_err(std::io::Error::other)?;
            w.write_all(b"\n")
        })
        .map(|_| ())
    }
}

/// A JSON array as a member of the manifest's top-level object, the entries of each item from
/// `each` in turn: byte for byte what `serde_json::to_writer_pretty` writes for the whole
/// manifest.
pub fn write_member_array<'a, I, T: Serialize, E: IntoIterator<Item = T>>(
    w: &mut dyn std::io::Write,
    items: &'a [I],
    mut each: impl FnMut(&'a I) -> E,
) -> std::io::Result<()> {
    write_member_entries(w, items.iter().flat_map(&mut each))
}

/// [`write_member_array`] of the entries `entries` gives.
pub fn write_member_entries<T: Serialize>(
    w: &mut dyn std::io::Write,
    entries: impl IntoIterator<Item = T>,
) -> std::io::Result<()> {
    let mut first = true;
    w.write_all(b"[")?;
    for value in entries {
        w.write_all(if first { b"\n    " } else { b",\n    " })?;
        first = false;
        let text = serde_json::to_string_pretty(&value).map_err(std::io::Error::other)?;
        // Pretty JSON has no raw line break inside a string: each line is indented anew.
        w.write_all(text.replace('\n', "\n    ").as_bytes())?;
    }
    w.write_all(if first { b"]" } else { b"\n  ]" })
}

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

impl VolumeEntry {
    /// The year whose transfer package holds the volume: its own year (of its last document,
    /// archive.md revision 2); volumes of older builds, which did not record it, by their filing
    /// year.
    pub fn bag_year(&self) -> i32 {
        use chrono::Datelike;
        if self.year != 0 {
            self.year
        } else {
            self.filed_on.year()
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
