//! Issue 8, inspection half: citations by the date of the act, the 先行登记保存 approval and
//! decision, the archive's year, per-item 档号 and 责任者, and documents that state only what
//! the case records. Each test reads the text of the PDFs built from the samples.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

mod common;

use anjuan::archive::VolumeEntry;
use anjuan::build::{BuildOptions, build};
use anjuan::manifest::Manifest;
use anjuan::problems::{Problem, Severity};
use anjuan::project::Project;
use chrono::NaiveDate;

fn date(s: &str) -> NaiveDate {
    s.parse().expect("valid date")
}

struct Built {
    cases: PathBuf,
    out: PathBuf,
}

/// The samples built once for every test of this binary.
fn built() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let cases = common::sample_cases("inspection-law");
        let out = cases.parent().unwrap().join("out");
        let opts = BuildOptions {
            out: out.clone(),
            today: date("2026-11-29"),
            progress: false,
            dump_data: None,
        };
        let report = build(&Project::open(&cases).unwrap(), common::renderer(), &opts).unwrap();
        assert!(report.ok(), "{:#?}", report.problems);
        Built { cases, out }
    })
}

/// The text of a case's document of `kind` (the `n`-th of that kind, from 0).
fn nth_doc(case: &str, kind: &str, n: usize) -> String {
    let dir = built().out.join(case);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .ends_with(&format!("-{kind}.pdf"))
        })
        .collect();
    files.sort();
    let path = files
        .get(n)
        .unwrap_or_else(|| panic!("{case} has no {kind} #{n}"));
    common::pdf_text_file(path)
}

fn doc(case: &str, kind: &str) -> String {
    nth_doc(case, kind, 0)
}

fn has(text: &str, what: &str, needles: &[&str]) {
    for n in needles {
        assert!(text.contains(n), "{what} lacks “{n}”:\n{text}");
    }
}

fn lacks(text: &str, what: &str, needles: &[&str]) {
    for n in needles {
        assert!(!text.contains(n), "{what} must not say “{n}”:\n{text}");
    }
}

/// Problems of a cases root holding the samples' settings and the given inspection files.
fn check_files(files: &[(&str, String)]) -> Vec<Problem> {
    let dir = common::temp_dir("inspection-law-check");
    std::fs::create_dir_all(dir.join("inspection")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/anjuan.yaml"),
        dir.join("anjuan.yaml"),
    )
    .unwrap();
    for (name, text) in files {
        std::fs::write(dir.join("inspection").join(name), text).unwrap();
    }
    let project = Project::open(&dir).unwrap();
    let checked = project.check(date("2026-11-29"));
    let _ = std::fs::remove_dir_all(&dir);
    checked.problems.0
}

fn sample(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("cases/inspection")
            .join(name),
    )
    .unwrap()
}

fn error_on<'a>(problems: &'a [Problem], field: &str) -> &'a Problem {
    problems
        .iter()
        .find(|p| p.severity == Severity::Error && p.field == field)
        .unwrap_or_else(|| panic!("no error on {field}: {problems:#?}"))
}

// ---------------------------------------------------------------------------------------------
// 3. Citations

