//! Bulk letters: rows merged over `common`, 文号 consecutive and stable, bad rows reported with
//! their row number while the others are built, registers that match the letters, and the
//! print file's odd-page starts.

mod common;

use std::path::{Path, PathBuf};

use anjuan::build::{BuildOptions, BuildReport, build};
use anjuan::letters::{campaign, print};
use anjuan::manifest::Manifest;
use anjuan::project::Project;
use calamine::{Data, Reader, open_workbook_auto};
use common::*;
use serde_yaml::Mapping;

fn build_into(cases: &Path, out: &Path) -> BuildReport {
    let project = Project::open(cases).expect("project opens");
    let opts = BuildOptions {
        out: out.to_path_buf(),
        today: "2026-11-29".parse().expect("date"),
        progress: false,
        dump_data: None,
    };
    build(&project, renderer(), &opts).expect("build runs")
}

/// The 文号 of every letter of a campaign, by row, from the manifest.
fn numbers(out: &Path, campaign: &str) -> Vec<(usize, String)> {
    let m = Manifest::load(out).expect("manifest");
    let mut v: Vec<(usize, String)> = m
        .letters
        .iter()
        .filter(|e| e.campaign == campaign && e.document != "service_receipt")
        .map(|e| (e.row, e.no.clone().unwrap()))
        .collect();
    v.sort();
    v
}

fn seq_of(no: &str) -> u32 {
    no.rsplit('〕')
        .next()
        .unwrap()
        .trim_end_matches('号')
        .parse()
        .unwrap()
}

/// A cases root with only the settings and the given files.
fn root_with(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let root = temp_dir(name).join("cases");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/anjuan.yaml"),
        root.join("anjuan.yaml"),
    )
    .unwrap();
    for (rel, text) in files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    root
}

const CAMPAIGN: &str = include_str!("../cases/campaigns/2026-ND-01.yaml");

#[test]
fn rows_override_common_and_nested_keys_merge() {
    let mut common: Mapping =
        serde_yaml::from_str("notice: { mode: written, issued_on: 2026-09-10 }\ninspection: { start: 2026-09-14, end: 2026-09-25 }\nteam: { leader: { name: 王某 } }").unwrap();
    let row: Mapping =
        serde_yaml::from_str("inspection: { end: 2026-09-14 }\nnotice: { issued_on: 2026-09-11 }")
            .unwrap();
    campaign::deep_merge(&mut common, &row);
    let merged = serde_yaml::to_string(&common).unwrap();
    assert!(merged.contains("start: 2026-09-14"), "{merged}");
    assert!(merged.contains("end: 2026-09-14"), "{merged}");
    assert!(merged.contains("mode: written"), "{merged}");
    assert!(merged.contains("issued_on: 2026-09-11"), "{merged}");
    assert!(merged.contains("name: 王某"), "{merged}");

    // In the built letters: row 3 has its own dates and notice, and still the common checklist.
    let cases = sample_cases("letters-merge");
    let out = cases.parent().unwrap().join("out");
    let report = build_into(&cases, &out);
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.problems.warnings(), 0, "{:?}", report.problems);
    let third = pdf_text_file(&out.join("2026-ND-01/003-inspection_notice.pdf"));
    assert!(third.contains("某县财政局："), "{third}");
    // A one-day inspection: one date, not "…至" the same day.
    assert!(third.contains("于2026年9月15日对你单位"), "{third}");
    assert!(!third.contains("至2026年9月15日"), "{third}");
    assert!(third.contains("保密工作责任制落实情况"), "{third}");
    assert!(third.contains("2026年9月11日"), "{third}");
    let first = pdf_text_file(&out.join("2026-ND-01/001-inspection_notice.pdf"));
    assert!(first.contains("某县教育局："), "{first}");
    assert!(
        first.contains("于2026年9月14日对你单位") && !first.contains("至2026年9月14日"),
        "{first}"
    );
    assert!(first.contains("2026年9月10日"), "{first}");
    // The receipt names the letter it serves and the unit's contact.
    let receipt = pdf_text_file(&out.join("2026-ND-01/receipts/001-service_receipt.pdf"));
    let (_, no) = &numbers(&out, "2026-ND-01")[0];
    assert!(
        receipt.contains(no.as_str()) && receipt.contains("钱某"),
        "{receipt}"
    );
    // Printed before the service: how and when it was served are left to fill in by hand.
    assert!(receipt.contains("□直接送达□邮寄送达"), "{receipt}");
}

