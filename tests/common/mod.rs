//! Helpers shared by the integration tests: a temporary copy of the sample cases, one renderer
//! per test binary, and PDF text extraction in Rust.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use anjuan::render::Renderer;

/// One renderer per test binary: creating one loads the bundled fonts.
pub fn renderer() -> &'static Renderer {
    static R: OnceLock<Renderer> = OnceLock::new();
    R.get_or_init(|| Renderer::new(None, None).expect("renderer"))
}

/// This test process's folder, `<temp>/anjuan-tests/<pid>`. Folders of test processes that are
/// gone are removed first (where the OS says which are alive): a suite leaves a few hundred MB,
/// which must not pile up run after run.
pub fn run_dir() -> &'static Path {
    static D: OnceLock<PathBuf> = OnceLock::new();
    D.get_or_init(|| {
        let base = std::env::temp_dir().join("anjuan-tests");
        let proc = Path::new("/proc");
        if proc.join("self").exists() {
            for e in std::fs::read_dir(&base).into_iter().flatten().flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if name.parse::<u32>().is_ok() && !proc.join(&name).exists() {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let dir = base.join(std::process::id().to_string());
        std::fs::create_dir_all(&dir).expect("test run folder");
        dir
    })
}

/// A fresh, empty temporary folder.
pub fn temp_dir(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = run_dir().join(format!("{}-{}", name, N.fetch_add(1, Ordering::SeqCst)));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let rel = entry.path().strip_prefix(from).expect("prefix");
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else if entry.file_name() != "anjuan-ledger.yaml" {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The sample cases root, copied to a temporary folder (the build writes its ledger there).
pub fn sample_cases(name: &str) -> PathBuf {
    let dir = temp_dir(name).join("cases");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("cases"), &dir);
    dir
}

/// The sample cases that are filed (an archive block), as (folder, id, text).
pub fn filed_samples() -> Vec<(String, String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let mut out = Vec::new();
    for folder in ["inspection", "enforcement"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            if !text.lines().any(|l| l.starts_with("archive:")) {
                continue;
            }
            let id = text
                .lines()
                .find_map(|l| l.strip_prefix("id:"))
                .unwrap()
                .split_whitespace()
                .next()
                .unwrap()
                .to_string();
            out.push((folder.to_string(), id, text));
        }
    }
    out
}

/// A cases root with `n` cases: the filed samples in turn, each under an id of its own.
pub fn filed_cases(name: &str, n: usize) -> PathBuf {
    let root = temp_dir(name).join("cases");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::copy(src.join("anjuan.yaml"), root.join("anjuan.yaml")).unwrap();
    copy_dir(&src.join("scans"), &root.join("scans"));
    let samples = filed_samples();
    for i in 0..n {
        let (folder, id, text) = &samples[i % samples.len()];
        let new_id = format!("{id}-S{i:04}");
        let text = text.replacen(&format!("id: {id}"), &format!("id: {new_id}"), 1);
        std::fs::create_dir_all(root.join(folder)).unwrap();
        std::fs::write(root.join(folder).join(format!("{new_id}.yaml")), text).unwrap();
    }
    root
}

/// The text of every page of a PDF, pages in order.
pub fn pdf_pages(bytes: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(bytes).expect("PDF parses");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    pages
        .iter()
        .map(|p| doc.extract_text(&[*p]).unwrap_or_default())
        .collect()
}

/// The whole text of a PDF with white space removed (typst may break lines anywhere in CJK).
pub fn pdf_text(bytes: &[u8]) -> String {
    pdf_pages(bytes)
        .concat()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

pub fn pdf_text_file(path: &Path) -> String {
    pdf_text(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// The first inspection case file (by path) with an `archive` block: its path, its text and
/// its inspected unit's name.
pub fn first_filed_inspection(cases: &Path) -> (PathBuf, String, String) {
    let (file, text) = std::fs::read_dir(cases.join("inspection"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            text.contains("archive:").then_some((p, text))
        })
        .min()
        .unwrap();
    let name = text
        .lines()
        .skip_while(|l| !l.starts_with("inspected_unit:"))
        .find_map(|l| l.trim().strip_prefix("name:"))
        .unwrap()
        .trim()
        .to_string();
    (file, text, name)
}
