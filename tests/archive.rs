//! Archive stage: volumes built from the samples, verify passing on them, and each tampering
//! case of archive.md making verify name it.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

mod common;

use anjuan::archive::VolumeEntry;
use anjuan::archive::verify::{self, Level, Report};
use anjuan::build::{BuildOptions, BuildReport, build};
use anjuan::manifest::Manifest;
use anjuan::project::Project;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("anjuan-arc-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// Builds `project` into `out` as the sample build does.
fn build_at(project: &Project, out: &Path) -> BuildReport {
    let opts = BuildOptions {
        out: out.to_path_buf(),
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
        progress: false,
        dump_data: None,
    };
    build(project, common::renderer(), &opts).unwrap()
}

struct Built {
    out: PathBuf,
    cases: PathBuf,
}

/// The samples built once for every test of this binary.
fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let cases = temp("cases");
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("cases"), &cases);
        let _ = std::fs::remove_file(cases.join("anjuan-ledger.yaml"));
        let out = temp("out");
        let report = build_at(&Project::open(&cases).unwrap(), &out);
        assert!(report.ok(), "{:?}", report.problems);
        Built { out, cases }
    })
}

fn volumes(out: &Path) -> Vec<VolumeEntry> {
    let m = Manifest::load(out).unwrap();
    serde_json::from_value(m.extra["volumes"].clone()).unwrap()
}

fn full_volume(out: &Path) -> VolumeEntry {
    volumes(out)
        .into_iter()
        .find(|v| v.case == "2026-JC-003")
        .unwrap()
}

/// A copy of the built output to tamper with.
fn copy_out(name: &str) -> PathBuf {
    let dir = temp(name);
    copy_dir(&built().out, &dir);
    dir
}

fn errors(r: &Report) -> Vec<String> {
    r.findings
        .iter()
        .filter(|f| f.level == Level::Error)
        .map(|f| format!("{}：{}", f.item, f.message))
        .collect()
}

fn assert_names(r: &Report, item: &str, words: &str) {
    let errs = errors(r);
    assert!(
        errs.iter().any(|e| e.contains(item) && e.contains(words)),
        "expected “{words}” on {item}, got {errs:#?}"
    );
}

#[test]
fn samples_verify_clean() {
    let r = verify::verify(&built().out);
    assert_eq!(errors(&r), Vec::<String>::new());
    // One volume for every sample case with an `archive` block.
    let project = Project::open(&built().cases).unwrap();
    let archived = project
        .cases
        .iter()
        .filter(|c| c.case.archive().is_some())
        .count();
    assert!(archived >= 4);
    assert_eq!(r.volumes, archived);
}

#[test]
fn volume_reads_like_a_case_file() {
    let out = &built().out;
    let v = full_volume(out);
    assert_eq!(v.archive_code, "Z041-WS·2026-D30-BMJ-0001");
    assert!(v.path.ends_with("Z041-WS·2026-D30-BMJ-0001.pdf"));
    let doc = lopdf::Document::load(out.join(&v.path)).unwrap();
    assert_eq!(doc.get_pages().len(), v.pages);
    assert_eq!(v.pages, v.front_pages + v.content_pages + 1);
    let cover = doc
        .extract_text(&[1])
        .unwrap()
        .replace(char::is_whitespace, "");
    assert!(cover.contains("对某县自然资源局开展保密检查"), "{cover}");
    assert!(
        cover.contains(&format!("本卷共{}件，{}页", v.items.len(), v.content_pages)),
        "{cover}"
    );
    assert!(cover.contains("30年"));
    // The 目录 lists every item with its start page; the scanned register follows the register.
    let toc = doc
        .extract_text(&[2])
        .unwrap()
        .replace(char::is_whitespace, "");
    assert!(toc.contains("卷内文件目录"));
    let reg = v
        .items
        .iter()
        .position(|i| i.document.as_deref() == Some("inspection_register"))
        .unwrap();
    assert!(v.items[reg + 1].scanned);
    let mut expected = 1;
    for it in &v.items {
        assert_eq!(it.start, expected, "{}", it.title);
        assert!(
            toc.contains(&it.title.replace(char::is_whitespace, "")) || v.front_pages > 2,
            "{}",
            it.title
        );
        expected += it.pages;
    }
    // The stamps: each content page's stamp form draws its 页号; the page labels start at 1 there.
    let pages: Vec<_> = doc.get_pages().values().copied().collect();
    for (i, &p) in pages
        .iter()
        .enumerate()
        .skip(v.front_pages)
        .take(v.content_pages)
    {
        let dict = doc.get_dictionary(p).unwrap();
        let res = dict.get(b"Resources").unwrap().as_dict().unwrap();
        let xo = res.get(b"XObject").unwrap().as_dict().unwrap();
        assert!(xo.has(b"AnjuanPageNo"), "page {} without 页号", i + 1);
    }
    let catalog = doc.catalog().unwrap();
    let nums = catalog
        .get(b"PageLabels")
        .unwrap()
        .as_dict()
        .unwrap()
        .get(b"Nums")
        .unwrap()
        .as_array()
        .unwrap();
    assert!(
        nums.chunks(2)
            .any(|c| c[0].as_i64().unwrap() == v.front_pages as i64)
    );
    assert!(catalog.has(b"Outlines"));
    let notes = doc
        .extract_text(&[v.pages as u32])
        .unwrap()
        .replace(char::is_whitespace, "");
    assert!(
        notes.contains("卷内备考表") && notes.contains("原件扫描件1件"),
        "{notes}"
    );
}

