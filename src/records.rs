//! What the build knows of each case's outputs, one file a case in
//! `OUT/.anjuan-cache/cases/<id>.json`: its documents and volumes as the manifest lists them, with
//! the cache's records of those files. A build works through the cases a few at a time and holds
//! only those cases' records: memory does not grow with the number of cases, and a case that did
//! not change is a file left as it is.
//!
//! The manifest is written from these files at the end of a build. A case whose outputs stand (it
//! failed now, or the build read only part of the cases root) keeps its file untouched, so its
//! outputs stay listed. Lost, the records are made again from `manifest.json`
//! ([`Records::open`]); like the rest of the cache they are never evidence.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cache::Shard;
use crate::manifest::{FileEntry, Manifest, VolumeEntry};

/// Below the output folder.
pub const DIR: &str = ".anjuan-cache/cases";

/// Bumped when a record changes shape: older records are made again from the manifest.
const VERSION: u32 = 2;

/// One case's outputs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    #[serde(default)]
    pub version: u32,
    /// Digest of everything the case's outputs are made from (see `build::case_sources`):
    /// unchanged, its documents and volumes are neither made nor looked into again.
    #[serde(default)]
    pub sources: String,
    /// The case file, as messages show it: a file that cannot be read as a case now (a syntax
    /// error) still owns its outputs, which stand.
    #[serde(default)]
    pub file: String,
    /// Its documents, by path.
    pub files: Vec<FileEntry>,
    /// Its volumes, by path.
    #[serde(default)]
    pub volumes: Vec<VolumeEntry>,
    /// The cache's records of those files.
    #[serde(default)]
    pub cache: Shard,
}

impl CaseRecord {
    /// Every output file of the case: documents, volumes and their 件 files.
    pub fn paths(&self) -> Vec<&str> {
        let mut paths: Vec<&str> = self.files.iter().map(|f| f.path.as_str()).collect();
        for v in &self.volumes {
            paths.push(&v.path);
            paths.extend(v.items.iter().filter_map(|it| it.file.as_deref()));
        }
        paths
    }
}

/// What 立卷 needs of an unchanged case's volumes, taken from its record when its documents were
/// found unchanged (so that the record is read once): each volume's year and 档号 in volume
/// order, and their keys for the index.
#[derive(Debug, Default)]
pub struct Stood {
    pub codes: Vec<(i32, String)>,
    pub keys: Vec<VolumeKey>,
}

/// The records of one output folder.
pub struct Records {
    dir: PathBuf,
    /// Whether this build wrote or removed a record: the manifest is then written again.
    changed: std::sync::atomic::AtomicBool,
}

impl Records {
    /// The records of `out`; when there are none yet but the folder has a manifest (a build of
    /// an older anjuan, or the cache deleted), they are made from it first, so that the outputs
    /// of cases this build does not make again stay listed.
    pub fn open(out: &Path) -> std::io::Result<Records> {
        let records = Records {
            dir: out.join(DIR),
            changed: Default::default(),
        };
        let marker = records.dir.join(".version");
        let current = std::fs::read_to_string(&marker).ok();
        if current.as_deref() != Some(&VERSION.to_string()) {
            if records.dir.exists() {
                std::fs::remove_dir_all(&records.dir)?;
            }
            std::fs::create_dir_all(&records.dir)?;
            if let Some(m) = Manifest::load(out) {
                records.fill_from(m)?;
            }
            crate::output::write_atomic(&marker, VERSION.to_string().as_bytes())?;
        }
        Ok(records)
    }

