//! The case format of `shared/spec/examples/`: field names there are the contract.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use crate::text::Text;
pub use crate::vocab::ServiceMethod;

/// A person named in a case (contact, party's representative, recipient …).
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: Text,
    #[serde(default)]
    pub title: Option<Text>,
    #[serde(default)]
    pub phone: Option<Text>,
}

/// An officer (检查人员 / 执法人员) with the certificate shown on site.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Officer {
    pub name: Text,
    #[serde(default)]
    pub cert_no: Option<Text>,
    #[serde(default)]
    pub duty: Option<Text>,
}

/// An item a measure applies to.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub name: Text,
    #[serde(default)]
    pub model: Option<Text>,
    #[serde(default)]
    pub serial: Option<Text>,
    #[serde(default = "one")]
    pub quantity: u32,
    #[serde(default)]
    pub condition: Option<Text>,
    /// 密级 of a confiscated carrier (实施条例 收缴清单).
    #[serde(default)]
    pub classification: Option<Text>,
    /// 来源: where the carrier came from (收缴清单).
    #[serde(default)]
    pub source: Option<Text>,
    /// 扩散范围: how far its content spread (收缴清单).
    #[serde(default)]
    pub spread: Option<Text>,
}

fn one() -> u32 {
    1
}

/// One document served (送达) to its addressee: one 送达回证.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub document: Text,
    pub on: NaiveDate,
    pub method: ServiceMethod,
    pub recipient: Text,
    #[serde(default)]
    pub place: Option<Text>,
    #[serde(default)]
    pub witness: Option<Text>,
    /// 留置送达: the person reached who refused to accept the document (民事诉讼法 第八十九条).
    #[serde(default)]
    pub refused_by: Option<Text>,
    /// 留置送达: why the recipient refused.
    #[serde(default)]
    pub refused_reason: Option<Text>,
    /// Which entry of a repeated document (e.g. the second disposal notice), from 0.
    #[serde(default)]
    pub index: Option<usize>,
    /// A receipt printed ahead of the service, to be filled in by hand (bulk letters): how and
    /// when it was served are left blank. Never read from YAML.
    #[serde(skip_deserializing, default)]
    pub blank: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Retention {
    Permanent,
    #[serde(rename = "30y")]
    Years30,
    #[serde(rename = "10y")]
    Years10,
}

impl Retention {
    pub fn label(self) -> &'static str {
        match self {
            Retention::Permanent => "永久",
            Retention::Years30 => "30年",
            Retention::Years10 => "10年",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Retention::Permanent => "Y",
            Retention::Years30 => "D30",
            Retention::Years10 => "D10",
        }
    }
}

/// The case's `archive` block: it is finished and to be filed.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArchiveInfo {
    pub retention: Retention,
    pub filed_on: NaiveDate,
    /// 密级 of the volume, when it has one.
    #[serde(default)]
    pub classification: Option<Text>,
    #[serde(default)]
    pub remarks: Option<Text>,
}

/// A scanned or signed original merged into the volume after the document `after` names.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    pub title: Text,
    pub file: Text,
    #[serde(default)]
    pub date: Option<NaiveDate>,
    pub after: Text,
    /// 责任者 of an original the unit or party supplied; a scan of a signed document the case
    /// produces is that document's (left out).
    #[serde(default)]
    pub author: Option<Text>,
}

// ---------------------------------------------------------------------------------------------
// 保密检查

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    pub name: Text,
    #[serde(default)]
    pub address: Option<Text>,
    #[serde(default)]
    pub contact: Option<Contact>,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    #[serde(default)]
    pub approved_on: Option<NaiveDate>,
    #[serde(default)]
    pub approved_by: Option<Text>,
    /// 检查目的 (defaults to the standard purpose).
    #[serde(default)]
    pub purpose: Option<Text>,
    pub checklist: Vec<Text>,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Team {
    pub leader: Officer,
    #[serde(default)]
    pub members: Vec<Officer>,
}

