//! The officer's desk: `anjuan status` (open obligations across cases and campaigns), `anjuan
//! stats` (the year's tables), `anjuan schema` and `anjuan new` (help writing cases).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;
use serde_json::Value;

fn anjuan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_anjuan"))
        .args(args)
        .output()
        .expect("runs anjuan")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The 1-based line of the first line of `file` (under the cases root) containing `needle`.
fn line_of(root: &Path, file: &str, needle: &str) -> u64 {
    let text = std::fs::read_to_string(root.join(file)).unwrap();
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not in {file}")) as u64
        + 1
}

fn status_json(root: &Path, today: &str) -> Value {
    let out = ok(&anjuan(&[
        "status",
        s(root),
        "--today",
        today,
        "--format",
        "json",
    ]));
    serde_json::from_str(&out).expect("status json")
}

/// The samples on Sunday 2026-11-29: every open obligation, in order of urgency, with working
/// days left counted over the real calendar (Spring Festival, National Day …).
#[test]
fn status_lists_every_open_obligation_of_the_samples() {
    let root = sample_cases("status");
    let v = status_json(&root, "2026-11-29");
    assert_eq!(v["today"], "2026-11-29");
    let items = v["items"].as_array().unwrap();
    let got: Vec<(String, String, String, i64, String)> = items
        .iter()
        .map(|i| {
            (
                i["case"].as_str().unwrap().to_string(),
                i["document"].as_str().unwrap().to_string(),
                i["due"].as_str().unwrap().to_string(),
                i["days_left"].as_i64().unwrap(),
                i["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let e = |c: &str, d: &str, due: &str, n: i64, st: &str| {
        (
            c.to_string(),
            d.to_string(),
            due.to_string(),
            n,
            st.to_string(),
        )
    };
    let expected = vec![
        // The second 行政处置通知书 (登记保存) of 2026-JC-003 has no 送达回证: across the Spring
        // Festival, Qingming, Labour Day, Dragon Boat, Mid-Autumn and National Day holidays.
        e(
            "2026-JC-003",
            "disposal_notice",
            "2026-02-12",
            -194,
            "overdue",
        ),
        e(
            "2026-QZ-001",
            "rectification_order",
            "2026-06-03",
            -122,
            "overdue",
        ),
        e(
            "2026-QZ-001",
            "recusal_decision",
            "2026-06-03",
            -122,
            "overdue",
        ),
        e(
            "2026-QZ-002",
            "measure_decision",
            "2026-07-14",
            -94,
            "overdue",
        ),
        // The campaign's opinions: receipts printed blank, no service recorded.
        e(
            "2026-ZG-01-001",
            "inspection_opinion",
            "2026-10-09",
            -36,
            "overdue",
        ),
        e(
            "2026-ZG-01-002",
            "inspection_opinion",
            "2026-10-09",
            -36,
            "overdue",
        ),
        e(
            "2026-ZG-01-003",
            "inspection_opinion",
            "2026-10-09",
            -36,
            "overdue",
        ),
        // …and their rectification deadlines, with no re-inspection yet.
        e(
            "2026-ZG-01-001",
            "inspection_opinion",
            "2026-10-20",
            -28,
            "overdue",
        ),
        e(
            "2026-ZG-01-002",
            "inspection_opinion",
            "2026-10-23",
            -25,
            "overdue",
        ),
        e(
            "2026-ZG-01-001",
            "inspection_opinion",
            "2026-10-30",
            -20,
            "overdue",
        ),
        e(
            "2026-ZG-01-003",
            "inspection_opinion",
            "2026-11-06",
            -15,
            "overdue",
        ),
        // 2026-JC-011's rectification runs until its re-inspection: due tomorrow.
        e(
            "2026-JC-011",
            "inspection_opinion",
            "2026-11-30",
            1,
            "pending",
        ),
    ];
    assert_eq!(got, expected);
    // file:line of the field that sets each one.
    let at = |k: usize| {
        (
            items[k]["file"].as_str().unwrap().to_string(),
            items[k]["line"].as_u64().unwrap(),
        )
    };
    assert_eq!(
        at(11),
        (
            "inspection/2026-JC-011.yaml".to_string(),
            line_of(&root, "inspection/2026-JC-011.yaml", "due: 2026-11-30")
        )
    );
    assert_eq!(
        at(7),
        (
            "campaigns/2026-ZG-01.yaml".to_string(),
            line_of(&root, "campaigns/2026-ZG-01.yaml", "due: 2026-10-20")
        )
    );
    assert_eq!(
        at(0),
        (
            "inspection/2026-JC-003.yaml".to_string(),
            line_of(
                &root,
                "inspection/2026-JC-003.yaml",
                "kind: register_preserve"
            )
        )
    );
    assert!(
        items[11]["what"]
            .as_str()
            .unwrap()
            .contains("组织涉密人员补签保密承诺书")
    );
    for i in items {
        let keys: Vec<&str> = i.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys.len(),
            8,
            "exactly case, what, document, due, days_left, status, file, line: {keys:?}"
        );
    }

    // The table groups them: 11 late, 1 due this week (on a Sunday, the week ahead).
    let table = ok(&anjuan(&["status", s(&root), "--today", "2026-11-29"]));
    let late = table.find("【已逾期】11 项").expect(&table);
    let week = table.find("【本周到期】1 项").expect(&table);
    assert!(late < week);
    let jc011 = table.find("2026-JC-011").unwrap();
    assert!(jc011 > week, "{table}");
    assert!(table.contains("逾期 194 个工作日"), "{table}");
    assert!(table.contains("inspection/2026-JC-011.yaml:"), "{table}");
    assert!(!table.contains("【10 个工作日内】"));
}

/// Before National Day: a rectification due 20 calendar days ahead is 10 working days ahead
/// (1-7 October off, Saturday 10 October worked), inside the default horizon.
#[test]
fn days_left_skip_the_national_day_holiday() {
    let root = sample_cases("status-holiday");
    let v = status_json(&root, "2026-09-30");
    let item = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["case"] == "2026-ZG-01-001" && i["due"] == "2026-10-20")
        .expect("rectification of 2026-ZG-01-001");
    assert_eq!(item["days_left"], 10);
    assert_eq!(item["status"], "pending");
    let table = ok(&anjuan(&["status", s(&root), "--today", "2026-09-30"]));
    let soon = table.find("【10 个工作日内】").expect(&table);
    let later = table.find("【以后】").unwrap_or(table.len());
    let row = table.find("剩 10 个工作日").expect(&table);
    assert!(soon < row && row < later, "{table}");
    // A narrower horizon moves it to 以后.
    let table = ok(&anjuan(&[
        "status",
        s(&root),
        "--today",
        "2026-09-30",
        "--within",
        "5",
    ]));
    let later = table.find("【以后】").expect(&table);
    assert!(table.find("剩 10 个工作日").unwrap() > later, "{table}");
}

#[test]
fn ics_parses_back_with_stable_uids_and_reminders() {
    let root = sample_cases("status-ics");
    let dir = temp_dir("ics");
    let a = dir.join("a.ics");
    let b = dir.join("b.ics");
    ok(&anjuan(&[
        "status",
        s(&root),
        "--today",
        "2026-11-29",
        "--format",
        "ics",
        "-o",
        s(&a),
    ]));
    ok(&anjuan(&[
        "status",
        s(&root),
        "--today",
        "2026-11-29",
        "--format",
        "ics",
        "-o",
        s(&b),
    ]));
    let text = std::fs::read_to_string(&a).unwrap();
    assert_eq!(text, std::fs::read_to_string(&b).unwrap());
    let cal: icalendar::Calendar = text.parse().expect("RFC 5545 parses");
    let mut uids = std::collections::BTreeSet::new();
    let mut dates = Vec::new();
    for c in &cal.components {
        if let icalendar::CalendarComponent::Event(e) = c {
            use icalendar::Component;
            uids.insert(e.get_uid().expect("UID").to_string());
            match e.get_start() {
                Some(icalendar::DatePerhapsTime::Date(d)) => dates.push(d),
                other => panic!("not an all-day event: {other:?}"),
            }
            assert!(
                e.get_summary()
                    .unwrap()
                    .contains(e.get_uid().unwrap().split("-").next().unwrap())
            );
        }
    }
    assert_eq!(uids.len(), 12, "one event per item, unique UIDs");
    assert!(dates.contains(&chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()));
    assert_eq!(text.matches("BEGIN:VALARM").count(), 12);
    assert!(text.contains("TRIGGER"));
    // Another day: the same obligations keep their UIDs.
    let c = dir.join("c.ics");
    ok(&anjuan(&[
        "status",
        s(&root),
        "--today",
        "2026-12-01",
        "--format",
        "ics",
        "-o",
        s(&c),
    ]));
    let later: icalendar::Calendar = std::fs::read_to_string(&c).unwrap().parse().unwrap();
    let later_uids: std::collections::BTreeSet<String> = later
        .components
        .iter()
        .filter_map(|c| match c {
            icalendar::CalendarComponent::Event(e) => {
                use icalendar::Component;
                e.get_uid().map(str::to_string)
            }
            _ => None,
        })
        .collect();
    assert_eq!(uids, later_uids);
}

#[test]
fn xlsx_ledger_has_one_row_per_case() {
    use calamine::{Reader, Xlsx, open_workbook};
    let root = sample_cases("status-xlsx");
    let file = temp_dir("ledger").join("台账.xlsx");
    ok(&anjuan(&[
        "status",
        s(&root),
        "--today",
        "2026-11-29",
        "--format",
        "xlsx",
        "-o",
        s(&file),
    ]));
    let mut wb: Xlsx<_> = open_workbook(&file).unwrap();
    let range = wb.worksheet_range("案件台账").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0][0], "案件编号");
    let row = |id: &str| {
        rows.iter()
            .find(|r| r[0] == id)
            .unwrap_or_else(|| panic!("{id}: {rows:?}"))
            .clone()
    };
    let jc011 = row("2026-JC-011");
    assert_eq!(jc011[5], "2026-11-30");
    assert_eq!(jc011[6], "1");
    assert_eq!(jc011[7], "正常");
    assert_eq!(row("2026-JC-003")[7], "有逾期事项");
    assert_eq!(row("2026-QZ-003")[7], "无待办事项");
    assert_eq!(row("2026-QZ-003")[3], "措施已解除，待归档");
    assert_eq!(row("2025-JC-014")[3], "已归档");
    let ids: std::collections::BTreeSet<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids.len(), rows.len() - 1, "one row a case");
    for id in [
        "2025-JC-014",
        "2026-JC-003",
        "2026-JC-007",
        "2026-JC-011",
        "2026-QZ-001",
        "2026-QZ-002",
        "2026-QZ-003",
        "2026-ZG-01-001",
    ] {
        assert!(ids.contains(id), "{id}");
    }
}

