//! The inspection pipeline end to end: loading problems, working days, deadline statuses, every
//! inspection template's text, literal special characters, determinism.

mod common;

use std::path::Path;
use std::process::Command;

use anjuan::build::{BuildOptions, build};
use anjuan::deadlines::Status;
use anjuan::manifest::Manifest;
use anjuan::project::Project;
use chrono::NaiveDate;
use common::*;

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn cn_date(date: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

fn build_into(cases: &Path, out: &Path) -> anjuan::build::BuildReport {
    let project = Project::open(cases).expect("project opens");
    let opts = BuildOptions {
        out: out.to_path_buf(),
        today: d("2026-11-29"),
        progress: false,
        dump_data: None,
    };
    build(&project, renderer(), &opts).expect("build runs")
}

const SETTINGS: &str = include_str!("../cases/anjuan.yaml");

/// A cases root with the sample settings and the given case files.
fn root_with(name: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
    let root = temp_dir(name);
    std::fs::write(root.join("anjuan.yaml"), SETTINGS).unwrap();
    for (file, text) in files {
        std::fs::write(root.join(file), text).unwrap();
    }
    root
}

const MINIMAL: &str = include_str!("../cases/inspection/2026-JC-007.yaml");

#[test]
fn loading_problems_name_file_line_field_in_chinese() {
    let bad = "kind: inspection\nid: 2026-JC-900\ntitle: 错误示例\ninspected_unit:\n  name: 某单位\n  adress: 某路1号\nteam:\n  leader: { name: 王某, cert_no: 保执0101 }\n  members: [ { name: 陈某, cert_no: 保执0103, dutty: 甲 }, { name: 李某, cert_no: 保执0104, dutty: 乙 } ]\nnotice:\n  mode: writen\n  issued_on: 2026-06-22\ninspection:\n  start: 2026-02-30\n  end: 2026-06-24\n  records: []\nreprot:\n  submitted_on: 2026-06-29\n";
    let root = root_with("load", &[("bad.yaml", bad), ("good.yaml", MINIMAL)]);
    let project = Project::open(&root).unwrap();
    let problems = project.problems.clone().sorted();
    let find = |field: &str| {
        problems
            .iter()
            .find(|p| p.field == field)
            .unwrap_or_else(|| panic!("no problem on {field}: {problems:#?}"))
    };
    let p = find("inspected_unit.adress");
    assert_eq!((p.file.as_str(), p.line), ("bad.yaml", 6));
    assert!(p.message.contains("是否想写 address"), "{}", p.message);
    let p = find("notice.mode");
    assert_eq!(p.line, 11);
    assert!(p.message.contains("written"), "{}", p.message);
    let p = find("inspection.start");
    assert_eq!(p.line, 14);
    assert!(p.message.contains("日期无效"), "{}", p.message);
    let p = find("reprot");
    assert_eq!((p.line, p.column), (17, 1));
    assert!(p.message.contains("是否想写 report"), "{}", p.message);
    // Both entries of a list are reported, each at its own place.
    assert!(
        find("team.members[0].dutty")
            .message
            .contains("是否想写 duty")
    );
    assert_eq!(find("team.members[1].dutty").column, 84);
    // Every problem of the file is reported in one run, and the good case is still loaded.
    assert!(problems.len() >= 4);
    assert_eq!(project.cases.len(), 1);
    assert_eq!(project.cases[0].id(), "2026-JC-007");
    // …and built.
    let report = build_into(&root, &root.join("out"));
    assert_eq!(report.cases_built, 1);
    assert!(
        report.cases_failed.contains(&"bad.yaml".to_string()),
        "{:?}",
        report.cases_failed
    );
    assert!(
        root.join("out/2026-JC-007/02-inspection_notice.pdf")
            .is_file()
    );
}

#[test]
fn consistency_problems_point_at_their_field() {
    let case = MINIMAL
        .replace(
            "members: [ { name: 陈某, cert_no: 保执0103 } ]",
            "members: []",
        )
        .replace("submitted_on: 2026-06-29", "submitted_on: 2026-06-20")
        .replace(
            "document: inspection_opinion",
            "document: inspection_opinon",
        );
    let root = root_with("rules", &[("c.yaml", &case)]);
    let checked = Project::open(&root).unwrap().check(d("2026-11-29"));
    let problems = checked.problems.sorted();
    let messages: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.message))
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("team: ") && m.contains("至少应有两人")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("report.submitted_on: ") && m.contains("早于")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("services[0].document: ")
                && m.contains("是否想写 inspection_opinion")),
        "{messages:#?}"
    );
    assert_eq!(checked.failed, vec!["2026-JC-007".to_string()]);
}

/// An inspection that ends on 2026-02-12, just before the Spring Festival holiday and its two
/// adjusted working Saturdays.
const SPRING: &str = "kind: inspection\nid: 2026-JC-100\ntitle: 春节前的检查\ninspected_unit: { name: 某县某局 }\nteam:\n  leader: { name: 王某, cert_no: 保执0101 }\n  members: [ { name: 陈某, cert_no: 保执0103 } ]\nnotice: { mode: written, issued_on: 2026-02-05 }\ninspection:\n  start: 2026-02-09\n  end: 2026-02-12\n  records: [ { object: 台账, method: 查阅, finding: 规范, problem: false } ]\n";

#[test]
fn working_days_across_the_2026_spring_festival() {
    let root = root_with("spring", &[("c.yaml", SPRING)]);
    let checked = Project::open(&root).unwrap().check(d("2026-02-20"));
    let due = |doc: &str| {
        checked
            .deadlines
            .iter()
            .find(|x| x.document.id() == doc)
            .map(|x| x.due)
    };
    assert_eq!(due("inspection_report"), Some(d("2026-02-26")));
    assert_eq!(due("inspection_opinion"), Some(d("2026-03-18")));
    assert_eq!(due("inspection_notice"), Some(d("2026-02-06")));
}

