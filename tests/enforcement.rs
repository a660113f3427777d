//! 行政强制 cases: every document rendered and its text checked, the consistency rules and the
//! statutory periods of `documents.md`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use anjuan::build::{BuildOptions, BuildReport, build};
use anjuan::deadlines::{Deadline, Status};
use anjuan::problems::{Problem, Severity};
use anjuan::project::Project;
use anjuan::render::Renderer;
use chrono::NaiveDate;

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/cases");
const FULL: &str = "enforcement/2026-QZ-001.yaml";
const PRESENT: &str = "enforcement/2026-QZ-002.yaml";
const URGENT: &str = "enforcement/2026-QZ-003.yaml";

fn renderer() -> &'static Renderer {
    static R: OnceLock<Renderer> = OnceLock::new();
    R.get_or_init(|| {
        let _ = rayon::ThreadPoolBuilder::new()
            .stack_size(8 << 20)
            .build_global();
        Renderer::new(None, None).expect("renderer loads")
    })
}

fn date(s: &str) -> NaiveDate {
    s.parse().expect("valid date")
}

fn sample(rel: &str) -> String {
    std::fs::read_to_string(Path::new(CASES).join(rel)).expect("sample exists")
}

/// A fresh cases root holding the samples' `anjuan.yaml` and the given case files.
fn root_with(files: &[(&str, String)]) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "anjuan-enf-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("enforcement")).expect("temp dir");
    std::fs::copy(
        Path::new(CASES).join("anjuan.yaml"),
        dir.join("anjuan.yaml"),
    )
    .expect("settings");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("case written");
    }
    dir
}

/// Problems and deadlines of a root holding just `text` as the full example's file.
fn check_text(text: String) -> (Vec<Problem>, Vec<Deadline>) {
    let root = root_with(&[(FULL, text)]);
    let project = Project::open(&root).expect("project opens");
    let checked = project.check(date("2026-11-29"));
    let _ = std::fs::remove_dir_all(&root);
    (checked.problems.0, checked.deadlines)
}

fn errors(problems: &[Problem]) -> Vec<&Problem> {
    problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .collect()
}

/// The one error whose message contains `needle`, with the whole list shown otherwise.
fn error_with<'a>(problems: &'a [Problem], needle: &str) -> &'a Problem {
    let found: Vec<&Problem> = errors(problems)
        .into_iter()
        .filter(|p| p.message.contains(needle))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one error containing {needle:?}, got {problems:#?}"
    );
    found[0]
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .expect("needle in text")
}

/// The built samples (built once for all tests of this binary).
struct Built {
    out: PathBuf,
    report: BuildReport,
}

fn built() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let root = root_with(&[
            (FULL, sample(FULL)),
            (PRESENT, sample(PRESENT)),
            (URGENT, sample(URGENT)),
        ]);
        let out = root.join("out");
        let project = Project::open(&root).expect("project opens");
        let opts = BuildOptions {
            out: out.clone(),
            today: date("2026-11-29"),
            progress: false,
            dump_data: None,
        };
        let report = build(&project, renderer(), &opts).expect("build runs");
        Built { out, report }
    })
}

/// Text of a PDF, whitespace removed (line breaks fall anywhere in Chinese text).
fn pdf_text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc = lopdf::Document::load_mem(&bytes).expect("valid PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages)
        .expect("text")
        .split_whitespace()
        .collect()
}

/// Text of the case's document `NN-kind.pdf`.
fn doc_text(case: &str, file: &str) -> String {
    pdf_text(&built().out.join(case).join(format!("{file}.pdf")))
}

fn assert_all(text: &str, what: &str, needles: &[&str]) {
    for n in needles {
        assert!(text.contains(n), "{what} lacks {n:?}:\n{text}");
    }
}

const REMEDIES: &[&str] = &[
    "六十日内向某县人民政府申请行政复议",
    "六个月内依法向某县人民法院提起行政诉讼",
    "陈述和申辩",
];

