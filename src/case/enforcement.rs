//! 行政强制 (`kind: enforcement`): the model of `examples/enforcement-full.yaml`, its loading
//! with positioned problems. Its documents, rules and periods: `procedure::enforcement`.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use super::model::{Common, Item, Officer, Text};
use crate::diagnostics::Ctx;
use crate::yaml::Fields;

// ---------------------------------------------------------------------------------------------
// Times

/// A time of day written `HH:MM` (`on_site.start_time`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Clock(pub NaiveTime);

impl Serialize for Clock {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.format("%H:%M").to_string())
    }
}

impl<'de> Deserialize<'de> for Clock {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Text::deserialize(d)?;
        NaiveTime::parse_from_str(s.trim(), "%H:%M")
            .map(Clock)
            .map_err(|_| {
                de::Error::custom(format!(
                    "时间 {s} 无效：应写作 HH:MM（24小时制，如 \"09:30\"），建议加引号"
                ))
            })
    }
}

impl fmt::Display for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%H:%M"))
    }
}

/// A date and time written `YYYY-MM-DD HH:MM` (`approval.reported_at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Moment(pub NaiveDateTime);

impl Serialize for Moment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.format("%Y-%m-%d %H:%M").to_string())
    }
}

impl<'de> Deserialize<'de> for Moment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Text::deserialize(d)?;
        NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M").map(Moment).map_err(|_| {
            de::Error::custom(format!(
                "日期时间 {s} 无效：应写作 \"YYYY-MM-DD HH:MM\"（如 \"2026-06-03 16:20\"），须加引号"
            ))
        })
    }
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d %H:%M"))
    }
}

// ---------------------------------------------------------------------------------------------
// Model

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartyType {
    Organization,
    Person,
}

/// 当事人.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Party {
    #[serde(rename = "type")]
    pub kind: PartyType,
    pub name: Text,
    /// 统一社会信用代码 (organization).
    #[serde(default)]
    pub credit_code: Option<Text>,
    /// 身份证件号码 (person).
    #[serde(default)]
    pub id_no: Option<Text>,
    #[serde(default)]
    pub legal_representative: Option<Text>,
    #[serde(default)]
    pub address: Option<Text>,
    #[serde(default)]
    pub phone: Option<Text>,
}

/// 发现查处违法行为.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Violation {
    pub discovered_on: NaiveDate,
    #[serde(default)]
    pub source: Option<Text>,
    pub facts: Text,
    #[serde(default)]
    pub legal_basis: Vec<Text>,
}

/// 实施前向行政机关负责人报告并经批准; urgent: taken first, reported within 24 hours, approved
/// afterwards (补办批准手续).
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    #[serde(default)]
    pub urgent: bool,
    #[serde(default)]
    pub requested_on: Option<NaiveDate>,
    #[serde(default)]
    pub approved_on: Option<NaiveDate>,
    #[serde(default)]
    pub approved_by: Option<Text>,
    /// Urgent: when the measure was reported to the head of the authority.
    #[serde(default)]
    pub reported_at: Option<Moment>,
    /// 承办人意见 (defaults to a standard text).
    #[serde(default)]
    pub officers_opinion: Option<Text>,
    /// 负责人审批意见 (defaults to 同意).
    #[serde(default)]
    pub approver_opinion: Option<Text>,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyNotified {
    pub on: NaiveDate,
    pub method: Text,
}

/// The person who attended for a present party (`on_site.party_attendee`).
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attendee {
    pub name: Text,
    /// Position or relation to the party (法定代表人, 员工 …).
    #[serde(default)]
    pub title: Option<Text>,
    #[serde(default)]
    pub id_no: Option<Text>,
}

/// 见证人.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Witness {
    pub name: Text,
    #[serde(default)]
    pub id_no: Option<Text>,
    #[serde(default)]
    pub unit: Option<Text>,
    #[serde(default)]
    pub phone: Option<Text>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecusalDecision {
    /// 回避
    Granted,
    /// 不回避
    Rejected,
}

