//! The ledger (台账) in the cases root: every 文号 and archive serial once given. A number is
//! never changed by a re-run and never given to anybody else, even when its case is deleted.
//!
//! Two builds may share one cases root (a shared folder, two windows). Every allocate-and-save is
//! therefore one [`Ledger::update`]: under an OS lock on the root, the ledger is read afresh, the
//! numbers given, and the file replaced (the previous version kept as `.bak`) before the lock
//! goes, so a number another process gave in the meantime is kept and never handed out again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::output::write_durable;

pub const FILE_NAME: &str = "anjuan-ledger.yaml";
/// The previous version of the ledger, kept by every save.
pub const BACKUP_NAME: &str = "anjuan-ledger.yaml.bak";
/// Locked for every allocate-and-save (a file of its own: the ledger itself is replaced by a
/// rename, and a lock on a replaced file locks nothing).
pub const LOCK_NAME: &str = ".anjuan-ledger.lock";

const HEADER: &str = "# anjuan 台账：已分配的文号和档号顺序号。由 anjuan 自动维护；\n# 已分配的号码不会改变，也不会重复使用。请勿手工删除条目。\n";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u32,
    /// Who holds the number: `<case-id>/<document key>`.
    pub owner: String,
    /// The number as printed.
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// Sequence name (`inspection_notice/2026`, `archive/2026/D30`) → numbers given.
    #[serde(default)]
    pub sequences: BTreeMap<String, Vec<Entry>>,
    #[serde(skip)]
    path: PathBuf,
    #[serde(skip)]
    changed: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("台账 {} 无法读取：{}", .0.display(), crate::text::io_error(.1))]
    Read(PathBuf, std::io::Error),
    #[error(
        "台账 {}{} 格式错误：{message}。台账记录已分配的号码，anjuan 不会覆盖它；请修正，或用上一版本 {} 恢复后再运行",
        .path.display(),
        .line.map(|l| format!(" 第 {l} 行")).unwrap_or_default(),
        .backup.display()
    )]
    Parse {
        path: PathBuf,
        line: Option<usize>,
        message: String,
        backup: PathBuf,
    },
    #[error("台账 {} 无法写入：{}", .0.display(), crate::text::io_error(.1))]
    Write(PathBuf, std::io::Error),
    #[error("{0}")]
    Lock(#[from] crate::lock::LockError),
}

/// Says why a build stands still while another process gives numbers (an `on_wait` for
/// [`Ledger::update`]).
pub fn say_busy(root: &Path) {
    eprintln!(
        "台账 {} 正由另一个 anjuan 进程分配号码，稍候……",
        root.join(FILE_NAME).display()
    );
}

impl Ledger {
    /// Runs `f` on the ledger as it is on disk now, under the cases root's lock, and saves what
    /// it gave before letting go. `on_wait` is called when another process holds the lock.
    pub fn update<T>(
        root: &Path,
        on_wait: impl FnOnce(),
        f: impl FnOnce(&mut Ledger) -> T,
    ) -> Result<T, LedgerError> {
        let _lock = crate::lock::lock_waiting(&root.join(LOCK_NAME), on_wait)?;
        let mut ledger = Ledger::load(root)?;
        let result = f(&mut ledger);
        ledger.save()?;
        Ok(result)
    }

    /// Reads the ledger (an absent one is empty). To give numbers, use [`Ledger::update`].
    pub fn load(root: &Path) -> Result<Self, LedgerError> {
        let path = root.join(FILE_NAME);
        let mut ledger = if path.exists() {
            let text =
                std::fs::read_to_string(&path).map_err(|e| LedgerError::Read(path.clone(), e))?;
            if text
                .trim()
                .lines()
                .all(|l| l.trim_start().starts_with('#') || l.trim().is_empty())
            {
                Ledger::default()
            } else {
                serde_yaml::from_str(&text).map_err(|e| LedgerError::Parse {
                    path: path.clone(),
                    line: e.location().map(|l| l.line()),
                    message: e.to_string(),
                    backup: root.join(BACKUP_NAME),
                })?
            }
        } else {
            Ledger::default()
        };
        ledger.path = path;
        Ok(ledger)
    }

    /// The number `owner` holds in `sequence`.
    pub fn get(&self, sequence: &str, owner: &str) -> Option<&Entry> {
        self.sequences
            .get(sequence)?
            .iter()
            .find(|e| e.owner == owner)
    }