#[test]
fn samples_build_without_problems() {
    let b = built();
    assert!(b.report.problems.is_empty(), "{:#?}", b.report.problems);
    assert!(
        b.report.cases_failed.is_empty(),
        "{:?}",
        b.report.cases_failed
    );
    let mut files: Vec<String> = std::fs::read_dir(b.out.join("2026-QZ-001"))
        .expect("case folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "01-enforcement_approval.pdf",
            "02-recusal_decision.pdf",
            "03-onsite_record.pdf",
            "04-statement_record.pdf",
            "05-measure_decision.pdf",
            "06-rectification_order.pdf",
            "07-item_list.pdf",
            "08-handling_decision.pdf",
            "09-transfer_letter.pdf",
            "10-transfer_notice.pdf",
            "11-return_list.pdf",
            "12-service_receipt.pdf",
            "13-service_receipt.pdf",
            "14-service_receipt.pdf",
            "15-service_receipt.pdf",
        ]
    );
    // Present party: no recusal, no transfer, no return; two compulsory measures.
    let mut files: Vec<String> = std::fs::read_dir(b.out.join("2026-QZ-002"))
        .expect("case folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    assert_eq!(
        files[..9],
        [
            "01-enforcement_approval.pdf",
            "02-onsite_record.pdf",
            "03-statement_record.pdf",
            "04-measure_decision.pdf",
            "05-measure_decision.pdf",
            "06-rectification_order.pdf",
            "07-item_list.pdf",
            "08-item_list.pdf",
            "09-handling_decision.pdf",
        ]
    );
}

#[test]
fn onsite_record_of_the_full_example() {
    let t = doc_text("2026-QZ-001", "03-onsite_record");
    assert_all(
        &t,
        "现场笔录",
        &[
            "2026年6月3日9时30分至11时10分",
            "某县工业园区8号该公司办公室",
            "某县某科技有限公司",
            "91632800MA7XXXXX1K",
            "当事人未到场",
            "2026年6月2日以电话通知方式通知当事人到场",
            "周某（身份证件号码：632801199001011234，某县工业园区管委会）",
            "王某（执法证号：保执0101）",
            "刘某（执法证号：保执0102）",
            "已向当事人出示执法证件",
            "申请执法人员刘某回避",
            "经本局负责人张某某决定：申请理由不成立，刘某不回避",
            "理由、依据",
            "公司员工称该计算机仅用于临时存放文件",
            "标注“秘密”字样的文件2份",
            "笔记本电脑（ThinkPadE14，编号PF3ABCDE）1件",
            "当事人拒绝签名（当事人拒绝到场签字），由见证人周某签名证明",
            "留置送达",
            "见证人签名：周某",
            "执法人员签名（保执0101）",
        ],
    );
    assert_all(
        &t,
        "现场笔录",
        &["某县人民政府申请行政复议", "某县人民法院提起行政诉讼"],
    );
}

#[test]
fn approval_recusal_and_statement_records() {
    let t = doc_text("2026-QZ-001", "01-enforcement_approval");
    assert_all(
        &t,
        "审批表",
        &[
            "某县某科技有限公司",
            "使用非涉密计算机存储、处理涉密文件",
            "《中华人民共和国保守国家秘密法》（2024年修订）第五十二条",
            "《中华人民共和国行政强制法》第十八条",
            "笔记本电脑1件",
            "王某（执法证号：保执0101）",
            "建议依法对当事人采取上述行政强制措施",
            "负责人签名：张某某2026年6月2日",
        ],
    );
    assert!(!t.contains("紧急情况处置"), "not urgent: {t}");

    let t = doc_text("2026-QZ-001", "02-recusal_decision");
    assert_all(
        &t,
        "回避决定书",
        &[
            "某县某科技有限公司申请执法人员刘某回避",
            "认为执法人员与本公司存在利害关系",
            "张某某",
            "刘某不予回避",
            "《中华人民共和国行政处罚法》第四十三条",
            "2026年6月3日",
        ],
    );

    let t = doc_text("2026-QZ-001", "04-statement_record");
    assert_all(
        &t,
        "陈述申辩笔录",
        &[
            "某县某科技有限公司",
            "公司员工称该计算机仅用于临时存放文件",
            "陈述和申辩的权利",
            "保执0102",
            "见证人签名：周某",
        ],
    );
}

