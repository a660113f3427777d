//! 行政强制 (`kind: enforcement`): the model of `examples/enforcement-full.yaml`, its loading
//! with positioned problems, and the consistency rules of `documents.md` that concern it.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use super::Ctx;
use super::model::{ArchiveInfo, Attachment, Item, Officer, Service, ServiceMethod, Text};
use super::validate::{check_officers, order};
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
    pub id: Text,
    pub title: Text,
    pub security: Option<Text>,
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
    pub services: Vec<Service>,
    pub archive: Option<ArchiveInfo>,
    pub attachments: Vec<Attachment>,
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
        id: id?,
        title: title?,
        security,
        party: party?,
        violation: violation?,
        approval: approval?,
        officers: officers?,
        on_site,
        measures,
        decision,
        transfer,
        returned,
        services,
        archive,
        attachments,
    })
}

// ---------------------------------------------------------------------------------------------
// Consistency rules

/// The consistency rules of `documents.md` for an enforcement case.
pub fn check(c: &EnforcementCase, ctx: &mut Ctx) {
    let officers = c
        .officers
        .iter()
        .enumerate()
        .map(|(i, o)| (format!("officers[{i}]"), o));
    check_officers(officers, "officers", "执法人员", ctx);
    check_party(c, ctx);
    check_approval(c, ctx);
    check_on_site(c, ctx);
    check_measures(c, ctx);
    check_returned_items(c, ctx);
    check_transfer(c, ctx);
    check_dates(c, ctx);
    check_citations(c, ctx);
}

fn blank(t: &Option<Text>) -> bool {
    t.as_ref().is_none_or(|s| s.trim().is_empty())
}

fn check_party(c: &EnforcementCase, ctx: &mut Ctx) {
    let p = &c.party;
    match p.kind {
        PartyType::Organization if blank(&p.credit_code) => {
            ctx.warn(
                "party.credit_code",
                "当事人为单位的，应写明统一社会信用代码（credit_code）",
            );
        }
        PartyType::Person if blank(&p.id_no) => {
            ctx.warn("party.id_no", "当事人为个人的，应写明身份证件号码（id_no）");
        }
        _ => {}
    }
}

fn check_approval(c: &EnforcementCase, ctx: &mut Ctx) {
    let a = &c.approval;
    let on = c.on_site.date;
    if a.urgent {
        match a.reported_at {
            None => ctx.error(
                "approval.reported_at",
                format!(
                    "情况紧急、当场实施行政强制措施的，应在24小时内向行政机关负责人报告（行政强制法第十九条）：缺少报告时间 reported_at（措施实施于 {}）",
                    Moment(c.measure_time())
                ),
            ),
            Some(r) => {
                let limit = c.measure_time() + TimeDelta::hours(24);
                if r.0 > limit {
                    ctx.error(
                        "approval.reported_at",
                        format!("情况紧急当场实施的措施应在24小时内报告：措施实施于 {}，最迟应于 {} 报告，实际 {} 才报告", Moment(c.measure_time()), Moment(limit), r),
                    );
                } else if r.0 < c.measure_time() {
                    ctx.error("approval.reported_at", format!("报告时间 {r} 早于措施实施时间 {}；情况紧急的是先实施、后报告", Moment(c.measure_time())));
                }
            }
        }
        match a.approved_on {
            None if c.archive.is_some() => ctx.error(
                "approval.approved_on",
                "情况紧急当场实施的措施应补办批准手续，归档前须填写 approved_on",
            ),
            None => ctx.warn(
                "approval.approved_on",
                "情况紧急当场实施的措施应补办批准手续（缺少 approved_on）",
            ),
            Some(d) if d < on => ctx.warn(
                "approval.approved_on",
                format!("批准日期 {d} 早于现场实施日期 {on}：事先已批准的，不应写 urgent: true"),
            ),
            _ => {}
        }
    } else {
        if a.reported_at.is_some() {
            ctx.warn(
                "approval.reported_at",
                "只有情况紧急（urgent: true）的才需要事后报告时间 reported_at",
            );
        }
        match a.approved_on {
            None => ctx.error("approval.approved_on", "实施行政强制措施前应报经行政机关负责人批准（缺少 approved_on）；情况紧急的，写 urgent: true"),
            Some(d) if d > on => ctx.error(
                "approval.approved_on",
                format!("批准日期 {d} 晚于现场实施日期 {on}：应先批准后实施；情况紧急当场实施的，写 urgent: true 并填写 reported_at"),
            ),
            _ => {}
        }
        if let (Some(r), Some(ap)) = (a.requested_on, a.approved_on)
            && ap < r
        {
            ctx.error(
                "approval.approved_on",
                format!("批准日期 {ap} 早于报批日期 {r}"),
            );
        }
    }
    if a.approved_on.is_some() && blank(&a.approved_by) {
        ctx.error(
            "approval.approved_by",
            "应写明批准的行政机关负责人（approved_by）",
        );
    }
}

