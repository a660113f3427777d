//! The end of every build: `manifest.json` signed with the office's SM2 key (when `anjuan.yaml`
//! has `signing`), and one line appended to the build log `anjuan-builds.log` in the cases root,
//! beside the ledger: when, the manifest's SM3, how many files and volumes. The log is outside
//! the output folder, so `verify --cases ROOT` can tell a manifest rewritten after the build
//! from the one the build wrote. The file is only ever appended to, one write per line.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::Ctx;
use crate::manifest;
use crate::output::{sm3_hex, write_if_changed};
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
/// `anjuan.yaml`'s `signing` block or the log.
pub fn seal(settings: &Settings, root: &Path, out: &Path) -> Problems {
    let mut ctx = Ctx::new(crate::settings::FILE_NAME, "");
    let Ok(bytes) = std::fs::read(out.join(manifest::FILE_NAME)) else {
        return ctx.problems;
    };
    let sig_path = out.join(format!("{}{}", manifest::FILE_NAME, signing::SIG_SUFFIX));
    let mut signed = false;
    match settings.signer() {
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
            let sig = signer.detached(manifest::FILE_NAME, &bytes);
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
        Ok(None) => {
            // An unsigned build leaves no signature of an earlier manifest behind.
            let _ = std::fs::remove_file(&sig_path);
        }
        Err(e) => {
            let _ = std::fs::remove_file(&sig_path);
            ctx.error("signing", format!("{e}；本次输出未签名"));
        }
    }
    let m: Counts = serde_json::from_slice(&bytes).unwrap_or_default();
    let volumes = m.volumes.len();
    let entry = LogEntry {
        time: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        manifest_sm3: sm3_hex(&bytes),
        files: m.files(),
        documents: m.files.len(),
        volumes,
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

/// What the log counts of a manifest, read without holding its entries.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct Counts {
    files: Vec<serde::de::IgnoredAny>,
    catalogs: Vec<serde::de::IgnoredAny>,
    letters: Vec<serde::de::IgnoredAny>,
    print_files: Vec<serde::de::IgnoredAny>,
    registers: Vec<serde::de::IgnoredAny>,
    transfer: Vec<serde::de::IgnoredAny>,
    volumes: Vec<VolumeCount>,
}

#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct VolumeCount {
    items: Vec<ItemCount>,
}

#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct ItemCount {
    file: Option<serde::de::IgnoredAny>,
}

impl Counts {
    /// Every file the manifest lists (as `Manifest::listed`).
    fn files(&self) -> usize {
        let items: usize = self
            .volumes
            .iter()
            .map(|v| 1 + v.items.iter().filter(|i| i.file.is_some()).count())
            .sum();
        self.files.len()
            + self.catalogs.len()
            + self.letters.len()
            + self.print_files.len()
            + self.registers.len()
            + self.transfer.len()
            + items
    }
}
