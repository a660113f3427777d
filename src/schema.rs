//! `anjuan schema`: a JSON Schema (draft 2020-12) of the case, campaign and settings formats,
//! generated from the model (schemars) and given Chinese descriptions and the enumerations, so
//! that an editor with the YAML language server completes and checks a file as it is typed.
//!
//! The top-level blocks of a case are read field by field (`case::load_inspection`,
//! `case::enforcement::load`, `settings::parse`), not by serde: the structs below mirror them,
//! and a test keeps the two in step.

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Map, Value, json};

use crate::case::enforcement::{
    Approval, Clock, HandlingDecision, Measure, Moment, OnSite, Party, Return, Transfer, Violation,
};
use crate::case::model::*;
use crate::documents::DocKind;
use crate::settings::{
    ArchiveSettings, Authority, CalendarSettings, LawOverride, Remedies, SigningSettings, Superior,
};

/// The file name the samples point their `$schema` at (in the cases root).
pub const FILE_NAME: &str = "anjuan.schema.json";

impl JsonSchema for Text {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Text".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        // Numbers and booleans are read as written (phone numbers, postcodes without quotes).
        json_schema!({ "type": ["string", "number", "boolean"] })
    }
}

impl JsonSchema for Clock {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Clock".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^([01]?[0-9]|2[0-3]):[0-5][0-9]$",
            "description": "时间，写作 \"HH:MM\"（24小时制，加引号）"
        })
    }
}

impl JsonSchema for Moment {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Moment".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2} ([01]?[0-9]|2[0-3]):[0-5][0-9]$",
            "description": "日期时间，写作 \"YYYY-MM-DD HH:MM\"（加引号）"
        })
    }
}

/// `kind: inspection` as `case::load_inspection` reads it.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct InspectionFile {
    kind: Text,
    id: Text,
    title: Text,
    organized_by: Option<OrganizedBy>,
    security: Option<Text>,
    inspected_unit: Unit,
    plan: Option<Plan>,
    team: Team,
    notice: Option<Notice>,
    inspection: Inspection,
    measures: Option<Vec<Disposal>>,
    technical_check: Option<TechnicalCheck>,
    report: Option<Report>,
    opinion: Option<Opinion>,
    objection: Option<Objection>,
    reinspection: Option<Reinspection>,
    superior_report: Option<SuperiorReport>,
    services: Option<Vec<Service>>,
    archive: Option<ArchiveInfo>,
    attachments: Option<Vec<Attachment>>,
}

/// `kind: enforcement` as `case::enforcement::load` reads it.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct EnforcementFile {
    kind: Text,
    id: Text,
    title: Text,
    security: Option<Text>,
    party: Party,
    violation: Violation,
    approval: Approval,
    officers: Vec<Officer>,
    on_site: OnSite,
    measures: Option<Vec<Measure>>,
    decision: Option<HandlingDecision>,
    transfer: Option<Transfer>,
    #[schemars(rename = "return")]
    returned: Option<Return>,
    services: Option<Vec<Service>>,
    archive: Option<ArchiveInfo>,
    attachments: Option<Vec<Attachment>>,
}

/// `kind: campaign` as `letters::campaign::read` reads it; `common` and each recipient are
/// parts of an inspection case (filled in by `post_process`).
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct CampaignFile {
    kind: Text,
    id: Text,
    title: Text,
    document: Text,
    common: Option<Value>,
    recipients: Option<Vec<Value>>,
    recipients_from: Option<Text>,
}

/// `anjuan.yaml` as `settings::parse` reads it.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct SettingsFile {
    authority: Authority,
    superior: Option<Superior>,
    remedies: Remedies,
    archive: Option<ArchiveSettings>,
    numbering: Option<BTreeMap<String, Text>>,
    calendar: Option<CalendarSettings>,
    law: Option<BTreeMap<String, LawOverride>>,
    signing: Option<SigningSettings>,
}

/// Required top-level fields, as the loaders require them.
const REQUIRED: &[(&str, &[&str])] = &[
    (
        "InspectionFile",
        &[
            "kind",
            "id",
            "title",
            "inspected_unit",
            "team",
            "inspection",
        ],
    ),
    (
        "EnforcementFile",
        &[
            "kind",
            "id",
            "title",
            "party",
            "violation",
            "approval",
            "officers",
            "on_site",
        ],
    ),
    ("CampaignFile", &["kind", "id", "title", "document"]),
    ("SettingsFile", &["authority", "remedies"]),
];