#[test]
fn numbers_are_consecutive_and_stable_when_rebuilt_and_when_a_row_is_appended() {
    let root = root_with(
        "letters-numbers",
        &[("campaigns/nd.yaml", CAMPAIGN.as_bytes())],
    );
    let out = root.parent().unwrap().join("out");
    assert!(build_into(&root, &out).ok());
    let first = numbers(&out, "2026-ND-01");
    assert_eq!(first.len(), 3);
    let seqs: Vec<u32> = first.iter().map(|(_, n)| seq_of(n)).collect();
    assert_eq!(seqs, vec![1, 2, 3], "{first:?}");

    let manifest = std::fs::read(out.join("manifest.json")).unwrap();
    let report = build_into(&root, &out);
    assert!(report.ok());
    assert_eq!(numbers(&out, "2026-ND-01"), first);
    // Same input, same bytes: nothing rewritten, the print file and registers included.
    assert_eq!(report.letters.written, 0);
    assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), manifest);

    let appended = format!(
        "{CAMPAIGN}  - {{ inspected_unit: {{ name: 某县审计局, address: 某县人民路40号, contact: {{ name: 杨某 }} }}, inspection: {{ start: 2026-09-14, end: 2026-09-14 }} }}\n"
    );
    std::fs::write(root.join("campaigns/nd.yaml"), appended).unwrap();
    let report = build_into(&root, &out);
    assert!(report.ok(), "{:?}", report.problems);
    let after = numbers(&out, "2026-ND-01");
    assert_eq!(&after[..3], &first[..]);
    assert_eq!(after[3].0, 4);
    assert_eq!(seq_of(&after[3].1), 4, "{after:?}");
    let fourth = pdf_text_file(&out.join("2026-ND-01/004-inspection_notice.pdf"));
    assert!(
        fourth.contains(&after[3].1) && fourth.contains("某县审计局"),
        "{fourth}"
    );
}

const CSV_CAMPAIGN: &str = "kind: campaign
id: 2026-ND-09
title: 测试通知
document: inspection_notice
recipients_from: units.csv
common:
  notice: { mode: written, issued_on: 2026-09-10 }
  plan: { checklist: [ 保密工作责任制落实情况 ] }
  team:
    leader: { name: 王某, cert_no: 保执0101 }
    members: [ { name: 刘某, cert_no: 保执0102 } ]
";

#[test]
fn a_bad_spreadsheet_row_is_reported_with_its_row_number_and_the_others_are_built() {
    // BOM, a row without a unit name (row 3), a row whose notice is too late (row 4).
    let csv = "\u{feff}inspected_unit.name,inspected_unit.contact.name,inspection.start,inspection.end\n\
               某县教育局,钱某,2026-09-14,2026-09-14\n\
               ,吴某,2026-09-14,2026-09-14\n\
               某县财政局,郑某,2026-09-10,2026-09-10\n\
               某县审计局,杨某,2026-09-14,2026-09-15\n";
    let root = root_with(
        "letters-bad-row",
        &[
            ("campaigns/nd.yaml", CSV_CAMPAIGN.as_bytes()),
            ("campaigns/units.csv", csv.as_bytes()),
        ],
    );
    let out = root.parent().unwrap().join("out");
    let report = build_into(&root, &out);
    assert!(!report.ok());
    let problems = report.problems.clone().sorted();
    let empty = problems
        .iter()
        .find(|p| p.message.contains("第3行 inspected_unit.name 为空"))
        .unwrap_or_else(|| panic!("{problems:#?}"));
    assert_eq!(empty.file, "campaigns/units.csv");
    assert_eq!((empty.line, empty.column), (3, 1));
    assert!(
        problems
            .iter()
            .any(|p| p.message.starts_with("第4行（某县财政局）")
                && p.message.contains("提前不足1个工作日")),
        "{problems:#?}"
    );
    assert_eq!(report.letters.letters, 2);
    assert_eq!(report.letters.failed_rows, 2);
    let nos = numbers(&out, "2026-ND-09");
    assert_eq!(nos.iter().map(|(r, _)| *r).collect::<Vec<_>>(), vec![1, 4]);
    assert!(
        pdf_text_file(&out.join("2026-ND-09/004-inspection_notice.pdf")).contains("某县审计局")
    );
    assert!(!out.join("2026-ND-09/002-inspection_notice.pdf").exists());
}

