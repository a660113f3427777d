//! Cases: the model, loading from YAML with positioned problems, and the consistency rules.

pub mod enforcement;
pub mod model;
pub mod validate;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use serde_yaml::Value;

pub use enforcement::EnforcementCase;
pub use model::*;
// Where they were before moving to the leaves `diagnostics` and `yaml` (settings and campaigns
// read YAML too, without depending on cases).
pub use crate::diagnostics::{Ctx, Positions};

use crate::problems::Problems;
use crate::yaml::{Fields, did_you_mean, parse_yaml, read_text};

/// The procedures a case file can describe.
#[derive(Debug, Clone)]
pub enum Case {
    Inspection(InspectionCase),
    Enforcement(EnforcementCase),
}

impl Case {
    /// The fields every case has.
    pub fn common(&self) -> &Common {
        match self {
            Case::Inspection(c) => &c.common,
            Case::Enforcement(c) => &c.common,
        }
    }
    pub fn id(&self) -> &str {
        &self.common().id
    }
    pub fn title(&self) -> &str {
        &self.common().title
    }
    pub fn archive(&self) -> Option<&ArchiveInfo> {
        self.common().archive.as_ref()
    }
    pub fn attachments(&self) -> &[Attachment] {
        &self.common().attachments
    }
    pub fn services(&self) -> &[Service] {
        &self.common().services
    }
    pub fn security(&self) -> Option<&str> {
        self.common().security.as_deref()
    }
    /// The case as JSON, every field present (templates read it).
    pub fn to_json(&self) -> serde_json::Value {
        let v = match self {
            Case::Inspection(c) => serde_json::to_value(c),
            Case::Enforcement(c) => serde_json::to_value(c),
        };
        v.expect("case model serializes")
    }
    /// 类目名称 of the procedure.
    pub fn procedure_name(&self) -> &'static str {
        match self {
            Case::Inspection(_) => "保密检查",
            Case::Enforcement(_) => "行政强制",
        }
    }
}

/// A case as loaded: the model, where it came from, and where each field stands in the file.
///
/// A build holds thousands of these for its whole run, so the model can be let go
/// ([`LoadedCase::release`]) and is parsed again, when next asked for, from the text that was
/// checked, kept deflated: what is made is always made from the checked text, whatever happens
/// to the file meanwhile.
#[derive(Debug)]
pub struct LoadedCase {
    id: String,
    model: Mutex<Option<Arc<Case>>>,
    /// The checked text, deflated; none for a case made in memory (never let go).
    packed: Packed,
    pub path: PathBuf,
    /// The file as shown in messages (relative to the cases root).
    pub file: String,
    /// Read from the file again when a problem needs them.
    pub positions: Positions,
    /// SHA-256 of the file's text: a case file unchanged since the last build is known without
    /// comparing what was made from it.
    pub digest: String,
}

impl LoadedCase {
    /// A case made in memory (a campaign's row): its model is always held.
    pub fn held(case: Case, path: PathBuf, file: String, positions: Positions) -> Self {
        LoadedCase {
            id: case.id().to_string(),
            model: Mutex::new(Some(Arc::new(case))),
            packed: Packed::None,
            path,
            file,
            positions,
            digest: String::new(),
        }
    }

    /// A fresh problem collector for this file.
    pub fn ctx(&self) -> Ctx {
        Ctx {
            file: self.file.clone(),
            positions: self.positions.detached(),
            problems: Problems::default(),
        }
    }

    /// The case's id (held even while the model is let go).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The model: held, or parsed again from the checked text and held until released.
    pub fn case(&self) -> Arc<Case> {
        let mut slot = self.model.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(case) = slot.as_ref() {
            return case.clone();
        }
        let case = Arc::new(self.parse_again());
        *slot = Some(case.clone());
        case
    }

    /// Whether the model is in memory now.
    pub fn is_held(&self) -> bool {
        self.model
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// Lets the model go (a case made in memory keeps it).
    pub fn release(&self) {
        if !matches!(self.packed, Packed::None) {
            *self.model.lock().unwrap_or_else(PoisonError::into_inner) = None;
        }
    }

    fn parse_again(&self) -> Case {
        // The spool is a file of this process's own: failing to read it back is the machine's
        // failure, like running out of memory.
        let text = inflate(
            &self
                .packed
                .bytes()
                .expect("the spool of checked texts reads back"),
        );
        let mut ctx = Ctx::new(self.file.clone(), "");
        let value = parse_yaml(&mut ctx, &text);
        value
            .as_ref()
            .and_then(Value::as_mapping)
            .and_then(|map| parse_case(&mut ctx, map))
            // The same text parsed into this model when the case was loaded.
            .expect("a checked case parses again")
    }
}

/// Where loaded cases keep their checked texts, deflated, while their models are let go: an
/// unnamed temporary file, gone with the process (a province's cases are tens of megabytes even
/// deflated, which a build would otherwise hold from its first stage to its last). In memory
/// when no temporary file can be made.
#[derive(Debug)]
pub struct Spool {
    /// The file and its length.
    file: Option<Mutex<(std::fs::File, u64)>>,
}

impl Spool {
    pub fn new() -> Arc<Spool> {
        Arc::new(Spool {
            file: tempfile::tempfile().ok().map(|f| Mutex::new((f, 0))),
        })
    }