impl Team {
    pub fn officers(&self) -> impl Iterator<Item = &Officer> {
        std::iter::once(&self.leader).chain(self.members.iter())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeMode {
    Written,
    Oral,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    pub mode: NoticeMode,
    pub issued_on: NaiveDate,
    #[serde(default)]
    pub no: Option<Text>,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub object: Text,
    pub method: Text,
    pub finding: Text,
    pub problem: bool,
    #[serde(default)]
    pub corrected_on_site: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Inspection {
    pub start: NaiveDate,
    pub end: NaiveDate,
    #[serde(default)]
    pub briefing_on: Option<NaiveDate>,
    pub records: Vec<Record>,
    /// A leak (泄密案件) came to light: re-inspection required.
    #[serde(default)]
    pub leak_found: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisposalKind {
    /// 责令停止使用
    StopUse,
    /// 登记保存
    RegisterPreserve,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Disposal {
    pub kind: DisposalKind,
    pub notified_on: NaiveDate,
    pub hazard: Text,
    #[serde(default)]
    pub legal_basis: Option<Vec<Text>>,
    #[serde(default)]
    pub kept_at: Option<Text>,
    #[serde(default)]
    pub items: Vec<Item>,
    #[serde(default)]
    pub no: Option<Text>,
    /// 行政机关负责人 who approved a 先行登记保存 beforehand (行政处罚法 第五十六条).
    #[serde(default)]
    pub approved_by: Option<Text>,
    #[serde(default)]
    pub approved_on: Option<NaiveDate>,
    /// What is done with registered items: the 先行登记保存物品处理决定书, due within 7 working
    /// days of `notified_on`.
    #[serde(default)]
    pub decision: Option<PreservationDecision>,
}

/// What a 先行登记保存物品处理决定书 decides for the registered items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PreservationOutcome {
    /// 解除登记保存并退还
    Release,
    /// 继续作为证据登记保存
    KeepAsEvidence,
    /// 收缴
    Confiscate,
    /// 移送有关机关
    Transfer,
}

impl PreservationOutcome {
    pub fn label(self) -> &'static str {
        match self {
            PreservationOutcome::Release => "解除登记保存并退还",
            PreservationOutcome::KeepAsEvidence => "继续作为证据登记保存",
            PreservationOutcome::Confiscate => "收缴",
            PreservationOutcome::Transfer => "移送有关机关",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
/// 先行登记保存物品处理决定（登记后7个工作日内作出）
pub struct PreservationDecision {
    pub on: NaiveDate,
    pub outcome: PreservationOutcome,
    #[serde(default)]
    pub note: Option<Text>,
    /// Where the items go on a transfer (移送).
    #[serde(default)]
    pub to: Option<Text>,
    #[serde(default)]
    pub no: Option<Text>,
}

/// A digest of data taken from an item examined.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hash {
    /// What was hashed (the item or the image taken of it).
    pub item: Text,
    pub algorithm: Text,
    pub value: Text,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TechnicalCheck {
    pub performed_on: NaiveDate,
    pub place: Text,
    pub examiners: Vec<Text>,
    #[serde(default)]
    pub method: Option<Text>,
    pub findings: Vec<Text>,
    pub conclusion: Text,
    /// The write blocker used (只读锁 / 写保护设备): only then does the report say the media
    /// were examined write-protected.
    #[serde(default)]
    pub write_blocker: Option<Text>,
    /// Digests computed of the data taken (校验值).
    #[serde(default)]
    pub hashes: Vec<Hash>,
    /// The backup made of the data taken, and where it is kept.
    #[serde(default)]
    pub backup: Option<Text>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportData {
    #[serde(default)]
    pub units: Option<u32>,
    #[serde(default)]
    pub computers: Option<u32>,
    #[serde(default)]
    pub storage_media: Option<u32>,
    #[serde(default)]
    pub documents: Option<u32>,
    #[serde(default)]
    pub problems: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonHandling {
    pub name: Text,
    #[serde(default)]
    pub position: Option<Text>,
    pub facts: Text,
    pub handling: Text,
    /// What the facts breach: the secrecy law (state secrets involved) or the unit's secrecy
    /// rules (e.g. 内部敏感文件, not a state secret). The documents word it accordingly.
    #[serde(default)]
    pub breach: Breach,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Breach {
    /// 违反保密法律法规
    Law,
    /// 违反保密管理规定
    #[default]
    Rules,
}

impl Report {
    /// Whether any person handled broke the secrecy law (not only the secrecy rules).
    pub fn law_breached(&self) -> bool {
        self.personnel_handling
            .iter()
            .any(|p| p.breach == Breach::Law)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub submitted_on: NaiveDate,
    /// The department that organised the inspection (defaults to the authority).
    #[serde(default)]
    pub to: Option<Text>,
    #[serde(default)]
    pub data: ReportData,
    #[serde(default)]
    pub problems: Vec<Text>,
    #[serde(default)]
    pub rectification_measures: Vec<Text>,
    #[serde(default)]
    pub suggestions: Vec<Text>,
    /// 原始记录材料 handed over with the report (defaults to the register and notices).
    #[serde(default)]
    pub original_records: Vec<Text>,
    #[serde(default)]
    pub personnel_handling: Vec<PersonHandling>,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rectification {
    pub content: Text,
    pub due: NaiveDate,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Opinion {
    pub issued_on: NaiveDate,
    #[serde(default)]
    pub findings: Option<Text>,
    #[serde(default)]
    pub rectifications: Vec<Rectification>,
    #[serde(default)]
    pub handling_suggestions: Vec<Text>,
    #[serde(default)]
    pub no: Option<Text>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionTarget {
    Opinion,
    ReinspectionOpinion,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionResult {
    Upheld,
    PartlyUpheld,
    Rejected,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Objection {
    pub received_on: NaiveDate,
    pub against: ObjectionTarget,
    pub content: Text,
    #[serde(default)]
    pub checked: Option<Text>,
    #[serde(default)]
    pub reply_on: Option<NaiveDate>,
    #[serde(default)]
    pub finding: Option<Text>,
    #[serde(default)]
    pub result: Option<ObjectionResult>,
    #[serde(default)]
    pub no: Option<Text>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReinspectionOutcome {
    Rectified,
    NotRectified,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reinspection {
    pub performed_on: NaiveDate,
    pub findings: Text,
    #[serde(default)]
    pub opinion_on: Option<NaiveDate>,
    pub outcome: ReinspectionOutcome,
    #[serde(default)]
    pub lift_measures: Option<bool>,
    #[serde(default)]
    pub handling_opinion: Option<Text>,
    #[serde(default)]
    pub further_requirements: Vec<Text>,
    #[serde(default)]
    pub no: Option<Text>,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuperiorReport {
    #[serde(default)]
    pub to: Option<Text>,
    pub submitted_on: NaiveDate,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OrganizedBy {
    #[default]
    #[serde(rename = "self")]
    Own,
    Superior,
}

/// What every case has, whatever its procedure: read by each procedure's loader in the order of
/// its own file format, serialized flat beside the procedure's own fields.
#[derive(Debug, Clone, Serialize)]
pub struct Common {
    pub id: Text,
    /// 案卷题名
    pub title: Text,
    /// 密级 marking printed top left of the first page (e.g. 秘密★1年).
    pub security: Option<Text>,
    pub services: Vec<Service>,
    pub archive: Option<ArchiveInfo>,
    pub attachments: Vec<Attachment>,
}

/// A 保密检查 case (`kind: inspection`).
#[derive(Debug, Clone, Serialize)]
pub struct InspectionCase {
    #[serde(flatten)]
    pub common: Common,
    pub organized_by: OrganizedBy,
    pub inspected_unit: Unit,
    pub plan: Option<Plan>,
    pub team: Team,
    pub notice: Option<Notice>,
    pub inspection: Inspection,
    pub measures: Vec<Disposal>,
    pub technical_check: Option<TechnicalCheck>,
    pub report: Option<Report>,
    pub opinion: Option<Opinion>,
    pub objection: Option<Objection>,
    pub reinspection: Option<Reinspection>,
    pub superior_report: Option<SuperiorReport>,
}