#[test]
fn deadline_statuses() {
    assert_eq!(
        Status::of(d("2026-02-26"), Some(d("2026-02-26")), d("2026-11-29")),
        Status::Ok
    );
    assert_eq!(
        Status::of(d("2026-02-26"), Some(d("2026-02-27")), d("2026-11-29")),
        Status::Late
    );
    assert_eq!(
        Status::of(d("2026-02-26"), None, d("2026-02-26")),
        Status::Pending
    );
    assert_eq!(
        Status::of(d("2026-02-26"), None, d("2026-02-27")),
        Status::Overdue
    );

    // Through the whole check: a report done late, an opinion not yet due, then overdue.
    let case = format!("{SPRING}report: {{ submitted_on: 2026-02-27 }}\n");
    let root = root_with("status", &[("c.yaml", &case)]);
    let project = Project::open(&root).unwrap();
    let status = |today: &str, doc: &str| {
        project
            .check(d(today))
            .deadlines
            .iter()
            .find(|x| x.document.id() == doc)
            .map(|x| x.status)
    };
    assert_eq!(status("2026-03-01", "inspection_notice"), Some(Status::Ok));
    assert_eq!(
        status("2026-03-01", "inspection_report"),
        Some(Status::Late)
    );
    assert_eq!(
        status("2026-03-18", "inspection_opinion"),
        Some(Status::Pending)
    );
    assert_eq!(
        status("2026-03-19", "inspection_opinion"),
        Some(Status::Overdue)
    );
}

#[test]
fn notice_period_rules() {
    let late = SPRING.replace("issued_on: 2026-02-05", "issued_on: 2026-02-09");
    let early = SPRING.replace("issued_on: 2026-02-05", "issued_on: 2026-02-02");
    let root = root_with("notice", &[("late.yaml", &late)]);
    let c = Project::open(&root).unwrap().check(d("2026-03-01"));
    assert!(
        c.problems
            .0
            .iter()
            .any(|p| p.field == "notice.issued_on"
                && p.severity == anjuan::problems::Severity::Error)
    );
    let root = root_with("notice2", &[("early.yaml", &early)]);
    let c = Project::open(&root).unwrap().check(d("2026-03-01"));
    let p = c
        .problems
        .0
        .iter()
        .find(|p| p.field == "notice.issued_on")
        .expect("warning");
    assert_eq!(p.severity, anjuan::problems::Severity::Warning);
    assert!(p.message.contains("提前了 5 个工作日"), "{}", p.message);
}

#[test]
fn a_year_the_calendar_lacks_is_reported() {
    let case = SPRING.replace("2026-02-", "2028-02-");
    let root = root_with("year", &[("c.yaml", &case)]);
    let c = Project::open(&root).unwrap().check(d("2028-03-01"));
    assert!(
        c.problems
            .0
            .iter()
            .any(|p| p.message.contains("日历缺少 2028 年")),
        "{:#?}",
        c.problems
    );
    assert!(c.deadlines.is_empty());
}

fn manifest(out: &Path) -> Manifest {
    Manifest::load(out).expect("manifest")
}

/// What `verify` finds wrong with an output folder (its errors only).
fn verify_errors(out: &Path) -> Vec<String> {
    anjuan::archive::verify::verify(out)
        .findings
        .iter()
        .filter(|f| f.level == anjuan::archive::verify::Level::Error)
        .map(|f| f.message.clone())
        .collect()
}

#[test]
fn every_inspection_document_prints_its_case() {
    let cases = sample_cases("docs");
    let out = cases.parent().unwrap().join("out");
    let report = build_into(&cases, &out);
    assert!(report.ok(), "{:#?}", report.problems);
    let m = manifest(&out);
    let kinds: std::collections::BTreeSet<&str> =
        m.files.iter().map(|f| f.document.as_str()).collect();
    for kind in [
        "inspection_plan",
        "inspection_notice",
        "inspection_register",
        "disposal_notice",
        "preservation_list",
        "preservation_decision",
        "technical_report",
        "inspection_report",
        "personnel_report",
        "inspection_opinion",
        "objection_reply",
        "reinspection_opinion",
        "superior_report",
        "service_receipt",
    ] {
        assert!(kinds.contains(kind), "no {kind} in the samples");
    }
    for f in &m.files {
        let text = pdf_text_file(&out.join(&f.path));
        // Plans and reports are titled after the unit: 关于对…开展保密检查的工作方案.
        let title = match f.document.as_str() {
            "inspection_plan" => "保密检查的工作方案",
            "inspection_report" | "superior_report" => "开展保密检查情况的报告",
            "personnel_report" => "处理情况的专门报告",
            other => anjuan::documents::DocKind::from_id(other).unwrap().title(),
        };
        assert!(text.contains(title), "{}: no title {title}", f.path);
        if let Some(no) = &f.no {
            assert!(text.contains(no.as_str()), "{}: no 文号 {no}", f.path);
        }
        if let Some(date) = f.date {
            assert!(
                text.contains(&cn_date(date)),
                "{}: no date {}",
                f.path,
                cn_date(date)
            );
        }
        assert!(text.contains("—1—"), "{}: no page number", f.path);
    }
    let text = |case: &str, file: &str| pdf_text_file(&out.join(case).join(file));
    let full = |file: &str| text("2026-JC-003", file);
    assert!(full("01-inspection_plan.pdf").contains("保执0102"));
    assert!(full("01-inspection_plan.pdf").contains("张某某"));
    assert!(full("02-inspection_notice.pdf").contains("某县自然资源局"));
    assert!(full("02-inspection_notice.pdf").contains("0976-8871024"));
    assert!(full("03-inspection_register.pdf").contains("机要室涉密文件柜及台账"));
    assert!(full("04-disposal_notice.pdf").contains("涉密计算机违规连接互联网，存在泄密隐患"));
    assert!(full("04-disposal_notice.pdf").contains("某县人民政府"));
    assert!(full("06-preservation_list.pdf").contains("Z9A1B2C3"));
    assert!(
        full("08-technical_report.pdf").contains("该计算机存在违规外联行为，涉密信息存在泄露风险")
    );
    assert!(full("10-inspection_opinion.pdf").contains("完善涉密移动存储介质台账"));
    assert!(full("10-inspection_opinion.pdf").contains("2026年3月31日"));
    // Decisions and notices that affect the unit state its remedies, with the bodies of
    // anjuan.yaml.
    for file in [
        "04-disposal_notice.pdf",
        "10-inspection_opinion.pdf",
        "11-objection_reply.pdf",
    ] {
        let t = full(file);
        assert!(
            t.contains("某县人民政府申请行政复议") && t.contains("某县人民法院提起行政诉讼"),
            "{file}: {t}"
        );
        assert!(t.contains("陈述和申辩"), "{file}");
    }
    assert!(full("11-objection_reply.pdf").contains("维修人员"));
    assert!(full("12-reinspection_opinion.pdf").contains("台账已完善"));
    let sup = |file: &str| text("2026-JC-011", file);
    assert!(sup("05-personnel_report.pdf").contains("某甲"));
    assert!(sup("07-superior_report.pdf").contains("某州国家保密局"));
    // The 2025 case cites the law as it stood then… which is the revised law too; a 2023 date
    // would cite the old numbering (see law tests).
    assert!(text("2025-JC-014", "02-inspection_notice.pdf").contains("第四十九条"));
}

