//! Archive stage: volumes built from the samples, verify passing on them, and each tampering
//! case of archive.md making verify name it.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

mod common;

use anjuan::archive::VolumeEntry;
use anjuan::archive::verify::{self, Anchors, Level, Report};
use anjuan::build::{BuildOptions, BuildReport, build};
use anjuan::manifest::Manifest;
use anjuan::project::Project;

fn temp(name: &str) -> PathBuf {
    let dir = common::run_dir().join(format!("arc-{name}"));
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
    build_by(project, common::renderer(), out)
}

fn build_by(project: &Project, renderer: &anjuan::render::Renderer, out: &Path) -> BuildReport {
    let opts = BuildOptions {
        out: out.to_path_buf(),
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
        progress: false,
        dump_data: None,
    };
    build(project, renderer, &opts).unwrap()
}

struct Built {
    out: PathBuf,
    cases: PathBuf,
    /// The office's public key (its private key kept outside the cases root).
    public_key: String,
}

/// The samples built once for every test of this binary, signed with a key `keygen` made.
fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let cases = temp("cases");
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("cases"), &cases);
        let _ = std::fs::remove_file(cases.join("anjuan-ledger.yaml"));
        let _ = std::fs::remove_file(cases.join("anjuan-builds.log"));
        let (private_key, public_key) = anjuan::signing::keygen(&temp("keys")).unwrap();
        let mut yaml = std::fs::read_to_string(cases.join("anjuan.yaml")).unwrap();
        yaml.push_str(&format!(
            "\nsigning:\n  private_key: {}\n  public_key: \"{public_key}\"\n",
            private_key.display()
        ));
        std::fs::write(cases.join("anjuan.yaml"), yaml).unwrap();
        let out = temp("out");
        let report = build_at(&Project::open(&cases).unwrap(), &out);
        assert!(report.ok(), "{:?}", report.problems);
        Built {
            out,
            cases,
            public_key,
        }
    })
}

fn office_key() -> Anchors {
    Anchors {
        key: Some(anjuan::signing::PublicKey::parse(&built().public_key).unwrap()),
        cases_root: None,
    }
}

fn volumes(out: &Path) -> Vec<VolumeEntry> {
    let m = Manifest::load(out).unwrap();
    m.volumes
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
        .filter(|c| c.case().archive().is_some())
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
    m.volumes = vols;
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
    assert_eq!(after.volumes, before.volumes);
    assert_eq!(after.letters, before.letters);
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
    m.volumes = vols;
    m.save(&out).unwrap();
    assert_names(
        &verify::verify(&out),
        &code,
        "缺少程序必备的文书：书面检查报告",
    );
}

fn warnings(r: &Report) -> Vec<String> {
    r.findings
        .iter()
        .filter(|f| f.level == Level::Warning)
        .map(|f| format!("{}：{}", f.item, f.message))
        .collect()
}

/// An insider's edit: bytes appended to one document, its SHA-256 and SM3 written into the
/// manifest so the digests agree again.
fn rewrite_document_and_manifest(out: &Path) -> String {
    let text = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    let mut m: serde_json::Value = serde_json::from_str(&text).unwrap();
    let entry = m["files"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|f| {
            f["path"]
                .as_str()
                .unwrap()
                .ends_with("01-inspection_plan.pdf")
        })
        .unwrap();
    let path = entry["path"].as_str().unwrap().to_string();
    let mut bytes = std::fs::read(out.join(&path)).unwrap();
    bytes.extend_from_slice(b"\n% appended by an insider\n");
    std::fs::write(out.join(&path), &bytes).unwrap();
    entry["sha256"] = anjuan::output::sha256_hex(&bytes).into();
    entry["sm3"] = anjuan::output::sm3_hex(&bytes).into();
    let mut new = serde_json::to_string_pretty(&m).unwrap();
    new.push('\n');
    std::fs::write(out.join("manifest.json"), new).unwrap();
    path
}

#[test]
fn signed_build_verifies_with_the_office_key() {
    let b = built();
    let sig = std::fs::read_to_string(b.out.join("manifest.json.sig")).unwrap();
    assert!(sig.contains(&b.public_key), "{sig}");
    let r = verify::verify_with(&b.out, &office_key());
    assert_eq!(errors(&r), Vec::<String>::new());
    // Scanned originals are kept as they came: no PDF/A warning for them; nothing else to warn.
    assert_eq!(warnings(&r), Vec::<String>::new());
    assert!(r.to_text().ends_with("检测通过\n"), "{}", r.to_text());
    assert!(
        r.findings
            .iter()
            .any(|f| f.level == Level::Info && f.message.contains("电子签名有效")),
        "{:#?}",
        r.findings
    );
    // Without a key: no pass for authenticity, a plain warning.
    let r = verify::verify(&b.out);
    assert!(
        warnings(&r)
            .iter()
            .any(|w| w.contains("未核验电子签名") && w.contains("真实性没有得到检查")),
        "{:#?}",
        warnings(&r)
    );
    let text = r.to_text();
    assert!(text.contains("【真实性】"), "{text}");
    assert!(!text.contains("【真实性】通过"), "{text}");
    assert!(
        text.contains("未核验电子签名，真实性没有得到检查"),
        "{text}"
    );
}