#[test]
fn serials_are_stable_and_in_the_ledger() {
    let b = built();
    let ledger = std::fs::read_to_string(b.cases.join("anjuan-ledger.yaml")).unwrap();
    assert!(ledger.contains("archive/2026/D30") && ledger.contains("Z041-WS·2026-D30-BMJ-0002"));
    let codes: Vec<String> = volumes(&b.out)
        .iter()
        .map(|v| v.archive_code.clone())
        .collect();
    assert!(
        codes.contains(&"Z041-WS·2026-D10-BMJ-0001".to_string()),
        "{codes:?}"
    );
}

#[test]
fn changed_byte_is_caught() {
    let out = copy_out("byte");
    let v = full_volume(&out);
    let path = out.join(&v.path);
    let mut bytes = std::fs::read(&path).unwrap();
    let i = bytes.len() / 2;
    bytes[i] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
    assert_names(&verify::verify(&out), &v.path, "SHA-256 不符");
}

fn rewrite_pages(out: &Path, v: &VolumeEntry, f: impl Fn(&mut Vec<lopdf::Object>)) {
    let path = out.join(&v.path);
    let mut doc = lopdf::Document::load(&path).unwrap();
    let pages_id = doc
        .catalog()
        .unwrap()
        .get(b"Pages")
        .unwrap()
        .as_reference()
        .unwrap();
    let pages = doc.get_dictionary_mut(pages_id).unwrap();
    let mut kids = pages.get(b"Kids").unwrap().as_array().unwrap().clone();
    f(&mut kids);
    pages.set("Count", kids.len() as i64);
    pages.set("Kids", kids);
    doc.save(&path).unwrap();
}

#[test]
fn deleted_page_is_caught() {
    let out = copy_out("deleted");
    let v = full_volume(&out);
    rewrite_pages(&out, &v, |kids| {
        kids.remove(v.front_pages + 2);
    });
    let r = verify::verify(&out);
    assert_names(&r, &v.path, "页面被删除或增加");
    assert_names(&r, &v.path, "与归档时不符");
}

#[test]
fn swapped_pages_are_caught() {
    let out = copy_out("swapped");
    let v = full_volume(&out);
    rewrite_pages(&out, &v, |kids| kids.swap(v.front_pages, v.front_pages + 1));
    let r = verify::verify(&out);
    assert_names(
        &r,
        &v.path,
        &format!(
            "第 {} 页（页号 1）与归档时不符，是原第 {} 页",
            v.front_pages + 1,
            v.front_pages + 2
        ),
    );
}

#[test]
fn missing_and_extra_files_are_caught() {
    let out = copy_out("files");
    let v = full_volume(&out);
    std::fs::remove_file(out.join(&v.path)).unwrap();
    std::fs::write(out.join("volumes/多出的文件.pdf"), b"%PDF-1.7").unwrap();
    let r = verify::verify(&out);
    assert_names(&r, &v.path, "文件缺失");
    assert_names(&r, "volumes/多出的文件.pdf", "未在清单中登记");
}

#[test]
fn duplicated_code_is_caught() {
    let out = copy_out("dup");
    let mut m = Manifest::load(&out).unwrap();
    let mut vols = volumes(&out);
    let code = vols[0].archive_code.clone();
    vols[1].archive_code = code.clone();
    m.extra
        .insert("volumes".into(), serde_json::to_value(&vols).unwrap());
    m.save(&out).unwrap();
    assert_names(&verify::verify(&out), &code, "档号重复");
}

