//! What a build remembers of its outputs between runs, in `OUT/.anjuan-cache/`:
//! - for each document, volume and catalogue part, a digest of everything it was made from
//!   (template data, templates, fonts, identity) and its page count: inputs unchanged, nothing is
//!   rendered again;
//! - for each output file, its size, modification time and inode with its SHA-256 and SM3: a
//!   file whose stamp is unchanged is known without being read.
//!
//! A cache, never evidence: it is not in the signed manifest, `verify` never reads it, and lost
//! or stale it costs only time (files are read and hashed again). Every output a build writes or
//! keeps goes through here, so a no-op rebuild reads no output file at all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

pub(crate) use crate::output::stamp;
use crate::output::write_atomic;
pub use crate::output::{Digests, Midstate};

/// The cache's folder in the output folder: its records and the parts of laid-out catalogues.
pub const DIR: &str = ".anjuan-cache";
/// The records, below [`DIR`].
pub const FILE_NAME: &str = ".anjuan-cache/index.json";

/// Bumped when what the cache records changes meaning: an older cache is then ignored.
const VERSION: u32 = 2;

/// A file as it was when its digests were taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Known {
    /// Modification time (ns since the epoch) and inode: a file rewritten through a rename gets
    /// a new inode even within one clock tick.
    mtime: i128,
    ino: u64,
    #[serde(flatten)]
    digests: Digests,
}

impl Known {
    /// Whether the file's stamp now, (mtime ns, inode, size), is the one recorded.
    fn is_at(&self, (mtime, ino, size): (i128, u64, u64)) -> bool {
        self.mtime == mtime && self.ino == ino && self.digests.size == size
    }
}

/// What an output was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Made {
    pub inputs: String,
    pub pages: usize,
    /// SHA-256 of what was made.
    pub sha256: String,
    /// Of a document: its hashes' state after its whole blocks, to hash its 件 (the document
    /// with its identity appended) from there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mid: Option<Midstate>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    version: u32,
    made: BTreeMap<String, Made>,
    files: BTreeMap<String, Known>,
}

/// The records of one case's outputs (its documents, volumes and their 件 files), kept with
/// the case's other records (see `records`) rather than in the index, so that a build holds
/// them only while it works on that case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    #[serde(default)]
    made: BTreeMap<String, Made>,
    #[serde(default)]
    files: BTreeMap<String, Known>,
}

impl Shard {
    /// The shard kept in the file `rel` (below the output folder), if there is one of this
    /// version of anjuan.
    pub fn load(out: &Path, rel: &str) -> Shard {
        #[derive(Deserialize)]
        struct Kept {
            version: u32,
            // Not flattened: serde's flattening cannot carry the stamps' i128.
            shard: Shard,
        }
        std::fs::read(out.join(rel))
            .ok()
            .and_then(|b| serde_json::from_slice::<Kept>(&b).ok())
            .filter(|k| k.version == VERSION)
            .map(|k| k.shard)
            .unwrap_or_default()
    }

    /// Keeps the shard in the file `rel` (written only when it changed).
    pub fn save(&self, out: &Path, rel: &str) -> std::io::Result<()> {
        #[derive(Serialize)]
        struct Kept<'a> {
            version: u32,
            // Not flattened: serde's flattening cannot carry the stamps' i128.
            shard: &'a Shard,
        }
        let kept = Kept {
            version: VERSION,
            shard: self,
        };
        crate::output::write_streamed(&out.join(rel), None, |w| {
            serde_json::to_writer(w, &kept).map_err(std::io::Error::other)
        })
        .map(|_| ())
    }

    /// How many files it has records of.
    pub fn files(&self) -> usize {
        self.files.len()
    }

    /// The paths it has records of.
    pub fn paths(&self) -> impl Iterator<Item = &String> {
        self.made.keys().chain(self.files.keys())
    }
}