#[test]
fn rewritten_manifest_with_its_digests_fails_with_the_key() {
    let out = copy_out("insider");
    let path = rewrite_document_and_manifest(&out);
    // The folder alone agrees with itself: only the key tells.
    let alone = verify::verify(&out);
    assert_eq!(errors(&alone), Vec::<String>::new(), "{path}");
    let r = verify::verify_with(&out, &office_key());
    assert_names(&r, "manifest.json", "电子签名无效");
    assert!(
        r.findings.iter().any(|f| f.level == Level::Error
            && f.property == verify::Property::Authenticity
            && f.message.contains("签名之后被改写")),
        "{:#?}",
        r.findings
    );
}

#[test]
fn deleted_signature_fails_with_the_key() {
    let out = copy_out("nosig");
    std::fs::remove_file(out.join("manifest.json.sig")).unwrap();
    std::fs::remove_file(out.join("transfer/2026/tagmanifest-sm3.txt.sig")).unwrap();
    let r = verify::verify_with(&out, &office_key());
    assert_names(&r, "manifest.json.sig", "缺少清单的电子签名");
    assert_names(
        &r,
        "transfer/2026/tagmanifest-sm3.txt.sig",
        "移交包缺少电子签名",
    );
}

#[test]
fn signature_of_another_key_fails() {
    let out = copy_out("otherkey");
    rewrite_document_and_manifest(&out);
    let (other, _) = anjuan::signing::keygen(&temp("other-keys")).unwrap();
    let signer = anjuan::signing::Signer::load(&other).unwrap();
    let manifest = std::fs::read(out.join("manifest.json")).unwrap();
    std::fs::write(
        out.join("manifest.json.sig"),
        signer.detached("manifest.json", &manifest),
    )
    .unwrap();
    let r = verify::verify_with(&out, &office_key());
    assert_names(&r, "manifest.json.sig", "不是本单位的密钥所签");
    // The insider's key is not the office's even when verify is handed the office's public key
    // through the cases root.
    let r = verify::verify_with(
        &out,
        &Anchors {
            key: office_key().key,
            cases_root: Some(built().cases.clone()),
        },
    );
    assert_names(&r, "manifest.json.sig", "不是本单位的密钥所签");
    assert_names(&r, "manifest.json", "生成记录中的任何一次生成都不符");
}

#[test]
fn build_log_records_each_build_outside_the_output() {
    let b = built();
    let log = anjuan::buildlog::read(&b.cases).unwrap();
    let digest = anjuan::output::sm3_hex(&std::fs::read(b.out.join("manifest.json")).unwrap());
    assert!(
        log.iter()
            .any(|e| e.manifest_sm3 == digest && e.signed && e.volumes >= 4),
        "{log:#?}"
    );
    let r = verify::verify_with(
        &b.out,
        &Anchors {
            key: None,
            cases_root: Some(b.cases.clone()),
        },
    );
    assert_eq!(errors(&r), Vec::<String>::new());
    let out = copy_out("log");
    rewrite_document_and_manifest(&out);
    let r = verify::verify_with(
        &out,
        &Anchors {
            key: None,
            cases_root: Some(b.cases.clone()),
        },
    );
    assert_names(&r, "manifest.json", "生成记录中的任何一次生成都不符");
}

#[test]
fn keygen_keeps_the_private_key_to_its_owner() {
    let dir = temp("keygen");
    let (private, public) = anjuan::signing::keygen(&dir).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&private).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(public.starts_with("04") && public.len() == 130, "{public}");
    let signer = anjuan::signing::Signer::load(&private).unwrap();
    assert_eq!(signer.public().hex(), public);
    // Signing is deterministic: the same bytes, the same signature.
    assert_eq!(signer.sign_hex(b"abc"), signer.sign_hex(b"abc"));
    assert!(signer.public().verify(b"abc", &signer.sign_hex(b"abc")));
    // Never over a key in use.
    assert!(anjuan::signing::keygen(&dir).is_err());
    let public_file =
        anjuan::signing::read_public(dir.join(anjuan::signing::PUBLIC_FILE).to_str().unwrap())
            .unwrap();
    assert_eq!(public_file.hex(), public);
}

fn package_path(out: &Path, code: &str) -> PathBuf {
    out.join(format!("transfer/2026/data/封装包/{code}.xml"))
}

