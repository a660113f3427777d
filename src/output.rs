//! Writing outputs safely: a temporary name in the same folder, then a rename, so a crash never
//! leaves a half-written file; unchanged content is not rewritten (same bytes, same file time).

use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

/// Writes `data` to `path` through a temporary file and a rename: a reader sees the old file or
/// the new one, never a part. Outputs can be made again, so they are not forced to disk one by
/// one (that cost more than rendering them); the ledger is, see [`write_durable`].
pub fn write_atomic(path: &Path, data: &[u8]) -> std::io::Result<()> {
    write_via_temp(path, data, false)
}

/// Like [`write_atomic`], and on disk before the rename: for records that cannot be remade.
pub fn write_durable(path: &Path, data: &[u8]) -> std::io::Result<()> {
    write_via_temp(path, data, true)
}

/// [`write_durable`] of what `fill` writes a piece at a time (through a buffer), so that a big
/// record is never held whole.
pub fn write_durable_streamed(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    write_filled_via_temp(path, true, |f| {
        let mut w = std::io::BufWriter::new(f);
        fill(&mut w)?;
        w.flush()
    })
}

/// Files written by this process so far (every output goes through [`write_via_temp`]): a build
/// reports the difference, so a no-op rebuild can be seen to write nothing.
static WRITTEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many files this process has written so far.
pub fn files_written() -> usize {
    WRITTEN.load(std::sync::atomic::Ordering::Relaxed)
}

/// A temporary name in the folder of `path` (created if missing): renaming it over `path` is
/// atomic.
fn temp_beside(path: &Path) -> std::io::Result<std::path::PathBuf> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    Ok(dir.join(format!(".{name}.{}.tmp", std::process::id())))
}

fn write_via_temp(path: &Path, data: &[u8], sync: bool) -> std::io::Result<()> {
    write_filled_via_temp(path, sync, |mut f| f.write_all(data))
}

