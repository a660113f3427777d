//! Statutory periods (`documents.md`, "Statutory periods"), counted in real working days.

use chrono::NaiveDate;
use serde::Serialize;

use crate::calendar::{Calendar, CalendarError};
use crate::case::enforcement::{MeasureKind, Moment};
use crate::case::{Case, Ctx, EnforcementCase, InspectionCase, NoticeMode, OrganizedBy};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Done on or before the due date.
    Ok,
    /// Done after it.
    Late,
    /// Not done, due date not passed.
    Pending,
    /// Not done, due date passed.
    Overdue,
}

impl Status {
    pub fn of(due: NaiveDate, done: Option<NaiveDate>, today: NaiveDate) -> Status {
        match done {
            Some(d) if d <= due => Status::Ok,
            Some(_) => Status::Late,
            None if today <= due => Status::Pending,
            None => Status::Overdue,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "按期",
            Status::Late => "逾期完成",
            Status::Pending => "未到期",
            Status::Overdue => "已逾期",
        }
    }
}

/// One statutory deadline of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub case: String,
    /// The document kind whose deadline it is.
    pub document: String,
    pub due: NaiveDate,
    pub done: Option<NaiveDate>,
    pub status: Status,
    /// What the rule is, in Chinese (for the table).
    #[serde(skip)]
    pub rule: String,
    /// The YAML field the deadline is about.
    #[serde(skip)]
    pub field: String,
}

/// Computes the case's deadlines; rule violations and calendar gaps go to `ctx`.
pub fn compute(case: &Case, cal: &Calendar, today: NaiveDate, ctx: &mut Ctx) -> Vec<Deadline> {
    let mut out = Deadlines {
        case: case.id().to_string(),
        cal,
        today,
        list: Vec::new(),
        ctx,
        counted_from: "id",
    };
    match case {
        Case::Inspection(c) => out.inspection(c),
        Case::Enforcement(c) => out.enforcement(c),
    }
    out.list
}

struct Deadlines<'a> {
    case: String,
    cal: &'a Calendar,
    today: NaiveDate,
    list: Vec<Deadline>,
    ctx: &'a mut Ctx,
    /// Where an overdue step that the file does not have yet is shown.
    counted_from: &'static str,
}

