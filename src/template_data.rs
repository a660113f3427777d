//! Template data: everything a document's template may print, as the JSON the renderer serves
//! it (see `docs/templates.md`). Case documents and bulk letters both get theirs here.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::documents::{DocKind, DocSpec};
use crate::law;
use crate::numbering::Numbers;
use crate::project::CheckedCase;
use crate::settings::Settings;

/// Everything a template may print, as JSON (see `docs/templates.md`).
pub fn document_data(
    settings: &Settings,
    case: &CheckedCase,
    doc: &DocSpec,
    numbers: &Numbers,
) -> Value {
    let id = case.loaded.id();
    let case_json = case.loaded.case().to_json();
    let case_numbers: BTreeMap<String, String> = case
        .docs
        .iter()
        .filter_map(|d| numbers.get(id, &d.key()).map(|n| (d.key(), n.to_string())))
        .collect();
    let item = entry_of(&case_json, &doc.field);
    let served = (doc.kind == DocKind::ServiceReceipt)
        .then(|| served_document(case, doc, &case_numbers))
        .flatten();
    let deadlines = deadlines_for(case, doc);
    // The same dates by the field they are about (`measures[0].lifted`): a kind repeated per
    // measure has one each.
    let periods: BTreeMap<&str, NaiveDate> = case
        .deadlines
        .iter()
        .map(|d| (d.field.as_str(), d.due))
        .collect();
    json!({
        "doc": {
            "kind": doc.kind.id(),
            "title": doc.kind.title(),
            "no": case_numbers.get(&doc.key()),
            "date": doc.date,
            "case_id": id,
            "index": doc.index,
            "security": case.loaded.case().security(),
        },
        "item": item,
        "served": served,
        "case": case_json,
        "numbers": case_numbers,
        "deadlines": deadlines,
        "periods": periods,
        "law": law::citations_for(&act_of(case, doc), settings),
        "authority": settings.authority,
        "superior": settings.superior,
        "remedies": settings.remedies,
    })
}

/// Due dates by document kind as one document should print them: where a kind has a deadline
/// per entry (each measure's own period), the one of this document's entry wins over the others.
fn deadlines_for<'a>(case: &'a CheckedCase, doc: &DocSpec) -> BTreeMap<&'a str, NaiveDate> {
    let own_prefix = format!("{}.", doc.field);
    let is_own = |field: &str| field == doc.field || field.starts_with(&own_prefix);
    let mut deadlines: BTreeMap<&str, NaiveDate> = BTreeMap::new();
    for d in case.deadlines.iter().filter(|d| !is_own(&d.field)) {
        deadlines.insert(d.document.id(), d.due);
    }
    for d in case.deadlines.iter().filter(|d| is_own(&d.field)) {
        deadlines.insert(d.document.id(), d.due);
    }
    deadlines
}

/// What the citations of a document depend on: its date, an urgent measure, how it is served.
fn act_of(case: &CheckedCase, doc: &DocSpec) -> law::Act {
    let c = &*case.loaded.case();
    let urgent = matches!(c, crate::case::Case::Enforcement(e) if e.approval.urgent);
    let service = (doc.kind == DocKind::ServiceReceipt)
        .then(|| {
            doc.index
                .and_then(|i| c.services().get(i))
                .map(|s| s.method)
        })
        .flatten();
    law::Act {
        date: doc.date,
        urgent,
        service,
    }
}

/// `measures[1]` → that entry of the case JSON.
fn entry_of(case_json: &Value, field: &str) -> Value {
    let Some((name, rest)) = field.split_once('[') else {
        return Value::Null;
    };
    // `measures[1]` and `measures[1].lifted` both give the measure.
    let Some(index) = rest
        .split_once(']')
        .and_then(|(i, _)| i.parse::<usize>().ok())
    else {
        return Value::Null;
    };
    case_json
        .get(name)
        .and_then(|v| v.get(index))
        .cloned()
        .unwrap_or(Value::Null)
}

/// What a service receipt serves: the document's title, its 文号 (all of them when a repeated
/// kind is served together), and date.
fn served_document(
    case: &CheckedCase,
    doc: &DocSpec,
    numbers: &BTreeMap<String, String>,
) -> Option<Value> {
    let model = case.loaded.case();
    let service = model.services().get(doc.index?)?;
    let served: Vec<&DocSpec> = case
        .docs
        .iter()
        .filter(|d| {
            d.kind.id() == service.document.as_str()
                && (service.index.is_none() || d.index == service.index)
        })
        .collect();
    let first = served.first()?;
    Some(json!({
        "kind": first.kind.id(),
        "title": first.kind.title(),
        "nos": served.iter().filter_map(|d| numbers.get(&d.key())).collect::<Vec<_>>(),
        "date": first.date,
    }))
}
