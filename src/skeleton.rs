//! `anjuan new inspection|enforcement|campaign ID`: a commented case file in the contract's
//! field order. Blanks marked 【必填】 must be filled; once they are, `anjuan check` accepts the
//! file. The later steps of a procedure are there as comments, to be uncommented as they happen.

use std::path::{Path, PathBuf};

/// The marker of a blank that must be filled.
pub const REQUIRED: &str = "【必填】";

pub const KINDS: &[&str] = &["inspection", "enforcement", "campaign"];

const INSPECTION: &str = r#"# 保密检查案件 {id}（anjuan new inspection 生成）
# 标有【必填】的项必须填写；其余按实际情况填写或删去。日期写作 YYYY-MM-DD。
# 后续步骤（处置、报告、意见、异议、复查、送达、归档）在文件末尾，发生时去掉行首的“# ”再填写。
# 填好后运行：anjuan check 案件目录

kind: inspection
id: {id}                        # 案件编号：字母、数字、“-”和“_”（用作文件名）
title:                          # 【必填】案卷题名，如 对某县某局开展保密检查
# organized_by: superior        # 上级部署的检查写 superior（默认 self，本机关组织）
# security: 秘密★1年            # 密级标志（如有），印在首页左上角

inspected_unit:                 # 受检机关、单位
  name:                         # 【必填】单位名称
  address:                      # 地址
  # contact: { name: 赵某某, title: 办公室主任, phone: "0976-8870000" }

plan:                           # 工作方案和检查目录（不制作工作方案的，整块删去）
  approved_on:                  # 批准日期
  approved_by:                  # 批准人
  checklist:                    # 检查目录，每项一行
    -                           # 【必填】如 保密工作责任制落实情况

team:                           # 检查组：至少两人，均有执法证件号
  leader:
    name:                       # 【必填】组长姓名
    cert_no:                    # 【必填】执法证件号
  members:
    - name:                     # 【必填】成员姓名
      cert_no:                  # 【必填】执法证件号
      duty:                     # 职责分工，如 载体与台账检查

notice:                         # 检查通知
  mode: written                 # 【必填】written 书面（提前1-2个工作日）| oral 口头（检查当日）
  issued_on:                    # 【必填】通知日期

inspection:                     # 现场检查
  start:                        # 【必填】开始日期
  end:                          # 【必填】结束日期
  briefing_on:                  # 向受检单位通报检查意见的日期
  records:                      # 检查情况登记表，每个检查对象一项
    - object:                   # 【必填】检查对象，如 机要室涉密文件柜及台账
      method:                   # 【必填】检查方式，如 查阅台账、清点实物
      finding:                  # 【必填】检查情况
      problem: false            # 【必填】是否存在问题：true 或 false
      corrected_on_site: false  # 是否当场整改

# measures:                     # 行政处置（检查中发现泄密隐患时）
#   - kind: stop_use            # stop_use 责令停止使用（复查意见书决定是否解除，没有30日期限）
#     notified_on: 2026-02-12
#     hazard: 涉密计算机违规连接互联网，存在泄密隐患
#     items:
#       - { name: 台式计算机, model: 启天M430, serial: BM-001, quantity: 1 }
#   - kind: register_preserve   # register_preserve 登记保存（须有技术核查取证 technical_check）
#     notified_on: 2026-02-12
#     hazard: 硬盘中可能存有违规处理的涉密信息
#     kept_at: 某县国家保密局技术检查室   # 登记保存物品的存放地点
#     items:
#       - { name: 硬盘, model: ST1000DM010, serial: Z9A1B2C3, quantity: 1 }
#     approved_by: 张某某         # 事先经行政机关负责人批准（行政处罚法第五十六条）
#     approved_on: 2026-02-12
#     decision:                   # 先行登记保存物品处理决定书：登记后7个工作日内作出
#       on: 2026-02-26
#       outcome: keep_as_evidence # release 解除并退还 | keep_as_evidence 继续作为证据 | confiscate 收缴 | transfer 移送（写 to）
#       note: 硬盘经技术核查已提取原始证据，继续登记保存至复查结束