#[test]
fn decisions_and_notices_state_the_remedies() {
    let t = doc_text("2026-QZ-001", "05-measure_decision");
    assert_all(
        &t,
        "行政强制措施决定书",
        &[
            "某保强〔2026〕1号",
            "当事人：某县某科技有限公司",
            "证据保存",
            "PF3ABCDE",
            "金士顿32G",
            "外观完好",
            "《中华人民共和国行政处罚法》第五十六条",
            "七个工作日内（2026年6月12日前）",
            "当场交付当事人（《中华人民共和国行政强制法》第二十四条）",
        ],
    );
    assert_all(&t, "行政强制措施决定书", REMEDIES);

    // No numbering pattern for the rectification order: the case id stands in.
    let t = doc_text("2026-QZ-001", "06-rectification_order");
    assert_all(
        &t,
        "责令整改通知书",
        &[
            "2026-QZ-001",
            "某县某科技有限公司：",
            "2026年6月30日前",
            "开展保密教育",
        ],
    );
    assert_all(&t, "责令整改通知书", REMEDIES);

    let t = doc_text("2026-QZ-001", "08-handling_decision");
    assert_all(
        &t,
        "处理决定书",
        &[
            "某保决〔2026〕1号",
            "笔记本电脑收缴",
            "U盘退还",
            "2026年6月10日",
        ],
    );
    assert_all(&t, "处理决定书", REMEDIES);

    let t = doc_text("2026-QZ-001", "10-transfer_notice");
    assert_all(
        &t,
        "移送告知书",
        &[
            "某县某科技有限公司：",
            "移送某县公安局",
            "第三百九十八条",
            "某保移〔2026〕1号",
        ],
    );
    assert_all(&t, "移送告知书", REMEDIES);
}

#[test]
fn item_lists_transfer_and_return() {
    let t = doc_text("2026-QZ-001", "07-item_list");
    assert_all(
        &t,
        "物品清单",
        &[
            "第一联交当事人",
            "某县某科技有限公司",
            "第二联存档",
            "ThinkPadE14",
            "PF3ABCDE",
            "外观完好",
            "见证人签名：周某",
            "保执0101",
        ],
    );
    assert_eq!(t.matches("PF3ABCDE").count(), 2, "two copies: {t}");

    let t = doc_text("2026-QZ-001", "09-transfer_letter");
    assert_all(
        &t,
        "案件移送函",
        &[
            "某保移〔2026〕1号",
            "某县公安局：",
            "当事人：某县某科技有限公司",
            "第三百九十八条",
            "移送材料",
            "现场笔录",
            "物品清单",
        ],
    );

    let t = doc_text("2026-QZ-001", "11-return_list");
    assert_all(
        &t,
        "退还物品清单",
        &[
            "2026年6月12日",
            "U盘",
            "金士顿32G",
            "孙某",
            "领取人签名",
            "某县某科技有限公司",
            "执法人员签名（保执0102）",
            "某保决〔2026〕1号",
        ],
    );
    assert!(!t.contains("ThinkPad"), "the laptop was not returned: {t}");
}

/// 送达回证 of the enforcement samples (the shared template): the party, the document served,
/// and for 留置送达 the reason for refusal, the witness and the date.
#[test]
fn service_receipts() {
    let t = doc_text("2026-QZ-001", "12-service_receipt");
    assert_all(
        &t,
        "送达回证（现场笔录）",
        &[
            "现场笔录",
            "某县某科技有限公司",
            "留置送达",
            "当事人拒绝到场签字",
            "周某",
            "2026年6月3日",
        ],
    );
    let t = doc_text("2026-QZ-001", "13-service_receipt");
    assert_all(
        &t,
        "送达回证（决定书）",
        &[
            "行政强制措施决定书",
            "某保强〔2026〕1号",
            "当事人拒绝到场签字",
            "周某",
        ],
    );
    let t = doc_text("2026-QZ-001", "14-service_receipt");
    assert_all(
        &t,
        "送达回证（处理决定书）",
        &[
            "处理决定书",
            "某保决〔2026〕1号",
            "孙某",
            "直接送达",
            "2026年6月10日",
        ],
    );
    assert!(!t.contains("拒收事由"), "direct service: {t}");
}

