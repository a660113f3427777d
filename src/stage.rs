//! The build as a pipeline of stages over one context, the way mdBook's renderers work over its
//! render context: `build` opens the context (cases checked, 文号 given, the last build's
//! manifest and cache loaded), runs each [`Stage`] in turn, and closes it (manifest, cache,
//! outputs no longer made removed, signature and build log). A stage reads the context and
//! writes its own section of the manifest; what a stage may reuse, keep or remove is decided
//! from the context's one set of rules ([`BuildContext::stands`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cache::BuildCache;
use crate::manifest::Manifest;
use crate::numbering::Numbers;
use crate::problems::Problems;
use crate::project::{CaseEntry, CheckedCase, Project};
use crate::records::{CaseRecord, Records, VolumeKey};
use crate::render::Renderer;

pub struct BuildOptions {
    pub out: PathBuf,
    pub today: NaiveDate,
    pub progress: bool,
    /// Writes each document's template data as JSON below this folder.
    pub dump_data: Option<PathBuf>,
}

/// What a build does when another build holds its output folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenBusy {
    /// Wait for it, saying who holds the folder.
    Wait,
    /// Fail at once (`--no-wait`).
    Fail,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{0}")]
    Ledger(#[from] crate::ledger::LedgerError),
    #[error("{0}")]
    Lock(#[from] crate::lock::LockError),
    #[error("无法写入输出目录 {}：{}", .0.display(), crate::text::io_error(.1))]
    Output(PathBuf, std::io::Error),
}

/// What the letters stage did, for the summary line.
#[derive(Debug, Default, Clone)]
pub struct LettersReport {
    pub campaigns: usize,
    pub letters: usize,
    pub receipts: usize,
    /// Rows that got no letter.
    pub failed_rows: usize,
    pub pages: usize,
    pub written: usize,
}

#[derive(Debug, Default)]
pub struct BuildReport {
    pub cases_built: usize,
    /// Cases (id or file) that got no documents.
    pub cases_failed: Vec<String>,
    pub documents: usize,
    /// Documents whose bytes changed (or are new).
    pub written: usize,
    pub pages: usize,
    /// Files of every kind this build wrote (documents, volumes, catalogues, transfer package,
    /// manifest, ledger, log); unchanged files are not rewritten and not counted.
    pub files_written: usize,
    pub elapsed: Duration,
    pub problems: Problems,
    /// Bulk letters (campaigns).
    pub letters: LettersReport,
}

impl BuildReport {
    pub fn ok(&self) -> bool {
        self.cases_failed.is_empty() && !self.problems.has_errors()
    }
}

/// Everything a stage works with, for one build.
pub struct BuildContext<'a> {
    pub project: &'a Project,
    pub renderer: &'a Renderer,
    pub opts: &'a BuildOptions,
    /// What the last build made: unchanged outputs are neither made nor read again.
    pub cache: BuildCache,
    /// Each case's outputs as the last build left them, a case at a time.
    pub records: Records,
    /// The last build's manifest, but for the sections the records keep (`files`, `volumes`).
    pub previous: Manifest,
    /// Digest of what every case's outputs are made from besides the case itself: anjuan, the
    /// templates and fonts, the settings and the calendar.
    pub sources: String,
    /// Cases whose sources are those of their outputs: nothing of theirs is made again. With
    /// each, what 立卷 needs of its volumes (read with its documents' record, so that the record
    /// is read once).
    pub unchanged: BTreeMap<String, Option<crate::records::Stood>>,
    /// Outputs of the cases made again that they no longer have, and files of the last transfer
    /// package it no longer has (removed when the build ends).
    pub stale: Vec<String>,
    /// Whether the transfer package's section differs from the last build's (which `previous`
    /// does not hold).
    pub transfer_changed: bool,
    /// This build's, each stage writing its own section (`files` and `volumes` are written from
    /// the records).
    pub manifest: Manifest,
    /// Every volume recorded once 立卷 ran, by path: an index, not the entries (which the
    /// stages after it read from the records, see `Records::entries`).
    pub volumes: Vec<VolumeKey>,
    pub problems: Problems,
    /// The cases checked, numbered and with every template they need: this build's to make.
    /// Held light; a stage makes a chunk of them whole at a time ([`BuildContext::materialise`]).
    pub cases: Arc<[CaseEntry]>,
    pub numbers: Numbers,
    /// Cases that got no documents (errors): their last good outputs stand.
    pub failed: BTreeSet<String>,
    pub report: BuildReport,
}

impl BuildContext<'_> {
    /// Whether the outputs of the last build for `case` stand as they are: the case failed now,
    /// or this build read only part of the cases root and not it.
    pub fn stands(&self, case: &str) -> bool {
        self.failed.contains(case)
            || (self.project.partial && !self.project.cases.iter().any(|c| c.id() == case))
    }

    /// The cases of `entries` whole (model, documents, deadlines), made in parallel. The caller
    /// lets them go with [`release`] once done.
    pub fn materialise(&self, entries: &[&CaseEntry]) -> Vec<CheckedCase> {
        use rayon::prelude::*;
        entries
            .par_iter()
            .map(|e| self.project.materialise(&e.loaded, self.opts.today))
            .collect()
    }

    /// Writes a case's record as it is now, its cache records taken out of the build's cache;
    /// what the case had `before` and no longer has is noted for removal.
    pub fn write_record(
        &mut self,
        id: &str,
        before: Vec<String>,
        mut record: CaseRecord,
    ) -> Result<(), BuildError> {
        let now: BTreeSet<String> = record.paths().into_iter().map(String::from).collect();
        let gone: Vec<String> = before.into_iter().filter(|p| !now.contains(p)).collect();
        self.cache.forget(gone.iter().map(String::as_str));
        self.stale.extend(gone);
        record.cache = self.cache.take(now.iter().map(String::as_str));
        self.records
            .save(id, record)
            .map_err(|e| BuildError::Output(self.opts.out.join(crate::records::DIR), e))
    }

    /// Adds problems located at a settings key of `anjuan.yaml` (a stage's own failure).
    pub fn settings_error(&mut self, key: &str, message: String) {
        let mut ctx = crate::case::Ctx::new("anjuan.yaml", "");
        ctx.error(key, message);
        self.problems.extend(ctx.problems);
    }
}

/// Lets the models of cases a stage is done with go: they are parsed again when next needed.
pub fn release(cases: Vec<CheckedCase>) {
    for c in cases {
        c.loaded.release();
    }
}

/// One stage of the build: case documents, letters, volumes, catalogues, transfer package.
pub trait Stage {
    /// Its name in `ANJUAN_STAGES` output.
    fn name(&self) -> &'static str;
    /// Makes the stage's outputs and records them in `cx.manifest`. An error stops the build
    /// (the output folder cannot be written, the ledger is damaged); a problem of one case or
    /// file is recorded in `cx.problems` instead.
    fn run(&self, cx: &mut BuildContext) -> Result<(), BuildError>;
}

/// A progress bar on the terminal (hidden otherwise): `what` is being made, counted in `unit`.
pub fn progress_bar(enabled: bool, total: u64, what: &str, unit: &str) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    let template = format!(
        "{{spinner}} {what} [{{bar:30}}] {{pos}}/{{len}} {unit}  已用 {{elapsed}}  剩余约 {{eta}}"
    );
    bar.set_style(
        ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}