pub struct BuildCache {
    out: PathBuf,
    /// The last build's records: the index, and the shards of the cases being worked on.
    previous: Mutex<Stored>,
    now: Mutex<Stored>,
}

/// Takes the entries of `map` whose keys begin with `prefix` out of it.
fn split_below<V>(map: &mut BTreeMap<String, V>, prefix: &str) -> BTreeMap<String, V> {
    let mut below = map.split_off(prefix);
    let past: Option<String> = below.keys().find(|k| !k.starts_with(prefix)).cloned();
    if let Some(past) = past {
        map.append(&mut below.split_off(&past));
    }
    below
}

impl BuildCache {
    /// The cache of the last build into `out` (empty when there is none or it cannot be read).
    pub fn load(out: &Path) -> Self {
        let previous = std::fs::read(out.join(FILE_NAME))
            .ok()
            .and_then(|b| serde_json::from_slice::<Stored>(&b).ok())
            .filter(|s| s.version == VERSION)
            .unwrap_or_default();
        BuildCache {
            out: out.to_path_buf(),
            previous: Mutex::new(previous),
            now: Mutex::new(Stored {
                version: VERSION,
                ..Stored::default()
            }),
        }
    }

    fn now(&self) -> std::sync::MutexGuard<'_, Stored> {
        self.now.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn previous(&self) -> std::sync::MutexGuard<'_, Stored> {
        self.previous.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a case's records of the last build in, for the time its outputs are worked on.
    pub fn adopt(&self, shard: Shard) {
        let mut previous = self.previous();
        previous.made.extend(shard.made);
        previous.files.extend(shard.files);
    }