/// Chinese descriptions: `Type` for a block, `Type.field` for a field.
const DESCRIPTIONS: &[(&str, &str)] = &[
    ("InspectionFile", "保密检查案件（kind: inspection）"),
    ("InspectionFile.kind", "案件种类：inspection（保密检查）"),
    (
        "InspectionFile.id",
        "案件编号，只用字母、数字、“-”和“_”（用作文件名），如 2026-JC-003",
    ),
    (
        "InspectionFile.title",
        "案卷题名，如 对某县自然资源局开展保密检查",
    ),
    (
        "InspectionFile.organized_by",
        "检查的组织者：self（本机关，默认）或 superior（上级部署）",
    ),
    (
        "InspectionFile.security",
        "密级标志，印在首页左上角，如 秘密★1年",
    ),
    ("InspectionFile.inspected_unit", "受检机关、单位"),
    ("InspectionFile.plan", "工作方案和检查目录"),
    (
        "InspectionFile.team",
        "检查组：组长和成员（至少两人，均有执法证件号）",
    ),
    (
        "InspectionFile.notice",
        "检查通知：书面通知提前1-2个工作日，口头通知在检查当日",
    ),
    ("InspectionFile.inspection", "现场检查：起止日期和检查记录"),
    (
        "InspectionFile.measures",
        "检查中采取的行政处置（责令停止使用、登记保存）",
    ),
    (
        "InspectionFile.technical_check",
        "技术核查取证（有登记保存时必填）",
    ),
    (
        "InspectionFile.report",
        "书面检查报告，检查结束后5个工作日内提交",
    ),
    (
        "InspectionFile.opinion",
        "检查意见书，检查结束后20个工作日内出具",
    ),
    ("InspectionFile.objection", "受检单位的书面异议"),
    (
        "InspectionFile.reinspection",
        "复查（采取处置措施或发现泄密的必须复查）",
    ),
    (
        "InspectionFile.superior_report",
        "上级组织的检查：报上级的书面检查报告",
    ),
    ("InspectionFile.services", "送达记录，每项对应一份送达回证"),
    ("InspectionFile.archive", "归档：案件办结后填写"),
    ("InspectionFile.attachments", "并入案卷的签字页扫描件等原件"),
    ("EnforcementFile", "行政强制案件（kind: enforcement）"),
    ("EnforcementFile.kind", "案件种类：enforcement（行政强制）"),
    (
        "EnforcementFile.id",
        "案件编号，只用字母、数字、“-”和“_”，如 2026-QZ-001",
    ),
    ("EnforcementFile.title", "案卷题名"),
    ("EnforcementFile.security", "密级标志，印在首页左上角"),
    ("EnforcementFile.party", "当事人"),
    ("EnforcementFile.violation", "发现查处的违法行为"),
    (
        "EnforcementFile.approval",
        "实施前向行政机关负责人报告并经批准；情况紧急的，24小时内报告、事后补办批准手续",
    ),
    (
        "EnforcementFile.officers",
        "执法人员（至少两人，均有执法证件号）",
    ),
    (
        "EnforcementFile.on_site",
        "现场实施：日期、时间、地点、当事人是否到场、笔录",
    ),
    (
        "EnforcementFile.measures",
        "采取的措施：责令整改、责令停止使用、收缴、证据保存",
    ),
    (
        "EnforcementFile.decision",
        "对保存证据的处理决定，7个工作日内作出",
    ),
    ("EnforcementFile.transfer", "案件移送"),
    ("EnforcementFile.return", "退还物品"),
    ("EnforcementFile.services", "送达记录，每项对应一份送达回证"),
    ("EnforcementFile.archive", "归档：案件办结后填写"),
    (
        "EnforcementFile.attachments",
        "并入案卷的签字页扫描件等原件",
    ),
    (
        "CampaignFile",
        "批量发文（kind: campaign）：一种文书发给多个单位",
    ),
    ("CampaignFile.kind", "种类：campaign（批量发文）"),
    (
        "CampaignFile.id",
        "批次编号，只用字母、数字、“-”和“_”，用作输出目录名",
    ),
    ("CampaignFile.title", "批次名称，如 2026年度保密检查通知"),
    ("CampaignFile.document", "发送的文书种类"),
    (
        "CampaignFile.common",
        "各收文单位共用的内容（与保密检查案件的字段相同）",
    ),
    (
        "CampaignFile.recipients",
        "收文单位列表，每项可覆盖 common 中的内容",
    ),
    (
        "CampaignFile.recipients_from",
        "收文单位表格文件（.xlsx 或 .csv），与 recipients 二选一",
    ),
    ("SettingsFile", "案件根目录的设置文件 anjuan.yaml"),
    ("SettingsFile.authority", "发文机关（保密行政管理部门）"),
    ("SettingsFile.superior", "上级保密行政管理部门"),
    ("SettingsFile.remedies", "救济途径：行政复议机关和管辖法院"),
    (
        "SettingsFile.archive",
        "档案设置：全宗号、门类代码、机构代码等",
    ),
    (
        "SettingsFile.numbering",
        "文号模式，按文书种类，须含 {seq}，可用 {short} {year}",
    ),
    (
        "SettingsFile.calendar",
        "日历：补充的年份或更正（与内置节假日数据同格式）",
    ),
    ("SettingsFile.law", "引用的法律条文的替换文字"),
    (
        "SettingsFile.signing",
        "本机关的 SM2 签名密钥对（anjuan keygen 生成）",
    ),
    (
        "SigningSettings.private_key",
        "私钥文件路径（放在案件根目录之外；相对路径以 anjuan.yaml 所在目录为准）",
    ),
    ("SigningSettings.public_key", "公钥（anjuan keygen 输出）"),
    ("Contact.name", "姓名"),
    ("Contact.title", "职务"),
    ("Contact.phone", "电话"),
    ("Officer.name", "姓名"),
    ("Officer.cert_no", "执法证件号"),
    ("Officer.duty", "职责分工"),
    ("Item.name", "物品名称"),
    ("Item.model", "型号"),
    ("Item.serial", "编号（序列号）"),
    ("Item.quantity", "数量（默认1）"),
    ("Item.condition", "状况，如 外观完好"),
    (
        "Item.classification",
        "密级（收缴的涉密载体，印在收缴清单上）",
    ),
    ("Item.source", "来源（收缴清单）"),
    ("Item.spread", "扩散范围（收缴清单）"),
    ("Service.document", "送达的文书种类"),
    ("Service.on", "送达日期"),
    ("Service.method", "送达方式"),
    ("Service.recipient", "受送达人（签收人）"),
    ("Service.place", "送达地点"),
    ("Service.witness", "见证人（留置送达时必填）"),
    (
        "Service.refused_by",
        "留置送达：拒绝接收的人（只有受送达人拒收时才能留置送达）",
    ),
    ("Service.refused_reason", "留置送达：拒收的理由"),
    (
        "Service.index",
        "同种文书有多份时送达第几份（从0起，按 measures 的序号）",
    ),
    ("ServiceMethod", "送达方式"),
    (
        "Retention",
        "保管期限：permanent（永久）、30y（30年）、10y（10年）",
    ),
    (
        "ArchiveInfo.retention",
        "保管期限：permanent（永久）、30y（30年）、10y（10年）",
    ),
    ("ArchiveInfo.filed_on", "归档日期"),
    ("ArchiveInfo.classification", "案卷密级"),
    ("ArchiveInfo.remarks", "备考"),
    ("Attachment.title", "题名"),
    (
        "Attachment.file",
        "文件路径（PDF、JPG 或 PNG，相对于案件根目录）",
    ),
    ("Attachment.date", "日期"),
    ("Attachment.after", "排在哪种文书之后"),
    (
        "Attachment.author",
        "责任者：受检单位或当事人提供的原件写明；本案文书的签字页扫描件不填",
    ),
    ("Unit.name", "单位名称"),
    ("Unit.address", "地址"),
    ("Unit.contact", "联系人"),
    ("Plan.approved_on", "批准日期"),
    ("Plan.approved_by", "批准人"),
    ("Plan.purpose", "检查目的（默认标准表述）"),
    ("Plan.checklist", "检查目录：逐项列出检查内容"),
    ("Team.leader", "组长"),
    ("Team.members", "成员"),
    (
        "NoticeMode",
        "通知方式：written（书面，提前1-2个工作日）或 oral（口头，检查当日）",
    ),
    (
        "Notice.mode",
        "通知方式：written（书面，提前1-2个工作日）或 oral（口头，检查当日）",
    ),
    ("Notice.issued_on", "通知日期"),
    ("Notice.no", "文号（不填则按 anjuan.yaml 的文号模式编号）"),
    ("Record.object", "检查对象"),
    ("Record.method", "检查方式"),
    ("Record.finding", "检查情况"),
    ("Record.problem", "是否存在问题（true 或 false）"),
    ("Record.corrected_on_site", "是否当场整改"),
    ("Inspection.start", "检查开始日期"),
    ("Inspection.end", "检查结束日期"),
    ("Inspection.briefing_on", "向受检单位通报检查意见的日期"),
    ("Inspection.records", "检查情况登记表的各行"),
    ("Inspection.leak_found", "是否发现泄密案件（发现的须复查）"),
    (
        "DisposalKind",
        "处置种类：stop_use（责令停止使用）或 register_preserve（登记保存）",
    ),
    (
        "Disposal.kind",
        "处置种类：stop_use（责令停止使用）或 register_preserve（登记保存）",
    ),
    ("Disposal.notified_on", "行政处置通知书的日期"),
    ("Disposal.hazard", "泄密隐患的具体情况"),
    (
        "Disposal.legal_basis",
        "法律依据（不填则按日期引用现行条文）",
    ),
    ("Disposal.kept_at", "登记保存物品的存放地点"),
    ("Disposal.items", "物品清单"),
    ("Disposal.no", "文号"),
    (
        "Disposal.approved_by",
        "登记保存：事先批准的行政机关负责人（行政处罚法第五十六条）",
    ),
    ("Disposal.approved_on", "登记保存：批准日期"),
    (
        "Disposal.decision",
        "登记保存：先行登记保存物品处理决定，登记后7个工作日内作出",
    ),
    (
        "PreservationDecision",
        "先行登记保存物品处理决定（登记后7个工作日内作出）",
    ),
    (
        "PreservationDecision.on",
        "处理决定日期（登记后7个工作日内）",
    ),
    (
        "PreservationDecision.outcome",
        "处理结果：release（解除登记保存并退还）、keep_as_evidence（继续作为证据登记保存）、confiscate（收缴）、transfer（移送有关机关）",
    ),
    (
        "PreservationOutcome",
        "处理结果：release（解除登记保存并退还）、keep_as_evidence（继续作为证据登记保存）、confiscate（收缴）、transfer（移送有关机关）",
    ),
    ("PreservationDecision.note", "说明"),
    ("PreservationDecision.to", "移送的机关（transfer 时）"),
    ("PreservationDecision.no", "文号"),
    ("TechnicalCheck.performed_on", "核查日期"),
    ("TechnicalCheck.place", "核查地点（现场或专门场所）"),
    ("TechnicalCheck.examiners", "核查人员"),
    ("TechnicalCheck.method", "核查方法"),
    ("TechnicalCheck.findings", "核查发现（原始证据）"),
    ("TechnicalCheck.conclusion", "核查结论"),
    (
        "TechnicalCheck.write_blocker",
        "使用的写保护设备（只读锁等）；写了报告才称在写保护状态下检查",
    ),
    ("TechnicalCheck.hashes", "提取数据的校验值"),
    ("TechnicalCheck.backup", "备份情况及保存地点"),
    ("Hash.item", "计算校验值的对象（物品或其镜像）"),
    ("Hash.algorithm", "算法，如 SHA-256、SM3"),
    ("Hash.value", "校验值"),
    ("ReportData.units", "检查单位数"),
    ("ReportData.computers", "检查计算机台数"),
    ("ReportData.storage_media", "检查存储介质个数"),
    ("ReportData.documents", "检查文件份数"),
    ("ReportData.problems", "发现问题数"),
    ("PersonHandling.name", "姓名"),
    ("PersonHandling.position", "职务"),
    (
        "PersonHandling.facts",
        "违反保密法律法规或保密管理规定的事实",
    ),
    ("PersonHandling.handling", "处理意见"),
    (
        "PersonHandling.breach",
        "违反的是：law（保密法律法规，涉及国家秘密）或 rules（保密管理规定，默认）",
    ),
    (
        "Breach",
        "违反的是：law（保密法律法规，涉及国家秘密）或 rules（保密管理规定，默认）",
    ),
    ("Report.submitted_on", "提交日期（检查结束后5个工作日内）"),
    ("Report.to", "报送的部门（默认本机关）"),
    ("Report.data", "检查数据"),
    ("Report.problems", "主要问题"),
    ("Report.rectification_measures", "整改措施"),
    ("Report.suggestions", "工作建议"),
    ("Report.original_records", "移交的原始记录材料"),
    (
        "Report.personnel_handling",
        "对违反保密法律法规或保密管理规定人员的处理情况（生成专门报告）",
    ),
    ("Rectification.content", "整改内容"),
    ("Rectification.due", "整改期限"),
    ("Opinion.issued_on", "出具日期（检查结束后20个工作日内）"),
    ("Opinion.findings", "检查发现"),
    ("Opinion.rectifications", "整改要求：每项有内容和期限"),
    ("Opinion.handling_suggestions", "对违法违规行为的处理建议"),
    ("Opinion.no", "文号"),
    (
        "ObjectionTarget",
        "异议针对：opinion（检查意见书）或 reinspection_opinion（复查意见书）",
    ),
    (
        "ObjectionResult",
        "核查结果：upheld（成立）、partly_upheld（部分成立）、rejected（不成立）",
    ),
    ("Objection.received_on", "收到异议的日期"),
    (
        "Objection.against",
        "异议针对：opinion（检查意见书）或 reinspection_opinion（复查意见书）",
    ),
    ("Objection.content", "异议内容"),
    ("Objection.checked", "核查了什么"),
    (
        "Objection.reply_on",
        "异议核查意见书的日期（收到后20个工作日内）",
    ),
    ("Objection.finding", "核查认定"),
    (
        "Objection.result",
        "核查结果：upheld（成立）、partly_upheld（部分成立）、rejected（不成立）",
    ),
    ("Objection.no", "文号"),
    (
        "ReinspectionOutcome",
        "复查结论：rectified（已整改）或 not_rectified（未整改）",
    ),
    ("Reinspection.performed_on", "复查日期（整改期限届满后）"),
    ("Reinspection.findings", "复查情况"),
    (
        "Reinspection.opinion_on",
        "复查意见书的日期（复查后10个工作日内）",
    ),
    (
        "Reinspection.outcome",
        "复查结论：rectified（已整改）或 not_rectified（未整改）",
    ),
    ("Reinspection.lift_measures", "是否解除处置措施"),
    ("Reinspection.handling_opinion", "未整改的处理意见"),
    ("Reinspection.further_requirements", "进一步要求"),
    ("Reinspection.no", "文号"),
    (
        "SuperiorReport.to",
        "报送的上级部门（默认 anjuan.yaml 的 superior.name）",
    ),
    (
        "SuperiorReport.submitted_on",
        "报送日期（检查结束后20个工作日内）",
    ),
    (
        "OrganizedBy",
        "检查的组织者：self（本机关）或 superior（上级部署）",
    ),
    (
        "PartyType",
        "当事人类型：organization（单位）或 person（个人）",
    ),
    (
        "Party.type",
        "当事人类型：organization（单位）或 person（个人）",
    ),
    ("Party.name", "名称或姓名"),
    ("Party.credit_code", "统一社会信用代码（单位）"),
    ("Party.id_no", "身份证件号码（个人）"),
    ("Party.legal_representative", "法定代表人"),
    ("Party.address", "地址"),
    ("Party.phone", "电话"),
    ("Violation.discovered_on", "发现日期"),
    ("Violation.source", "案件来源，如 保密检查中发现"),
    ("Violation.facts", "违法事实"),
    ("Violation.legal_basis", "法律依据"),
    (
        "Approval.urgent",
        "是否情况紧急、当场实施（true：24小时内报告，事后补办批准手续）",
    ),
    ("Approval.requested_on", "报请批准日期"),
    ("Approval.approved_on", "批准日期"),
    ("Approval.approved_by", "批准人（行政机关负责人）"),
    (
        "Approval.reported_at",
        "情况紧急：向负责人报告的时间 \"YYYY-MM-DD HH:MM\"",
    ),
    ("Approval.officers_opinion", "承办人意见"),
    ("Approval.approver_opinion", "负责人审批意见（默认 同意）"),
    ("PartyNotified.on", "通知日期"),
    ("PartyNotified.method", "通知方式，如 电话通知"),
    ("Witness.name", "见证人姓名"),
    ("Witness.id_no", "身份证件号码"),
    ("Witness.unit", "工作单位"),
    ("Witness.phone", "电话"),
    (
        "RecusalDecision",
        "回避决定：granted（回避）或 rejected（不回避）",
    ),
    ("Recusal.requested", "是否申请回避"),
    ("Recusal.requested_by", "申请人（默认当事人）"),
    ("Recusal.against", "申请回避的执法人员"),
    ("Recusal.reason", "理由"),
    (
        "Recusal.decision",
        "回避决定：granted（回避）或 rejected（不回避）",
    ),
    ("Recusal.decided_by", "决定人"),
    ("Recusal.decided_on", "决定日期（默认现场实施当日）"),
    ("Signature", "签名：signed（已签名）或 refused（拒绝签名）"),
    ("OnSite.date", "现场实施日期"),
    ("OnSite.start_time", "开始时间 \"HH:MM\""),
    ("OnSite.end_time", "结束时间 \"HH:MM\""),
    ("OnSite.place", "地点"),
    ("OnSite.credentials_shown", "是否出示执法证件（默认 true）"),
    (
        "OnSite.party_present",
        "当事人是否到场（不到场的须有见证人）",
    ),
    (
        "OnSite.party_attendee",
        "到场的当事人或其代表（当事人到场时必填）",
    ),
    ("Attendee.name", "到场人姓名"),
    ("Attendee.title", "身份，如 法定代表人、当事人本人"),
    ("Attendee.id_no", "身份证件号码"),
    ("OnSite.notified_party", "通知当事人到场的情况"),
    ("OnSite.witness", "见证人"),
    ("OnSite.recusal", "回避申请"),
    (
        "OnSite.informed",
        "是否当场告知理由、依据、权利和救济途径（默认 true）",
    ),
    ("OnSite.statements", "当事人的陈述和申辩"),
    ("OnSite.statement_by", "陈述申辩人（默认当事人）"),
    ("OnSite.record", "现场笔录：发现的情况"),
    (
        "OnSite.signature",
        "签名：signed（已签名）或 refused（拒绝签名）",
    ),
    ("OnSite.refused_reason", "拒绝签名的理由"),
    (
        "MeasureKind",
        "措施种类：rectify（责令整改）、stop_use（责令停止使用）、confiscate（收缴）、preserve_evidence（证据保存）",
    ),
    (
        "Measure.kind",
        "措施种类：rectify（责令整改）、stop_use（责令停止使用）、confiscate（收缴）、preserve_evidence（证据保存）",
    ),
    ("Measure.legal_basis", "法律依据"),
    ("Measure.items", "物品清单"),
    ("Measure.content", "责令整改：整改内容"),
    ("Measure.due", "责令整改：整改期限"),
    ("Measure.kept_at", "物品存放地点"),
    (
        "Measure.extended_on",
        "停止使用、证据保存：情况复杂延长30日，书面告知当事人的日期（原期限届满前；收缴没有期限）",
    ),
    (
        "Measure.extension_approved_by",
        "批准延长期限的行政机关负责人",
    ),
    ("Measure.extension_reason", "延长期限的理由（情况复杂）"),
    (
        "Measure.testing_days",
        "检测、检验、技术鉴定的天数（不计入30日期限）",
    ),
    (
        "Measure.testing",
        "检测、检验、技术鉴定：内容、检测机构、告知日期",
    ),
    ("Testing.content", "检测内容，如 密级鉴定"),
    ("Testing.by", "检测、鉴定机构"),
    ("Testing.notified_on", "书面告知当事人的日期"),
    (
        "Measure.lifted",
        "停止使用、证据保存：解除措施（行政强制法第二十八条），生成解除决定书",
    ),
    ("Lifted.on", "解除日期"),
    ("Lifted.reason", "解除理由"),
    ("Lifted.no", "解除决定书文号"),
    ("Measure.no", "文号"),
    (
        "Disposition",
        "处理方式：confiscate（收缴）、return（退还）、transfer（移送）",
    ),
    ("ItemDisposition.item", "物品名称（与措施的物品清单一致）"),
    (
        "ItemDisposition.action",
        "处理方式：confiscate（收缴）、return（退还）、transfer（移送）",
    ),
    (
        "HandlingDecision.date",
        "处理决定日期（现场实施后7个工作日内）",
    ),
    ("HandlingDecision.outcome", "处理结果"),
    (
        "HandlingDecision.items",
        "逐件的处理方式（不填则随案移送的物品为移送、退还的为退还、其余收缴）",
    ),
    ("HandlingDecision.legal_basis", "法律依据"),
    (
        "HandlingDecision.confiscated",
        "收缴的物品（收缴清单）：写明密级、来源、扩散范围",
    ),
    ("HandlingDecision.no", "文号"),
    ("Transfer.to", "移送的部门"),
    ("Transfer.date", "移送日期"),
    ("Transfer.reason", "移送理由"),
    (
        "Transfer.suspects",
        "涉嫌犯罪的自然人（单位不承担刑法第三百九十八条的责任）",
    ),
    ("Suspect.name", "姓名"),
    ("Suspect.position", "职务"),
    ("Suspect.id_no", "身份证件号码"),
    (
        "Transfer.materials",
        "附送的材料，如 调查报告、涉案物品清单、鉴定结论",
    ),
    (
        "Transfer.items",
        "随案移送的物品名称（与措施的物品清单一致）",
    ),
    ("Transfer.copy_to", "抄送的同级人民检察院"),
    ("Transfer.no", "文号"),
    ("Return.date", "退还日期"),
    ("Return.items", "退还的物品"),
    ("Return.recipient", "签收人"),
    ("Authority.name", "机关全称，如 某县国家保密局"),
    ("Authority.short_name", "机关简称，用于文号，如 某保"),
    ("Authority.address", "地址"),
    ("Authority.postcode", "邮政编码"),
    ("Authority.service_phone", "服务电话"),
    ("Authority.complaint_phone", "监督投诉电话"),
    ("Authority.head", "行政机关负责人（批准强制措施）"),
    ("Superior.name", "上级部门名称"),
    ("Remedies.review_body", "行政复议机关"),
    ("Remedies.court", "行政诉讼管辖法院"),
    ("ArchiveSettings.fonds_no", "全宗号"),
    ("ArchiveSettings.fonds_name", "全宗名称"),
    ("ArchiveSettings.category", "档案门类代码（默认 WS 文书）"),
    ("ArchiveSettings.org_code", "机构（问题）代码"),
    ("ArchiveSettings.filer", "立卷人"),
    ("ArchiveSettings.checker", "检查人"),
    ("ArchiveSettings.max_pages", "每卷最多页数（默认200）"),
    ("ArchiveSettings.code_template", "档号模式"),
    ("ArchiveSettings.duplex", "双面打印：偶数页页号在左上"),
    (
        "CalendarSettings.extra",
        "补充的日历文件（JSON 或 YAML）：一个路径或路径列表",
    ),
];

