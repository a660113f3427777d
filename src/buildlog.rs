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
    seal_known(settings, root, out, None)
}

/// The manifest as the last build left it, not written by this one.
pub struct Stood {
    /// Its SM3, as the build cache recorded it.
    pub sm3: String,
    /// Whether its signature file is the one the last build wrote (by its stamp).
    pub signature_as_recorded: bool,
}

/// [`seal`], where the manifest may stand as the last build left it: when the log's last line
/// for this output folder is of that manifest and its signature (if any) is the one this key
/// makes of it, neither is made again and the manifest is not read.
pub fn seal_known(settings: &Settings, root: &Path, out: &Path, stood: Option<Stood>) -> Problems {
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
    let out_text = std::path::absolute(out)
        .unwrap_or_else(|_| out.to_path_buf())
        .display()
        .to_string();
    let standing = stood.and_then(|stood| {
        let last = last_entry(root, &out_text)?;
        let signature_stands = signer.as_ref().is_none_or(|s| {
            stood.signature_as_recorded && signature_names(&sig_path, &stood.sm3, s.public().hex())
        });
        (last.manifest_sm3 == stood.sm3 && last.signed == signer.is_some() && signature_stands)
            .then_some(last)
    });
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let entry = match standing {
        // The manifest and its signature as the last build left them: its line again.
        Some(last) => LogEntry { time: now, ..last },
        None => {
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
            LogEntry {
                time: now,
                manifest_sm3,
                files: m.files,
                documents: m.documents,
                volumes: m.volumes,
                signed,
                out: out_text,
            }
        }
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

/// The log's last line for the output folder `out`.
fn last_entry(root: &Path, out: &str) -> Option<LogEntry> {
    read(root)?.into_iter().rev().find(|e| e.out == out)
}

/// Whether the signature file at `path` is of the file whose SM3 is `sm3`, by the key `public`
/// (SM2 signing here is deterministic: the same key signs the same bytes the same way).
fn signature_names(path: &Path, sm3: &str, public: &str) -> bool {
    std::fs::read_to_string(path).is_ok_and(|text| {
        text.lines().any(|l| l == format!("SM3：{sm3}"))
            && text.lines().any(|l| l == format!("公钥：{public}"))
    })
}

/// One pass over the manifest in fixed-size pieces: its SM3 (hex), the signer's message digest,
/// and its counts. None when it cannot be read to its end.
fn read_manifest(
    file: std::fs::File,
    signer: Option<&signing::Signer>,
) -> Option<(String, Option<sm3::Sm3>, Counts)> {
    use std::io::Read as _;
    let mut digests = signing::Digests::new(file, signer);
    let mut scan = Scan::default();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match digests.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => scan.feed(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    let (sm3, digest) = digests.finish();
    Some((sm3, digest, scan.finish()))
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

/// What the log counts of a manifest.
#[derive(Debug, Default, PartialEq, Eq)]
struct Counts {
    /// Documents: the elements of `files`.
    documents: usize,
    /// Every file the manifest lists (as `Manifest::listed`): the elements of the six top-level
    /// lists, each volume (its 封装包) and each volume item with a `file`.
    files: usize,
    volumes: usize,
}

/// The top-level lists whose every element is a listed file; `files` first.
const LISTS: [&[u8]; 6] = [
    b"files",
    b"catalogs",
    b"letters",
    b"print_files",
    b"registers",
    b"transfer",
];

/// What a JSON container is on the paths the counts follow.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Root,
    /// One of [`LISTS`].
    List(usize),
    Volumes,
    Volume,
    Items,
    Item,
    Other,
}

/// Where a container is between its tokens.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum At {
    /// Just opened: before the first key or element, or the end.
    First,
    /// After `,`: before a key (object) or an element (array).
    Next,
    /// Object: inside or after a key, before its `:`.
    Key,
    /// Object: after `:`, before the value.
    Value,
    /// Inside a number or literal (`true`, `null`…) being a member's value or an element.
    Scalar,
    /// After a member's value (or an array's element), before `,` or the end.
    After,
}

#[derive(Clone, Copy, Debug)]
struct Frame {
    role: Role,
    object: bool,
    at: At,
    /// The member's key, when it is one the counts follow.
    key: Option<Key>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Key {
    List(usize),
    Volumes,
    Items,
    File,
}

/// Counts a manifest's lists from its bytes, piece by piece, without holding any of it: a
/// tokenizer of JSON's structure (strings, escapes, nesting) that follows only the paths the
/// counts need. It reads the manifest anjuan has just written; anything that is not one JSON
/// object counts nothing (as parsing it did).
#[derive(Default)]
struct Scan {
    stack: Vec<Frame>,
    in_string: bool,
    escape: bool,
    /// Capturing an object key: its first bytes (only short keys matter) and its length.
    capturing: bool,
    key: [u8; 16],
    key_len: usize,
    /// The root object was opened and closed; anything after it but whitespace spoils it.
    done: bool,
    spoiled: bool,
    lists: [usize; 6],
    volumes: usize,
    items: usize,
}

impl Scan {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.in_string {
                if self.escape {
                    self.escape = false;
                } else if b == b'\\' {
                    self.escape = true;
                } else if b == b'"' {
                    self.in_string = false;
                    if self.capturing {
                        self.capturing = false;
                        let key = &self.key[..self.key_len.min(self.key.len())];
                        let key = (self.key_len <= self.key.len()).then_some(key);
                        if let Some(top) = self.stack.last_mut() {
                            top.key = key.and_then(|k| match_key(top.role, k));
                        }
                    }
                    continue;
                }
                if self.capturing {
                    if let Some(slot) = self.key.get_mut(self.key_len) {
                        *slot = b;
                    }
                    self.key_len += 1;
                }
                continue;
            }
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                if let Some(top) = self.stack.last_mut()
                    && top.at == At::Scalar
                {
                    top.at = At::After;
                }
                continue;
            }
            if self.done || self.spoiled {
                self.spoiled = true;
                continue;
            }
            let Some(top) = self.stack.last_mut() else {
                // The root value.
                if b == b'{' {
                    self.stack.push(Frame {
                        role: Role::Root,
                        object: true,
                        at: At::First,
                        key: None,
                    });
                } else {
                    self.spoiled = true;
                }
                continue;
            };
            match (b, top.object, top.at) {
                (b'"', true, At::First | At::Next) => {
                    top.at = At::Key;
                    top.key = None;
                    self.in_string = true;
                    self.capturing = true;
                    self.key_len = 0;
                }
                (b':', true, At::Key) => top.at = At::Value,
                (b',', _, At::Scalar | At::After) => top.at = At::Next,
                (b'}', true, At::First | At::Scalar | At::After)
                | (b']', false, At::First | At::Scalar | At::After) => {
                    self.stack.pop();
                    if self.stack.is_empty() {
                        self.done = true;
                    }
                }
                (_, true, At::Value) | (_, false, At::First | At::Next) => {
                    top.at = At::After;
                    self.value(b);
                }
                // The rest of a number or literal.
                (_, _, At::Scalar) if !matches!(b, b'"' | b'{' | b'[' | b':' | b'}' | b']') => {}
                _ => self.spoiled = true,
            }
        }
    }

    /// A value begins with `b` in the container on top of the stack.
    fn value(&mut self, b: u8) {
        let parent = *self.stack.last().expect("a value is inside a container");
        let role = match (parent.role, parent.key) {
            (Role::Root, Some(Key::List(i))) => Role::List(i),
            (Role::Root, Some(Key::Volumes)) => Role::Volumes,
            (Role::List(i), _) => {
                self.lists[i] += 1;
                Role::Other
            }
            (Role::Volumes, _) => {
                self.volumes += 1;
                Role::Volume
            }
            (Role::Volume, Some(Key::Items)) => Role::Items,
            (Role::Items, _) => Role::Item,
            (Role::Item, Some(Key::File)) => {
                if b != b'n' {
                    self.items += 1;
                }
                Role::Other
            }
            _ => Role::Other,
        };
        // The counted lists are arrays and their volumes and items objects, or the manifest
        // is not one (parsing it failed).
        let shape = match role {
            Role::List(_) | Role::Volumes | Role::Items => b'[',
            Role::Volume | Role::Item => b'{',
            Role::Root | Role::Other => b,
        };
        if b != shape {
            self.spoiled = true;
        }
        match b {
            b'"' => self.in_string = true,
            b'{' | b'[' => self.stack.push(Frame {
                role,
                object: b == b'{',
                at: At::First,
                key: None,
            }),
            _ => {
                if let Some(top) = self.stack.last_mut() {
                    top.at = At::Scalar;
                }
            }
        }
    }

    fn finish(self) -> Counts {
        if !self.done || self.spoiled || self.in_string {
            return Counts::default();
        }
        Counts {
            documents: self.lists[0],
            files: self.lists.iter().sum::<usize>() + self.volumes + self.items,
            volumes: self.volumes,
        }
    }
}

