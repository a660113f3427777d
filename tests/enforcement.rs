//! 行政强制 cases: every document rendered and its text checked, the consistency rules and the
//! statutory periods of `documents.md`.

mod common;

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
const ABSENT: &str = "enforcement/2026-QZ-004.yaml";

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
    let dir = common::run_dir().join(format!("enf-{}", N.fetch_add(1, Ordering::SeqCst)));
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
    check_file(FULL, text)
}

/// Problems and deadlines of a root holding just `text` as the sample `rel`.
fn check_file(rel: &str, text: String) -> (Vec<Problem>, Vec<Deadline>) {
    let root = root_with(&[(rel, text)]);
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
            (ABSENT, sample(ABSENT)),
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

fn assert_none(text: &str, what: &str, needles: &[&str]) {
    for n in needles {
        assert!(!text.contains(n), "{what} must not say {n:?}:\n{text}");
    }
}

/// Files of a built case folder, sorted.
fn files_of(case: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(built().out.join(case))
        .expect("case folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    files
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
    // The order of documents.md's table: the release decision after the handling decision,
    // before the transfer.
    assert_eq!(
        files_of("2026-QZ-001"),
        [
            "01-enforcement_approval.pdf",
            "02-recusal_decision.pdf",
            "03-onsite_record.pdf",
            "04-statement_record.pdf",
            "05-measure_decision.pdf",
            "06-rectification_order.pdf",
            "07-item_list.pdf",
            "08-handling_decision.pdf",
            "09-release_decision.pdf",
            "10-transfer_letter.pdf",
            "11-transfer_notice.pdf",
            "12-return_list.pdf",
            "13-service_receipt.pdf",
            "14-service_receipt.pdf",
            "15-service_receipt.pdf",
            "16-service_receipt.pdf",
            "17-service_receipt.pdf",
        ]
    );
    // Present party who signs: no recusal, no transfer, no return; the 收缴清单 of the handling
    // decision right after the measure decisions.
    assert_eq!(
        files_of("2026-QZ-002")[..11],
        [
            "01-enforcement_approval.pdf",
            "02-onsite_record.pdf",
            "03-statement_record.pdf",
            "04-measure_decision.pdf",
            "05-measure_decision.pdf",
            "06-confiscation_list.pdf",
            "07-rectification_order.pdf",
            "08-item_list.pdf",
            "09-item_list.pdf",
            "10-handling_decision.pdf",
            "11-release_decision.pdf",
        ]
    );
    // Absent party: no recusal, no statements.
    assert_eq!(
        files_of("2026-QZ-004")[..6],
        [
            "01-enforcement_approval.pdf",
            "02-onsite_record.pdf",
            "03-measure_decision.pdf",
            "04-confiscation_list.pdf",
            "05-rectification_order.pdf",
            "06-item_list.pdf",
        ]
    );
}

/// Point 1, present party: the attendee is named, credentials shown to them, their refusal to
/// sign is a separate sentence by the officers; signature lines stay blank; nothing is 留置送达
/// because of a refusal to sign.
#[test]
fn onsite_record_of_a_present_party_who_refuses_to_sign() {
    let t = doc_text("2026-QZ-001", "03-onsite_record");
    assert_all(
        &t,
        "现场笔录",
        &[
            "某县国家保密局现场笔录",
            "案件编号：2026-QZ-001",
            "2026年6月3日9时30分至11时10分",
            "某县工业园区8号该公司办公室",
            "91632800MA7XXXXX1K",
            "当事人到场（到场人：孙某（法定代表人，身份证件号码：632801198005051234））",
            "2026年6月2日以电话通知方式通知当事人到场",
            "周某（身份证件号码：632801199001011234，某县工业园区管委会）",
            "王某（执法证号：保执0101）",
            "已向到场人孙某出示执法证件",
            "孙某申请执法人员刘某回避",
            "经本局负责人张某某决定：申请理由不成立，刘某不回避",
            "某保回避〔2026〕1号",
            "孙某称该计算机仅用于临时存放文件",
            "标注“秘密”字样的文件2份",
            "笔记本电脑（ThinkPadE14，编号PF3ABCDE）1件",
            "执法人员注明：孙某拒绝在本笔录上签名（孙某认为执法程序不当，拒绝在笔录上签名）。",
            "当事人（到场人）签名（孙某）：年月日",
            "见证人签名（周某）：年月日",
            "执法人员签名（王某，保执0101）：年月日",
            "某县人民政府申请行政复议",
        ],
    );
    assert_none(
        &t,
        "现场笔录",
        &[
            "当事人未到场",
            "见证人签名：周某",
            "签名：拒绝签名",
            "留置送达",
            "由见证人周某签名证明",
        ],
    );
    // The decision was refused on the spot: it does not claim to have been handed over.
    let t = doc_text("2026-QZ-001", "05-measure_decision");
    assert_none(&t, "决定书", &["当场交付"]);
    // The receipt names who refused it and why; the witness signs on a blank line.
    let t = doc_text("2026-QZ-001", "13-service_receipt");
    assert_all(
        &t,
        "送达回证（留置）",
        &[
            "行政强制措施决定书",
            "某保强〔2026〕1号",
            "留置送达",
            "孙某拒绝签收。",
            "拒收事由拒绝接收",
            "见证人：周某见证人签名：年月日",
        ],
    );
    assert_none(
        &t,
        "送达回证（留置）",
        &["已依法留置送达", "见证人签名：周某"],
    );
}

/// Point 1, absent party: the witness attends, is shown the credentials and signs with the
/// officers; nobody asked, spoke or refused; nothing handed over on the spot.
#[test]
fn onsite_record_of_an_absent_party_with_a_witness() {
    let t = doc_text("2026-QZ-004", "02-onsite_record");
    assert_all(
        &t,
        "现场笔录（不到场）",
        &[
            "某县国家保密局现场笔录",
            "当事人经通知未到场",
            "2026年10月13日以电话通知方式通知当事人到场",
            "郑某（身份证件号码：632801198207071234，某县印刷路社区居民委员会）",
            "已向见证人郑某出示执法证件",
            "执法人员邀请见证人郑某到场，向见证人出示执法证件",
            "当事人未到场，现场无人申请回避。",
            "当事人未到场，现场未进行陈述和申辩。",
            "由见证人和执法人员签名（《中华人民共和国行政强制法》第十八条）",
            "见证人签名（郑某）：年月日",
        ],
    );
    assert_none(
        &t,
        "现场笔录（不到场）",
        &[
            "拒绝签名",
            "留置送达",
            "当事人（到场人）签名",
            "申请执法人员",
        ],
    );
    let t = doc_text("2026-QZ-004", "03-measure_decision");
    assert_none(&t, "决定书（不到场）", &["当场交付"]);
    let t = doc_text("2026-QZ-004", "06-item_list");
    assert_all(
        &t,
        "物品清单（不到场）",
        &[
            "当事人未到场，本清单由见证人郑某和执法人员签名。",
            "见证人签名（郑某）：",
        ],
    );
    assert_none(
        &t,
        "物品清单（不到场）",
        &["当事人（到场人）签名", "拒绝签名"],
    );
    // Served afterwards, directly.
    let t = doc_text("2026-QZ-004", "07-service_receipt");
    assert_all(
        &t,
        "送达回证（事后送达）",
        &["行政强制措施决定书", "直接送达", "2026年10月15日", "冯某"],
    );
    // A party present who signs: credentials shown to the attendee, no witness line.
    let t = doc_text("2026-QZ-002", "02-onsite_record");
    assert_all(
        &t,
        "现场笔录（到场签名）",
        &[
            "当事人到场（到场人：韩某（法定代表人，身份证件号码：632801197503031234））",
            "已向到场人韩某出示执法证件",
            "经询问，到场人韩某未申请执法人员回避。",
            "当事人（到场人）签名（韩某）：年月日",
        ],
    );
    assert_none(
        &t,
        "现场笔录（到场签名）",
        &["拒绝签名", "留置送达", "见证人签名"],
    );
    let t = doc_text("2026-QZ-002", "04-measure_decision");
    assert_all(
        &t,
        "决定书（到场签收）",
        &["本决定书和物品清单当场交付当事人（《中华人民共和国行政强制法》第二十四条）"],
    );
}

#[test]
fn approval_recusal_and_statement_records() {
    let t = doc_text("2026-QZ-001", "01-enforcement_approval");
    assert_all(
        &t,
        "审批表",
        &[
            "某县国家保密局行政强制措施审批表",
            "案件编号：2026-QZ-001",
            "某县某科技有限公司",
            "使用非涉密计算机存储、处理涉密文件",
            "《中华人民共和国保守国家秘密法》（2024年修订）第五十二条",
            "《中华人民共和国行政强制法》第十八条",
            "笔记本电脑1件",
            "王某（执法证号：保执0101）",
            "建议依法对当事人采取上述行政强制措施",
            "负责人（张某某）签名：2026年6月2日",
        ],
    );
    assert!(!t.contains("紧急情况处置"), "not urgent: {t}");
    // 第十九条 only for an urgent measure.
    assert!(!t.contains("第十九条"), "not urgent: {t}");
    // Point 7: the signature line is blank, the name beside it.
    assert!(
        !t.contains("负责人签名：张某某"),
        "pre-filled signature: {t}"
    );

    let t = doc_text("2026-QZ-001", "02-recusal_decision");
    assert_all(
        &t,
        "回避决定书",
        &[
            "某县国家保密局回避决定书某保回避〔2026〕1号",
            "孙某（法定代表人，身份证件号码：632801198005051234）申请执法人员刘某回避",
            "认为执法人员与本公司存在利害关系",
            "张某某",
            "刘某不予回避",
            "《中华人民共和国行政处罚法》第四十三条",
            "2026年6月3日",
        ],
    );
    assert!(!t.contains("2026-QZ-001"), "no case id for a 文号: {t}");

    let t = doc_text("2026-QZ-001", "04-statement_record");
    assert_all(
        &t,
        "陈述申辩笔录",
        &[
            "某县国家保密局陈述申辩笔录",
            "孙某（法定代表人，身份证件号码：632801198005051234）",
            "孙某称该计算机仅用于临时存放文件",
            "陈述和申辩的权利",
            "陈述申辩人签名（孙某）：年月日",
            "执法人员签名（刘某，保执0102）：年月日",
        ],
    );
    assert_none(&t, "陈述申辩笔录", &["见证人签名：周某", "签名：拒绝签名"]);
}

/// Point 7: every outgoing decision and notice has its own 文号 from the ledger, never the case
/// id; and every enforcement document carries the authority above its title (point 8).
#[test]
fn decisions_and_notices_have_their_own_numbers() {
    for (case, file, head) in [
        (
            "2026-QZ-001",
            "02-recusal_decision",
            "某县国家保密局回避决定书某保回避〔2026〕1号",
        ),
        (
            "2026-QZ-001",
            "05-measure_decision",
            "某县国家保密局行政强制措施决定书某保强〔2026〕1号",
        ),
        (
            "2026-QZ-001",
            "06-rectification_order",
            "某县国家保密局责令整改通知书某保责改〔2026〕1号",
        ),
        (
            "2026-QZ-001",
            "08-handling_decision",
            "某县国家保密局处理决定书某保决〔2026〕1号",
        ),
        (
            "2026-QZ-001",
            "09-release_decision",
            "某县国家保密局解除行政强制措施决定书某保解〔2026〕1号",
        ),
        (
            "2026-QZ-001",
            "10-transfer_letter",
            "某县国家保密局案件移送函某保移〔2026〕1号",
        ),
        (
            "2026-QZ-001",
            "11-transfer_notice",
            "某县国家保密局移送告知书某保移告〔2026〕1号",
        ),
        (
            "2026-QZ-002",
            "07-rectification_order",
            "某县国家保密局责令整改通知书某保责改〔2026〕2号",
        ),
        (
            "2026-QZ-004",
            "05-rectification_order",
            "某县国家保密局责令整改通知书某保责改〔2026〕4号",
        ),
    ] {
        let t = doc_text(case, file);
        assert!(
            t.starts_with(head),
            "{case}/{file} starts with {head:?}:\n{t}"
        );
        assert!(
            !t.contains(case),
            "{case}/{file}: the case id stands for a 文号:\n{t}"
        );
    }
    // Records, lists and forms: the authority line, and the case id labelled as such.
    for case in ["2026-QZ-001", "2026-QZ-002", "2026-QZ-003", "2026-QZ-004"] {
        for f in files_of(case) {
            let t = doc_text(case, f.trim_end_matches(".pdf"));
            assert!(
                t.starts_with("某县国家保密局"),
                "{case}/{f}: no authority line:\n{t}"
            );
        }
    }
}

#[test]
fn decisions_and_notices_state_the_remedies() {
    let t = doc_text("2026-QZ-001", "05-measure_decision");
    assert_all(
        &t,
        "行政强制措施决定书",
        &[
            "当事人：某县某科技有限公司",
            "证据保存",
            "PF3ABCDE",
            "金士顿32G",
            "外观完好",
            "《中华人民共和国行政处罚法》第五十六条",
            "七个工作日内（2026年6月12日前）",
            "不超过三十日（至2026年7月3日）",
            "《中华人民共和国行政强制法》第十八条",
        ],
    );
    assert!(!t.contains("第十九条"), "not urgent: {t}");
    assert_all(&t, "行政强制措施决定书", REMEDIES);

    let t = doc_text("2026-QZ-001", "06-rectification_order");
    assert_all(
        &t,
        "责令整改通知书",
        &["某县某科技有限公司：", "2026年6月30日前", "开展保密教育"],
    );
    assert_all(&t, "责令整改通知书", REMEDIES);

    let t = doc_text("2026-QZ-001", "08-handling_decision");
    assert_all(
        &t,
        "处理决定书",
        &["笔记本电脑移送", "U盘退还", "2026年6月10日"],
    );
    assert_all(&t, "处理决定书", REMEDIES);

    let t = doc_text("2026-QZ-001", "09-release_decision");
    assert_all(&t, "解除决定书", REMEDIES);
}

/// Point 2: no document states a later fact.
#[test]
fn no_document_states_a_later_fact() {
    // The handling decision (06-10) precedes the transfer (06-11): decided, not done.
    let t = doc_text("2026-QZ-001", "08-handling_decision");
    assert_all(
        &t,
        "处理决定书",
        &[
            "本局决定移送某县公安局依法处理，笔记本电脑随案移送（《中华人民共和国行政强制法》第二十一条）",
        ],
    );
    assert_none(&t, "处理决定书", &["已依法移送", "已移送", "2026年6月11日"]);
    // The urgent measure's decision (09-04) says nothing of the approval obtained on 09-07.
    let t = doc_text("2026-QZ-003", "04-measure_decision");
    assert_all(
        &t,
        "紧急决定书",
        &[
            "因情况紧急，本局执法人员当场实施了上述措施，并于2026年9月4日17时30分向本局负责人报告。",
            "本措施应当补办批准手续",
        ],
    );
    assert_none(
        &t,
        "紧急决定书",
        &["2026年9月7日", "补办了批准手续", "已补办"],
    );
    // Reported the next morning: the decision of the day before cannot say so.
    let text = sample(URGENT).replace("2026-09-04 17:30", "2026-09-05 09:00");
    let root = root_with(&[(URGENT, text)]);
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
    let t = pdf_text(&out.join("2026-QZ-003/04-measure_decision.pdf"));
    assert_all(
        &t,
        "紧急决定书（次日报告）",
        &["执法人员应当在二十四小时内向本局负责人报告"],
    );
    assert_none(
        &t,
        "紧急决定书（次日报告）",
        &["2026年9月5日", "向本局负责人报告。依照"],
    );
    let _ = std::fs::remove_dir_all(&root);

    // Case data that would make a document assert a later event: errors naming both fields.
    // A recusal decided after the day on site (the record of that day states the decision).
    let text = sample(FULL).replace(
        "decision: rejected, decided_by: 张某某 }",
        "decision: rejected, decided_by: 张某某, decided_on: 2026-06-04 }",
    );
    let (p, _) = check_text(text.clone());
    let e = error_with(&p, "现场笔录会记载一个尚未作出的回避决定");
    assert_eq!(e.field, "on_site.recusal.decided_on");
    assert!(e.message.contains("on_site.date"), "{}", e.message);
    // A service before the document served was made.
    let text = sample(FULL).replace(
        "{ document: handling_decision, on: 2026-06-10,",
        "{ document: handling_decision, on: 2026-06-09,",
    );
    let (p, _) = check_text(text.clone());
    let e = error_with(&p, "送达回证会记载送达一份尚未制作的文书");
    assert_eq!(
        (e.field.as_str(), e.line),
        ("services[2].on", line_of(&text, "on: 2026-06-09"))
    );
    assert!(
        e.message.contains("decision.date: 2026-06-10"),
        "{}",
        e.message
    );
    // Items returned before the measure holding them was lifted.
    let text = sample(FULL).replace("lifted: { on: 2026-06-12,", "lifted: { on: 2026-06-15,");
    let (p, _) = check_text(text);
    let e = error_with(&p, "应先解除后退还");
    assert_eq!(e.field, "return.date");
    assert!(e.message.contains("measures[0].lifted.on"), "{}", e.message);
}

/// Point 6: the transfer letter names the suspects, sends the items and materials and copies
/// the procuratorate; the notice tells the party under 第二十一条 and offers no remedies.
#[test]
fn transfer_letter_and_notice() {
    let t = doc_text("2026-QZ-001", "10-transfer_letter");
    assert_all(
        &t,
        "案件移送函",
        &[
            "某县公安局：",
            "当事人：某县某科技有限公司",
            "涉嫌犯罪人员：钱某（该公司项目部员工）。",
            "第三百九十八条",
            "《中华人民共和国行政强制法》第二十一条",
            "本局保存的下列物品随案移送",
            "PF3ABCDE",
            "附件：1.涉嫌犯罪案件情况的调查报告2.涉案物品清单3.密级鉴定结论4.现场笔录复印件",
            "抄送：某县人民检察院。",
        ],
    );
    assert_none(&t, "案件移送函", &["金士顿"]);
    let t = doc_text("2026-QZ-001", "11-transfer_notice");
    assert_all(
        &t,
        "移送告知书",
        &[
            "某县某科技有限公司：",
            "《中华人民共和国行政强制法》第二十一条",
            "本局已于2026年6月11日将该案（某保移〔2026〕1号）及本局保存的笔记本电脑移送某县公安局依法处理",
        ],
    );
    assert_none(&t, "移送告知书", &["行政复议", "行政诉讼", "不服"]);
    // Data: items sent must have been taken; a unit is no suspect.
    let text = sample(FULL)
        .replace("items: [ 笔记本电脑 ]", "items: [ 台式计算机 ]")
        .replace(
            "suspects: [ { name: 钱某,",
            "suspects: [ { name: 某县某科技有限公司,",
        );
    let (p, _) = check_text(text.clone());
    let e = error_with(&p, "随案移送的物品 台式计算机 不在任何措施的物品清单");
    assert_eq!(
        (e.field.as_str(), e.line),
        ("transfer.items[0]", line_of(&text, "items: [ 台式计算机 ]"))
    );
    let e = error_with(&p, "追究的是自然人");
    assert_eq!(e.field, "transfer.suspects[0].name");
}

/// New kinds: 解除行政强制措施决定书 (第二十八条) with the items returned, 收缴清单 with 密级,
/// 来源, 扩散范围.
#[test]
fn release_decision_and_confiscation_list() {
    let t = doc_text("2026-QZ-001", "09-release_decision");
    assert_all(
        &t,
        "解除决定书",
        &[
            "本局依法对你单位采取了证据保存的行政强制措施（《行政强制措施决定书》（某保强〔2026〕1号））",
            "经核查U盘未存储涉密信息，不再需要采取证据保存措施。",
            "《中华人民共和国行政强制法》第二十八条",
            "本局决定自2026年6月12日起解除上述行政强制措施",
            "金士顿32G",
            "笔记本电脑已随案移送某县公安局",
            "2026年6月12日",
        ],
    );
    let t = doc_text("2026-QZ-002", "11-release_decision");
    assert_all(
        &t,
        "解除决定书（停止使用）",
        &[
            "某保强〔2026〕2号",
            "责令停止使用",
            "本局决定自2026年8月5日起解除",
            "你单位可以恢复使用上述台式计算机",
        ],
    );
    let t = doc_text("2026-QZ-004", "04-confiscation_list");
    assert_all(
        &t,
        "收缴清单",
        &[
            "某县国家保密局收缴清单",
            "密级",
            "来源",
            "扩散范围",
            "涉密文件印刷废页",
            "秘密",
            "12",
            "该公司承印的某单位涉密文件的废页",
            "混存于车间普通废纸中，经核查未外传",
            "行政强制措施决定书（某保强〔2026〕5号）",
            "《中华人民共和国保守国家秘密法实施条例》（2024年修订）第六十二条",
            "见证人签名（郑某）：年月日",
        ],
    );
    let t = doc_text("2026-QZ-002", "06-confiscation_list");
    assert_all(
        &t,
        "收缴清单（处理决定）",
        &[
            "处理决定书（某保决〔2026〕2号），2026年7月21日",
            "该公司承担的某测绘项目成果资料",
            "存放于普通文件柜，经核查未外传",
        ],
    );
    let t = doc_text("2026-QZ-001", "12-return_list");
    assert_all(
        &t,
        "退还物品清单",
        &[
            "2026年6月12日",
            "U盘",
            "金士顿32G",
            "领取人签名（孙某）：2026年6月12日",
            "某保决〔2026〕1号",
            "某保解〔2026〕1号",
        ],
    );
    assert!(!t.contains("ThinkPad"), "the laptop was not returned: {t}");
    let t = doc_text("2026-QZ-001", "07-item_list");
    assert_all(
        &t,
        "物品清单",
        &[
            "第一联交当事人",
            "第二联存档",
            "某县国家保密局涉案物品保管室",
            "执法人员注明：孙某拒绝签收本清单（拒绝接收）。",
        ],
    );
    assert_eq!(t.matches("PF3ABCDE").count(), 2, "two copies: {t}");
    assert_none(&t, "物品清单", &["见证人签名：周某", "签名：拒绝签名"]);
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
    let old = pdf_text(&out.join("2023-QZ-001/10-transfer_letter.pdf"));
    assert!(old.contains("（2010年修订）第四十四条"), "{old}");
    let new = doc_text("2026-QZ-001", "06-rectification_order");
    assert!(
        new.contains("《中华人民共和国保守国家秘密法》（2024年修订）第五十二条"),
        "{new}"
    );
    assert!(!new.contains("第四十四条"), "{new}");
    let new = doc_text("2026-QZ-001", "10-transfer_letter");
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
        (ABSENT, sample(ABSENT)),
    ]);
    let project = Project::open(&root).expect("project opens");
    let checked = project.check(date("2026-11-29"));
    assert!(checked.problems.is_empty(), "{:#?}", checked.problems);
    assert_eq!(checked.cases.len(), 4);
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
    let text = sample(ABSENT).replace(
        "  witness: { name: 郑某, id_no: \"632801198207071234\", unit: 某县印刷路社区居民委员会 }\n",
        "",
    );
    let (p, _) = check_file(ABSENT, text.clone());
    let e = error_with(&p, "当事人不到场的，应当邀请见证人到场");
    assert_eq!(e.field, "on_site.witness");
    // The field is missing: the problem stands at its parent block.
    assert_eq!(e.line, line_of(&text, "on_site:"));
    // An officer is no witness; how the party was notified is recorded.
    let text = sample(ABSENT)
        .replace("witness: { name: 郑某,", "witness: { name: 陈某,")
        .replace(
            "  notified_party: { on: 2026-10-13, method: 电话通知 }\n",
            "",
        );
    let (p, _) = check_file(ABSENT, text.clone());
    let e = error_with(&p, "见证人 陈某 是本案执法人员");
    assert_eq!(
        (e.field.as_str(), e.line),
        (
            "on_site.witness.name",
            line_of(&text, "witness: { name: 陈某")
        )
    );
    assert!(
        p.iter()
            .any(|w| w.field == "on_site.notified_party" && w.severity == Severity::Warning),
        "{p:#?}"
    );
}

