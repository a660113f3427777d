//! The consistency rules of `documents.md`: each violation a Chinese error or warning on the
//! field it concerns.

use std::path::{Component, Path};

use chrono::NaiveDate;

use super::{Case, Ctx, DisposalKind, InspectionCase, Officer};

/// The case id is usable as a folder name.
pub fn check_id(id: &str, ctx: &mut Ctx) {
    let ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        ctx.error(
            "id",
            format!("案件编号 {id} 只能由字母、数字、“-”和“_”组成（它用作文件名）"),
        );
    }
}

/// 至少两名执法人员，每人有执法证件号。
pub fn check_officers<'a>(
    officers: impl Iterator<Item = (String, &'a Officer)>,
    field: &str,
    what: &str,
    ctx: &mut Ctx,
) {
    let mut count = 0;
    for (path, o) in officers {
        count += 1;
        if o.cert_no.as_ref().is_none_or(|c| c.trim().is_empty()) {
            ctx.error(&path, format!("{what} {} 缺少执法证件号 cert_no", o.name));
        }
    }
    if count < 2 {
        ctx.error(field, format!("{what}至少应有两人（现有 {count} 人）"));
    }
}

/// `earlier` must not come after `later`.
pub(crate) fn order(
    ctx: &mut Ctx,
    field: &str,
    later: NaiveDate,
    later_what: &str,
    earlier: NaiveDate,
    earlier_what: &str,
) {
    if later < earlier {
        ctx.error(
            field,
            format!("{later_what}（{later}）早于{earlier_what}（{earlier}），日期不符合程序顺序"),
        );
    }
}

/// The rules of an inspection case.
pub fn check_inspection(c: &InspectionCase, ctx: &mut Ctx) {
    let officers = std::iter::once(("team.leader".to_string(), &c.team.leader)).chain(
        c.team
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| (format!("team.members[{i}]"), m)),
    );
    check_officers(officers, "team", "检查组成员", ctx);

    let i = &c.inspection;
    if i.records.is_empty() {
        ctx.error("inspection.records", "检查情况登记表至少应有一条检查记录");
    }
    order(
        ctx,
        "inspection.end",
        i.end,
        "检查结束日期",
        i.start,
        "检查开始日期",
    );
    if let Some(b) = i.briefing_on {
        order(
            ctx,
            "inspection.briefing_on",
            b,
            "通报检查意见日期",
            i.start,
            "检查开始日期",
        );
    }
    if let Some(p) = &c.plan {
        if p.checklist.is_empty() {
            ctx.error("plan.checklist", "检查目录不能为空");
        }
        if let Some(approved) = p.approved_on {
            let (at, when) = match &c.notice {
                Some(n) => ("notice.issued_on", n.issued_on),
                None => ("inspection.start", i.start),
            };
            order(
                ctx,
                at,
                when,
                "通知或检查日期",
                approved,
                "工作方案批准日期",
            );
        }
    }
    if let Some(n) = &c.notice {
        order(
            ctx,
            "inspection.start",
            i.start,
            "检查开始日期",
            n.issued_on,
            "通知发出日期",
        );
    }
    if let Some(r) = &c.report {
        order(
            ctx,
            "report.submitted_on",
            r.submitted_on,
            "检查报告提交日期",
            i.end,
            "检查结束日期",
        );
    }
    if let Some(o) = &c.opinion {
        order(
            ctx,
            "opinion.issued_on",
            o.issued_on,
            "检查意见日期",
            i.end,
            "检查结束日期",
        );
        for (k, r) in o.rectifications.iter().enumerate() {
            order(
                ctx,
                &format!("opinion.rectifications[{k}].due"),
                r.due,
                "整改期限",
                o.issued_on,
                "检查意见日期",
            );
        }
    }
    if let Some(o) = &c.objection {
        if let Some(reply) = o.reply_on {
            order(
                ctx,
                "objection.reply_on",
                reply,
                "异议处理意见日期",
                o.received_on,
                "收到异议日期",
            );
        }
        let target = match o.against {
            super::ObjectionTarget::Opinion => c.opinion.as_ref().map(|x| x.issued_on),
            super::ObjectionTarget::ReinspectionOpinion => {
                c.reinspection.as_ref().and_then(|x| x.opinion_on)
            }
        };
        match target {
            Some(t) => order(
                ctx,
                "objection.received_on",
                o.received_on,
                "收到异议日期",
                t,
                "被异议的意见书日期",
            ),
            None => ctx.error("objection.against", "异议针对的意见书在本案中不存在"),
        }
    }
    if let Some(r) = &c.reinspection {
        match &c.opinion {
            Some(o) => order(
                ctx,
                "reinspection.performed_on",
                r.performed_on,
                "复查日期",
                o.issued_on,
                "检查意见日期",
            ),
            None => ctx.error(
                "reinspection",
                "复查应在出具检查意见之后进行，但本案没有 opinion",
            ),
        }
        if let Some(on) = r.opinion_on {
            order(
                ctx,
                "reinspection.opinion_on",
                on,
                "复查意见日期",
                r.performed_on,
                "复查日期",
            );
        }
    }
    for (k, m) in c.measures.iter().enumerate() {
        let at = format!("measures[{k}]");
        if m.notified_on < i.start {
            ctx.error(
                &format!("{at}.notified_on"),
                format!(
                    "行政处置日期（{}）早于检查开始日期（{}）",
                    m.notified_on, i.start
                ),
            );
        }
        if let Some(list) = &m.legal_basis {
            for (k, text) in list.iter().enumerate() {
                if let Some(hint) = crate::law::stale_numbering(text, m.notified_on) {
                    ctx.error(
                        &format!("{at}.legal_basis[{k}]"),
                        format!("引用的“{text}”与日期不符：{hint}"),
                    );
                }
            }
        }
        if m.kind != DisposalKind::RegisterPreserve {
            for (field, present) in [
                ("approved_by", m.approved_by.is_some()),
                ("approved_on", m.approved_on.is_some()),
                ("decision", m.decision.is_some()),
            ] {
                if present {
                    ctx.error(
                        &format!("{at}.{field}"),
                        format!("{field} 只适用于登记保存（kind: register_preserve）的措施"),
                    );
                }
            }
        }
        if m.kind == DisposalKind::RegisterPreserve {
            // 行政处罚法 第五十六条: the head approves 先行登记保存 before it is done.
            if m.approved_by.as_ref().is_none_or(|a| a.trim().is_empty()) {
                ctx.error(
                    &format!("{at}.approved_by"),
                    "先行登记保存应事先经行政机关负责人批准：缺少批准人（approved_by）",
                );
            }
            match m.approved_on {
                None => ctx.error(
                    &format!("{at}.approved_on"),
                    "先行登记保存应事先经行政机关负责人批准：缺少批准日期（approved_on）",
                ),
                Some(a) if a > m.notified_on => ctx.error(
                    &format!("{at}.approved_on"),
                    format!(
                        "负责人批准日期（{a}）晚于登记保存日期（{}）：先行登记保存应事先批准",
                        m.notified_on
                    ),
                ),
                Some(_) => {}
            }
            if let Some(dec) = &m.decision {
                order(
                    ctx,
                    &format!("{at}.decision.on"),
                    dec.on,
                    "登记保存物品处理决定日期",
                    m.notified_on,
                    "登记保存日期",
                );
                if dec.outcome == super::PreservationOutcome::Transfer
                    && dec.to.as_ref().is_none_or(|t| t.trim().is_empty())
                {
                    ctx.error(
                        &format!("{at}.decision.to"),
                        "处理决定为移送的，应写明接收移送的机关（decision.to）",
                    );
                }
            }
            if m.items.is_empty() {
                ctx.error(&format!("{at}.items"), "登记保存应列明物品（items）");
            }
            if m.kept_at.is_none() {
                ctx.error(
                    &format!("{at}.kept_at"),
                    "登记保存应写明物品保存地点（kept_at）",
                );
            }
        }
    }
    if c.measures
        .iter()
        .any(|m| m.kind == DisposalKind::RegisterPreserve)
        && c.technical_check.is_none()
    {
        ctx.error(
            "measures",
            "有登记保存的设备，应进行技术核查取证（缺少 technical_check）",
        );
    }
    if let Some(t) = &c.technical_check {
        if t.write_blocker.is_none() {
            ctx.warn(
                "technical_check",
                "技术核查取证报告只能写明记录在案的措施：未记录写保护设备（write_blocker），报告不声明证据保持原始状态",
            );
        }
        order(
            ctx,
            "technical_check.performed_on",
            t.performed_on,
            "技术核查日期",
            i.start,
            "检查开始日期",
        );
    }
    let needs_reinspection = !c.measures.is_empty() || i.leak_found;
    if needs_reinspection && c.reinspection.is_none() {
        let why = if i.leak_found {
            "发现泄密案件"
        } else {
            "采取了行政处置措施"
        };
        if c.archive.is_some() {
            ctx.error(
                "reinspection",
                format!("本案{why}，归档前应进行复查（缺少 reinspection）"),
            );
        } else {
            ctx.warn(
                "measures",
                format!("本案{why}，应适时复查；归档前须补充 reinspection"),
            );
        }
    }
    if c.superior_report.is_some() && c.organized_by != super::OrganizedBy::Superior {
        ctx.warn(
            "superior_report",
            "只有上级组织的检查（organized_by: superior）才报送上级检查情况报告",
        );
    }
    if let (Some(a), Some(r)) = (&c.archive, &c.report) {
        order(
            ctx,
            "archive.filed_on",
            a.filed_on,
            "归档日期",
            r.submitted_on,
            "检查报告日期",
        );
    }
}

