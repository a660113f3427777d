//! 文号: filled in from the `numbering` patterns of `anjuan.yaml`, allocated from the ledger in
//! the order the documents were issued, stable across re-runs. An explicit `no:` in a case wins.

use chrono::{Datelike, NaiveDate};

use crate::ledger::Ledger;
use crate::project::CheckedCase;
use crate::settings::Settings;

/// 文号 by case id and document key, packed into one text: a province's build holds every
/// number of its cases for the whole run (three strings and a hash slot a number took about
/// 220 bytes; packed they take about 60).
#[derive(Debug, Clone, Default)]
pub struct Numbers {
    text: String,
    /// Each number's id, key and 文号 as offsets into `text` (start, id end, key end, end),
    /// sorted by id and key.
    entries: Vec<[u32; 4]>,
}

impl Numbers {
    /// The numbers given, as (case id, document key, 文号); of one id and key given twice, the
    /// later.
    pub fn of(mut given: Vec<(String, String, String)>) -> Numbers {
        // Stable: of equal keys the later stays last, and `dedup` below keeps the first of a
        // run, so the run is reversed first.
        given.reverse();
        given.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        given.dedup_by(|b, a| a.0 == b.0 && a.1 == b.1);
        let mut numbers = Numbers {
            text: String::with_capacity(
                given
                    .iter()
                    .map(|g| g.0.len() + g.1.len() + g.2.len())
                    .sum(),
            ),
            entries: Vec::with_capacity(given.len()),
        };
        let at = |text: &String| u32::try_from(text.len()).unwrap_or(u32::MAX);
        for (id, key, no) in given {
            let start = at(&numbers.text);
            numbers.text.push_str(&id);
            let id_end = at(&numbers.text);
            numbers.text.push_str(&key);
            let key_end = at(&numbers.text);
            numbers.text.push_str(&no);
            numbers
                .entries
                .push([start, id_end, key_end, at(&numbers.text)]);
        }
        numbers
    }

    fn part(&self, from: u32, to: u32) -> &str {
        self.text
            .get(from as usize..to as usize)
            .unwrap_or_default()
    }

    /// The 文号 of case `id`'s document `key`.
    pub fn get(&self, id: &str, key: &str) -> Option<&str> {
        let found = self
            .entries
            .binary_search_by(|[start, id_end, key_end, _]| {
                (self.part(*start, *id_end), self.part(*id_end, *key_end)).cmp(&(id, key))
            })
            .ok()?;
        let [_, _, key_end, end] = self.entries[found];
        Some(self.part(key_end, end))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

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
    let mut numbers = Vec::new();
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
                numbers.push((id.to_string(), d.key(), no.clone()));
            } else if let Some(date) = d.date {
                pending.push((date, id.to_string(), d.key(), kind, owner));
            }
        }
    }
    pending.sort();
    for (date, id, key, kind, owner) in pending {
        if let Some(no) = allocate(settings, ledger, kind, date, &owner) {
            numbers.push((id, key, no));
        }
    }
    (Numbers::of(numbers), warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_found_by_case_and_document_the_later_of_two_winning() {
        let given =
            |id: &str, key: &str, no: &str| (id.to_string(), key.to_string(), no.to_string());
        let numbers = Numbers::of(vec![
            given("b", "notice", "某保检通〔2026〕2号"),
            given("a", "notice#1", "1号"),
            given("a", "notice", "0号"),
            given("b", "notice", "某保检通〔2026〕3号"),
            given("ab", "", "x"),
        ]);
        assert_eq!(numbers.len(), 4);
        assert_eq!(numbers.get("a", "notice"), Some("0号"));
        assert_eq!(numbers.get("a", "notice#1"), Some("1号"));
        assert_eq!(numbers.get("b", "notice"), Some("某保检通〔2026〕3号"));
        assert_eq!(numbers.get("ab", ""), Some("x"));
        // An id and key that only run together like another's are not it.
        assert_eq!(numbers.get("a", "bnotice"), None);
        assert_eq!(numbers.get("c", "notice"), None);
        assert!(Numbers::default().get("a", "notice").is_none());
    }

    #[test]
    fn parses_explicit_numbers() {
        let f = fill("{short}检通〔{year}〕{seq}号", "某保", 2026);
        assert_eq!(f, "某保检通〔2026〕{seq}号");
        assert_eq!(parse_seq(&f, "某保检通〔2026〕12号"), Some(12));
        assert_eq!(parse_seq(&f, "某保检通〔2025〕12号"), None);
    }
}
