//! Which documents a case produces, in procedural order (also the order inside an archive
//! volume), with each document's date and the entry it is about.

use chrono::NaiveDate;
use serde::Serialize;

use crate::case::enforcement::MeasureKind;
use crate::case::{Case, DisposalKind, EnforcementCase, InspectionCase, OrganizedBy};

/// Every document kind of `documents.md`, in procedural order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    InspectionPlan,
    InspectionNotice,
    InspectionRegister,
    DisposalNotice,
    PreservationList,
    PreservationDecision,
    TechnicalReport,
    InspectionReport,
    PersonnelReport,
    InspectionOpinion,
    ObjectionReply,
    ReinspectionOpinion,
    SuperiorReport,
    EnforcementApproval,
    RecusalDecision,
    OnsiteRecord,
    StatementRecord,
    MeasureDecision,
    ConfiscationList,
    RectificationOrder,
    ItemList,
    HandlingDecision,
    ExtensionDecision,
    TestingNotice,
    ReleaseDecision,
    TransferLetter,
    TransferNotice,
    ReturnList,
    ServiceReceipt,
}

/// Which procedure a document kind belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Procedure {
    Inspection,
    Enforcement,
    /// Produced by either (the 送达回证).
    Both,
}

impl Procedure {
    /// The procedure's name, as a volume's 类目名称 prints it.
    pub fn label(self) -> &'static str {
        match self {
            Procedure::Inspection => "保密检查",
            Procedure::Enforcement => "行政强制",
            Procedure::Both => "",
        }
    }

    pub fn from_label(label: &str) -> Option<Procedure> {
        [Procedure::Inspection, Procedure::Enforcement]
            .into_iter()
            .find(|p| p.label() == label)
    }
}

/// Whether an archived volume of the procedure must hold the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Archived {
    /// Every finished case has been through this step (the responsibility list's steps).
    Required,
    /// Required when the superior department organised the inspection.
    WhenSuperiorOrganised,
    /// Depends on what happened in the case.
    Optional,
}

/// Everything the code knows about a document kind, in one row. Every list of kinds (the
/// order in a volume, the numbered ones, the ones an archived case must have) derives from
/// [`KINDS`]; templates print the title they are given in their data.
#[derive(Debug)]
pub struct KindInfo {
    pub kind: DocKind,
    /// The stable id (YAML, file names, JSON output, template name).
    pub id: &'static str,
    /// The document's name as printed.
    pub title: &'static str,
    /// The YAML block of a case that produces it (documents.md, "produced when").
    pub block: &'static str,
    pub procedure: Procedure,
    /// Outgoing decisions and notices: each has its own 文号 from the ledger (documents.md,
    /// page conventions); records, lists, forms and internal reports have none.
    pub numbered: bool,
    pub archived: Archived,
}

