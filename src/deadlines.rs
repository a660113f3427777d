//! Statutory periods (`documents.md`, "Statutory periods"), counted in real working days: the
//! counter every procedure adds its periods to (`procedure::*::deadlines`).

use chrono::NaiveDate;
use serde::Serialize;

use crate::calendar::{Calendar, CalendarError};
use crate::diagnostics::Ctx;
use crate::documents::DocKind;

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
    pub document: DocKind,
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

/// The deadlines of one case being counted: each procedure adds its own
/// (`procedure::Procedure::deadlines`); rule violations and calendar gaps go to `ctx`.
pub struct Deadlines<'a> {
    pub case: String,
    pub cal: &'a Calendar,
    pub today: NaiveDate,
    pub list: Vec<Deadline>,
    pub ctx: &'a mut Ctx,
    /// Where an overdue step that the file does not have yet is shown.
    pub counted_from: &'static str,
}

impl<'a> Deadlines<'a> {
    pub fn new(case: &str, cal: &'a Calendar, today: NaiveDate, ctx: &'a mut Ctx) -> Self {
        Deadlines {
            case: case.to_string(),
            cal,
            today,
            list: Vec::new(),
            ctx,
            counted_from: "id",
        }
    }

    /// Records a deadline; late and overdue ones are also warnings on the field.
    pub fn push(
        &mut self,
        document: DocKind,
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
            document,
            due,
            done,
            status,
            rule: rule.to_string(),
            field: field.to_string(),
        });
    }

    /// A result from the calendar, or the gap reported on `field`.
    pub fn cal<T>(&mut self, field: &str, r: Result<T, CalendarError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.ctx.error(field, e.to_string());
                None
            }
        }
    }

    pub fn working_days_after(
        &mut self,
        document: DocKind,
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
}