#[test]
fn markup_characters_and_rare_characters_print_literally() {
    let name = r"某县#自然*资源$局[测试]\𠮷";
    let case = MINIMAL.replace("name: 某县档案馆", &format!("name: '{name}'"));
    let root = root_with("literal", &[("c.yaml", &case)]);
    let out = root.join("out");
    let report = build_into(&root, &out);
    assert!(report.ok(), "{:#?}", report.problems);
    let text = pdf_text_file(&out.join("2026-JC-007/02-inspection_notice.pdf"));
    assert!(text.contains(name), "{text}");
    // 𠮷 (outside the BMP) has a real glyph in the bundled fonts, not a blank box.
    assert!(
        anjuan::render::FontSet::load(None)
            .unwrap()
            .fonts
            .iter()
            .any(|f| f.info().coverage.contains(0x20BB7))
    );
}

#[test]
fn two_builds_give_identical_bytes() {
    let cases = sample_cases("determinism");
    let base = cases.parent().unwrap();
    build_into(&cases, &base.join("a"));
    build_into(&cases, &base.join("b"));
    let a = manifest(&base.join("a"));
    let b = manifest(&base.join("b"));
    assert_eq!(a, b);
    for f in &a.files {
        let x = std::fs::read(base.join("a").join(&f.path)).unwrap();
        let y = std::fs::read(base.join("b").join(&f.path)).unwrap();
        assert!(x == y, "{} differs", f.path);
    }
    assert_eq!(
        std::fs::read(base.join("a/manifest.json")).unwrap(),
        std::fs::read(base.join("b/manifest.json")).unwrap()
    );
}

#[test]
fn check_command_json_and_exit_codes() {
    let bin = env!("CARGO_BIN_EXE_anjuan");
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let out = Command::new(bin)
        .args(["check"])
        .arg(&cases)
        .args(["--today", "2026-11-29", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let deadlines = v["deadlines"].as_array().unwrap();
    let report = deadlines
        .iter()
        .find(|x| x["case"] == "2026-JC-003" && x["document"] == "inspection_report")
        .expect("report deadline");
    assert_eq!(report["due"], "2026-02-26");
    assert_eq!(report["done"], "2026-02-26");
    assert_eq!(report["status"], "ok");
    assert!(
        v["problems"].as_array().unwrap().is_empty(),
        "{}",
        v["problems"]
    );

    let usage = Command::new(bin)
        .args(["check", "--bogus"])
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("未知的选项"));

    let root = root_with(
        "exit",
        &[("c.yaml", &MINIMAL.replace("mode: oral", "mode: orall"))],
    );
    let bad = Command::new(bin).arg("check").arg(&root).output().unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&bad.stdout);
    let line = MINIMAL
        .lines()
        .position(|l| l.contains("mode: oral"))
        .unwrap()
        + 1;
    assert!(
        stdout.contains(&format!("c.yaml:{line}:3: notice.mode")),
        "{stdout}"
    );
}

#[test]
fn citations_follow_the_date_of_the_act() {
    let settings =
        anjuan::settings::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/anjuan.yaml"))
            .unwrap();
    let old = anjuan::law::citations(Some(d("2023-06-01")), &settings);
    let new = anjuan::law::citations(Some(d("2026-06-01")), &settings);
    assert!(old["inspection_authority"].contains("第四十二条"));
    assert!(new["inspection_authority"].contains("第四十九条"));
    assert!(old["measures"].contains("第四十四条、第四十五条"));
    assert!(new["measures"].contains("第五十二条"));
    // The regulation's revision came into force later than the law's.
    let between = anjuan::law::citations(Some(d("2024-06-01")), &settings);
    assert!(between["inspection_authority"].contains("第四十九条"));
    assert!(between["inspection_scope"].contains("第三十二条"));
}

#[test]
fn calendar_years_can_be_added_in_settings() {
    let case = SPRING
        .replace("2026-02-", "2027-03-")
        .replace("2027-03-05", "2027-03-04")
        .replace("2027-03-09", "2027-03-08")
        .replace("2027-03-12", "2027-03-11");
    let root = root_with("extra", &[("c.yaml", &case)]);
    std::fs::create_dir_all(root.join("calendars")).unwrap();
    std::fs::write(
        root.join("calendars/2027.yaml"),
        "year: 2027\npapers: [ 测试 ]\ndays:\n  - { name: 测试假日, date: 2027-03-12, isOffDay: true }\n  - { name: 测试假日, date: 2027-03-15, isOffDay: true }\n",
    )
    .unwrap();
    let settings = format!("{SETTINGS}\ncalendar:\n  extra: [ calendars/2027.yaml ]\n").replace(
        "calendar:                       # optional",
        "# calendar (optional)",
    );
    std::fs::write(root.join("anjuan.yaml"), settings).unwrap();
    let c = Project::open(&root).unwrap().check(d("2027-03-20"));
    assert!(!c.problems.has_errors(), "{:#?}", c.problems);
    // End Thu 2027-03-11: Fri 12 and Mon 15 are off, so Tue 16 … Mon 22 is the 5th working day
    // (2027-03-18 by weekends alone).
    let due = c
        .deadlines
        .iter()
        .find(|x| x.document.id() == "inspection_report")
        .unwrap()
        .due;
    assert_eq!(due, d("2027-03-22"));
}

