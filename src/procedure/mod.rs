//! The procedures a case can follow (保密检查, 行政强制), one module each behind the trait
//! [`Procedure`]: which documents a case yields, the rules its data must satisfy, its statutory
//! periods and what its archived volume must hold. The model and its loading are in `case`;
//! the kinds of document in `documents::KINDS`.
//!
//! A new procedure (e.g. 行政处罚): its model in `case` (a `Case` variant and its `kind:`), a
//! module here implementing [`Procedure`], and its arm in [`of`].

pub mod enforcement;
pub mod inspection;

use std::path::Path;

use chrono::NaiveDate;

use crate::calendar::Calendar;
use crate::case::{Case, validate};
use crate::deadlines::{Deadline, Deadlines};
use crate::diagnostics::Ctx;
use crate::documents::{self, DocKind, DocSpec};
use crate::yaml::did_you_mean;

/// What a procedure knows about its cases.
pub trait Procedure {
    /// Its kinds of document in `documents::KINDS` (and its label, a volume's 类目名称).
    fn tag(&self) -> documents::Procedure;

    /// Every document the case yields, in procedural order.
    fn documents(&self) -> Vec<DocSpec>;

    /// The consistency rules of the procedure (those of every case are in [`check`]).
    fn check(&self, ctx: &mut Ctx);

    /// Its statutory periods, added to `d`.
    fn deadlines(&self, d: &mut Deadlines);

    /// The kinds an archived volume of the case must hold.
    fn volume_requires(&self) -> Vec<DocKind> {
        DocKind::required_in_volume(self.tag(), false)
    }

    /// The field an obligation the file does not have yet is shown at (`status`).
    fn anchor(&self) -> &'static str;

    /// Where the case stands, in a few words (`status`; an archived case is 已归档 before this).
    fn stage(&self) -> &'static str;
}

/// The procedure a case follows: the one table of procedures.
pub fn of(case: &Case) -> &dyn Procedure {
    match case {
        Case::Inspection(c) => c,
        Case::Enforcement(c) => c,
    }
}

/// Every document of the case, in procedural order.
pub fn plan(case: &Case) -> Vec<DocSpec> {
    of(case).documents()
}

/// Computes the case's deadlines; rule violations and calendar gaps go to `ctx`.
pub fn deadlines(case: &Case, cal: &Calendar, today: NaiveDate, ctx: &mut Ctx) -> Vec<Deadline> {
    let mut d = Deadlines::new(case.id(), cal, today, ctx);
    of(case).deadlines(&mut d);
    d.list
}

/// Checks one case; `docs` is its document plan, `root` the cases root and `case_dir` the
/// folder of its file.
pub fn check(case: &Case, docs: &[DocSpec], root: &Path, case_dir: &Path, ctx: &mut Ctx) {
    validate::check_id(case.id(), ctx);
    of(case).check(ctx);
    check_references(case, docs, ctx);
    validate::check_attachment_files(case, root, case_dir, ctx);
}

/// A case filed as a volume has been through every step of its procedure: the kinds the
/// document table marks as required in an archived volume.
pub fn check_archived_steps(case: &Case, docs: &[DocSpec], ctx: &mut Ctx) {
    if case.archive().is_none() {
        return;
    }
    for kind in of(case).volume_requires() {
        if !docs.iter().any(|d| d.kind == kind) {
            ctx.error(
                "archive",
                format!(
                    "案件已归档（archive），但缺少{}（{}）；补齐后再立卷",
                    kind.title(),
                    kind.block()
                ),
            );
        }
    }
}