    fn fill_from(&self, m: Manifest) -> std::io::Result<()> {
        let mut by_case: std::collections::BTreeMap<String, CaseRecord> = Default::default();
        for f in m.files {
            by_case.entry(f.case.clone()).or_default().files.push(f);
        }
        for v in m.volumes {
            by_case.entry(v.case.clone()).or_default().volumes.push(v);
        }
        for (id, r) in by_case {
            if crate::output::valid_id(&id) {
                self.save(&id, r)?;
            }
        }
        Ok(())
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// The case's record, if the last build left one.
    pub fn load(&self, id: &str) -> Option<CaseRecord> {
        let bytes = std::fs::read(self.path(id)).ok()?;
        serde_json::from_slice::<CaseRecord>(&bytes)
            .ok()
            .filter(|r| r.version == VERSION)
    }

    /// Writes the case's record (sorted), only when it changed.
    pub fn save(&self, id: &str, mut record: CaseRecord) -> std::io::Result<()> {
        record.version = VERSION;
        record.files.sort_by(|a, b| a.path.cmp(&b.path));
        record.volumes.sort_by(|a, b| a.path.cmp(&b.path));
        let (wrote, _) = crate::output::write_streamed(&self.path(id), None, |w| {
            serde_json::to_writer(&mut *w, &record).map_err(std::io::Error::other)
        })?;
        if wrote {
            self.changed
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    }

    /// Forgets a case (no longer in the cases root).
    pub fn remove(&self, id: &str) {
        if std::fs::remove_file(self.path(id)).is_ok() {
            self.changed
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Whether this build wrote or removed any record.
    pub fn changed(&self) -> bool {
        self.changed.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The cases with a record, in the order the manifest lists their documents (by path,
    /// `<id>/…`).
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let id = name.strip_suffix(".json")?;
                crate::output::valid_id(id).then(|| id.to_string())
            })
            .collect();
        ids.sort_by_cached_key(|id| format!("{id}/"));
        ids
    }

    /// The index of every recorded volume, by path: what the stages after 立卷 know of the
    /// volumes without holding them (see [`VolumeKey`]). The records are read one at a time.
    pub fn volume_index(&self) -> Vec<VolumeKey> {
        let mut all: Vec<VolumeKey> = Vec::new();
        for id in self.ids() {
            if let Some(r) = self.load(&id) {
                all.extend(r.volumes.into_iter().map(VolumeKey::of));
            }
        }
        all.sort_by(|a, b| a.path.cmp(&b.path));
        all
    }

    /// The volumes of `keys`, whole (without their page digests, which only `verify` reads), in
    /// the order given: each case's record is read once per run of its volumes, and only that
    /// record is held.
    pub fn entries<'a, I>(&'a self, keys: I) -> Entries<'a, I::IntoIter>
    where
        I: IntoIterator<Item = &'a VolumeKey>,
    {
        Entries {
            records: self,
            keys: keys.into_iter(),
            current: None,
        }
    }

    /// Writes the manifest's `files` section from every record, one case at a time, in the
    /// manifest's own layout (pretty JSON, each entry indented as a member of the top object's
    /// array).
    pub fn write_files(&self, ids: &[String], w: &mut dyn Write) -> std::io::Result<()> {
        crate::manifest::write_member_array(w, ids, |id| {
            self.load(id).map(|r| r.files).unwrap_or_default()
        })
    }

    /// The manifest's `volumes` section: the volumes `listed` (by path, as
    /// [`Records::volume_index`] gives them) written whole from their cases' records, a run of
    /// one case's volumes at a time.
    pub fn write_volumes(&self, listed: &[VolumeKey], w: &mut dyn Write) -> std::io::Result<()> {
        let mut runs: Vec<(&str, Vec<&str>)> = Vec::new();
        for v in listed {
            match runs.last_mut() {
                Some((case, paths)) if *case == &*v.case => paths.push(&v.path),
                _ => runs.push((&v.case, vec![&v.path])),
            }
        }
        crate::manifest::write_member_array(w, &runs, |(case, paths)| {
            let mut volumes: Vec<VolumeEntry> =
                self.load(case).map(|r| r.volumes).unwrap_or_default();
            volumes.retain(|v| paths.contains(&v.path.as_str()));
            volumes
        })
    }
}

/// What the stages after 立卷 keep of a volume (about 200 bytes, however many 件 it holds):
/// enough to order, group and count the volumes, and a digest of its whole entry so that what is
/// made from the entries can be known unchanged without reading them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeKey {
    pub path: Box<str>,
    pub case: Box<str>,
    pub archive_code: Box<str>,
    pub volume: u32,
    pub filed_on: chrono::NaiveDate,
    /// The year of the transfer package that holds it (`VolumeEntry::bag_year`).
    pub year: i32,
    /// Its 件.
    pub items: u32,
    /// SHA-256 of the entry's JSON without its page digests.
    pub digest: [u8; 32],
}

impl VolumeKey {
    pub fn of(mut v: VolumeEntry) -> VolumeKey {
        v.page_digests = Vec::new();
        VolumeKey {
            digest: entry_digest(&v),
            year: v.bag_year(),
            items: v.items.len() as u32,
            volume: v.volume as u32,
            filed_on: v.filed_on,
            path: v.path.into(),
            case: v.case.into(),
            archive_code: v.archive_code.into(),
        }
    }

    /// The order of the catalogues: by 档号 and volume (a sort that keeps the index's order
    /// among equals, as `catalog::catalogs` does over volumes by path).
    pub fn catalogue_order<'a>(
        keys: impl IntoIterator<Item = &'a VolumeKey>,
    ) -> Vec<&'a VolumeKey> {
        let mut keys: Vec<&VolumeKey> = keys.into_iter().collect();
        keys.sort_by(|a, b| (&a.archive_code, a.volume).cmp(&(&b.archive_code, b.volume)));
        keys
    }
}

/// SHA-256 of a volume entry's JSON, serialised straight into the digest.
pub fn entry_digest(v: &VolumeEntry) -> [u8; 32] {
    crate::output::json_sha256(v)
}

/// A volume of the index that its case's record no longer lists.
#[derive(Debug, thiserror::Error)]
#[error("案件 {case} 的记录中没有案卷 {path}（输出目录中的生成记录可能被改动或删除，请重新生成）")]
pub struct MissingVolume {
    pub case: String,
    pub path: String,
}

/// The volumes of an index, whole, read from their cases' records (see [`Records::entries`]).
pub struct Entries<'a, I> {
    records: &'a Records,
    keys: I,
    /// The case whose record is held, and its volumes not yet given.
    current: Option<(String, Vec<VolumeEntry>)>,
}

impl<'a, I: Iterator<Item = &'a VolumeKey>> Iterator for Entries<'a, I> {
    type Item = Result<VolumeEntry, MissingVolume>;

    fn next(&mut self) -> Option<Self::Item> {
        let key = self.keys.next()?;
        if self.current.as_ref().is_none_or(|(c, _)| **c != *key.case) {
            // The previous case's record goes before the next is read.
            self.current = None;
            let volumes = self
                .records
                .load(&key.case)
                .map(|r| r.volumes)
                .unwrap_or_default();
            self.current = Some((key.case.to_string(), volumes));
        }
        let volumes = self.current.as_mut().map(|(_, v)| v)?;
        let found = volumes.iter().position(|v| *v.path == *key.path);
        Some(
            found
                .map(|i| {
                    let mut v = volumes.swap_remove(i);
                    v.page_digests = Vec::new();
                    v
                })
                .ok_or_else(|| MissingVolume {
                    case: key.case.to_string(),
                    path: key.path.to_string(),
                }),
        )
    }
}