# technical_check:              # 技术核查取证（有登记保存时必填）
#   performed_on: 2026-02-13
#   place: 某县国家保密局技术检查室
#   examiners: [陈某, 刘某]
#   method: 使用保密技术检查工具只读检查
#   findings: [ 硬盘中存有涉密文件3份 ]
#   conclusion: 该计算机存在违规外联行为
#   write_blocker: 只读锁（型号 WB-2000）   # 使用的写保护设备（写了才称在写保护状态下检查）
#   hashes:                     # 提取数据的校验值
#     - { item: 硬盘镜像文件, algorithm: SHA-256, value: 校验值 }
#   backup: 镜像文件已刻录光盘2份    # 备份及保存情况

# report:                       # 书面检查报告：检查结束后5个工作日内
#   submitted_on: 2026-02-26
#   data: { units: 1, computers: 12, storage_media: 30, documents: 215, problems: 2 }
#   problems: [ 涉密计算机违规连接互联网 ]
#   rectification_measures: [ 立即断开违规外联计算机 ]
#   suggestions: [ 加强涉密人员保密教育培训 ]
#   personnel_handling:         # 人员处理情况（生成专门报告）
#     - { name: 某甲, position: 科员, facts: 在非涉密计算机中存储内部敏感文件, handling: 批评教育, breach: rules }   # breach: law 违反保密法律法规 | rules 违反保密管理规定

# opinion:                      # 检查意见书：检查结束后20个工作日内
#   issued_on: 2026-03-12
#   rectifications:
#     - { content: 完善涉密移动存储介质台账, due: 2026-03-31 }
#   handling_suggestions: [ 建议对相关责任人员进行批评教育 ]

# objection:                    # 异议：收到后20个工作日内答复
#   received_on: 2026-03-18
#   against: opinion            # opinion | reinspection_opinion
#   content: 异议内容
#   reply_on: 2026-04-10
#   finding: 核查认定
#   result: rejected            # upheld | partly_upheld | rejected

# reinspection:                 # 复查：整改期限届满后；复查后10个工作日内出具复查意见书
#   performed_on: 2026-04-20
#   findings: 复查情况
#   opinion_on: 2026-04-30
#   outcome: rectified          # rectified | not_rectified
#   lift_measures: true

# superior_report:              # 上级部署的检查：检查结束后20个工作日内报上级
#   submitted_on: 2026-03-10

# services:                     # 送达记录，每项一份送达回证
#   - { document: inspection_notice, on: 2026-02-05, method: direct, recipient: 赵某某 }
#   - { document: preservation_decision, on: 2026-02-26, method: direct, recipient: 赵某某 }

# archive:                      # 归档
#   retention: 30y              # permanent | 30y | 10y
#   filed_on: 2026-05-08

# attachments:                  # 并入案卷的签字页扫描件（PDF、JPG 或 PNG）
#   - { title: 检查情况登记表（签字页扫描件）, file: scans/register.pdf, date: 2026-02-12, after: inspection_register }
#   - { title: 整改情况报告, file: scans/rectification.pdf, date: 2026-04-15, after: reinspection_opinion, author: 某县某局 }   # author：受检单位提供的原件的责任者
"#;

const ENFORCEMENT: &str = r#"# 行政强制案件 {id}（anjuan new enforcement 生成）
# 标有【必填】的项必须填写；其余按实际情况填写或删去。日期写作 YYYY-MM-DD，时间写作 "HH:MM"。
# 后续步骤（处理决定、移送、退还、送达、归档、附件）在文件末尾，发生时去掉行首的“# ”再填写。
# 填好后运行：anjuan check 案件目录

kind: enforcement
id: {id}                        # 案件编号：字母、数字、“-”和“_”（用作文件名）
title:                          # 【必填】案卷题名，如 某公司违规存储涉密资料案
# security: 秘密★1年            # 密级标志（如有）

party:                          # 当事人
  type: organization            # 【必填】organization 单位 | person 个人
  name:                         # 【必填】名称或姓名
  credit_code:                  # 统一社会信用代码（单位）；个人改写 id_no: 身份证件号码
  legal_representative:         # 法定代表人（单位）
  address:                      # 地址
  phone:                        # 电话（加引号）

