//! Rendering: typst embedded as a library behind a small `World`. Fonts and templates are loaded
//! once into a [`Renderer`]; each document gets a [`DocWorld`] that serves its data as the
//! virtual file `/data.json`, so case data never becomes markup.

pub mod batch;
mod fonts;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

pub use fonts::FontSet;

static EMBEDDED_TEMPLATES: Dir = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The virtual path the current document's data is served at.
const DATA_PATH: &str = "/data.json";

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("找不到模板 {0}")]
    MissingTemplate(String),
    #[error("模板 {template} 编译失败：{message}")]
    Template { template: String, message: String },
    #[error("PDF 导出失败（{template}）：{message}")]
    Pdf { template: String, message: String },
    #[error("无法读取字体：{}", crate::text::io_error(.0))]
    Fonts(std::io::Error),
    #[error("无法读取模板目录 {}：{}", .0.display(), crate::text::io_error(.1))]
    TemplateDir(PathBuf, std::io::Error),
}

/// What a document needs from the renderer.
pub struct RenderRequest<'a> {
    /// Template file name without `.typ`, e.g. `inspection_notice`.
    pub template: &'a str,
    /// The JSON the template reads from `/data.json`.
    pub data: Vec<u8>,
    /// Stable identity of the document (for the PDF's document id).
    pub ident: String,
    /// The document's date: the PDF's creation date, so output bytes never depend on the clock.
    pub date: Option<chrono::NaiveDate>,
}

/// A rendered document.
pub struct Rendered {
    pub pdf: Vec<u8>,
    pub pages: usize,
}

/// Fonts, standard library and parsed templates, loaded once and shared by every document.
pub struct Renderer {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    sources: HashMap<FileId, Source>,
    files: HashMap<FileId, Bytes>,
    fingerprint: String,
}

impl Renderer {
    /// Loads templates (embedded, overridden file by file by `template_dir`) and fonts (the
    /// bundled ones, after `font_dir`'s).
    pub fn new(template_dir: Option<&Path>, font_dir: Option<&Path>) -> Result<Self, RenderError> {
        let fonts = FontSet::load(font_dir).map_err(RenderError::Fonts)?;
        let mut renderer = Self {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(fonts.book),
            fonts: fonts.fonts,
            sources: HashMap::new(),
            files: HashMap::new(),
            fingerprint: String::new(),
        };
        for file in embedded_files(&EMBEDDED_TEMPLATES) {
            renderer.add_file(
                file.path().to_string_lossy().as_ref(),
                file.contents().to_vec(),
            );
        }
        if let Some(dir) = template_dir {
            for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
                let entry =
                    entry.map_err(|e| RenderError::TemplateDir(dir.to_path_buf(), e.into()))?;
                if !entry.file_type().is_file() {
                    continue;
                }
                let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
                let data = std::fs::read(entry.path())
                    .map_err(|e| RenderError::TemplateDir(dir.to_path_buf(), e))?;
                renderer.add_file(&rel.to_string_lossy().replace('\\', "/"), data);
            }
        }
        renderer.fingerprint = renderer.compute_fingerprint();
        Ok(renderer)
    }

    /// Digest of everything besides the data that shapes output: templates, fonts, version.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Digest of everything a request's output is made from: the request (template, identity,
    /// date, data) and the renderer's fingerprint. Same digest, same bytes.
    pub fn inputs_digest(&self, request: &RenderRequest) -> String {
        let mut key = format!(
            "{}\n{}\n{}\n{:?}\n",
            self.fingerprint, request.template, request.ident, request.date
        )
        .into_bytes();
        key.extend_from_slice(&request.data);
        crate::output::sha256_hex(&key)
    }

    fn compute_fingerprint(&self) -> String {
        let mut files: Vec<(String, &Bytes)> = self
            .files
            .iter()
            .map(|(id, b)| (id.get().vpath().get_without_slash().to_string(), b))
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let mut all = env!("CARGO_PKG_VERSION").as_bytes().to_vec();
        for (path, bytes) in files {
            all.extend_from_slice(path.as_bytes());
            all.extend_from_slice(crate::output::sha256_hex(bytes.as_slice()).as_bytes());
        }
        // Hashing every font's bytes would cost more than a small build; size, face and family
        // tell fonts apart.
        for f in &self.fonts {
            all.extend_from_slice(f.info().family.as_bytes());
            all.extend_from_slice(&f.data().len().to_le_bytes());
            all.extend_from_slice(&f.index().to_le_bytes());
        }
        crate::output::sha256_hex(&all)
    }

    fn add_file(&mut self, rel: &str, data: Vec<u8>) {
        let Some(id) = file_id(&format!("/{rel}")) else {
            return;
        };
        if rel.ends_with(".typ") {
            let text = String::from_utf8_lossy(&data).into_owned();
            self.sources.insert(id, Source::new(id, text));
        }
        self.files.insert(id, Bytes::new(data));
    }

    pub fn has_template(&self, template: &str) -> bool {
        file_id(&format!("/{template}.typ")).is_some_and(|id| self.sources.contains_key(&id))
    }

    /// Compiles one template with its data to PDF/A-2b.
    pub fn render(&self, request: &RenderRequest) -> Result<Rendered, RenderError> {
        self.render_with_files(request, &[])
    }

    /// Lays one template out with its data and counts its pages, without making the PDF.
    pub fn page_count(&self, request: &RenderRequest) -> Result<usize, RenderError> {
        let world = self.world(request, &[])?;
        Ok(Self::lay_out(&world, request)?.pages().len())
    }

    /// The world one document is compiled in: its template, its data and any extra files.
    fn world<'a>(
        &'a self,
        request: &RenderRequest,
        extra: &[(String, Vec<u8>)],
    ) -> Result<DocWorld<'a>, RenderError> {
        let main = file_id(&format!("/{}.typ", request.template))
            .filter(|id| self.sources.contains_key(id))
            .ok_or_else(|| RenderError::MissingTemplate(request.template.to_string()))?;
        Ok(DocWorld {
            renderer: self,
            main,
            data_id: file_id(DATA_PATH).expect("static path"),
            data: Bytes::new(request.data.clone()),
            extra: extra
                .iter()
                .filter_map(|(p, d)| Some((file_id(p)?, Bytes::new(d.clone()))))
                .collect(),
        })
    }

    fn lay_out(world: &DocWorld, request: &RenderRequest) -> Result<PagedDocument, RenderError> {
        typst::compile::<PagedDocument>(world)
            .output
            .map_err(|errors| RenderError::Template {
                template: request.template.to_string(),
                message: describe(world, &errors),
            })
    }

    /// Like [`Renderer::render`], with extra virtual files (e.g. images a template places),
    /// served at the given absolute paths.
    pub fn render_with_files(
        &self,
        request: &RenderRequest,
        extra: &[(String, Vec<u8>)],
    ) -> Result<Rendered, RenderError> {
        Ok(self.render_marked(request, extra, &[])?.0)
    }

    /// Like [`Renderer::render_with_files`], and also the page (from 0) each of `labels` is
    /// on, None for a label the document does not have: how a template made of parts tells
    /// where each part begins.
    pub fn render_marked(
        &self,
        request: &RenderRequest,
        extra: &[(String, Vec<u8>)],
        labels: &[&str],
    ) -> Result<(Rendered, Vec<Option<usize>>), RenderError> {
        let world = self.world(request, extra)?;
        let document = Self::lay_out(&world, request)?;
        let pages = labels
            .iter()
            .map(|name| first_page_of(&document, name))
            .collect();
        let options = PdfOptions {
            ident: Smart::Custom(request.ident.clone()),
            creator: Smart::Custom(Some(format!("anjuan {}", env!("CARGO_PKG_VERSION")))),
            timestamp: request.date.and_then(timestamp),
            standards: PdfStandards::new(&[PdfStandard::A_2b]).expect("PDF/A-2b is valid alone"),
            ..PdfOptions::default()
        };
        let pdf = typst_pdf::pdf(&document, &options).map_err(|errors| RenderError::Pdf {
            template: request.template.to_string(),
            message: describe(&world, &errors),
        })?;
        Ok((
            Rendered {
                pdf,
                pages: document.pages().len(),
            },
            pages,
        ))
    }
}

