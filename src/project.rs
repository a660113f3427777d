//! A cases root opened for work: settings, calendar, and every case file below it, loaded and
//! checked. This is the first half of the pipeline, shared by `check` and `build`.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::calendar::Calendar;
use crate::case::{self, Ctx, Loaded, LoadedCase};
use crate::deadlines::Deadline;
use crate::documents::{self, DocSpec};
use crate::ledger;
use crate::problems::{Problem, Problems, Severity};
use crate::settings::{self, Settings, SettingsError};

/// A campaign file found under the root (bulk letters; see `letters`).
#[derive(Debug, Clone)]
pub struct CampaignFile {
    pub path: PathBuf,
    pub file: String,
    pub text: String,
    pub value: serde_yaml::Value,
}

pub struct Project {
    pub root: PathBuf,
    pub settings: Settings,
    pub calendar: Calendar,
    /// Shared with the checked cases, never copied.
    pub cases: Vec<Arc<LoadedCase>>,
    pub campaigns: Vec<CampaignFile>,
    pub problems: Problems,
    /// Only part of the root was read (one case file or a subfolder): the outputs of the other
    /// cases in the output folder stand as they are.
    pub partial: bool,
    /// The light check made as the cases were loaded ([`Project::open_checked`]), for the day
    /// it was made for; taken by the first [`Project::check_light`] for that day.
    checked_on_load: Mutex<Option<(NaiveDate, Checked)>>,
}

/// A case that passed every check, with its documents and deadlines.
pub struct CheckedCase {
    pub loaded: Arc<LoadedCase>,
    pub docs: Vec<DocSpec>,
    pub deadlines: Vec<Deadline>,
    /// What a build keeps of the case once its model is let go, taken by a light check
    /// ([`Project::check_light`]); none when the model is held.
    pub facts: Option<CaseFacts>,
}

/// What a build needs of a case's model beyond its documents, taken while the model is held.
#[derive(Debug, Clone)]
pub struct CaseFacts {
    /// The `archive` block's filing date and retention period.
    pub filed: Option<(NaiveDate, case::Retention)>,
    /// Each attachment as it is on disk (resolved path, size, modification time), a line each.
    pub attachments: String,
}

impl CaseFacts {
    pub fn of(case: &case::Case, root: &Path, dir: &Path) -> CaseFacts {
        let mut attachments = String::new();
        for a in case.attachments() {
            let file = Path::new(a.file.as_str());
            let stamp = crate::case::validate::resolve_attachment(file, root, dir).and_then(|p| {
                let meta = std::fs::metadata(&p).ok()?;
                Some((p, meta.len(), meta.modified().ok()))
            });
            attachments.push_str(&format!("{stamp:?}\n"));
        }
        CaseFacts {
            filed: case.archive().map(|a| (a.filed_on, a.retention)),
            attachments,
        }
    }
}

/// A checked case as a build holds it between its stages: its file and what numbering, the
/// unchanged test and filing order need. Its model, documents and deadlines are made again, from
/// the text that was checked, for the chunk of cases a stage works on ([`Project::materialise`]),
/// so a build's memory does not grow with the number of cases.
pub struct CaseEntry {
    pub loaded: Arc<LoadedCase>,
    /// How many documents it has.
    pub docs: usize,
    /// Its `archive` block's filing date and retention period, when it is to be filed.
    pub filed: Option<(NaiveDate, case::Retention)>,
    /// Digest of everything its outputs are made from (see `build`).
    pub sources: String,
}

/// The result of checking every case.
pub struct Checked {
    pub cases: Vec<CheckedCase>,
    /// Cases (by id, or file when the id is unknown) that have errors.
    pub failed: Vec<String>,
    /// Deadlines of every case, including the failed ones where they could be computed.
    pub deadlines: Vec<Deadline>,
    pub problems: Problems,
}

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("{0}")]
    Settings(#[from] SettingsError),
    #[error("找不到案件目录或文件：{0}")]
    NoInput(PathBuf),
}

impl Project {
    /// Opens the cases root containing `input` (a folder or one case file).
    pub fn open(input: &Path) -> Result<Self, ProjectError> {
        Self::open_with(input, None)
    }

    /// [`Project::open`] for a build on `today`: each case is checked as it is loaded and its
    /// model let go at once (see [`Project::check_light`]), so that no more models are held at
    /// a time than there are threads, however many cases the root has.
    pub fn open_checked(input: &Path, today: NaiveDate) -> Result<Self, ProjectError> {
        Self::open_with(input, Some(today))
    }