#[test]
fn inspection_documents_cite_the_law_in_force_on_their_date() {
    // 2026: 保密法 (2024) 第四十九条 with 第五十一条 on plan, notice, register, report, opinion.
    for kind in [
        "inspection_plan",
        "inspection_notice",
        "inspection_register",
        "inspection_report",
        "inspection_opinion",
    ] {
        let t = doc("2026-JC-003", kind);
        has(
            &t,
            kind,
            &["《中华人民共和国保守国家秘密法》（2024年修订）第四十九条、第五十一条"],
        );
        // 2023: the 2010 law and the 2014 regulation.
        let old = doc("2023-JC-009", kind);
        has(
            &old,
            kind,
            &["《中华人民共和国保守国家秘密法》（2010年修订）第四十二条、第四十四条"],
        );
        lacks(&old, kind, &["第四十九条", "第五十一条", "2024年修订"]);
    }
    let old = doc("2023-JC-009", "inspection_opinion");
    has(
        &old,
        "2023 opinion",
        &["《中华人民共和国保守国家秘密法实施条例》（2014年）第三十二条、第三十三条"],
    );
    // 行政复议法: 第九条 before 2024-01-01, 第二十条 after.
    let old = doc("2023-JC-009", "preservation_decision");
    has(
        &old,
        "2023 preservation decision",
        &["《中华人民共和国行政复议法》（2017年修正）第九条"],
    );
    lacks(&old, "2023 preservation decision", &["第二十条"]);
    let new = doc("2026-JC-003", "preservation_decision");
    has(
        &new,
        "2026 preservation decision",
        &[
            "《中华人民共和国行政复议法》第二十条",
            "《中华人民共和国行政诉讼法》第四十六条",
        ],
    );
    // A direct service cites 第八十七条 only; 留置送达 (第八十九条) is not what happened.
    let receipt = doc("2026-JC-003", "service_receipt");
    has(
        &receipt,
        "direct receipt",
        &["《中华人民共和国民事诉讼法》第八十七条"],
    );
    lacks(&receipt, "direct receipt", &["第八十九条"]);
}

#[test]
fn urgency_and_confiscation_decide_what_enforcement_documents_cite() {
    // Not urgent: no 第十九条.
    let t = doc("2026-QZ-001", "enforcement_approval");
    has(&t, "approval", &["《中华人民共和国行政强制法》第十八条"]);
    lacks(&t, "non-urgent approval", &["第十九条"]);
    // Urgent: 第十八条 and 第十九条.
    let t = doc("2026-QZ-003", "enforcement_approval");
    has(&t, "urgent approval", &["第十八条、第十九条"]);
    // 实施条例 第六十二条 (收缴清单) is not printed on a stop-use list.
    let t = doc("2026-QZ-003", "item_list");
    has(&t, "stop-use list", &["秘密"]);
    lacks(&t, "stop-use list", &["第六十二条"]);
}

