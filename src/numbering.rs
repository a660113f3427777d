//! 文号: filled in from the `numbering` patterns of `anjuan.yaml`, allocated from the ledger in
//! the order the documents were issued, stable across re-runs. An explicit `no:` in a case wins.

use chrono::{Datelike, NaiveDate};

use crate::ledger::Ledger;
use crate::packed::Rows;
use crate::project::CheckedCase;
use crate::settings::Settings;

/// 文号 by case id and document key, packed ([`Rows`]): a province's build holds every number of
/// its cases for the whole run (three strings and a hash slot a number took about 220 bytes).
#[derive(Debug, Clone, Default)]
pub struct Numbers {
    /// Case id, document key, 文号; sorted by id and key once given.
    rows: Rows<3>,
}

impl Numbers {
    /// The numbers given, as (case id, document key, 文号); of one id and key given twice, the
    /// later.
    pub fn of<'a>(given: impl IntoIterator<Item = [&'a str; 3]>) -> Numbers {
        let mut numbers = Numbers::default();
        for row in given {
            numbers.give(row);
        }
        numbers.given()
    }

    /// One more number; the numbers are found once sorted ([`Numbers::given`]).
    fn give(&mut self, [id, key, no]: [&str; 3]) {
        self.rows.push([id, key, no]);
    }

    fn given(mut self) -> Numbers {
        self.rows.sort_keeping_last(2);
        self
    }

    /// The 文号 of case `id`'s document `key`.
    pub fn get(&self, id: &str, key: &str) -> Option<&str> {
        self.rows.find(&[id, key]).map(|[_, _, no]| no)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
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
    let mut numbers = Numbers::default();
    let mut warnings = Vec::new();
    // Documents in the order they were issued, so a first run over old cases numbers them as a
    // records officer would have: (date, case, document), their strings made when numbered.
    let mut pending: Vec<(NaiveDate, usize, usize)> = Vec::new();
    for (ci, c) in cases.iter().enumerate() {
        let id = c.loaded.id();
        for (di, d) in c.docs.iter().enumerate() {
            let kind = d.kind.id();
            if !settings.numbering.contains_key(kind) {
                continue;
            }
            if let Some(no) = &d.explicit_no {
                let owner = format!("{id}/{}", d.key());
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
                numbers.give([id, &d.key(), no]);
            } else if let Some(date) = d.date {
                pending.push((date, ci, di));
            }
        }
    }
    // As sorting (date, id, key, kind, owner) did: by date, then case id, then document key.
    let key_of = |&(date, ci, di): &(NaiveDate, usize, usize)| {
        let (c, d) = (&cases[ci], &cases[ci].docs[di]);
        (date, c.loaded.id(), d.key())
    };
    pending.sort_by_cached_key(key_of);
    for (date, ci, di) in pending {
        let (id, d) = (cases[ci].loaded.id(), &cases[ci].docs[di]);
        let key = d.key();
        let owner = format!("{id}/{key}");
        if let Some(no) = allocate(settings, ledger, d.kind.id(), date, &owner) {
            numbers.give([id, &key, &no]);
        }
    }
    (numbers.given(), warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_found_by_case_and_document_the_later_of_two_winning() {
        let numbers = Numbers::of([
            ["b", "notice", "某保检通〔2026〕2号"],
            ["a", "notice#1", "1号"],
            ["a", "notice", "0号"],
            ["b", "notice", "某保检通〔2026〕3号"],
            ["ab", "", "x"],
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