#[test]
fn transfer_package_carries_item_metadata_and_sm3() {
    let out = &built().out;
    let v = full_volume(out);
    let xml = std::fs::read_to_string(package_path(out, &v.archive_code)).unwrap();
    for element in [
        "<被签名对象",
        "<封装内容>",
        "<文件实体块>",
        "<业务实体块>",
        "<机构人员实体块>",
        "<电子签名块>",
        "<聚合层次>件</聚合层次>",
        "<立档单位名称>某县国家保密局</立档单位名称>",
        "<年度>2026</年度>",
        "<保管期限>30年</保管期限>",
        "<件号>001</件号>",
        "<业务行为>签发</业务行为>",
        "<业务行为>送达</业务行为>",
        "<业务行为>归档</业务行为>",
        "<机构人员名称>李某某</机构人员名称>",
        "<摘要算法>SM3</摘要算法>",
    ] {
        assert!(xml.contains(element), "{element} missing:\n{xml}");
    }
    // Every 件 by its own 档号, 题名 and 文号 as in the 目录.
    let p = anjuan::archive::transfer::read_package(&xml);
    for it in &v.items {
        let code = anjuan::archive::item_code(&v.archive_code, it.seq);
        let e = p.entities.get(&code).unwrap_or_else(|| panic!("{code}"));
        assert_eq!(e["题名"], it.title);
        assert_eq!(e["文件编号"], it.no.clone().unwrap_or_default());
        assert_eq!(e["页数"], it.pages.to_string());
        let file = out.join(it.file.as_ref().unwrap());
        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(e["摘要值"], anjuan::output::sm3_hex(&bytes));
        assert_eq!(e["计算机文件大小"], bytes.len().to_string());
        let in_bag = out.join("transfer/2026/data").join(&e["计算机文件名"]);
        assert_eq!(std::fs::read(in_bag).unwrap(), bytes);
    }
    assert!(
        p.entities
            .values()
            .any(|e| e.get("文件编号").is_some_and(|n| n.contains("检通")))
    );
    // manifest-sm3.txt beside manifest-sha256.txt, every line right.
    let bag = out.join("transfer/2026");
    let sm3 = std::fs::read_to_string(bag.join("manifest-sm3.txt")).unwrap();
    let sha = std::fs::read_to_string(bag.join("manifest-sha256.txt")).unwrap();
    assert_eq!(sm3.lines().count(), sha.lines().count());
    for line in sm3.lines() {
        let (hash, path) = line.split_once("  ").unwrap();
        assert_eq!(
            anjuan::output::sm3_hex(&std::fs::read(bag.join(path)).unwrap()),
            hash,
            "{path}"
        );
    }
    // The manifest has SM3 beside SHA-256 for every file.
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    for f in m["files"].as_array().unwrap() {
        let bytes = std::fs::read(out.join(f["path"].as_str().unwrap())).unwrap();
        assert_eq!(f["sm3"].as_str().unwrap(), anjuan::output::sm3_hex(&bytes));
    }
    for section in ["volumes", "catalogs", "transfer"] {
        for e in m[section].as_array().unwrap() {
            assert!(e["sm3"].as_str().is_some_and(|s| s.len() == 64), "{e}");
        }
    }
}

#[test]
fn edited_metadata_xml_field_is_caught() {
    let out = copy_out("xmlfield");
    let v = full_volume(&out);
    let it = &v.items[0];
    let path = package_path(&out, &v.archive_code);
    let xml = std::fs::read_to_string(&path).unwrap();
    let from = format!("<题名>{}</题名>", it.title);
    assert!(xml.contains(&from));
    std::fs::write(&path, xml.replacen(&from, "<题名>另一份文件</题名>", 1)).unwrap();
    let rel = format!("transfer/2026/data/封装包/{}.xml", v.archive_code);
    let r = verify::verify(&out);
    assert_names(&r, &rel, "的题名为“另一份文件”，与目录中的");
    let r = verify::verify_with(&out, &office_key());
    assert_names(&r, &rel, "封装包的电子签名无效");
}

/// Replaces the anjuan 档号 in a PDF's XMP.
fn edit_xmp_code(path: &Path, from: &str, to: &str) {
    let mut doc = lopdf::Document::load(path).unwrap();
    let id = doc
        .catalog()
        .unwrap()
        .get(b"Metadata")
        .unwrap()
        .as_reference()
        .unwrap();
    let stream = doc.get_object_mut(id).unwrap().as_stream_mut().unwrap();
    let text = String::from_utf8(stream.content.clone()).unwrap();
    let old = format!("<anjuan:ArchiveCode>{from}</anjuan:ArchiveCode>");
    assert!(text.contains(&old), "{text}");
    stream.set_content(
        text.replace(
            &old,
            &format!("<anjuan:ArchiveCode>{to}</anjuan:ArchiveCode>"),
        )
        .into_bytes(),
    );
    doc.save(path).unwrap();
}

#[test]
fn edited_xmp_code_is_caught() {
    let out = copy_out("xmp");
    let v = full_volume(&out);
    let it = &v.items[1];
    let code = anjuan::archive::item_code(&v.archive_code, it.seq);
    let file = it.file.clone().unwrap();
    edit_xmp_code(&out.join(&file), &code, "Z041-WS·2026-D30-BMJ-0009-001");
    edit_xmp_code(
        &out.join(&v.path),
        &v.archive_code,
        "Z041-WS·2026-D30-BMJ-0009",
    );
    let r = verify::verify(&out);
    assert_names(
        &r,
        &file,
        &format!("XMP 元数据中的档号为“Z041-WS·2026-D30-BMJ-0009-001”，与目录中的“{code}”不符"),
    );
    assert_names(
        &r,
        &v.path,
        "XMP 元数据中的档号为“Z041-WS·2026-D30-BMJ-0009”",
    );
}