fn check_on_site(c: &EnforcementCase, ctx: &mut Ctx) {
    let s = &c.on_site;
    if !s.credentials_shown {
        ctx.error(
            "on_site.credentials_shown",
            "执法人员实施行政强制措施应当出示执法身份证件（行政强制法第十八条）",
        );
    }
    if !s.informed {
        ctx.error(
            "on_site.informed",
            "应当场告知当事人采取行政强制措施的理由、依据以及当事人依法享有的权利、救济途径（行政强制法第十八条）",
        );
    }
    if let Some(end) = s.end_time
        && end < s.start_time
    {
        ctx.error(
            "on_site.end_time",
            format!("结束时间 {end} 早于开始时间 {}", s.start_time),
        );
    }
    let witness = s
        .witness
        .as_ref()
        .map(|w| w.name.trim())
        .filter(|w| !w.is_empty());
    if s.party_present {
        check_party_present(c, ctx);
    } else {
        check_party_absent(c, witness, ctx);
    }
    if let Some(r) = &s.recusal {
        if r.requested && r.decision.is_none() {
            ctx.error(
                "on_site.recusal.decision",
                "当事人申请回避的，应作出是否回避的决定（decision: granted 回避 / rejected 不回避）",
            );
        }
        if r.requested && blank(&r.against) {
            ctx.error(
                "on_site.recusal.against",
                "应写明申请回避的执法人员（against）",
            );
        }
        if r.decision.is_some() && blank(&r.decided_by) {
            ctx.error(
                "on_site.recusal.decided_by",
                "应写明作出回避决定的行政机关负责人（decided_by）",
            );
        }
        if let Some(against) = r.against.as_ref().filter(|_| r.requested) {
            if !c.officers.iter().any(|o| o.name == *against) {
                ctx.warn(
                    "on_site.recusal.against",
                    format!("申请回避的对象 {against} 不在执法人员（officers）名单中"),
                );
            }
            if r.decision == Some(RecusalDecision::Granted) && c.officers.len() < 3 {
                ctx.error(
                    "on_site.recusal.decision",
                    format!("决定 {against} 回避后，实施措施的执法人员不足两人；应另派执法人员并写入 officers"),
                );
            }
        }
    }
    check_services(c, ctx);
}

/// 当事人到场: the person who attended is named; a refusal to sign is noted in the record by the
/// officers (行政强制法 第十八条第八项), which is no ground for 留置送达.
fn check_party_present(c: &EnforcementCase, ctx: &mut Ctx) {
    let s = &c.on_site;
    // A person who is the party attends in person; a unit is present through someone.
    if c.party.kind == PartyType::Organization
        && s.party_attendee
            .as_ref()
            .is_none_or(|a| a.name.trim().is_empty())
    {
        ctx.error(
            "on_site.party_attendee",
            "当事人到场的，应写明到场人（party_attendee: { name, title, id_no }），执法人员向其出示证件、告知并由其签名",
        );
    }
    if s.signature == Signature::Refused && blank(&s.refused_reason) {
        ctx.warn(
            "on_site.refused_reason",
            "到场人拒绝签名的，执法人员应在笔录中注明情况（refused_reason）",
        );
    }
}

