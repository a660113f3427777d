//! The ledger (台账) in the cases root: every 文号 and archive serial once given. A number is
//! never changed by a re-run and never given to anybody else, even when its case is deleted.
//!
//! Two builds may share one cases root (a shared folder, two windows). Every allocate-and-save is
//! therefore one [`Ledger::update`]: under an OS lock on the root, the ledger is read afresh, the
//! numbers given, and the file replaced (the previous version kept as `.bak`) before the lock
//! goes, so a number another process gave in the meantime is kept and never handed out again.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::output::write_durable_streamed;

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

/// Written whole by serde; read by [`read::sequences`].
#[derive(Debug, Default, PartialEq, Eq, Serialize)]
pub struct Ledger {
    /// Sequence name (`inspection_notice/2026`, `archive/2026/D30`) → numbers given.
    pub sequences: BTreeMap<String, Vec<Entry>>,
    /// Per sequence, each owner's place in its entries: a build asks for every case's numbers,
    /// and a sequence holds a year's.
    #[serde(skip)]
    places: HashMap<String, Places>,
    #[serde(skip)]
    path: PathBuf,
    #[serde(skip)]
    changed: bool,
}

/// Each owner's place in one sequence's entries, by a hash of the owner: the owners are in the
/// entries already, and a province's ledger holds hundreds of thousands (a copy of each for the
/// index was a third of what a loaded ledger held). A place found is checked against its entry's
/// owner; two owners of one hash, which only a collision gives, send the search through the
/// entries from the start.
#[derive(Debug, Default, PartialEq, Eq)]
struct Places {
    by_hash: HashMap<u64, usize>,
    collided: bool,
}

impl Places {
    /// Each owner at its first entry (an owner listed twice, by a hand's edit, as a search from
    /// the start would find it).
    fn of_entries(entries: &[Entry]) -> Places {
        let mut places = Places::default();
        for (i, e) in entries.iter().enumerate().rev() {
            places.put(entries, &e.owner, i);
        }
        places
    }

    fn hash(owner: &str) -> u64 {
        use std::hash::{Hash, Hasher};
        // SipHash with fixed keys: the same on every run (only this process reads it anyway).
        let mut h = std::hash::DefaultHasher::new();
        owner.hash(&mut h);
        h.finish()
    }

    /// Records `owner` at `place` (which holds it in `entries`), instead of any place before.
    fn put(&mut self, entries: &[Entry], owner: &str, place: usize) {
        let slot = self.by_hash.entry(Self::hash(owner)).or_insert(place);
        if entries.get(*slot).is_some_and(|e| e.owner != owner) {
            self.collided = true;
        }
        *slot = place;
    }