#[test]
fn party_present_who_signs() {
    let t = doc_text("2026-QZ-002", "02-onsite_record");
    assert_all(
        &t,
        "现场笔录",
        &[
            "当事人到场（到场人：韩某（法定代表人））",
            "经核对无误",
            "保执0103",
        ],
    );
    assert!(!t.contains("拒绝签名"), "{t}");
    assert!(!t.contains("留置送达"), "{t}");
    let t = doc_text("2026-QZ-002", "04-measure_decision");
    assert_all(
        &t,
        "责令停止使用决定",
        &[
            "某保强〔2026〕2号",
            "责令停止使用",
            "不超过三十日（至2026年8月13日）",
            "SN20260714A",
        ],
    );
    assert_all(&t, "责令停止使用决定", REMEDIES);
    // The handling decision names the decision that preserved the papers, not the stop-use one.
    let t = doc_text("2026-QZ-002", "09-handling_decision");
    assert_all(
        &t,
        "处理决定书",
        &[
            "先行登记保存（某保强〔2026〕3号）",
            "涉密测绘成果纸质资料收缴",
        ],
    );
    let t = doc_text("2026-QZ-002", "08-item_list");
    assert_all(&t, "物品清单", &["涉密测绘成果纸质资料", "秘密"]);
    // 实施条例 第六十二条 governs the 收缴清单: an evidence-preservation list does not cite it.
    assert!(!t.contains("第六十二条"), "{t}");
}

#[test]
fn urgent_measure_approved_afterwards() {
    let t = doc_text("2026-QZ-003", "01-enforcement_approval");
    assert_all(
        &t,
        "紧急审批表",
        &[
            "紧急情况处置",
            "2026年9月4日14时在",
            "2026年9月4日17时30分",
            "补办批准手续",
            "《中华人民共和国行政强制法》第十九条",
            "赵某",
            "632801198805052345",
            "2026年9月7日",
        ],
    );
    let t = doc_text("2026-QZ-003", "04-measure_decision");
    assert_all(
        &t,
        "紧急决定书",
        &[
            "因情况紧急",
            "于2026年9月4日17时30分向本局负责人报告",
            "于2026年9月7日补办了批准手续",
        ],
    );
    assert_all(&t, "紧急决定书", REMEDIES);
    let t = doc_text("2026-QZ-003", "02-onsite_record");
    assert_all(
        &t,
        "现场笔录",
        &["赵某", "当事人到场", "刘某（执法证号：保执0102）"],
    );
}

/// The 保密法 article follows the date of the act: 2023 → the 2010 text, 2026 → the 2024 one.
#[test]
fn citations_follow_the_date_of_the_act() {
    // Every date moved to 2023 (the id too, which gives 2023-QZ-001).
    let text = sample(FULL).replace("2026-", "2023-");
    // The case's own citation uses the 2024 numbering for a 2023 act: an error says so.
    let (problems, _) = check_text(text.clone());
    let w = problems
        .iter()
        .find(|p| p.field == "violation.legal_basis[0]")
        .expect("stale citation reported");
    assert_eq!(w.severity, Severity::Error);
    assert!(
        w.message.contains("第四十四条、第四十五条"),
        "{}",
        w.message
    );
    // Written in the numbering in force on its date, the case builds with the 2010 text.
    let text = text.replace(
        "《中华人民共和国保守国家秘密法》第五十二条",
        "《中华人民共和国保守国家秘密法》第四十四条、第四十五条",
    );
    let root = root_with(&[(FULL, text)]);
    let out = root.join("out");
    let project = Project::open(&root).expect("project opens");
    let opts = BuildOptions {
        out: out.clone(),
        today: date("2026-11-29"),
        progress: false,
        dump_data: None,
    };
    let report = build(&project, renderer(), &opts).expect("build runs");
    assert!(report.cases_failed.is_empty(), "{:#?}", report.problems);
    let old = pdf_text(&out.join("2023-QZ-001/06-rectification_order.pdf"));
    assert!(
        old.contains("《中华人民共和国保守国家秘密法》（2010年修订）第四十四条、第四十五条"),
        "{old}"
    );
    assert!(!old.contains("第五十二条"), "{old}");
    let old = pdf_text(&out.join("2023-QZ-001/09-transfer_letter.pdf"));
    assert!(old.contains("（2010年修订）第四十四条"), "{old}");
    let new = doc_text("2026-QZ-001", "06-rectification_order");
    assert!(
        new.contains("《中华人民共和国保守国家秘密法》（2024年修订）第五十二条"),
        "{new}"
    );
    assert!(!new.contains("第四十四条"), "{new}");
    let new = doc_text("2026-QZ-001", "09-transfer_letter");
    assert!(new.contains("（2024年修订）第五十一条"), "{new}");
    let _ = std::fs::remove_dir_all(&root);
}