#[test]
fn pdfs_state_their_identity_and_stay_pdf_a() {
    let out = &built().out;
    let v = full_volume(out);
    let it = v.items.iter().find(|i| i.no.is_some()).unwrap();
    let item_file = out.join(it.file.as_ref().unwrap());
    for path in [out.join(&v.path), item_file.clone()] {
        let doc = lopdf::Document::load(&path).unwrap();
        let xmp = anjuan::archive::pdf::xmp_text(&doc);
        assert!(
            xmp.contains("<pdfaid:part>2</pdfaid:part>") || xmp.contains("pdfaid:part=\"2\""),
            "{xmp}"
        );
        assert!(
            xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>")
                || xmp.contains("pdfaid:conformance=\"B\""),
            "{xmp}"
        );
        assert!(xmp.contains("<pdfaExtension:schemas>"), "{xmp}");
        assert!(
            xmp.contains("<pdfaSchema:namespaceURI>http://ns.anjuan.invalid/identity/1.0/</pdfaSchema:namespaceURI>"),
            "{xmp}"
        );
        assert_eq!(xmp.matches("<pdfaExtension:schemas>").count(), 1);
        let has_qpdf = std::process::Command::new("qpdf")
            .arg("--version")
            .output()
            .is_ok();
        if has_qpdf {
            let status = std::process::Command::new("qpdf")
                .arg("--check")
                .arg(&path)
                .output()
                .unwrap();
            assert!(
                status.status.success(),
                "{}: {}",
                path.display(),
                String::from_utf8_lossy(&status.stdout)
            );
        }
    }
    let doc = lopdf::Document::load(&item_file).unwrap();
    let id =
        anjuan::archive::pdf::Identity::from_xmp(&anjuan::archive::pdf::xmp_text(&doc)).unwrap();
    assert_eq!(id.code, anjuan::archive::item_code(&v.archive_code, it.seq));
    assert_eq!(id.no, it.no);
    assert_eq!(id.title, it.title);
    assert_eq!(id.author, "某县国家保密局");
    assert_eq!(id.volume.as_deref(), Some(v.archive_code.as_str()));
    // The item file is the document itself: same pages, same text.
    assert!(
        common::pdf_text_file(&item_file).len() > 20,
        "the item file has text"
    );
    // Byte for byte: the document as made, its identity appended as an incremental update.
    let item_bytes = std::fs::read(&item_file).unwrap();
    let m = Manifest::load(out).unwrap();
    let document = m
        .files
        .iter()
        .filter(|f| f.case == v.case)
        .map(|f| std::fs::read(out.join(&f.path)).unwrap())
        .find(|d| item_bytes.starts_with(d))
        .expect("the item file begins with its document's bytes");
    let update = String::from_utf8_lossy(&item_bytes[document.len()..]);
    assert!(update.contains("/Prev"), "{update}");
    assert!(update.trim_end().ends_with("%%EOF"), "{update}");
}

/// The command line: keygen prints the public key for anjuan.yaml; verify --cases reads it and
/// the build log, and fails on a rewritten manifest; without a key it warns.
#[test]
fn keygen_and_verify_on_the_command_line() {
    let bin = env!("CARGO_BIN_EXE_anjuan");
    let keys = temp("cli-keys");
    let out = std::process::Command::new(bin)
        .args(["keygen", "-o"])
        .arg(&keys)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("signing:") && text.contains("public_key: \"04"),
        "{text}"
    );
    let b = built();
    let verify = |out: &Path, extra: &[&str]| {
        let o = std::process::Command::new(bin)
            .arg("verify")
            .arg(out)
            .args(extra)
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).to_string(),
        )
    };
    let cases = b.cases.to_str().unwrap();
    let (code, text) = verify(&b.out, &["--cases", cases]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("电子签名有效"), "{text}");
    let (code, text) = verify(&b.out, &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("未核验电子签名"), "{text}");
    let tampered = copy_out("cli-tampered");
    rewrite_document_and_manifest(&tampered);
    let (code, text) = verify(&tampered, &["--cases", cases]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("电子签名无效"), "{text}");
    let (code, text) = verify(&tampered, &["--key", &b.public_key]);
    assert_eq!(code, Some(1), "{text}");
}

/// The end of a build on its own: a key kept inside the shared cases root, readable by others,
/// is warned about; the signature is the same bytes each time; each build adds one log line.
#[test]
fn sealing_warns_about_a_key_kept_badly_and_appends_one_line_a_build() {
    let cases = temp("seal-cases");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("cases"), &cases);
    let _ = std::fs::remove_file(cases.join("anjuan-builds.log"));
    let (private_key, public_key) = anjuan::signing::keygen(&cases.join("密钥")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&private_key, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let mut yaml = std::fs::read_to_string(cases.join("anjuan.yaml")).unwrap();
    yaml.push_str(&format!(
        "\nsigning:\n  private_key: 密钥/{}\n  public_key: \"{public_key}\"\n",
        anjuan::signing::PRIVATE_FILE
    ));
    std::fs::write(cases.join("anjuan.yaml"), yaml).unwrap();
    let settings = anjuan::settings::load(&cases.join("anjuan.yaml")).unwrap();
    let out = temp("seal-out");
    std::fs::write(out.join("manifest.json"), "{\n  \"files\": []\n}\n").unwrap();
    let problems = anjuan::buildlog::seal(&settings, &cases, &out);
    let messages: Vec<String> = problems.0.iter().map(|p| p.to_string()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("私钥文件在案件根目录之内")),
        "{messages:#?}"
    );
    #[cfg(unix)]
    assert!(
        messages.iter().any(|m| m.contains("其他用户也能读取")),
        "{messages:#?}"
    );
    assert!(!problems.has_errors(), "{messages:#?}");
    let sig = std::fs::read(out.join("manifest.json.sig")).unwrap();
    anjuan::buildlog::seal(&settings, &cases, &out);
    assert_eq!(std::fs::read(out.join("manifest.json.sig")).unwrap(), sig);
    let log = anjuan::buildlog::read(&cases).unwrap();
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|e| e.signed && e.documents == 0));
    let key = anjuan::signing::PublicKey::parse(&public_key).unwrap();
    let manifest = std::fs::read(out.join("manifest.json")).unwrap();
    assert_eq!(
        anjuan::signing::check_detached(&key, &manifest, Some(&sig)),
        anjuan::signing::Check::Valid
    );
    // A wrong public key in anjuan.yaml is an error of the signing block, and nothing is signed.
    let mut wrong = settings.clone();
    let (_, other_public) = anjuan::signing::keygen(&temp("seal-other")).unwrap();
    wrong.signing.as_mut().unwrap().public_key = other_public.into();
    let problems = anjuan::buildlog::seal(&wrong, &cases, &out);
    assert!(problems.has_errors());
    assert!(!out.join("manifest.json.sig").exists());
}

