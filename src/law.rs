//! Legal citations by the date of the act (documents.md, "Legal basis and remedies"): the
//! 保守国家秘密法 was revised (in force 2024-05-01), its 实施条例 too (2024-09-01), and the
//! 行政处罚法 (2021-07-15), 民事诉讼法 (2022-01-01) and 行政复议法 (2024-01-01) were renumbered.
//! One table, overridable in `anjuan.yaml`.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::settings::{LawOverride, Settings};

/// A statute whose articles the table cites.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Statute {
    /// 保守国家秘密法: old numbering before 2024-05-01.
    Secrecy,
    /// 保守国家秘密法实施条例: old numbering before 2024-09-01.
    Regulation,
    /// 行政处罚法: 2017 numbering before 2021-07-15.
    Penalty,
    /// 民事诉讼法: 2017 numbering before 2022-01-01.
    CivilProcedure,
    /// 行政复议法: 2017 numbering before 2024-01-01.
    Review,
    /// 行政强制法.
    Compulsion,
    /// 行政诉讼法.
    Litigation,
    /// 行政执法机关移送涉嫌犯罪案件的规定 (cited as a whole).
    TransferRules,
}

/// How a statute is named and when its current numbering came into force.
struct Naming {
    name: &'static str,
    /// (in force since, label of the old text, label of the new one as printed)
    revised: Option<((i32, u32, u32), &'static str, &'static str)>,
}

impl Statute {
    const RENUMBERED: [Statute; 5] = [
        Statute::Secrecy,
        Statute::Regulation,
        Statute::Penalty,
        Statute::CivilProcedure,
        Statute::Review,
    ];

    fn text(self) -> Naming {
        let (name, revised) = match self {
            Statute::Secrecy => (
                "《中华人民共和国保守国家秘密法》",
                Some(((2024, 5, 1), "（2010年修订）", "（2024年修订）")),
            ),
            Statute::Regulation => (
                "《中华人民共和国保守国家秘密法实施条例》",
                Some(((2024, 9, 1), "（2014年）", "（2024年修订）")),
            ),
            Statute::Penalty => (
                "《中华人民共和国行政处罚法》",
                Some(((2021, 7, 15), "（2017年修正）", "")),
            ),
            Statute::CivilProcedure => (
                "《中华人民共和国民事诉讼法》",
                Some(((2022, 1, 1), "（2017年修正）", "")),
            ),
            Statute::Review => (
                "《中华人民共和国行政复议法》",
                Some(((2024, 1, 1), "（2017年修正）", "")),
            ),
            Statute::Compulsion => ("《中华人民共和国行政强制法》", None),
            Statute::Litigation => ("《中华人民共和国行政诉讼法》", None),
            Statute::TransferRules => ("《行政执法机关移送涉嫌犯罪案件的规定》", None),
        };
        Naming { name, revised }
    }

    /// The day the current numbering came into force.
    fn since(self) -> Option<NaiveDate> {
        self.text()
            .revised
            .and_then(|((y, m, d), ..)| NaiveDate::from_ymd_opt(y, m, d))
    }

    /// Which statute a citation written in a case cites, by its short name followed by "》"
    /// (with or without 中华人民共和国; the 实施条例 is not the 法).
    fn of_citation(citation: &str) -> Option<Statute> {
        Statute::RENUMBERED.into_iter().find(|s| {
            let core = s
                .text()
                .name
                .trim_start_matches('《')
                .trim_start_matches("中华人民共和国")
                .trim_end_matches('》');
            citation.contains(&format!("{core}》"))
        })
    }
}