/// Every document kind of `documents.md`, in procedural order (also the order inside an
/// archive volume): the one table of document kinds.
pub const KINDS: [KindInfo; 29] = [
    KindInfo {
        kind: DocKind::InspectionPlan,
        id: "inspection_plan",
        block: "plan",
        title: "保密检查工作方案",
        procedure: Procedure::Inspection,
        numbered: false,
        archived: Archived::Required,
    },
    KindInfo {
        kind: DocKind::InspectionNotice,
        id: "inspection_notice",
        block: "notice",
        title: "保密检查通知书",
        procedure: Procedure::Inspection,
        numbered: true,
        archived: Archived::Required,
    },
    KindInfo {
        kind: DocKind::InspectionRegister,
        id: "inspection_register",
        block: "inspection",
        title: "检查情况登记表",
        procedure: Procedure::Inspection,
        numbered: false,
        archived: Archived::Required,
    },
    KindInfo {
        kind: DocKind::DisposalNotice,
        id: "disposal_notice",
        block: "measures[]",
        title: "行政处置通知书",
        procedure: Procedure::Inspection,
        numbered: true,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::PreservationList,
        id: "preservation_list",
        block: "measures[]",
        title: "登记保存清单",
        procedure: Procedure::Inspection,
        numbered: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::PreservationDecision,
        id: "preservation_decision",
        block: "measures[].decision",
        title: "先行登记保存物品处理决定书",
        procedure: Procedure::Inspection,
        numbered: true,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::TechnicalReport,
        id: "technical_report",
        block: "technical_check",
        title: "技术核查取证报告",
        procedure: Procedure::Inspection,
        numbered: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::InspectionReport,
        id: "inspection_report",
        block: "report",
        title: "书面检查报告",
        procedure: Procedure::Inspection,
        numbered: false,
        archived: Archived::Required,
    },
    KindInfo {
        kind: DocKind::PersonnelReport,
        id: "personnel_report",
        block: "report.personnel_handling",
        title: "违反保密法律法规人员处理情况专门报告",
        procedure: Procedure::Inspection,
        numbered: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::InspectionOpinion,
        id: "inspection_opinion",
        block: "opinion",
        title: "保密检查意见书",
        procedure: Procedure::Inspection,
        numbered: true,
        archived: Archived::Required,
    },
    KindInfo {
        kind: DocKind::ObjectionReply,
        id: "objection_reply",
        block: "objection",
        title: "异议核查意见书",
        procedure: Procedure::Inspection,
        numbered: true,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::ReinspectionOpinion,
        id: "reinspection_opinion",
        block: "reinspection",
        title: "复查意见书",
        procedure: Procedure::Inspection,
        numbered: true,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::SuperiorReport,
        id: "superior_report",
        block: "superior_report",
        title: "检查情况报告",
        procedure: Procedure::Inspection,
        numbered: false,
        archived: Archived::WhenSuperiorOrganised,
    },
    KindInfo {
        kind: DocKind::EnforcementApproval,
        id: "enforcement_approval",
        block: "approval",
        title: "行政强制措施审批表",
        procedure: Procedure::Enforcement,
        numbered: false,
        archived: Archived::Required,
    },
    KindInfo {
        kind: DocKind::RecusalDecision,
        id: "recusal_decision",
        block: "on_site.recusal",
        title: "回避决定书",
        procedure: Procedure::Enforcement,
        numbered: true,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::OnsiteRecord,
        id: "onsite_record",
        block: "on_site",
        title: "现场笔录",
        procedure: Procedure::Enforcement,
        numbered: false,
        archived: Archived::Required,
    },
    KindInfo {
        kind: DocKind::StatementRecord,
        id: "statement_record",
        block: "on_site.statements",
        title: "陈述申辩笔录",
        procedure: Procedure::Enforcement,
        numbered: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::MeasureDecision,
        id: "measure_decision",
        block: "measures[]",
        title: "行政强制措施决定书",
        procedure: Procedure::Enforcement,
        numbered: true,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::ConfiscationList,
        id: "confiscation_list",
        block: "measures[]",
        title: "收缴清单",
        procedure: Procedure::Enforcement,
        numbered: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::RectificationOrder,
        id: "rectification_order",
        block: "measures[]",
        title: "责令整改通知书",
        procedure: Procedure::Enforcement,
        numbered: true,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::ItemList,
        id: "item_list",
        block: "measures[].items",
        title: "物品清单",
        procedure: Procedure::Enforcement,
        numbered: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::HandlingDecision,
        id: "handling_decision",
        block: "decision",
        title: "处理决定书",
        procedure: Procedure::Enforcement,
        numbered: true,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::ExtensionDecision,
        id: "extension_decision",
        block: "measures[].extended_on",
        title: "延长行政强制措施期限决定书",
        procedure: Procedure::Enforcement,
        numbered: true,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::TestingNotice,
        id: "testing_notice",
        block: "measures[].testing",
        title: "检测、检验、技术鉴定期间告知书",
        procedure: Procedure::Enforcement,
        numbered: true,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::ReleaseDecision,
        id: "release_decision",
        block: "measures[].lifted",
        title: "解除行政强制措施决定书",
        procedure: Procedure::Enforcement,
        numbered: true,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::TransferLetter,
        id: "transfer_letter",
        block: "transfer",
        title: "案件移送函",
        procedure: Procedure::Enforcement,
        numbered: true,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::TransferNotice,
        id: "transfer_notice",
        block: "transfer",
        title: "移送告知书",
        procedure: Procedure::Enforcement,
        numbered: true,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::ReturnList,
        id: "return_list",
        block: "return",
        title: "退还物品清单",
        procedure: Procedure::Enforcement,
        numbered: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::ServiceReceipt,
        id: "service_receipt",
        block: "services[]",
        title: "送达回证",
        procedure: Procedure::Both,
        numbered: false,
        archived: Archived::Optional,
    },
];

