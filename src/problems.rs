//! Problems found in the input: each names its file, line, column and field, in Chinese.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub field: String,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: [{}] {}",
            self.file,
            self.line,
            self.column,
            if self.field.is_empty() { "（文件）" } else { &self.field },
            self.severity.label(),
            self.message
        )
    }
}

/// Problems collected across a run.
#[derive(Debug, Default, Clone)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn push(&mut self, p: Problem) {
        self.0.push(p);
    }
    pub fn extend(&mut self, other: Problems) {
        self.0.extend(other.0);
    }
    pub fn errors(&self) -> usize {
        self.0.iter().filter(|p| p.severity == Severity::Error).count()
    }
    pub fn warnings(&self) -> usize {
        self.0.iter().filter(|p| p.severity == Severity::Warning).count()
    }
    pub fn has_errors(&self) -> bool {
        self.errors() > 0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Sorted by file, line and column, so reports read top to bottom and never depend on
    /// thread scheduling.
    pub fn sorted(mut self) -> Vec<Problem> {
        self.0.sort_by(|a, b| {
            (&a.file, a.line, a.column, &a.field, &a.message)
                .cmp(&(&b.file, b.line, b.column, &b.field, &b.message))
        });
        self.0.dedup();
        self.0
    }
}