/// (key, what it is for, statute, articles before the renumbering, after it). Articles of a
/// statute never renumbered are in the fourth column only.
const TABLE: &[(&str, &str, Statute, &str, &str)] = &[
    (
        "inspection_authority",
        "保密行政管理部门开展保密检查",
        Statute::Secrecy,
        "第四十二条",
        "第四十九条",
    ),
    (
        "inspection_referral",
        "保密检查及违法线索移送",
        Statute::Secrecy,
        "第四十四条",
        "第五十一条",
    ),
    (
        "measures",
        "登记保存、收缴、限期整改、责令停止使用",
        Statute::Secrecy,
        "第四十四条、第四十五条",
        "第五十二条",
    ),
    (
        "inspection_scope",
        "检查范围、检查意见载明整改内容和期限",
        Statute::Regulation,
        "第三十二条、第三十三条",
        "第五十八条、第五十九条",
    ),
    (
        "confiscation_list",
        "收缴清单载明密级、数量、来源、扩散范围",
        Statute::Regulation,
        "第三十六条",
        "第六十二条",
    ),
    (
        "enforcement_procedure",
        "行政强制措施实施程序（情况紧急的，并引第十九条）",
        Statute::Compulsion,
        "第十八条",
        "",
    ),
    (
        "urgent_measure",
        "情况紧急的事后报告",
        Statute::Compulsion,
        "第十九条",
        "",
    ),
    (
        "onsite_handover",
        "当场交付决定书和清单",
        Statute::Compulsion,
        "第二十四条",
        "",
    ),
    (
        "measure_period",
        "查封、扣押期限",
        Statute::Compulsion,
        "第二十五条",
        "",
    ),
    (
        "preservation",
        "先行登记保存（负责人批准，七日内作出处理决定）",
        Statute::Penalty,
        "第三十七条第二款",
        "第五十六条",
    ),
    (
        "service",
        "送达回证；留置送达（直接送达只引送达回证条文）",
        Statute::CivilProcedure,
        "第八十四条、第八十六条",
        "第八十七条、第八十九条",
    ),
    (
        "service_receipt",
        "送达回证",
        Statute::CivilProcedure,
        "第八十四条",
        "第八十七条",
    ),
    (
        "service_left",
        "留置送达",
        Statute::CivilProcedure,
        "第八十六条",
        "第八十九条",
    ),
    (
        "review",
        "行政复议期限",
        Statute::Review,
        "第九条",
        "第二十条",
    ),
    (
        "litigation",
        "行政诉讼起诉期限",
        Statute::Litigation,
        "第四十六条",
        "",
    ),
    (
        "recusal",
        "执法人员回避",
        Statute::Penalty,
        "第三十七条第三款",
        "第四十三条",
    ),
    (
        "measure_handling",
        "查封、扣押后及时查清事实、作出处理决定",
        Statute::Compulsion,
        "第二十七条",
        "",
    ),
    (
        "release",
        "解除措施、退还财物",
        Statute::Compulsion,
        "第二十八条",
        "",
    ),
    (
        "criminal_transfer",
        "涉嫌犯罪的案件移送司法机关",
        Statute::Penalty,
        "第二十二条",
        "第二十七条",
    ),
    (
        "inspection_basis",
        "保密检查职权、受检单位配合义务（工作方案、通知书、登记表、检查报告、检查意见书）",
        Statute::Secrecy,
        "第四十二条、第四十四条",
        "第四十九条、第五十一条",
    ),
    (
        "enforcement_steps",
        "行政强制措施实施程序（不含情况紧急）",
        Statute::Compulsion,
        "第十八条",
        "",
    ),
    // Keys of the enforcement documents.
    (
        "seized_transfer",
        "涉嫌犯罪移送时查封、扣押的物品一并移送并书面告知当事人",
        Statute::Compulsion,
        "第二十一条",
        "",
    ),
    (
        "transfer_rules",
        "移送涉嫌犯罪案件附送的材料、抄送人民检察院",
        Statute::TransferRules,
        "",
        "",
    ),
    (
        "measure_procedure",
        "实施行政强制措施的程序（情况紧急的另引第十九条 urgent_measure）；拒绝签名的在笔录中注明，当事人不到场的由见证人签名",
        Statute::Compulsion,
        "第十八条",
        "",
    ),
];

/// The act a set of citations is for: its date (today's law when it has none yet) and what
/// about it changes the articles cited.
#[derive(Debug, Clone, Copy, Default)]
pub struct Act {
    pub date: Option<NaiveDate>,
    /// A compulsory measure taken on the spot in an urgent case: `enforcement_procedure` also
    /// cites 行政强制法 第十九条 (never otherwise).
    pub urgent: bool,
    /// A service receipt: `service` cites 留置送达 only when the document was left at the
    /// premises (a direct service cites 送达回证 alone).
    pub service: Option<crate::vocab::ServiceMethod>,
}

