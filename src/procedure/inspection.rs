//! 保密检查 (`kind: inspection`): the documents a case yields, its rules, its periods and what
//! its archived volume holds. The model and its loading are `case::model` and `case::load_inspection`.

use chrono::NaiveDate;

use super::Procedure;
use crate::case::validate::{check_officers, order};
use crate::case::{
    DisposalKind, InspectionCase, NoticeMode, ObjectionTarget, OrganizedBy, PreservationOutcome,
};
use crate::deadlines::Deadlines;
use crate::diagnostics::Ctx;
use crate::documents::{self, DocKind, DocSpec, push_service_receipts, spec};

impl Procedure for InspectionCase {
    fn tag(&self) -> documents::Procedure {
        documents::Procedure::Inspection
    }

    fn documents(&self) -> Vec<DocSpec> {
        plan(self)
    }

    fn check(&self, ctx: &mut Ctx) {
        rules(self, ctx)
    }

    fn deadlines(&self, d: &mut Deadlines) {
        periods(d, self)
    }

    fn volume_requires(&self) -> Vec<DocKind> {
        DocKind::required_in_volume(self.tag(), self.organized_by == OrganizedBy::Superior)
    }

    fn anchor(&self) -> &'static str {
        "inspection.end"
    }

    fn stage(&self) -> &'static str {
        let c = self;
        let undecided = c
            .measures
            .iter()
            .any(|m| m.kind == DisposalKind::RegisterPreserve && m.decision.is_none());
        if c.reinspection.is_some() {
            "已复查，待归档"
        } else if undecided {
            "登记保存中，待作出处理决定"
        } else if c.objection.as_ref().is_some_and(|o| o.reply_on.is_none()) {
            "异议核查中"
        } else if c
            .opinion
            .as_ref()
            .is_some_and(|o| !o.rectifications.is_empty())
        {
            "整改中，待复查"
        } else if c.opinion.is_some() {
            "已出具检查意见，待归档"
        } else if c.report.is_some() {
            "已提交检查报告，待出具检查意见"
        } else {
            "现场检查后，待提交检查报告"
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Documents

/// 保密检查: plan, notice, register, one notice per disposal (with the preservation list and
/// decision of a 登记保存), technical check, reports, opinion, objection, re-inspection, the
/// report to the superior, then the receipts.
fn plan(c: &InspectionCase) -> Vec<DocSpec> {
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
    push_service_receipts(&mut docs, &c.common.services);
    docs
}

/// The measure's name, as a disposal notice's title carries it.
pub fn disposal_label(kind: DisposalKind) -> &'static str {
    match kind {
        DisposalKind::StopUse => "责令停止使用",
        DisposalKind::RegisterPreserve => "登记保存",
    }
}

// ---------------------------------------------------------------------------------------------
// Consistency rules