/// Attachment files exist and stay inside the cases root.
pub fn check_attachment_files(case: &Case, root: &Path, case_dir: &Path, ctx: &mut Ctx) {
    for (i, a) in case.attachments().iter().enumerate() {
        let field = format!("attachments[{i}].file");
        let rel = Path::new(a.file.as_str());
        if rel.is_absolute()
            || rel
                .components()
                .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)))
        {
            ctx.error(
                &field,
                format!(
                    "附件路径 {} 必须是案件根目录内的相对路径，不能以“/”开头或含有“..”",
                    a.file
                ),
            );
            continue;
        }
        let ext = rel
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase());
        if !matches!(ext.as_deref(), Some("pdf" | "jpg" | "jpeg" | "png")) {
            ctx.error(&field, format!("附件 {} 应为 PDF、JPG 或 PNG 文件", a.file));
        }
        let Some(path) = resolve_attachment(rel, root, case_dir) else {
            ctx.error(
                &field,
                format!(
                    "找不到附件文件 {}（相对于案件文件所在目录或案件根目录）",
                    a.file
                ),
            );
            continue;
        };
        // A symbolic link may still lead out of the root.
        if let (Ok(p), Ok(r)) = (path.canonicalize(), root.canonicalize())
            && !p.starts_with(&r)
        {
            ctx.error(&field, format!("附件 {} 位于案件根目录之外", a.file));
        }
    }
}

/// An attachment's file: relative to the case file's folder, else to the cases root.
pub fn resolve_attachment(rel: &Path, root: &Path, case_dir: &Path) -> Option<std::path::PathBuf> {
    [case_dir.join(rel), root.join(rel)]
        .into_iter()
        .find(|p| p.is_file())
}