#[test]
fn numbers_are_stable_when_cases_are_added_and_explicit_numbers_win() {
    let root = root_with(
        "ledger",
        &[("a.yaml", &SPRING.replace("2026-JC-100", "2026-JC-101"))],
    );
    build_into(&root, &root.join("out"));
    let no = |out: &Path, case: &str| {
        manifest(out)
            .files
            .into_iter()
            .find(|f| f.case == case && f.document == "inspection_notice")
            .and_then(|f| f.no)
    };
    assert_eq!(
        no(&root.join("out"), "2026-JC-101").as_deref(),
        Some("某保检通〔2026〕1号")
    );
    // A case issued earlier, added later, gets the next number and changes nobody else's.
    let earlier = SPRING
        .replace("2026-JC-100", "2026-JC-099")
        .replace("2026-02-05", "2026-02-04")
        .replace("2026-02-09", "2026-02-06");
    std::fs::write(root.join("b.yaml"), earlier).unwrap();
    // And a case with its own number keeps it, and the number is never given again.
    let explicit = SPRING.replace("2026-JC-100", "2026-JC-102").replace(
        "issued_on: 2026-02-05 }",
        "issued_on: 2026-02-05, no: 某保检通〔2026〕7号 }",
    );
    std::fs::write(root.join("c.yaml"), explicit).unwrap();
    build_into(&root, &root.join("out"));
    let out = root.join("out");
    assert_eq!(
        no(&out, "2026-JC-101").as_deref(),
        Some("某保检通〔2026〕1号")
    );
    assert_eq!(
        no(&out, "2026-JC-099").as_deref(),
        Some("某保检通〔2026〕8号")
    );
    assert_eq!(
        no(&out, "2026-JC-102").as_deref(),
        Some("某保检通〔2026〕7号")
    );
    let ledger = std::fs::read_to_string(root.join("anjuan-ledger.yaml")).unwrap();
    assert!(ledger.contains("2026-JC-102/inspection_notice"), "{ledger}");
}