/// Every `services[].document` and `attachments[].after` names a document the case produces.
fn check_references(case: &Case, docs: &[DocSpec], ctx: &mut Ctx) {
    let known = DocKind::ids();
    for (i, s) in case.services().iter().enumerate() {
        let field = format!("services[{i}].document");
        match documents::find(docs, &s.document, s.index) {
            None => ctx.error(&field, unknown_document(&s.document, &known, docs)),
            // The receipt would state the service of a document not yet made.
            Some(d) if d.date.is_some_and(|date| s.on < date) && !s.blank => ctx.error(
                &format!("services[{i}].on"),
                format!(
                    "送达日期（services[{i}].on: {}）早于所送达的{}的成文日期（{}: {}）：送达回证会记载送达一份尚未制作的文书",
                    s.on,
                    d.kind.title(),
                    date_field(d),
                    d.date.map(|x| x.to_string()).unwrap_or_default()
                ),
            ),
            Some(_) => {}
        }
        if s.method == crate::case::ServiceMethod::LeftAtPremises
            && s.witness.as_ref().is_none_or(|w| w.trim().is_empty())
        {
            ctx.error(
                &format!("services[{i}].witness"),
                "留置送达应有见证人签字（witness）",
            );
        }
    }
    for (i, a) in case.attachments().iter().enumerate() {
        if documents::find(docs, &a.after, None).is_none() {
            ctx.error(
                &format!("attachments[{i}].after"),
                unknown_document(&a.after, &known, docs),
            );
        }
    }
}

/// The field a document's date comes from, for messages (`decision.date`, `measures[0].lifted.on`).
fn date_field(d: &DocSpec) -> String {
    match d.kind {
        DocKind::ReleaseDecision => format!("{}.on", d.field),
        DocKind::TestingNotice => format!("{}.notified_on", d.field),
        DocKind::ExtensionDecision => d.field.clone(),
        DocKind::HandlingDecision => "decision.date".into(),
        DocKind::TransferLetter | DocKind::TransferNotice => "transfer.date".into(),
        DocKind::ReturnList => "return.date".into(),
        DocKind::MeasureDecision
        | DocKind::ItemList
        | DocKind::RectificationOrder
        | DocKind::OnsiteRecord
        | DocKind::StatementRecord
        | DocKind::RecusalDecision => "on_site.date".into(),
        DocKind::ConfiscationList if d.field.starts_with("decision") => "decision.date".into(),
        DocKind::ConfiscationList => "on_site.date".into(),
        _ => d.field.clone(),
    }
}

fn unknown_document(id: &str, known: &[&str], docs: &[DocSpec]) -> String {
    let produced: Vec<&str> = {
        let mut v: Vec<&str> = docs.iter().map(|d| d.kind.id()).collect();
        v.dedup();
        v
    };
    if known.contains(&id) {
        format!("本案不产生文书 {id}；本案的文书有：{}", produced.join("、"))
    } else {
        let hint = did_you_mean(id, known)
            .map(|k| format!("是否想写 {k}？"))
            .unwrap_or_default();
        format!(
            "未知的文书种类 {id}。{hint}本案的文书有：{}",
            produced.join("、")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Loaded;

    fn samples() -> Vec<Case> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
        let mut cases = Vec::new();
        let spool = crate::case::Spool::new();
        for dir in ["inspection", "enforcement"] {
            let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            files.sort();
            for f in files {
                if let (Loaded::Case(c), _) = crate::case::load_file(&f, &root, &spool) {
                    cases.push((*c.case()).clone());
                }
            }
        }
        cases
    }

    #[test]
    fn a_case_yields_its_own_procedure_s_documents_in_the_table_s_order() {
        let cases = samples();
        assert!(cases.len() >= 8, "{} sample cases", cases.len());
        for case in &cases {
            let tag = of(case).tag();
            assert_eq!(tag.label(), case.procedure_name());
            let docs = plan(case);
            for d in &docs {
                let p = d.kind.procedure();
                assert!(
                    p == tag || p == documents::Procedure::Both,
                    "{}: {} is not a document of {}",
                    case.id(),
                    d.kind.id(),
                    tag.label()
                );
            }
            assert!(
                docs.windows(2).all(|w| w[0].kind <= w[1].kind),
                "{}: documents out of the table's order",
                case.id()
            );
            for kind in of(case).volume_requires() {
                assert_eq!(kind.procedure(), tag);
            }
        }
    }
}