/// 当事人不到场: a witness signs with the officers (第十八条第九项); the party cannot have asked
/// for 回避, spoken or refused anything on site; decision and item list are served afterwards.
fn check_party_absent(c: &EnforcementCase, witness: Option<&str>, ctx: &mut Ctx) {
    let s = &c.on_site;
    match witness {
        None => ctx.error("on_site.witness", "当事人不到场的，应当邀请见证人到场，由见证人和执法人员在现场笔录上签名（行政强制法第十八条）：缺少见证人 witness"),
        Some(w) if c.officers.iter().any(|o| o.name.trim() == w) => ctx.error(
            "on_site.witness.name",
            format!("见证人 {w} 是本案执法人员；见证人应为执法人员以外的人"),
        ),
        Some(_) => {}
    }
    if s.notified_party.is_none() {
        ctx.warn(
            "on_site.notified_party",
            "当事人不到场的，应写明如何通知当事人到场（notified_party: { on, method }，行政强制法第十八条第四项）",
        );
    }
    if s.party_attendee.is_some() {
        ctx.error(
            "on_site.party_attendee",
            "on_site.party_present 为 false（当事人未到场），却写明了到场人 party_attendee；当事人有人到场的，应写 party_present: true",
        );
    }
    if let Some(r) = s.recusal.as_ref().filter(|r| r.requested) {
        let who = r.requested_by.as_deref().unwrap_or("当事人");
        ctx.error(
            "on_site.recusal",
            format!("当事人未到场（on_site.party_present: false），不能在现场申请回避；现场笔录和回避决定书会写明{who}当场申请回避。请核对到场情况或删除 recusal"),
        );
    }
    if !blank(&s.statements) {
        ctx.error(
            "on_site.statements",
            "当事人未到场（on_site.party_present: false），不能在现场陈述和申辩；请核对到场情况，或在事后另行听取陈述申辩",
        );
    }
    if s.signature == Signature::Refused {
        ctx.error(
            "on_site.signature",
            "当事人未到场（on_site.party_present: false），不存在拒绝签名：现场笔录由见证人和执法人员签名（行政强制法第十八条第九项），应写 signature: signed",
        );
    }
    // Nothing handed over on the spot: the decision and the item list are served afterwards.
    let needed: Vec<(&str, &str)> = [
        (
            c.measures.iter().any(|m| m.kind.is_compulsory()),
            "measure_decision",
            "行政强制措施决定书",
        ),
        (
            c.measures.iter().any(|m| !m.items.is_empty()),
            "item_list",
            "物品清单",
        ),
    ]
    .into_iter()
    .filter(|(wanted, ..)| *wanted)
    .map(|(_, id, title)| (id, title))
    .collect();
    for (id, title) in needed {
        if !c.services.iter().any(|s| s.document == id) {
            ctx.error(
                "on_site.party_present",
                format!("当事人未到场，{title}不能当场交付，应事后送达：services 中应有 {{ document: {id}, on: …, method: …, recipient: {} }}", c.party.name),
            );
        }
    }
}

/// 留置送达 only where a person reached refused to accept (民事诉讼法 第八十九条): who refused,
/// why, and the witness; never to an absent party on the day on site.
fn check_services(c: &EnforcementCase, ctx: &mut Ctx) {
    let s = &c.on_site;
    for (i, sv) in c.services.iter().enumerate() {
        if sv.method != ServiceMethod::LeftAtPremises {
            if sv.refused_by.is_some() {
                ctx.error(
                    &format!("services[{i}].refused_by"),
                    "只有留置送达（method: left_at_premises）才有拒收人 refused_by",
                );
            }
            continue;
        }
        if !s.party_present && sv.on == s.date {
            ctx.error(
                &format!("services[{i}].method"),
                format!("当事人未到场（on_site.party_present: false），{} 当天没有人拒收文书，不能留置送达；应事后直接送达或邮寄送达", sv.on),
            );
            continue;
        }
        match sv.refused_by.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            None => ctx.error(
                &format!("services[{i}].refused_by"),
                "留置送达只适用于受送达人拒绝签收（民事诉讼法第八十九条）：应写明拒收的人 refused_by 和拒收事由 refused_reason",
            ),
            Some(r) => {
                if sv.witness.as_deref().map(str::trim) == Some(r) {
                    ctx.error(
                        &format!("services[{i}].witness"),
                        format!("见证人不能是拒收人本人（{r}）"),
                    );
                }
            }
        }
        if blank(&sv.refused_reason) {
            ctx.error(
                &format!("services[{i}].refused_reason"),
                "留置送达应在送达回证上记明拒收事由（refused_reason）",
            );
        }
    }
}