/// A signature moved from another signed file (the office's key, other bytes): invalid.
#[test]
fn swapped_signature_fails() {
    let out = copy_out("swapsig");
    std::fs::copy(
        out.join("transfer/2026/tagmanifest-sm3.txt.sig"),
        out.join("manifest.json.sig"),
    )
    .unwrap();
    let r = verify::verify_with(&out, &office_key());
    assert_names(&r, "manifest.json", "电子签名无效");
}

/// The transfer package's copy of a volume is checked on its own bytes, even when the
/// manifest records the same digests for it and for the volume (verify reads such files
/// together and shares the work only when their bytes are equal).
#[test]
fn a_changed_transfer_copy_is_checked_on_its_own_bytes() {
    let out = copy_out("copy");
    let v = full_volume(&out);
    let m = Manifest::load(&out).unwrap();
    let copy = m
        .transfer
        .iter()
        .find(|f| f.sha256 == v.sha256 && f.path.ends_with(".pdf"))
        .map(|f| f.path.clone())
        .expect("the transfer package holds a copy of the volume");
    assert_ne!(copy, v.path);
    // The copy gains a script run on opening; the volume itself stays as filed.
    let path = out.join(&copy);
    let mut doc = lopdf::Document::load(&path).unwrap();
    let action = doc.add_object(lopdf::Dictionary::from_iter(vec![
        ("Type", lopdf::Object::Name(b"Action".to_vec())),
        ("S", lopdf::Object::Name(b"JavaScript".to_vec())),
        ("JS", lopdf::Object::string_literal("app.alert(1)")),
    ]));
    doc.catalog_mut().unwrap().set("OpenAction", action);
    doc.save(&path).unwrap();

    let r = verify::verify(&out);
    assert_names(&r, &copy, "SHA-256 不符");
    assert_names(&r, &copy, "PDF 含有 JavaScript 动作");
    let on_volume: Vec<String> = errors(&r)
        .into_iter()
        .filter(|e| e.starts_with(&format!("{}：", v.path)))
        .collect();
    assert_eq!(on_volume, Vec::<String>::new());
}

