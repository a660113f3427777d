//! Legal citations by the date of the act: the 保守国家秘密法 was revised (in force 2024-05-01)
//! and its 实施条例 too (in force 2024-09-01). One table, overridable in `anjuan.yaml`.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::settings::{LawOverride, Settings};

const LAW: &str = "《中华人民共和国保守国家秘密法》";
const REGULATION: &str = "《中华人民共和国保守国家秘密法实施条例》";

/// Which text a citation follows.
#[derive(Clone, Copy)]
enum Source {
    /// The 保密法: old numbering before 2024-05-01.
    Law,
    /// The 实施条例: old numbering before 2024-09-01.
    Regulation,
    /// Unchanged by the revisions.
    Fixed,
}

/// (key, what it is for, follows, before the revision, after it)
const TABLE: &[(&str, &str, Source, &str, &str)] = &[
    (
        "inspection_authority",
        "保密行政管理部门开展保密检查",
        Source::Law,
        "第四十二条",
        "第四十九条",
    ),
    (
        "inspection_referral",
        "保密检查及违法线索移送",
        Source::Law,
        "第四十四条",
        "第五十一条",
    ),
    (
        "measures",
        "登记保存、收缴、限期整改、责令停止使用",
        Source::Law,
        "第四十四条、第四十五条",
        "第五十二条",
    ),
    (
        "inspection_scope",
        "检查范围、检查意见载明整改内容和期限",
        Source::Regulation,
        "第三十二条、第三十三条",
        "第五十八条、第五十九条",
    ),
    (
        "confiscation_list",
        "收缴清单载明密级、数量、来源、扩散范围",
        Source::Regulation,
        "第三十六条",
        "第六十二条",
    ),
    (
        "enforcement_procedure",
        "行政强制措施实施程序；情况紧急",
        Source::Fixed,
        "《中华人民共和国行政强制法》第十八条、第十九条",
        "",
    ),
    (
        "urgent_measure",
        "情况紧急的事后报告",
        Source::Fixed,
        "《中华人民共和国行政强制法》第十九条",
        "",
    ),
    (
        "onsite_handover",
        "当场交付决定书和清单",
        Source::Fixed,
        "《中华人民共和国行政强制法》第二十四条",
        "",
    ),
    (
        "measure_period",
        "查封、扣押期限",
        Source::Fixed,
        "《中华人民共和国行政强制法》第二十五条",
        "",
    ),
    (
        "preservation",
        "先行登记保存",
        Source::Fixed,
        "《中华人民共和国行政处罚法》第五十六条",
        "",
    ),
    (
        "service",
        "送达回证；留置送达",
        Source::Fixed,
        "《中华人民共和国民事诉讼法》第八十七条、第八十九条",
        "",
    ),
    (
        "service_receipt",
        "送达回证",
        Source::Fixed,
        "《中华人民共和国民事诉讼法》第八十七条",
        "",
    ),
    (
        "service_left",
        "留置送达",
        Source::Fixed,
        "《中华人民共和国民事诉讼法》第八十九条",
        "",
    ),
    (
        "review",
        "行政复议期限",
        Source::Fixed,
        "《中华人民共和国行政复议法》第二十条",
        "",
    ),
    (
        "litigation",
        "行政诉讼起诉期限",
        Source::Fixed,
        "《中华人民共和国行政诉讼法》第四十六条",
        "",
    ),
    (
        "recusal",
        "执法人员回避",
        Source::Fixed,
        "《中华人民共和国行政处罚法》第四十三条",
        "",
    ),
    (
        "measure_handling",
        "查封、扣押后及时查清事实、作出处理决定",
        Source::Fixed,
        "《中华人民共和国行政强制法》第二十七条",
        "",
    ),
    (
        "release",
        "解除措施、退还财物",
        Source::Fixed,
        "《中华人民共和国行政强制法》第二十八条",
        "",
    ),
    (
        "criminal_transfer",
        "涉嫌犯罪的案件移送司法机关",
        Source::Fixed,
        "《中华人民共和国行政处罚法》第二十七条",
        "",
    ),
    // --- Enforcement keys added by issue 8 (enforcement half); kept together at the end. ---
    (
        "seized_transfer",
        "涉嫌犯罪移送时查封、扣押的物品一并移送并书面告知当事人",
        Source::Fixed,
        "《中华人民共和国行政强制法》第二十一条",
        "",
    ),
    (
        "transfer_rules",
        "移送涉嫌犯罪案件附送的材料、抄送人民检察院",
        Source::Fixed,
        "《行政执法机关移送涉嫌犯罪案件的规定》",
        "",
    ),
    (
        "measure_procedure",
        "实施行政强制措施的程序（情况紧急的另引第十九条 urgent_measure）；拒绝签名的在笔录中注明，当事人不到场的由见证人签名",
        Source::Fixed,
        "《中华人民共和国行政强制法》第十八条",
        "",
    ),
];