fn check_measures(c: &EnforcementCase, ctx: &mut Ctx) {
    if c.measures.is_empty() {
        ctx.warn("measures", "本案没有采取任何措施（measures 为空）");
    }
    for (i, m) in c.measures.iter().enumerate() {
        let at = format!("measures[{i}]");
        match m.kind {
            MeasureKind::Rectify => {
                if blank(&m.content) {
                    ctx.error(
                        &format!("{at}.content"),
                        "责令整改应写明整改内容（content）",
                    );
                }
                match m.due {
                    None => ctx.error(&format!("{at}.due"), "责令整改应写明整改期限（due）"),
                    Some(d) if d < c.on_site.date => ctx.error(
                        &format!("{at}.due"),
                        format!("整改期限 {d} 早于现场实施日期 {}", c.on_site.date),
                    ),
                    _ => {}
                }
            }
            MeasureKind::Confiscate | MeasureKind::PreserveEvidence => {
                if m.items.is_empty() {
                    ctx.error(
                        &format!("{at}.items"),
                        format!("{}应列明物品（items），制作物品清单", m.kind.label()),
                    );
                }
            }
            MeasureKind::StopUse => {}
        }
        check_lifted(c, i, m, ctx);
        check_extension(c, i, m, ctx);
        if m.kind == MeasureKind::Confiscate {
            check_confiscated(&m.items, &format!("{at}.items"), ctx);
        }
    }
    if let Some(d) = &c.decision {
        check_confiscated(&d.confiscated, "decision.confiscated", ctx);
        if c.transfer.is_none()
            && let Some(i) = d
                .items
                .iter()
                .position(|x| x.action == Disposition::Transfer)
        {
            ctx.error(
                &format!("decision.items[{i}].action"),
                "处理决定写明移送，但本案没有移送记录（transfer: { to, date, reason, … }）",
            );
        }
    }
    let preserved = c
        .measures
        .iter()
        .any(|m| m.kind == MeasureKind::PreserveEvidence);
    if c.decision.is_some() && !preserved {
        ctx.warn(
            "decision",
            "处理决定针对先行登记保存的证据，但本案没有 preserve_evidence 措施",
        );
    }
    if preserved && c.decision.is_none() && c.archive.is_some() {
        ctx.error(
            "decision",
            "先行登记保存的证据应在七个工作日内作出处理决定，归档前须补充 decision",
        );
    }
}

/// 解除 (行政强制法 第二十八条): a stop-use or evidence-preservation measure, on or after the day
/// on site; items returned under it are returned on or after the release.
fn check_lifted(c: &EnforcementCase, i: usize, m: &Measure, ctx: &mut Ctx) {
    let Some(l) = &m.lifted else { return };
    let at = format!("measures[{i}].lifted");
    if !matches!(m.kind, MeasureKind::StopUse | MeasureKind::PreserveEvidence) {
        ctx.error(
            &at,
            format!(
                "只有责令停止使用、证据保存措施可以解除（行政强制法第二十八条）；{}不能写 lifted",
                m.kind.label()
            ),
        );
    }
    if l.on < c.on_site.date {
        ctx.error(
            &format!("{at}.on"),
            format!("解除日期 {} 早于现场实施日期 {}", l.on, c.on_site.date),
        );
    }
    if l.reason.trim().is_empty() {
        ctx.error(&format!("{at}.reason"), "应写明解除措施的理由（reason）");
    }
    // The return list states the items were returned as the release decided: returning them
    // before the release would have the documents assert a later decision.
    if let Some(r) = &c.returned {
        let of_measure = r
            .items
            .iter()
            .any(|it| m.items.iter().any(|t| t.name == it.name));
        if of_measure && r.date < l.on {
            ctx.error(
                "return.date",
                format!(
                    "退还日期（return.date: {}）早于解除措施日期（{at}.on: {}）：退还物品清单会写明依解除决定退还，应先解除后退还",
                    r.date, l.on
                ),
            );
        }
    }
}