/// After 立卷 the build knows the volumes by a small index, each with the digest of its entry:
/// catalogues whose volumes did not change stand without a case record read (here the records
/// are even gone), and a volume changed in its case's record is read again and printed, the
/// streamed files saying what the whole catalogue says.
#[test]
fn catalogues_of_unchanged_volumes_read_no_case_record() {
    use anjuan::catalog::{self, Cell};
    let out = copy_out("catalog-index");
    let m = Manifest::load(&out).unwrap();
    let records = anjuan::records::Records::open(&out).unwrap();
    let index = records.volume_index();
    assert_eq!(index.len(), m.volumes.len());
    assert!(
        index
            .iter()
            .all(|k| m.volumes.iter().any(|v| *v.path == *k.path))
    );
    let date = index.iter().map(|v| v.filed_on).max();

    // The records set aside: only the index is left to know the volumes by.
    let dir = out.join(anjuan::records::DIR);
    let aside = temp("catalog-index-records");
    let ids = records.ids();
    for id in &ids {
        std::fs::rename(
            dir.join(format!("{id}.json")),
            aside.join(format!("{id}.json")),
        )
        .unwrap();
    }
    let cache = anjuan::cache::BuildCache::load(&out);
    let kept = catalog::write(
        common::renderer(),
        &cache,
        &records,
        &out,
        &index,
        date,
        &m.catalogs,
    )
    .expect("unchanged catalogues stand without their volumes' records");
    assert_eq!(kept, m.catalogs);

    // One volume retitled in its case's record: its catalogue is made again from the records.
    for id in &ids {
        std::fs::rename(
            aside.join(format!("{id}.json")),
            dir.join(format!("{id}.json")),
        )
        .unwrap();
    }
    let mut record = records.load("2026-JC-003").unwrap();
    let old_title = record.volumes[0].title.clone();
    record.volumes[0].title = format!("{old_title}（更正）");
    records.save("2026-JC-003", record).unwrap();
    let index = records.volume_index();
    let cache = anjuan::cache::BuildCache::load(&out);
    let made = catalog::write(
        common::renderer(),
        &cache,
        &records,
        &out,
        &index,
        date,
        &m.catalogs,
    )
    .unwrap();
    assert_eq!(made.len(), 8);
    for e in &made {
        let before = m.catalogs.iter().find(|b| b.path == e.path).unwrap();
        assert_ne!(e.inputs, before.inputs, "{}", e.path);
        // The 归档文件目录 does not print a volume's title: same bytes.
        if e.catalog == catalog::ITEM_CATALOG && e.format != "pdf" {
            assert_eq!(e.sha256, before.sha256, "{}", e.path);
        }
    }
    let now: Vec<VolumeEntry> = records.entries(&index).collect::<Result<_, _>>().unwrap();
    for c in catalog::catalogs(&now) {
        let csv = std::fs::read(out.join(format!("catalogs/{}.csv", c.name))).unwrap();
        let rows = catalog::read_csv(&csv).unwrap();
        let expected: Vec<Vec<String>> =
            std::iter::once(c.columns.iter().map(|s| s.to_string()).collect())
                .chain(c.rows.iter().map(|r| r.iter().map(Cell::text).collect()))
                .collect();
        assert_eq!(rows, expected, "{}", c.name);
    }
    let csv = std::fs::read_to_string(out.join("catalogs/案卷目录.csv")).unwrap();
    assert!(csv.contains(&format!("{old_title}（更正）")), "{csv}");
    let html = std::fs::read_to_string(out.join("catalogs/案卷目录.html")).unwrap();
    assert!(html.contains(&format!("{old_title}（更正）")));
    let pdf = common::pdf_text_file(&out.join("catalogs/案卷目录.pdf"));
    assert!(pdf.contains("更正"), "{pdf}");
    // No spool is left behind.
    let spools: Vec<_> = std::fs::read_dir(out.join(".anjuan-cache"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("spool-"))
        .collect();
    assert!(spools.is_empty(), "{spools:?}");
}

/// A build that changes nothing leaves the signed manifest as it stands, unread: the log gets a
/// line with the same SM3, the signature stays valid; a signature file changed since is made
/// again, never trusted because it names the right manifest.
#[test]
fn a_build_that_changes_nothing_keeps_the_sealed_manifest_and_mends_a_changed_signature() {
    let cases = temp("noop-seal-cases");
    copy_dir(&built().cases, &cases);
    let _ = std::fs::remove_file(cases.join("anjuan-builds.log"));
    let out = temp("noop-seal-out");
    let first = build_at(&Project::open(&cases).unwrap(), &out);
    assert!(first.ok(), "{:?}", first.problems);
    let sig_path = out.join("manifest.json.sig");
    let manifest = std::fs::read(out.join("manifest.json")).unwrap();
    let sig = std::fs::read(&sig_path).unwrap();
    // The records of the package's files are kept apart from the cache's index (which every
    // stage holds), in a file of their own.
    let index = std::fs::read_to_string(out.join(".anjuan-cache/index.json")).unwrap();
    assert!(
        !index.contains("\"transfer/2"),
        "package files in the index"
    );
    let kept = std::fs::read_to_string(out.join(".anjuan-cache/transfer.json")).unwrap();
    assert!(kept.contains("\"transfer/2"));
    let stamp = |p: &Path| std::fs::metadata(p).unwrap().modified().unwrap();
    let stamps = (stamp(&out.join("manifest.json")), stamp(&sig_path));
    let again = build_at(&Project::open(&cases).unwrap(), &out);
    assert!(again.ok(), "{:?}", again.problems);
    // Neither rewritten (the files-written count is the process's, shared with other tests).
    assert_eq!(
        (stamp(&out.join("manifest.json")), stamp(&sig_path)),
        stamps
    );
    assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), manifest);
    assert_eq!(std::fs::read(&sig_path).unwrap(), sig);
    let log = anjuan::buildlog::read(&cases).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].manifest_sm3, log[1].manifest_sm3);
    assert_eq!(
        (
            log[1].files,
            log[1].documents,
            log[1].volumes,
            log[1].signed
        ),
        (log[0].files, log[0].documents, log[0].volumes, true)
    );
    assert_eq!(
        errors(&verify::verify_with(&out, &office_key())),
        Vec::<String>::new()
    );
    // The signature's own hex changed, its 被签名文件, SM3 and 公钥 lines left as they were.
    let text = String::from_utf8(sig.clone()).unwrap();
    let line = text.lines().find(|l| l.starts_with("签名：")).unwrap();
    let flipped = line.replacen(&line[9..10], if &line[9..10] == "0" { "1" } else { "0" }, 1);
    std::fs::write(&sig_path, text.replace(line, &flipped)).unwrap();
    assert_ne!(std::fs::read(&sig_path).unwrap(), sig);
    // A volume's copy in the package replaced by other bytes: linked in again.
    let m = Manifest::load(&out).unwrap();
    let v = &m.volumes[0];
    let name = v.path.rsplit('/').next().unwrap();
    let copy = m
        .transfer
        .iter()
        .find(|e| e.path.ends_with(&format!("/data/电子档案/{name}")))
        .map(|e| out.join(&e.path))
        .unwrap();
    std::fs::remove_file(&copy).unwrap();
    std::fs::write(&copy, b"%PDF-1.7 not the volume").unwrap();
    let mended = build_at(&Project::open(&cases).unwrap(), &out);
    assert!(mended.ok(), "{:?}", mended.problems);
    assert_eq!(std::fs::read(&sig_path).unwrap(), sig);
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        std::fs::read(out.join(&v.path)).unwrap()
    );
    assert_eq!(
        errors(&verify::verify_with(&out, &office_key())),
        Vec::<String>::new()
    );
}