/// The key of a member of an object of `role`, when the counts follow it.
fn match_key(role: Role, key: &[u8]) -> Option<Key> {
    match role {
        Role::Root if key == b"volumes" => Some(Key::Volumes),
        Role::Root => LISTS.iter().position(|l| *l == key).map(Key::List),
        Role::Volume if key == b"items" => Some(Key::Items),
        Role::Item if key == b"file" => Some(Key::File),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::IgnoredAny;

    /// How the log counted before: the whole manifest parsed (the oracle).
    #[derive(Default, serde::Deserialize)]
    #[serde(default)]
    struct Parsed {
        files: Vec<IgnoredAny>,
        catalogs: Vec<IgnoredAny>,
        letters: Vec<IgnoredAny>,
        print_files: Vec<IgnoredAny>,
        registers: Vec<IgnoredAny>,
        transfer: Vec<IgnoredAny>,
        volumes: Vec<ParsedVolume>,
    }

    #[derive(Default, serde::Deserialize)]
    #[serde(default)]
    struct ParsedVolume {
        items: Vec<ParsedItem>,
    }

    #[derive(Default, serde::Deserialize)]
    #[serde(default)]
    struct ParsedItem {
        file: Option<IgnoredAny>,
    }

    fn parsed(json: &[u8]) -> Counts {
        let m: Parsed = serde_json::from_slice(json).unwrap_or_default();
        let items: usize = m
            .volumes
            .iter()
            .map(|v| 1 + v.items.iter().filter(|i| i.file.is_some()).count())
            .sum();
        Counts {
            documents: m.files.len(),
            files: m.files.len()
                + m.catalogs.len()
                + m.letters.len()
                + m.print_files.len()
                + m.registers.len()
                + m.transfer.len()
                + items,
            volumes: m.volumes.len(),
        }
    }

    fn scanned(json: &[u8], piece: usize) -> Counts {
        let mut scan = Scan::default();
        for p in json.chunks(piece) {
            scan.feed(p);
        }
        scan.finish()
    }

    const MANIFEST: &str = r#"{
  "files": [
    {"path": "a/b.pdf", "title": "关于\"files\": [1,2] 的{决定}", "pages": [1, 2, {"file": "x"}], "n": -1.5e3},
    {"path": "c\\", "ok": true, "none": null},
    "plain"
  ],
  "archive": {"files": [9, 9, 9], "volumes": [{"items": [{"file": "y"}]}]},
  "catalogs": [[]],
  "letters": [],
  "print_files": [{"file": null}],
  "transfer": [1, 2, false],
  "volumes": [
    {"code": "Z041-WS·2026-D30-0001", "items": [
      {"file": "a.pdf", "seq": 1}, {"file": null}, {"x": {"file": "z"}}, {"file": {"p": [1]}},
      {"file": false}, {"file": 0}, {"file": "]}\"{["}
    ]},
    {"items": []},
    {},
    {"files": [1], "items": [{"file": ""}]}
  ],
  "registers": [{"a": [[], {}]}, "r"]
}
"#;

    /// The scanned counts are the parsed ones, whatever the pieces the bytes come in.
    #[test]
    fn scanned_counts_are_the_parsed_counts() {
        let mut cases: Vec<Vec<u8>> = vec![
            MANIFEST.as_bytes().to_vec(),
            b"{}".to_vec(),
            b"{\"files\":[]}".to_vec(),
            br#"{"volumes":[{"items":[{"file":1}]}],"files":[[],[]]}"#.to_vec(),
        ];
        let big = format!(
            "{{\"files\": [{}], \"volumes\": [{}]}}",
            vec![r#"{"p": "\u6587 \\ \" ,]"}"#; 5000].join(",\n"),
            vec![r#"{"items": [{"file": "a"}, {"file": null}]}"#; 700].join(", ")
        );
        cases.push(big.into_bytes());
        for json in &cases {
            let want = parsed(json);
            // Only the empty ones count nothing: the others parse.
            assert_eq!(json.len() < 15, want == Counts::default(), "{want:?}");
            for piece in [1, 2, 3, 7, 64, 1 << 16] {
                assert_eq!(
                    scanned(json, piece),
                    want,
                    "{piece}: {}",
                    String::from_utf8_lossy(json)
                );
            }
        }
        // The figures of MANIFEST: 3 documents; 3 + 1 + 0 + 1 + 3 + 2 list elements, 4 volumes
        // and 6 items with a file.
        assert_eq!(
            scanned(MANIFEST.as_bytes(), 5),
            Counts {
                documents: 3,
                files: 20,
                volumes: 4
            }
        );
    }

    /// What is not one JSON object counts nothing, as when it was parsed.
    #[test]
    fn not_a_manifest_counts_nothing() {
        for json in [
            &b""[..],
            b"[1,2]",
            b"{\"files\": [1, 2]",
            b"{\"files\": [1, 2]} {}",
            b"{\"files\": [1, 2]} x",
            b"{\"files\": [\"a]}",
            b"\"files\"",
            b"{\"files\": null}",
            b"{\"transfer\": {}}",
            b"{\"volumes\": [{\"items\": 3}]}",
            b"{\"volumes\": [{\"items\": [1]}]}",
            b"{\"volumes\": [1]}",
            b"{\"a\": 1,}",
            b"{\"files\": [1,]}",
            b"{\"files\": [1 2]}",
            b"{\"files\" [1]}",
            b"{\"files\": [1]]}",
        ] {
            assert_eq!(parsed(json), Counts::default());
            assert_eq!(
                scanned(json, 3),
                Counts::default(),
                "{}",
                String::from_utf8_lossy(json)
            );
        }
        assert_eq!(scanned(b"{\"files\": [1, 2]}\n\n", 3).documents, 2);
    }
}