/// 延长 (行政强制法 第二十五条): only for the measures with a period, approved by the head,
/// within the first 30 days; 检测期间 told in writing.
fn check_extension(c: &EnforcementCase, i: usize, m: &Measure, ctx: &mut Ctx) {
    let at = format!("measures[{i}]");
    let with_period = matches!(m.kind, MeasureKind::StopUse | MeasureKind::PreserveEvidence);
    if let Some(e) = m.extended_on {
        if !with_period {
            ctx.error(
                &format!("{at}.extended_on"),
                format!(
                    "只有责令停止使用、证据保存措施有三十日期限可以延长；{}没有期限",
                    m.kind.label()
                ),
            );
        }
        if e < c.on_site.date {
            ctx.error(
                &format!("{at}.extended_on"),
                format!("延长日期 {e} 早于现场实施日期 {}", c.on_site.date),
            );
        }
        if blank(&m.extension_approved_by) {
            ctx.error(
                &format!("{at}.extension_approved_by"),
                "延长行政强制措施期限应经行政机关负责人批准（行政强制法第二十五条）：缺少 extension_approved_by",
            );
        }
    }
    if m.testing_days.is_some() {
        if !with_period {
            ctx.error(
                &format!("{at}.testing_days"),
                format!("{}没有三十日期限，检测期间无从扣除", m.kind.label()),
            );
        }
        match &m.testing {
            None => ctx.error(
                &format!("{at}.testing"),
                "检测、检验、技术鉴定的期间应当明确并书面告知当事人（行政强制法第二十五条）：缺少 testing: { content, by, notified_on }",
            ),
            Some(t) if t.notified_on < c.on_site.date => ctx.error(
                &format!("{at}.testing.notified_on"),
                format!(
                    "检测期间告知日期 {} 早于现场实施日期 {}",
                    t.notified_on, c.on_site.date
                ),
            ),
            Some(_) => {}
        }
    } else if m.testing.is_some() {
        ctx.error(
            &format!("{at}.testing_days"),
            "写了检测 testing，但缺少检测期间的天数 testing_days",
        );
    }
}

/// 收缴清单 (实施条例 (2024) 第六十二条): 密级, 来源 and 扩散范围 of every confiscated item.
fn check_confiscated(items: &[Item], field: &str, ctx: &mut Ctx) {
    for (j, it) in items.iter().enumerate() {
        let missing: Vec<&str> = [
            (&it.classification, "密级 classification"),
            (&it.source, "来源 source"),
            (&it.spread, "扩散范围 spread"),
        ]
        .into_iter()
        .filter(|(v, _)| blank(v))
        .map(|(_, what)| what)
        .collect();
        if !missing.is_empty() {
            ctx.warn(
                &format!("{field}[{j}]"),
                format!(
                    "收缴清单应载明收缴物品的密级、数量、来源、扩散范围（保密法实施条例第六十二条）：{} 缺少 {}",
                    it.name,
                    missing.join("、")
                ),
            );
        }
    }
}