/// The transfer package's listing is kept apart, an entry a line, and the manifest's `transfer`
/// section is written from it; one kept whole by an older anjuan is taken over; the files of a
/// volume no longer filed leave the listing and the bags.
/// The paths the transfer package's kept records are of.
fn transfer_records(out: &Path) -> Vec<String> {
    let kept: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join(".anjuan-cache/transfer.json")).unwrap())
            .unwrap();
    kept["shard"]["files"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

#[test]
fn the_transfer_listing_is_kept_an_entry_a_line_and_gives_the_manifest_its_section() {
    let b = built();
    // Built here, not copied: a copy of the output has no hard links.
    let cases = temp("listing-cases");
    copy_dir(&b.cases, &cases);
    let out = temp("listing-out");
    let report = build_at(&Project::open(&cases).unwrap(), &out);
    assert!(report.ok(), "{:?}", report.problems);
    let listing = out.join(".anjuan-cache/transfer-listed.jsonl");
    let kept = |listing: &Path| -> Vec<anjuan::manifest::ListedFile> {
        std::fs::read_to_string(listing)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let m = Manifest::load(&out).unwrap();
    assert!(m.transfer.len() > 10, "{}", m.transfer.len());
    assert_eq!(kept(&listing), m.transfer);

    // As an older anjuan left it: the section in one JSON file.
    let manifest_text = std::fs::read(out.join("manifest.json")).unwrap();
    let old = out.join(".anjuan-cache/transfer-listed.json");
    std::fs::remove_file(&listing).unwrap();
    std::fs::write(&old, serde_json::to_vec(&m.transfer).unwrap()).unwrap();
    let report = build_at(&Project::open(&cases).unwrap(), &out);
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(
        std::fs::read(out.join("manifest.json")).unwrap(),
        manifest_text
    );
    assert!(!old.exists());
    assert_eq!(kept(&listing), m.transfer);

    // The bags' copies of volumes and 件 are hard links of the volumes' files: they need no
    // record of their own. One made a plain copy (same bytes) is known by a record from then on.
    let recorded = transfer_records;
    #[cfg(unix)]
    {
        let linked: Vec<&str> = m
            .transfer
            .iter()
            .map(|e| e.path.as_str())
            .filter(|p| p.contains("/data/电子档案/"))
            .collect();
        assert!(!linked.is_empty());
        let before = recorded(&out);
        assert!(
            before.iter().all(|p| !linked.contains(&p.as_str())),
            "linked copies recorded: {before:?}"
        );
        assert!(before.iter().any(|p| p.ends_with("manifest-sm3.txt")));
        let copy = out.join(linked[0]);
        let bytes = std::fs::read(&copy).unwrap();
        std::fs::remove_file(&copy).unwrap();
        std::fs::write(&copy, &bytes).unwrap();
        let report = build_at(&Project::open(&cases).unwrap(), &out);
        assert!(report.ok(), "{:?}", report.problems);
        assert_eq!(
            std::fs::read(out.join("manifest.json")).unwrap(),
            manifest_text
        );
        assert!(recorded(&out).iter().any(|p| p == linked[0]));
    }

    // A case taken out: its volume's copies leave the listing, the manifest and the bags.
    let v = full_volume(&out);
    std::fs::remove_file(cases.join(format!("inspection/{}.yaml", v.case))).unwrap();
    let report = build_at(&Project::open(&cases).unwrap(), &out);
    assert!(report.ok(), "{:?}", report.problems);
    let now = Manifest::load(&out).unwrap();
    assert_eq!(kept(&listing), now.transfer);
    let gone: Vec<&str> = m
        .transfer
        .iter()
        .map(|e| e.path.as_str())
        .filter(|p| !now.transfer.iter().any(|e| e.path == *p))
        .collect();
    assert!(
        gone.iter().any(|p| p.contains(&v.archive_code)),
        "the volume's copies are no longer listed: {gone:?}"
    );
    for p in &gone {
        assert!(!out.join(p).exists(), "{p} is left in the bags");
    }
    assert_eq!(errors(&verify::verify(&out)), Vec::<String>::new());
}

#[test]
#[cfg(unix)]
fn an_output_folder_given_as_a_relative_path_keeps_no_record_of_the_bags_linked_copies() {
    let b = built();
    let cases = temp("relative-cases");
    copy_dir(&b.cases, &cases);
    let out = temp("relative-out");
    // The same folder as a path relative to where the build runs (`-o out`, as users type it).
    let cwd = std::env::current_dir().unwrap();
    let up = cwd.components().count() - 1;
    let relative: PathBuf = std::iter::repeat_n(Path::new(".."), up)
        .collect::<PathBuf>()
        .join(out.strip_prefix("/").unwrap());
    assert!(relative.is_relative() && relative.join("..").exists());
    let report = build_at(&Project::open(&cases).unwrap(), &relative);
    assert!(report.ok(), "{:?}", report.problems);
    let recorded = || transfer_records(&out);
    let first = recorded();
    assert!(first.iter().any(|p| p.ends_with("manifest-sm3.txt")));
    assert!(
        first.iter().all(|p| !p.contains("/data/电子档案/")),
        "linked copies recorded: {first:?}"
    );
    // Records of linked copies an older build kept go at the next build.
    let shard_path = out.join(".anjuan-cache/transfer.json");
    let mut kept: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&shard_path).unwrap()).unwrap();
    let files = kept["shard"]["files"].as_object_mut().unwrap();
    let some_record = files.values().next().unwrap().clone();
    let m = Manifest::load(&out).unwrap();
    for e in m
        .transfer
        .iter()
        .filter(|e| e.path.contains("/data/电子档案/"))
    {
        files.insert(e.path.clone(), some_record.clone());
    }
    std::fs::write(&shard_path, serde_json::to_vec(&kept).unwrap()).unwrap();
    assert!(transfer_records(&out).len() > first.len());
    let report = build_at(&Project::open(&cases).unwrap(), &relative);
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(recorded(), first);
    // A build that changes nothing leaves the kept listing and records as they are.
    let stamp = |rel: &str| {
        std::fs::metadata(out.join(rel))
            .unwrap()
            .modified()
            .unwrap()
    };
    let before = [
        stamp(".anjuan-cache/transfer.json"),
        stamp(".anjuan-cache/transfer-listed.jsonl"),
    ];
    let report = build_at(&Project::open(&cases).unwrap(), &relative);
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(recorded(), first);
    assert_eq!(
        before,
        [
            stamp(".anjuan-cache/transfer.json"),
            stamp(".anjuan-cache/transfer-listed.jsonl"),
        ]
    );
    // A case changed: its volume is made again and linked into its bag over the old link. The
    // new link has no record either (the old copy, read to compare, was recorded on the way),
    // and the build after it changes nothing.
    let (file, text, name) = common::first_filed_inspection(&cases);
    std::fs::write(&file, text.replace(&name, "改过名称的受检单位")).unwrap();
    let report = build_at(&Project::open(&cases).unwrap(), &relative);
    assert!(report.ok(), "{:?}", report.problems);
    assert!(report.files_written > 0);
    assert_eq!(recorded(), first);
    let report = build_at(&Project::open(&cases).unwrap(), &relative);
    assert_eq!(
        report.files_written, 0,
        "a build after the change wrote files"
    );
    assert_eq!(errors(&verify::verify(&out)), Vec::<String>::new());
}