impl Deadlines<'_> {
    /// Records a deadline; late and overdue ones are also warnings on the field.
    fn push(
        &mut self,
        document: &str,
        rule: &str,
        field: &str,
        due: NaiveDate,
        done: Option<NaiveDate>,
    ) {
        let status = Status::of(due, done, self.today);
        // A field that already has an error (e.g. a notice issued after the start) needs no
        // second message saying the same.
        let has_error = self
            .ctx
            .problems
            .0
            .iter()
            .any(|p| p.field == field && p.severity == crate::problems::Severity::Error);
        match status {
            _ if has_error => {}
            Status::Late => self.ctx.warn(
                field,
                format!(
                    "{rule}：应于 {due} 前完成，实际 {} 完成，已超过法定期限",
                    done.unwrap_or(due)
                ),
            ),
            Status::Overdue => self.ctx.report_near(
                crate::problems::Severity::Warning,
                field,
                self.counted_from,
                format!(
                    "{rule}：应于 {due} 前完成，截至 {} 尚未完成，已逾期",
                    self.today
                ),
            ),
            _ => {}
        }
        self.list.push(Deadline {
            case: self.case.clone(),
            document: document.to_string(),
            due,
            done,
            status,
            rule: rule.to_string(),
            field: field.to_string(),
        });
    }

    /// A result from the calendar, or the gap reported on `field`.
    fn cal<T>(&mut self, field: &str, r: Result<T, CalendarError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.ctx.error(field, e.to_string());
                None
            }
        }
    }

    fn working_days_after(
        &mut self,
        document: &str,
        rule: &str,
        field: &str,
        from: NaiveDate,
        n: u32,
        done: Option<NaiveDate>,
    ) {
        let r = self.cal.add_working_days(from, n);
        if let Some(due) = self.cal(field, r) {
            self.push(document, rule, field, due, done);
        }
    }

    fn inspection(&mut self, c: &InspectionCase) {
        self.counted_from = "inspection.end";
        let start = c.inspection.start;
        let end = c.inspection.end;
        if let Some(n) = &c.notice {
            self.notice_period(n.mode, n.issued_on, start);
        }
        let report_done = c.report.as_ref().map(|r| r.submitted_on);
        self.working_days_after(
            "inspection_report",
            "检查结束后5个工作日内提交书面检查报告",
            "report.submitted_on",
            end,
            5,
            report_done,
        );
        let opinion_done = c.opinion.as_ref().map(|o| o.issued_on);
        self.working_days_after(
            "inspection_opinion",
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
            self.working_days_after(
                "preservation_decision",
                "先行登记保存后7个工作日内作出处理决定",
                &format!("measures[{i}].decision.on"),
                m.notified_on,
                7,
                m.decision.as_ref().map(|d| d.on),
            );
        }
        if let Some(r) = &c.reinspection {
            self.working_days_after(
                "reinspection_opinion",
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
                self.ctx.warn(
                    "reinspection.performed_on",
                    format!(
                        "复查日期 {} 早于最晚的整改期限 {latest}，通常应在整改期限届满后复查",
                        r.performed_on
                    ),
                );
            }
        }
        if let Some(o) = &c.objection {
            self.working_days_after(
                "objection_reply",
                "收到异议后20个工作日内出具处理意见",
                "objection.reply_on",
                o.received_on,
                20,
                o.reply_on,
            );
        }
        if c.organized_by == OrganizedBy::Superior {
            let done = c.superior_report.as_ref().map(|s| s.submitted_on);
            self.working_days_after(
                "superior_report",
                "上级组织的检查：检查结束后20个工作日内报送书面检查报告",
                "superior_report.submitted_on",
                end,
                20,
                done,
            );
        }
    }

    /// 行政强制: the 24-hour report of an urgent measure, the 7-working-day handling decision on
    /// preserved evidence, the 30-day period of a stop-use or evidence-preservation measure (none
    /// for 收缴) and its extension.
    fn enforcement(&mut self, c: &EnforcementCase) {
        let on = c.on_site.date;
        if c.approval.urgent {
            self.urgent_report(c);
        }
        if c.measures
            .iter()
            .any(|m| m.kind == MeasureKind::PreserveEvidence)
        {
            let done = c.decision.as_ref().map(|d| d.date);
            self.working_days_after(
                "handling_decision",
                "先行登记保存的证据，7个工作日内作出处理决定",
                "decision.date",
                on,
                7,
                done,
            );
        }
        for (i, m) in c.measures.iter().enumerate() {
            // 收缴 is a final disposal: no period. 责令整改 has its own deadline (`due`).
            if !matches!(m.kind, MeasureKind::StopUse | MeasureKind::PreserveEvidence) {
                continue;
            }
            // The authority's own maximum (行政强制法 第二十五条): 30 calendar days, extended once
            // by 30 with written notice, testing time not counted. Never rolled forward past a
            // holiday: that serves a party's time limits only.
            let first = on + chrono::Days::new(30);
            if let Some(e) = m.extended_on {
                // Told in writing before the first period ends: served, when the case records
                // the service, else decided.
                let served = c
                    .services
                    .iter()
                    .filter(|s| {
                        s.document == "extension_decision" && s.index.is_none_or(|x| x == i)
                    })
                    .map(|s| s.on)
                    .min();
                self.push(
                    "extension_decision",
                    "延长行政强制措施期限，应在原期限届满前书面告知当事人",
                    &format!("measures[{i}].extended_on"),
                    first,
                    Some(served.unwrap_or(e)),
                );
            }
            let extended = m.extended_on.is_some();
            let testing = m.testing_days.unwrap_or(0);
            let days = if extended { 60 } else { 30 } + u64::from(testing);
            let mut rule = format!("{}措施期限不超过30日", m.kind.label());
            if extended {
                rule.push_str("（已延长30日）");
            }
            if testing > 0 {
                rule.push_str(&format!("（检测、鉴定{testing}日不计入）"));
            }
            let field = format!("measures[{i}].lifted");
            // An absurd `testing_days` is reported, not a crash.
            let due = on
                .checked_add_days(chrono::Days::new(days))
                .ok_or(crate::calendar::CalendarError::OutOfRange(on));
            let Some(due) = self.cal(&format!("measures[{i}].testing_days"), due) else {
                continue;
            };
            let done = m
                .lifted
                .as_ref()
                .map(|l| l.on)
                .or(c.decision.as_ref().map(|d| d.date));
            self.push("measure_decision", &rule, &field, due, done);
        }
    }

    /// 情况紧急当场实施的，24小时内报告: compared to the minute, shown by date.
    fn urgent_report(&mut self, c: &EnforcementCase) {
        let taken = c.measure_time();
        let limit = taken + chrono::TimeDelta::hours(24);
        let reported = c.approval.reported_at.map(|m| m.0);
        let status = match reported {
            Some(r) if r <= limit => Status::Ok,
            Some(_) => Status::Late,
            None if self.today <= limit.date() => Status::Pending,
            None => Status::Overdue,
        };
        // A missing or late report is an error of the case (validate); no second warning here.
        self.list.push(Deadline {
            case: self.case.clone(),
            document: "enforcement_approval".into(),
            due: limit.date(),
            done: reported.map(|r| r.date()),
            status,
            rule: format!(
                "情况紧急当场实施的，24小时内（{} 前）向负责人报告",
                Moment(limit)
            ),
            field: "approval.reported_at".into(),
        });
    }

    /// 一般情况提前1-2个工作日书面通知；特殊情况检查当日口头通知。
    fn notice_period(&mut self, mode: NoticeMode, issued: NaiveDate, start: NaiveDate) {
        let field = "notice.issued_on";
        match mode {
            NoticeMode::Oral => {
                if issued != start {
                    self.ctx.error(field, format!("口头通知应在检查当日（{start}）作出，书面通知由检查人员现场交付；实际为 {issued}"));
                }
                self.push(
                    "inspection_notice",
                    "特殊情况：检查当日口头通知",
                    field,
                    start,
                    Some(issued),
                );
            }
            NoticeMode::Written => {
                let r = self.cal.sub_working_days(start, 1);
                let Some(due) = self.cal(field, r) else {
                    return;
                };
                let r = self.cal.working_days_between(issued, start);
                let Some(ahead) = self.cal(field, r) else {
                    return;
                };
                if issued >= start || ahead == 0 {
                    self.ctx.error(field, format!("书面通知应在检查开始（{start}）前1-2个工作日发出，最晚 {due}；实际 {issued} 发出，提前不足1个工作日。情况特殊的，应改为口头通知（notice.mode: oral）"));
                } else if ahead > 2 {
                    self.ctx.warn(
                        field,
                        format!(
                            "书面通知应提前1-2个工作日发出，实际提前了 {ahead} 个工作日（{issued}）"
                        ),
                    );
                }
                self.push(
                    "inspection_notice",
                    "检查开始前1-2个工作日发出书面通知",
                    field,
                    due,
                    Some(issued),
                );
            }
        }
    }
}