#[test]
fn a_bad_yaml_row_is_reported_at_its_line() {
    let bad = CAMPAIGN.replace("{ name: 某县卫生健康局, ", "{ ");
    let root = root_with("letters-bad-yaml", &[("campaigns/nd.yaml", bad.as_bytes())]);
    let out = root.parent().unwrap().join("out");
    let report = build_into(&root, &out);
    let problems = report.problems.clone().sorted();
    let p = problems
        .iter()
        .find(|p| p.field == "recipients[1].inspected_unit.name")
        .unwrap_or_else(|| panic!("{problems:#?}"));
    let line = bad
        .lines()
        .position(|l| l.contains("某县健康路5号"))
        .unwrap()
        + 1;
    assert_eq!(p.line, line, "{p:?}");
    assert!(p.message.starts_with("第2个收文单位"), "{p:?}");
    assert_eq!(report.letters.letters, 2);
}

/// Reads a register workbook's rows (header first) as text.
fn xlsx_rows(path: &Path) -> Vec<Vec<String>> {
    let mut book = open_workbook_auto(path).expect("xlsx opens");
    let range = book.worksheet_range_at(0).expect("sheet").expect("range");
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) => format!("{f}"),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn registers_match_the_letters_and_the_print_file_starts_each_letter_on_an_odd_page() {
    let cases = sample_cases("letters-register");
    let out = cases.parent().unwrap().join("out");
    let report = build_into(&cases, &out);
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.problems.warnings(), 0, "{:?}", report.problems);
    let manifest = Manifest::load(&out).unwrap();
    for id in ["2026-ND-01", "2026-ND-02"] {
        let rows = xlsx_rows(&out.join(id).join("register.xlsx"));
        assert_eq!(
            rows[0],
            [
                "序号",
                "文号",
                "标题",
                "收文单位",
                "联系人",
                "发文日期",
                "页数",
                "文件"
            ]
        );
        let letters = numbers(&out, id);
        assert_eq!(rows.len() - 1, letters.len());
        for (i, row) in rows[1..].iter().enumerate() {
            assert_eq!(row[0], (i + 1).to_string());
            assert_eq!(row[1], letters[i].1);
            let text = pdf_text_file(&out.join(id).join(&row[7]));
            assert!(text.contains(&row[1]), "{}: {text}", row[1]);
            assert!(
                text.contains(&format!("{}：", row[3])),
                "{}: {text}",
                row[3]
            );
            let pages = pdf_pages(&std::fs::read(out.join(id).join(&row[7])).unwrap()).len();
            assert_eq!(row[6], pages.to_string());
        }
        let csv = std::fs::read_to_string(out.join(id).join("register.csv")).unwrap();
        let csv_rows: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(csv_rows.len(), rows.len());
        assert_eq!(csv_rows[1].split(',').nth(1), Some(rows[1][1].as_str()));
        for kind in ["xlsx", "csv"] {
            let path = format!("{id}/register.{kind}");
            assert!(manifest.registers.iter().any(|r| r.path == path));
        }
    }
    // The spreadsheet campaign: 24 rows, dates from real spreadsheet dates and from text.
    let sheet = numbers(&out, "2026-ND-02");
    assert_eq!(sheet.len(), 24);
    let second = pdf_text_file(&out.join("2026-ND-02/002-inspection_notice.pdf"));
    assert!(
        second.contains("于2026年10月20日对你单位") && !second.contains("至2026年10月20日"),
        "{second}"
    );
    let first = pdf_text_file(&out.join("2026-ND-02/001-inspection_notice.pdf"));
    assert!(
        first.contains("于2026年10月19日对你单位") && !first.contains("至2026年10月19日"),
        "{first}"
    );

    // Print file: the letters in order, each starting on an odd page.
    let print = std::fs::read(out.join("2026-ND-01/print.pdf")).unwrap();
    let pages = pdf_pages(&print);
    let mut start = 0;
    for (i, (_, no)) in numbers(&out, "2026-ND-01").iter().enumerate() {
        let file = out.join(format!("2026-ND-01/{:03}-inspection_notice.pdf", i + 1));
        let n = pdf_pages(&std::fs::read(file).unwrap()).len();
        assert_eq!(start % 2, 0, "letter {i} starts on page {}", start + 1);
        let text: String = pages[start]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        assert!(text.contains(no.as_str()), "page {}: {text}", start + 1);
        start += n + n % 2;
    }
}

