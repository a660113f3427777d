//! The document kinds (the one table [`KINDS`]) and the documents a case produces, in
//! procedural order (also the order inside an archive volume), with each document's date and
//! the entry it is about. Which documents a case yields is its procedure's business
//! (`procedure::plan`).

use chrono::NaiveDate;
use serde::Serialize;

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
    /// Addressed to the unit or party and taking effect when served: each needs a `services`
    /// entry (the decisions and notices of `documents.md` revision 2; `status` lists those
    /// not yet served).
    pub served: bool,
    /// A campaign (批量发文) may send it, one per recipient, from its `block` of each row.
    pub bulk: bool,
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
        served: false,
        bulk: false,
        archived: Archived::Required,
    },
    KindInfo {
        kind: DocKind::InspectionNotice,
        id: "inspection_notice",
        block: "notice",
        title: "保密检查通知书",
        procedure: Procedure::Inspection,
        numbered: true,
        served: false,
        bulk: true,
        archived: Archived::Required,
    },
    KindInfo {
        kind: DocKind::InspectionRegister,
        id: "inspection_register",
        block: "inspection",
        title: "检查情况登记表",
        procedure: Procedure::Inspection,
        numbered: false,
        served: false,
        bulk: false,
        archived: Archived::Required,
    },
    KindInfo {
        kind: DocKind::DisposalNotice,
        id: "disposal_notice",
        block: "measures[]",
        title: "行政处置通知书",
        procedure: Procedure::Inspection,
        numbered: true,
        served: true,
        bulk: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::PreservationList,
        id: "preservation_list",
        block: "measures[]",
        title: "登记保存清单",
        procedure: Procedure::Inspection,
        numbered: false,
        served: false,
        bulk: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::PreservationDecision,
        id: "preservation_decision",
        block: "measures[].decision",
        title: "先行登记保存物品处理决定书",
        procedure: Procedure::Inspection,
        numbered: true,
        served: true,
        bulk: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::TechnicalReport,
        id: "technical_report",
        block: "technical_check",
        title: "技术核查取证报告",
        procedure: Procedure::Inspection,
        numbered: false,
        served: false,
        bulk: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::InspectionReport,
        id: "inspection_report",
        block: "report",
        title: "书面检查报告",
        procedure: Procedure::Inspection,
        numbered: false,
        served: false,
        bulk: false,
        archived: Archived::Required,
    },
    KindInfo {
        kind: DocKind::PersonnelReport,
        id: "personnel_report",
        block: "report.personnel_handling",
        title: "违反保密法律法规人员处理情况专门报告",
        procedure: Procedure::Inspection,
        numbered: false,
        served: false,
        bulk: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::InspectionOpinion,
        id: "inspection_opinion",
        block: "opinion",
        title: "保密检查意见书",
        procedure: Procedure::Inspection,
        numbered: true,
        served: true,
        bulk: true,
        archived: Archived::Required,
    },
    KindInfo {
        kind: DocKind::ObjectionReply,
        id: "objection_reply",
        block: "objection",
        title: "异议核查意见书",
        procedure: Procedure::Inspection,
        numbered: true,
        served: true,
        bulk: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::ReinspectionOpinion,
        id: "reinspection_opinion",
        block: "reinspection",
        title: "复查意见书",
        procedure: Procedure::Inspection,
        numbered: true,
        served: true,
        bulk: true,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::SuperiorReport,
        id: "superior_report",
        block: "superior_report",
        title: "检查情况报告",
        procedure: Procedure::Inspection,
        numbered: false,
        served: false,
        bulk: false,
        archived: Archived::WhenSuperiorOrganised,
    },
    KindInfo {
        kind: DocKind::EnforcementApproval,
        id: "enforcement_approval",
        block: "approval",
        title: "行政强制措施审批表",
        procedure: Procedure::Enforcement,
        numbered: false,
        served: false,
        bulk: false,
        archived: Archived::Required,
    },
    KindInfo {
        kind: DocKind::RecusalDecision,
        id: "recusal_decision",
        block: "on_site.recusal",
        title: "回避决定书",
        procedure: Procedure::Enforcement,
        numbered: true,
        served: true,
        bulk: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::OnsiteRecord,
        id: "onsite_record",
        block: "on_site",
        title: "现场笔录",
        procedure: Procedure::Enforcement,
        numbered: false,
        served: false,
        bulk: false,
        archived: Archived::Required,
    },
    KindInfo {
        kind: DocKind::StatementRecord,
        id: "statement_record",
        block: "on_site.statements",
        title: "陈述申辩笔录",
        procedure: Procedure::Enforcement,
        numbered: false,
        served: false,
        bulk: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::MeasureDecision,
        id: "measure_decision",
        block: "measures[]",
        title: "行政强制措施决定书",
        procedure: Procedure::Enforcement,
        numbered: true,
        served: true,
        bulk: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::ConfiscationList,
        id: "confiscation_list",
        block: "measures[]",
        title: "收缴清单",
        procedure: Procedure::Enforcement,
        numbered: false,
        served: false,
        bulk: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::RectificationOrder,
        id: "rectification_order",
        block: "measures[]",
        title: "责令整改通知书",
        procedure: Procedure::Enforcement,
        numbered: true,
        served: true,
        bulk: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::ItemList,
        id: "item_list",
        block: "measures[].items",
        title: "物品清单",
        procedure: Procedure::Enforcement,
        numbered: false,
        served: false,
        bulk: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::HandlingDecision,
        id: "handling_decision",
        block: "decision",
        title: "处理决定书",
        procedure: Procedure::Enforcement,
        numbered: true,
        served: true,
        bulk: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::ExtensionDecision,
        id: "extension_decision",
        block: "measures[].extended_on",
        title: "延长行政强制措施期限决定书",
        procedure: Procedure::Enforcement,
        numbered: true,
        served: true,
        bulk: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::TestingNotice,
        id: "testing_notice",
        block: "measures[].testing",
        title: "检测、检验、技术鉴定期间告知书",
        procedure: Procedure::Enforcement,
        numbered: true,
        served: true,
        bulk: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::ReleaseDecision,
        id: "release_decision",
        block: "measures[].lifted",
        title: "解除行政强制措施决定书",
        procedure: Procedure::Enforcement,
        numbered: true,
        served: true,
        bulk: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::TransferLetter,
        id: "transfer_letter",
        block: "transfer",
        title: "案件移送函",
        procedure: Procedure::Enforcement,
        numbered: true,
        served: false,
        bulk: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::TransferNotice,
        id: "transfer_notice",
        block: "transfer",
        title: "移送告知书",
        procedure: Procedure::Enforcement,
        numbered: true,
        served: true,
        bulk: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::ReturnList,
        id: "return_list",
        block: "return",
        title: "退还物品清单",
        procedure: Procedure::Enforcement,
        numbered: false,
        served: false,
        bulk: false,
        archived: Archived::Optional,
    },
    KindInfo {
        kind: DocKind::ServiceReceipt,
        id: "service_receipt",
        block: "services[]",
        title: "送达回证",
        procedure: Procedure::Both,
        numbered: false,
        served: false,
        bulk: false,
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

    /// Whether it takes effect by service to the unit or party.
    pub fn served(self) -> bool {
        self.info().served
    }

    /// Whether a campaign may send it.
    pub fn bulk(self) -> bool {
        self.info().bulk
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

/// A document of `kind` dated `date`, from `field`, titled as the table says.
pub fn spec(kind: DocKind, date: Option<NaiveDate>, field: &str) -> DocSpec {
    DocSpec {
        kind,
        index: None,
        date,
        explicit_no: None,
        field: field.to_string(),
        title: kind.title().to_string(),
    }
}

/// One 送达回证 per `services[]` entry, titled after the document served.
pub fn push_service_receipts(docs: &mut Vec<DocSpec>, services: &[crate::case::Service]) {
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