// ---------------------------------------------------------------------------------------------
// Consistency rules

#[test]
fn samples_have_no_problems() {
    let root = root_with(&[
        (FULL, sample(FULL)),
        (PRESENT, sample(PRESENT)),
        (URGENT, sample(URGENT)),
    ]);
    let project = Project::open(&root).expect("project opens");
    let checked = project.check(date("2026-11-29"));
    assert!(checked.problems.is_empty(), "{:#?}", checked.problems);
    assert_eq!(checked.cases.len(), 3);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn fewer_than_two_officers() {
    let text = sample(FULL).replace("  - { name: 刘某, cert_no: 保执0102 }\n", "");
    let (p, _) = check_text(text.clone());
    let e = error_with(&p, "执法人员至少应有两人（现有 1 人）");
    assert_eq!(
        (e.file.as_str(), e.field.as_str(), e.line),
        (FULL, "officers", line_of(&text, "officers:"))
    );
}

#[test]
fn party_absent_without_witness() {
    let text = sample(FULL).replace(
        "  witness: { name: 周某, id_no: \"632801199001011234\", unit: 某县工业园区管委会 }\n",
        "",
    );
    let (p, _) = check_text(text.clone());
    let e = error_with(&p, "当事人不到场的，应当邀请见证人到场");
    assert_eq!(e.field, "on_site.witness");
    // The field is missing: the problem stands at its parent block.
    assert_eq!(e.line, line_of(&text, "on_site:"));
}

#[test]
fn refused_signature_needs_service_by_leaving_with_the_witness() {
    let original = sample(FULL);
    // No left_at_premises service of the on-site record at all.
    let text = original.replace(
        "  - { document: onsite_record, on: 2026-06-03, method: left_at_premises, recipient: 某县某科技有限公司, witness: 周某 }\n",
        "",
    );
    let (p, _) = check_text(text.clone());
    let e = error_with(&p, "现场笔录应留置送达");
    assert_eq!(
        (e.field.as_str(), e.line),
        ("on_site.signature", line_of(&text, "signature: refused"))
    );
    // Served by leaving it, but naming another witness.
    let text = original.replace(
        "method: left_at_premises, recipient: 某县某科技有限公司, witness: 周某 }\n  - { document: measure_decision",
        "method: left_at_premises, recipient: 某县某科技有限公司, witness: 吴某 }\n  - { document: measure_decision",
    );
    let (p, _) = check_text(text.clone());
    let e = error_with(&p, "见证人应为现场见证人 周某");
    assert_eq!(
        (e.field.as_str(), e.line),
        ("services[0].witness", line_of(&text, "witness: 吴某"))
    );
}

#[test]
fn urgent_measure_reported_within_24_hours() {
    let urgent = sample(URGENT);
    // No report at all.
    let text = urgent.replace("  reported_at: \"2026-09-04 17:30\"\n", "");
    let root = root_with(&[(URGENT, text)]);
    let checked = Project::open(&root)
        .expect("opens")
        .check(date("2026-11-29"));
    let e = error_with(&checked.problems.0, "应在24小时内向行政机关负责人报告");
    assert_eq!(
        (e.file.as_str(), e.field.as_str()),
        (URGENT, "approval.reported_at")
    );
    let d = checked
        .deadlines
        .iter()
        .find(|d| d.document == "enforcement_approval")
        .expect("deadline");
    assert_eq!((d.due, d.status), (date("2026-09-05"), Status::Overdue));
    // Reported 25 hours later: a day later by date, late by the clock.
    let text = urgent.replace("2026-09-04 17:30", "2026-09-05 15:00");
    let root2 = root_with(&[(URGENT, text.clone())]);
    let checked = Project::open(&root2)
        .expect("opens")
        .check(date("2026-11-29"));
    let e = error_with(&checked.problems.0, "最迟应于 2026-09-05 14:00 报告");
    assert_eq!(e.line, line_of(&text, "reported_at:"));
    let d = checked
        .deadlines
        .iter()
        .find(|d| d.document == "enforcement_approval")
        .expect("deadline");
    assert_eq!(
        (d.due, d.done, d.status),
        (date("2026-09-05"), Some(date("2026-09-05")), Status::Late)
    );
    // Not urgent, yet approved after the measure.
    let text = urgent
        .replace("urgent: true ", "urgent: false ")
        .replace("  reported_at: \"2026-09-04 17:30\"\n", "");
    let root3 = root_with(&[(URGENT, text)]);
    let checked = Project::open(&root3)
        .expect("opens")
        .check(date("2026-11-29"));
    error_with(&checked.problems.0, "应先批准后实施");
    for r in [root, root2, root3] {
        let _ = std::fs::remove_dir_all(r);
    }
}

#[test]
fn recusal_requested_without_decision() {
    let text = sample(FULL).replace(" decision: rejected,", "");
    let (p, _) = check_text(text.clone());
    let e = error_with(&p, "应作出是否回避的决定");
    assert_eq!(
        (e.field.as_str(), e.line),
        ("on_site.recusal.decision", line_of(&text, "recusal:"))
    );
}

#[test]
fn returned_items_must_have_been_taken() {
    let text = sample(FULL).replace(
        "    - { name: U盘, model: 金士顿 32G, serial: \"无\", quantity: 2 }\n  recipient",
        "    - { name: 移动硬盘, model: 西数 1T, quantity: 1 }\n  recipient",
    );
    let (p, _) = check_text(text.clone());
    let e = error_with(&p, "退还的物品 移动硬盘（西数 1T） 不在任何措施的物品清单");
    assert_eq!(
        (e.field.as_str(), e.line),
        ("return.items[0]", line_of(&text, "移动硬盘"))
    );
    assert!(e.message.contains("U盘（金士顿 32G）"), "{}", e.message);
    // More than were taken.
    let text = sample(FULL).replace(
        "serial: \"无\", quantity: 2 }\n  recipient",
        "serial: \"无\", quantity: 3 }\n  recipient",
    );
    let (p, _) = check_text(text);
    error_with(&p, "退还 U盘 数量 3，多于扣留的数量 2");
}

#[test]
fn transfer_without_notice_to_the_party() {
    let text = sample(FULL).replace(
        "  - { document: transfer_notice, on: 2026-06-11, method: direct, recipient: 孙某 }\n",
        "",
    );
    let (p, _) = check_text(text.clone());
    let e = error_with(&p, "应书面告知当事人");
    assert_eq!(
        (e.field.as_str(), e.line),
        ("transfer", line_of(&text, "transfer:"))
    );
}

#[test]
fn loading_errors_name_file_line_and_field() {
    // One problem in each of three blocks: every one is reported, each where it stands.
    let text = sample(FULL)
        .replace("  witness: { name: 周某", "  witnes: { name: 周某")
        .replace(
            "  approved_by: 张某某\n",
            "  approved_by: 张某某\n  reported_at: 2026年6月3日\n",
        )
        .replace("  - kind: preserve_evidence", "  - kind: preserve_evidense");
    let (p, _) = check_text(text.clone());
    let e = error_with(&p, "未知字段 witnes，是否想写 witness？");
    assert_eq!((e.file.as_str(), e.line), (FULL, line_of(&text, "witnes:")));
    let e = error_with(&p, "日期时间 2026年6月3日 无效");
    assert_eq!(
        (e.field.as_str(), e.line),
        ("approval.reported_at", line_of(&text, "reported_at:"))
    );
    let e = error_with(&p, "preserve_evidense");
    assert!(
        e.message.contains("是否想写 preserve_evidence"),
        "{}",
        e.message
    );
    assert_eq!(e.line, line_of(&text, "preserve_evidense"));
    // A time of day that is no time.
    let text = sample(FULL).replace("  start_time: \"09:30\"", "  start_time: \"9点半\"");
    let (p, _) = check_text(text.clone());
    let e = error_with(&p, "时间 9点半 无效：应写作 HH:MM");
    assert_eq!(
        (e.field.as_str(), e.line),
        ("on_site.start_time", line_of(&text, "start_time:"))
    );
}

// ---------------------------------------------------------------------------------------------
// Periods

fn deadline<'a>(list: &'a [Deadline], case: &str, document: &str) -> &'a Deadline {
    list.iter()
        .find(|d| d.case == case && d.document == document)
        .unwrap_or_else(|| panic!("{case} {document}: {list:#?}"))
}