fn chromium() -> Option<String> {
    let candidates = [
        std::env::var("ANJUAN_CHROMIUM").unwrap_or_default(),
        "chromium".into(),
        "chromium-browser".into(),
    ];
    candidates.into_iter().filter(|c| !c.is_empty()).find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// The section of the dumped DOM with `id`.
fn section<'a>(dom: &'a str, id: &str) -> &'a str {
    let start = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id} in {dom}"));
    let end = dom[start..].find("</section>").unwrap() + start;
    &dom[start..end]
}

#[test]
fn html_page_groups_late_items_in_a_real_browser() {
    let root = sample_cases("status-html");
    let page = temp_dir("html").join("待办.html");
    ok(&anjuan(&[
        "status",
        s(&root),
        "--today",
        "2026-11-29",
        "--format",
        "html",
        "-o",
        s(&page),
    ]));
    let html = std::fs::read_to_string(&page).unwrap();
    // Self-contained: nothing is fetched.
    for needle in ["http://", "https://", "<link", "src="] {
        assert!(!html.contains(needle), "{needle}");
    }
    assert!(html.contains("@page { size: A4"));
    assert!(html.contains("红色：已逾期"), "plain-text legend");
    let Some(browser) = chromium() else {
        eprintln!(
            "note: chromium is not installed; the browser check of the status page is skipped"
        );
        return;
    };
    let profile = temp_dir("chromium-profile");
    let child = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--virtual-time-budget=2000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("chromium runs");
    // A browser that hangs fails the test instead of stalling the whole run; the output is read
    // as it comes so that a large page never fills the pipe.
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(std::time::Duration::from_secs(120)) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            panic!("chromium did not finish within 120 s");
        }
    };
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        dom.contains("</html>"),
        "no DOM: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let late = section(&dom, "group-late");
    for case in [
        "2026-JC-003",
        "2026-QZ-001",
        "2026-QZ-002",
        "2026-ZG-01-001",
        "2026-ZG-01-002",
        "2026-ZG-01-003",
    ] {
        assert!(
            late.contains(&format!("data-case=\"{case}\"")),
            "{case} not late: {late}"
        );
    }
    assert_eq!(late.matches("class=\"item\"").count(), 11);
    assert!(!late.contains("2026-JC-011"));
    assert!(section(&dom, "group-week").contains("data-case=\"2026-JC-011\""));
    // The filter script ran in the browser: it fills in the counts it shows.
    assert!(
        late.contains("<span class=\"count\">11 项</span>"),
        "{late}"
    );
    let soon = section(&dom, "group-soon");
    assert!(
        soon.contains("hidden"),
        "an empty group is hidden by the script: {soon}"
    );
}