/// Point 1: a present party names its attendee; an absent party cannot have asked for 回避,
/// spoken or refused to sign, and gets the decision and item list served afterwards.
#[test]
fn presence_rules_are_errors_naming_the_fields() {
    let text = sample(FULL).replace(
        "  party_attendee: { name: 孙某, title: 法定代表人, id_no: \"632801198005051234\" }   # who attended for the party\n",
        "",
    );
    let (p, _) = check_text(text.clone());
    let e = error_with(&p, "当事人到场的，应写明到场人");
    assert_eq!(
        (e.field.as_str(), e.line),
        ("on_site.party_attendee", line_of(&text, "on_site:"))
    );

    // The old sample: the party absent, yet asking, speaking and refusing on site.
    let text = sample(ABSENT)
        .replace(
            "  informed: true\n",
            "  informed: true\n  recusal: { requested: true, against: 陈某, reason: 有利害关系, decision: rejected, decided_by: 张某某 }\n  statements: 公司员工称废页准备销毁\n",
        )
        .replace("  signature: signed", "  signature: refused\n  refused_reason: 当事人拒绝到场签字");
    let (p, _) = check_file(ABSENT, text.clone());
    let e = error_with(&p, "不能在现场申请回避");
    assert_eq!(
        (e.file.as_str(), e.field.as_str(), e.line),
        (ABSENT, "on_site.recusal", line_of(&text, "recusal:"))
    );
    let e = error_with(&p, "不能在现场陈述和申辩");
    assert_eq!(
        (e.field.as_str(), e.line),
        ("on_site.statements", line_of(&text, "statements:"))
    );
    let e = error_with(&p, "不存在拒绝签名");
    assert_eq!(
        (e.field.as_str(), e.line),
        ("on_site.signature", line_of(&text, "signature: refused"))
    );

    // Absent: the decision must be served afterwards.
    let text = sample(ABSENT).replace(
        "  - { document: measure_decision, on: 2026-10-15, method: direct, recipient: 冯某, place: 某县印刷路6号 }\n",
        "",
    );
    let (p, _) = check_file(ABSENT, text);
    let e = error_with(&p, "行政强制措施决定书不能当场交付，应事后送达");
    assert_eq!(e.field, "on_site.party_present");

    // 留置送达 to an absent party on the day on site: nobody refused anything.
    let text = sample(ABSENT).replace(
        "{ document: measure_decision, on: 2026-10-15, method: direct, recipient: 冯某, place: 某县印刷路6号 }",
        "{ document: measure_decision, on: 2026-10-14, method: left_at_premises, recipient: 某县某印务有限公司, witness: 郑某 }",
    );
    let (p, _) = check_file(ABSENT, text.clone());
    let e = error_with(&p, "不能留置送达");
    assert_eq!(
        (e.field.as_str(), e.line),
        (
            "services[0].method",
            line_of(&text, "on: 2026-10-14, method: left_at_premises")
        )
    );
}