    fn open_with(input: &Path, check_on: Option<NaiveDate>) -> Result<Self, ProjectError> {
        if !input.exists() {
            return Err(ProjectError::NoInput(input.to_path_buf()));
        }
        let settings_path = settings::discover(input)?;
        let settings = settings::load(&settings_path)?;
        let law_keys: Vec<&str> = crate::law::keys().map(|(k, _)| k).collect();
        settings::check_keys(
            &settings_path,
            &settings,
            &crate::documents::DocKind::ids(),
            &law_keys,
        )?;
        let root = settings.root.clone();
        let mut problems = Problems::default();
        let (calendar, extra_files) = load_calendar(&settings, &mut problems);

        let input = std::fs::canonicalize(input).unwrap_or_else(|_| input.to_path_buf());
        let canonical_root = std::fs::canonicalize(&root).unwrap_or_else(|_| root.clone());
        let partial = input != canonical_root;
        let files = case_files(&input, &root, &extra_files);
        let rules = Rules {
            settings: &settings,
            calendar: &calendar,
            root: &root,
        };
        let spool = case::Spool::new();
        let loaded: Vec<(Loaded, Problems, Option<Verdict>)> = files
            .par_iter()
            .map(|f| {
                let (loaded, problems) = case::load_file(f, &root, &spool);
                let verdict = match (&loaded, check_on) {
                    (Loaded::Case(c), Some(today)) => Some(rules.check(c, today, true)),
                    _ => None,
                };
                (loaded, problems, verdict)
            })
            .collect();
        let mut cases = Vec::new();
        let mut campaigns = Vec::new();
        let mut verdicts = Vec::new();
        for (l, p, verdict) in loaded {
            problems.extend(p);
            match l {
                Loaded::Case(c) => {
                    let c: Arc<LoadedCase> = Arc::from(c);
                    if let Some((checked, p)) = verdict {
                        verdicts.push((checked.with(&c), p));
                    }
                    cases.push(c)
                }
                Loaded::Campaign {
                    path,
                    file,
                    text,
                    value,
                } => campaigns.push(CampaignFile {
                    path,
                    file,
                    text,
                    value,
                }),
                Loaded::Other => {}
            }
        }
        reject_duplicate_ids(&mut cases, &mut problems);
        let checked_on_load = check_on.map(|today| {
            let kept: std::collections::HashSet<*const LoadedCase> =
                cases.iter().map(Arc::as_ptr).collect();
            verdicts.retain(|(c, _)| kept.contains(&Arc::as_ptr(&c.loaded)));
            (today, gather(problems.clone(), verdicts))
        });
        Ok(Project {
            root,
            settings,
            calendar,
            cases,
            campaigns,
            problems,
            partial,
            checked_on_load: Mutex::new(checked_on_load),
        })
    }

    /// Runs the consistency rules and deadlines of every case.
    pub fn check(&self, today: NaiveDate) -> Checked {
        self.check_with(today, false)
    }

    /// [`Project::check`] for a build: each case's model is let go once checked (what the build
    /// needs of it kept as [`CaseFacts`]) and no deadline is kept, so that checking holds no more
    /// than a light entry a case, however many there are.
    pub fn check_light(&self, today: NaiveDate) -> Checked {
        self.check_with(today, true)
    }

    fn check_with(&self, today: NaiveDate, light: bool) -> Checked {
        if light {
            let mut on_load = self
                .checked_on_load
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if on_load.as_ref().is_some_and(|(day, _)| *day == today)
                && let Some((_, checked)) = on_load.take()
            {
                return checked;
            }
        }
        let rules = self.rules();
        let verdicts: Vec<(CheckedCase, Problems)> = self
            .cases
            .par_iter()
            .map(|loaded| {
                let (checked, problems) = rules.check(loaded, today, light);
                (checked.with(loaded), problems)
            })
            .collect();
        gather(self.problems.clone(), verdicts)
    }

    fn rules(&self) -> Rules<'_> {
        Rules {
            settings: &self.settings,
            calendar: &self.calendar,
            root: &self.root,
        }
    }
}

/// What checking a case needs of the project: its settings, calendar and root.
struct Rules<'a> {
    settings: &'a Settings,
    calendar: &'a Calendar,
    root: &'a Path,
}

/// A case checked, before it is tied to the shared case it was checked from.
type Verdict = (Unbound, Problems);

/// A [`CheckedCase`] without its case.
struct Unbound {
    docs: Vec<DocSpec>,
    deadlines: Vec<Deadline>,
    facts: Option<CaseFacts>,
}

impl Unbound {
    fn with(self, loaded: &Arc<LoadedCase>) -> CheckedCase {
        CheckedCase {
            loaded: loaded.clone(),
            docs: self.docs,
            deadlines: self.deadlines,
            facts: self.facts,
        }
    }
}

