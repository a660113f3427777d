//! Memory at scale: a second batch of documents must not raise the peak the first one set, and
//! a catalogue longer than one part is joined with its pages numbered across the parts. Alone in
//! its test binary, so that no other test's work shows in the process's memory.

mod common;

use common::{filed_cases, filed_samples};

use std::path::Path;

use anjuan::build::{BuildOptions, BuildReport, build};
use anjuan::project::Project;

fn build_at(cases: &Path, out: &Path) -> BuildReport {
    let opts = BuildOptions {
        out: out.to_path_buf(),
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
        progress: false,
        dump_data: None,
    };
    let report = build(&Project::open(cases).unwrap(), common::renderer(), &opts).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    report
}

#[test]
fn second_batch_does_not_raise_peak_memory_and_catalogue_parts_join() {
    anjuan::memstat::init_allocator();
    let Some(_) = anjuan::memstat::rss_kib() else {
        eprintln!("no /proc/self/status: memory not measured");
        return;
    };
    // Warm-up: every template and font once (typst and the fonts keep a few caches that grow
    // until every kind of document has been seen; measured: they level off after one build).
    let warm = filed_cases("scale-warm", filed_samples().len());
    build_at(&warm, &warm.with_file_name("out"));
    // First batch: sets the peak of a build of this size.
    let first = filed_cases("scale-a", 16);
    let r1 = build_at(&first, &first.with_file_name("out"));
    let (_, peak1) = anjuan::memstat::rss_kib().unwrap();
    // Second batch: as many documents again, built after the first in the same process.
    let second = filed_cases("scale-b", 16);
    let r2 = build_at(&second, &second.with_file_name("out"));
    let (_, peak2) = anjuan::memstat::rss_kib().unwrap();
    assert!(
        r1.documents >= 150 && r2.documents >= 150,
        "{} {}",
        r1.documents,
        r2.documents
    );
    let ratio = peak2 as f64 / peak1 as f64;
    eprintln!(
        "peak after batch 1: {} MiB ({} documents); after batch 2: {} MiB ({} documents); ratio {ratio:.3}",
        peak1 / 1024,
        r1.documents,
        peak2 / 1024,
        r2.documents
    );
    assert!(
        ratio <= 1.10,
        "peak memory grew with the second batch: {peak1} KiB -> {peak2} KiB"
    );
    // Both batches together: twice the documents, a catalogue in more than one part.
    let both = filed_cases("scale-ab", 32);
    let r3 = build_at(&both, &both.with_file_name("out"));
    let (_, peak3) = anjuan::memstat::rss_kib().unwrap();
    eprintln!(
        "peak after both batches in one build: {} MiB ({} documents)",
        peak3 / 1024,
        r3.documents
    );
    // Against the peak of the two builds of one batch each (the process's high-water mark after
    // them): one build's peak varies by a few percent with which documents share a chunk.
    assert!(
        peak3 as f64 / peak2 as f64 <= 1.10,
        "peak memory grew with a build of twice the documents: {peak2} KiB -> {peak3} KiB"
    );
    let catalogue = both.with_file_name("out").join("catalogs/归档文件目录.pdf");
    let pages = common::pdf_pages(&std::fs::read(&catalogue).unwrap());
    let rows = std::fs::read_to_string(catalogue.with_extension("csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert!(
        rows > anjuan::catalog::PART_ROWS,
        "{rows} rows: one part only"
    );
    let n = pages.len();
    for (i, text) in pages.iter().enumerate() {
        let foot = format!("第 {} 页　共 {n} 页", i + 1);
        assert!(
            text.replace(' ', "").contains(&foot.replace(' ', "")),
            "page {} lacks {foot}: {text}",
            i + 1
        );
    }
    // The title heads the first page; the last row is on the last page.
    assert!(pages[0].contains("归档文件目录"));
    let csv = std::fs::read_to_string(catalogue.with_extension("csv")).unwrap();
    let last_code = csv
        .lines()
        .last()
        .unwrap()
        .split(',')
        .nth(1)
        .unwrap()
        .to_string();
    assert!(
        pages[n - 1].replace(' ', "").contains(&last_code),
        "{last_code} not on the last page"
    );
}