impl DocKind {
    pub const ALL: &'static [DocKind] = &all_kinds();

    fn info(self) -> &'static KindInfo {
        // The table is in the enum's order (checked by a test), so the discriminant indexes it.
        &KINDS[self as usize]
    }

    /// The stable id (YAML, file names, JSON output, template name).
    pub fn id(self) -> &'static str {
        self.info().id
    }

    /// The document's name as printed.
    pub fn title(self) -> &'static str {
        self.info().title
    }

    /// Whether it is an outgoing decision or notice with its own 文号.
    pub fn numbered(self) -> bool {
        self.info().numbered
    }

    pub fn procedure(self) -> Procedure {
        self.info().procedure
    }

    /// The YAML block of a case that produces it.
    pub fn block(self) -> &'static str {
        self.info().block
    }

    pub fn archived(self) -> Archived {
        self.info().archived
    }

    /// The kinds every archived volume of `procedure` holds (`superior`: the inspection was
    /// organised by the superior department).
    pub fn required_in_volume(procedure: Procedure, superior: bool) -> Vec<DocKind> {
        DocKind::ALL
            .iter()
            .copied()
            .filter(|k| k.procedure() == procedure)
            .filter(|k| match k.archived() {
                Archived::Required => true,
                Archived::WhenSuperiorOrganised => superior,
                Archived::Optional => false,
            })
            .collect()
    }

    pub fn from_id(id: &str) -> Option<DocKind> {
        DocKind::ALL.iter().copied().find(|k| k.id() == id)
    }

    pub fn ids() -> Vec<&'static str> {
        DocKind::ALL.iter().map(|k| k.id()).collect()
    }
}

const fn all_kinds() -> [DocKind; KINDS.len()] {
    let mut all = [DocKind::InspectionPlan; KINDS.len()];
    let mut i = 0;
    while i < KINDS.len() {
        all[i] = KINDS[i].kind;
        i += 1;
    }
    all
}

/// One document a case produces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocSpec {
    pub kind: DocKind,
    /// Which `measures[]` / `services[]` entry the document is about.
    pub index: Option<usize>,
    /// 成文日期; None while the step is not done.
    pub date: Option<NaiveDate>,
    /// Explicit 文号 given in the case.
    pub explicit_no: Option<String>,
    /// The YAML field the document comes from (for messages).
    pub field: String,
    /// Title as listed in the 目录 (with the entry for repeated kinds).
    pub title: String,
}

impl DocSpec {
    /// Stable key within the case: `disposal_notice#1`, `inspection_opinion`.
    pub fn key(&self) -> String {
        match self.index {
            Some(i) => format!("{}#{}", self.kind.id(), i),
            None => self.kind.id().to_string(),
        }
    }
}

fn spec(kind: DocKind, date: Option<NaiveDate>, field: &str) -> DocSpec {
    DocSpec {
        kind,
        index: None,
        date,
        explicit_no: None,
        field: field.to_string(),
        title: kind.title().to_string(),
    }
}