/// Every citation in force on `date` (today's law when the act has no date yet), keyed as in
/// the table; settings override.
pub fn citations(date: Option<NaiveDate>, settings: &Settings) -> BTreeMap<String, String> {
    citations_for(
        &Act {
            date,
            ..Act::default()
        },
        settings,
    )
}

/// Every citation for `act`, keyed as in the table; settings override.
pub fn citations_for(act: &Act, settings: &Settings) -> BTreeMap<String, String> {
    let date = act.date.unwrap_or(NaiveDate::MAX);
    let mut out = BTreeMap::new();
    for (key, _, statute, before, after) in TABLE {
        let text = statute.text();
        let since = statute.since();
        let is_after = since.is_some_and(|s| date >= s);
        let mut articles = if is_after { after } else { before }.to_string();
        match *key {
            "enforcement_procedure" if act.urgent => articles.push_str("、第十九条"),
            "service"
                if act
                    .service
                    .is_some_and(|m| m != crate::vocab::ServiceMethod::LeftAtPremises) =>
            {
                articles = articles.split('、').next().unwrap_or_default().to_string()
            }
            _ => {}
        }
        let label = match text.revised {
            Some((_, old, new)) => {
                if is_after {
                    new
                } else {
                    old
                }
            }
            None => "",
        };
        let mut cited = format!("{}{label}{articles}", text.name);
        if let Some(o) = settings.law.get(*key) {
            match o {
                LawOverride::Always(t) => cited = t.to_string(),
                LawOverride::ByRevision {
                    before: b,
                    after: a,
                } => {
                    let chosen = if is_after || since.is_none() {
                        a.as_ref().or(b.as_ref())
                    } else {
                        b.as_ref()
                    };
                    if let Some(t) = chosen {
                        cited = t.to_string();
                    }
                }
            }
        }
        out.insert(key.to_string(), cited);
    }
    out
}

/// The keys a settings override may use.
pub fn keys() -> impl Iterator<Item = (&'static str, &'static str)> {
    TABLE.iter().map(|(k, what, ..)| (*k, *what))
}

/// The article numbers a citation names: "第三十七条第二款、第九条" → [第三十七条, 第九条].
fn articles(text: &str) -> Vec<String> {
    const DIGITS: &str = "零一二三四五六七八九十百";
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '第' {
            let mut j = i + 1;
            while j < chars.len() && DIGITS.contains(chars[j]) {
                j += 1;
            }
            if j > i + 1 && j < chars.len() && chars[j] == '条' {
                out.push(chars[i..=j].iter().collect());
                i = j;
            }
        }
        i += 1;
    }
    out
}