#[test]
fn the_sections_a_build_holds_whole_are_kept_with_the_manifest_they_went_into() {
    let b = built();
    let sha = anjuan::output::sha256_hex(&std::fs::read(b.out.join("manifest.json")).unwrap());
    let kept = Manifest::kept_sections(&b.out, &sha).expect("kept with this manifest");
    let scanned = Manifest::load_sections(&b.out).unwrap();
    assert_eq!(kept, scanned);
    assert!(!kept.catalogs.is_empty() && !kept.letters.is_empty() && kept.archive.is_some());
    assert!(kept.files.is_empty() && kept.volumes.is_empty() && kept.transfer.is_empty());
    // Kept with another manifest: not taken.
    assert_eq!(Manifest::kept_sections(&b.out, &"0".repeat(64)), None);
}

#[test]
fn a_volume_template_that_does_not_mark_its_parts_fails_the_volume_and_says_why() {
    let b = built();
    let cases = temp("unmarked-cases");
    copy_dir(&b.cases, &cases);
    // An office's own archive_volume.typ that lost the 备考表's label.
    let templates = temp("unmarked-templates");
    let own = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/archive_volume.typ"),
    )
    .unwrap();
    assert!(own.contains("#metadata(\"notes\")<anjuan-notes>"));
    std::fs::write(
        templates.join("archive_volume.typ"),
        own.replace("#metadata(\"notes\")<anjuan-notes>", ""),
    )
    .unwrap();
    let renderer = anjuan::render::Renderer::new(Some(&templates), None).unwrap();
    let out = temp("unmarked-out");
    let report = build_by(&Project::open(&cases).unwrap(), &renderer, &out);
    let said: Vec<String> = report
        .problems
        .0
        .iter()
        .map(|p| p.message.clone())
        .collect();
    assert!(
        said.iter()
            .any(|m| m.contains("模板 archive_volume 排出的页面不能组卷")
                && m.contains("备考表标签 <anjuan-notes> 在无")
                && m.contains("页号层标签 <anjuan-stamps> 在第")),
        "{said:?}"
    );
    // No volume made of pages the template did not say were whose; the documents stand.
    let volumes: Vec<_> = std::fs::read_dir(out.join("volumes"))
        .map(|d| d.flatten().filter(|e| e.path().is_file()).collect())
        .unwrap_or_default();
    assert!(volumes.is_empty(), "{volumes:?}");
    assert!(report.documents > 50, "{}", report.documents);
}