violation:                      # 发现查处的违法行为
  discovered_on:                # 【必填】发现日期
  source:                       # 案件来源，如 保密检查中发现
  facts:                        # 【必填】违法事实
  legal_basis: []               # 法律依据，如 [ "《中华人民共和国保守国家秘密法》第五十二条" ]

approval:                       # 实施前向行政机关负责人报告并经批准
  urgent: false                 # 情况紧急当场实施的写 true，并填 reported_at: "YYYY-MM-DD HH:MM"（24小时内报告）
  requested_on:                 # 【必填】报请批准日期
  approved_on:                  # 【必填】批准日期
  approved_by:                  # 【必填】批准人（行政机关负责人）

officers:                       # 执法人员：至少两人，均有执法证件号
  - name:                       # 【必填】姓名
    cert_no:                    # 【必填】执法证件号
  - name:                       # 【必填】姓名
    cert_no:                    # 【必填】执法证件号

on_site:                        # 现场实施
  date:                         # 【必填】日期
  start_time:                   # 【必填】开始时间，如 "09:30"（加引号）
  end_time:                     # 结束时间
  place:                        # 【必填】地点
  credentials_shown: true       # 出示执法证件
  party_present: true           # 【必填】当事人是否到场：true 或 false（不到场的删去 party_attendee，改填 witness）
  party_attendee:               # 到场的当事人或其代表（执法人员向其出示证件、告知，由其签名）
    name:                       # 【必填】姓名
    title:                      # 身份，如 法定代表人、当事人本人
    id_no:                      # 身份证件号码（加引号）
  # notified_party: { on: 2026-06-02, method: 电话通知 }
  # witness: { name: 周某, id_no: "632801199001011234", unit: 某县工业园区管委会 }   # 当事人不到场时必填，与执法人员一同签名
  # recusal: { requested: true, against: 刘某, reason: 申请理由, decision: rejected, decided_by: 张某某 }   # 到场人申请回避时；decision: granted | rejected
  informed: true                # 当场告知理由、依据、权利和救济途径
  statements:                   # 到场人的陈述和申辩（如有；当事人不到场的删去）
  record:                       # 【必填】现场笔录：发现的情况
  signature: signed             # 【必填】signed 已签名 | refused 到场人拒绝签名（写 refused_reason，由执法人员在笔录中注明）
  # refused_reason: 到场人拒绝签名的情况

measures:                       # 采取的措施，每项一条
  - kind: rectify               # 【必填】rectify 责令整改 | stop_use 责令停止使用 | confiscate 收缴 | preserve_evidence 证据保存
    content:                    # 【必填】责令整改的内容（其他措施删去此行，改填 items）
    due:                        # 【必填】整改期限（其他措施删去此行）
  # - kind: preserve_evidence   # 停止使用、证据保存：期限不超过30日（收缴没有期限，不写下面的延长、检测、解除）
  #   legal_basis: [ "《中华人民共和国行政处罚法》第五十六条" ]
  #   items:                    # 物品清单；收缴的物品写明 classification 密级、source 来源、spread 扩散范围（收缴清单）
  #     - { name: 笔记本电脑, model: ThinkPad E14, serial: PF3ABCDE, quantity: 1, condition: 外观完好, classification: 秘密, source: 物品来源, spread: 扩散范围 }
  #   kept_at: 某县国家保密局涉案物品保管室
  #   extended_on: 2026-06-30   # 情况复杂延长30日：书面告知当事人的日期（原期限届满前）
  #   extension_approved_by: 张某某   # 批准延长的行政机关负责人
  #   extension_reason: 案情复杂，需进一步核查
  #   testing_days: 10          # 检测、检验、技术鉴定的天数（不计入期限）
  #   testing: { content: 密级鉴定, by: 某州国家保密局, notified_on: 2026-06-05 }
  #   lifted: { on: 2026-06-12, reason: 解除理由 }   # 解除措施（行政强制法第二十八条）

# decision:                     # 对保存的证据作出处理决定：7个工作日内
#   date: 2026-06-10
#   outcome: 对笔记本电脑予以收缴
#   items: [ { item: 笔记本电脑, action: confiscate } ]   # confiscate | return | transfer
#   confiscated:                # 收缴的物品（收缴清单）：密级、来源、扩散范围
#     - { name: 笔记本电脑, model: ThinkPad E14, serial: PF3ABCDE, quantity: 1, classification: 秘密, source: 物品来源, spread: 扩散范围 }