#[test]
fn catalogues_list_every_volume_and_document() {
    let out = &built().out;
    let vols = volumes(out);
    let csv = std::fs::read(out.join("catalogs/案卷目录.csv")).unwrap();
    assert!(csv.starts_with(&[0xEF, 0xBB, 0xBF]));
    let rows = anjuan::catalog::read_csv(&csv).unwrap();
    assert_eq!(rows[0], anjuan::catalog::VOLUME_COLUMNS);
    assert_eq!(rows.len(), vols.len() + 1);
    assert!(
        rows.iter()
            .any(|r| r[1] == "Z041-WS·2026-D30-BMJ-0001" && r[2] == "对某县自然资源局开展保密检查")
    );
    let items =
        anjuan::catalog::read_csv(&std::fs::read(out.join("catalogs/归档文件目录.csv")).unwrap())
            .unwrap();
    let total: usize = vols.iter().map(|v| v.items.len()).sum();
    assert_eq!(items.len(), total + 1);
    assert!(
        items
            .iter()
            .any(|r| r[4] == "检查情况登记表（签字页扫描件）" && r[8] == "原件扫描件")
    );
    for ext in ["pdf", "xlsx", "html"] {
        assert!(out.join(format!("catalogs/案卷目录.{ext}")).is_file());
    }
    let html = std::fs::read_to_string(out.join("catalogs/案卷目录.html")).unwrap();
    assert!(html.contains("href=\"../volumes/Z041-WS·2026-D30-BMJ-0001.pdf\""));
    let pdf = lopdf::Document::load(out.join("catalogs/归档文件目录.pdf")).unwrap();
    let text = pdf.extract_text(&[1]).unwrap();
    assert!(
        text.contains("归档文件目录") && text.contains("第 1 页"),
        "{text}"
    );
}

#[test]
fn edited_catalogue_row_is_caught() {
    let out = copy_out("catalogue");
    let path = out.join("catalogs/案卷目录.csv");
    let text = String::from_utf8(std::fs::read(&path).unwrap()).unwrap();
    std::fs::write(
        &path,
        text.replacen(
            "对某县自然资源局开展保密检查",
            "对某县自然资源局开展检查",
            1,
        ),
    )
    .unwrap();
    let r = verify::verify(&out);
    assert_names(&r, "catalogs/案卷目录.csv", "SHA-256 不符");
    assert_names(&r, "catalogs/案卷目录.csv", "与案卷不符（案卷题名");
}

#[test]
fn transfer_package_is_a_bag() {
    let bag = built().out.join("transfer/2026");
    for f in [
        "bagit.txt",
        "bag-info.txt",
        "manifest-sha256.txt",
        "tagmanifest-sha256.txt",
        "data/说明文件.TXT",
        "data/案卷目录.XML",
        "data/文件目录.XML",
    ] {
        assert!(bag.join(f).is_file(), "{f}");
    }
    let manifest = std::fs::read_to_string(bag.join("manifest-sha256.txt")).unwrap();
    let (mut bytes, mut count) = (0, 0);
    for line in manifest.lines() {
        let (hash, path) = line.split_once("  ").unwrap();
        let data = std::fs::read(bag.join(path)).unwrap();
        assert_eq!(anjuan::output::sha256_hex(&data), hash, "{path}");
        bytes += data.len();
        count += 1;
    }
    let info = std::fs::read_to_string(bag.join("bag-info.txt")).unwrap();
    assert!(
        info.contains(&format!("Payload-Oxum: {bytes}.{count}")),
        "{info}"
    );
    assert!(manifest.contains("data/电子档案/Z041-WS·2026-D30-BMJ-0001.pdf"));
    let xml = std::fs::read_to_string(bag.join("data/案卷目录.XML")).unwrap();
    assert!(xml.contains("<电子档案名称>Z041-WS·2026-D30-BMJ-0001.pdf</电子档案名称>"));
    // The independent validator (PyPI `bagit`), where the machine has it (CI installs it).
    let python = std::env::var("ANJUAN_BAGIT_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_bagit = std::process::Command::new(&python)
        .args(["-c", "import bagit"])
        .status()
        .is_ok_and(|s| s.success());
    if has_bagit {
        let status = std::process::Command::new(&python)
            .args(["-c", "import bagit,sys; bagit.Bag(sys.argv[1]).validate()"])
            .arg(&bag)
            .status()
            .unwrap();
        assert!(status.success(), "bagit rejects the transfer package");
    } else {
        eprintln!("python bagit not installed: independent bag validation skipped");
    }
}

fn mtimes(dir: &Path) -> std::collections::BTreeMap<String, (std::time::SystemTime, String)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .to_string();
            let bytes = std::fs::read(e.path()).unwrap();
            (
                rel,
                (
                    e.metadata().unwrap().modified().unwrap(),
                    anjuan::output::sha256_hex(&bytes),
                ),
            )
        })
        .collect()
}