#[test]
fn a_case_citation_in_the_other_numbering_is_a_located_error() {
    let text = sample("2023-JC-009.yaml").replace(
        "    hazard: 非涉密U盘中存有标密文件，存在泄密隐患\n",
        "    hazard: 非涉密U盘中存有标密文件，存在泄密隐患\n    legal_basis: [ \"《中华人民共和国保守国家秘密法》第五十二条\" ]\n",
    );
    let problems = check_files(&[("2023-JC-009.yaml", text)]);
    let e = error_on(&problems, "measures[0].legal_basis[0]");
    assert!(e.line > 1 && e.file.ends_with("2023-JC-009.yaml"), "{e:?}");
    assert!(
        e.message.contains("第四十四条、第四十五条"),
        "{}",
        e.message
    );
    // The sample as it is has no error.
    let clean = check_files(&[("2023-JC-009.yaml", sample("2023-JC-009.yaml"))]);
    assert!(
        clean.iter().all(|p| p.severity != Severity::Error),
        "{clean:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// 4. 先行登记保存: approval beforehand, decision within 7 working days

#[test]
fn preservation_is_approved_and_decided() {
    let list = doc("2026-JC-003", "preservation_list");
    has(
        &list,
        "preservation list",
        &[
            "负责人张某某于2026年2月12日批准先行登记保存",
            "《中华人民共和国行政处罚法》第五十六条",
        ],
    );
    let t = doc("2026-JC-003", "preservation_decision");
    has(
        &t,
        "preservation decision",
        &[
            "先行登记保存物品处理决定书",
            "某保登处〔2026〕1号",
            "某县自然资源局",
            "Z9A1B2C3",
            "2026年2月12日",
            "继续作为证据登记保存",
            "《中华人民共和国行政处罚法》第五十六条",
            "《中华人民共和国保守国家秘密法》（2024年修订）第五十二条",
            "六十日内向某县人民政府申请行政复议",
            "2026年2月26日",
        ],
    );
    // Its deadline: 7 working days after the registration (Spring Festival 2026 in between).
    let project = Project::open(&built().cases).unwrap();
    let checked = project.check(date("2026-11-29"));
    let d = checked
        .deadlines
        .iter()
        .find(|d| d.case == "2026-JC-003" && d.document.id() == "preservation_decision")
        .expect("deadline of the preservation decision");
    assert_eq!(d.due, date("2026-02-28"));
    assert_eq!(d.status, anjuan::deadlines::Status::Ok);
    // In the volume right after the preservation list.
    let v = volume("2026-JC-003");
    let kinds: Vec<&str> = v
        .items
        .iter()
        .filter_map(|i| i.document.as_deref())
        .collect();
    let at = kinds
        .iter()
        .position(|k| *k == "preservation_list")
        .unwrap();
    assert_eq!(kinds[at + 1], "preservation_decision", "{kinds:?}");
}

#[test]
fn preservation_without_prior_approval_is_an_error() {
    let text = sample("2026-JC-003.yaml");
    let missing = text.replace("    approved_by: 张某某           #", "    #");
    let problems = check_files(&[("2026-JC-003.yaml", missing)]);
    error_on(&problems, "measures[1].approved_by");
    let late = text.replace(
        "    approved_on: 2026-02-12\n",
        "    approved_on: 2026-02-13\n",
    );
    let problems = check_files(&[("2026-JC-003.yaml", late)]);
    assert!(
        error_on(&problems, "measures[1].approved_on")
            .message
            .contains("事先批准")
    );
    // A decision late by the calendar: warned on its field.
    let slow = text.replace("      on: 2026-02-26\n", "      on: 2026-03-04\n");
    let problems = check_files(&[("2026-JC-003.yaml", slow)]);
    assert!(
        problems
            .iter()
            .any(|p| p.field == "measures[1].decision.on" && p.message.contains("7个工作日")),
        "{problems:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// 9. Archive: year of the last document, per-item 档号, 责任者

fn volumes() -> Vec<VolumeEntry> {
    let m = Manifest::load(&built().out).unwrap();
    m.volumes
}

fn volume(case: &str) -> VolumeEntry {
    volumes().into_iter().find(|v| v.case == case).unwrap()
}

#[test]
fn a_volume_is_of_the_year_of_its_last_document() {
    // Every document of 2025-JC-014 is of 2025; it was filed in January 2026.
    let v = volume("2025-JC-014");
    assert_eq!(v.archive_code, "Z041-WS·2025-D10-BMJ-0001");
    assert!(
        built()
            .out
            .join("transfer/2025/data/电子档案/Z041-WS·2025-D10-BMJ-0001.pdf")
            .is_file()
    );
    assert_eq!(
        volume("2023-JC-009").archive_code,
        "Z041-WS·2023-D10-BMJ-0001"
    );
    assert_eq!(
        volume("2026-JC-007").archive_code,
        "Z041-WS·2026-D10-BMJ-0001"
    );
    let ledger = std::fs::read_to_string(built().cases.join("anjuan-ledger.yaml")).unwrap();
    assert!(ledger.contains("archive/2025/D10"), "{ledger}");
}

#[test]
fn every_catalogue_row_has_its_own_code_and_author() {
    let v = volume("2026-JC-003");
    let csv = std::fs::read_to_string(built().out.join("catalogs/归档文件目录.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let own: Vec<&Vec<&str>> = rows
        .iter()
        .filter(|r| r[1].starts_with(&v.archive_code))
        .collect();
    assert_eq!(own.len(), v.items.len());
    for (k, r) in own.iter().enumerate() {
        assert_eq!(r[1], format!("{}-{:03}", v.archive_code, k + 1), "{r:?}");
    }
    let mut codes: Vec<&str> = rows.iter().map(|r| r[1]).collect();
    let n = codes.len();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), n, "every 件 addressable: 档号 unique");
    // 责任者: the 检查组 for the register and the report, the bureau for its decisions.
    let author = |title: &str| {
        own.iter()
            .find(|r| r[4].contains(title))
            .map(|r| r[3].to_string())
            .unwrap_or_else(|| panic!("no row {title}"))
    };
    assert_eq!(author("检查情况登记表"), "某县国家保密局保密检查组");
    assert_eq!(author("开展保密检查情况的报告"), "某县国家保密局保密检查组");
    assert_eq!(author("保密检查通知书"), "某县国家保密局");
    assert_eq!(author("先行登记保存物品处理决定书"), "某县国家保密局");
    // The signed register's scan is the 检查组's, as the register is.
    assert_eq!(
        author("检查情况登记表（签字页扫描件）"),
        "某县国家保密局保密检查组"
    );
    // The transfer package's list carries the same codes.
    let xml = std::fs::read_to_string(built().out.join("transfer/2026/data/文件目录.XML")).unwrap();
    assert!(
        xml.contains(&format!("<档号>{}-001</档号>", v.archive_code)),
        "{xml}"
    );
    let html = std::fs::read_to_string(built().out.join("catalogs/归档文件目录.html")).unwrap();
    assert!(html.contains(&format!("{}-002", v.archive_code)));
    let pdf = common::pdf_text_file(&built().out.join("catalogs/归档文件目录.pdf"));
    assert!(pdf.contains(&format!("{}-003", v.archive_code)), "{pdf}");
}

#[test]
fn verify_checks_the_item_codes() {
    let r = anjuan::archive::verify::verify(&built().out);
    let errors: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.level == anjuan::archive::verify::Level::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // An item code that is not the volume's plus its sequence number is named.
    let copy = common::temp_dir("inspection-law-verify");
    common::copy_dir(&built().out, &copy);
    let path = copy.join(anjuan::manifest::FILE_NAME);
    let text = std::fs::read_to_string(&path).unwrap();
    // The item row's own code (its file keeps its name: only the catalogued code is wrong).
    let code = format!("\"code\": \"{}-002\"", volume("2026-JC-003").archive_code);
    assert!(text.contains(&code), "{text}");
    std::fs::write(&path, text.replacen(&code, "\"code\": \"X-002\"", 1)).unwrap();
    let r = anjuan::archive::verify::verify(&copy);
    assert!(
        r.findings
            .iter()
            .any(|f| f.message.contains("X-002") && f.message.contains("卷内顺序号")),
        "{:#?}",
        r.findings
    );
    let _ = std::fs::remove_dir_all(&copy);
}

// ---------------------------------------------------------------------------------------------
// 10. Only recorded facts, worded as the data says

#[test]
fn technical_report_states_only_what_was_recorded() {
    let t = doc("2026-JC-003", "technical_report");
    has(
        &t,
        "technical report with the measures recorded",
        &[
            "只读锁（型号WB-2000）",
            "SHA-256",
            "3f5a9c0e1b7d4a2f",
            "镜像文件已刻录光盘2份",
            "证据保持原始状态",
        ],
    );
    // Only a write blocker recorded: no digests, no backup asserted.
    let t = doc("2023-JC-009", "technical_report");
    has(&t, "2023 technical report", &["只读锁"]);
    lacks(&t, "2023 technical report", &["校验值", "备份"]);
    // Nothing recorded: nothing asserted.
    let text = sample("2023-JC-009.yaml").replace("  write_blocker: 只读锁（型号 WB-2000）\n", "");
    let dir = common::temp_dir("inspection-law-bare");
    let cases = dir.join("cases");
    std::fs::create_dir_all(cases.join("inspection")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/anjuan.yaml"),
        cases.join("anjuan.yaml"),
    )
    .unwrap();
    std::fs::write(cases.join("inspection/2023-JC-009.yaml"), text).unwrap();
    let out = dir.join("out");
    let opts = BuildOptions {
        out: out.clone(),
        today: date("2026-11-29"),
        progress: false,
        dump_data: None,
    };
    let report = build(&Project::open(&cases).unwrap(), common::renderer(), &opts).unwrap();
    assert!(report.cases_failed.is_empty(), "{:#?}", report.problems);
    let path = std::fs::read_dir(out.join("2023-JC-009"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with("-technical_report.pdf"))
        .unwrap();
    let t = common::pdf_text_file(&path);
    lacks(
        &t,
        "bare technical report",
        &["写保护", "校验值", "原始状态"],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_one_day_inspection_has_one_date() {
    let t = doc("2026-JC-007", "inspection_notice");
    has(
        &t,
        "one-day notice",
        &["于2026年6月24日对你单位开展保密检查"],
    );
    lacks(&t, "one-day notice", &["至2026年6月24日"]);
}

#[test]
fn internal_files_are_no_breach_of_the_secrecy_law() {
    for kind in ["personnel_report", "inspection_report", "superior_report"] {
        let t = doc("2026-JC-011", kind);
        lacks(
            &t,
            kind,
            &["违反保密法律法规人员", "存在违反保密法律法规的行为"],
        );
    }
    let t = doc("2026-JC-011", "personnel_report");
    has(
        &t,
        "personnel report",
        &[
            "有关人员违反保密管理规定处理情况的专门报告",
            "违反保密管理规定的行为",
            "某甲",
        ],
    );
    // Where the data says the law was broken, the report says so.
    let text = sample("2026-JC-011.yaml").replace("breach: rules", "breach: law");
    let problems = check_files(&[("2026-JC-011.yaml", text)]);
    assert!(problems.iter().all(|p| p.severity != Severity::Error));
}

/// Builds `files` (inspection case files) in a fresh cases root; returns the output folder.
fn build_files(name: &str, files: &[(&str, String)]) -> PathBuf {
    let dir = common::temp_dir(name);
    let cases = dir.join("cases");
    std::fs::create_dir_all(cases.join("inspection")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/anjuan.yaml"),
        cases.join("anjuan.yaml"),
    )
    .unwrap();
    for (file, text) in files {
        std::fs::write(cases.join("inspection").join(file), text).unwrap();
    }
    let out = dir.join("out");
    let opts = BuildOptions {
        out: out.clone(),
        today: date("2026-11-29"),
        progress: false,
        dump_data: None,
    };
    let report = build(&Project::open(&cases).unwrap(), common::renderer(), &opts).unwrap();
    assert!(report.ok(), "{:#?}", report.problems);
    out
}

fn text_of(out: &Path, case: &str, kind: &str) -> String {
    let path = std::fs::read_dir(out.join(case))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with(&format!("-{kind}.pdf")))
        .unwrap_or_else(|| panic!("{case} has no {kind}"));
    common::pdf_text_file(&path)
}

#[test]
fn acts_before_july_2021_cite_the_2017_procedure_laws() {
    // The 2023 sample moved to June 2021 (working days kept, Dragon Boat Festival avoided).
    let mut text = sample("2023-JC-009.yaml");
    for (from, to) in [
        ("2023-06-05", "2021-06-03"),
        ("2023-06-15", "2021-06-16"),
        ("2023-06-14", "2021-06-11"),
        ("2023-06-20", "2021-06-22"),
        ("2023-07-20", "2021-07-12"),
        ("2023-07-24", "2021-07-13"),
        ("2023-07-28", "2021-07-14"),
        ("2023-08-10", "2021-08-10"),
        ("2023-", "2021-"),
    ] {
        text = text.replace(from, to);
    }
    let out = build_files("inspection-law-2021", &[("2021-JC-009.yaml", text)]);
    let list = text_of(&out, "2021-JC-009", "preservation_list");
    has(
        &list,
        "2021 preservation list",
        &["《中华人民共和国行政处罚法》（2017年修正）第三十七条第二款"],
    );
    lacks(&list, "2021 preservation list", &["第五十六条"]);
    let receipt = text_of(&out, "2021-JC-009", "service_receipt");
    has(
        &receipt,
        "2021 receipt",
        &["《中华人民共和国民事诉讼法》（2017年修正）第八十四条"],
    );
    lacks(&receipt, "2021 receipt", &["第八十七条", "第八十六条"]);
    let decision = text_of(&out, "2021-JC-009", "preservation_decision");
    has(
        &decision,
        "2021 decision",
        &[
            "《中华人民共和国行政处罚法》（2017年修正）第三十七条第二款",
            "《中华人民共和国行政复议法》（2017年修正）第九条",
            "《中华人民共和国保守国家秘密法》（2010年修订）第四十四条、第四十五条",
        ],
    );
}