    /// The number `owner` holds, or the next free one, formatted by `format(seq)`.
    pub fn allocate(
        &mut self,
        sequence: &str,
        owner: &str,
        format: impl Fn(u32) -> String,
    ) -> Entry {
        if let Some(e) = self.get(sequence, owner) {
            return e.clone();
        }
        let entries = self.sequences.entry(sequence.to_string()).or_default();
        let seq = entries.iter().map(|e| e.seq).max().unwrap_or(0) + 1;
        let entry = Entry {
            seq,
            owner: owner.to_string(),
            value: format(seq),
        };
        entries.push(entry.clone());
        self.changed = true;
        entry
    }

    /// Records a number given by hand (an explicit `no:`), so it is never given again.
    pub fn reserve(&mut self, sequence: &str, owner: &str, seq: u32, value: &str) {
        let entries = self.sequences.entry(sequence.to_string()).or_default();
        if let Some(e) = entries.iter_mut().find(|e| e.owner == owner) {
            if e.seq == seq && e.value == value {
                return;
            }
            // The explicit number wins; the one given before stays taken.
            e.owner = format!("{owner}（已由案件指定的号码取代）");
        }
        entries.push(Entry {
            seq,
            owner: owner.to_string(),
            value: value.to_string(),
        });
        self.changed = true;
    }

    /// Whether `seq` is already held by someone other than `owner`.
    pub fn taken_by_other(&self, sequence: &str, seq: u32, owner: &str) -> Option<&str> {
        self.sequences
            .get(sequence)?
            .iter()
            .find(|e| e.seq == seq && e.owner != owner)
            .map(|e| e.owner.as_str())
    }

    /// Writes the ledger if anything was given: the previous version copied to `.bak`, the new
    /// one written to a temporary name, forced to disk and renamed. Only [`Ledger::update`]
    /// calls it, under the lock.
    fn save(&mut self) -> Result<(), LedgerError> {
        if !self.changed {
            return Ok(());
        }
        for entries in self.sequences.values_mut() {
            entries.sort_by_key(|e| e.seq);
        }
        let body = serde_yaml::to_string(&*self).map_err(|e| LedgerError::Parse {
            path: self.path.clone(),
            line: None,
            message: e.to_string(),
            backup: self.path.with_file_name(BACKUP_NAME),
        })?;
        if self.path.is_file() {
            let backup = self.path.with_file_name(BACKUP_NAME);
            let previous =
                std::fs::read(&self.path).map_err(|e| LedgerError::Read(self.path.clone(), e))?;
            write_durable(&backup, &previous).map_err(|e| LedgerError::Write(backup, e))?;
        }
        write_durable(&self.path, format!("{HEADER}{body}").as_bytes())
            .map_err(|e| LedgerError::Write(self.path.clone(), e))?;
        self.changed = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_stable_and_never_reused() {
        let dir = std::env::temp_dir().join(format!("anjuan-ledger-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let _ = std::fs::remove_file(dir.join(FILE_NAME));
        let given = Ledger::update(
            &dir,
            || {},
            |l| {
                [
                    l.allocate("n/2026", "a", |s| format!("{s}号")).seq,
                    l.allocate("n/2026", "b", |s| format!("{s}号")).seq,
                    l.allocate("n/2026", "a", |s| format!("{s}号")).seq,
                ]
            },
        )
        .unwrap();
        assert_eq!(given, [1, 2, 1]);
        assert!(!dir.join(BACKUP_NAME).exists(), "nothing to back up yet");
        let c = Ledger::update(
            &dir,
            || {},
            |l| l.allocate("n/2026", "c", |s| format!("{s}号")),
        )
        .unwrap();
        assert_eq!(c.seq, 3);
        let backup = std::fs::read_to_string(dir.join(BACKUP_NAME)).unwrap();
        assert!(
            backup.contains("2号") && !backup.contains("3号"),
            "{backup}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_damaged_ledger_stops_with_its_line_and_the_backup() {
        let dir = std::env::temp_dir().join(format!("anjuan-ledger-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(FILE_NAME),
            "sequences:\n  n/2026:\n  - seq: 1\n    owner: a\n   value: [\n",
        )
        .unwrap();
        let e = Ledger::update(
            &dir,
            || {},
            |l| l.allocate("n/2026", "b", |s| s.to_string()),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("行") && e.contains(BACKUP_NAME), "{e}");
        let kept = std::fs::read_to_string(dir.join(FILE_NAME)).unwrap();
        assert!(
            kept.contains("value: ["),
            "the damaged ledger is left as it was"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