impl Rules<'_> {
    /// One case's rules and deadlines; `light`: its model let go once checked, what a build
    /// needs of it kept as [`CaseFacts`], no deadline kept.
    fn check(&self, loaded: &LoadedCase, today: NaiveDate, light: bool) -> Verdict {
        let mut ctx = loaded.ctx();
        let case = loaded.case();
        let docs = crate::procedure::plan(&case);
        let dir = loaded.path.parent().unwrap_or(self.root).to_path_buf();
        crate::procedure::check(&case, &docs, self.root, &dir, &mut ctx);
        self.check_numbering(&docs, &mut ctx);
        crate::procedure::check_archived_steps(&case, &docs, &mut ctx);
        let mut deadlines = crate::procedure::deadlines(&case, self.calendar, today, &mut ctx);
        let facts = light.then(|| {
            deadlines = Vec::new();
            let facts = CaseFacts::of(&case, self.root, &dir);
            drop(case);
            loaded.release();
            facts
        });
        (
            Unbound {
                docs,
                deadlines,
                facts,
            },
            ctx.problems,
        )
    }

    /// Every outgoing decision and notice gets its own 文号: a kind without a `numbering`
    /// pattern (and no `no:` in the case) would go out without one.
    fn check_numbering(&self, docs: &[documents::DocSpec], ctx: &mut case::Ctx) {
        let mut seen = BTreeSet::new();
        for d in docs {
            let kind = d.kind.id();
            if d.kind.numbered()
                && d.explicit_no.is_none()
                && !self.settings.numbering.contains_key(kind)
                && seen.insert(kind)
            {
                ctx.warn(
                    &d.field,
                    format!(
                        "{}应有文号，但 anjuan.yaml 的 numbering 中没有 {kind} 的文号模式（如 \"{{short}}…〔{{year}}〕{{seq}}号\"），文书将不印文号",
                        d.kind.title()
                    ),
                );
            }
        }
    }
}

/// The checked cases and every problem, in the order reports list them: `problems` are the
/// project's own (loading), each case's are added.
fn gather(mut problems: Problems, verdicts: Vec<(CheckedCase, Problems)>) -> Checked {
    let mut failed: BTreeSet<String> = problems
        .0
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| p.file.clone())
        .collect();
    let mut cases = Vec::new();
    let mut deadlines = Vec::new();
    for (c, p) in verdicts {
        deadlines.extend(c.deadlines.iter().cloned());
        if p.has_errors() {
            failed.insert(c.loaded.id().to_string());
            failed.remove(&c.loaded.file);
        } else {
            cases.push(c);
        }
        problems.extend(p);
    }
    cases.sort_by(|a, b| a.loaded.id().cmp(b.loaded.id()));
    // By the kind's id, as the table has always listed them.
    deadlines
        .sort_by(|a, b| (&a.case, a.due, a.document.id()).cmp(&(&b.case, b.due, b.document.id())));
    Checked {
        cases,
        failed: failed.into_iter().collect(),
        deadlines,
        problems,
    }
}

impl Project {
    /// A case checked before, made again from its checked text: the same model, documents and
    /// deadlines the check gave (its problems were reported then).
    pub fn materialise(&self, loaded: &Arc<LoadedCase>, today: NaiveDate) -> CheckedCase {
        let case = loaded.case();
        let docs = crate::procedure::plan(&case);
        let mut ctx = Ctx::new(loaded.file.clone(), "");
        let deadlines = crate::procedure::deadlines(&case, &self.calendar, today, &mut ctx);
        CheckedCase {
            loaded: loaded.clone(),
            docs,
            deadlines,
            facts: None,
        }
    }
}

fn load_calendar(settings: &Settings, problems: &mut Problems) -> (Calendar, Vec<PathBuf>) {
    let mut calendar = Calendar::bundled();
    let mut files = Vec::new();
    for (i, rel) in settings.calendar.extra.iter().enumerate() {
        let path = settings.root.join(rel.as_str());
        files.push(std::fs::canonicalize(&path).unwrap_or(path.clone()));
        if let Err(e) = calendar.add_file(&path, rel) {
            let text = std::fs::read_to_string(settings.root.join(settings::FILE_NAME))
                .unwrap_or_default();
            let mut ctx = Ctx::new(settings::FILE_NAME, &text);
            ctx.error(&format!("calendar.extra[{i}]"), e.to_string());
            problems.extend(ctx.problems);
        }
    }
    (calendar, files)
}

/// YAML files under `input` that may be cases, in a stable order.
fn case_files(input: &Path, root: &Path, skip: &[PathBuf]) -> Vec<PathBuf> {
    if input.is_file() {
        return vec![input.to_path_buf()];
    }
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    WalkDir::new(input)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or_default();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            matches!(ext, "yaml" | "yml")
                && !(p.parent() == Some(root.as_path())
                    && (name == settings::FILE_NAME || name == ledger::FILE_NAME))
                && !skip.contains(p)
        })
        .collect()
}

/// Two files with the same id would write the same output folder: the later ones fail.
fn reject_duplicate_ids(cases: &mut Vec<Arc<LoadedCase>>, problems: &mut Problems) {
    let mut seen: HashMap<String, String> = HashMap::new();
    cases.retain(|c| {
        let id = c.id().to_string();
        match seen.get(&id) {
            Some(first) => {
                let pos = c.positions.find("id");
                problems.push(Problem {
                    file: c.file.clone(),
                    line: pos.line,
                    column: pos.column,
                    field: "id".into(),
                    severity: Severity::Error,
                    message: format!("案件编号 {id} 与 {first} 重复；每个案件的编号必须唯一"),
                });
                false
            }
            None => {
                seen.insert(id, c.file.clone());
                true
            }
        }
    });
}
