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
    ("inspection_authority", "保密行政管理部门开展保密检查", Source::Law, "第四十二条", "第四十九条"),
    ("inspection_referral", "保密检查及违法线索移送", Source::Law, "第四十四条", "第五十一条"),
    ("measures", "登记保存、收缴、限期整改、责令停止使用", Source::Law, "第四十四条、第四十五条", "第五十二条"),
    ("inspection_scope", "检查范围、检查意见载明整改内容和期限", Source::Regulation, "第三十二条、第三十三条", "第五十八条、第五十九条"),
    ("confiscation_list", "收缴清单载明密级、数量、来源、扩散范围", Source::Regulation, "第三十六条", "第六十二条"),
    ("enforcement_procedure", "行政强制措施实施程序；情况紧急", Source::Fixed, "《中华人民共和国行政强制法》第十八条、第十九条", ""),
    ("urgent_measure", "情况紧急的事后报告", Source::Fixed, "《中华人民共和国行政强制法》第十九条", ""),
    ("onsite_handover", "当场交付决定书和清单", Source::Fixed, "《中华人民共和国行政强制法》第二十四条", ""),
    ("measure_period", "查封、扣押期限", Source::Fixed, "《中华人民共和国行政强制法》第二十五条", ""),
    ("preservation", "先行登记保存", Source::Fixed, "《中华人民共和国行政处罚法》第五十六条", ""),
    ("service", "送达回证；留置送达", Source::Fixed, "《中华人民共和国民事诉讼法》第八十七条、第八十九条", ""),
    ("service_receipt", "送达回证", Source::Fixed, "《中华人民共和国民事诉讼法》第八十七条", ""),
    ("service_left", "留置送达", Source::Fixed, "《中华人民共和国民事诉讼法》第八十九条", ""),
    ("review", "行政复议期限", Source::Fixed, "《中华人民共和国行政复议法》第二十条", ""),
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
            Source::Regulation => Some((regulation_revised(), REGULATION, "（2014年）", "（2024年修订）")),
            Source::Fixed => None,
        };
        let is_after = revised.is_some_and(|(since, ..)| date >= since);
        let mut text = match revised {
            Some((_, name, old, new)) => {
                if is_after { format!("{name}{new}{after}") } else { format!("{name}{old}{before}") }
            }
            None => before.to_string(),
        };
        if let Some(o) = settings.law.get(*key) {
            match o {
                LawOverride::Always(t) => text = t.to_string(),
                LawOverride::ByRevision { before: b, after: a } => {
                    let chosen = if is_after || revised.is_none() { a.as_ref().or(b.as_ref()) } else { b.as_ref() };
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
