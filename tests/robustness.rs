//! Bugs found by trying anjuan as a user would: each reproduced here, each failing on the code
//! before its fix.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::temp_dir;

/// The binary under test; `ANJUAN_TEST_BIN` runs these tests against another build (how each
/// was seen to fail before its fix).
fn bin() -> PathBuf {
    std::env::var_os("ANJUAN_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_anjuan")))
}

fn run(args: &[&str], paths: &[&Path]) -> Output {
    let mut c = Command::new(bin());
    c.args(args);
    for p in paths {
        c.arg(p);
    }
    c.output().unwrap()
}

fn said(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A copy of the sample cases with only the given files (paths relative to `cases/`).
fn root_with(name: &str, files: &[&str]) -> PathBuf {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let root = temp_dir(name).join("cases");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::copy(samples.join("anjuan.yaml"), root.join("anjuan.yaml")).unwrap();
    for f in files {
        let to = root.join(f);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(samples.join(f), to).unwrap();
    }
    root
}

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    let new = f(text.clone());
    assert_ne!(new, text, "the edit of {} changed nothing", path.display());
    std::fs::write(path, new).unwrap();
}

const QZ3: &str = "enforcement/2026-QZ-003.yaml";

/// A second stop-use measure of the same case, with 12 days of testing (told in writing, as
/// revision 2 of the contract requires): a period of its own.
const SECOND_MEASURE: &str = "  - kind: stop_use
    testing_days: 12
    testing: { content: 密级鉴定, by: 某市国家保密局鉴定中心, notified_on: 2026-09-04 }
    items:
      - { name: 涉密U盘, model: 朗科 16G, serial: U2026090402, quantity: 1, condition: 已封存, classification: 秘密 }
    kept_at: 某县国家保密局涉密载体保管室
";

fn with_second_measure(text: String, testing_days: &str) -> String {
    text.replacen(
        "  - kind: rectify",
        &format!(
            "{}  - kind: rectify",
            SECOND_MEASURE.replace("testing_days: 12", &format!("testing_days: {testing_days}"))
        ),
        1,
    )
}

#[test]
fn absurd_testing_days_are_reported_not_a_crash() {
    let root = root_with("testing-days", &[QZ3]);
    edit(&root.join(QZ3), |t| with_second_measure(t, "100000000"));
    let o = run(&["check", "--today", "2026-11-29"], &[&root]);
    assert_ne!(o.status.code(), Some(101), "panicked: {}", said(&o));
    assert_eq!(o.status.code(), Some(1), "{}", said(&o));
    assert!(said(&o).contains("超出"), "{}", said(&o));
}