fn law_revised() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 5, 1).expect("valid date")
}
fn regulation_revised() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 9, 1).expect("valid date")
}

/// Every citation in force on `date` (today's law when the act has no date yet), keyed as in
/// the table; settings override.
pub fn citations(date: Option<NaiveDate>, settings: &Settings) -> BTreeMap<String, String> {
    let date = date.unwrap_or(NaiveDate::MAX);
    let mut out = BTreeMap::new();
    for (key, _, source, before, after) in TABLE {
        let revised = match source {
            Source::Law => Some((law_revised(), LAW, "（2010年修订）", "（2024年修订）")),
            Source::Regulation => Some((
                regulation_revised(),
                REGULATION,
                "（2014年）",
                "（2024年修订）",
            )),
            Source::Fixed => None,
        };
        let is_after = revised.is_some_and(|(since, ..)| date >= since);
        let mut text = match revised {
            Some((_, name, old, new)) => {
                if is_after {
                    format!("{name}{new}{after}")
                } else {
                    format!("{name}{old}{before}")
                }
            }
            None => before.to_string(),
        };
        if let Some(o) = settings.law.get(*key) {
            match o {
                LawOverride::Always(t) => text = t.to_string(),
                LawOverride::ByRevision {
                    before: b,
                    after: a,
                } => {
                    let chosen = if is_after || revised.is_none() {
                        a.as_ref().or(b.as_ref())
                    } else {
                        b.as_ref()
                    };
                    if let Some(t) = chosen {
                        text = t.to_string();
                    }
                }
            }
        }
        out.insert(key.to_string(), text);
    }
    out
}

/// The keys a settings override may use.
pub fn keys() -> impl Iterator<Item = (&'static str, &'static str)> {
    TABLE.iter().map(|(k, what, ..)| (*k, *what))
}

/// A citation of the 保密法 or its 实施条例 by article numbers of the other text than the one in
/// force on `date` (e.g. 第五十二条 for an act of 2023): what should be cited instead.
pub fn stale_numbering(citation: &str, date: NaiveDate) -> Option<String> {
    let source = if citation.contains("保守国家秘密法实施条例") {
        Source::Regulation
    } else if citation.contains("保守国家秘密法》") {
        Source::Law
    } else {
        return None;
    };
    let (since, name) = match source {
        Source::Regulation => (regulation_revised(), REGULATION),
        _ => (law_revised(), LAW),
    };
    let after = date >= since;
    let rows: Vec<(&str, &str, &str)> = TABLE
        .iter()
        .filter(|(_, _, s, ..)| std::mem::discriminant(s) == std::mem::discriminant(&source))
        .map(|(_, what, _, before, revised)| {
            if after {
                (*what, *revised, *before)
            } else {
                (*what, *before, *revised)
            }
        })
        .collect();
    let in_force: Vec<&str> = rows
        .iter()
        .flat_map(|(_, now, _)| now.split('、'))
        .collect();
    // The article part only: "…法》（2024年修订）第五十二条" → "第五十二条".
    let articles = citation.rsplit('》').next().unwrap_or_default();
    // One old article may map to several new ones (第四十四条 → 第五十一条, 第五十二条).
    let matches: Vec<String> = rows
        .iter()
        .filter(|(_, _, other)| {
            other
                .split('、')
                .any(|a| articles.contains(a) && !in_force.contains(&a))
        })
        .map(|(what, now, _)| format!("{now}（{what}）"))
        .collect();
    if matches.is_empty() {
        return None;
    }
    let text = if after {
        "2024年修订后的"
    } else {
        "修订前的"
    };
    Some(format!(
        "{date} 适用{text}{name}，所引条文号属于另一文本；对应的条文为{}",
        matches.join("或")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_article_numbers() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
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
    }
}
