//! The modules' one-way flow (docs/architecture.md): no import cycle between the top-level
//! modules of the crate. Every `crate::…` path a module names (in `use` lines, paths and
//! `crate::{…}` groups; comments skipped) is an edge; a cycle fails with its modules named.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module → the top-level modules it names.
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: BTreeMap<String, Vec<std::path::PathBuf>> = BTreeMap::new();
    for e in std::fs::read_dir(&src).unwrap().map(|e| e.unwrap().path()) {
        let name = e.file_stem().unwrap().to_string_lossy().to_string();
        if name == "main" || name == "lib" {
            continue;
        }
        let list = if e.is_dir() {
            walkdir::WalkDir::new(&e)
                .into_iter()
                .map(|f| f.unwrap().path().to_path_buf())
                .filter(|p| p.extension().is_some_and(|x| x == "rs"))
                .collect()
        } else if e.extension().is_some_and(|x| x == "rs") {
            vec![e.clone()]
        } else {
            continue;
        };
        files.entry(name).or_default().extend(list);
    }
    let names: BTreeSet<String> = files.keys().cloned().collect();
    let mut deps = BTreeMap::new();
    for (module, paths) in &files {
        let mut named = BTreeSet::new();
        for p in paths {
            let text = std::fs::read_to_string(p).unwrap();
            for line in text.lines() {
                let code = line.split("//").next().unwrap_or_default();
                named.extend(crate_paths(code));
            }
            // `use crate::{a, b::c};` may span lines.
            let mut rest = text.as_str();
            while let Some(at) = rest.find("crate::{") {
                let group = &rest[at + "crate::{".len()..];
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let first = item.trim().split("::").next().unwrap_or_default();
                    named.insert(first.trim().to_string());
                }
                rest = &group[end..];
            }
        }
        named.retain(|n| n != module && names.contains(n));
        deps.insert(module.clone(), named);
    }
    deps
}

/// The module names after `crate::` in a line of code.
fn crate_paths(code: &str) -> Vec<String> {
    code.match_indices("crate::")
        .map(|(at, _)| {
            code[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect()
        })
        .filter(|s: &String| !s.is_empty())
        .collect()
}

/// A cycle through `start`, if there is one (depth-first).
fn cycle_from(
    deps: &BTreeMap<String, BTreeSet<String>>,
    start: &str,
    path: &mut Vec<String>,
    seen: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    let here = path.last().unwrap().clone();
    for next in &deps[&here] {
        if next == start {
            let mut c = path.clone();
            c.push(start.to_string());
            return Some(c);
        }
        if seen.insert(next.clone()) {
            path.push(next.clone());
            if let Some(c) = cycle_from(deps, start, path, seen) {
                return Some(c);
            }
            path.pop();
        }
    }
    None
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let deps = dependencies();
    assert!(deps.len() > 20, "modules found: {:?}", deps.keys());
    // The reader is not fooled: build does name the stages it runs.
    assert!(deps["build"].contains("letters") && deps["build"].contains("archive"));
    for module in deps.keys() {
        let mut seen = BTreeSet::new();
        if let Some(cycle) = cycle_from(&deps, module, &mut vec![module.clone()], &mut seen) {
            panic!("import cycle: {}", cycle.join(" → "));
        }
    }
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let deps: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    let mut seen = BTreeSet::new();
    let c = cycle_from(&deps, "a", &mut vec!["a".into()], &mut seen).unwrap();
    assert_eq!(c, ["a", "b", "c", "a"]);
    assert!(cycle_from(&deps, "d", &mut vec!["d".into()], &mut BTreeSet::new()).is_none());
    assert_eq!(crate_paths("use crate::cache::{BuildCache};"), ["cache"]);
}