/// Hundreds of documents in one build: documents run on threads of their own, so typst's inner
/// parallel work never nests one document inside another on a stack (this overflowed at 1600
/// documents when documents were rayon jobs).
#[test]
fn hundreds_of_documents_build_in_one_run() {
    let full = include_str!("../cases/inspection/2026-JC-003.yaml");
    let full = &full[..full.find("\narchive:").expect("archive block")];
    let files: Vec<(String, String)> = (0..40)
        .map(|i| {
            (
                format!("c{i}.yaml"),
                full.replace("id: 2026-JC-003", &format!("id: 2026-JC-{:03}", 500 + i)),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let root = root_with("many", &refs);
    let report = build_into(&root, &root.join("out"));
    assert!(report.ok(), "{:#?}", report.problems);
    assert_eq!(report.documents, 40 * 18);
    let last = pdf_text_file(&root.join("out/2026-JC-539/10-inspection_opinion.pdf"));
    assert!(last.contains("某保检意〔2026〕40号"), "{last}");
}

#[test]
fn office_fonts_come_before_the_bundled_ones() {
    let dir = temp_dir("fonts");
    let font = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts/LXGWWenKai-Regular.ttf");
    std::fs::copy(&font, dir.join("office.ttf")).unwrap();
    let bundled = anjuan::render::FontSet::load(None).unwrap().fonts.len();
    let with_office = anjuan::render::FontSet::load(Some(&dir)).unwrap();
    assert_eq!(with_office.fonts.len(), bundled + 1);
    assert_eq!(with_office.fonts[0].info().family, "LXGW WenKai");
    // A folder that does not exist is a clear error, not a silent fallback.
    let bin = env!("CARGO_BIN_EXE_anjuan");
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let out = Command::new(bin)
        .arg("build")
        .arg(&cases)
        .args(["--font-path", "/no/such/字体", "-o"])
        .arg(dir.join("out"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("字体目录不存在"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_archived_inspection_has_every_step() {
    let start = MINIMAL.find("report:").unwrap();
    let end = MINIMAL.find("opinion:").unwrap();
    let case = format!("{}{}", &MINIMAL[..start], &MINIMAL[end..]);
    let root = root_with("steps", &[("c.yaml", &case)]);
    let c = Project::open(&root).unwrap().check(d("2026-11-29"));
    let p = c
        .problems
        .0
        .iter()
        .find(|p| p.field == "archive")
        .expect("an error on archive");
    assert_eq!(p.severity, anjuan::problems::Severity::Error);
    assert!(
        p.message.contains("书面检查报告（report）"),
        "{}",
        p.message
    );
}

/// Notepad on a Chinese Windows may save a case as GBK with CRLF line ends: it is read, with a
/// warning to save it as UTF-8, and problems still name the right line.
#[test]
fn a_gbk_case_file_is_read_with_a_warning() {
    let text = MINIMAL
        .replace("mode: oral", "mode: orall")
        .replace('\n', "\r\n");
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let root = root_with("gbk", &[]);
    std::fs::write(root.join("c.yaml"), &gbk).unwrap();
    let project = Project::open(&root).unwrap();
    let problems = project.problems.clone().sorted();
    let mode = problems
        .iter()
        .find(|p| p.field == "notice.mode")
        .expect("mode problem");
    let line = MINIMAL
        .lines()
        .position(|l| l.contains("mode: oral"))
        .unwrap()
        + 1;
    assert_eq!((mode.line, mode.column), (line, 3));
    let ok = MINIMAL.replace('\n', "\r\n");
    let (gbk, _, _) = encoding_rs::GBK.encode(&ok);
    std::fs::write(root.join("c.yaml"), &gbk).unwrap();
    let project = Project::open(&root).unwrap();
    assert_eq!(project.cases.len(), 1);
    assert_eq!(project.cases[0].case().title(), "对某县档案馆开展保密检查");
    let warning = &project.problems.0[0];
    assert_eq!(warning.severity, anjuan::problems::Severity::Warning);
    assert!(warning.message.contains("GBK"), "{}", warning.message);
}

/// The files below `dir` with the identity of their bytes on disk (inode and modification time):
/// a file the build rewrote (through a rename) gets a new one.
fn file_identities(dir: &Path) -> std::collections::BTreeMap<String, (u64, std::time::SystemTime)> {
    use std::os::unix::fs::MetadataExt;
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let m = e.metadata().unwrap();
            (
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .to_string(),
                (m.ino(), m.modified().unwrap()),
            )
        })
        .collect()
}

#[test]
#[cfg(unix)]
fn changing_one_case_remakes_its_documents_volume_and_catalogue_part_only() {
    let cases = filed_cases("incremental", 12);
    let out = cases.with_file_name("out");
    let first = build_into(&cases, &out);
    assert!(first.ok(), "{:?}", first.problems);
    let parts_dir = out.join(".anjuan-cache/parts");
    let before = file_identities(&out);
    let page_parts: Vec<&String> = before
        .keys()
        .filter(|p| p.starts_with(".anjuan-cache/parts/归档文件目录-part-"))
        .collect();
    assert!(
        page_parts.len() >= 2,
        "one catalogue part only: {page_parts:?}"
    );

    // Nothing changed: nothing written (the report's count of files is per process, and other
    // tests of this binary write at the same time: the files themselves are compared).
    let noop = build_into(&cases, &out);
    assert_eq!(noop.written, 0);
    assert_eq!(file_identities(&out), before);

    // One unit renamed: its case's documents that print the name, its volume and item files,
    // the catalogue files, the one catalogue part listing it, the package files naming them.
    let (file, old, name) = first_filed_inspection(&cases);
    std::fs::write(&file, old.replace(&name, &format!("{name}（更名）"))).unwrap();
    let id = old
        .lines()
        .find_map(|l| l.strip_prefix("id:"))
        .unwrap()
        .trim()
        .to_string();
    let changed = build_into(&cases, &out);
    assert!(changed.ok(), "{:?}", changed.problems);
    let after = file_identities(&out);
    let rewritten: Vec<&String> = after
        .iter()
        .filter(|(p, ident)| before.get(*p) != Some(ident))
        .map(|(p, _)| p)
        .collect();
    let case_docs = manifest(&out).files.iter().filter(|f| f.case == id).count();
    assert!(
        (1..=case_docs).contains(&changed.written),
        "{} of the case's {case_docs} documents",
        changed.written
    );
    // No document of another case was touched.
    for p in &rewritten {
        let top = p.split('/').next().unwrap();
        assert!(
            !top.contains("-S0") || top == id,
            "{p} of another case was rewritten"
        );
    }
    let parts_rewritten = rewritten
        .iter()
        .filter(|p| p.starts_with(".anjuan-cache/parts/归档文件目录-part-"))
        .count();
    assert!(
        (1..page_parts.len()).contains(&parts_rewritten),
        "{parts_rewritten} of {} catalogue parts laid out again",
        page_parts.len()
    );
    assert!(parts_dir.is_dir());
    // The catalogue still names every case, the renamed one with its new name.
    let csv = std::fs::read_to_string(out.join("catalogs/归档文件目录.csv")).unwrap();
    assert!(csv.contains(&format!("{name}（更名）")));
    let v = anjuan::archive::verify::verify(&out);
    assert!(
        v.findings
            .iter()
            .all(|f| f.level != anjuan::archive::verify::Level::Error),
        "{:?}",
        v.findings
    );
}

/// A catalogue of more than one part: each part is laid out once, without page numbers (so a
/// cached part stays valid whatever the whole's page count); the page numbers come from one
/// footer document per part; the joined PDF numbers every page across the whole, once per page,
/// and lists every row. A change that keeps the page counts makes no footer again.
#[test]
#[cfg(unix)]
fn multi_part_catalogue_numbers_every_page_of_the_whole_once() {
    let cases = filed_cases("catalogue-footers", 12);
    let out = cases.with_file_name("out");
    let r = build_into(&cases, &out);
    assert!(r.ok(), "{:?}", r.problems);
    let mut parts: Vec<std::path::PathBuf> = std::fs::read_dir(out.join(".anjuan-cache/parts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("归档文件目录-part-")
        })
        .collect();
    parts.sort();
    assert!(parts.len() >= 2, "one catalogue part only: {parts:?}");
    let mut part_pages = Vec::new();
    for p in &parts {
        let text = pdf_text_file(p);
        assert!(
            !text.contains("页共"),
            "{} carries page numbers: {text}",
            p.display()
        );
        part_pages.push(pdf_pages(&std::fs::read(p).unwrap()).len());
    }
    let pages = pdf_pages(&std::fs::read(out.join("catalogs/归档文件目录.pdf")).unwrap());
    let n = pages.len();
    assert_eq!(part_pages.iter().sum::<usize>(), n, "{part_pages:?}");
    // The page numbers come from one footer document per part, as many pages as the part,
    // numbered within the whole; no single footer document of the whole.
    let parts_dir = out.join(".anjuan-cache/parts");
    assert!(!parts_dir.join("归档文件目录-footers.pdf").exists());
    let footers = |out: &Path| -> Vec<String> {
        let mut f: Vec<String> = file_identities(out)
            .into_keys()
            .filter(|p| p.starts_with(".anjuan-cache/parts/归档文件目录-footers-"))
            .collect();
        f.sort();
        f
    };
    let footer_files = footers(&out);
    assert_eq!(footer_files.len(), parts.len(), "{footer_files:?}");
    let mut first = 0;
    for (f, pages) in footer_files.iter().zip(&part_pages) {
        let texts = pdf_pages(&std::fs::read(out.join(f)).unwrap());
        assert_eq!(texts.len(), *pages, "{f}");
        for (k, text) in texts.iter().enumerate() {
            let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            assert_eq!(text, format!("第{}页共{n}页", first + k + 1), "{f}");
        }
        first += pages;
    }
    for (i, text) in pages.iter().enumerate() {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(text.matches("页共").count(), 1, "page {}: {text}", i + 1);
        assert!(
            text.contains(&format!("第{}页共{n}页", i + 1)),
            "page {} lacks 第{0}页 共{n}页: {text}",
            i + 1
        );
    }
    // The last page of the second part, numbered within the whole.
    let last = part_pages[0] + part_pages[1];
    let text: String = pages[last - 1]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(text.contains(&format!("第{last}页共{n}页")), "{text}");
    // Every row, in order.
    let all: String = pages
        .concat()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let csv = std::fs::read(out.join("catalogs/归档文件目录.csv")).unwrap();
    let rows = anjuan::catalog::read_csv(&csv).unwrap();
    let mut at = 0;
    for row in &rows[1..] {
        let code = &row[1];
        let found = all[at..]
            .find(code.as_str())
            .unwrap_or_else(|| panic!("{code} missing or out of order"));
        at += found + code.len();
    }

    // A footer document of the whole left by an older build (recorded in the cache as made):
    // given up by the next build that makes the catalogue again.
    let stale = ".anjuan-cache/parts/归档文件目录-footers.pdf";
    std::fs::copy(out.join(&footer_files[0]), out.join(stale)).unwrap();
    let index_path = out.join(anjuan::cache::FILE_NAME);
    let mut index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&index_path).unwrap()).unwrap();
    let record = index["files"][&footer_files[0]].clone();
    assert!(
        record.is_object(),
        "{footer_files:?} not in the cache's index"
    );
    index["files"][stale] = record;
    std::fs::write(&index_path, serde_json::to_vec(&index).unwrap()).unwrap();

    // One case's unit renamed with as many characters of the same width: its part is laid out
    // again, the page count stays, and no footer is made again (they depend only on the parts'
    // page counts and the whole's).
    let before = file_identities(&out);
    let (file, old, name) = first_filed_inspection(&cases);
    let renamed: String = std::iter::once('甲').chain(name.chars().skip(1)).collect();
    assert_ne!(renamed, name);
    std::fs::write(&file, old.replace(&name, &renamed)).unwrap();
    let r = build_into(&cases, &out);
    assert!(r.ok(), "{:?}", r.problems);
    let after = file_identities(&out);
    assert!(!out.join(stale).exists(), "the old footer document lingers");
    assert_eq!(footers(&out), footer_files);
    for f in &footer_files {
        assert_eq!(after.get(f), before.get(f), "{f} made again");
    }
    let parts_rewritten: Vec<&String> = after
        .iter()
        .filter(|(p, id)| {
            p.starts_with(".anjuan-cache/parts/归档文件目录-part-") && before.get(*p) != Some(id)
        })
        .map(|(p, _)| p)
        .collect();
    assert!(
        (1..parts.len()).contains(&parts_rewritten.len()),
        "{parts_rewritten:?} of {} parts laid out again",
        parts.len()
    );
    let pages = pdf_pages(&std::fs::read(out.join("catalogs/归档文件目录.pdf")).unwrap());
    assert_eq!(pages.len(), n, "the renaming changed the page count");
    for (i, text) in pages.iter().enumerate() {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(text.matches("页共").count(), 1, "page {}: {text}", i + 1);
        assert!(text.contains(&format!("第{}页共{n}页", i + 1)), "{text}");
    }
    let all: String = pages
        .concat()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(
        all.contains(&renamed),
        "the new name is not in the catalogue"
    );
}

/// The point of laying the page numbers over the joined parts: when the catalogue's page count
/// changes, the parts whose rows did not change are not laid out again, and every page still
/// carries the new count.
#[test]
#[cfg(unix)]
fn catalogue_page_count_change_lays_out_only_the_changed_part() {
    let cases = filed_cases("catalogue-total", 12);
    let out = cases.with_file_name("out");
    let r = build_into(&cases, &out);
    assert!(r.ok(), "{:?}", r.problems);
    let pdf = out.join("catalogs/归档文件目录.pdf");
    let n = pdf_pages(&std::fs::read(&pdf).unwrap()).len();
    let parts = |ids: &std::collections::BTreeMap<String, (u64, std::time::SystemTime)>| {
        ids.iter()
            .filter(|(p, _)| p.starts_with(".anjuan-cache/parts/归档文件目录-part-"))
            .map(|(p, id)| (p.clone(), *id))
            .collect::<Vec<_>>()
    };
    let footers_of = |ids: &std::collections::BTreeMap<String, (u64, std::time::SystemTime)>| {
        ids.iter()
            .filter(|(p, _)| p.starts_with(".anjuan-cache/parts/归档文件目录-footers-"))
            .map(|(p, id)| (p.clone(), *id))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let identities = file_identities(&out);
    let before = parts(&identities);
    let footers_before = footers_of(&identities);
    assert!(before.len() >= 2, "{before:?}");
    assert_eq!(footers_before.len(), before.len(), "{footers_before:?}");
    // An inspection case listed in the last part only: its unit's name, in its rows' titles,
    // made much longer.
    let m = manifest(&out);
    let mut vols: Vec<_> = m.volumes.iter().collect();
    vols.sort_by(|a, b| (&a.archive_code, a.volume).cmp(&(&b.archive_code, b.volume)));
    let last_part = (before.len() - 1) * anjuan::catalog::PART_ROWS;
    let mut row = 0;
    let mut in_last = Vec::new();
    for v in vols {
        if row >= last_part {
            in_last.push(v.case.clone());
        }
        row += v.items.len();
    }
    let (file, text, name) = in_last
        .iter()
        .find_map(|case| {
            let file = cases.join("inspection").join(format!("{case}.yaml"));
            let text = std::fs::read_to_string(&file).ok()?;
            let name = text
                .lines()
                .skip_while(|l| !l.starts_with("inspected_unit:"))
                .find_map(|l| l.trim().strip_prefix("name:"))?
                .trim()
                .to_string();
            Some((file, text, name))
        })
        .expect("an inspection case in the last part");
    let long = format!("{name}（{}）", "更名后的名称很长".repeat(12));
    std::fs::write(&file, text.replace(&name, &long)).unwrap();
    let r = build_into(&cases, &out);
    assert!(r.ok(), "{:?}", r.problems);
    let identities = file_identities(&out);
    let after = parts(&identities);
    assert_eq!(after.len(), before.len());
    // The whole's page count changed: every part's footers are made again (they are cheap), one
    // per part, and no footer document of the whole.
    let footers_after = footers_of(&identities);
    assert_eq!(footers_after.len(), after.len(), "{footers_after:?}");
    for (f, id) in &footers_after {
        assert_ne!(footers_before.get(f), Some(id), "{f} not made again");
    }
    assert!(
        !out.join(".anjuan-cache/parts/归档文件目录-footers.pdf")
            .exists()
    );
    let (kept, last) = (&after[..after.len() - 1], &after[after.len() - 1]);
    assert_eq!(
        kept,
        &before[..before.len() - 1],
        "parts before the change laid out again"
    );
    assert_ne!(
        last,
        &before[before.len() - 1],
        "the changed part was not laid out again"
    );
    let pages = pdf_pages(&std::fs::read(&pdf).unwrap());
    let n2 = pages.len();
    assert!(n2 > n, "page count {n} -> {n2}: the test changes nothing");
    for (i, text) in pages.iter().enumerate() {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(text.matches("页共").count(), 1, "page {}: {text}", i + 1);
        assert!(
            text.contains(&format!("第{}页共{n2}页", i + 1)),
            "page {} lacks 第{0}页 共{n2}页: {text}",
            i + 1
        );
    }
    let all: String = pages
        .concat()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(all.contains(&long), "the new name is not in the catalogue");
}

#[test]
fn a_file_anjuan_never_made_is_left_in_place() {
    let cases = sample_cases("foreign-file");
    let out = cases.with_file_name("out");
    build_into(&cases, &out);
    let m = manifest(&out);
    let case = &m.files[0].case;
    // An officer's own file in a case's folder and in the volumes' folder.
    let own = [
        out.join(case).join("扫描备查.pdf"),
        out.join("volumes/说明.txt"),
    ];
    for f in &own {
        std::fs::write(f, b"not anjuan's").unwrap();
    }
    let again = build_into(&cases, &out);
    assert!(again.ok(), "{:?}", again.problems);
    for f in &own {
        assert_eq!(
            std::fs::read(f).unwrap(),
            b"not anjuan's",
            "{}",
            f.display()
        );
    }
    // verify still names them: the output folder holds a file the manifest does not list.
    let v = anjuan::archive::verify::verify(&out);
    assert!(
        v.findings
            .iter()
            .any(|f| f.item.ends_with("扫描备查.pdf") && f.message.contains("多出的文件")),
        "{:?}",
        v.findings
    );
}

#[test]
#[cfg(unix)]
fn output_cut_short_by_the_reader_ends_quietly() {
    use std::io::Read;
    // A case with a thousand misspelt keys: far more report than a pipe holds.
    let mut case = MINIMAL.to_string();
    for i in 0..1500 {
        case.push_str(&format!("bogus_key_{i}: 1\n"));
    }
    let root = root_with("closed-pipe", &[("c.yaml", &case)]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_anjuan"))
        .arg("check")
        .arg(&root)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The reader is gone (`| head -c 64`).
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A case file unchanged but its scanned original replaced on disk: the case's sources changed,
/// so its volume is made again with the new original, and the output verifies.
#[test]
fn a_replaced_scan_remakes_the_volume_of_an_unchanged_case() {
    let cases = sample_cases("scan-replaced");
    let out = cases.parent().unwrap().join("out");
    let first = build_into(&cases, &out);
    assert!(first.ok(), "{:?}", first.problems);
    let volume_of = |m: &Manifest| {
        m.volumes
            .iter()
            .find(|v| v.case == "2026-JC-003")
            .cloned()
            .expect("the case's volume")
    };
    let before = volume_of(&manifest(&out));
    let scan = cases.join("scans/2026-JC-003-register.pdf");
    // Another PDF in the scan's place: the first document of another case.
    let other = manifest(&out)
        .files
        .iter()
        .find(|f| f.case != "2026-JC-003")
        .map(|f| out.join(&f.path))
        .unwrap();
    std::fs::copy(&other, &scan).unwrap();
    let again = build_into(&cases, &out);
    assert!(again.ok(), "{:?}", again.problems);
    assert_eq!(again.written, 0, "no document of any case changed");
    let after = volume_of(&manifest(&out));
    assert_ne!(after.sha256, before.sha256, "volume made again");
    let row = after
        .items
        .iter()
        .find(|it| it.scanned)
        .expect("the scan's row");
    let new_scan = std::fs::read(&scan).unwrap();
    assert_eq!(row.sha256, anjuan::output::sha256_hex(&new_scan));
    assert_eq!(verify_errors(&out), Vec::<String>::new());
}

/// A case file that no longer parses (a typing slip while editing) owns its outputs still: its
/// documents and volume stand, listed, until the file is mended.
#[test]
fn a_case_file_that_no_longer_parses_keeps_its_outputs() {
    let cases = sample_cases("unparsable");
    let out = cases.parent().unwrap().join("out");
    let first = build_into(&cases, &out);
    assert!(first.ok(), "{:?}", first.problems);
    let before = manifest(&out);
    let id = "2026-JC-003";
    let docs: Vec<String> = before
        .files
        .iter()
        .filter(|f| f.case == id)
        .map(|f| f.path.clone())
        .collect();
    let volume = before
        .volumes
        .iter()
        .find(|v| v.case == id)
        .map(|v| v.path.clone())
        .expect("its volume");
    assert!(!docs.is_empty());
    let file = cases.join("inspection/2026-JC-003.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\nbroken: [unclosed\n")).unwrap();
    let again = build_into(&cases, &out);
    assert!(!again.ok(), "the broken file is reported");
    assert!(
        again
            .problems
            .0
            .iter()
            .any(|p| p.file.contains("2026-JC-003.yaml")),
        "{:?}",
        again.problems
    );
    let after = manifest(&out);
    for d in &docs {
        assert!(out.join(d).is_file(), "{d} removed");
        assert!(
            after.files.iter().any(|f| &f.path == d),
            "{d} no longer listed"
        );
    }
    assert!(out.join(&volume).is_file(), "{volume} removed");
    assert!(after.volumes.iter().any(|v| v.path == volume));
    assert_eq!(verify_errors(&out), Vec::<String>::new());
}

/// A build lets every case's model go once its stages are done with it (a build's memory must
/// not grow with the number of cases), and what it makes comes from the text that was checked:
/// a case file changed after the check never reaches its documents half-read.
#[test]
fn a_build_lets_case_models_go_and_makes_from_the_checked_text() {
    let cases = sample_cases("models-let-go");
    let out = cases.parent().unwrap().join("out");
    let project = Project::open(&cases).expect("project opens");
    assert!(project.cases.iter().all(|c| c.is_held()));
    let file = cases.join("inspection/2026-JC-007.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("某县档案馆"));
    std::fs::write(&file, text.replace("某县档案馆", "改过的单位")).unwrap();
    let opts = BuildOptions {
        out: out.clone(),
        today: d("2026-11-29"),
        progress: false,
        dump_data: None,
    };
    let report = build(&project, renderer(), &opts).expect("build runs");
    assert!(report.ok(), "{:?}", report.problems);
    let held = held_models(&project);
    assert!(
        held.is_empty(),
        "models still held after the build: {held:?}"
    );
    let texts: Vec<String> = manifest(&out)
        .files
        .iter()
        .filter(|f| f.case == "2026-JC-007")
        .map(|f| pdf_text_file(&out.join(&f.path)))
        .collect();
    assert!(texts.iter().any(|t| t.contains("某县档案馆")), "{texts:?}");
    assert!(texts.iter().all(|t| !t.contains("改过的单位")));
    // Asked for again, the model is the checked one, parsed anew.
    let c = project
        .cases
        .iter()
        .find(|c| c.id() == "2026-JC-007")
        .unwrap();
    assert!(
        serde_json::to_string(&c.case().to_json())
            .unwrap()
            .contains("某县档案馆")
    );
    assert!(c.is_held());
}

#[test]
fn a_light_check_lets_each_model_go_as_it_is_checked_and_keeps_what_the_build_needs() {
    let cases = sample_cases("light-check");
    let project = Project::open(&cases).expect("project opens");
    let full = project.check(d("2026-11-29"));
    assert!(project.cases.iter().all(|c| c.is_held()));
    assert!(full.cases.iter().all(|c| c.facts.is_none()));
    assert!(!full.deadlines.is_empty());
    let light = project.check_light(d("2026-11-29"));
    // Checked, every model is let go at once: a check of many cases holds none of them whole.
    let held = held_models(&project);
    assert!(
        held.is_empty(),
        "models still held after the check: {held:?}"
    );
    assert!(light.deadlines.is_empty());
    assert_eq!(light.failed, full.failed);
    assert_eq!(light.cases.len(), full.cases.len());
    for (l, f) in light.cases.iter().zip(&full.cases) {
        assert_eq!(l.loaded.id(), f.loaded.id());
        assert_eq!(l.docs.len(), f.docs.len());
        assert!(l.deadlines.is_empty());
        // What the build keeps of the model: its filing date and retention, as the model says.
        let facts = l
            .facts
            .as_ref()
            .expect("a light check keeps the case's facts");
        let model = f.loaded.case();
        assert_eq!(
            facts.filed,
            model.archive().map(|a| (a.filed_on, a.retention))
        );
        assert_eq!(facts.attachments.lines().count(), model.attachments().len());
    }
    assert!(
        light
            .cases
            .iter()
            .any(|c| c.facts.as_ref().is_some_and(|f| f.filed.is_some()))
    );
}

/// Opened for a build, each case is checked as it is loaded and its model let go at once: the
/// same verdicts as a light check after loading, and no model held at any point but the few
/// being checked. Asked for another day, the check is made again.
#[test]
fn a_project_opened_for_a_build_checks_each_case_as_it_loads_it() {
    let cases = sample_cases("checked-on-load");
    // A second file with a case's id: refused after loading, its check must go with it.
    std::fs::copy(
        cases.join("inspection/2026-JC-007.yaml"),
        cases.join("inspection/2026-JC-007-copy.yaml"),
    )
    .unwrap();
    let today = d("2026-11-29");
    let opened = Project::open_checked(&cases, today).expect("project opens");
    let held = held_models(&opened);
    assert!(held.is_empty(), "models held after opening: {held:?}");
    let on_load = opened.check_light(today);
    let after = Project::open(&cases).unwrap().check_light(today);
    assert!(!after.cases.is_empty() && after.problems.has_errors());
    assert_eq!(
        on_load
            .cases
            .iter()
            .filter(|c| c.loaded.id() == "2026-JC-007")
            .count(),
        1
    );
    assert_eq!(on_load.failed, after.failed);
    assert_eq!(
        on_load.problems.clone().sorted(),
        after.problems.clone().sorted()
    );
    let summary = |c: &anjuan::project::Checked| -> Vec<(String, usize, String)> {
        c.cases
            .iter()
            .map(|c| {
                let facts = c.facts.as_ref().expect("checked light");
                (
                    c.loaded.id().to_string(),
                    c.docs.len(),
                    format!("{:?}{}", facts.filed, facts.attachments),
                )
            })
            .collect()
    };
    assert_eq!(summary(&on_load), summary(&after));
    // What was checked on loading is taken once; another day is checked on its own.
    let later = d("2028-01-10");
    assert_eq!(
        opened.check_light(later).problems.sorted(),
        Project::open(&cases)
            .unwrap()
            .check_light(later)
            .problems
            .sorted()
    );
    assert_eq!(
        summary(&opened.check_light(today)),
        summary(&after),
        "checked again"
    );
    // Its models are parsed again from the checked texts when a stage asks for them.
    let c = &opened.cases[0];
    assert_eq!(c.case().id(), c.id());
}

/// The cases whose model the project still holds whole.
fn held_models(project: &Project) -> Vec<&str> {
    project
        .cases
        .iter()
        .filter(|c| c.is_held())
        .map(|c| c.id())
        .collect()
}
