//! `OUT/manifest.json`: every output file with its SHA-256, the index the archive stage and
//! `verify` work from.

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

    /// Writes the manifest, sorted, only when its content changed.
    pub fn save(&mut self, out: &Path) -> std::io::Result<()> {
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        let mut text = serde_json::to_string_pretty(self).expect("manifest serializes");
        text.push('\n');
        write_if_changed(&out.join(FILE_NAME), text.as_bytes()).map(|_| ())
    }
}
