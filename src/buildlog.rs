//! The end of every build: `manifest.json` signed with the office's SM2 key (when `anjuan.yaml`
//! has `signing`), and one line appended to the build log `anjuan-builds.log` in the cases root,
//! beside the ledger: when, the manifest's SM3, how many files and volumes. The log is outside
//! the output folder, so `verify --cases ROOT` can tell a manifest rewritten after the build
//! from the one the build wrote. The file is only ever appended to, one write per line.

use std::io::Write;
use std::path::Path;

use std::marker::PhantomData;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use crate::diagnostics::Ctx;
use crate::manifest;
use crate::output::write_if_changed;
use crate::problems::Problems;
use crate::settings::Settings;
use crate::signing;

pub const FILE_NAME: &str = "anjuan-builds.log";

const HEADER: &str = "# anjuan 生成记录：每次 anjuan build 追加一行（时间、清单 manifest.json 的 SM3、文件数、案卷数、是否签名、输出目录）。\n# 只追加，不修改；anjuan verify --cases 用最后一行核对输出目录。请勿编辑或删除。\n";

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    #[serde(rename = "时间")]
    pub time: String,
    #[serde(rename = "清单SM3")]
    pub manifest_sm3: String,
    #[serde(rename = "文件数")]
    pub files: usize,
    #[serde(rename = "文书数")]
    pub documents: usize,
    #[serde(rename = "案卷数")]
    pub volumes: usize,
    #[serde(rename = "已签名")]
    pub signed: bool,
    #[serde(rename = "输出目录")]
    pub out: String,
}

/// Signs the manifest the build just wrote and records the build. Problems are about
/// `anjuan.yaml`'s `signing` block or the log. The manifest is read once, in fixed-size pieces
/// (it is hundreds of MB at 10,000 cases): its SM3, the digest its signature signs and the
/// counts of the log are all taken from that one pass.
pub fn seal(settings: &Settings, root: &Path, out: &Path) -> Problems {
    let mut ctx = Ctx::new(crate::settings::FILE_NAME, "");
    let Ok(file) = std::fs::File::open(out.join(manifest::FILE_NAME)) else {
        return ctx.problems;
    };
    let sig_path = out.join(format!("{}{}", manifest::FILE_NAME, signing::SIG_SUFFIX));
    let signer = match settings.signer() {
        Ok(Some(signer)) => {
            let key = settings.private_key_path();
            if let (Ok(k), Ok(r)) = (key.canonicalize(), root.canonicalize())
                && k.starts_with(&r)
            {
                ctx.warn(
                    "signing.private_key",
                    "私钥文件在案件根目录之内：案件根目录是共享的，私钥应另行保管（见 README“签名密钥”）",
                );
            }
            if signing::readable_by_others(&key) {
                ctx.warn(
                    "signing.private_key",
                    format!(
                        "私钥文件 {} 其他用户也能读取，应改为只有本人可读（chmod 600）",
                        key.display()
                    ),
                );
            }
            Some(signer)
        }
        Ok(None) => {
            // An unsigned build leaves no signature of an earlier manifest behind.
            let _ = std::fs::remove_file(&sig_path);
            None
        }
        Err(e) => {
            let _ = std::fs::remove_file(&sig_path);
            ctx.error("signing", format!("{e}；本次输出未签名"));
            None
        }
    };
    let Some((manifest_sm3, digest, m)) = read_manifest(file, signer.as_ref()) else {
        return ctx.problems;
    };
    let mut signed = false;
    if let (Some(signer), Some(digest)) = (&signer, digest) {
        let sig = signer.detached_signed(manifest::FILE_NAME, &manifest_sm3, digest);
        match write_if_changed(&sig_path, &sig) {
            Ok(_) => signed = true,
            Err(e) => ctx.error(
                "signing",
                format!(
                    "无法写入清单签名 {}：{}",
                    sig_path.display(),
                    crate::text::io_error(&e)
                ),
            ),
        }
    }
    let entry = LogEntry {
        time: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        manifest_sm3,
        files: m.files(),
        documents: m.files.len,
        volumes: m.volumes.len,
        signed,
        out: std::path::absolute(out)
            .unwrap_or_else(|_| out.to_path_buf())
            .display()
            .to_string(),
    };
    if let Err(e) = append(root, &entry) {
        ctx.error(
            "",
            format!(
                "无法追加生成记录 {}：{}",
                root.join(FILE_NAME).display(),
                crate::text::io_error(&e)
            ),
        );
    }
    ctx.problems
}