/// Items returned must have been taken (by name, model and serial), no more than were taken.
fn check_returned_items(c: &EnforcementCase, ctx: &mut Ctx) {
    let Some(r) = &c.returned else { return };
    if r.items.is_empty() {
        ctx.error("return.items", "退还物品清单应列明退还的物品（items）");
    }
    let taken: Vec<&Item> = c.measures.iter().flat_map(|m| m.items.iter()).collect();
    for (i, it) in r.items.iter().enumerate() {
        let same = |t: &&&Item| {
            t.name == it.name
                && (it.model.is_none() || t.model == it.model)
                && (it.serial.is_none() || t.serial == it.serial)
        };
        let matching: Vec<&&Item> = taken.iter().filter(same).collect();
        let field = format!("return.items[{i}]");
        if matching.is_empty() {
            let names: Vec<String> = taken.iter().map(|t| item_label(t)).collect();
            let list = if names.is_empty() {
                "本案没有扣留任何物品".to_string()
            } else {
                format!("本案扣留的物品有：{}", names.join("、"))
            };
            ctx.error(
                &field,
                format!(
                    "退还的物品 {} 不在任何措施的物品清单（measures[].items）中；{list}",
                    item_label(it)
                ),
            );
            continue;
        }
        // 收缴 is final, a transferred item went with the case: neither comes back.
        if let Some(t) = c.transfer.as_ref().filter(|t| t.items.contains(&it.name)) {
            ctx.error(
                &field,
                format!(
                    "退还的物品 {} 已随案移送{}（transfer.items），不能再退还当事人",
                    it.name, t.to
                ),
            );
            continue;
        }
        let confiscated = c
            .measures
            .iter()
            .filter(|m| m.kind == MeasureKind::Confiscate)
            .flat_map(|m| m.items.iter())
            .chain(c.decision.iter().flat_map(|d| d.confiscated.iter()))
            .any(|t| t.name == it.name);
        if confiscated {
            ctx.error(
                &field,
                format!(
                    "退还的物品 {} 已被收缴（收缴是最终处置），不能退还；确需退还的，应删除收缴",
                    it.name
                ),
            );
            continue;
        }
        let available: u32 = matching.iter().map(|t| t.quantity).sum();
        if it.quantity > available {
            ctx.error(
                &format!("{field}.quantity"),
                format!(
                    "退还 {} 数量 {}，多于扣留的数量 {available}",
                    it.name, it.quantity
                ),
            );
        }
    }
}

fn item_label(it: &Item) -> String {
    match &it.model {
        Some(m) => format!("{}（{m}）", it.name),
        None => it.name.to_string(),
    }
}

/// 移送: the party is told in writing (a served 移送告知书); the items sent were taken; the
/// suspects are natural persons; the procuratorate gets a copy.
fn check_transfer(c: &EnforcementCase, ctx: &mut Ctx) {
    let Some(t) = &c.transfer else { return };
    let notice = c
        .services
        .iter()
        .enumerate()
        .find(|(_, s)| s.document == "transfer_notice");
    match notice {
        None => ctx.error(
            "transfer",
            format!(
                "案件移送{}后，应书面告知当事人：services 中应有移送告知书的送达记录 {{ document: transfer_notice, on: …, method: …, recipient: {} }}",
                t.to, c.party.name
            ),
        ),
        Some((i, s)) if s.on < t.date => {
            ctx.error(&format!("services[{i}].on"), format!("移送告知书送达日期 {} 早于移送日期 {}", s.on, t.date));
        }
        Some(_) => {}
    }
    let taken: Vec<&Item> = c.measures.iter().flat_map(|m| m.items.iter()).collect();
    for (i, name) in t.items.iter().enumerate() {
        if !taken.iter().any(|it| it.name == *name) {
            let names: Vec<String> = taken.iter().map(|t| t.name.to_string()).collect();
            ctx.error(
                &format!("transfer.items[{i}]"),
                format!(
                    "随案移送的物品 {name} 不在任何措施的物品清单（measures[].items）中；本案扣留的物品有：{}",
                    if names.is_empty() { "无".to_string() } else { names.join("、") }
                ),
            );
        }
    }
    if t.suspects.is_empty() {
        ctx.warn(
            "transfer.suspects",
            "移送涉嫌犯罪案件应写明涉嫌犯罪的人员（suspects: [{ name, position }]）",
        );
    }
    for (i, p) in t.suspects.iter().enumerate() {
        if c.party.kind == PartyType::Organization && p.name == c.party.name {
            ctx.error(
                &format!("transfer.suspects[{i}].name"),
                format!("{} 是单位；刑法第三百九十八条（泄露国家秘密罪）追究的是自然人，应写明涉嫌犯罪的个人", p.name),
            );
        }
    }
    if t.materials.is_empty() {
        ctx.warn(
            "transfer.materials",
            "移送涉嫌犯罪案件应附调查报告、涉案物品清单、鉴定结论等材料（transfer.materials）",
        );
    }
    if blank(&t.copy_to) {
        ctx.warn(
            "transfer.copy_to",
            "移送涉嫌犯罪案件应抄送同级人民检察院（transfer.copy_to）",
        );
    }
}