    /// The first place of `owner` in `entries`.
    fn of(&self, entries: &[Entry], owner: &str) -> Option<usize> {
        match self.by_hash.get(&Self::hash(owner)) {
            Some(&place) if entries.get(place).is_some_and(|e| e.owner == owner) => Some(place),
            _ if self.collided => entries.iter().position(|e| e.owner == owner),
            _ => None,
        }
    }
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
                let sequences = read::sequences(&text).map_err(|e| LedgerError::Parse {
                    path: path.clone(),
                    line: e.line,
                    message: e.message,
                    backup: root.join(BACKUP_NAME),
                })?;
                Ledger {
                    sequences,
                    ..Ledger::default()
                }
            }
        } else {
            Ledger::default()
        };
        ledger.path = path;
        ledger.index();
        Ok(ledger)
    }

    /// Finds each owner's place in its sequence again (an owner listed twice, by a hand's
    /// edit, at its first entry, as a search from the start would).
    fn index(&mut self) {
        self.places = self
            .sequences
            .iter()
            .map(|(name, entries)| (name.clone(), Places::of_entries(entries)))
            .collect();
    }

    /// Adds `entry` to `sequence`.
    fn push(&mut self, sequence: &str, entry: Entry) {
        let entries = self.sequences.entry(sequence.to_string()).or_default();
        entries.push(entry);
        let place = entries.len() - 1;
        self.places.entry(sequence.to_string()).or_default().put(
            entries,
            &entries[place].owner,
            place,
        );
        self.changed = true;
    }

    /// The number `owner` holds in `sequence`.
    pub fn get(&self, sequence: &str, owner: &str) -> Option<&Entry> {
        let entries = self.sequences.get(sequence)?;
        let place = self.places.get(sequence)?.of(entries, owner)?;
        entries.get(place)
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
        let seq = self
            .sequences
            .get(sequence)
            .and_then(|entries| entries.iter().map(|e| e.seq).max())
            .unwrap_or(0)
            + 1;
        let entry = Entry {
            seq,
            owner: owner.to_string(),
            value: format(seq),
        };
        self.push(sequence, entry.clone());
        entry
    }

    /// Records a number given by hand (an explicit `no:`), so it is never given again.
    pub fn reserve(&mut self, sequence: &str, owner: &str, seq: u32, value: &str) {
        let held = match (self.places.get(sequence), self.sequences.get(sequence)) {
            (Some(places), Some(entries)) => places.of(entries, owner),
            _ => None,
        };
        if let Some(place) = held
            && let Some(e) = self
                .sequences
                .get_mut(sequence)
                .and_then(|entries| entries.get_mut(place))
        {
            if e.seq == seq && e.value == value {
                return;
            }
            // The explicit number wins; the one given before stays taken.
            e.owner = format!("{owner}（已由案件指定的号码取代）");
            // The places of the sequence found anew: the replaced owner's at its first entry.
            if let Some(entries) = self.sequences.get(sequence) {
                self.places
                    .insert(sequence.to_string(), Places::of_entries(entries));
            }
        }
        self.push(
            sequence,
            Entry {
                seq,
                owner: owner.to_string(),
                value: value.to_string(),
            },
        );
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
        self.index();
        if self.path.is_file() {
            let backup = self.path.with_file_name(BACKUP_NAME);
            let mut previous = std::fs::File::open(&self.path)
                .map_err(|e| LedgerError::Read(self.path.clone(), e))?;
            write_durable_streamed(&backup, |w| std::io::copy(&mut previous, w).map(|_| ()))
                .map_err(|e| LedgerError::Write(backup, e))?;
        }
        // Written as it is serialized: a province's ledger is megabytes of YAML.
        let mut failed = None;
        let written = write_durable_streamed(&self.path, |w| {
            w.write_all(HEADER.as_bytes())?;
            serde_yaml::to_writer(&mut *w, &*self).map_err(|e| {
                let message = e.to_string();
                failed = Some(message.clone());
                std::io::Error::other(message)
            })
        });
        match (written, failed) {
            (Ok(()), _) => {}
            (Err(_), Some(message)) => {
                return Err(LedgerError::Parse {
                    path: self.path.clone(),
                    line: None,
                    message,
                    backup: self.path.with_file_name(BACKUP_NAME),
                });
            }
            (Err(e), None) => return Err(LedgerError::Write(self.path.clone(), e)),
        }
        self.changed = false;
        Ok(())
    }
}

/// Reading the ledger's YAML as it streams by: a year of a province's numbers is millions of
/// YAML events, which a reader that gathers a document's events before it deserializes holds
/// all at once (about ten times the file).
mod read {
    use std::collections::BTreeMap;

    use yaml_rust2::parser::{Event, Parser};
    use yaml_rust2::scanner::Marker;

    use super::Entry;

    pub struct Error {
        pub line: Option<usize>,
        pub message: String,
    }

    fn at(mark: Marker, message: impl Into<String>) -> Error {
        Error {
            line: Some(mark.line()),
            message: message.into(),
        }
    }