#[test]
fn each_measure_decision_gets_its_own_measure_s_period() {
    let root = root_with("per-measure", &[QZ3]);
    edit(&root.join(QZ3), |t| with_second_measure(t, "12"));
    let out = root.parent().unwrap().join("out");
    let dump = root.parent().unwrap().join("data");
    let o = run(
        &["build", "--today", "2026-11-29", "-q", "-o"],
        &[&out, Path::new("--dump-data"), &dump, &root],
    );
    assert!(o.status.success(), "{}", said(&o));
    let mut dues = Vec::new();
    for e in std::fs::read_dir(dump.join("2026-QZ-003")).unwrap() {
        let path = e.unwrap().path();
        if path.to_string_lossy().ends_with("-measure_decision.json") {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            dues.push(
                v["deadlines"]["measure_decision"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        }
    }
    dues.sort();
    // 2026-09-04 + 30 days = 10-04; the second measure's 12 testing days are not counted.
    assert_eq!(dues.len(), 2, "{dues:?}");
    assert_ne!(
        dues[0], dues[1],
        "both decisions print one measure's last day"
    );
    assert!(dues.contains(&"2026-10-16".to_string()), "{dues:?}");
}

#[test]
fn a_damaged_page_label_array_is_an_error_of_verify_not_a_crash() {
    let root = root_with("labels", &["inspection/2026-JC-007.yaml"]);
    let out = root.parent().unwrap().join("out");
    let o = run(
        &["build", "--today", "2026-11-29", "-q", "-o"],
        &[&out, &root],
    );
    assert!(o.status.success(), "{}", said(&o));
    let volume = std::fs::read_dir(out.join("volumes"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .unwrap();
    let mut doc = lopdf::Document::load(&volume).unwrap();
    let labels = doc
        .catalog()
        .unwrap()
        .get(b"PageLabels")
        .unwrap()
        .as_reference()
        .ok();
    let dict = match labels {
        Some(id) => doc.get_object_mut(id).unwrap().as_dict_mut().unwrap(),
        None => doc
            .catalog_mut()
            .unwrap()
            .get_mut(b"PageLabels")
            .unwrap()
            .as_dict_mut()
            .unwrap(),
    };
    let nums = dict.get_mut(b"Nums").unwrap().as_array_mut().unwrap();
    // Cut right after the key of the documents' labels: that key is left without its label.
    let key = nums
        .iter()
        .rposition(|o| o.as_dict().is_ok_and(|d| d.get(b"S").is_ok()))
        .expect("a numbered range")
        - 1;
    nums.truncate(key + 1);
    assert!(nums.len() % 2 == 1);
    doc.save(&volume).unwrap();
    let o = run(&["verify"], &[&out]);
    assert_eq!(o.status.code(), Some(1), "{}", said(&o));
}

#[test]
fn a_campaign_row_reusing_a_case_number_is_warned() {
    let root = root_with(
        "reuse",
        &["inspection/2026-JC-007.yaml", "campaigns/2026-ND-01.yaml"],
    );
    let out = root.parent().unwrap().join("out");
    let first = run(
        &["build", "--today", "2026-11-29", "-q", "-o"],
        &[&out, &root],
    );
    assert!(first.status.success(), "{}", said(&first));
    let ledger = std::fs::read_to_string(root.join("anjuan-ledger.yaml")).unwrap();
    // The notice number the case holds.
    let held = ledger
        .lines()
        .collect::<Vec<_>>()
        .windows(2)
        .find(|w| w[0].contains("owner: 2026-JC-007/inspection_notice"))
        .map(|w| w[1].trim().trim_start_matches("value: ").to_string())
        .expect("the case's notice is in the ledger");
    edit(&root.join("campaigns/2026-ND-01.yaml"), |t| {
        t.replacen(
            "notice: { mode: written, issued_on: 2026-09-11 }",
            &format!("notice: {{ mode: written, issued_on: 2026-09-11, no: \"{held}\" }}"),
            1,
        )
    });
    let second = run(
        &["build", "--today", "2026-11-29", "-q", "-o"],
        &[&out, &root],
    );
    let text = said(&second);
    assert!(
        text.contains(&format!(
            "文号 {held} 已在台账中分配给 2026-JC-007/inspection_notice"
        )),
        "{text}"
    );
}

#[test]
fn a_case_of_more_than_a_hundred_documents_is_filed_in_order() {
    let root = root_with("hundred", &["inspection/2026-JC-007.yaml"]);
    // Each receipt dated a day later than the one before: rows out of order show in the dates.
    let first = chrono::NaiveDate::from_ymd_opt(2026, 7, 8).unwrap();
    let services: String = (0..105)
        .map(|i| {
            let on = first + chrono::Days::new(i);
            format!(
                "  - {{ document: inspection_opinion, on: {on}, method: direct, recipient: 收件人{i} }}\n"
            )
        })
        .collect();
    edit(&root.join("inspection/2026-JC-007.yaml"), |t| {
        let (head, tail) = t.split_once("services:\n").unwrap();
        let rest = tail.split_once("\narchive:").map(|(_, r)| r).unwrap();
        format!("{head}services:\n{services}\narchive:{rest}")
    });
    let out = root.parent().unwrap().join("out");
    let o = run(
        &["build", "--today", "2026-11-29", "-q", "-o"],
        &[&out, &root],
    );
    assert!(o.status.success(), "{}", said(&o));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let titles: std::collections::HashMap<String, (String, String)> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                (
                    f["title"].as_str().unwrap().to_string(),
                    f["date"].as_str().unwrap().replace('-', ""),
                ),
            )
        })
        .collect();
    assert!(titles.len() > 105, "{}", titles.len());
    let csv = std::fs::read_to_string(out.join("catalogs/归档文件目录.csv")).unwrap();
    let rows: Vec<Vec<String>> = csv
        .lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .map(|c| c.trim_matches('"').to_string())
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), titles.len());
    let header: Vec<&str> = csv
        .lines()
        .next()
        .unwrap()
        .trim_start_matches('\u{feff}')
        .split(',')
        .collect();
    let title_col = header.iter().position(|h| h.contains("题名")).unwrap();
    let date_col = header.iter().position(|h| h.contains("日期")).unwrap();
    for (i, row) in rows.iter().enumerate() {
        let kind_path = titles
            .keys()
            .find(|p| p.starts_with(&format!("2026-JC-007/{:02}-", i + 1)))
            .unwrap_or_else(|| panic!("no document {}", i + 1));
        let (title, date) = &titles[kind_path];
        assert_eq!(
            (&row[title_col], &row[date_col]),
            (title, date),
            "row {} is not document {}",
            i + 1,
            i + 1
        );
    }
    let o = run(&["verify"], &[&out]);
    assert!(o.status.success(), "{}", said(&o));
}

#[test]
fn a_misspelt_numbering_or_law_key_is_an_error() {
    let root = root_with("keys", &["inspection/2026-JC-007.yaml"]);
    edit(&root.join("anjuan.yaml"), |t| {
        t.replacen("  inspection_notice:", "  inspecton_notice:", 1)
            + "law:\n  reveiw: 《中华人民共和国行政复议法》第二十条\n"
    });
    let o = run(&["check", "--today", "2026-11-29"], &[&root]);
    let text = said(&o);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(
        text.contains("numbering.inspecton_notice") && text.contains("是否想写 inspection_notice"),
        "{text}"
    );
    assert!(text.contains("law.reveiw"), "{text}");
}

#[test]
fn a_dump_data_folder_that_cannot_be_written_is_reported() {
    let root = root_with("dump", &["inspection/2026-JC-007.yaml"]);
    let out = root.parent().unwrap().join("out");
    let blocked = root.parent().unwrap().join("not-a-folder");
    std::fs::write(&blocked, "a file where the folder should be").unwrap();
    let o = run(
        &["build", "--today", "2026-11-29", "-q", "-o"],
        &[&out, Path::new("--dump-data"), &blocked, &root],
    );
    let text = said(&o);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(text.contains("无法写入模板数据"), "{text}");
}