/// The consistency rules of `documents.md` for an inspection case.
fn rules(c: &InspectionCase, ctx: &mut Ctx) {
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
            ObjectionTarget::Opinion => c.opinion.as_ref().map(|x| x.issued_on),
            ObjectionTarget::ReinspectionOpinion => {
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
                if dec.outcome == PreservationOutcome::Transfer
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
        if c.common.archive.is_some() {
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
    if c.superior_report.is_some() && c.organized_by != OrganizedBy::Superior {
        ctx.warn(
            "superior_report",
            "只有上级组织的检查（organized_by: superior）才报送上级检查情况报告",
        );
    }
    if let (Some(a), Some(r)) = (&c.common.archive, &c.report) {
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

// ---------------------------------------------------------------------------------------------
// Periods

/// 保密检查: the notice period, the report (5 working days), the opinion (20), the decision on
/// preserved items (7), the re-inspection opinion (10), the objection reply (20) and the report
/// to the superior (20).
fn periods(d: &mut Deadlines, c: &InspectionCase) {
    d.counted_from = "inspection.end";
    let start = c.inspection.start;
    let end = c.inspection.end;
    if let Some(n) = &c.notice {
        notice_period(d, n.mode, n.issued_on, start);
    }
    let report_done = c.report.as_ref().map(|r| r.submitted_on);
    d.working_days_after(
        DocKind::InspectionReport,
        "检查结束后5个工作日内提交书面检查报告",
        "report.submitted_on",
        end,
        5,
        report_done,
    );
    let opinion_done = c.opinion.as_ref().map(|o| o.issued_on);
    d.working_days_after(
        DocKind::InspectionOpinion,
        "检查结束后20个工作日内出具检查意见",
        "opinion.issued_on",
        end,
        20,
        opinion_done,
    );
    for (i, m) in c.measures.iter().enumerate() {
        if m.kind != crate::case::DisposalKind::RegisterPreserve {
            continue;
        }
        d.working_days_after(
            DocKind::PreservationDecision,
            "先行登记保存后7个工作日内作出处理决定",
            &format!("measures[{i}].decision.on"),
            m.notified_on,
            7,
            m.decision.as_ref().map(|d| d.on),
        );
    }
    if let Some(r) = &c.reinspection {
        d.working_days_after(
            DocKind::ReinspectionOpinion,
            "复查后10个工作日内出具复查意见",
            "reinspection.opinion_on",
            r.performed_on,
            10,
            r.opinion_on,
        );
        let latest_due = c
            .opinion
            .iter()
            .flat_map(|o| o.rectifications.iter())
            .map(|r| r.due)
            .max();
        if let Some(latest) = latest_due.filter(|d| r.performed_on < *d) {
            d.ctx.warn(
                "reinspection.performed_on",
                format!(
                    "复查日期 {} 早于最晚的整改期限 {latest}，通常应在整改期限届满后复查",
                    r.performed_on
                ),
            );
        }
    }
    if let Some(o) = &c.objection {
        d.working_days_after(
            DocKind::ObjectionReply,
            "收到异议后20个工作日内出具处理意见",
            "objection.reply_on",
            o.received_on,
            20,
            o.reply_on,
        );
    }
    if c.organized_by == OrganizedBy::Superior {
        let done = c.superior_report.as_ref().map(|s| s.submitted_on);
        d.working_days_after(
            DocKind::SuperiorReport,
            "上级组织的检查：检查结束后20个工作日内报送书面检查报告",
            "superior_report.submitted_on",
            end,
            20,
            done,
        );
    }
}

/// 一般情况提前1-2个工作日书面通知；特殊情况检查当日口头通知。
fn notice_period(d: &mut Deadlines, mode: NoticeMode, issued: NaiveDate, start: NaiveDate) {
    let field = "notice.issued_on";
    match mode {
        NoticeMode::Oral => {
            if issued != start {
                d.ctx.error(field, format!("口头通知应在检查当日（{start}）作出，书面通知由检查人员现场交付；实际为 {issued}"));
            }
            d.push(
                DocKind::InspectionNotice,
                "特殊情况：检查当日口头通知",
                field,
                start,
                Some(issued),
            );
        }
        NoticeMode::Written => {
            let r = d.cal.sub_working_days(start, 1);
            let Some(due) = d.cal(field, r) else {
                return;
            };
            let r = d.cal.working_days_between(issued, start);
            let Some(ahead) = d.cal(field, r) else {
                return;
            };
            if issued >= start || ahead == 0 {
                d.ctx.error(field, format!("书面通知应在检查开始（{start}）前1-2个工作日发出，最晚 {due}；实际 {issued} 发出，提前不足1个工作日。情况特殊的，应改为口头通知（notice.mode: oral）"));
            } else if ahead > 2 {
                d.ctx.warn(
                    field,
                    format!(
                        "书面通知应提前1-2个工作日发出，实际提前了 {ahead} 个工作日（{issued}）"
                    ),
                );
            }
            d.push(
                DocKind::InspectionNotice,
                "检查开始前1-2个工作日发出书面通知",
                field,
                due,
                Some(issued),
            );
        }
    }
}
