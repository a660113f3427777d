//! The ledger (台账) in the cases root: every 文号 and archive serial once given. A number is
//! never changed by a re-run and never given to anybody else, even when its case is deleted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::output::write_durable;

pub const FILE_NAME: &str = "anjuan-ledger.yaml";

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
        "台账 {0} 格式错误：{1}。台账记录已分配的号码，请从备份恢复或修正后再运行，anjuan 不会覆盖它"
    )]
    Parse(PathBuf, String),
    #[error("台账 {} 无法写入：{}", .0.display(), crate::text::io_error(.1))]
    Write(PathBuf, std::io::Error),
}

impl Ledger {
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
                serde_yaml::from_str(&text)
                    .map_err(|e| LedgerError::Parse(path.clone(), e.to_string()))?
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

    /// Writes the ledger if anything was given (atomically).
    pub fn save(&mut self) -> Result<(), LedgerError> {
        if !self.changed {
            return Ok(());
        }
        for entries in self.sequences.values_mut() {
            entries.sort_by_key(|e| e.seq);
        }
        let body = serde_yaml::to_string(&*self)
            .map_err(|e| LedgerError::Parse(self.path.clone(), e.to_string()))?;
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
        let mut l = Ledger::load(&dir).unwrap();
        assert_eq!(l.allocate("n/2026", "a", |s| format!("{s}号")).seq, 1);
        assert_eq!(l.allocate("n/2026", "b", |s| format!("{s}号")).seq, 2);
        assert_eq!(l.allocate("n/2026", "a", |s| format!("{s}号")).seq, 1);
        l.save().unwrap();
        let mut l = Ledger::load(&dir).unwrap();
        assert_eq!(l.allocate("n/2026", "c", |s| format!("{s}号")).seq, 3);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
