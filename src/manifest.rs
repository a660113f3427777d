//! `OUT/manifest.json`: every output file with its SHA-256 and SM3, the index the archive stage
//! and `verify` work from. A build with a signing key signs it (`manifest.json.sig`).

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::output::write_if_changed;

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

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub files: Vec<FileEntry>,
    /// Sections added by later stages (volumes, catalogues, letters), kept as they are.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Manifest {
    pub fn load(out: &Path) -> Option<Manifest> {
        let text = std::fs::read_to_string(out.join(FILE_NAME)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Every output file it lists, in any section.
    pub fn paths(&self) -> std::collections::BTreeSet<String> {
        let mut paths: std::collections::BTreeSet<String> =
            self.files.iter().map(|f| f.path.clone()).collect();
        for value in self.extra.values() {
            for entry in value.as_array().into_iter().flatten() {
                if let Some(p) = entry.get("path").and_then(|p| p.as_str()) {
                    paths.insert(p.to_string());
                }
            }
        }
        paths
    }

    /// Removes the files `previous` listed that this manifest no longer does (a case or
    /// campaign taken out of the cases root), and the folders that leaves empty. Files anjuan
    /// never listed are not touched.
    pub fn remove_dropped(&self, previous: &std::collections::BTreeSet<String>, out: &Path) {
        let now = self.paths();
        for rel in previous.difference(&now) {
            // Only plain relative paths inside the output folder.
            if rel.split('/').any(|part| part == ".." || part.is_empty()) {
                continue;
            }
            let path = out.join(rel);
            if std::fs::remove_file(&path).is_ok() {
                let mut dir = path.parent();
                while let Some(d) = dir.filter(|d| *d != out) {
                    if std::fs::remove_dir(d).is_err() {
                        break;
                    }
                    dir = d.parent();
                }
            }
        }
    }

    /// Writes the manifest, sorted, only when its content changed. Every entry with a SHA-256
    /// gets its SM3 beside it (kept when known, else taken from the last manifest for the same
    /// file and SHA-256, else computed from the file).
    pub fn save(&mut self, out: &Path) -> std::io::Result<()> {
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        self.fill_sm3(out);
        let mut text = serde_json::to_string_pretty(self).expect("manifest serializes");
        text.push('\n');
        write_if_changed(&out.join(FILE_NAME), text.as_bytes()).map(|_| ())
    }

    fn fill_sm3(&mut self, out: &Path) {
        let mut known: std::collections::HashMap<(String, String), String> = Default::default();
        if let Some(prev) = Manifest::load(out) {
            for f in prev.files.iter().filter(|f| !f.sm3.is_empty()) {
                known.insert((f.path.clone(), f.sha256.clone()), f.sm3.clone());
            }
            for v in prev.extra.values() {
                visit_entries(&mut v.clone(), &mut |e| {
                    if let (Some(p), Some(h), Some(s)) = (
                        e.get("path").and_then(|x| x.as_str()),
                        e.get("sha256").and_then(|x| x.as_str()),
                        e.get("sm3").and_then(|x| x.as_str()),
                    ) {
                        known.insert((p.to_string(), h.to_string()), s.to_string());
                    }
                });
            }
        }
        let sm3_of = |path: &str, sha: &str| -> String {
            known
                .get(&(path.to_string(), sha.to_string()))
                .cloned()
                .or_else(|| crate::output::file_sm3(&out.join(path)))
                .unwrap_or_default()
        };
        for f in self.files.iter_mut().filter(|f| f.sm3.is_empty()) {
            f.sm3 = sm3_of(&f.path, &f.sha256);
        }
        for v in self.extra.values_mut() {
            visit_entries(v, &mut |e| {
                let has = e
                    .get("sm3")
                    .and_then(|x| x.as_str())
                    .is_some_and(|s| !s.is_empty());
                if has {
                    return;
                }
                let (Some(p), Some(h)) = (
                    e.get("path").and_then(|x| x.as_str()),
                    e.get("sha256").and_then(|x| x.as_str()),
                ) else {
                    return;
                };
                let s = sm3_of(p, h);
                if !s.is_empty() {
                    e.insert("sm3".into(), serde_json::Value::String(s));
                }
            });
        }
    }
}

/// Calls `f` on every object of the top-level arrays of a section (each a file entry when it has
/// `path` and `sha256`).
fn visit_entries(
    value: &mut serde_json::Value,
    f: &mut dyn FnMut(&mut serde_json::Map<String, serde_json::Value>),
) {
    if let Some(arr) = value.as_array_mut() {
        for e in arr {
            if let Some(obj) = e.as_object_mut() {
                f(obj);
            }
        }
    }
}
