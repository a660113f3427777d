//! 行政强制 (`kind: enforcement`): the model of `examples/enforcement-full.yaml`, its loading
//! with positioned problems, and the consistency rules of `documents.md` that concern it.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use super::Ctx;
use super::load::Fields;
use super::model::{ArchiveInfo, Attachment, Item, Officer, Service, ServiceMethod, Text};
use super::validate::{check_officers, order};

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
    pub attended_by: Option<Text>,
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
    /// stop_use / confiscate: the 30-day period extended once (written notice given that day).
    #[serde(default)]
    pub extended_on: Option<NaiveDate>,
    /// stop_use / confiscate: days of testing or technical appraisal (检测、检验、技术鉴定), which
    /// do not count towards the 30-day period.
    #[serde(default)]
    pub testing_days: Option<u32>,
    /// The day the measure ended (解除), when not by the handling decision.
    #[serde(default)]
    pub lifted_on: Option<NaiveDate>,
    #[serde(default)]
    pub no: Option<Text>,
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
    #[serde(default)]
    pub no: Option<Text>,
}

/// 案件移送.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    pub to: Text,
    pub date: NaiveDate,
    pub reason: Text,
    /// Materials handed over (defaults to the case's records and items).
    #[serde(default)]
    pub materials: Vec<Text>,
    #[serde(default)]
    pub items: Vec<Item>,
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
    let mut services: Vec<Service> = services;
    refusal_on_receipts(&on_site, &mut services);
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

/// A party that refused to sign on site refused the documents left there too: the 送达回证 of
/// such a service states that reason unless the service gives its own.
fn refusal_on_receipts(on_site: &OnSite, services: &mut [Service]) {
    let Some(reason) = on_site
        .refused_reason
        .as_ref()
        .filter(|_| on_site.signature == Signature::Refused)
    else {
        return;
    };
    for s in services.iter_mut() {
        if s.method == ServiceMethod::LeftAtPremises
            && s.on == on_site.date
            && s.refused_reason.is_none()
        {
            s.refused_reason = Some(reason.clone());
        }
    }
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
    if !s.party_present && witness.is_none() {
        ctx.error("on_site.witness", "当事人不到场的，应当邀请见证人到场，由见证人和执法人员在现场笔录上签名（行政强制法第十八条）：缺少见证人 witness");
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
    if s.signature == Signature::Refused {
        check_refused_signature(c, witness, ctx);
    }
}

/// 拒绝签名: the record is served by leaving it (`left_at_premises`) with the witness named.
fn check_refused_signature(c: &EnforcementCase, witness: Option<&str>, ctx: &mut Ctx) {
    if blank(&c.on_site.refused_reason) {
        ctx.warn(
            "on_site.refused_reason",
            "当事人拒绝签名的，应在笔录中注明情况（refused_reason）",
        );
    }
    let Some(witness) = witness else {
        ctx.error(
            "on_site.signature",
            "当事人拒绝签名的，应由见证人签名并留置送达，但现场没有见证人（on_site.witness）",
        );
        return;
    };
    let served =
        c.services.iter().enumerate().find(|(_, s)| {
            s.document == "onsite_record" && s.method == ServiceMethod::LeftAtPremises
        });
    match served {
        None => ctx.error(
            "on_site.signature",
            format!("当事人拒绝签名：现场笔录应留置送达，services 中应有 {{ document: onsite_record, method: left_at_premises, witness: {witness} }}"),
        ),
        Some((i, s)) if s.witness.as_ref().is_some_and(|w| w.trim() != witness) => {
            ctx.error(
                &format!("services[{i}].witness"),
                format!("留置送达现场笔录的见证人应为现场见证人 {witness}，实际写的是 {}", s.witness.as_deref().unwrap_or_default()),
            );
        }
        Some(_) => {}
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
        if let Some(l) = m.lifted_on
            && l < c.on_site.date
        {
            ctx.error(
                &format!("{at}.lifted_on"),
                format!("解除日期 {l} 早于现场实施日期 {}", c.on_site.date),
            );
        }
        if let Some(e) = m.extended_on {
            if !matches!(m.kind, MeasureKind::StopUse | MeasureKind::Confiscate) {
                ctx.warn(
                    &format!("{at}.extended_on"),
                    "只有责令停止使用、收缴措施的期限可以延长",
                );
            }
            if e < c.on_site.date {
                ctx.error(
                    &format!("{at}.extended_on"),
                    format!("延长日期 {e} 早于现场实施日期 {}", c.on_site.date),
                );
            }
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

/// 移送: the party is told in writing (a served 移送告知书).
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
