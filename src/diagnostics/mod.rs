//! Where problems of an input file are collected: the file's name for messages, where each of
//! its fields stands, and what is wrong with it. A leaf every loader (cases, settings,
//! campaigns, the ledger) uses.

pub mod positions;

pub use positions::{Pos, Positions};

use crate::problems::{Problem, Problems, Severity};

/// A YAML file being read: its name for messages, its field positions, and what is wrong with it.
pub struct Ctx {
    pub file: String,
    pub positions: Positions,
    pub problems: Problems,
}

impl Ctx {
    pub fn new(file: impl Into<String>, text: &str) -> Self {
        Self {
            file: file.into(),
            positions: Positions::parse(text),
            problems: Problems::default(),
        }
    }

    pub fn report(&mut self, severity: Severity, field: &str, message: impl Into<String>) {
        self.report_near(severity, field, field, message);
    }

    /// A problem about `field`, shown at `field` if the file has it (or its block), else at
    /// `near` (e.g. a missing step's deadline shown at the date it counts from).
    pub fn report_near(
        &mut self,
        severity: Severity,
        field: &str,
        near: &str,
        message: impl Into<String>,
    ) {
        let pos = self
            .positions
            .find_within(field)
            .unwrap_or_else(|| self.positions.find(near));
        self.problems.push(Problem {
            file: self.file.clone(),
            line: pos.line,
            column: pos.column,
            field: field.to_string(),
            severity,
            message: message.into(),
        });
    }

    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.report(Severity::Error, field, message);
    }

    pub fn warn(&mut self, field: &str, message: impl Into<String>) {
        self.report(Severity::Warning, field, message);
    }

    pub fn has_errors(&self) -> bool {
        self.problems.has_errors()
    }
}
