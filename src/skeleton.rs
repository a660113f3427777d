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
#   - kind: stop_use            # stop_use 责令停止使用 | register_preserve 登记保存
#     notified_on: 2026-02-12
#     hazard: 涉密计算机违规连接互联网，存在泄密隐患
#     kept_at: 某县国家保密局技术检查室   # 登记保存物品的存放地点
#     items:
#       - { name: 台式计算机, model: 启天M430, serial: BM-001, quantity: 1 }

# technical_check:              # 技术核查取证（有登记保存时必填）
#   performed_on: 2026-02-13
#   place: 某县国家保密局技术检查室
#   examiners: [陈某, 刘某]
#   findings: [ 硬盘中存有涉密文件3份 ]
#   conclusion: 该计算机存在违规外联行为

# report:                       # 书面检查报告：检查结束后5个工作日内
#   submitted_on: 2026-02-26
#   data: { units: 1, computers: 12, storage_media: 30, documents: 215, problems: 2 }
#   problems: [ 涉密计算机违规连接互联网 ]
#   rectification_measures: [ 立即断开违规外联计算机 ]
#   suggestions: [ 加强涉密人员保密教育培训 ]

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

# archive:                      # 归档
#   retention: 30y              # permanent | 30y | 10y
#   filed_on: 2026-05-08

# attachments:                  # 并入案卷的签字页扫描件（PDF、JPG 或 PNG）
#   - { title: 检查情况登记表（签字页扫描件）, file: scans/register.pdf, date: 2026-02-12, after: inspection_register }
"#;

const ENFORCEMENT: &str = r#"# 行政强制案件 {id}（anjuan new enforcement 生成）
# 标有【必填】的项必须填写；其余按实际情况填写或删去。日期写作 YYYY-MM-DD，时间写作 "HH:MM"。
# 后续步骤（处理决定、移送、退还、送达、归档）在文件末尾，发生时去掉行首的“# ”再填写。
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
  party_present: true           # 【必填】当事人是否到场：true 或 false（不到场须有见证人 witness）
  attended_by:                  # 到场的当事人或其代表，如 韩某（法定代表人）
  # notified_party: { on: 2026-06-02, method: 电话通知 }
  # witness: { name: 周某, id_no: "632801199001011234", unit: 某县工业园区管委会 }
  informed: true                # 当场告知理由、依据、权利和救济途径
  statements:                   # 当事人的陈述和申辩（如有）
  record:                       # 【必填】现场笔录：发现的情况
  signature: signed             # 【必填】signed 已签名 | refused 拒绝签名（写 refused_reason）

measures:                       # 采取的措施，每项一条
  - kind: rectify               # 【必填】rectify 责令整改 | stop_use 责令停止使用 | confiscate 收缴 | preserve_evidence 证据保存
    content:                    # 【必填】责令整改的内容（其他措施删去此行，改填 items）
    due:                        # 【必填】整改期限（其他措施删去此行）
    # legal_basis: [ "《中华人民共和国保守国家秘密法》第五十二条" ]
    # items:                    # 停止使用、收缴、证据保存：物品清单
    #   - { name: 笔记本电脑, model: ThinkPad E14, serial: PF3ABCDE, quantity: 1, condition: 外观完好 }
    # kept_at: 某县国家保密局涉密载体保管室

# decision:                     # 对保存的证据作出处理决定：7个工作日内
#   date: 2026-06-10
#   outcome: 对笔记本电脑予以收缴
#   items: [ { item: 笔记本电脑, action: confiscate } ]   # confiscate | return | transfer

# transfer:                     # 案件移送
#   to: 某县公安局
#   date: 2026-06-11
#   reason: 移送理由

# return:                       # 退还物品
#   date: 2026-06-12
#   items: [ { name: U盘, quantity: 2 } ]
#   recipient: 签收人

# services:                     # 送达记录，每项一份送达回证
#   - { document: measure_decision, on: 2026-06-03, method: direct, recipient: 签收人 }

# archive:                      # 归档
#   retention: 30y              # permanent | 30y | 10y
#   filed_on: 2026-07-01
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

/// Whether `id` can name a case (and its file).
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

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