/// The schema, as pretty JSON ending with a newline.
pub fn to_string() -> String {
    let mut s = serde_json::to_string_pretty(&generate()).expect("serializes");
    s.push('\n');
    s
}

/// The combined schema: a case, a campaign or the settings, told apart by `kind`.
pub fn generate() -> Value {
    let mut generator = SchemaGenerator::default();
    for name in [
        "InspectionFile",
        "EnforcementFile",
        "CampaignFile",
        "SettingsFile",
    ] {
        match name {
            "InspectionFile" => generator.subschema_for::<InspectionFile>(),
            "EnforcementFile" => generator.subschema_for::<EnforcementFile>(),
            "CampaignFile" => generator.subschema_for::<CampaignFile>(),
            _ => generator.subschema_for::<SettingsFile>(),
        };
    }
    let mut defs: Map<String, Value> = generator.take_definitions(true);
    post_process(&mut defs);
    let by_kind = |kind: &str, def: &str, otherwise: Value| {
        json!({
            "if": { "properties": { "kind": { "const": kind } }, "required": ["kind"] },
            "then": { "$ref": format!("#/$defs/{def}") },
            "else": otherwise
        })
    };
    let unknown_kind = json!({
        "if": { "required": ["kind"] },
        "then": {
            "properties": { "kind": {
                "enum": ["inspection", "enforcement", "campaign"],
                "description": "种类：inspection（保密检查）、enforcement（行政强制）或 campaign（批量发文）"
            } }
        },
        "else": { "$ref": "#/$defs/SettingsFile" }
    });
    let chain = by_kind(
        "inspection",
        "InspectionFile",
        by_kind(
            "enforcement",
            "EnforcementFile",
            by_kind("campaign", "CampaignFile", unknown_kind),
        ),
    );
    let mut root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://anjuan.invalid/anjuan.schema.json",
        "title": "案卷（anjuan）：案件、批量发文和设置文件",
        "description": "kind: inspection 为保密检查案件，kind: enforcement 为行政强制案件，kind: campaign 为批量发文；没有 kind 的是案件根目录的设置文件 anjuan.yaml。由 anjuan schema 生成。",
        "type": "object",
    });
    let obj = root.as_object_mut().expect("object");
    for (k, v) in chain.as_object().expect("object") {
        obj.insert(k.clone(), v.clone());
    }
    obj.insert("$defs".into(), Value::Object(defs));
    root
}