// ---------------------------------------------------------------------------------------------
// stats

#[test]
fn stats_figures_equal_hand_counts_over_the_samples() {
    let root = sample_cases("stats");
    let out = ok(&anjuan(&[
        "stats",
        s(&root),
        "--year",
        "2026",
        "--today",
        "2026-11-29",
        "--format",
        "json",
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["year"], 2026);
    let fig = |table: &str, item: &str| -> (u64, Vec<String>) {
        let t = v["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["title"] == table)
            .unwrap();
        let f = t["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["item"] == item)
            .unwrap_or_else(|| panic!("{item}"));
        (
            f["value"].as_u64().unwrap(),
            f["cases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_string())
                .collect(),
        )
    };
    let jc = "保密检查情况统计表";
    let qz = "行政强制情况统计表";
    let v_ = |t, i| fig(t, i).0;
    // 2026: JC-003, JC-007, JC-011 (2025-JC-014 is last year's).
    assert_eq!(
        fig(jc, "检查案件"),
        (
            3,
            vec![
                "2026-JC-003".into(),
                "2026-JC-007".into(),
                "2026-JC-011".into()
            ]
        )
    );
    assert_eq!(v_(jc, "受检机关、单位"), 3);
    assert_eq!(v_(jc, "检查计算机"), 12 + 4 + 15);
    assert_eq!(v_(jc, "检查存储介质"), 30 + 6 + 8);
    assert_eq!(v_(jc, "检查文件资料"), 215 + 80 + 60);
    assert_eq!(
        fig(jc, "发现问题"),
        (4, vec!["2026-JC-003".into(), "2026-JC-011".into()])
    );
    assert_eq!(v_(jc, "其中：当场整改"), 2);
    assert_eq!(fig(jc, "责令停止使用"), (1, vec!["2026-JC-003".into()]));
    assert_eq!(v_(jc, "登记保存"), 1);
    assert_eq!(v_(jc, "提出整改要求"), 3);
    assert_eq!(
        fig(jc, "其中：已整改（经复查）"),
        (2, vec!["2026-JC-003".into()])
    );
    assert_eq!(v_(jc, "其中：逾期未整改"), 0);
    assert_eq!(
        fig(jc, "其中：整改期限未届满"),
        (1, vec!["2026-JC-011".into()])
    );
    assert_eq!(v_(jc, "收到异议"), 1);
    assert_eq!(fig(jc, "其中：异议不成立"), (1, vec!["2026-JC-003".into()]));
    assert_eq!(v_(jc, "其中：异议成立"), 0);
    assert_eq!(v_(jc, "复查"), 1);
    assert_eq!(
        fig(jc, "其中：上级部署的检查"),
        (1, vec!["2026-JC-011".into()])
    );
    // JC-011's one person stored an internal sensitive file (breach: rules): handled for
    // breaching the secrecy rules, not the secrecy law.
    assert_eq!(fig(jc, "违反保密法律法规人员处理"), (0, vec![]));
    assert_eq!(
        fig(jc, "违反保密管理规定人员处理"),
        (1, vec!["2026-JC-011".into()])
    );
    // Campaign letters of 2026: 3 + 24 notices (2026-ND-02's 24 rows come from its workbook),
    // 3 opinions requiring 4 rectifications.
    let (n, letters) = fig(jc, "批量发文：检查通知书");
    assert_eq!(n, 27);
    assert_eq!(
        letters
            .iter()
            .filter(|l| l.starts_with("2026-ND-02-"))
            .count(),
        24
    );
    assert_eq!(
        fig(jc, "批量发文：检查意见书"),
        (
            3,
            vec![
                "2026-ZG-01-001".into(),
                "2026-ZG-01-002".into(),
                "2026-ZG-01-003".into()
            ]
        )
    );
    assert_eq!(v_(jc, "其中：提出整改要求"), 4);

    // 2026: QZ-001, QZ-002, QZ-003, QZ-004.
    assert_eq!(v_(qz, "行政强制案件"), 4);
    assert_eq!(
        fig(qz, "其中：情况紧急当场实施"),
        (1, vec!["2026-QZ-003".into()])
    );
    assert_eq!(v_(qz, "采取责令整改的案件"), 4);
    assert_eq!(v_(qz, "责令整改措施"), 4);
    assert_eq!(
        fig(qz, "采取责令停止使用的案件"),
        (2, vec!["2026-QZ-002".into(), "2026-QZ-003".into()])
    );
    assert_eq!(v_(qz, "责令停止使用措施"), 2);
    assert_eq!(fig(qz, "采取收缴的案件"), (1, vec!["2026-QZ-004".into()]));
    assert_eq!(v_(qz, "收缴措施"), 1);
    assert_eq!(
        fig(qz, "采取证据保存的案件"),
        (2, vec!["2026-QZ-001".into(), "2026-QZ-002".into()])
    );
    assert_eq!(v_(qz, "证据保存措施"), 2);
    assert_eq!(fig(qz, "延长措施期限"), (0, vec![]));
    // QZ-001's evidence preservation, QZ-002's and QZ-003's stop-use (`lifted`).
    assert_eq!(
        fig(qz, "解除措施"),
        (
            3,
            vec![
                "2026-QZ-001".into(),
                "2026-QZ-002".into(),
                "2026-QZ-003".into()
            ]
        )
    );
    assert_eq!(v_(qz, "作出处理决定"), 2);
    assert_eq!(fig(qz, "移送有关部门"), (1, vec!["2026-QZ-001".into()]));
    // QZ-002: 3 papers by the decision's 收缴清单; QZ-004: 12 waste pages by the 收缴 measure.
    // QZ-001's laptop is sent with the transfer, its U盘 returned: none confiscated.
    assert_eq!(
        fig(qz, "收缴物品"),
        (15, vec!["2026-QZ-002".into(), "2026-QZ-004".into()])
    );
    assert_eq!(fig(qz, "退还物品"), (2, vec!["2026-QZ-001".into()]));
    assert_eq!(fig(qz, "随案移送物品"), (1, vec!["2026-QZ-001".into()]));

    // At the year's end the open rectification of JC-011 (due 2026-11-30) is overdue.
    let out = ok(&anjuan(&[
        "stats",
        s(&root),
        "--year",
        "2026",
        "--today",
        "2027-01-05",
        "--format",
        "json",
    ]));
    let end: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(end["as_of"], "2026-12-31");
    let overdue = end["tables"][0]["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["item"] == "其中：逾期未整改")
        .unwrap()
        .clone();
    assert_eq!(overdue["value"], 1);
    assert_eq!(overdue["cases"][0], "2026-JC-011");
    // 2025: only JC-014.
    let out = ok(&anjuan(&[
        "stats",
        s(&root),
        "--year",
        "2025",
        "--today",
        "2026-11-29",
        "--format",
        "json",
    ]));
    let last: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(last["tables"][0]["figures"][0]["value"], 1);
    assert_eq!(last["tables"][1]["figures"][0]["value"], 0);
}

#[test]
fn stats_writes_a_workbook_and_a_one_page_pdf() {
    use calamine::{Reader, Xlsx, open_workbook};
    let root = sample_cases("stats-files");
    let out = temp_dir("stats-out");
    ok(&anjuan(&[
        "stats",
        s(&root),
        "--year",
        "2026",
        "--today",
        "2026-11-29",
        "-o",
        s(&out),
    ]));
    let pdf = std::fs::read(out.join("2026年度统计.pdf")).unwrap();
    let pages = pdf_pages(&pdf);
    assert_eq!(pages.len(), 1, "one page");
    let text = pdf_text(&pdf);
    for needle in [
        "2026年度保密检查和行政强制情况统计",
        "保密检查情况统计表",
        "行政强制情况统计表",
        "某县国家保密局",
        "检查计算机31台",
        "检查文件资料355份",
        "收缴物品15件",
        "退还物品2件",
        "违反保密管理规定人员处理1人",
        "违反保密法律法规人员处理0人",
    ] {
        assert!(text.contains(needle), "{needle} not in {text}");
    }
    let mut wb: Xlsx<_> = open_workbook(out.join("2026年度统计.xlsx")).unwrap();
    let range = wb.worksheet_range("保密检查情况统计表").unwrap();
    let row = range.rows().find(|r| r[0] == "检查存储介质").unwrap();
    assert_eq!(row[1].to_string(), "44");
    assert_eq!(row[3].to_string(), "2026-JC-003、2026-JC-007、2026-JC-011");
    assert!(wb.worksheet_range("行政强制情况统计表").is_ok());
}

// ---------------------------------------------------------------------------------------------
// schema and new

fn yaml_files(root: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "yaml")
                && p.file_name().is_some_and(|n| n != "anjuan-ledger.yaml")
        })
        .collect()
}

fn to_json_file(yaml: &Path, json: &Path) {
    let v: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(yaml).unwrap()).unwrap();
    let j: Value = serde_json::to_value(v).unwrap();
    std::fs::write(json, serde_json::to_string(&j).unwrap()).unwrap();
}

fn python_jsonschema() -> Option<String> {
    let python = std::env::var("ANJUAN_PYTHON").unwrap_or_else(|_| "python3".into());
    Command::new(&python)
        .args(["-c", "import jsonschema"])
        .status()
        .is_ok_and(|s| s.success())
        .then_some(python)
}

/// Validates JSON files against the schema with PyPI `jsonschema`; the failures by file.
fn validate(python: &str, schema: &Path, files: &[PathBuf]) -> Vec<String> {
    let script = r#"
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1], encoding="utf-8"))
Draft202012Validator.check_schema(schema)
v = Draft202012Validator(schema)
for f in sys.argv[2:]:
    errors = list(v.iter_errors(json.load(open(f, encoding="utf-8"))))
    for e in errors:
        print(f + "\t" + "/".join(str(p) for p in e.absolute_path) + "\t" + e.message)
