//! 文号: filled in from the `numbering` patterns of `anjuan.yaml`, allocated from the ledger in
//! the order the documents were issued, stable across re-runs. An explicit `no:` in a case wins.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use crate::ledger::Ledger;
use crate::project::CheckedCase;
use crate::settings::Settings;

/// 文号 by (case id, document key).
pub type Numbers = HashMap<(String, String), String>;

/// Fills `{short}` and `{year}` of a pattern; `{seq}` stays.
fn fill(pattern: &str, short: &str, year: i32) -> String {
    pattern
        .replace("{short}", short)
        .replace("{year}", &year.to_string())
}

/// The sequence number an explicit 文号 has under `pattern`, if it follows it.
fn parse_seq(filled: &str, no: &str) -> Option<u32> {
    let (prefix, suffix) = filled.split_once("{seq}")?;
    no.strip_prefix(prefix)?.strip_suffix(suffix)?.parse().ok()
}

/// A document kind's numbers in one year: the ledger sequence and its pattern filled in.
struct Sequence {
    name: String,
    filled: String,
}

impl Sequence {
    /// None when `anjuan.yaml` has no numbering pattern for the kind.
    fn of(settings: &Settings, kind: &str, date: NaiveDate) -> Option<Self> {
        let pattern = settings.numbering.get(kind)?;
        let short = settings.authority.short_name.as_str();
        Some(Self {
            name: format!("{kind}/{}", date.year()),
            filled: fill(pattern, short, date.year()),
        })
    }
}

/// Records an explicit 文号 in the ledger so it is never given again. Returns who already holds
/// it, when somebody else does (the number is then left to the officer to sort out).
pub fn reserve(
    settings: &Settings,
    ledger: &mut Ledger,
    kind: &str,
    date: NaiveDate,
    owner: &str,
    no: &str,
) -> Option<String> {
    let seq = Sequence::of(settings, kind, date)?;
    let n = parse_seq(&seq.filled, no)?;
    if let Some(other) = ledger.taken_by_other(&seq.name, n, owner) {
        return Some(other.to_string());
    }
    ledger.reserve(&seq.name, owner, n, no);
    None
}

/// The 文号 `owner` holds for a document of `kind` dated `date`, or the next free one; None
/// when the kind is not numbered.
pub fn allocate(
    settings: &Settings,
    ledger: &mut Ledger,
    kind: &str,
    date: NaiveDate,
    owner: &str,
) -> Option<String> {
    let seq = Sequence::of(settings, kind, date)?;
    let entry = ledger.allocate(&seq.name, owner, |n| {
        seq.filled.replace("{seq}", &n.to_string())
    });
    Some(entry.value)
}

/// Gives every numbered document of `cases` its 文号. Returns the numbers and warnings
/// (case index, field, message) for explicit numbers that clash with the ledger.
pub fn assign(
    settings: &Settings,
    ledger: &mut Ledger,
    cases: &[CheckedCase],
) -> (Numbers, Vec<(usize, String, String)>) {
    let mut numbers = Numbers::new();
    let mut warnings = Vec::new();
    // Documents in the order they were issued, so a first run over old cases numbers them as a
    // records officer would have.
    let mut pending = Vec::new();
    for (ci, c) in cases.iter().enumerate() {
        let id = c.loaded.id();
        for d in &c.docs {
            let kind = d.kind.id();
            if !settings.numbering.contains_key(kind) {
                continue;
            }
            let owner = format!("{id}/{}", d.key());
            if let Some(no) = &d.explicit_no {
                let clash = d
                    .date
                    .and_then(|date| reserve(settings, ledger, kind, date, &owner, no));
                if let Some(other) = clash {
                    warnings.push((
                        ci,
                        d.field.clone(),
                        format!("文号 {no} 已在台账中分配给 {other}，请核对，避免重号"),
                    ));
                }
                numbers.insert((id.to_string(), d.key()), no.clone());
            } else if let Some(date) = d.date {
                pending.push((date, id.to_string(), d.key(), kind, owner));
            }
        }
    }
    pending.sort();
    for (date, id, key, kind, owner) in pending {
        if let Some(no) = allocate(settings, ledger, kind, date, &owner) {
            numbers.insert((id, key), no);
        }
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