/// 回避申请.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Recusal {
    pub requested: bool,
    /// Who asked (defaults to the party).
    #[serde(default)]
    pub requested_by: Option<Text>,
    #[serde(default)]
    pub against: Option<Text>,
    #[serde(default)]
    pub reason: Option<Text>,
    #[serde(default)]
    pub decision: Option<RecusalDecision>,
    #[serde(default)]
    pub decided_by: Option<Text>,
    /// Defaults to the day on site.
    #[serde(default)]
    pub decided_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Signature {
    Signed,
    Refused,
}

fn yes() -> bool {
    true
}

/// 现场: the measure carried out.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OnSite {
    pub date: NaiveDate,
    pub start_time: Clock,
    #[serde(default)]
    pub end_time: Option<Clock>,
    pub place: Text,
    #[serde(default = "yes")]
    pub credentials_shown: bool,
    pub party_present: bool,
    /// Who attended for the party (its representative or staff), when present.
    #[serde(default)]
    pub party_attendee: Option<Attendee>,
    #[serde(default)]
    pub notified_party: Option<PartyNotified>,
    #[serde(default)]
    pub witness: Option<Witness>,
    #[serde(default)]
    pub recusal: Option<Recusal>,
    #[serde(default = "yes")]
    pub informed: bool,
    /// 陈述和申辩 as heard.
    #[serde(default)]
    pub statements: Option<Text>,
    /// Who made the statements (defaults to the party).
    #[serde(default)]
    pub statement_by: Option<Text>,
    pub record: Text,
    pub signature: Signature,
    #[serde(default)]
    pub refused_reason: Option<Text>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// 责令整改
    Rectify,
    /// 责令停止使用
    StopUse,
    /// 收缴
    Confiscate,
    /// 证据（先行登记）保存
    PreserveEvidence,
}

impl MeasureKind {
    pub fn label(self) -> &'static str {
        match self {
            MeasureKind::Rectify => "责令整改",
            MeasureKind::StopUse => "责令停止使用",
            MeasureKind::Confiscate => "收缴",
            MeasureKind::PreserveEvidence => "证据保存",
        }
    }
    /// Kinds decided by a 行政强制措施决定书 (the others by a 责令整改通知书).
    pub fn is_compulsory(self) -> bool {
        self != MeasureKind::Rectify
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub kind: MeasureKind,
    #[serde(default)]
    pub legal_basis: Option<Vec<Text>>,
    #[serde(default)]
    pub items: Vec<Item>,
    /// rectify: what to do.
    #[serde(default)]
    pub content: Option<Text>,
    /// rectify: the deadline.
    #[serde(default)]
    pub due: Option<NaiveDate>,
    /// Where the items are kept.
    #[serde(default)]
    pub kept_at: Option<Text>,
    /// stop_use / preserve_evidence: the 30-day period extended once (written notice given
    /// that day) -> extension_decision.
    #[serde(default)]
    pub extended_on: Option<NaiveDate>,
    /// The head of the authority who approved the extension.
    #[serde(default)]
    pub extension_approved_by: Option<Text>,
    /// Why the period is extended (情况复杂).
    #[serde(default)]
    pub extension_reason: Option<Text>,
    /// stop_use / preserve_evidence: days of testing or technical appraisal (检测、检验、技术鉴定),
    /// which do not count towards the 30-day period -> testing_notice.
    #[serde(default)]
    pub testing_days: Option<u32>,
    /// What is tested and by whom, and when the party was told (testing_notice).
    #[serde(default)]
    pub testing: Option<Testing>,
    /// The measure lifted (解除, 行政强制法 第二十八条) -> release_decision.
    #[serde(default)]
    pub lifted: Option<Lifted>,
    #[serde(default)]
    pub no: Option<Text>,
}

/// 解除行政强制措施: when and why.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lifted {
    pub on: NaiveDate,
    pub reason: Text,
    #[serde(default)]
    pub no: Option<Text>,
}

/// 检测、检验、技术鉴定 of a measure's items (the period not counted towards the 30 days).
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Testing {
    /// What is tested (e.g. 密级鉴定).
    pub content: Text,
    /// Who tests.
    pub by: Text,
    /// The day the notice was issued (the testing starts).
    pub notified_on: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// 收缴
    Confiscate,
    /// 退还
    Return,
    /// 移送
    Transfer,
}

/// What the handling decision does with one item.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemDisposition {
    pub item: Text,
    pub action: Disposition,
}