"#;
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(schema)
        .args(files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn schema_is_committed_and_the_samples_point_at_it() {
    let printed = ok(&anjuan(&["schema"]));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let committed = std::fs::read_to_string(root.join("anjuan.schema.json")).unwrap();
    assert_eq!(
        printed, committed,
        "cases/anjuan.schema.json is stale: run anjuan schema -o cases/anjuan.schema.json"
    );
    let v: Value = serde_json::from_str(&printed).unwrap();
    let defs = &v["$defs"];
    // Chinese descriptions and enumerations.
    assert_eq!(
        defs["InspectionFile"]["properties"]["opinion"]["description"],
        "检查意见书，检查结束后20个工作日内出具"
    );
    let text = printed.as_str();
    for needle in [
        "\"left_at_premises\"",
        "\"preserve_evidence\"",
        "\"partly_upheld\"",
        "送达方式",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
    for file in yaml_files(&root) {
        let rel = file.strip_prefix(&root).unwrap();
        let depth = rel.components().count() - 1;
        let first = std::fs::read_to_string(&file)
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string();
        assert_eq!(
            first,
            format!(
                "# yaml-language-server: $schema={}anjuan.schema.json",
                "../".repeat(depth)
            ),
            "{}",
            rel.display()
        );
    }
}

/// The schema's top-level fields are those the loaders read: a field added to the model and
/// not to the schema fails here.
#[test]
fn schema_top_level_fields_follow_the_model() {
    let schema = anjuan::schema::generate();
    let project = anjuan::project::Project::open(&sample_cases("schema-model")).unwrap();
    for (def, id) in [
        ("InspectionFile", "2026-JC-003"),
        ("EnforcementFile", "2026-QZ-001"),
    ] {
        let props: std::collections::BTreeSet<String> = schema["$defs"][def]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        let case = project.cases.iter().find(|c| c.id() == id).unwrap();
        let mut model: std::collections::BTreeSet<String> = case
            .case()
            .to_json()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        model.insert("kind".into());
        assert_eq!(props, model, "{def}");
    }
}

#[test]
fn every_sample_validates_and_a_misspelt_key_is_rejected() {
    let Some(python) = python_jsonschema() else {
        eprintln!(
            "note: python3 jsonschema is not installed; the independent schema validation is skipped"
        );
        return;
    };
    let dir = temp_dir("schema");
    let schema = dir.join("anjuan.schema.json");
    ok(&anjuan(&["schema", "-o", s(&schema)]));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let mut files = Vec::new();
    for (i, yaml) in yaml_files(&root).iter().enumerate() {
        let json = dir.join(format!(
            "{i}-{}.json",
            yaml.file_stem().unwrap().to_string_lossy()
        ));
        to_json_file(yaml, &json);
        files.push(json);
    }
    assert!(files.len() >= 11, "{files:?}");
    let failures = validate(&python, &schema, &files);
    assert!(failures.is_empty(), "{failures:#?}");

    // Misspelt keys, top level and nested, in a case, a campaign and the settings.
    let cases = [
        (
            "inspection/2026-JC-003.yaml",
            "  address: 某县人民路18号",
            "  adress: 某县人民路18号",
            "adress",
        ),
        (
            "inspection/2026-JC-003.yaml",
            "report:",
            "reprot:",
            "reprot",
        ),
        (
            "enforcement/2026-QZ-001.yaml",
            "  urgent: false",
            "  urgnet: false",
            "urgnet",
        ),
        (
            "campaigns/2026-ZG-01.yaml",
            "    opinion:\n      findings: 涉密人员",
            "    opinion:\n      finding: 涉密人员",
            "finding",
        ),
        (
            "anjuan.yaml",
            "  court: 某县人民法院",
            "  cuort: 某县人民法院",
            "cuort",
        ),
    ];
    let mut bad = Vec::new();
    for (i, (file, from, to, _)) in cases.iter().enumerate() {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        assert!(text.contains(from), "{from}");
        let yaml = dir.join(format!("bad-{i}.yaml"));
        std::fs::write(&yaml, text.replacen(from, to, 1)).unwrap();
        let json = dir.join(format!("bad-{i}.json"));
        to_json_file(&yaml, &json);
        bad.push(json);
    }
    let failures = validate(&python, &schema, &bad);
    for (i, (_, _, _, key)) in cases.iter().enumerate() {
        assert!(
            failures
                .iter()
                .any(|f| f.starts_with(s(&bad[i])) && f.contains(&format!("'{key}'"))),
            "{key} not rejected: {failures:#?}"
        );
    }
    // A wrong enumeration value too.
    let text = std::fs::read_to_string(root.join("inspection/2026-JC-003.yaml"))
        .unwrap()
        .replacen("mode: written", "mode: writen", 1);
    let yaml = dir.join("bad-enum.yaml");
    std::fs::write(&yaml, text).unwrap();
    let json = dir.join("bad-enum.json");
    to_json_file(&yaml, &json);
    assert!(!validate(&python, &schema, &[json]).is_empty());
}

/// Fills the 【必填】 blanks of a skeleton in order.
fn fill(text: &str, values: &[&str]) -> String {
    let mut values = values.iter();
    let out: Vec<String> = text
        .lines()
        .map(|l| {
            if l.trim_start().starts_with('#') || !l.contains("【必填】") {
                return l.to_string();
            }
            let (code, _) = l.split_once('#').unwrap();
            let code = code.trim_end();
            let key_end = code
                .rfind(':')
                .filter(|_| !code.ends_with('-'))
                .map(|i| i + 1)
                .unwrap_or(code.len());
            let v = values.next().expect("a value for every blank");
            format!("{} {v}", &code[..key_end])
        })
        .collect();
    assert!(values.next().is_none(), "more values than blanks");
    out.join("\n") + "\n"
}

#[test]
fn new_skeletons_pass_check_once_the_blanks_are_filled() {
    let root = temp_dir("new");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/anjuan.yaml"),
        root.join("anjuan.yaml"),
    )
    .unwrap();
    let dir = root.join("inspection");
    let cases: [(&str, &str, &[&str]); 3] = [
        (
            "inspection",
            "2026-JC-101",
            &[
                "对某县测试局开展保密检查",
                "某县测试局",
                "保密工作责任制落实情况",
                "王某",
                "保执0101",
                "陈某",
                "保执0103",
                "written",
                "2026-06-22",
                "2026-06-24",
                "2026-06-24",
                "机要室涉密文件柜及台账",
                "查阅台账、清点实物",
                "台账与实物一致，管理规范",
                "false",
            ],
        ),
        (
            "enforcement",
            "2026-QZ-101",
            &[
                "某县某公司违规存储涉密资料案",
                "organization",
                "某县某公司",
                "2026-07-10",
                "该公司将涉密资料存放于普通文件柜",
                "2026-07-13",
                "2026-07-13",
                "张某某",
                "王某",
                "保执0101",
                "陈某",
                "保执0103",
                "2026-07-14",
                "\"10:00\"",
                "某县建设路21号该公司资料室",
                "true",
                "韩某",
                "普通文件柜内存放标注“秘密”字样的纸质资料3份",
                "signed",
                "rectify",
                "建立涉密资料登记和专柜存放制度",
                "2026-08-03",
            ],
        ),
        (
            "campaign",
            "2026-ND-101",
            &[
                "2026年度保密检查通知（测试）",
                "inspection_notice",
                "written",
                "2026-09-10",
                "2026-09-14",
                "2026-09-14",
                "保密工作责任制落实情况",
                "王某",
                "保执0101",
                "刘某",
                "保执0102",
                "某县教育局",
            ],
        ),
    ];
    for (kind, id, values) in cases {
        ok(&anjuan(&["new", kind, id, "-o", s(&dir)]));
        let file = dir.join(format!("{id}.yaml"));
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=../anjuan.schema.json\n"),
            "{text}"
        );
        if kind == "enforcement" {
            // Revision 2 of the contract: no field of the old model is left.
            for stale in ["attended_by", "lifted_on"] {
                assert!(!text.contains(stale), "{stale} in {text}");
            }
            // The fields in the contract's order (examples/enforcement-full.yaml).
            let in_order = |from: &str, to: &str, keys: &[&str]| {
                let block = &text[text.find(from).unwrap()..];
                let block = &block[..block.find(to).unwrap()];
                let mut last = 0;
                for k in keys {
                    let at = block
                        .find(&format!(" {k}:"))
                        .or_else(|| block.find(&format!("{{ {k}:")))
                        .unwrap_or_else(|| panic!("{k} missing in {block}"));
                    assert!(at > last, "{k} out of order in {block}");
                    last = at;
                }
            };
            in_order(
                "\non_site:",
                "\nmeasures:",
                &[
                    "date",
                    "start_time",
                    "end_time",
                    "place",
                    "credentials_shown",
                    "party_present",
                    "party_attendee",
                    "notified_party",
                    "witness",
                    "recusal",
                    "informed",
                    "statements",
                    "record",
                    "signature",
                    "refused_reason",
                ],
            );
            in_order(
                "\nmeasures:",
                "\n# decision:",
                &[
                    "kind",
                    "content",
                    "due",
                    "legal_basis",
                    "items",
                    "classification",
                    "source",
                    "spread",
                    "kept_at",
                    "extended_on",
                    "extension_approved_by",
                    "extension_reason",
                    "testing_days",
                    "testing",
                    "lifted",
                ],
            );
            in_order(
                "\n# decision:",
                "\n# transfer:",
                &["date", "outcome", "items", "confiscated"],
            );
            in_order(
                "\n# transfer:",
                "\n# return:",
                &[
                    "to",
                    "date",
                    "suspects",
                    "reason",
                    "items",
                    "materials",
                    "copy_to",
                ],
            );
            in_order(
                "\n# services:",
                "\n# archive:",
                &["refused_by", "refused_reason", "witness"],
            );
        }
        // As written, the blanks stop it.
        let out = anjuan(&["check", s(&file)]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{kind}: unfilled skeleton passes"
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("缺少必填字段")
                || String::from_utf8_lossy(&out.stdout).contains("类型不对")
        );
        // Not overwritten by a second `new`.
        assert_eq!(
            anjuan(&["new", kind, id, "-o", s(&dir)]).status.code(),
            Some(1)
        );
        std::fs::write(&file, fill(&text, values)).unwrap();
        let out = anjuan(&["check", s(&file), "--today", "2026-11-29"]);
        ok(&out);
    }
    // All three together, and the filled files validate against the schema.
    ok(&anjuan(&["check", s(&root), "--today", "2026-11-29"]));
    if let Some(python) = python_jsonschema() {
        let schema = root.join("anjuan.schema.json");
        ok(&anjuan(&["schema", "-o", s(&schema)]));
        let mut files = Vec::new();
        for id in ["2026-JC-101", "2026-QZ-101", "2026-ND-101"] {
            let json = root.join(format!("{id}.json"));
            to_json_file(&dir.join(format!("{id}.yaml")), &json);
            files.push(json);
        }
        let failures = validate(&python, &schema, &files);
        assert!(failures.is_empty(), "{failures:#?}");
    }
}