    struct Events<'a>(Parser<std::str::Chars<'a>>);

    impl Events<'_> {
        fn next(&mut self) -> Result<(Event, Marker), Error> {
            let (event, mark) = self
                .0
                .next_token()
                .map_err(|e| at(*e.marker(), format!("YAML 语法错误：{}", e.info())))?;
            match event {
                Event::Alias(_) => Err(at(mark, "台账中不能使用锚点和别名（*）")),
                event => Ok((event, mark)),
            }
        }

        /// Passes over the value whose first event is `first` (a key the ledger does not know).
        fn skip(&mut self, first: Event) -> Result<(), Error> {
            let mut depth = usize::from(matches!(
                first,
                Event::MappingStart(..) | Event::SequenceStart(..)
            ));
            while depth > 0 {
                match self.next()?.0 {
                    Event::MappingStart(..) | Event::SequenceStart(..) => depth += 1,
                    Event::MappingEnd | Event::SequenceEnd => depth -= 1,
                    _ => {}
                }
            }
            Ok(())
        }

        /// The next mapping key, or none at the mapping's end.
        fn key(&mut self) -> Result<Option<(String, Marker)>, Error> {
            match self.next()? {
                (Event::MappingEnd, _) => Ok(None),
                (Event::Scalar(key, ..), mark) => Ok(Some((key, mark))),
                (_, mark) => Err(at(mark, "键应为文字")),
            }
        }

        fn scalar(&mut self, what: &str) -> Result<(String, Marker), Error> {
            match self.next()? {
                (Event::Scalar(value, ..), mark) => Ok((value, mark)),
                (_, mark) => Err(at(mark, format!("{what} 应为一个值"))),
            }
        }
    }

    fn is_null(value: &str) -> bool {
        matches!(value, "" | "~" | "null" | "Null" | "NULL")
    }

    /// The `sequences` of a ledger's text (keys the ledger does not know are passed over).
    pub fn sequences(text: &str) -> Result<BTreeMap<String, Vec<Entry>>, Error> {
        let mut events = Events(Parser::new_from_str(text));
        let mut sequences = BTreeMap::new();
        loop {
            match events.next()? {
                (Event::StreamStart | Event::DocumentStart, _) => {}
                (Event::MappingStart(..), _) => break,
                (Event::StreamEnd, _) => return Ok(sequences),
                (_, mark) => return Err(at(mark, "台账的顶层应为“键: 值”的映射")),
            }
        }
        while let Some((key, _)) = events.key()? {
            match (key.as_str(), events.next()?) {
                ("sequences", (Event::MappingStart(..), _)) => {
                    read_sequences(&mut events, &mut sequences)?
                }
                ("sequences", (Event::Scalar(v, ..), _)) if is_null(&v) => {}
                ("sequences", (_, mark)) => {
                    return Err(at(mark, "sequences 应为“序列名: 号码列表”的映射"));
                }
                (_, (first, _)) => events.skip(first)?,
            }
        }
        Ok(sequences)
    }

    fn read_sequences(
        events: &mut Events,
        sequences: &mut BTreeMap<String, Vec<Entry>>,
    ) -> Result<(), Error> {
        while let Some((name, mark)) = events.key()? {
            let entries = match events.next()? {
                (Event::SequenceStart(..), _) => read_entries(events, &name)?,
                (Event::Scalar(v, ..), _) if is_null(&v) => Vec::new(),
                (_, mark) => return Err(at(mark, format!("序列 {name} 应为号码列表"))),
            };
            // Two lists of one sequence: which numbers were given could not be told.
            if sequences.insert(name.clone(), entries).is_some() {
                return Err(at(mark, format!("序列 {name} 出现了两次")));
            }
        }
        Ok(())
    }

    fn read_entries(events: &mut Events, sequence: &str) -> Result<Vec<Entry>, Error> {
        let mut entries = Vec::new();
        loop {
            match events.next()? {
                (Event::SequenceEnd, _) => return Ok(entries),
                (Event::MappingStart(..), mark) => {
                    entries.push(read_entry(events, mark, sequence)?)
                }
                (_, mark) => {
                    return Err(at(
                        mark,
                        format!("序列 {sequence} 的每一项应有 seq、owner 和 value"),
                    ));
                }
            }
        }
    }

    fn read_entry(events: &mut Events, start: Marker, sequence: &str) -> Result<Entry, Error> {
        let (mut seq, mut owner, mut value) = (None, None, None);
        while let Some((key, _)) = events.key()? {
            match key.as_str() {
                "seq" => {
                    let (text, mark) = events.scalar("seq")?;
                    let n = text
                        .parse::<u32>()
                        .map_err(|_| at(mark, format!("seq 应为正整数，而不是 {text}")))?;
                    seq = Some(n);
                }
                "owner" => owner = Some(events.scalar("owner")?.0),
                "value" => value = Some(events.scalar("value")?.0),
                _ => {
                    let first = events.next()?.0;
                    events.skip(first)?;
                }
            }
        }
        match (seq, owner, value) {
            (Some(seq), Some(owner), Some(value)) => Ok(Entry { seq, owner, value }),
            (seq, owner, _) => {
                let missing = if seq.is_none() {
                    "seq"
                } else if owner.is_none() {
                    "owner"
                } else {
                    "value"
                };
                Err(at(start, format!("序列 {sequence} 的这一项缺少 {missing}")))
            }
        }
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

    #[test]
    fn owners_are_found_by_their_place_through_edits_saves_and_reads() {
        let dir = std::env::temp_dir().join(format!("anjuan-ledger-idx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // As a hand left it: out of order, and one owner listed twice.
        std::fs::write(
            dir.join(FILE_NAME),
            "sequences:\n  n/2026:\n  - seq: 5\n    owner: e\n    value: 5号\n  - seq: 2\n    owner: b\n    value: 2号\n  - seq: 9\n    owner: b\n    value: 9号\n",
        )
        .unwrap();
        let given = Ledger::update(
            &dir,
            || {},
            |l| {
                l.reserve("n/2026", "e", 7, "7号");
                [
                    l.get("n/2026", "b").map(|e| e.seq),
                    l.get("n/2026", "e").map(|e| e.seq),
                    l.get("n/2026", "e（已由案件指定的号码取代）")
                        .map(|e| e.seq),
                    Some(l.allocate("n/2026", "f", |s| format!("{s}号")).seq),
                    l.get("n/2026", "f").map(|e| e.seq),
                    l.get("n/2026", "x").map(|e| e.seq),
                ]
            },
        )
        .unwrap();
        assert_eq!(given, [Some(2), Some(7), Some(5), Some(10), Some(10), None]);
        // Read again, sorted by number: the places are found anew.
        let read = Ledger::load(&dir).unwrap();
        let seqs: Vec<u32> = read.sequences["n/2026"].iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [2, 5, 7, 9, 10]);
        assert_eq!(read.get("n/2026", "e").map(|e| e.seq), Some(7));
        assert_eq!(read.get("n/2026", "b").map(|e| e.seq), Some(2));
        // Changed by somebody else: what is read is the file as it is now.
        std::fs::write(
            dir.join(FILE_NAME),
            "sequences:\n  n/2026:\n  - seq: 1\n    owner: z\n    value: 1号\n",
        )
        .unwrap();
        let changed = Ledger::load(&dir).unwrap();
        assert_eq!(changed.get("n/2026", "z").map(|e| e.seq), Some(1));
        assert_eq!(changed.get("n/2026", "e"), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_owner_is_found_through_its_hash_and_through_the_entries_when_hashes_collide() {
        let entry = |seq: u32, owner: &str| Entry {
            seq,
            owner: owner.to_string(),
            value: format!("{seq}号"),
        };
        let entries = vec![entry(1, "a"), entry(2, "b"), entry(3, "a")];
        let places = Places::of_entries(&entries);
        assert!(!places.collided);
        assert_eq!(places.of(&entries, "a"), Some(0));
        assert_eq!(places.of(&entries, "b"), Some(1));
        assert_eq!(places.of(&entries, "c"), None);
        // "b" and "c" as if of one hash, the slot holding "b": "c" is found from the start.
        let mut entries = entries;
        entries.push(entry(4, "c"));
        let mut by_hash = places.by_hash.clone();
        by_hash.insert(Places::hash("c"), 1);
        let collided = Places {
            by_hash,
            collided: true,
        };
        assert_eq!(collided.of(&entries, "c"), Some(3));
        assert_eq!(collided.of(&entries, "b"), Some(1));
        assert_eq!(collided.of(&entries, "d"), None);
        // Put over another owner's place: the collision is noted.
        let mut places = Places::of_entries(&entries);
        places.by_hash.insert(Places::hash("d"), 1);
        entries.push(entry(5, "d"));
        places.put(&entries, "d", 4);
        assert!(places.collided);
    }

    #[test]
    fn the_ledger_reads_back_as_written_and_says_where_a_hand_damaged_it() {
        let dir = std::env::temp_dir().join(format!("anjuan-ledger-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let _ = std::fs::remove_file(dir.join(FILE_NAME));
        let odd = [
            "某保〔2026〕1号",
            "a: b # c",
            "\"quoted\" 'x'",
            "- 1",
            "~",
            "*ref",
            "  sp ",
        ];
        Ledger::update(
            &dir,
            || {},
            |l| {
                for (i, v) in odd.iter().enumerate() {
                    l.allocate(&format!("s{}/2026", i % 3), &format!("owner{i}: #"), |_| {
                        v.to_string()
                    });
                }
            },
        )
        .unwrap();
        let text = std::fs::read_to_string(dir.join(FILE_NAME)).unwrap();
        #[derive(Deserialize)]
        struct Whole {
            sequences: BTreeMap<String, Vec<Entry>>,
        }
        let by_serde: Whole = serde_yaml::from_str(&text).unwrap();
        let by_stream = read::sequences(&text).ok().unwrap();
        assert_eq!(by_stream, by_serde.sequences);
        assert_eq!(by_stream.values().map(Vec::len).sum::<usize>(), odd.len());
        assert_eq!(Ledger::load(&dir).unwrap().sequences, by_serde.sequences);

        let damaged = |text: &str| {
            let e = read::sequences(text).expect_err("refused");
            (e.line, e.message)
        };
        let (line, message) = damaged(
            "sequences:\n  n/2026:\n  - seq: 1\n    owner: a\n    value: 1号\n  n/2026: []\n",
        );
        assert_eq!(line, Some(6), "{message}");
        assert!(message.contains("两次"), "{message}");
        let (line, message) = damaged("sequences:\n  n/2026:\n  - seq: 1\n    value: 1号\n");
        assert_eq!(line, Some(3), "{message}");
        assert!(message.contains("owner"), "{message}");
        let (line, message) =
            damaged("sequences:\n  n/2026:\n  - seq: 一\n    owner: a\n    value: x\n");
        assert_eq!(line, Some(3), "{message}");
        assert!(message.contains("seq"), "{message}");
        let (_, message) =
            damaged("sequences:\n  n/2026:\n  - &a {seq: 1, owner: a, value: x}\n  - *a\n");
        assert!(message.contains("别名"), "{message}");
        // Keys it does not know are passed over, whatever they hold; an empty list is empty.
        let read = read::sequences("note: {a: [1, {b: 2}]}\nsequences:\n  m/2026: ~\n  n/2026:\n  - {seq: 2, owner: b, value: 2号, by: hand}\n").ok().unwrap();
        assert_eq!(read["m/2026"], Vec::new());
        assert_eq!(read["n/2026"][0].owner, "b");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