/// One pass over the manifest: its SM3 (hex), the signer's message digest, and its counts (all
/// zero when it is not a manifest). None when it cannot be read to its end.
fn read_manifest(
    file: std::fs::File,
    signer: Option<&signing::Signer>,
) -> Option<(String, Option<sm3::Sm3>, Counts)> {
    let mut reader =
        std::io::BufReader::with_capacity(1 << 16, signing::Digests::new(file, signer));
    let counts: Counts = serde_json::from_reader(&mut reader).unwrap_or_default();
    // What the parser left unread (after an error: the rest of the file) is still hashed.
    std::io::copy(&mut reader, &mut std::io::sink()).ok()?;
    let (sm3, digest) = reader.into_inner().finish();
    Some((sm3, digest, counts))
}

/// Appends one line (a new log starts with its header), in one write.
fn append(root: &Path, entry: &LogEntry) -> std::io::Result<()> {
    let path = root.join(FILE_NAME);
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)?;
    let mut line = String::new();
    if f.metadata()?.len() == 0 {
        line.push_str(HEADER);
    }
    line.push_str(&serde_json::to_string(entry).expect("log entry serializes"));
    line.push('\n');
    f.write_all(line.as_bytes())?;
    f.sync_all()
}

/// Every entry of the log, oldest first; None when there is no log.
pub fn read(root: &Path) -> Option<Vec<LogEntry>> {
    let text = std::fs::read_to_string(root.join(FILE_NAME)).ok()?;
    Some(
        text.lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect(),
    )
}

/// What the log counts of a manifest, read without holding its entries: each list is only
/// counted, element by element, as the parser passes it.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct Counts {
    files: Seq<IgnoredAny>,
    catalogs: Seq<IgnoredAny>,
    letters: Seq<IgnoredAny>,
    print_files: Seq<IgnoredAny>,
    registers: Seq<IgnoredAny>,
    transfer: Seq<IgnoredAny>,
    volumes: Seq<VolumeCount>,
}

#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct VolumeCount {
    items: Seq<ItemCount>,
}

#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct ItemCount {
    file: Option<IgnoredAny>,
}

/// Files an element of a counted list stands for.
trait Tally {
    fn tally(&self) -> usize;
}

impl Tally for IgnoredAny {
    fn tally(&self) -> usize {
        0
    }
}

/// A volume: its 封装包 and each item with a file.
impl Tally for VolumeCount {
    fn tally(&self) -> usize {
        1 + self.items.tally
    }
}

impl Tally for ItemCount {
    fn tally(&self) -> usize {
        usize::from(self.file.is_some())
    }
}

/// A JSON array, read element by element and dropped: its length and its elements' tallies.
struct Seq<T> {
    len: usize,
    tally: usize,
    element: PhantomData<T>,
}

impl<T> Default for Seq<T> {
    fn default() -> Self {
        Seq {
            len: 0,
            tally: 0,
            element: PhantomData,
        }
    }
}

impl<'de, T: Deserialize<'de> + Tally> Deserialize<'de> for Seq<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Tally> serde::de::Visitor<'de> for Visit<T> {
            type Value = Seq<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Seq<T>, A::Error> {
                let mut s = Seq::default();
                while let Some(e) = seq.next_element::<T>()? {
                    s.len += 1;
                    s.tally += e.tally();
                }
                Ok(s)
            }
        }
        d.deserialize_seq(Visit(PhantomData))
    }
}

impl Counts {
    /// Every file the manifest lists (as `Manifest::listed`).
    fn files(&self) -> usize {
        self.files.len
            + self.catalogs.len
            + self.letters.len
            + self.print_files.len
            + self.registers.len
            + self.transfer.len
            + self.volumes.tally
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The streamed counts are what parsing the whole manifest into vectors counted.
    #[test]
    fn counts_as_the_whole_manifest() {
        let json = br#"{"files":[{"a":[1,2,{"b":null}]},2,"x"],"catalogs":[[]],"letters":[],
            "transfer":[1,2],"unknown":{"files":[9,9,9]},
            "volumes":[{"items":[{"file":"a.pdf"},{"file":null},{"x":1},{"file":{"p":1}}]},
                       {"items":[]},{}]}"#;
        let c: Counts = serde_json::from_reader(&json[..]).unwrap();
        assert_eq!((c.files.len, c.volumes.len), (3, 3));
        // 3 files + 1 catalog + 2 transfer + 3 volumes + 2 items with a file.
        assert_eq!(c.files(), 11);
        let c: Counts = serde_json::from_slice(b"[1,2]").unwrap_or_default();
        assert_eq!((c.files(), c.volumes.len), (0, 0));
        let c: Counts = serde_json::from_slice(br#"{"files":null}"#).unwrap_or_default();
        assert_eq!(c.files(), 0);
    }
}