fn post_process(defs: &mut Map<String, Value>) {
    let descriptions: BTreeMap<&str, &str> = DESCRIPTIONS.iter().copied().collect();
    let doc_ids: Vec<Value> = DocKind::ALL.iter().map(|k| json!(k.id())).collect();
    for (name, def) in defs.iter_mut() {
        let Some(obj) = def.as_object_mut() else {
            continue;
        };
        match descriptions.get(name.as_str()) {
            Some(d) => {
                obj.insert("description".into(), json!(d));
            }
            // The model's own comments are for programmers (and in English).
            None => {
                obj.remove("description");
            }
        }
        if let Some((_, required)) = REQUIRED.iter().find(|(n, _)| n == name) {
            obj.insert("required".into(), json!(required));
        }
        let Some(Value::Object(props)) = obj.get_mut("properties") else {
            continue;
        };
        for (field, schema) in props.iter_mut() {
            let Some(p) = schema.as_object_mut() else {
                continue;
            };
            let key = format!("{name}.{field}");
            match descriptions.get(key.as_str()) {
                Some(d) => {
                    p.insert("description".into(), json!(d));
                }
                None => {
                    p.remove("description");
                }
            }
        }
        // Enumerations the loaders check by hand.
        let set_enum = |props: &mut Map<String, Value>, field: &str, values: Vec<Value>| {
            if let Some(Value::Object(p)) = props.get_mut(field) {
                p.remove("type");
                p.insert("enum".into(), Value::Array(values));
            }
        };
        match name.as_str() {
            "Service" => set_enum(props, "document", doc_ids.clone()),
            "Attachment" => set_enum(props, "after", doc_ids.clone()),
            "InspectionFile" => set_enum(props, "kind", vec![json!("inspection")]),
            "EnforcementFile" => set_enum(props, "kind", vec![json!("enforcement")]),
            "CampaignFile" => {
                set_enum(props, "kind", vec![json!("campaign")]);
                let letters: Vec<Value> = crate::letters::campaign::letter_kinds()
                    .map(|k| json!(k.id()))
                    .collect();
                set_enum(props, "document", letters);
                let partial = json!({ "$ref": "#/$defs/PartialInspectionFile" });
                props.insert(
                    "common".into(),
                    json!({
                        "$ref": "#/$defs/PartialInspectionFile",
                        "description": descriptions["CampaignFile.common"],
                    }),
                );
                props.insert(
                    "recipients".into(),
                    json!({
                        "type": "array",
                        "items": partial,
                        "description": descriptions["CampaignFile.recipients"],
                    }),
                );
            }
            "CalendarSettings" => {
                if let Some(Value::Object(p)) = props.get_mut("extra") {
                    let d = p.get("description").cloned();
                    p.clear();
                    p.insert(
                        "anyOf".into(),
                        json!([
                            { "type": "string" },
                            { "type": "array", "items": { "type": "string" } }
                        ]),
                    );
                    if let Some(d) = d {
                        p.insert("description".into(), d);
                    }
                }
            }
            "SettingsFile" => {
                let ids: Vec<Value> = DocKind::ALL.iter().map(|k| json!(k.id())).collect();
                if let Some(Value::Object(p)) = props.get_mut("numbering") {
                    p.insert("propertyNames".into(), json!({ "enum": ids }));
                }
            }
            _ => {}
        }
    }
    add_partials(defs);
}