/// The page (from 0) of the element labelled `name`.
fn first_page_of(document: &PagedDocument, name: &str) -> Option<usize> {
    use typst::introspection::Introspector as _;
    let label = typst::foundations::Label::new(typst::utils::PicoStr::intern(name))?;
    let introspector = document.introspector();
    let location = introspector.query_label(label).ok()?.location()?;
    introspector.page(location).map(|p| p.get() - 1)
}

fn embedded_files<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut files: Vec<_> = dir.files().collect();
    for sub in dir.dirs() {
        files.extend(embedded_files(sub));
    }
    files
}

fn file_id(path: &str) -> Option<FileId> {
    let vpath = VirtualPath::new(path).ok()?;
    Some(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

fn timestamp(date: chrono::NaiveDate) -> Option<Timestamp> {
    use chrono::Datelike;
    let dt = Datetime::from_ymd_hms(date.year(), date.month() as u8, date.day() as u8, 0, 0, 0)?;
    Some(Timestamp::new_utc(dt))
}

/// Error messages with the template file and line, for whoever maintains the templates.
fn describe(world: &DocWorld, diagnostics: &[SourceDiagnostic]) -> String {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let place = d.span.id().and_then(|id| {
                let source = world.source(id).ok()?;
                let range = world.range(d.span)?;
                let (line, col) = source.lines().byte_to_line_column(range.start)?;
                Some(format!(
                    "{}:{}:{}: ",
                    id.get().vpath().get_without_slash(),
                    line + 1,
                    col + 1
                ))
            });
            let hints: String = d
                .hints
                .iter()
                .map(|h| format!("（提示：{}）", h.v))
                .collect();
            format!("{}{}{}", place.unwrap_or_default(), d.message, hints)
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// One document's view of the world: shared templates and fonts, its own data.
struct DocWorld<'a> {
    renderer: &'a Renderer,
    main: FileId,
    data_id: FileId,
    data: Bytes,
    extra: HashMap<FileId, Bytes>,
}

impl World for DocWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.renderer.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.renderer.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.renderer
            .sources
            .get(&id)
            .cloned()
            .ok_or_else(|| not_found(id))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            return Ok(self.data.clone());
        }
        if let Some(bytes) = self.extra.get(&id) {
            return Ok(bytes.clone());
        }
        self.renderer
            .files
            .get(&id)
            .cloned()
            .ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.renderer.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        // Documents carry their own dates; the clock must never reach the output.
        None
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.get().vpath().get_without_slash().into())
}
