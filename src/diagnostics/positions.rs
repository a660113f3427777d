//! Where each field of a YAML file stands, so that every problem can name its line and column.
//! serde_yaml keeps no positions once a value is parsed, so the file is read a second time as
//! marked events.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A line and column, both counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// Field path (`inspection.records[1].finding`) to the position of its key, or of the item for
/// sequence entries.
///
/// Parsed only when first asked: a file without problems is never read for positions, and a
/// case held through a build keeps its file's path, not a map of every field.
#[derive(Clone, Default)]
pub struct Positions {
    inner: Arc<Lazy>,
}

#[derive(Default)]
struct Lazy {
    source: Source,
    map: OnceLock<HashMap<String, Pos>>,
}

#[derive(Default)]
enum Source {
    #[default]
    Empty,
    Text(Box<str>),
    /// Read again when needed, by the reader the file was first read with (its encoding).
    File(PathBuf, fn(&Path) -> Option<String>),
}

impl std::fmt::Debug for Positions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = match &self.inner.source {
            Source::Empty => "empty".to_string(),
            Source::Text(t) => format!("text of {} bytes", t.len()),
            Source::File(p, _) => format!("file {}", p.display()),
        };
        write!(f, "Positions({source})")
    }
}

fn parse_map(text: &str) -> HashMap<String, Pos> {
    let mut recorder = Recorder::default();
    // A syntax error is reported by serde_yaml with its own position; what was read up to it
    // is still useful.
    let _ = Parser::new_from_str(text).load(&mut recorder, false);
    recorder.map
}

impl Positions {
    /// The positions of `text`, parsed when first asked.
    pub fn parse(text: &str) -> Self {
        Self::of(Source::Text(text.into()))
    }

    /// The positions of the file at `path`, read with `read` and parsed when first asked.
    pub fn of_file(path: &Path, read: fn(&Path) -> Option<String>) -> Self {
        Self::of(Source::File(path.to_path_buf(), read))
    }

    fn of(source: Source) -> Self {
        Self {
            inner: Arc::new(Lazy {
                source,
                map: OnceLock::new(),
            }),
        }
    }

    /// The same positions, not sharing what was parsed: a collector that parses its file drops
    /// the map with itself instead of leaving it with every holder of the file's positions.
    pub fn detached(&self) -> Self {
        match &self.inner.source {
            Source::File(path, read) => Self::of_file(path, *read),
            _ => self.clone(),
        }
    }

    fn map(&self) -> &HashMap<String, Pos> {
        self.inner.map.get_or_init(|| match &self.inner.source {
            Source::Empty => HashMap::new(),
            Source::Text(text) => parse_map(text),
            Source::File(path, read) => read(path).map(|t| parse_map(&t)).unwrap_or_default(),
        })
    }

    /// The position of `path`, or of its nearest ancestor that the file has.
    pub fn find(&self, path: &str) -> Pos {
        if path.is_empty() {
            // The file as a whole.
            return Pos { line: 1, column: 1 };
        }
        let mut p = path;
        loop {
            if let Some(pos) = self.map().get(p) {
                return *pos;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None => {
                    return self
                        .map()
                        .get("")
                        .copied()
                        .unwrap_or(Pos { line: 1, column: 1 });
                }
            }
        }
    }

    /// The position of `path` or of an ancestor below the top level, if the file has one.
    pub fn find_within(&self, path: &str) -> Option<Pos> {
        let mut p = path;
        loop {
            if let Some(pos) = self.map().get(p).filter(|_| !p.is_empty()) {
                return Some(*pos);
            }
            p = &p[..p.rfind(['.', '['])?];
        }
    }

    /// Whether the file has a value at exactly `path`.
    pub fn has(&self, path: &str) -> bool {
        self.map().contains_key(path)
    }

    /// The positions below `prefixes`, re-rooted so that `recipients[2].notice.issued_on` is
    /// found as `notice.issued_on`. An earlier prefix wins where both have a path (a campaign
    /// row over its `common` block).
    pub fn rebased(&self, prefixes: &[&str]) -> Positions {
        let mut map = HashMap::new();
        for prefix in prefixes.iter().rev() {
            for (path, pos) in self.map().iter() {
                let rest = if path == prefix {
                    Some("")
                } else {
                    path.strip_prefix(prefix).and_then(|r| r.strip_prefix('.'))
                };
                if let Some(rest) = rest {
                    map.insert(rest.to_string(), *pos);
                }
            }
        }
        Self {
            inner: Arc::new(Lazy {
                source: Source::Empty,
                map: OnceLock::from(map),
            }),
        }
    }
}

enum Frame {
    Map {
        path: String,
        pending_key: Option<String>,
        first_key: bool,
    },
    Seq {
        path: String,
        next: usize,
    },
}

#[derive(Default)]
struct Recorder {
    stack: Vec<Frame>,
    map: HashMap<String, Pos>,
}

fn pos(mark: Marker) -> Pos {
    Pos {
        line: mark.line(),
        column: mark.col() + 1,
    }
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

impl Recorder {
    /// Path of the value that starts now, recording its position. Returns None for a mapping
    /// key (which is remembered instead).
    fn enter_value(&mut self, mark: Marker, key_text: Option<&str>) -> Option<String> {
        match self.stack.last_mut() {
            None => {
                self.map.entry(String::new()).or_insert(pos(mark));
                Some(String::new())
            }
            Some(Frame::Seq { path, next }) => {
                let p = format!("{path}[{next}]");
                *next += 1;
                self.map.insert(p.clone(), pos(mark));
                Some(p)
            }
            Some(Frame::Map {
                path,
                pending_key,
                first_key,
            }) => match pending_key.take() {
                Some(key) => Some(join(path, &key)),
                None => {
                    let key = key_text.unwrap_or("?").to_string();
                    self.map.insert(join(path, &key), pos(mark));
                    // A block mapping's start marker lands after its first key: a list item
                    // that is a mapping is better shown at that key.
                    if std::mem::take(first_key) && path.ends_with(']') {
                        self.map.insert(path.clone(), pos(mark));
                    }
                    *pending_key = Some(key);
                    None
                }
            },
        }
    }
}

impl MarkedEventReceiver for Recorder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(text, ..) => {
                self.enter_value(mark, Some(&text));
            }
            Event::Alias(_) => {
                self.enter_value(mark, Some("*"));
            }
            Event::MappingStart(..) => {
                if let Some(path) = self.enter_value(mark, None) {
                    self.stack.push(Frame::Map {
                        path,
                        pending_key: None,
                        first_key: true,
                    });
                } else {
                    // A mapping used as a key: keep the structure balanced.
                    self.stack.push(Frame::Map {
                        path: "?".into(),
                        pending_key: None,
                        first_key: false,
                    });
                }
            }
            Event::SequenceStart(..) => {
                let path = self.enter_value(mark, None).unwrap_or_else(|| "?".into());
                self.stack.push(Frame::Seq { path, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_nested_paths() {
        let p = Positions::parse("a: 1\nb:\n  c: [x, {d: 2}]\n  e:\n    - f: 3\n");
        assert_eq!(p.find("a"), Pos { line: 1, column: 1 });
        assert_eq!(p.find("b.c").line, 3);
        assert_eq!(p.find("b.c[1].d").line, 3);
        assert_eq!(p.find("b.e[0].f"), Pos { line: 5, column: 7 });
        assert_eq!(p.find("b.e[0].zzz"), Pos { line: 5, column: 7 });
    }
}