#[test]
fn rerun_rewrites_nothing_and_a_new_case_takes_the_next_serial() {
    let cases = temp("rerun-cases");
    copy_dir(&built().cases, &cases);
    let out = temp("rerun-out");
    let run = || {
        let report = build_at(&Project::open(&cases).unwrap(), &out);
        assert!(report.ok(), "{:?}", report.problems);
        report
    };
    run();
    let before = mtimes(&out);
    let again = run();
    assert_eq!(again.written, 0);
    assert_eq!(mtimes(&out), before, "an unchanged re-run rewrote files");

    // A case added later: the next serial, nobody else's volume moves.
    let text = std::fs::read_to_string(cases.join("inspection/2026-JC-007.yaml")).unwrap();
    let text = text.replace("id: 2026-JC-007", "id: 2026-JC-099");
    std::fs::write(cases.join("inspection/2026-JC-099.yaml"), text).unwrap();
    run();
    let vols = volumes(&out);
    let new = vols.iter().find(|v| v.case == "2026-JC-099").unwrap();
    assert_eq!(new.archive_code, "Z041-WS·2026-D10-BMJ-0002");
    let after = mtimes(&out);
    for (path, stamp) in &before {
        if path.starts_with("volumes/") {
            assert_eq!(after.get(path), Some(stamp), "{path} changed");
        }
    }
    assert_eq!(verify::verify(&out).errors(), 0);
}

#[test]
fn page_labels_and_bookmarks_must_agree_with_stamps() {
    let out = copy_out("labels");
    let v = full_volume(&out);
    let path = out.join(&v.path);
    let mut doc = lopdf::Document::load(&path).unwrap();
    doc.catalog_mut().unwrap().remove(b"PageLabels");
    doc.save(&path).unwrap();
    assert_names(&verify::verify(&out), &v.path, "页码标签与页号不符");
}

/// Building one case file into a full output folder leaves every other case's documents,
/// volumes and letters in place and listed: verify still passes.
#[test]
fn building_one_case_keeps_the_others() {
    let b = built();
    let out = temp("one-case-out");
    copy_dir(&b.out, &out);
    let before = Manifest::load(&out).unwrap();
    let project = Project::open(&b.cases.join("inspection/2026-JC-007.yaml")).unwrap();
    assert!(project.partial);
    let report = build_at(&project, &out);
    assert_eq!(report.cases_built, 1);
    let after = Manifest::load(&out).unwrap();
    assert_eq!(after.files, before.files);
    assert_eq!(after.extra["volumes"], before.extra["volumes"]);
    assert_eq!(after.extra["letters"], before.extra["letters"]);
    assert_eq!(errors(&verify::verify(&out)), Vec::<String>::new());
}

/// A case and a campaign taken out of the cases root: the next full build removes what it had
/// listed for them, and nothing else; verify passes.
#[test]
fn removed_cases_leave_nothing_behind() {
    let b = built();
    let out = temp("removed-out");
    copy_dir(&b.out, &out);
    let cases = temp("removed-cases");
    copy_dir(&b.cases, &cases);
    std::fs::remove_file(cases.join("inspection/2026-JC-007.yaml")).unwrap();
    std::fs::remove_file(cases.join("campaigns/2026-ND-01.yaml")).unwrap();
    std::fs::write(out.join("notes-of-the-officer.txt"), "不是 anjuan 的文件").unwrap();
    build_at(&Project::open(&cases).unwrap(), &out);
    assert!(!out.join("2026-JC-007").exists());
    assert!(!out.join("2026-ND-01").exists());
    assert!(out.join("notes-of-the-officer.txt").exists());
    std::fs::remove_file(out.join("notes-of-the-officer.txt")).unwrap();
    assert_eq!(errors(&verify::verify(&out)), Vec::<String>::new());
}

/// A volume whose list has lost a document every finished inspection has: verify names it.
#[test]
fn a_volume_without_a_required_document_is_caught() {
    let out = copy_out("required");
    let mut m = Manifest::load(&out).unwrap();
    let mut vols = volumes(&out);
    let i = vols
        .iter()
        .position(|v| v.archive_code == "Z041-WS·2026-D30-BMJ-0001")
        .unwrap();
    vols[i]
        .items
        .retain(|it| it.document.as_deref() != Some("inspection_report"));
    let code = vols[i].path.clone();
    m.extra
        .insert("volumes".into(), serde_json::to_value(&vols).unwrap());
    m.save(&out).unwrap();
    assert_names(
        &verify::verify(&out),
        &code,
        "缺少程序必备的文书：书面检查报告",
    );
}