/// A citation of a renumbered statute (保密法, 实施条例, 行政处罚法, 民事诉讼法, 行政复议法) by
/// article numbers of the other text than the one in force on `date` (e.g. 第五十二条 of the
/// 保密法 for an act of 2023): what should be cited instead.
pub fn stale_numbering(citation: &str, date: NaiveDate) -> Option<String> {
    let statute = Statute::of_citation(citation)?;
    let since = statute.since()?;
    let name = statute.text().name;
    let after = date >= since;
    let rows: Vec<(&str, &str, &str)> = TABLE
        .iter()
        .filter(|(_, _, s, ..)| *s == statute)
        .map(|(_, what, _, before, revised)| {
            if after {
                (*what, *revised, *before)
            } else {
                (*what, *before, *revised)
            }
        })
        .collect();
    let in_force: Vec<String> = rows.iter().flat_map(|(_, now, _)| articles(now)).collect();
    // The article part only: "…法》（2024年修订）第五十二条" → "第五十二条".
    let cited = articles(citation.rsplit('》').next().unwrap_or_default());
    // One old article may map to several new ones (第四十四条 → 第五十一条, 第五十二条).
    let mut matches: Vec<String> = Vec::new();
    for (what, now, _) in rows.iter().filter(|(_, _, other)| {
        articles(other)
            .iter()
            .any(|a| cited.contains(a) && !in_force.contains(a))
    }) {
        let m = format!("{now}（{what}）");
        if !matches.contains(&m) {
            matches.push(m);
        }
    }
    if matches.is_empty() {
        return None;
    }
    let text = if after {
        format!("{since}起施行的")
    } else {
        format!("{since}前施行的")
    };
    Some(format!(
        "{date} 适用{text}{name}，所引条文号属于另一文本；对应的条文为{}",
        matches.join("或")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn stale_article_numbers() {
        let law = "《中华人民共和国保守国家秘密法》第五十二条";
        assert!(
            stale_numbering(law, d("2023-06-03"))
                .unwrap()
                .contains("第四十四条、第四十五条")
        );
        assert_eq!(stale_numbering(law, d("2026-06-03")), None);
        let old = "《中华人民共和国保守国家秘密法》第四十四条";
        assert!(
            stale_numbering(old, d("2026-06-03"))
                .unwrap()
                .contains("第五十二条")
        );
        assert_eq!(
            stale_numbering("《中华人民共和国行政强制法》第十八条", d("2023-06-03")),
            None
        );
        let reg = "《中华人民共和国保守国家秘密法实施条例》第六十二条";
        assert!(
            stale_numbering(reg, d("2024-08-31"))
                .unwrap()
                .contains("第三十六条")
        );
        assert_eq!(stale_numbering(reg, d("2024-09-01")), None);
        // The renumbered procedure laws too.
        let cf = "《中华人民共和国行政处罚法》第五十六条";
        assert!(
            stale_numbering(cf, d("2021-07-14"))
                .unwrap()
                .contains("第三十七条第二款")
        );
        assert_eq!(stale_numbering(cf, d("2021-07-15")), None);
        let old_cf = "《中华人民共和国行政处罚法》第三十七条第二款";
        assert!(
            stale_numbering(old_cf, d("2026-01-05"))
                .unwrap()
                .contains("第五十六条")
        );
        // Short names too; a 实施条例 is not its 法.
        assert!(stale_numbering("《保守国家秘密法》第五十二条", d("2023-06-03")).is_some());
        assert_eq!(
            stale_numbering(
                "《中华人民共和国行政复议法实施条例》第九条",
                d("2025-01-01")
            ),
            None
        );
        let fy = "《中华人民共和国行政复议法》第九条";
        assert!(
            stale_numbering(fy, d("2024-01-01"))
                .unwrap()
                .contains("第二十条")
        );
        assert_eq!(stale_numbering(fy, d("2023-12-31")), None);
        let ms = "《中华人民共和国民事诉讼法》第八十九条";
        assert!(
            stale_numbering(ms, d("2021-12-31"))
                .unwrap()
                .contains("第八十六条")
        );
    }

    #[test]
    fn citations_by_date_and_act() {
        let s = crate::settings::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/anjuan.yaml"),
        )
        .unwrap();
        let at = |date: &str, urgent: bool, service| {
            citations_for(
                &Act {
                    date: Some(d(date)),
                    urgent,
                    service,
                },
                &s,
            )
        };
        let old = at("2021-06-01", false, None);
        assert!(old["preservation"].ends_with("行政处罚法》（2017年修正）第三十七条第二款"));
        assert!(old["service"].ends_with("（2017年修正）第八十四条、第八十六条"));
        assert!(old["review"].ends_with("行政复议法》（2017年修正）第九条"));
        let mid = at("2023-06-01", false, None);
        assert!(mid["preservation"].ends_with("行政处罚法》第五十六条"));
        assert!(mid["service"].ends_with("民事诉讼法》第八十七条、第八十九条"));
        assert!(mid["review"].ends_with("第九条"));
        assert!(mid["inspection_basis"].ends_with("（2010年修订）第四十二条、第四十四条"));
        let new = at("2026-06-01", false, None);
        assert!(new["review"].ends_with("行政复议法》第二十条"));
        assert!(new["inspection_basis"].ends_with("（2024年修订）第四十九条、第五十一条"));
        assert!(new["enforcement_procedure"].ends_with("行政强制法》第十八条"));
        assert!(
            at("2026-06-01", true, None)["enforcement_procedure"].ends_with("第十八条、第十九条")
        );
        let direct = at(
            "2026-06-01",
            false,
            Some(crate::vocab::ServiceMethod::Direct),
        );
        assert!(direct["service"].ends_with("民事诉讼法》第八十七条"));
        let left = at(
            "2026-06-01",
            false,
            Some(crate::vocab::ServiceMethod::LeftAtPremises),
        );
        assert!(left["service"].ends_with("第八十七条、第八十九条"));
        assert_eq!(
            articles("第三十七条第二款、第九条"),
            vec!["第三十七条".to_string(), "第九条".to_string()]
        );
    }
}