/// Every document of the case, in procedural order.
pub fn plan(case: &Case) -> Vec<DocSpec> {
    match case {
        Case::Inspection(c) => inspection_documents(c),
        Case::Enforcement(c) => enforcement_documents(c),
    }
}

fn inspection_documents(c: &InspectionCase) -> Vec<DocSpec> {
    let mut docs = Vec::new();
    // Plans and reports are titled after the unit, as their templates print them; the 目录 and
    // catalogues list a document by its own title.
    let unit = c.inspected_unit.name.as_str();
    let titled = |mut d: DocSpec, title: String| {
        d.title = title;
        d
    };
    if let Some(p) = &c.plan {
        let d = spec(DocKind::InspectionPlan, p.approved_on, "plan");
        docs.push(titled(d, format!("关于对{unit}开展保密检查的工作方案")));
    }
    if let Some(n) = &c.notice {
        let mut d = spec(DocKind::InspectionNotice, Some(n.issued_on), "notice");
        d.explicit_no = n.no.as_ref().map(|s| s.to_string());
        docs.push(d);
    }
    docs.push(spec(
        DocKind::InspectionRegister,
        Some(c.inspection.end),
        "inspection",
    ));
    for (i, m) in c.measures.iter().enumerate() {
        let mut d = spec(
            DocKind::DisposalNotice,
            Some(m.notified_on),
            &format!("measures[{i}]"),
        );
        d.index = Some(i);
        d.explicit_no = m.no.as_ref().map(|s| s.to_string());
        d.title = format!("{}（{}）", d.title, disposal_label(m.kind));
        docs.push(d);
    }
    for (i, m) in c.measures.iter().enumerate() {
        if m.kind == DisposalKind::RegisterPreserve {
            let mut d = spec(
                DocKind::PreservationList,
                Some(m.notified_on),
                &format!("measures[{i}]"),
            );
            d.index = Some(i);
            docs.push(d);
        }
    }
    for (i, m) in c.measures.iter().enumerate() {
        if m.kind == DisposalKind::RegisterPreserve
            && let Some(dec) = &m.decision
        {
            let mut d = spec(
                DocKind::PreservationDecision,
                Some(dec.on),
                &format!("measures[{i}]"),
            );
            d.index = Some(i);
            d.explicit_no = dec.no.as_ref().map(|s| s.to_string());
            docs.push(d);
        }
    }
    if let Some(t) = &c.technical_check {
        docs.push(spec(
            DocKind::TechnicalReport,
            Some(t.performed_on),
            "technical_check",
        ));
    }
    if let Some(r) = &c.report {
        let d = spec(DocKind::InspectionReport, Some(r.submitted_on), "report");
        docs.push(titled(d, format!("关于对{unit}开展保密检查情况的报告")));
        if !r.personnel_handling.is_empty() {
            let d = spec(
                DocKind::PersonnelReport,
                Some(r.submitted_on),
                "report.personnel_handling",
            );
            let what = if r.law_breached() {
                "违反保密法律法规人员"
            } else {
                "有关人员违反保密管理规定"
            };
            docs.push(titled(d, format!("关于{unit}{what}处理情况的专门报告")));
        }
    }
    if let Some(o) = &c.opinion {
        let mut d = spec(DocKind::InspectionOpinion, Some(o.issued_on), "opinion");
        d.explicit_no = o.no.as_ref().map(|s| s.to_string());
        docs.push(d);
    }
    if let Some(o) = &c.objection {
        let mut d = spec(DocKind::ObjectionReply, o.reply_on, "objection");
        d.explicit_no = o.no.as_ref().map(|s| s.to_string());
        docs.push(d);
    }
    if let Some(r) = &c.reinspection {
        let mut d = spec(DocKind::ReinspectionOpinion, r.opinion_on, "reinspection");
        d.explicit_no = r.no.as_ref().map(|s| s.to_string());
        docs.push(d);
    }
    if c.organized_by == OrganizedBy::Superior
        && let Some(s) = &c.superior_report
    {
        let d = spec(
            DocKind::SuperiorReport,
            Some(s.submitted_on),
            "superior_report",
        );
        docs.push(titled(
            d,
            format!("关于对{unit}开展保密检查情况的报告（报上级）"),
        ));
    }
    push_service_receipts(&mut docs, &c.services);
    docs
}