#[test]
fn periods_of_the_samples() {
    let root = root_with(&[
        (FULL, sample(FULL)),
        (PRESENT, sample(PRESENT)),
        (URGENT, sample(URGENT)),
    ]);
    let checked = Project::open(&root)
        .expect("opens")
        .check(date("2026-11-29"));
    let d = deadline(&checked.deadlines, "2026-QZ-001", "handling_decision");
    assert_eq!(
        (d.due, d.done, d.status),
        (date("2026-06-12"), Some(date("2026-06-10")), Status::Ok)
    );
    let d = deadline(&checked.deadlines, "2026-QZ-002", "measure_decision");
    assert_eq!(
        (d.due, d.done, d.status),
        (date("2026-08-13"), Some(date("2026-08-05")), Status::Ok)
    );
    // 2026-09-04 + 30 days = 2026-10-04, a National Day holiday: the next working day.
    let d = deadline(&checked.deadlines, "2026-QZ-003", "measure_decision");
    assert_eq!(
        (d.due, d.done, d.status),
        (date("2026-10-08"), Some(date("2026-09-25")), Status::Ok)
    );
    let d = deadline(&checked.deadlines, "2026-QZ-003", "enforcement_approval");
    assert_eq!(
        (d.due, d.done, d.status),
        (date("2026-09-05"), Some(date("2026-09-04")), Status::Ok)
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn late_and_pending_periods() {
    // Handling decision on the 8th working day: late, with a warning on decision.date.
    let text = sample(FULL).replace(
        "  date: 2026-06-10\n  outcome",
        "  date: 2026-06-15\n  outcome",
    );
    let (p, dl) = check_text(text.clone());
    let d = deadline(&dl, "2026-QZ-001", "handling_decision");
    assert_eq!((d.due, d.status), (date("2026-06-12"), Status::Late));
    let w = p
        .iter()
        .find(|p| p.field == "decision.date" && p.severity == Severity::Warning)
        .expect("warning");
    assert!(
        w.message.contains("应于 2026-06-12 前完成"),
        "{}",
        w.message
    );
    assert_eq!(w.line, line_of(&text, "date: 2026-06-15"));

    // A stop-use measure never lifted, extended once: 60 days, overdue by the day given.
    let text = sample(URGENT).replace(
        "    lifted_on: 2026-09-25\n",
        "    extended_on: 2026-09-30\n",
    );
    let root = root_with(&[(URGENT, text)]);
    let project = Project::open(&root).expect("opens");
    let checked = project.check(date("2026-11-29"));
    let d = deadline(&checked.deadlines, "2026-QZ-003", "measure_decision");
    assert_eq!(
        (d.due, d.done, d.status),
        (date("2026-11-03"), None, Status::Overdue)
    );
    let checked = project.check(date("2026-10-20"));
    let d = deadline(&checked.deadlines, "2026-QZ-003", "measure_decision");
    assert_eq!(d.status, Status::Pending);
    let _ = std::fs::remove_dir_all(&root);

    // Ten days of technical appraisal do not count: 2026-09-04 + 40 days.
    let text = sample(URGENT).replace(
        "    lifted_on: 2026-09-25\n",
        "    testing_days: 10\n    lifted_on: 2026-10-12\n",
    );
    let root = root_with(&[(URGENT, text)]);
    let checked = Project::open(&root)
        .expect("opens")
        .check(date("2026-11-29"));
    let d = deadline(&checked.deadlines, "2026-QZ-003", "measure_decision");
    assert_eq!((d.due, d.status), (date("2026-10-14"), Status::Ok));
    assert!(checked.problems.is_empty(), "{:#?}", checked.problems);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn check_json_has_the_same_shape_for_enforcement() {
    let root = root_with(&[(FULL, sample(FULL))]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_anjuan"))
        .args([
            "check",
            root.to_str().expect("utf-8"),
            "--today",
            "2026-11-29",
            "--format",
            "json",
        ])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let d = &v["deadlines"][0];
    assert_eq!(d["case"], "2026-QZ-001");
    assert_eq!(d["document"], "handling_decision");
    assert_eq!(d["due"], "2026-06-12");
    assert_eq!(d["done"], "2026-06-10");
    assert_eq!(d["status"], "ok");
    let table = std::process::Command::new(env!("CARGO_BIN_EXE_anjuan"))
        .args([
            "check",
            root.to_str().expect("utf-8"),
            "--today",
            "2026-11-29",
        ])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("处理决定书") && text.contains("2026-06-12") && text.contains("按期"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&root);
}

/// The fewest fields an enforcement case can have still give complete documents.
#[test]
fn minimal_case_renders() {
    let text = r#"
kind: enforcement
id: 2026-QZ-900
title: 钱某违规复制涉密文件案
party: { type: person, name: 钱某, id_no: "632801199202023456" }
violation: { discovered_on: 2026-03-02, facts: 钱某擅自复制涉密文件 }
approval: { approved_on: 2026-03-03, approved_by: 张某某 }
officers:
  - { name: 王某, cert_no: 保执0101 }
  - { name: 陈某, cert_no: 保执0103 }
on_site:
  date: 2026-03-04
  start_time: "15:00"
  place: 某县某小区
  party_present: true
  record: 发现复制件1份
  signature: signed
measures:
  - kind: confiscate
    items: [ { name: 复制件 } ]
  - kind: rectify
    content: 不得再复制涉密文件
    due: 2026-03-20
"#;
    let root = root_with(&[("enforcement/2026-QZ-900.yaml", text.to_string())]);
    let out = root.join("out");
    let project = Project::open(&root).expect("project opens");
    let opts = BuildOptions {
        out: out.clone(),
        today: date("2026-11-29"),
        progress: false,
        dump_data: None,
    };
    let report = build(&project, renderer(), &opts).expect("build runs");
    assert!(
        report
            .problems
            .0
            .iter()
            .all(|p| p.severity == Severity::Warning),
        "{:#?}",
        report.problems
    );
    assert_eq!(report.documents, 5, "{:#?}", report.problems);
    let t = pdf_text(&out.join("2026-QZ-900/02-onsite_record.pdf"));
    assert_all(
        &t,
        "现场笔录",
        &[
            "钱某",
            "632801199202023456",
            "15时至",
            "未申请执法人员回避",
            "未进行陈述和申辩",
        ],
    );
    let t = pdf_text(&out.join("2026-QZ-900/03-measure_decision.pdf"));
    assert_all(
        &t,
        "收缴决定",
        &["收缴", "复制件", "不超过三十日（至2026年4月3日）"],
    );
    assert_all(&t, "收缴决定", REMEDIES);
    let _ = std::fs::remove_dir_all(&root);
}