# transfer:                     # 案件移送（处理决定之后的，处理决定写“决定移送”）
#   to: 某县公安局
#   date: 2026-06-11
#   suspects: [ { name: 钱某, position: 职务 } ]   # 涉嫌犯罪的自然人
#   reason: 移送理由
#   items: [ 笔记本电脑 ]        # 随案移送的物品（与物品清单的名称一致）
#   materials: [ 涉嫌犯罪案件情况的调查报告, 涉案物品清单 ]
#   copy_to: 某县人民检察院      # 抄送同级人民检察院

# return:                       # 退还物品
#   date: 2026-06-12
#   items: [ { name: U盘, quantity: 2 } ]
#   recipient: 签收人

# services:                     # 送达记录，每项一份送达回证
#   - { document: measure_decision, on: 2026-06-03, method: direct, recipient: 签收人 }
#   - { document: item_list, on: 2026-06-03, method: left_at_premises, recipient: 某公司, refused_by: 拒收人, refused_reason: 拒绝接收, witness: 见证人 }   # 留置送达：只用于受送达人拒收

# archive:                      # 归档
#   retention: 30y              # permanent | 30y | 10y
#   filed_on: 2026-07-01

# attachments:                  # 并入案卷的签字页扫描件（PDF、JPG 或 PNG）
#   - { title: 现场笔录（签字页扫描件）, file: scans/onsite.pdf, date: 2026-06-03, after: onsite_record }
"#;

const CAMPAIGN: &str = r#"# 批量发文 {id}（anjuan new campaign 生成）：同一种文书发给多个单位，每个单位一封信和一份送达回证
# 标有【必填】的项必须填写。common 中的内容各单位共用，recipients 的每一项可以覆盖它。
# 填好后运行：anjuan check 案件目录

kind: campaign
id: {id}                        # 批次编号：字母、数字、“-”和“_”（用作输出目录名）
title:                          # 【必填】批次名称，如 2026年度保密检查通知
document: inspection_notice     # 【必填】inspection_notice 保密检查通知书 | inspection_opinion 保密检查意见书 | reinspection_opinion 复查意见书

common:                         # 共用内容，字段与保密检查案件相同
  notice:
    mode: written               # 【必填】written 书面 | oral 口头
    issued_on:                  # 【必填】通知日期（检查开始前1-2个工作日）
  inspection:
    start:                      # 【必填】检查开始日期
    end:                        # 【必填】检查结束日期
  plan:
    checklist:
      -                         # 【必填】检查内容，如 保密工作责任制落实情况
  team:
    leader:
      name:                     # 【必填】组长姓名
      cert_no:                  # 【必填】执法证件号
    members:
      - name:                   # 【必填】成员姓名
        cert_no:                # 【必填】执法证件号

recipients:                     # 收文单位，每个单位一项；也可改用 recipients_from: 单位.xlsx（表格文件）
  - inspected_unit:
      name:                     # 【必填】单位名称
      address:                  # 地址
      # contact: { name: 钱某, phone: "0976-8871100" }
"#;

/// The skeleton of `kind` for case `id`, starting with the schema line for a file `depth`
/// folders below the cases root.
pub fn skeleton(kind: &str, id: &str, depth: usize) -> Option<String> {
    let body = match kind {
        "inspection" => INSPECTION,
        "enforcement" => ENFORCEMENT,
        "campaign" => CAMPAIGN,
        _ => return None,
    };
    Some(format!(
        "{}\n{}",
        crate::schema::modeline(depth),
        body.replace("{id}", id)
    ))
}

pub use crate::output::valid_id;

/// How many folders `dir` is below the cases root that holds it (0 when none does).
pub fn depth_below_root(dir: &Path) -> usize {
    let Ok(settings) = crate::settings::discover(dir) else {
        return 0;
    };
    let Some(root) = settings.parent() else {
        return 0;
    };
    let dir: PathBuf = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    dir.strip_prefix(root)
        .map(|rel| rel.components().count())
        .unwrap_or(0)
}