/// `Partial<Name>` copies of the inspection blocks with nothing required: a campaign's `common`
/// and each recipient row hold parts of a case, merged before it is read.
fn add_partials(defs: &mut Map<String, Value>) {
    let mut todo = vec!["InspectionFile".to_string()];
    let mut done: Vec<String> = Vec::new();
    while let Some(name) = todo.pop() {
        if done.contains(&name) {
            continue;
        }
        done.push(name.clone());
        let Some(def) = defs.get(&name).cloned() else {
            continue;
        };
        let mut def = def;
        relax(&mut def, &mut todo);
        if name == "InspectionFile" {
            if let Some(Value::Object(props)) = def.get_mut("properties") {
                for k in ["kind", "id", "title"] {
                    props.remove(k);
                }
            }
            if let Some(o) = def.as_object_mut() {
                o.insert(
                    "description".into(),
                    json!("保密检查案件的部分字段（与其他部分合并后须完整）"),
                );
            }
        }
        let partial = format!("Partial{name}");
        defs.insert(partial, def);
    }
}

/// Drops `required` and points `$ref`s at the partial copies (queued in `todo`).
fn relax(v: &mut Value, todo: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            o.remove("required");
            if let Some(Value::String(r)) = o.get_mut("$ref")
                && let Some(name) = r.strip_prefix("#/$defs/").map(str::to_string)
            {
                todo.push(name.clone());
                *r = format!("#/$defs/Partial{name}");
            }
            for (_, child) in o.iter_mut() {
                relax(child, todo);
            }
        }
        Value::Array(a) => {
            for child in a {
                relax(child, todo);
            }
        }
        _ => {}
    }
}

/// The line the samples start with, for a file `depth` folders below the cases root.
pub fn modeline(depth: usize) -> String {
    format!(
        "# yaml-language-server: $schema={}{FILE_NAME}",
        "../".repeat(depth)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field a case, campaign or settings file can hold has a Chinese description, and
    /// every description names a block or field of the model (none left from an older one).
    #[test]
    fn descriptions_cover_the_model_and_nothing_else() {
        let schema = generate();
        let defs = schema["$defs"].as_object().unwrap();
        let mut missing = Vec::new();
        for (name, def) in defs {
            if name.starts_with("Partial") {
                continue;
            }
            for (field, p) in def["properties"].as_object().into_iter().flatten() {
                if p.get("description").is_none() {
                    missing.push(format!("{name}.{field}"));
                }
            }
        }
        assert!(missing.is_empty(), "no description: {missing:?}");
        let stale: Vec<&str> = DESCRIPTIONS
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| match k.split_once('.') {
                Some((def, field)) => defs
                    .get(def)
                    .and_then(|d| d["properties"].get(field))
                    .is_none(),
                None => !defs.contains_key(*k),
            })
            .collect();
        assert!(stale.is_empty(), "not in the model: {stale:?}");
    }
}