fn write_filled_via_temp(
    path: &Path,
    sync: bool,
    fill: impl FnOnce(&std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let tmp = temp_beside(path)?;
    let result = (|| {
        let f = std::fs::File::create(&tmp)?;
        fill(&f)?;
        if sync {
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path)?;
        WRITTEN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Like [`write_if_changed`] for content made by `fill` a piece at a time: written to a
/// temporary file while hashed, renamed over the old file only when the SHA-256 differs from
/// `existing` (the old file's, when known; else the old file is read). Returns whether it wrote,
/// and the digests.
pub fn write_streamed(
    path: &Path,
    existing: Option<&str>,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<(bool, Digests)> {
    struct Hashing<W> {
        inner: W,
        hashes: Hashes,
    }
    impl<W: Write> Write for Hashing<W> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let n = self.inner.write(buf)?;
            self.hashes.update(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.inner.flush()
        }
    }
    let tmp = temp_beside(path)?;
    let result = (|| {
        let mut w = Hashing {
            inner: std::io::BufWriter::new(std::fs::File::create(&tmp)?),
            hashes: Hashes::default(),
        };
        fill(&mut w)?;
        w.flush()?;
        let digests = w.hashes.finish();
        let old = match existing {
            Some(sha) => Some(sha.to_string()),
            None => file_sha256(path),
        };
        if old.is_some_and(|old| old == digests.sha256) {
            let _ = std::fs::remove_file(&tmp);
            return Ok((false, digests));
        }
        std::fs::rename(&tmp, path)?;
        WRITTEN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok((true, digests))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes only when the content differs from what is there. Returns whether it wrote.
pub fn write_if_changed(path: &Path, data: &[u8]) -> std::io::Result<bool> {
    if std::fs::read(path).is_ok_and(|existing| existing == data) {
        return Ok(false);
    }
    write_atomic(path, data)?;
    Ok(true)
}

/// Where a case's `position`-th document (from 0) is written: `<case-id>/NN-<kind>.pdf`. The
/// archive finds documents by this path, never by sorting names (`100-` sorts before `11-`).
pub fn document_path(case_id: &str, position: usize, kind: &str) -> String {
    format!("{case_id}/{:02}-{kind}.pdf", position + 1)
}

/// A file as it is now: (mtime ns, inode, size). A file replaced through a rename gets a new
/// inode even within one clock tick.
pub type Stamp = (i128, u64, u64);

/// The stamp of a file now; None for what is not a file.
pub fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(0);
    #[cfg(unix)]
    let ino = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let ino = 0;
    Some((mtime, ino, meta.len()))
}

/// The digests of a file's bytes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Digests {
    pub sha256: String,
    pub sm3: String,
    pub size: u64,
}

impl Digests {
    pub fn of(bytes: &[u8]) -> Self {
        Digests {
            sha256: sha256_hex(bytes),
            sm3: sm3_hex(bytes),
            size: bytes.len() as u64,
        }
    }

    /// [`Digests::of`], and both hashes' state after the whole blocks at the start of `bytes`:
    /// at no cost beyond the digests themselves.
    pub fn with_midstate(bytes: &[u8]) -> (Self, Midstate) {
        let (whole, rest) = bytes.split_at(bytes.len() - bytes.len() % BLOCK);
        let mut hashes = Hashes::default();
        hashes.update(whole);
        let mid = Midstate::of(&hashes);
        hashes.update(rest);
        (hashes.finish(), mid)
    }
}

/// SHA-256 and SM3 of bytes given a piece at a time, and how many.
#[derive(Default)]
struct Hashes {
    sha: Sha256,
    sm3: sm3::Sm3,
    size: u64,
}

impl Hashes {
    fn update(&mut self, bytes: &[u8]) {
        self.sha.update(bytes);
        sm3::Digest::update(&mut self.sm3, bytes);
        self.size += bytes.len() as u64;
    }

    fn finish(self) -> Digests {
        Digests {
            sha256: hex::encode(self.sha.finalize()),
            sm3: hex::encode(sm3::Digest::finalize(self.sm3)),
            size: self.size,
        }
    }
}

/// The block both hashes work in.
const BLOCK: usize = 64;
/// Bytes of a hash's own state (its chaining value and block count) in its serialised state,
/// which then has its (here empty) buffer.
const CORE: usize = 40;

/// SHA-256's and SM3's state after the whole blocks at the start of some bytes (hex): the
/// digests of those bytes with more after them are taken from here, not from the first byte.
/// A 件 is its document with its identity appended, so hashing it costs the appended bytes
/// and the document's last partial block, not the document again.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Midstate(String);

impl Midstate {
    fn of(hashes: &Hashes) -> Self {
        use sha2::digest::common::hazmat::SerializableState;
        let mut core = hashes.sha.serialize()[..CORE].to_vec();
        core.extend_from_slice(&hashes.sm3.serialize()[..CORE]);
        Midstate(hex::encode(core))
    }

    /// The digests of `bytes`, which begin with the bytes this state was taken of: None when
    /// the state is not one this version took or `bytes` are shorter than what it covers.
    pub fn resume(&self, bytes: &[u8]) -> Option<Digests> {
        use sha2::digest::common::hazmat::SerializableState;
        let core = hex::decode(&self.0).ok().filter(|c| c.len() == 2 * CORE)?;
        let (sha_core, sm3_core) = core.split_at(CORE);
        // Each core ends with its count of whole blocks (u64, little-endian).
        let blocks = |c: &[u8]| c[32..].try_into().ok().map(u64::from_le_bytes);
        let covered = usize::try_from(blocks(sha_core)?)
            .ok()?
            .checked_mul(BLOCK)?;
        if blocks(sm3_core)? != blocks(sha_core)? || covered > bytes.len() {
            return None;
        }
        // A fresh state's layout (core, then the empty buffer) with the kept core in it.
        let mut sha = Sha256::new().serialize();
        sha[..CORE].copy_from_slice(sha_core);
        let mut sm3 = sm3::Sm3::default().serialize();
        sm3[..CORE].copy_from_slice(sm3_core);
        let mut hashes = Hashes {
            sha: Sha256::deserialize(&sha).ok()?,
            sm3: sm3::Sm3::deserialize(&sm3).ok()?,
            size: covered as u64,
        };
        hashes.update(&bytes[covered..]);
        Some(hashes.finish())
    }
}

/// SHA-256 of a value's JSON, serialised straight into the digest: the text is never held.
pub fn json_sha256(value: &impl serde::Serialize) -> [u8; 32] {
    struct Hashing(Sha256);
    impl Write for Hashing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut h = Hashing(Sha256::new());
    // Writing into a digest cannot fail, and what is hashed here is plain data.
    let _ = serde_json::to_writer(&mut h, value);
    h.0.finalize().into()
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// A digest of a file, read in pieces; None when it cannot be read.
fn file_digest<D: Digest>(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).ok()?;
    let mut hash = D::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
    }
    Some(hex::encode(hash.finalize()))
}

/// SHA-256 of a file; None when it cannot be read.
pub fn file_sha256(path: &Path) -> Option<String> {
    file_digest::<Sha256>(path)
}

/// SM3 (GB/T 32905) in hex.
pub fn sm3_hex(data: &[u8]) -> String {
    use sm3::Digest as _;
    hex::encode(sm3::Sm3::digest(data))
}

/// SM3 of a file; None when it cannot be read.
pub fn file_sm3(path: &Path) -> Option<String> {
    file_digest::<sm3::Sm3>(path)
}

/// Removes outputs of the last build that this one no longer makes (a case, document or
/// campaign taken out, a volume split differently), and the folders that leaves empty. Only plain
/// relative paths inside the output folder; a file anjuan never made is never touched.
pub fn remove_outputs<'a>(out: &Path, stale: impl IntoIterator<Item = &'a String>) {
    for rel in stale {
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

/// Whether `id` can name a case or campaign: its folder and files in the output.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_resumed_from_a_midstate_are_those_of_the_whole() {
        let bytes: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        for len in [0, 1, 63, 64, 65, 128, 500] {
            let (digests, mid) = Digests::with_midstate(&bytes[..len]);
            assert_eq!(digests, Digests::of(&bytes[..len]), "{len}");
            for more in [0, 1, 64, 300] {
                let whole = &bytes[..len + more];
                assert_eq!(mid.resume(whole), Some(Digests::of(whole)), "{len}+{more}");
            }
        }
        // Fewer bytes than the state covers, or a state of another kind: nothing resumed.
        let (_, mid) = Digests::with_midstate(&bytes[..200]);
        assert_eq!(mid.resume(&bytes[..100]), None);
        assert_eq!(Midstate("00".into()).resume(&bytes), None);
    }
}