/// 处理决定 on the preserved evidence.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HandlingDecision {
    pub date: NaiveDate,
    pub outcome: Text,
    /// Per item; when absent, items returned are 退还 and the others 收缴.
    #[serde(default)]
    pub items: Vec<ItemDisposition>,
    #[serde(default)]
    pub legal_basis: Option<Vec<Text>>,
    /// Items the decision confiscates, with 密级, 来源, 扩散范围 -> confiscation_list.
    #[serde(default)]
    pub confiscated: Vec<Item>,
    #[serde(default)]
    pub no: Option<Text>,
}

/// A natural person suspected of the offence a case is transferred for.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Suspect {
    pub name: Text,
    #[serde(default)]
    pub position: Option<Text>,
    #[serde(default)]
    pub id_no: Option<Text>,
}

/// 案件移送.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    pub to: Text,
    pub date: NaiveDate,
    pub reason: Text,
    /// The natural persons suspected (刑法 第三百九十八条 reaches persons, not units).
    #[serde(default)]
    pub suspects: Vec<Suspect>,
    /// Names of the seized items sent with the case (行政强制法 第二十一条), as in
    /// `measures[].items`.
    #[serde(default)]
    pub items: Vec<Text>,
    /// Materials attached (调查报告, 涉案物品清单, 鉴定结论 …).
    #[serde(default)]
    pub materials: Vec<Text>,
    /// The people's procuratorate that receives a copy.
    #[serde(default)]
    pub copy_to: Option<Text>,
    #[serde(default)]
    pub no: Option<Text>,
}

/// 退还物品.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Return {
    pub date: NaiveDate,
    pub items: Vec<Item>,
    pub recipient: Text,
}

/// A 行政强制 case (`kind: enforcement`).
#[derive(Debug, Clone, Serialize)]
pub struct EnforcementCase {
    #[serde(flatten)]
    pub common: Common,
    pub party: Party,
    pub violation: Violation,
    pub approval: Approval,
    pub officers: Vec<Officer>,
    pub on_site: OnSite,
    pub measures: Vec<Measure>,
    pub decision: Option<HandlingDecision>,
    pub transfer: Option<Transfer>,
    #[serde(rename = "return")]
    pub returned: Option<Return>,
}

impl EnforcementCase {
    /// When the measure was taken: the day on site at its start time.
    pub fn measure_time(&self) -> NaiveDateTime {
        self.on_site.date.and_time(self.on_site.start_time.0)
    }
}

// ---------------------------------------------------------------------------------------------
// Loading

/// Reads an enforcement case's fields, every problem recorded.
pub fn load(ctx: &mut Ctx, map: &serde_yaml::Mapping) -> Option<EnforcementCase> {
    let mut f = Fields::new(map, "");
    f.known(&["kind"]);
    let id: Option<Text> = f.required(ctx, "id", "案件编号，只用字母、数字、“-”和“_”");
    let title = f.required(ctx, "title", "案卷题名");
    let security = f.optional(ctx, "security");
    let party = f.required(ctx, "party", "当事人：type、name 等");
    let violation = f.required(ctx, "violation", "违法行为：discovered_on、facts");
    let approval = f.required(
        ctx,
        "approval",
        "实施前报经行政机关负责人批准；情况紧急的写 urgent: true 和 reported_at",
    );
    let officers = f.required(
        ctx,
        "officers",
        "执法人员，至少两人，每人有执法证件号 cert_no",
    );
    let on_site = f.required(
        ctx,
        "on_site",
        "现场实施：日期、时间、地点、当事人是否到场等",
    );
    let measures = f.list(ctx, "measures");
    let decision = f.optional(ctx, "decision");
    let transfer = f.optional(ctx, "transfer");
    let returned = f.optional(ctx, "return");
    let services = f.list(ctx, "services");
    let archive = f.optional(ctx, "archive");
    let attachments = f.list(ctx, "attachments");
    f.reject_unknown(ctx);
    let on_site: OnSite = on_site?;
    Some(EnforcementCase {
        common: Common {
            id: id?,
            title: title?,
            security,
            services,
            archive,
            attachments,
        },
        party: party?,
        violation: violation?,
        approval: approval?,
        officers: officers?,
        on_site,
        measures,
        decision,
        transfer,
        returned,
    })
}