fn check_dates(c: &EnforcementCase, ctx: &mut Ctx) {
    let on = c.on_site.date;
    order(
        ctx,
        "on_site.date",
        on,
        "现场实施日期",
        c.violation.discovered_on,
        "发现违法行为日期",
    );
    if let Some(n) = &c.on_site.notified_party {
        order(
            ctx,
            "on_site.date",
            on,
            "现场实施日期",
            n.on,
            "通知当事人日期",
        );
    }
    if let Some(r) = c.on_site.recusal.as_ref().and_then(|r| r.decided_on) {
        order(
            ctx,
            "on_site.recusal.decided_on",
            r,
            "回避决定日期",
            on,
            "现场实施日期",
        );
        // The on-site record (dated on_site.date) states the decision on the request.
        if r > on {
            ctx.error(
                "on_site.recusal.decided_on",
                format!("回避决定日期（on_site.recusal.decided_on: {r}）晚于现场实施日期（on_site.date: {on}）：现场笔录会记载一个尚未作出的回避决定。回避申请应当场决定"),
            );
        }
    }
    if let Some(d) = &c.decision {
        order(
            ctx,
            "decision.date",
            d.date,
            "处理决定日期",
            on,
            "现场实施日期",
        );
    }
    if let Some(t) = &c.transfer {
        order(ctx, "transfer.date", t.date, "移送日期", on, "现场实施日期");
    }
    if let Some(r) = &c.returned {
        order(ctx, "return.date", r.date, "退还日期", on, "现场实施日期");
        if let Some(d) = &c.decision {
            order(
                ctx,
                "return.date",
                r.date,
                "退还日期",
                d.date,
                "处理决定日期",
            );
        }
    }
    for (i, s) in c.services.iter().enumerate() {
        order(
            ctx,
            &format!("services[{i}].on"),
            s.on,
            "送达日期",
            on,
            "现场实施日期",
        );
    }
    if let Some(a) = &c.archive {
        let last = [
            c.decision.as_ref().map(|d| d.date),
            c.transfer.as_ref().map(|t| t.date),
            c.returned.as_ref().map(|r| r.date),
        ]
        .into_iter()
        .chain(c.measures.iter().map(|m| m.lifted.as_ref().map(|l| l.on)))
        .flatten()
        .max()
        .unwrap_or(on);
        order(
            ctx,
            "archive.filed_on",
            a.filed_on,
            "归档日期",
            last,
            "最后一项处理日期",
        );
    }
}

/// Citations written in the case follow the numbering in force on the day of the act.
fn check_citations(c: &EnforcementCase, ctx: &mut Ctx) {
    let on = c.on_site.date;
    let mut lists: Vec<(String, &[Text], NaiveDate)> =
        vec![("violation.legal_basis".into(), &c.violation.legal_basis, on)];
    for (i, m) in c.measures.iter().enumerate() {
        if let Some(l) = &m.legal_basis {
            lists.push((format!("measures[{i}].legal_basis"), l, on));
        }
    }
    if let Some(d) = &c.decision
        && let Some(l) = &d.legal_basis
    {
        lists.push(("decision.legal_basis".into(), l, d.date));
    }
    for (field, list, date) in lists {
        for (i, text) in list.iter().enumerate() {
            if let Some(hint) = crate::law::stale_numbering(text, date) {
                ctx.error(
                    &format!("{field}[{i}]"),
                    format!("引用的“{text}”与日期不符：{hint}"),
                );
            }
        }
    }
}