    /// `packed` kept in the spool, or in memory when it cannot be written.
    fn keep(self: &Arc<Self>, packed: Box<[u8]>) -> Packed {
        use std::io::{Seek, SeekFrom, Write};
        if packed.is_empty() {
            // Not deflated: the model is then simply never let go.
            return Packed::None;
        }
        let Some(file) = &self.file else {
            return Packed::Memory(packed);
        };
        let mut file = file.lock().unwrap_or_else(PoisonError::into_inner);
        let (f, end) = &mut *file;
        let at = *end;
        let written = f
            .seek(SeekFrom::Start(at))
            .and_then(|_| f.write_all(&packed));
        match (written, u32::try_from(packed.len())) {
            (Ok(()), Ok(len)) => {
                *end += u64::from(len);
                Packed::Spooled {
                    spool: self.clone(),
                    at,
                    len,
                }
            }
            _ => Packed::Memory(packed),
        }
    }

    fn read(&self, at: u64, len: u32) -> std::io::Result<Vec<u8>> {
        use std::io::{Read, Seek, SeekFrom};
        let Some(file) = &self.file else {
            return Err(std::io::ErrorKind::NotFound.into());
        };
        let mut file = file.lock().unwrap_or_else(PoisonError::into_inner);
        let f = &mut file.0;
        f.seek(SeekFrom::Start(at))?;
        let mut bytes = vec![0; len as usize];
        f.read_exact(&mut bytes)?;
        Ok(bytes)
    }
}

/// A checked text, deflated.
#[derive(Debug)]
enum Packed {
    /// A case made in memory: nothing to parse again.
    None,
    Memory(Box<[u8]>),
    Spooled {
        spool: Arc<Spool>,
        at: u64,
        len: u32,
    },
}

impl Packed {
    fn bytes(&self) -> std::io::Result<std::borrow::Cow<'_, [u8]>> {
        use std::borrow::Cow;
        match self {
            Packed::None => Ok(Cow::Borrowed(&[])),
            Packed::Memory(bytes) => Ok(Cow::Borrowed(bytes)),
            Packed::Spooled { spool, at, len } => spool.read(*at, *len).map(Cow::Owned),
        }
    }
}

/// A case file's text, deflated: a tenth of its model's memory. One compressor a thread: its
/// state is hundreds of kilobytes, too much to make again for every file.
fn deflate(text: &str) -> Box<[u8]> {
    use flate2::{Compress, Compression, FlushCompress, Status};
    thread_local! {
        static Z: std::cell::RefCell<Compress> =
            std::cell::RefCell::new(Compress::new(Compression::fast(), false));
    }
    Z.with_borrow_mut(|z| {
        z.reset();
        let mut out = Vec::with_capacity(text.len() / 2 + 64);
        loop {
            let read = z.total_in() as usize;
            match z.compress_vec(&text.as_bytes()[read..], &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => break,
                Ok(_) => out.reserve(out.capacity().max(64)),
                // Not reached with memory buffers.
                Err(_) => return Box::default(),
            }
        }
        out.into_boxed_slice()
    })
}

fn inflate(packed: &[u8]) -> String {
    use std::io::Read;
    let mut text = String::new();
    let _ = flate2::read::DeflateDecoder::new(packed).read_to_string(&mut text);
    text
}

/// What a YAML file under the cases root turned out to be.
pub enum Loaded {
    Case(Box<LoadedCase>),
    /// A campaign file (bulk letters), with its parsed value.
    Campaign {
        path: PathBuf,
        file: String,
        text: String,
        value: Value,
    },
    /// Not a case file at all (no `kind:`), e.g. a calendar addition.
    Other,
}

pub const KINDS: &[&str] = &["inspection", "enforcement", "campaign"];

/// Reads one YAML file under the cases root; a case's checked text is kept in `spool`.
pub fn load_file(path: &Path, root: &Path, spool: &Arc<Spool>) -> (Loaded, Problems) {
    let file = crate::yaml::display_path(path, root);
    let (text, encoding) = match read_text(path) {
        Ok(t) => t,
        Err(message) => {
            let mut ctx = Ctx::new(file, "");
            ctx.error("", message);
            return (Loaded::Other, ctx.problems);
        }
    };
    let mut ctx = Ctx::new(file.clone(), &text);
    let loaded = load_text(&mut ctx, path, &text, spool);
    if encoding == crate::text::Encoding::Gbk && !matches!(loaded, Loaded::Other) {
        ctx.warn(
            "",
            "文件是 GBK 编码，已按 GBK 读取；建议用记事本“另存为”UTF-8 编码",
        );
    }
    (loaded, ctx.problems)
}