/// 行政强制: approval, on-site documents, one decision per compulsory measure and one order per
/// rectification, one item list per measure with items (printed in two copies, see
/// docs/templates.md), then the handling decision, transfer and return.
fn enforcement_documents(c: &EnforcementCase) -> Vec<DocSpec> {
    let mut docs = Vec::new();
    let a = &c.approval;
    let approval_date = a.approved_on.or(a.requested_on).or(Some(c.on_site.date));
    docs.push(spec(
        DocKind::EnforcementApproval,
        approval_date,
        "approval",
    ));
    let s = &c.on_site;
    if let Some(r) = s.recusal.as_ref().filter(|r| r.requested) {
        docs.push(spec(
            DocKind::RecusalDecision,
            r.decided_on.or(Some(s.date)),
            "on_site.recusal",
        ));
    }
    docs.push(spec(DocKind::OnsiteRecord, Some(s.date), "on_site"));
    if s.statements.as_ref().is_some_and(|t| !t.trim().is_empty()) {
        docs.push(spec(
            DocKind::StatementRecord,
            Some(s.date),
            "on_site.statements",
        ));
    }
    let measures = || c.measures.iter().enumerate();
    let per_measure = |kind: DocKind, i: usize, date: NaiveDate, field: &str| {
        let mut d = spec(kind, Some(date), field);
        d.index = Some(i);
        d
    };
    for (i, m) in measures().filter(|(_, m)| m.kind.is_compulsory()) {
        let mut d = per_measure(
            DocKind::MeasureDecision,
            i,
            s.date,
            &format!("measures[{i}]"),
        );
        d.explicit_no = m.no.as_ref().map(|n| n.to_string());
        d.title = format!("{}（{}）", d.title, m.kind.label());
        docs.push(d);
    }
    // 收缴清单: one per confiscate measure, and one for the items the handling decision
    // confiscates (index = the number of measures, so keys stay distinct).
    for (i, _) in measures().filter(|(_, m)| m.kind == MeasureKind::Confiscate) {
        docs.push(per_measure(
            DocKind::ConfiscationList,
            i,
            s.date,
            &format!("measures[{i}]"),
        ));
    }
    if let Some(dec) = c.decision.as_ref().filter(|d| !d.confiscated.is_empty()) {
        let mut d = per_measure(
            DocKind::ConfiscationList,
            c.measures.len(),
            dec.date,
            "decision.confiscated",
        );
        d.title = format!("{}（处理决定）", d.title);
        docs.push(d);
    }
    for (i, m) in measures().filter(|(_, m)| m.kind == MeasureKind::Rectify) {
        let mut d = per_measure(
            DocKind::RectificationOrder,
            i,
            s.date,
            &format!("measures[{i}]"),
        );
        d.explicit_no = m.no.as_ref().map(|n| n.to_string());
        docs.push(d);
    }
    for (i, m) in measures().filter(|(_, m)| !m.items.is_empty()) {
        let mut d = per_measure(DocKind::ItemList, i, s.date, &format!("measures[{i}]"));
        d.title = format!("{}（{}）", d.title, m.kind.label());
        docs.push(d);
    }
    if let Some(dec) = &c.decision {
        let mut d = spec(DocKind::HandlingDecision, Some(dec.date), "decision");
        d.explicit_no = dec.no.as_ref().map(|n| n.to_string());
        docs.push(d);
    }
    for (i, m) in measures() {
        if let Some(e) = m.extended_on {
            let mut d = per_measure(
                DocKind::ExtensionDecision,
                i,
                e,
                &format!("measures[{i}].extended_on"),
            );
            d.title = format!("{}（{}）", d.title, m.kind.label());
            docs.push(d);
        }
    }
    for (i, m) in measures() {
        if let (Some(_), Some(t)) = (m.testing_days, &m.testing) {
            let mut d = per_measure(
                DocKind::TestingNotice,
                i,
                t.notified_on,
                &format!("measures[{i}].testing"),
            );
            d.title = format!("{}（{}）", d.title, m.kind.label());
            docs.push(d);
        }
    }
    for (i, m) in measures() {
        if let Some(l) = &m.lifted {
            let mut d = per_measure(
                DocKind::ReleaseDecision,
                i,
                l.on,
                &format!("measures[{i}].lifted"),
            );
            d.explicit_no = l.no.as_ref().map(|n| n.to_string());
            d.title = format!("{}（{}）", d.title, m.kind.label());
            docs.push(d);
        }
    }
    if let Some(t) = &c.transfer {
        let mut d = spec(DocKind::TransferLetter, Some(t.date), "transfer");
        d.explicit_no = t.no.as_ref().map(|n| n.to_string());
        docs.push(d);
        docs.push(spec(DocKind::TransferNotice, Some(t.date), "transfer"));
    }
    if let Some(r) = &c.returned {
        docs.push(spec(DocKind::ReturnList, Some(r.date), "return"));
    }
    push_service_receipts(&mut docs, &c.services);
    docs
}