#[test]
fn print_file_puts_a_blank_page_after_an_odd_letter() {
    let cases = sample_cases("letters-print");
    let out = cases.parent().unwrap().join("out");
    assert!(build_into(&cases, &out).ok());
    // Receipts are one page each: 1, blank, 1, blank, 1.
    let files: Vec<PathBuf> = (1..=3)
        .map(|i| out.join(format!("2026-ND-01/receipts/{i:03}-service_receipt.pdf")))
        .collect();
    let target = out.join("receipts-print.pdf");
    let pf = print::merge(&files, &target).expect("merges");
    assert_eq!((pf.pages, pf.blank), (5, 2));
    let pages = pdf_pages(&std::fs::read(&target).unwrap());
    assert_eq!(pages.len(), 5);
    assert!(pages[1].trim().is_empty() && pages[3].trim().is_empty());
    assert!(pages[2].contains("某县卫生健康局"), "{}", pages[2]);
    // Same letters, same bytes: not rewritten.
    assert!(!print::merge(&files, &target).unwrap().written);
}

#[test]
fn an_unknown_column_is_reported_once_on_the_header_row() {
    let csv = "inspected_unit.name,inspected_unit.adress,inspection.start,inspection.end\n\
               某县教育局,某路1号,2026-09-14,2026-09-14\n\
               某县财政局,某路2号,2026-09-14,2026-09-14\n";
    let root = root_with(
        "letters-unknown-column",
        &[
            ("campaigns/nd.yaml", CSV_CAMPAIGN.as_bytes()),
            ("campaigns/units.csv", csv.as_bytes()),
        ],
    );
    let out = root.parent().unwrap().join("out");
    let report = build_into(&root, &out);
    let problems = report.problems.clone().sorted();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let p = &problems[0];
    assert_eq!((p.line, p.column), (1, 2));
    assert!(
        p.message.contains("是否想写 address") && p.message.contains("2 行"),
        "{p:?}"
    );
    assert_eq!(report.letters.letters, 0);
}

/// A round of rectification requirements: one 保密检查意见书 per unit, each with its own
/// findings and deadlines, numbered consecutively.
#[test]
fn a_round_of_opinions_carries_each_units_rectifications() {
    let cases = sample_cases("letters-opinions");
    let out = cases.parent().unwrap().join("out");
    let report = build_into(&cases, &out);
    assert!(report.ok(), "{:?}", report.problems);
    let nos = numbers(&out, "2026-ZG-01");
    assert_eq!(nos.len(), 3);
    assert!(
        nos.windows(2)
            .all(|w| seq_of(&w[1].1) == seq_of(&w[0].1) + 1),
        "{nos:?}"
    );
    let first = pdf_text_file(&out.join("2026-ZG-01/001-inspection_opinion.pdf"));
    assert!(first.contains("某县教育局："), "{first}");
    assert!(first.contains("补齐涉密载体台账并逐件核对"), "{first}");
    assert!(first.contains("2026年10月30日"), "{first}");
    assert!(first.contains(nos[0].1.as_str()), "{first}");
    let third = pdf_text_file(&out.join("2026-ZG-01/003-inspection_opinion.pdf"));
    assert!(third.contains("制定科室保密工作责任清单"), "{third}");
    assert!(!third.contains("补齐涉密载体台账"), "{third}");
}

/// Excel on a Chinese Windows saves “CSV (逗号分隔)” as GBK: such a file is read as it is.
#[test]
fn a_gbk_spreadsheet_is_read() {
    let csv = "inspected_unit.name,inspected_unit.contact.name,inspection.start,inspection.end\r\n\
               某县教育局,钱某,2026-09-14,2026-09-14\r\n\
               某县审计局,杨某,2026-09-14,2026-09-15\r\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(csv);
    let root = root_with(
        "letters-gbk",
        &[
            ("campaigns/nd.yaml", CSV_CAMPAIGN.as_bytes()),
            ("campaigns/units.csv", &gbk),
        ],
    );
    let out = root.parent().unwrap().join("out");
    let report = build_into(&root, &out);
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.letters.letters, 2);
    let second = pdf_text_file(&out.join("2026-ND-09/002-inspection_notice.pdf"));
    assert!(second.contains("某县审计局："), "{second}");
}
