//! `cargo bench`: the sample cases' build time and time per document, against a baseline
//! measured in the same run — a fresh renderer per document, which is what running one `typst`
//! process per document costs (finding and parsing the fonts every time).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anjuan::build::{BuildOptions, build};
use anjuan::project::Project;
use anjuan::render::{RenderRequest, Renderer};

fn main() {
    // Same pool set-up as the binary: typst nests inside rayon and needs deep stacks.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(8 << 20)
        .build_global();
    let root = std::env::temp_dir().join(format!("anjuan-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let cases = root.join("cases");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("cases"), &cases);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).expect("date");

    let t = Instant::now();
    let renderer = Renderer::new(None, None).expect("renderer");
    let load = t.elapsed().as_secs_f64();

    let project = Project::open(&cases).expect("cases");
    let opts = |out: &str, dump: bool| BuildOptions {
        out: root.join(out),
        today,
        progress: false,
        dump_data: dump.then(|| root.join("data")),
    };
    let t = Instant::now();
    let first = build(&project, &renderer, &opts("out1", true)).expect("build");
    let build_first = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let second = build(&project, &renderer, &opts("out1", false)).expect("build");
    let build_again = t.elapsed().as_secs_f64();
    // Fonts warm, memo cache empty: the throughput of a long build.
    typst::comemo::evict(0);
    let t = Instant::now();
    build(&project, &renderer, &opts("out2", false)).expect("build");
    let build_warm = t.elapsed().as_secs_f64();

    let jobs = data_files(&root.join("data"));
    let n = jobs.len();
    // Embedded: one renderer, documents one after another (per-core cost).
    let t = Instant::now();
    // The memo cache is cleared as often as the build clears it (every chunk), so the ratios
    // below compare like with like.
    for (i, (kind, data)) in jobs.iter().enumerate() {
        if i % anjuan::render::batch::CHUNK == 0 {
            typst::comemo::evict(0);
        }
        render(&renderer, kind, data);
    }
    let per_doc = t.elapsed().as_secs_f64() / n as f64;
    // The same documents side by side, as the build renders them.
    typst::comemo::evict(0);
    let t = Instant::now();
    anjuan::render::batch::in_chunks(
        &jobs,
        anjuan::render::batch::CHUNK,
        anjuan::render::batch::threads(),
        |(kind, data)| render(&renderer, kind, data),
        |_, _| {},
    );
    let parallel = t.elapsed().as_secs_f64();
    // Baseline: fonts and templates loaded again for every document.
    let sample: Vec<_> = jobs.iter().take(12).collect();
    let t = Instant::now();
    for (kind, data) in &sample {
        typst::comemo::evict(0);
        let fresh = Renderer::new(None, None).expect("renderer");
        render(&fresh, kind, data);
    }
    let per_doc_fresh = t.elapsed().as_secs_f64() / sample.len() as f64;

    println!(
        "anjuan benchmark — sample cases: {} cases, {} documents, {} pages; {} letters; {} threads",
        first.cases_built,
        first.documents,
        first.pages,
        first.letters.letters + first.letters.receipts,
        rayon::current_num_threads()
    );
    println!(
        "  load fonts and templates once            {:>8.1} ms",
        load * 1e3
    );
    println!(
        "  whole build, first run                   {:>8.1} ms  (documents, volumes, catalogues, transfer, letters)",
        build_first * 1e3
    );
    println!(
        "  whole build again, fonts warm, new out   {:>8.1} ms",
        build_warm * 1e3
    );
    println!(
        "  whole build again, same out (unchanged)  {:>8.1} ms  (wrote {} files)",
        build_again * 1e3,
        second.written
    );
    println!(
        "  one document, fonts kept                 {:>8.1} ms per document per core",
        per_doc * 1e3
    );
    println!(
        "  baseline: fonts and templates reloaded   {:>8.1} ms per document",
        per_doc_fresh * 1e3
    );
    println!(
        "  ratio baseline / fonts kept              {:>8.1}x",
        per_doc_fresh / per_doc
    );
    println!(
        "  {} documents in parallel                 {:>8.1} ms  ({:.1} ms per document)",
        n,
        parallel * 1e3,
        parallel * 1e3 / n as f64
    );
    println!(
        "  ratio sequential / parallel              {:>8.1}x",
        per_doc * n as f64 / parallel
    );
    if let Some(kb) = peak_rss_kb() {
        println!(
            "  peak memory (VmHWM)                      {:>8.1} MiB",
            kb as f64 / 1024.0
        );
    }
    let _ = std::fs::remove_dir_all(&root);
}

fn render(renderer: &Renderer, kind: &str, data: &[u8]) {
    let request = RenderRequest {
        template: kind,
        data: data.to_vec(),
        ident: kind.to_string(),
        date: chrono::NaiveDate::from_ymd_opt(2026, 1, 1),
    };
    renderer.render(&request).expect("renders");
}

/// (template, data) of every document dumped by the first build.
fn data_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| e.into_path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let data = std::fs::read(&p).expect("data");
            let v: serde_json::Value = serde_json::from_slice(&data).expect("json");
            (v["doc"]["kind"].as_str().expect("kind").to_string(), data)
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_map(Result::ok)
    {
        let target = to.join(entry.path().strip_prefix(from).expect("prefix"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else if entry.file_name() != "anjuan-ledger.yaml" {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