/// A measure still running (its period extended once) and a handling decision not yet made are
/// open obligations of their own kinds.
#[test]
fn running_measures_and_pending_decisions_are_listed() {
    let root = sample_cases("status-running");
    let qz3 = root.join("enforcement/2026-QZ-003.yaml");
    let text = std::fs::read_to_string(&qz3).unwrap();
    // Not lifted but extended once (approved by the head) instead.
    let lifted = text
        .lines()
        .find(|l| l.starts_with("    lifted: { on: 2026-09-25,"))
        .unwrap();
    let released = text
        .lines()
        .find(|l| l.contains("document: release_decision"))
        .unwrap();
    std::fs::write(
        &qz3,
        text.replace(
            &format!("{lifted}\n"),
            "    extended_on: 2026-09-30\n    extension_approved_by: 张某某\n    extension_reason: 需对该电脑作技术检查，情况复杂\n",
        )
        .replace(&format!("{released}\n"), ""),
    )
    .unwrap();
    let qz1 = root.join("enforcement/2026-QZ-001.yaml");
    let text = std::fs::read_to_string(&qz1).unwrap();
    let start = text.find("\ndecision:").unwrap();
    let end = text.find("\ntransfer:").unwrap();
    std::fs::write(&qz1, format!("{}{}", &text[..start], &text[end..])).unwrap();

    // 2026-09-04 + 60 days (extended once) = 2026-11-03, a Tuesday.
    let v = status_json(&root, "2026-10-20");
    let items = v["items"].as_array().unwrap();
    let measure = items
        .iter()
        .find(|i| i["case"] == "2026-QZ-003" && i["document"] == "measure_decision")
        .expect("the running measure");
    assert_eq!(measure["due"], "2026-11-03");
    assert_eq!(measure["days_left"], 10);
    assert!(
        measure["what"].as_str().unwrap().contains("延长"),
        "{measure}"
    );
    assert_eq!(
        measure["line"].as_u64().unwrap(),
        line_of(&root, "enforcement/2026-QZ-003.yaml", "- kind: stop_use")
    );
    // Its extension decision is a decision of its own: not served yet.
    let extension = items
        .iter()
        .find(|i| i["case"] == "2026-QZ-003" && i["document"] == "extension_decision")
        .expect("the extension decision to serve");
    assert_eq!(extension["due"], "2026-09-30");
    assert_eq!(extension["status"], "overdue");
    assert_eq!(
        extension["line"].as_u64().unwrap(),
        line_of(&root, "enforcement/2026-QZ-003.yaml", "extended_on:")
    );
    // A 收缴 is a final disposal: QZ-004's (on site 2026-10-14) has no period to watch.
    assert!(
        !items
            .iter()
            .any(|i| i["case"] == "2026-QZ-004" && i["document"] == "measure_decision"),
        "{items:#?}"
    );
    let xlsx = temp_dir("status-running-xlsx").join("台账.xlsx");
    ok(&anjuan(&[
        "status",
        s(&root),
        "--today",
        "2026-10-20",
        "--format",
        "xlsx",
        "-o",
        s(&xlsx),
    ]));
    {
        use calamine::{Reader, Xlsx, open_workbook};
        let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
        let range = wb.worksheet_range("案件台账").unwrap();
        let stage = |id: &str| range.rows().find(|r| r[0] == id).unwrap()[3].to_string();
        assert_eq!(stage("2026-QZ-003"), "强制措施实施中");
        assert_eq!(stage("2026-QZ-004"), "措施已实施，待归档");
    }
    // The 7-working-day decision on QZ-001's preserved evidence (on site 2026-06-03).
    let v = status_json(&root, "2026-06-10");
    let decision = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["case"] == "2026-QZ-001" && i["document"] == "handling_decision")
        .expect("the pending decision");
    assert_eq!(decision["due"], "2026-06-12");
    assert_eq!(decision["days_left"], 2);
    assert_eq!(decision["status"], "pending");
    // The 7-working-day decision on JC-003's registered hard disk (登记保存 2026-02-12, a
    // Thursday): 02-13, the adjusted working Saturday 02-14, then after the Spring Festival
    // 02-24, 25, 26, 27 and the adjusted working Saturday 02-28.
    let jc3 = root.join("inspection/2026-JC-003.yaml");
    let text = std::fs::read_to_string(&jc3).unwrap();
    let start = text.find("    decision:").unwrap();
    let end = start + text[start..].find("\ntechnical_check:").unwrap();
    let served = text
        .lines()
        .find(|l| l.contains("document: preservation_decision"))
        .unwrap();
    std::fs::write(
        &jc3,
        format!("{}{}", &text[..start], &text[end + 1..]).replace(&format!("{served}\n"), ""),
    )
    .unwrap();
    let v = status_json(&root, "2026-02-25");
    let decision = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["case"] == "2026-JC-003" && i["document"] == "preservation_decision")
        .expect("the pending preservation decision");
    assert_eq!(decision["due"], "2026-02-28");
    assert_eq!(decision["days_left"], 3);
    assert_eq!(decision["status"], "pending");
    assert_eq!(
        decision["line"].as_u64().unwrap(),
        line_of(
            &root,
            "inspection/2026-JC-003.yaml",
            "- kind: register_preserve"
        )
    );
    let html = ok(&anjuan(&[
        "status",
        s(&root),
        "--today",
        "2026-06-10",
        "--format",
        "html",
    ]));
    let week = &html[html.find("id=\"group-week\"").unwrap()..];
    let week = &week[..week.find("</section>").unwrap()];
    assert!(
        week.contains("data-case=\"2026-QZ-001\" data-kind=\"decision\""),
        "{week}"
    );
}