fn push_service_receipts(docs: &mut Vec<DocSpec>, services: &[crate::case::Service]) {
    for (i, s) in services.iter().enumerate() {
        let mut d = spec(
            DocKind::ServiceReceipt,
            Some(s.on),
            &format!("services[{i}]"),
        );
        d.index = Some(i);
        let served = DocKind::from_id(&s.document)
            .map(|k| k.title())
            .unwrap_or(&s.document);
        d.title = format!("送达回证（{served}）");
        docs.push(d);
    }
}

pub fn disposal_label(kind: DisposalKind) -> &'static str {
    match kind {
        DisposalKind::StopUse => "责令停止使用",
        DisposalKind::RegisterPreserve => "登记保存",
    }
}

/// The document a `services[]` or `attachments[]` entry names, if the case produces it.
pub fn find<'a>(docs: &'a [DocSpec], id: &str, index: Option<usize>) -> Option<&'a DocSpec> {
    let mut matching = docs.iter().filter(|d| d.kind.id() == id);
    match index {
        Some(i) => matching.find(|d| d.index == Some(i)),
        None => matching.next(),
    }
}

#[cfg(test)]
mod kind_table_tests {
    use super::*;

    #[test]
    fn the_table_is_in_the_enum_s_order_and_ids_are_unique() {
        for (i, row) in KINDS.iter().enumerate() {
            assert_eq!(row.kind as usize, i, "{} is out of place", row.id);
            assert_eq!(DocKind::from_id(row.id), Some(row.kind));
        }
        let ids: std::collections::BTreeSet<_> = KINDS.iter().map(|k| k.id).collect();
        assert_eq!(ids.len(), KINDS.len());
    }

    #[test]
    fn an_archived_inspection_has_every_step_of_the_procedure() {
        let ids = |v: Vec<DocKind>| v.into_iter().map(DocKind::id).collect::<Vec<_>>();
        assert_eq!(
            ids(DocKind::required_in_volume(Procedure::Inspection, false)),
            [
                "inspection_plan",
                "inspection_notice",
                "inspection_register",
                "inspection_report",
                "inspection_opinion"
            ]
        );
        assert!(
            ids(DocKind::required_in_volume(Procedure::Inspection, true))
                .contains(&"superior_report")
        );
        assert_eq!(
            ids(DocKind::required_in_volume(Procedure::Enforcement, false)),
            ["enforcement_approval", "onsite_record"]
        );
    }
}
