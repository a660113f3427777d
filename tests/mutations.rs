//! Property test: the sample cases and settings, mutated as careless hands and broken files
//! would (values of the wrong type, dates and numbers at their limits, keys deleted or written
//! twice), never make `check` or `build` panic. Whatever they get, they answer with problems.
//!
//! The normal suite runs a few hundred inputs. The long run (≥ 100,000 inputs) is one command:
//! `ANJUAN_MUTATIONS=100000 cargo test --release --test mutations -- --nocapture`

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anjuan::build::{BuildOptions, build};
use anjuan::project::Project;
use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_yaml::Value;

/// The sample cases as they were when the run started: a long run must not see the working
/// tree change under it.
fn pristine() -> &'static Path {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| {
        let dir = common::temp_dir("mutations-pristine").join("cases");
        common::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("cases"), &dir);
        dir
    })
}

/// Every sample file a mutation may start from, relative to `cases/` (`anjuan.yaml` included).
fn samples() -> &'static [(String, String)] {
    static S: OnceLock<Vec<(String, String)>> = OnceLock::new();
    S.get_or_init(|| {
        let root = pristine().to_path_buf();
        let mut files: Vec<(String, String)> = walkdir::WalkDir::new(&root)
            .sort_by_file_name()
            .into_iter()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
            .filter(|e| e.file_name() != "anjuan-ledger.yaml")
            .map(|e| {
                let rel = e.path().strip_prefix(&root).unwrap();
                (
                    rel.to_string_lossy().replace('\\', "/"),
                    std::fs::read_to_string(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    })
}

/// Values at the edges of what the case format takes, and beyond.
const ODD_VALUES: &[&str] = &[
    "0",
    "-1",
    "4294967296",
    "100000000",
    "18446744073709551616",
    "-9223372036854775808",
    "1e308",
    ".nan",
    "\"\"",
    "\"#*$]\\\\ 〔〕\"",
    "0000-01-01",
    "9999-12-31",
    "2026-02-30",
    "2026-13-01",
    "1969-12-31",
    "2100-01-01",
    "\"25:61\"",
    "true",
    "null",
    "[]",
    "{}",
    "[[[]]]",
    "{ a: { b: { c: [1, 2] } } }",
    "~",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the value at the chosen node.
    Replace(usize, usize),
    /// Delete the chosen mapping key (or list item).
    Delete(usize),
    /// Write the chosen line twice (a key given twice, a list item doubled).
    DuplicateLine(usize),
    /// Copy the chosen node's value over another node.
    Swap(usize, usize),
    /// Add a key the format knows (from any sample, or optional ones no sample uses) with an odd
    /// value to the chosen mapping.
    Insert(usize, usize, usize),
}

/// Optional fields no sample may use, where they belong, so mutations still reach them.
const EXTRA_KEYS: &[(&str, &str)] = &[
    ("measures.*", "testing_days"),
    ("measures.*", "extended_on"),
    ("measures.*", "lifted"),
    ("measures.*", "no"),
    ("approval", "urgent"),
    ("approval", "reported_at"),
    ("archive", "max_pages"),
    ("archive", "duplex"),
    ("archive", "code_template"),
];

/// A node's place with list indices left out (`measures.*.items.*`).
fn shape(path: &[Value]) -> String {
    path.iter()
        .map(|p| p.as_str().unwrap_or("*"))
        .collect::<Vec<_>>()
        .join(".")
}

/// The keys each place holds in any sample, and the extra ones.
fn keys_by_shape() -> &'static std::collections::BTreeMap<String, Vec<String>> {
    static K: OnceLock<std::collections::BTreeMap<String, Vec<String>>> = OnceLock::new();
    K.get_or_init(|| {
        let mut keys: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
            Default::default();
        for (place, key) in EXTRA_KEYS {
            keys.entry(place.to_string())
                .or_default()
                .insert(key.to_string());
        }
        for (_, text) in samples() {
            let Ok(tree) = serde_yaml::from_str::<Value>(text) else {
                continue;
            };
            let mut paths = Vec::new();
            node_paths(&tree, &mut Vec::new(), &mut paths);
            for path in paths {
                if let Some((Some(key), parent)) = path.split_last().map(|(k, p)| (k.as_str(), p)) {
                    keys.entry(shape(parent))
                        .or_default()
                        .insert(key.to_string());
                }
            }
        }
        keys.into_iter()
            .map(|(k, v)| (k, v.into_iter().collect()))
            .collect()
    })
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 0..ODD_VALUES.len()).prop_map(|(n, v)| Mutation::Replace(n, v)),
        2 => any::<usize>().prop_map(Mutation::Delete),
        1 => any::<usize>().prop_map(Mutation::DuplicateLine),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        2 => (any::<usize>(), any::<usize>(), 0..ODD_VALUES.len())
            .prop_map(|(n, k, v)| Mutation::Insert(n, k, v)),
    ]
}