/// 留置送达 needs a person who refused to accept, the reason and a witness (民事诉讼法 第八十九条).
#[test]
fn service_by_leaving_needs_who_refused() {
    let text = sample(FULL).replace(
        "{ document: measure_decision, on: 2026-06-03, method: left_at_premises, recipient: 某县某科技有限公司, refused_by: 孙某, refused_reason: 拒绝接收, witness: 周某 }",
        "{ document: measure_decision, on: 2026-06-03, method: left_at_premises, recipient: 某县某科技有限公司, witness: 周某 }",
    );
    let (p, _) = check_text(text.clone());
    let line = line_of(&text, "{ document: measure_decision");
    let e = error_with(&p, "应写明拒收的人 refused_by");
    assert_eq!((e.field.as_str(), e.line), ("services[0].refused_by", line));
    let e = error_with(&p, "应在送达回证上记明拒收事由");
    assert_eq!(
        (e.field.as_str(), e.line),
        ("services[0].refused_reason", line)
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
        .find(|d| d.document.id() == "enforcement_approval")
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
        .find(|d| d.document.id() == "enforcement_approval")
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
        .find(|d| d.case == case && d.document.id() == document)
        .unwrap_or_else(|| panic!("{case} {document}: {list:#?}"))
}

#[test]
fn periods_of_the_samples() {
    let root = root_with(&[
        (FULL, sample(FULL)),
        (PRESENT, sample(PRESENT)),
        (URGENT, sample(URGENT)),
        (ABSENT, sample(ABSENT)),
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
    // Point 5: 2026-09-04 + 30 days = 2026-10-04, a National Day holiday. The 30 days are the
    // authority's own maximum: never moved to the next working day (it was 10-08).
    let d = deadline(&checked.deadlines, "2026-QZ-003", "measure_decision");
    assert_eq!(
        (d.due, d.done, d.status),
        (date("2026-10-04"), Some(date("2026-09-25")), Status::Ok)
    );
    let t = doc_text("2026-QZ-003", "04-measure_decision");
    assert_all(&t, "紧急决定书", &["不超过三十日（至2026年10月4日）"]);
    // 收缴 is a final disposal: no period at all.
    assert!(
        !checked
            .deadlines
            .iter()
            .any(|d| d.case == "2026-QZ-004" && d.document.id() == "measure_decision"),
        "{:#?}",
        checked.deadlines
    );
    let t = doc_text("2026-QZ-004", "03-measure_decision");
    assert_none(&t, "收缴决定", &["三十日", "期限："]);
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
    let lifted = "    lifted: { on: 2026-09-25, reason: 经技术检查该电脑未发生泄密，赵某所在单位已建立涉密便携式计算机携带外出审批登记制度 }\n";
    let release =
        "  - { document: release_decision, on: 2026-09-25, method: direct, recipient: 赵某 }\n";
    let text = sample(URGENT)
        .replace(
            lifted,
            "    extended_on: 2026-09-30\n    extension_approved_by: 张某某\n",
        )
        .replace(release, "");
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
    let text = sample(URGENT)
        .replace(
            lifted,
            "    testing_days: 10\n    testing: { content: 密级鉴定, by: 某州国家保密局, notified_on: 2026-09-08 }\n    lifted: { on: 2026-10-12, reason: 鉴定完毕 }\n",
        )
        .replace("on: 2026-09-25, method: direct, recipient: 赵某 }", "on: 2026-10-12, method: direct, recipient: 赵某 }");
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
    // approval, record, decision, 收缴清单, order, item list.
    assert_eq!(report.documents, 6, "{:#?}", report.problems);
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
    assert_all(&t, "收缴决定", &["收缴", "复制件"]);
    // Point 5: 收缴 is a final disposal, no 30-day period (it printed 至2026年4月3日).
    assert_none(&t, "收缴决定", &["三十日", "2026年4月3日"]);
    assert_all(&t, "收缴决定", REMEDIES);
    // Its 收缴清单 is made even when 密级, 来源 and 扩散范围 are missing (warned).
    assert!(
        report
            .problems
            .0
            .iter()
            .any(|p| p.field == "measures[0].items[0]" && p.message.contains("扩散范围")),
        "{:#?}",
        report.problems
    );
    let _ = std::fs::remove_dir_all(&root);
}

// ---------------------------------------------------------------------------------------------
// Layout

/// Point 8, GB/T 9704-2012 7.3.5: on the page holding the signature block (the last page of a
/// document; every page of the two-copy item list) there is body text as well — not just the
/// authority, the date, the seal space or the signature lines. Over every document of every
/// sample case, both procedures.
#[test]
fn signature_block_never_stands_alone_on_a_page() {
    let root = common::run_dir().join("enf-layout");
    let _ = std::fs::remove_dir_all(&root);
    copy_tree(Path::new(CASES), &root);
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
    let manifest = anjuan::manifest::Manifest::load(&out).expect("manifest");
    let kinds: std::collections::BTreeSet<&str> =
        manifest.files.iter().map(|f| f.document.as_str()).collect();
    assert!(kinds.contains("inspection_notice") && kinds.contains("measure_decision"));
    let mut checked = 0;
    for f in &manifest.files {
        let bytes = std::fs::read(out.join(&f.path)).expect("pdf");
        let doc = lopdf::Document::load_mem(&bytes).expect("valid PDF");
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        let which: Vec<u32> = if f.document == "item_list" {
            pages.clone()
        } else {
            pages.last().copied().into_iter().collect()
        };
        for p in which {
            let text: String = doc
                .extract_text(&[p])
                .expect("text")
                .split_whitespace()
                .collect();
            let body = body_beside_signature(&text);
            assert!(
                body.chars().count() >= 20,
                "{} page {p}: the signature block stands alone ({body:?}):\n{text}",
                f.path
            );
            checked += 1;
        }
    }
    assert!(checked > 60, "only {checked} pages checked");
    let _ = std::fs::remove_dir_all(&root);
}

/// A page's text without what a signature block consists of: page number, authority, dates,
/// signature labels, seal and 版记 lines.
fn body_beside_signature(text: &str) -> String {
    // Dates (2026年6月3日) and blank dates (年月日).
    let mut body = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..].iter().take(12).collect();
        let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits == 4
            && rest[4..].starts_with('年')
            && let Some(end) = rest.find('日')
        {
            i += rest[..end].chars().count() + 1;
            continue;
        }
        body.push(chars[i]);
        i += 1;
    }
    let mut body = body.replace("年月日", "");
    for cut in ["某县国家保密局", "（印章）", "保密检查组"] {
        body = body.replace(cut, "");
    }
    // A signature label ("见证人签名（郑某）：") ends a part; what precedes it in the same part up
    // to the last full stop is body text.
    let body: String = body
        .split('：')
        .filter(|part| !part.starts_with("抄送"))
        .map(|part| {
            if part.contains("签名") {
                part.rfind('。')
                    .map_or("", |i| &part[..i + '。'.len_utf8()])
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("");
    body.chars()
        .filter(|c| !c.is_ascii_digit() && *c != '—')
        .collect()
}

/// A long paragraph before a one-line closing (特此告知。) moves to the next page with the
/// signature rather than leave the closing line alone with it.
#[test]
fn long_last_paragraph_moves_with_the_signature() {
    let reason = "钱某涉嫌过失泄露国家秘密，依据《中华人民共和国刑法》第三百九十八条，需进一步侦查";
    for k in [24, 36, 48] {
        let text = sample(FULL).replace(
            &format!("reason: {reason}"),
            &format!("reason: {reason}，另据调查{}", "相关情况".repeat(k)),
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
        let bytes = std::fs::read(out.join("2026-QZ-001/11-transfer_notice.pdf")).expect("pdf");
        let doc = lopdf::Document::load_mem(&bytes).expect("valid PDF");
        let last = *doc.get_pages().keys().last().expect("a page");
        let text: String = doc
            .extract_text(&[last])
            .expect("text")
            .split_whitespace()
            .collect();
        let body = body_beside_signature(&text);
        assert!(body.chars().count() >= 20, "k={k}: {body:?}\n{text}");
        let _ = std::fs::remove_dir_all(&root);
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let rel = entry.path().strip_prefix(from).expect("prefix");
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else if entry.file_name() != "anjuan-ledger.yaml" {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// 延长 and 检测期间 (行政强制法 第二十五条): written notices with their own 文号, the new last day
/// counted without roll-forward, in the volume after the handling decision.
#[test]
fn extension_decision_and_testing_notice() {
    let lifted = "    lifted: { on: 2026-09-25, reason: 经技术检查该电脑未发生泄密，赵某所在单位已建立涉密便携式计算机携带外出审批登记制度 }\n";
    let text = sample(URGENT)
        .replace(
            lifted,
            "    extended_on: 2026-09-30\n    extension_approved_by: 张某某\n    extension_reason: 该电脑存储信息量大，需逐一核查是否外传\n    testing_days: 10\n    testing: { content: 密级鉴定, by: 某州国家保密局, notified_on: 2026-09-08 }\n    lifted: { on: 2026-11-10, reason: 经鉴定和核查，未发现涉密信息外传 }\n",
        )
        .replace(
            "on: 2026-09-25, method: direct, recipient: 赵某 }",
            "on: 2026-11-10, method: direct, recipient: 赵某 }",
        );
    let root = root_with(&[(URGENT, text.clone())]);
    let out = root.join("out");
    let project = Project::open(&root).expect("project opens");
    let checked = project.check(date("2026-11-29"));
    assert!(checked.problems.is_empty(), "{:#?}", checked.problems);
    // 2026-09-04 + 30 + 30 + 10 days, a Friday; the extension due before the first 30 days end.
    let d = deadline(&checked.deadlines, "2026-QZ-003", "measure_decision");
    assert_eq!((d.due, d.status), (date("2026-11-13"), Status::Ok));
    let d = deadline(&checked.deadlines, "2026-QZ-003", "extension_decision");
    assert_eq!(
        (d.due, d.done, d.status),
        (date("2026-10-04"), Some(date("2026-09-30")), Status::Ok)
    );
    let opts = BuildOptions {
        out: out.clone(),
        today: date("2026-11-29"),
        progress: false,
        dump_data: None,
    };
    let report = build(&project, renderer(), &opts).expect("build runs");
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let t = pdf_text(&out.join("2026-QZ-003/07-extension_decision.pdf"));
    assert_all(
        &t,
        "延长决定书",
        &[
            "某县国家保密局延长行政强制措施期限决定书某保延〔2026〕1号",
            "当事人：赵某",
            "《行政强制措施决定书》（某保强〔2026〕1号）",
            "该电脑存储信息量大，需逐一核查是否外传。",
            "经本局负责人张某某批准",
            "《中华人民共和国行政强制法》第二十五条",
            "延长三十日，至2026年11月13日止",
        ],
    );
    assert_all(&t, "延长决定书", REMEDIES);
    let t = pdf_text(&out.join("2026-QZ-003/08-testing_notice.pdf"));
    assert_all(
        &t,
        "检测期间告知书",
        &[
            "某县国家保密局检测、检验、技术鉴定期间告知书某保检告〔2026〕1号",
            "赵某：",
            "涉密笔记本电脑",
            "委托某州国家保密局对上述物品进行密级鉴定，期间为10日",
            "不计入行政强制措施的期限，上述措施的期限相应至2026年11月13日止",
            "2026年9月8日",
        ],
    );
    assert!(out.join("2026-QZ-003/09-release_decision.pdf").exists());
    let _ = std::fs::remove_dir_all(&root);

    // Without the head's approval; testing days without the notice; a 收缴 extended.
    let text = text
        .replace("    extension_approved_by: 张某某\n", "")
        .replace(
            "    testing: { content: 密级鉴定, by: 某州国家保密局, notified_on: 2026-09-08 }\n",
            "",
        );
    let (p, _) = check_file(URGENT, text);
    let e = error_with(&p, "延长行政强制措施期限应经行政机关负责人批准");
    assert_eq!(e.field, "measures[0].extension_approved_by");
    let e = error_with(&p, "检测、检验、技术鉴定的期间应当明确并书面告知当事人");
    assert_eq!(e.field, "measures[0].testing");
    let text = sample(ABSENT).replace(
        "    kept_at: 某县国家保密局涉密载体保管室\n  - kind: rectify",
        "    kept_at: 某县国家保密局涉密载体保管室\n    extended_on: 2026-11-01\n    extension_approved_by: 张某某\n  - kind: rectify",
    );
    let (p, _) = check_file(ABSENT, text.clone());
    let e = error_with(&p, "收缴没有期限");
    assert_eq!(
        (e.field.as_str(), e.line),
        ("measures[0].extended_on", line_of(&text, "extended_on:"))
    );
}

/// Point 7: a decision or notice whose kind has no `numbering` pattern would go out without a
/// 文号: a warning names it, and the case id is not printed in its place.
#[test]
fn a_decision_without_a_numbering_pattern_is_warned() {
    let root = root_with(&[(ABSENT, sample(ABSENT))]);
    let settings = std::fs::read_to_string(root.join("anjuan.yaml")).expect("settings");
    let settings = settings.replace(
        "  rectification_order: \"{short}责改〔{year}〕{seq}号\"\n",
        "",
    );
    std::fs::write(root.join("anjuan.yaml"), settings).expect("settings written");
    let project = Project::open(&root).expect("project opens");
    let checked = project.check(date("2026-11-29"));
    let w = checked
        .problems
        .0
        .iter()
        .find(|p| p.field == "measures[1]")
        .unwrap_or_else(|| panic!("{:#?}", checked.problems));
    assert_eq!(w.severity, Severity::Warning);
    assert!(
        w.message.contains("责令整改通知书应有文号"),
        "{}",
        w.message
    );
    let out = root.join("out");
    let opts = BuildOptions {
        out: out.clone(),
        today: date("2026-11-29"),
        progress: false,
        dump_data: None,
    };
    build(&project, renderer(), &opts).expect("build runs");
    let t = pdf_text(&out.join("2026-QZ-004/05-rectification_order.pdf"));
    assert!(
        t.starts_with("某县国家保密局责令整改通知书某县某印务有限公司："),
        "{t}"
    );
    assert!(!t.contains("2026-QZ-004"), "{t}");
    let _ = std::fs::remove_dir_all(&root);
}

/// What was transferred or confiscated is not returned; a decision to transfer needs the
/// transfer.
#[test]
fn returned_items_were_neither_transferred_nor_confiscated() {
    let text = sample(FULL).replace(
        "    - { name: U盘, model: 金士顿 32G, serial: \"无\", quantity: 2 }\n  recipient",
        "    - { name: 笔记本电脑, model: ThinkPad E14, serial: PF3ABCDE, quantity: 1 }\n  recipient",
    );
    let (p, _) = check_text(text.clone());
    let e = error_with(&p, "已随案移送某县公安局");
    assert_eq!(
        (e.field.as_str(), e.line),
        (
            "return.items[0]",
            line_of(&text, "serial: PF3ABCDE, quantity: 1 }")
        )
    );
    let text = sample(PRESENT).replace(
        "services:\n",
        "return:\n  date: 2026-07-22\n  items: [ { name: 涉密测绘成果纸质资料, quantity: 3 } ]\n  recipient: 韩某\n\nservices:\n",
    );
    let (p, _) = check_file(PRESENT, text);
    let e = error_with(&p, "已被收缴");
    assert_eq!(e.field, "return.items[0]");
    let text = sample(PRESENT).replace("action: confiscate }", "action: transfer }");
    let (p, _) = check_file(PRESENT, text);
    let e = error_with(&p, "本案没有移送记录");
    assert_eq!(e.field, "decision.items[0].action");
}