fn load_text(ctx: &mut Ctx, path: &Path, text: &str, spool: &Arc<Spool>) -> Loaded {
    let Some(value) = parse_yaml(ctx, text) else {
        return Loaded::Other;
    };
    let Some(map) = value.as_mapping() else {
        ctx.error("", "案件文件的顶层应为“键: 值”的映射");
        return Loaded::Other;
    };
    match map.get("kind").and_then(Value::as_str) {
        None if map.get("kind").is_none() => return Loaded::Other,
        Some("campaign") => {
            return Loaded::Campaign {
                path: path.to_path_buf(),
                file: ctx.file.clone(),
                text: text.to_string(),
                value: value.clone(),
            };
        }
        _ => {}
    }
    match parse_case(ctx, map) {
        Some(case) if !ctx.has_errors() => Loaded::Case(Box::new(LoadedCase {
            id: case.id().to_string(),
            model: Mutex::new(Some(Arc::new(case))),
            packed: spool.keep(deflate(text)),
            path: path.to_path_buf(),
            file: ctx.file.clone(),
            positions: Positions::of_file(path, |p| {
                crate::yaml::read_text(p).ok().map(|(text, _)| text)
            }),
            digest: crate::output::sha256_hex(text.as_bytes()),
        })),
        _ => Loaded::Other,
    }
}

/// The model of a case file's top-level mapping (not a campaign), every problem recorded.
fn parse_case(ctx: &mut Ctx, map: &serde_yaml::Mapping) -> Option<Case> {
    let kind = map
        .get("kind")
        .map(|k| k.as_str().unwrap_or_default())
        .unwrap_or_default();
    match kind {
        "inspection" => load_inspection(ctx, map).map(Case::Inspection),
        "enforcement" => enforcement::load(ctx, map).map(Case::Enforcement),
        other => {
            let hint = did_you_mean(other, KINDS)
                .map(|k| format!("是否想写 {k}？"))
                .unwrap_or_default();
            ctx.error("kind", format!("未知的案件种类 {other}，应为 inspection（保密检查）、enforcement（行政强制）或 campaign（批量发文）。{hint}"));
            None
        }
    }
}

/// Reads an inspection case's fields, every problem recorded.
pub fn load_inspection(ctx: &mut Ctx, map: &serde_yaml::Mapping) -> Option<InspectionCase> {
    let mut f = Fields::new(map, "");
    f.known(&["kind"]);
    let id: Option<Text> = f.required(ctx, "id", "案件编号，只用字母、数字、“-”和“_”");
    let title = f.required(ctx, "title", "案卷题名");
    let organized_by = f.optional(ctx, "organized_by").unwrap_or_default();
    let security = f.optional(ctx, "security");
    let inspected_unit = f.required(ctx, "inspected_unit", "受检机关、单位");
    let plan = f.optional(ctx, "plan");
    let team = f.required(ctx, "team", "检查组：组长和成员");
    let notice = f.optional(ctx, "notice");
    let inspection = f.required(ctx, "inspection", "现场检查：起止日期和检查记录");
    let measures = f.list(ctx, "measures");
    let technical_check = f.optional(ctx, "technical_check");
    let report = f.optional(ctx, "report");
    let opinion = f.optional(ctx, "opinion");
    let objection = f.optional(ctx, "objection");
    let reinspection = f.optional(ctx, "reinspection");
    let superior_report = f.optional(ctx, "superior_report");
    let services = f.list(ctx, "services");
    let archive = f.optional(ctx, "archive");
    let attachments = f.list(ctx, "attachments");
    f.reject_unknown(ctx);
    Some(InspectionCase {
        common: Common {
            id: id?,
            title: title?,
            security,
            services,
            archive,
            attachments,
        },
        organized_by,
        inspected_unit: inspected_unit?,
        plan,
        team: team?,
        notice,
        inspection: inspection?,
        measures,
        technical_check,
        report,
        opinion,
        objection,
        reinspection,
        superior_report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_texts_read_back_from_the_spool_in_any_order_or_stay_in_memory() {
        let texts = [
            "kind: inspection\nid: a\n",
            "受检单位：某县档案馆 # * $ ]",
            "",
        ];
        for spool in [Spool::new(), Arc::new(Spool { file: None })] {
            let packed: Vec<Packed> = texts.iter().map(|t| spool.keep(deflate(t))).collect();
            for (text, p) in texts.iter().zip(&packed).rev() {
                assert_eq!(inflate(&p.bytes().unwrap()), *text);
                match (&spool.file, p) {
                    (Some(_), Packed::Spooled { .. }) | (None, Packed::Memory(_)) => {}
                    other => panic!("kept as {other:?}"),
                }
            }
        }
        // Nothing to keep (a text that could not be deflated): the model is never let go.
        assert!(matches!(Spool::new().keep(Box::default()), Packed::None));
    }
}