/// The later steps a skeleton suggests in comments use only fields of the model: uncommented,
/// `check` finds no unknown field in them (only the blanks).
#[test]
fn skeleton_comments_name_only_fields_of_the_model() {
    let root = temp_dir("new-all");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/anjuan.yaml"),
        root.join("anjuan.yaml"),
    )
    .unwrap();
    for (kind, id) in [
        ("inspection", "2026-JC-201"),
        ("enforcement", "2026-QZ-201"),
    ] {
        let dir = root.join(kind);
        ok(&anjuan(&["new", kind, id, "-o", s(&dir)]));
        let file = dir.join(format!("{id}.yaml"));
        let text = std::fs::read_to_string(&file).unwrap();
        let mut body = false;
        let mut uncommented = 0;
        let lines: Vec<String> = text
            .lines()
            .map(|l| {
                body |= l.starts_with("kind:");
                let indent = l.len() - l.trim_start().len();
                let Some(rest) = l.trim_start().strip_prefix("# ") else {
                    return l.to_string();
                };
                let key = rest.trim_start();
                let is_yaml = key.starts_with("- ")
                    || key.split_once(':').is_some_and(|(k, _)| {
                        !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    });
                if body && is_yaml {
                    uncommented += 1;
                    format!("{}{rest}", &l[..indent])
                } else {
                    l.to_string()
                }
            })
            .collect();
        assert!(uncommented > 30, "{kind}: {uncommented}");
        std::fs::write(&file, lines.join("\n") + "\n").unwrap();
        let out = anjuan(&["check", s(&file), "--today", "2026-11-29"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!stdout.contains("未知字段"), "{kind}: {stdout}");
        assert!(stdout.contains("缺少必填字段"), "{kind}: {stdout}");
        // The schema sees every block at once (the loader stops at a block's first blank).
        if let Some(python) = python_jsonschema() {
            let schema = root.join("anjuan.schema.json");
            ok(&anjuan(&["schema", "-o", s(&schema)]));
            let json = root.join(format!("{id}.json"));
            to_json_file(&file, &json);
            // Unknown keys anywhere, also inside the alternatives of an optional block.
            let script = r#"
import json, sys
from jsonschema import Draft202012Validator
v = Draft202012Validator(json.load(open(sys.argv[1], encoding="utf-8")))
def walk(errors):
    for e in errors:
        if e.validator == "additionalProperties":
            print("/".join(str(p) for p in e.absolute_path) + "\t" + e.message)
        walk(e.context or [])
walk(v.iter_errors(json.load(open(sys.argv[2], encoding="utf-8"))))
"#;
            let out = Command::new(&python)
                .arg("-c")
                .arg(script)
                .arg(&schema)
                .arg(&json)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let unknown = String::from_utf8_lossy(&out.stdout);
            assert!(unknown.trim().is_empty(), "{kind}: {unknown}");
        }
    }
}