/// Paths (keys and indices) to every node of a YAML tree.
fn node_paths(v: &Value, prefix: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(prefix.clone());
    match v {
        Value::Mapping(m) => {
            for (k, child) in m {
                prefix.push(k.clone());
                node_paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Sequence(s) => {
            for (i, child) in s.iter().enumerate() {
                prefix.push(Value::from(i as u64));
                node_paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn node_mut<'a>(v: &'a mut Value, path: &[Value]) -> Option<&'a mut Value> {
    let mut cur = v;
    for step in path {
        cur = match cur {
            Value::Mapping(m) => m.get_mut(step)?,
            Value::Sequence(s) => s.get_mut(step.as_u64()? as usize)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn apply(text: &str, mutations: &[Mutation]) -> String {
    let mut text = text.to_string();
    for m in mutations {
        if let Mutation::DuplicateLine(n) = m {
            let lines: Vec<&str> = text.lines().collect();
            if lines.is_empty() {
                continue;
            }
            let i = n % lines.len();
            let mut out: Vec<&str> = lines[..=i].to_vec();
            out.push(lines[i]);
            out.extend(&lines[i + 1..]);
            text = out.join("\n");
            continue;
        }
        let Ok(mut tree) = serde_yaml::from_str::<Value>(&text) else {
            continue;
        };
        let mut paths = Vec::new();
        node_paths(&tree, &mut Vec::new(), &mut paths);
        let pick = |n: usize| paths[n % paths.len()].clone();
        match m {
            Mutation::Replace(n, v) => {
                let odd: Value = serde_yaml::from_str(ODD_VALUES[*v]).unwrap_or(Value::Null);
                if let Some(node) = node_mut(&mut tree, &pick(*n)) {
                    *node = odd;
                }
            }
            Mutation::Delete(n) => {
                let path = pick(*n);
                if let Some((last, parent)) = path.split_last() {
                    match node_mut(&mut tree, parent) {
                        Some(Value::Mapping(m)) => {
                            m.remove(last);
                        }
                        Some(Value::Sequence(s)) => {
                            let i = last.as_u64().unwrap_or(0) as usize;
                            if i < s.len() {
                                s.remove(i);
                            }
                        }
                        _ => {}
                    }
                }
            }
            Mutation::Swap(a, b) => {
                let from = node_mut(&mut tree, &pick(*a)).map(|v| v.clone());
                if let (Some(from), Some(to)) = (from, node_mut(&mut tree, &pick(*b))) {
                    *to = from;
                }
            }
            Mutation::Insert(n, k, v) => {
                let odd: Value = serde_yaml::from_str(ODD_VALUES[*v]).unwrap_or(Value::Null);
                let maps: Vec<&Vec<Value>> = paths
                    .iter()
                    .filter(|p| node_mut(&mut tree.clone(), p).is_some_and(|n| n.is_mapping()))
                    .collect();
                let Some(path) = maps.get(n % maps.len().max(1)).map(|p| (*p).clone()) else {
                    continue;
                };
                let Some(keys) = keys_by_shape().get(&shape(&path)) else {
                    continue;
                };
                let key = Value::from(keys[k % keys.len()].clone());
                if let Some(Value::Mapping(m)) = node_mut(&mut tree, &path) {
                    m.insert(key, odd);
                }
            }
            Mutation::DuplicateLine(_) => unreachable!(),
        }
        text = serde_yaml::to_string(&tree).unwrap_or(text);
    }
    text
}

/// A cases root holding the samples with `file` replaced by `text`.
fn root_with(dir: &Path, file: &str, text: &str) -> PathBuf {
    let root = dir.join("cases");
    let _ = std::fs::remove_dir_all(&root);
    common::copy_dir(pristine(), &root);
    std::fs::write(root.join(file), text).unwrap();
    root
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
}

fn inputs() -> impl Strategy<Value = (usize, Vec<Mutation>)> {
    (
        0..samples().len(),
        proptest::collection::vec(mutation(), 1..4),
    )
}

fn runner(default_cases: u32) -> TestRunner {
    let cases = std::env::var("ANJUAN_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default_cases);
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        // The same inputs on every run and machine: a failure is reproducible.
        rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
        ..Config::default()
    })
}

#[test]
fn check_never_panics_on_mutated_cases_and_settings() {
    let dir = common::temp_dir("mutations-check");
    let mut runner = runner(2000);
    let checked = std::cell::Cell::new(0usize);
    runner
        .run(&inputs(), |(file, mutations)| {
            let (name, text) = &samples()[file];
            let mutated = apply(text, &mutations);
            let root = root_with(&dir, name, &mutated);
            // Opening may refuse (bad settings): that is an answer too, as long as it is not a
            // panic, which the runner reports with the input that caused it.
            if let Ok(project) = Project::open(&root) {
                let _ = project.check(today());
            }
            checked.set(checked.get() + 1);
            if checked.get().is_multiple_of(10_000) {
                eprintln!("check: {} mutated inputs so far, no panic", checked.get());
            }
            Ok(())
        })
        .unwrap();
    eprintln!("check: {} mutated inputs, no panic", checked.get());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn build_never_panics_on_mutated_cases() {
    let dir = common::temp_dir("mutations-build");
    let mut runner = runner(40);
    runner
        .run(&inputs(), |(file, mutations)| {
            let (name, text) = &samples()[file];
            let mutated = apply(text, &mutations);
            let root = root_with(&dir, name, &mutated);
            // Only the mutated file is built, which keeps each input to a few documents.
            if let Ok(project) = Project::open(&root.join(name)) {
                let opts = BuildOptions {
                    out: dir.join("out"),
                    today: today(),
                    progress: false,
                    dump_data: None,
                };
                let _ = build(&project, common::renderer(), &opts);
            }
            Ok(())
        })
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_mutations_do_change_the_input() {
    // Guards the generator itself: a mutation that left every file as it was would make the
    // properties above vacuous.
    let (_, text) = &samples()[0];
    let changed = apply(text, &[Mutation::Replace(3, 0), Mutation::Delete(5)]);
    assert_ne!(&changed, text);
    let dup = apply(text, &[Mutation::DuplicateLine(2)]);
    assert_eq!(dup.lines().count(), text.lines().count() + 1);
}