    /// Takes out the records of `paths` (a case's outputs): this build's, or the last build's
    /// where this build left one untouched (an output kept as it stands). Neither is held
    /// afterwards.
    pub fn take<'a>(&self, paths: impl IntoIterator<Item = &'a str>) -> Shard {
        let mut now = self.now();
        let mut previous = self.previous();
        let mut shard = Shard::default();
        for p in paths {
            let before_made = previous.made.remove(p);
            let before_file = previous.files.remove(p);
            if let Some(m) = now.made.remove(p).or(before_made) {
                shard.made.insert(p.to_string(), m);
            }
            if let Some(k) = now.files.remove(p).or(before_file) {
                shard.files.insert(p.to_string(), k);
            }
        }
        shard
    }

    /// [`BuildCache::take`] of every record below `prefix` (a folder's outputs).
    pub fn take_below(&self, prefix: &str) -> Shard {
        let mut now = self.now();
        let mut previous = self.previous();
        let mut shard = Shard::default();
        for stored in [&mut *previous, &mut *now] {
            // This build's records come second: they replace the last build's.
            shard.made.extend(split_below(&mut stored.made, prefix));
            shard.files.extend(split_below(&mut stored.files, prefix));
        }
        shard
    }

    /// Forgets every record of `paths`, the last build's and any this build made on the way
    /// (`holds` records what it looked at): a case whose outputs were not made again, outputs
    /// it no longer has, a bag's copy that is a link of its volume's file.
    pub fn forget<'a>(&self, paths: impl IntoIterator<Item = &'a str>) {
        let mut now = self.now();
        let mut previous = self.previous();
        for p in paths {
            for stored in [&mut *previous, &mut *now] {
                stored.made.remove(p);
                stored.files.remove(p);
            }
        }
    }

    /// The digests of the output file `rel`: the recorded ones while its stamp is unchanged,
    /// else read and hashed. None when it cannot be read.
    pub fn digests(&self, rel: &str) -> Option<Digests> {
        let path = self.out.join(rel);
        let at = stamp(&path)?;
        let (mtime, ino, _) = at;
        // Recorded by this build (written a moment ago) or by the last one.
        let this_build = self.now().files.get(rel).cloned();
        let recorded = this_build
            .or_else(|| self.previous().files.get(rel).cloned())
            .filter(|k| k.is_at(at))
            .map(|k| k.digests);
        let digests = match recorded {
            Some(d) => d,
            None => Digests::of(&std::fs::read(&path).ok()?),
        };
        self.now().files.insert(
            rel.to_string(),
            Known {
                mtime,
                ino,
                digests: digests.clone(),
            },
        );
        Some(digests)
    }

    /// Whether `rel` is still the file with SHA-256 `sha256` as `shard` (a case's own records,
    /// not taken in) records it, known from its stamp alone: nothing locked, read or recorded.
    /// A file whose stamp changed may still hold the bytes: [`BuildCache::holds`] reads it.
    pub fn holds_as_recorded(&self, shard: &Shard, rel: &str, sha256: &str) -> bool {
        shard.files.get(rel).is_some_and(|k| {
            k.digests.sha256 == sha256 && stamp(&self.out.join(rel)).is_some_and(|at| k.is_at(at))
        })
    }

    /// Whether `rel` is still the file with SHA-256 `sha256` (read only when its stamp changed).
    pub fn holds(&self, rel: &str, sha256: &str) -> bool {
        self.digests(rel).is_some_and(|d| d.sha256 == sha256)
    }

    /// Writes `bytes` to `rel` unless the file there already holds them; records it either way.
    /// Returns the digests and whether it wrote.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<(Digests, bool)> {
        let digests = Digests::of(bytes);
        let wrote = self.write_known(rel, bytes, &digests)?;
        Ok((digests, wrote))
    }

    /// [`BuildCache::write`] with the digests of `bytes` already taken. Returns whether it wrote.
    pub fn write_known(&self, rel: &str, bytes: &[u8], digests: &Digests) -> std::io::Result<bool> {
        if self.holds(rel, &digests.sha256) {
            return Ok(false);
        }
        write_atomic(&self.out.join(rel), bytes)?;
        self.record(rel, digests);
        Ok(true)
    }

    /// The digests and page count of `rel` when the last build made it from `inputs` and it is
    /// still that file: nothing to make again (and this build records it as made so).
    pub fn reusable(&self, rel: &str, inputs: &str) -> Option<(Digests, usize)> {
        let made = self
            .previous()
            .made
            .get(rel)
            .filter(|m| m.inputs == inputs)
            .cloned()?;
        let d = self.digests(rel).filter(|d| d.sha256 == made.sha256)?;
        let pages = made.pages;
        self.made(rel, made);
        Some((d, pages))
    }

    /// Writes what `fill` makes to `rel` a piece at a time, unless the file there already holds
    /// the same bytes; records it either way.
    pub fn write_streamed(
        &self,
        rel: &str,
        fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> std::io::Result<Digests> {
        let known = self.digests(rel).map(|d| d.sha256);
        let (_, digests) =
            crate::output::write_streamed(&self.out.join(rel), known.as_deref(), fill)?;
        self.record(rel, &digests);
        Ok(digests)
    }

    /// Records a file just written with known digests (a copy, a link).
    pub fn record(&self, rel: &str, digests: &Digests) {
        if let Some((mtime, ino, size)) = stamp(&self.out.join(rel)) {
            let digests = Digests {
                size,
                ..digests.clone()
            };
            self.now().files.insert(
                rel.to_string(),
                Known {
                    mtime,
                    ino,
                    digests,
                },
            );
        }
    }

    /// Whether `rel` is, by its stamp, the file the last build recorded (then carried over as
    /// this build's record too).
    pub fn as_last_recorded(&self, rel: &str) -> bool {
        let same = self.recorded(rel).is_some();
        if same {
            self.keep(rel);
        }
        same
    }

    /// The last build's digests of `rel` while the file is still as it recorded it (nothing is
    /// read or recorded).
    pub fn recorded(&self, rel: &str) -> Option<Digests> {
        let at = stamp(&self.out.join(rel))?;
        let previous = self.previous();
        let known = previous.files.get(rel).filter(|k| k.is_at(at))?;
        Some(known.digests.clone())
    }

    /// What `rel` was made from by the last build.
    pub fn made_before(&self, rel: &str) -> Option<Made> {
        self.previous().made.get(rel).cloned()
    }

    /// Records what `rel` is made from in this build.
    pub fn made(&self, rel: &str, made: Made) {
        self.now().made.insert(rel.to_string(), made);
    }

    /// The hashes' state part way through `rel` (a document), when the file there is still
    /// the one made with it and holds `sha256`.
    pub fn midstate(&self, rel: &str, sha256: &str) -> Option<Midstate> {
        let of_these_bytes = |m: &Made| (m.sha256 == sha256).then(|| m.mid.clone()).flatten();
        let this_build = self.now().made.get(rel).and_then(of_these_bytes);
        let mid = this_build.or_else(|| self.previous().made.get(rel).and_then(of_these_bytes))?;
        self.holds(rel, sha256).then_some(mid)
    }

    /// Carries the last build's records of `rel` over unchanged (an output this build keeps
    /// without looking at it: a failed case's documents).
    pub fn keep(&self, rel: &str) {
        let mut now = self.now();
        let previous = self.previous();
        if let Some(m) = previous.made.get(rel) {
            now.made.entry(rel.to_string()).or_insert_with(|| m.clone());
        }
        if let Some(k) = previous.files.get(rel) {
            now.files
                .entry(rel.to_string())
                .or_insert_with(|| k.clone());
        }
    }

    /// Reads a file below the output folder that this build knows (a cached part).
    pub fn read(&self, rel: &str) -> Option<Vec<u8>> {
        std::fs::read(self.out.join(rel)).ok()
    }

    /// [`BuildCache::keep`] for every record below `prefix` (the parts of a catalogue reused
    /// whole).
    pub fn keep_below(&self, prefix: &str) {
        let mut now = self.now();
        let previous = self.previous();
        for (k, m) in previous.made.range(prefix.to_string()..) {
            if !k.starts_with(prefix) {
                break;
            }
            now.made.entry(k.clone()).or_insert_with(|| m.clone());
        }
        for (k, f) in previous.files.range(prefix.to_string()..) {
            if !k.starts_with(prefix) {
                break;
            }
            now.files.entry(k.clone()).or_insert_with(|| f.clone());
        }
    }

    /// Files the last build made that this one neither made nor kept.
    pub fn no_longer_made(&self) -> Vec<String> {
        let now = self.now();
        self.previous()
            .files
            .keys()
            .filter(|k| !now.files.contains_key(*k))
            .cloned()
            .collect()
    }

    /// Writes this build's records (only when they changed).
    pub fn save(&self) -> std::io::Result<()> {
        let now = self.now();
        crate::output::write_streamed(&self.out.join(FILE_NAME), None, |w| {
            serde_json::to_writer(w, &*now).map_err(std::io::Error::other)
        })
        .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A shard kept in its own file comes back whole: its files' stamps (an i128 of
    /// nanoseconds) included, so the next build knows them unread.
    #[test]
    fn a_kept_shard_loads_back_whole() {
        let out = std::env::temp_dir().join(format!("anjuan-shard-{}", std::process::id()));
        std::fs::create_dir_all(out.join(DIR)).unwrap();
        std::fs::write(out.join("a.pdf"), b"%PDF-1.7 a").unwrap();
        let cache = BuildCache::load(&out);
        cache.record("a.pdf", &Digests::of(b"%PDF-1.7 a"));
        let shard = cache.take(["a.pdf"]);
        assert_eq!(shard.paths().count(), 1);
        shard.save(&out, ".anjuan-cache/kept.json").unwrap();
        let back = Shard::load(&out, ".anjuan-cache/kept.json");
        assert_eq!(back, shard);
        let again = BuildCache::load(&out);
        again.adopt(back);
        assert!(again.as_last_recorded("a.pdf"));
        std::fs::remove_dir_all(&out).unwrap();
    }
}
