//! 文号: filled in from the `numbering` patterns of `anjuan.yaml`, allocated from the ledger in
//! the order the documents were issued, stable across re-runs. An explicit `no:` in a case wins.

use std::collections::HashMap;

use chrono::Datelike;

use crate::ledger::Ledger;
use crate::project::CheckedCase;
use crate::settings::Settings;

/// 文号 by (case id, document key).
pub type Numbers = HashMap<(String, String), String>;

/// Fills `{short}` and `{year}` of a pattern; `{seq}` stays.
fn fill(pattern: &str, short: &str, year: i32) -> String {
    pattern.replace("{short}", short).replace("{year}", &year.to_string())
}

/// The sequence number an explicit 文号 has under `pattern`, if it follows it.
fn parse_seq(filled: &str, no: &str) -> Option<u32> {
    let (prefix, suffix) = filled.split_once("{seq}")?;
    no.strip_prefix(prefix)?.strip_suffix(suffix)?.parse().ok()
}

/// Gives every numbered document of `cases` its 文号. Returns the numbers and warnings
/// (file, field, message) for explicit numbers that clash with the ledger.
pub fn assign(settings: &Settings, ledger: &mut Ledger, cases: &[CheckedCase]) -> (Numbers, Vec<(usize, String, String)>) {
    let short = settings.authority.short_name.as_str();
    let mut numbers = Numbers::new();
    let mut warnings = Vec::new();
    // Documents in the order they were issued, so a first run over old cases numbers them as a
    // records officer would have.
    let mut pending = Vec::new();
    for (ci, c) in cases.iter().enumerate() {
        let id = c.loaded.case.id();
        for d in &c.docs {
            let Some(pattern) = settings.numbering.get(d.kind.id()) else { continue };
            let owner = format!("{id}/{}", d.key());
            if let Some(no) = &d.explicit_no {
                if let Some(date) = d.date {
                    let seq_name = format!("{}/{}", d.kind.id(), date.year());
                    if let Some(seq) = parse_seq(&fill(pattern, short, date.year()), no) {
                        if let Some(other) = ledger.taken_by_other(&seq_name, seq, &owner) {
                            warnings.push((ci, d.field.clone(), format!("文号 {no} 已在台账中分配给 {other}，请核对，避免重号")));
                        } else {
                            ledger.reserve(&seq_name, &owner, seq, no);
                        }
                    }
                }
                numbers.insert((id.to_string(), d.key()), no.clone());
                continue;
            }
            if let Some(date) = d.date {
                pending.push((date, id.to_string(), d.key(), d.kind.id(), pattern.clone()));
            }
        }
    }
    pending.sort();
    for (date, id, key, kind, pattern) in pending {
        let filled = fill(&pattern, short, date.year());
        let owner = format!("{id}/{key}");
        let entry = ledger.allocate(&format!("{kind}/{}", date.year()), &owner, |seq| filled.replace("{seq}", &seq.to_string()));
        numbers.insert((id, key), entry.value);
    }
    (numbers, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_explicit_numbers() {
        let f = fill("{short}检通〔{year}〕{seq}号", "某保", 2026);
        assert_eq!(f, "某保检通〔2026〕{seq}号");
        assert_eq!(parse_seq(&f, "某保检通〔2026〕12号"), Some(12));
        assert_eq!(parse_seq(&f, "某保检通〔2025〕12号"), None);
    }
}
