//! `anjuan verify OUT`: the four-property check (四性检测, DA/T 70-2018) of a build's output —
//! authenticity (digests, metadata, 档号), integrity (nothing missing or extra, page counts and
//! 页号 agree, required documents), usability (PDF/A, fonts, text, no encryption) and security
//! (no scripts, actions, embedded files, links, stray paths).
//!
//! Authenticity is anchored outside the output folder when verify is given the office's public
//! key (`--key`, or `--cases ROOT` reading it from `anjuan.yaml`): the SM2 signatures of the
//! manifest, of each transfer package and of each 封装包 are checked first; with `--cases` the
//! manifest's SM3 is also looked up in the cases root's build log. Without a key, verify says
//! plainly that it could not check the manifest itself.

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use lopdf::{Document, Object};
use rayon::prelude::*;
use serde::Serialize;

use super::VolumeEntry;
use super::pdf;
use crate::manifest::{self, ItemRow, Manifest};
use crate::output::{sha256_hex, sm3_hex};
use crate::signing::{self, Check, PublicKey};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Property {
    #[serde(rename = "真实性")]
    Authenticity,
    #[serde(rename = "完整性")]
    Integrity,
    #[serde(rename = "可用性")]
    Usability,
    #[serde(rename = "安全性")]
    Security,
}

impl Property {
    pub const ALL: [Property; 4] = [
        Property::Authenticity,
        Property::Integrity,
        Property::Usability,
        Property::Security,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Property::Authenticity => "真实性",
            Property::Integrity => "完整性",
            Property::Usability => "可用性",
            Property::Security => "安全性",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Level {
    #[serde(rename = "错误")]
    Error,
    #[serde(rename = "警告")]
    Warning,
    #[serde(rename = "提示")]
    Info,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Error => "错误",
            Level::Warning => "警告",
            Level::Info => "提示",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    #[serde(rename = "性质")]
    pub property: Property,
    #[serde(rename = "级别")]
    pub level: Level,
    /// The file (relative to OUT) or item the finding is about.
    #[serde(rename = "对象")]
    pub item: String,
    #[serde(rename = "说明")]
    pub message: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    #[serde(rename = "检测文件数")]
    pub files: usize,
    #[serde(rename = "案卷数")]
    pub volumes: usize,
    #[serde(rename = "问题")]
    pub findings: Vec<Finding>,
    /// Whether signatures were checked against the office's key.
    #[serde(rename = "已核验电子签名")]
    pub signature_checked: bool,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.level == Level::Error)
            .count()
    }
    fn add(&mut self, property: Property, level: Level, item: &str, message: impl Into<String>) {
        self.findings.push(Finding {
            property,
            level,
            item: item.to_string(),
            message: message.into(),
        });
    }

    /// The report as Chinese text, grouped by property.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "四性检测：文件 {} 个，案卷 {} 卷\n",
            self.files, self.volumes
        );
        for p in Property::ALL {
            let list: Vec<&Finding> = self.findings.iter().filter(|f| f.property == p).collect();
            if list.is_empty() {
                s.push_str(&format!("\n【{}】通过\n", p.label()));
                continue;
            }
            s.push_str(&format!("\n【{}】{} 项\n", p.label(), list.len()));
            for f in list {
                s.push_str(&format!(
                    "  [{}] {}：{}\n",
                    f.level.label(),
                    f.item,
                    f.message
                ));
            }
        }
        let warnings = self
            .findings
            .iter()
            .filter(|f| f.level == Level::Warning)
            .count();
        s.push_str(&format!(
            "\n结论：错误 {} 个，警告 {} 个{}\n",
            self.errors(),
            warnings,
            match (self.errors() == 0, self.signature_checked) {
                (true, true) => "，检测通过",
                (true, false) => "；未核验电子签名，真实性没有得到检查，其余检测通过",
                (false, _) => "，检测未通过",
            }
        ));
        s
    }
}

/// A file the manifest lists, with the digests it recorded.
struct Listed<'a> {
    path: &'a str,
    sha256: &'a str,
    sm3: Option<&'a str>,
}

/// What authenticity is checked against from outside the output folder.
#[derive(Debug, Default, Clone)]
pub struct Anchors {
    /// The office's public key: signatures are checked with it.
    pub key: Option<PublicKey>,
    /// The cases root whose build log the manifest must match.
    pub cases_root: Option<PathBuf>,
}

/// The detached signature of the manifest, beside it.
pub fn manifest_signature_name() -> String {
    format!("{}{}", manifest::FILE_NAME, signing::SIG_SUFFIX)
}

/// Runs every check over an output folder, without a key.
pub fn verify(out: &Path) -> Report {
    verify_with(out, &Anchors::default())
}

/// Runs every check over an output folder, signatures and build log first.
pub fn verify_with(out: &Path, anchors: &Anchors) -> Report {
    use Level::*;
    use Property::*;
    let mut r = Report::default();
    let text = match std::fs::read_to_string(out.join(manifest::FILE_NAME)) {
        Ok(t) => t,
        Err(e) => {
            r.add(
                Integrity,
                Error,
                manifest::FILE_NAME,
                if e.kind() == std::io::ErrorKind::NotFound {
                    format!(
                        "找不到清单：{} 不是 anjuan build 的输出目录，或清单已被删除",
                        out.display()
                    )
                } else {
                    format!("无法读取清单：{}", crate::text::io_error(&e))
                },
            );
            return r;
        }
    };
    let manifest: Manifest = match serde_json::from_str(&text) {
        Ok(m) => m,
        Err(e) => {
            r.add(
                Authenticity,
                Error,
                manifest::FILE_NAME,
                format!("清单格式错误：{e}"),
            );
            return r;
        }
    };
    check_signature(out, text.as_bytes(), anchors, &mut r);
    if let Some(root) = &anchors.cases_root {
        check_build_log(root, text.as_bytes(), &mut r);
    }
    drop(text);
    let volumes = &manifest.volumes;
    let listed = listed_files(&manifest);
    r.files = listed.len();
    r.volumes = volumes.len();
    // Every listed file is read, hashed and (a PDF) parsed once, in parallel; each check that
    // reads a file takes its findings from that one pass, added below in the checks' order.
    let scan = scan(out, &listed, volumes);
    check_files(out, &scan, &mut r);
    check_codes(&manifest, volumes, &mut r);
    check_required_documents(volumes, &mut r);
    let packages: Vec<Vec<Finding>> = volumes
        .par_iter()
        .map(|v| {
            let mut pr = Report::default();
            check_package(out, v, anchors, &mut pr);
            pr.findings
        })
        .collect();
    for ((vi, v), package) in volumes.iter().enumerate().zip(packages) {
        check_volume(v, &scan.volumes[vi], &mut r);
        check_items(v, &scan.items[vi], &mut r);
        r.findings.extend(package);
    }
    check_bags(out, &listed, anchors, &mut r);
    verify_catalogs(out, &manifest, volumes, &mut |p, l, i, m| r.add(p, l, i, m));
    check_pdfs(volumes, &scan, &mut r);
    r.findings
        .sort_by(|a, b| (a.property, a.level, &a.item).cmp(&(b.property, b.level, &b.item)));
    r
}

fn listed_files(manifest: &Manifest) -> Vec<Listed<'_>> {
    manifest
        .listed()
        .into_iter()
        .map(|l| Listed {
            path: l.path,
            sha256: l.sha256,
            sm3: Some(l.sm3).filter(|s| !s.is_empty()),
        })
        .collect()
}

/// A path of the manifest that would leave the output folder.
fn leaves_folder(path: &str) -> bool {
    path.starts_with('/')
        || path.split('/').any(|c| c == ".." || c.is_empty())
        || path.contains('\\')
}

/// How a listed file compares with the digests the manifest recorded.
enum Digest {
    /// The path leaves the output folder (the file is not read for this check).
    Outside,
    Missing,
    Sha256,
    Sm3,
    Unchanged,
}

/// What a listed PDF is, for [`check_pdfs`]: a function of its bytes alone, so a byte for byte
/// copy (the transfer package's) takes the original's.
#[derive(Clone)]
enum PdfFacts {
    Unparsable(String),
    Parsed {
        encrypted: bool,
        pdfa: bool,
        /// Text on the first page.
        text: bool,
        unembedded: BTreeSet<String>,
        /// Security findings, in the order of the objects that hold them.
        security: Vec<String>,
    },
}

/// Every check that reads a file, done in one parallel pass over the files (read, hashed and
/// parsed once each), with the findings kept per check and file so that the report adds
/// them in the same order as checking each in turn.
struct Scan<'a> {
    /// Each listed path once (its first entry), in the manifest's order.
    files: Vec<(&'a str, Digest)>,
    /// Each listed PDF once, in the manifest's order; None when it cannot be read.
    pdfs: Vec<(&'a str, Option<PdfFacts>)>,
    /// Per volume: the findings of its file ([`volume_pdf`]).
    volumes: Vec<Vec<Finding>>,
    /// Per volume and 件: the findings of the 件's own file ([`item_pdf`]).
    items: Vec<Vec<Vec<Finding>>>,
}

/// One file to read, with every check that reads it.
struct Job<'a> {
    path: &'a str,
    /// The manifest's entry (the first, when listed twice): its digests are checked.
    listed: Option<&'a Listed<'a>>,
    /// Usability and security ([`check_pdfs`]).
    pdf: bool,
    /// The volumes whose file this is.
    volumes: Vec<usize>,
    /// The 件 (volume, index) whose own PDF this is.
    items: Vec<(usize, usize)>,
}

#[derive(Default)]
struct Outcome {
    digest: Option<Digest>,
    pdf: Option<PdfFacts>,
    volumes: Vec<(usize, Vec<Finding>)>,
    items: Vec<((usize, usize), Vec<Finding>)>,
}

fn scan<'a>(out: &Path, listed: &'a [Listed<'a>], volumes: &'a [VolumeEntry]) -> Scan<'a> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut jobs: Vec<Job> = Vec::new();
    let mut job_of = |path: &'a str, listed: Option<&'a Listed<'a>>, jobs: &mut Vec<Job<'a>>| {
        *index.entry(path).or_insert_with(|| {
            jobs.push(Job {
                path,
                listed,
                pdf: listed.is_some() && path.to_lowercase().ends_with(".pdf"),
                volumes: Vec::new(),
                items: Vec::new(),
            });
            jobs.len() - 1
        })
    };
    for f in listed {
        job_of(f.path, Some(f), &mut jobs);
    }
    for (vi, v) in volumes.iter().enumerate() {
        let j = job_of(&v.path, None, &mut jobs);
        jobs[j].volumes.push(vi);
        for (ii, it) in v.items.iter().enumerate() {
            if let Some(file) = &it.file
                && !it.scanned
                && file.ends_with(".pdf")
            {
                let j = job_of(file, None, &mut jobs);
                jobs[j].items.push((vi, ii));
            }
        }
    }
    // Files the manifest says are the same bytes (the transfer package's copy of each volume
    // and 件) are read together: a copy found byte for byte equal takes the digests and the
    // parse of the first instead of computing them again.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut by_digest: HashMap<&str, usize> = HashMap::new();
    for (j, job) in jobs.iter().enumerate() {
        match job.listed.map(|f| f.sha256).filter(|d| !d.is_empty()) {
            Some(d) => {
                let g = *by_digest.entry(d).or_insert_with(|| {
                    groups.push(Vec::new());
                    groups.len() - 1
                });
                groups[g].push(j);
            }
            None => groups.push(vec![j]),
        }
    }
    let done: Vec<(usize, Outcome)> = groups
        .par_iter()
        .flat_map_iter(|group| run_group(out, &jobs, group, volumes))
        .collect();
    let mut outcomes: Vec<Outcome> = (0..jobs.len()).map(|_| Outcome::default()).collect();
    for (j, o) in done {
        outcomes[j] = o;
    }
    let mut scan = Scan {
        files: Vec::new(),
        pdfs: Vec::new(),
        volumes: vec![Vec::new(); volumes.len()],
        items: volumes
            .iter()
            .map(|v| vec![Vec::new(); v.items.len()])
            .collect(),
    };
    for (job, o) in jobs.iter().zip(outcomes) {
        if let Some(d) = o.digest {
            scan.files.push((job.path, d));
        }
        if job.pdf {
            scan.pdfs.push((job.path, o.pdf));
        }
        for (vi, f) in o.volumes {
            scan.volumes[vi] = f;
        }
        for ((vi, ii), f) in o.items {
            scan.items[vi][ii] = f;
        }
    }
    scan
}

/// A file's bytes and what is computed from them, each at most once.
struct Content {
    bytes: Vec<u8>,
    sha256: OnceCell<String>,
    sm3: OnceCell<String>,
    parsed: OnceCell<Result<Parsed, String>>,
    facts: OnceCell<PdfFacts>,
}

/// A parsed PDF with its XMP packet and the text of its first page.
struct Parsed {
    doc: Document,
    meta: String,
    page1: String,
}

impl Content {
    fn new(bytes: Vec<u8>) -> Content {
        Content {
            bytes,
            sha256: OnceCell::new(),
            sm3: OnceCell::new(),
            parsed: OnceCell::new(),
            facts: OnceCell::new(),
        }
    }
    fn sha256(&self) -> &str {
        self.sha256.get_or_init(|| sha256_hex(&self.bytes))
    }
    fn sm3(&self) -> &str {
        self.sm3.get_or_init(|| sm3_hex(&self.bytes))
    }
    fn parsed(&self) -> &Result<Parsed, String> {
        self.parsed.get_or_init(|| {
            let doc = Document::load_mem(&self.bytes).map_err(|e| e.to_string())?;
            let meta = metadata_text(&doc);
            let page1 = doc.extract_text(&[1]).unwrap_or_default();
            Ok(Parsed { doc, meta, page1 })
        })
    }
    fn facts(&self) -> &PdfFacts {
        self.facts.get_or_init(|| match self.parsed() {
            Ok(p) => pdf_facts(&p.doc, &p.meta, &p.page1),
            Err(e) => PdfFacts::Unparsable(e.clone()),
        })
    }
}

/// Reads the files of a group one after the other; each is compared byte for byte with the
/// group's first, whose digests and parse it takes when equal.
fn run_group(
    out: &Path,
    jobs: &[Job],
    group: &[usize],
    volumes: &[VolumeEntry],
) -> Vec<(usize, Outcome)> {
    // The member with a volume or 件 to check first: it is parsed in any case.
    let mut order = group.to_vec();
    order.sort_by_key(|&j| jobs[j].volumes.is_empty() && jobs[j].items.is_empty());
    let mut first: Option<Content> = None;
    let mut done = Vec::with_capacity(order.len());
    for j in order {
        let job = &jobs[j];
        let mut o = Outcome::default();
        let outside = leaves_folder(job.path);
        let roles = !job.volumes.is_empty() || !job.items.is_empty();
        // A path leaving the folder is named as such, not hashed; the PDF checks still read it.
        if outside && !roles && !job.pdf {
            o.digest = job.listed.map(|_| Digest::Outside);
            done.push((j, o));
            continue;
        }
        let Ok(bytes) = std::fs::read(out.join(job.path)) else {
            o.digest = job.listed.map(|_| {
                if outside {
                    Digest::Outside
                } else {
                    Digest::Missing
                }
            });
            done.push((j, o));
            continue;
        };
        let own;
        let content = match &first {
            Some(c) if c.bytes == bytes => c,
            Some(_) => {
                own = Content::new(bytes);
                &own
            }
            None => first.insert(Content::new(bytes)),
        };
        o.digest = job.listed.map(|f| {
            if outside {
                Digest::Outside
            } else if content.sha256() != f.sha256 {
                Digest::Sha256
            } else if f.sm3.is_some_and(|s| s != content.sm3()) {
                Digest::Sm3
            } else {
                Digest::Unchanged
            }
        });
        check_content(job, content, volumes, &mut o);
        done.push((j, o));
    }
    done
}

/// The checks of a file that read its content: the volume's and the 件's, and PDF facts.
fn check_content(job: &Job, content: &Content, volumes: &[VolumeEntry], o: &mut Outcome) {
    use Level::*;
    use Property::*;
    if !job.volumes.is_empty() || !job.items.is_empty() {
        match content.parsed() {
            // Only findings are kept: a clean file leaves nothing behind on the heap.
            Ok(p) => {
                for &vi in &job.volumes {
                    let mut r = Report::default();
                    volume_pdf(&p.doc, &p.page1, &p.meta, &volumes[vi], &mut r);
                    if !r.findings.is_empty() {
                        o.volumes.push((vi, r.findings));
                    }
                }
                for &(vi, ii) in &job.items {
                    let mut r = Report::default();
                    item_pdf(
                        job.path,
                        &p.meta,
                        &volumes[vi],
                        &volumes[vi].items[ii],
                        &mut r,
                    );
                    if !r.findings.is_empty() {
                        o.items.push(((vi, ii), r.findings));
                    }
                }
            }
            // A 件's own file that cannot be parsed is named by the PDF checks.
            Err(e) => {
                for &vi in &job.volumes {
                    let mut r = Report::default();
                    r.add(
                        Usability,
                        Error,
                        &volumes[vi].path,
                        format!("PDF 无法解析：{e}"),
                    );
                    o.volumes.push((vi, r.findings));
                }
            }
        }
    }
    if job.pdf {
        o.pdf = Some(content.facts().clone());
    }
}

/// Present, unchanged, nothing extra, no paths leaving the folder.
fn check_files(out: &Path, scan: &Scan, r: &mut Report) {
    use Level::*;
    use Property::*;
    let mut seen = HashSet::new();
    for (path, digest) in &scan.files {
        seen.insert(*path);
        match digest {
            Digest::Outside => r.add(Security, Error, path, "清单中的路径指向输出目录之外"),
            Digest::Sha256 => r.add(
                Authenticity,
                Error,
                path,
                "文件内容与清单记录的 SHA-256 不符（文件被修改）",
            ),
            Digest::Sm3 => r.add(
                Authenticity,
                Error,
                path,
                "文件内容与清单记录的 SM3 摘要不符（文件或清单被修改）",
            ),
            Digest::Unchanged => {}
            Digest::Missing => r.add(Integrity, Error, path, "清单登记的文件缺失"),
        }
    }
    let cache_dir = format!("{}/", crate::cache::DIR);
    let signature = manifest_signature_name();
    for entry in walkdir::WalkDir::new(out)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        let rel = entry
            .path()
            .strip_prefix(out)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        if rel.is_empty() {
            continue;
        }
        if entry.path_is_symlink() {
            r.add(Security, Error, &rel, "输出目录中有符号链接，可能指向包外");
            continue;
        }
        if entry.file_type().is_file()
            && rel != manifest::FILE_NAME
            && !crate::lock::OUTPUT_FILES.contains(&rel.as_str())
            && !rel.starts_with(&cache_dir)
            && rel != signature
            && !seen.contains(rel.as_str())
        {
            r.add(Integrity, Error, &rel, "文件未在清单中登记（多出的文件）");
        }
    }
}

/// Serial segment of the template as matched against a code: literal text, digits, or a choice.
enum Token {
    Lit(String),
    Digits(usize),
    OneOf(&'static [&'static str]),
}

fn tokens(template: &str, a: &crate::manifest::ArchiveCodes) -> Vec<Token> {
    let get = |k: &str| {
        match k {
            "fonds_no" => a.fonds_no.as_str(),
            "category" => a.category.as_str(),
            "org_code" => a.org_code.as_str(),
            _ => "",
        }
        .to_string()
    };
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push(Token::Lit(rest[..start].to_string()));
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 1..start + end];
        out.push(match name {
            "year" => Token::Digits(4),
            "retention" => Token::OneOf(&["D30", "D10", "Y"]),
            "serial:04" => Token::Digits(4),
            "serial" => Token::Digits(1),
            other => Token::Lit(get(other)),
        });
        rest = &rest[start + end + 1..];
    }
    out.push(Token::Lit(rest.to_string()));
    out
}

fn matches(code: &str, tokens: &[Token]) -> bool {
    let mut s = code;
    for t in tokens {
        match t {
            Token::Lit(l) => match s.strip_prefix(l.as_str()) {
                Some(r) => s = r,
                None => return false,
            },
            Token::Digits(min) => {
                let n = s.chars().take_while(|c| c.is_ascii_digit()).count();
                if n < *min {
                    return false;
                }
                s = &s[n..];
            }
            Token::OneOf(options) => match options.iter().find(|o| s.starts_with(*o)) {
                Some(o) => s = &s[o.len()..],
                None => return false,
            },
        }
    }
    s.is_empty()
}

/// 档号 well-formed and unique; serials without gaps.
fn check_codes(manifest: &Manifest, volumes: &[VolumeEntry], r: &mut Report) {
    use Level::*;
    use Property::*;
    let settings = manifest.archive.clone().unwrap_or_default();
    let template = settings.code_template.clone();
    let toks = tokens(&template, &settings);
    let mut by_code: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for v in volumes {
        by_code.entry(&v.archive_code).or_default().push(&v.path);
        if !template.is_empty() && !matches(&v.archive_code, &toks) {
            r.add(
                Authenticity,
                Error,
                &v.path,
                format!("档号 {} 不符合档号模板 {template}", v.archive_code),
            );
        }
    }
    for (code, paths) in &by_code {
        if paths.len() > 1 {
            r.add(
                Authenticity,
                Error,
                code,
                format!(
                    "档号重复：{} 卷使用同一档号（{}）",
                    paths.len(),
                    paths.join("、")
                ),
            );
        }
    }
    // Serials within each (year, retention) prefix: the last digits of the code.
    let mut serials: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for code in by_code.keys() {
        let digits: String = code
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if let Ok(n) = digits.parse::<u32>() {
            serials
                .entry(code[..code.len() - digits.len()].to_string())
                .or_default()
                .push(n);
        }
    }
    for (prefix, list) in serials {
        let held: BTreeSet<u32> = list.into_iter().collect();
        let missing: Vec<String> = (1..=held.last().copied().unwrap_or(0))
            .filter(|n| !held.contains(n))
            .map(|n| format!("{n:04}"))
            .collect();
        if !missing.is_empty() {
            r.add(
                Integrity,
                Warning,
                &prefix,
                format!(
                    "档号顺序号有空缺：{}（案件删除后号码不再使用时属正常）",
                    missing.join("、")
                ),
            );
        }
    }
}

/// Page counts of cover, 目录 and file agree; 页号 contiguous; required documents present;
/// each page still the one filed; metadata names the 档号.
fn check_volume(v: &VolumeEntry, pdf_findings: &[Finding], r: &mut Report) {
    use Level::*;
    use Property::*;
    let mut expected = 1;
    for (k, it) in v.items.iter().enumerate() {
        // Each 件 is addressed by its own 档号: the volume's and its 3-digit 卷内顺序号.
        let own = crate::archive::item_code(&v.archive_code, k + 1);
        if !it.code.is_empty() && it.code != own {
            r.add(
                Authenticity,
                Error,
                &v.path,
                format!(
                    "《{}》的档号 {} 不是案卷档号加卷内顺序号（应为 {own}）",
                    it.title, it.code
                ),
            );
        }
        if it.seq != k + 1 {
            r.add(
                Integrity,
                Error,
                &v.path,
                format!("卷内文件目录顺序号不连续：第 {} 行为 {}", k + 1, it.seq),
            );
        }
        if it.start != expected || it.end < it.start || it.end - it.start + 1 != it.pages {
            r.add(
                Integrity,
                Error,
                &v.path,
                format!(
                    "页号有空缺或重复：《{}》应从第 {expected} 页起，记为 {}-{}",
                    it.title, it.start, it.end
                ),
            );
        }
        expected = it.end + 1;
    }
    if expected - 1 != v.content_pages {
        r.add(
            Integrity,
            Error,
            &v.path,
            format!(
                "目录页号止于 {}，与编号页数 {} 不符",
                expected - 1,
                v.content_pages
            ),
        );
    }
    // The file itself, from the one pass over the files (none when it cannot be read).
    r.findings.extend_from_slice(pdf_findings);
}

/// The checks of a volume's parsed file: pages, labels and bookmarks, cover, metadata.
/// `page1` is the text of the first page (the cover), `meta` the XMP packet.
fn volume_pdf(doc: &Document, page1: &str, meta: &str, v: &VolumeEntry, r: &mut Report) {
    use Level::*;
    use Property::*;
    let pages: Vec<_> = doc.get_pages().values().copied().collect();
    if pages.len() != v.pages {
        r.add(
            Integrity,
            Error,
            &v.path,
            format!(
                "文件有 {} 页，清单记录 {} 页（页面被删除或增加）",
                pages.len(),
                v.pages
            ),
        );
    }
    if v.front_pages + v.content_pages >= v.pages {
        r.add(
            Integrity,
            Error,
            &v.path,
            "清单记录的页数与封面、目录、文件页数不符",
        );
    }
    for (i, &p) in pages.iter().enumerate() {
        let Some(recorded) = v.page_digests.get(i) else {
            break;
        };
        let digest = pdf::page_digest(doc, p);
        if &digest != recorded {
            let label = if i < v.front_pages {
                "封面或目录".to_string()
            } else if i < v.front_pages + v.content_pages {
                format!("页号 {}", i + 1 - v.front_pages)
            } else {
                "备考表".to_string()
            };
            let moved = v.page_digests.iter().position(|d| *d == digest);
            let how = match moved {
                Some(j) => format!("，是原第 {} 页（页面被调换或删除）", j + 1),
                None => "（页面被替换）".to_string(),
            };
            r.add(
                Integrity,
                Error,
                &v.path,
                format!("第 {} 页（{label}）与归档时不符{how}", i + 1),
            );
        }
    }
    check_labels_and_bookmarks(doc, v, r);
    // The cover states the items and pages; the 目录 the start pages.
    let cover = page1.replace(char::is_whitespace, "");
    let stated = format!("本卷共{}件，{}页", v.items.len(), v.content_pages);
    if !cover.contains(&stated) {
        r.add(
            Integrity,
            Error,
            &v.path,
            format!("封面的件数页数与目录不符（应为“{stated}”）"),
        );
    }
    if !cover.contains(&v.archive_code.replace(char::is_whitespace, "")) {
        r.add(
            Authenticity,
            Error,
            &v.path,
            format!("封面上的档号不是 {}", v.archive_code),
        );
    }
    let dates = format!("{}-{}", date8(v.start_date), date8(v.end_date));
    // XMP is XML: the title may stand there with its special characters escaped.
    let escaped = v
        .title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let has_title = meta.contains(&v.title) || meta.contains(&escaped);
    if !meta.contains(&v.archive_code) || !has_title || !meta.contains(&dates) {
        r.add(
            Authenticity,
            Error,
            &v.path,
            format!(
                "PDF 元数据（题名、档号、起止日期）与目录不符（应含 {}、{}、{dates}）",
                v.archive_code, v.title
            ),
        );
    }
    let identity = pdf::Identity {
        level: "案卷".into(),
        code: v.archive_code.clone(),
        no: None,
        title: v.title.clone(),
        author: pdf::Identity::from_xmp(meta)
            .map(|i| i.author)
            .unwrap_or_default(),
        date: dates.clone(),
        classification: v.classification.clone(),
        volume: None,
    };
    compare_identity(&v.path, meta, &identity, r);
}

fn date8(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%Y%m%d").to_string())
        .unwrap_or_default()
}

/// XMP packet text (UTF-8) of the PDF, empty when there is none.
fn metadata_text(doc: &Document) -> String {
    pdf::xmp_text(doc)
}

/// Usability and security of every PDF listed.
fn check_pdfs(volumes: &[VolumeEntry], scan: &Scan, r: &mut Report) {
    use Level::*;
    use Property::*;
    let volume_paths: BTreeSet<&str> = volumes.iter().map(|v| v.path.as_str()).collect();
    // Scanned originals are kept as they came (and copied so into the transfer package): not
    // PDF/A and often without text, which is no defect of the archive.
    let originals: BTreeSet<&str> = volumes
        .iter()
        .flat_map(|v| &v.items)
        .filter(|it| it.scanned)
        .filter_map(|it| it.file.as_deref())
        .filter_map(|f| f.rsplit('/').next())
        .collect();
    for (path, facts) in &scan.pdfs {
        let Some(facts) = facts else {
            continue;
        };
        let (encrypted, pdfa, text, unembedded, security) = match facts {
            PdfFacts::Unparsable(e) => {
                r.add(Usability, Error, path, format!("PDF 无法打开或解析：{e}"));
                continue;
            }
            PdfFacts::Parsed {
                encrypted,
                pdfa,
                text,
                unembedded,
                security,
            } => (*encrypted, *pdfa, *text, unembedded, security),
        };
        if encrypted {
            r.add(Usability, Error, path, "PDF 已加密");
        }
        let original = path
            .rsplit('/')
            .next()
            .is_some_and(|n| originals.contains(n));
        if !pdfa && !original {
            r.add(
                Usability,
                if volume_paths.contains(path) {
                    Error
                } else {
                    Warning
                },
                path,
                "缺少 PDF/A 标识（pdfaid）",
            );
        }
        if !text && !original {
            r.add(Usability, Warning, path, "第 1 页提取不到文字");
        }
        for message in security {
            r.add(Security, Error, path, message.as_str());
        }
        if !unembedded.is_empty() {
            r.add(
                Usability,
                Error,
                path,
                format!(
                    "字体未嵌入：{}",
                    unembedded.iter().cloned().collect::<Vec<_>>().join("、")
                ),
            );
        }
    }
}

/// What [`check_pdfs`] looks at in a parsed PDF: encryption, PDF/A identification, text on the
/// first page (`page1`), fonts, scripts, actions and embedded files.
fn pdf_facts(doc: &Document, meta: &str, page1: &str) -> PdfFacts {
    let mut unembedded = BTreeSet::new();
    let mut security = Vec::new();
    for obj in doc.objects.values() {
        let dict = match obj {
            Object::Dictionary(d) => d,
            Object::Stream(s) => &s.dict,
            _ => continue,
        };
        let name = |k: &[u8]| {
            dict.get(k)
                .ok()
                .and_then(|o| o.as_name().ok())
                .map(|n| n.to_vec())
        };
        let ty = name(b"Type");
        if ty.as_deref() == Some(b"FontDescriptor")
            && !(dict.has(b"FontFile") || dict.has(b"FontFile2") || dict.has(b"FontFile3"))
        {
            unembedded.insert(
                name(b"FontName")
                    .map(|n| String::from_utf8_lossy(&n).into_owned())
                    .unwrap_or_default(),
            );
        }
        if ty.as_deref() == Some(b"Font") {
            let sub = name(b"Subtype").unwrap_or_default();
            if (sub == b"Type1" || sub == b"TrueType" || sub == b"MMType1")
                && !dict.has(b"FontDescriptor")
            {
                unembedded.insert(
                    name(b"BaseFont")
                        .map(|n| String::from_utf8_lossy(&n).into_owned())
                        .unwrap_or_default(),
                );
            }
        }
        for (key, what) in [
            (&b"JS"[..], "JavaScript"),
            (b"JavaScript", "JavaScript"),
            (b"EmbeddedFiles", "嵌入文件"),
            (b"EF", "嵌入文件"),
        ] {
            if dict.has(key) {
                security.push(format!("PDF 含有{what}"));
            }
        }
        match name(b"S").as_deref() {
            Some(b"Launch") => security.push("PDF 含有启动外部程序的动作（Launch）".into()),
            Some(b"URI") | Some(b"GoToR") | Some(b"SubmitForm") | Some(b"ImportData") => {
                security.push("PDF 含有指向外部的链接或动作".into())
            }
            Some(b"JavaScript") => security.push("PDF 含有 JavaScript 动作".into()),
            _ => {}
        }
    }
    PdfFacts::Parsed {
        encrypted: doc.trailer.get(b"Encrypt").is_ok(),
        pdfa: meta.contains("pdfaid:part"),
        text: !page1.trim().is_empty(),
        unembedded,
        security,
    }
}

/// Page labels number the content pages from 1 where the stamps start; one bookmark per
/// document (plus cover, 目录 and 备考表), each opening the page its 目录 row names.
/// Each archived case holds the documents every finished case of its procedure has (the
/// document table's `archived`): looked for across all the volumes of the case.
fn check_required_documents(volumes: &[VolumeEntry], r: &mut Report) {
    use crate::documents::{DocKind, Procedure};
    let mut cases: std::collections::BTreeMap<&str, Vec<&VolumeEntry>> = Default::default();
    for v in volumes {
        cases.entry(v.case.as_str()).or_default().push(v);
    }
    for vols in cases.values() {
        let Some(procedure) = Procedure::from_label(&vols[0].category) else {
            continue;
        };
        let first = vols.iter().find(|v| v.volume == 1).unwrap_or(&vols[0]);
        for kind in DocKind::required_in_volume(procedure, false) {
            let held = vols
                .iter()
                .flat_map(|v| &v.items)
                .any(|i| i.document.as_deref() == Some(kind.id()));
            if !held {
                r.add(
                    Property::Integrity,
                    Level::Error,
                    &first.path,
                    format!("案卷缺少程序必备的文书：{}", kind.title()),
                );
            }
        }
    }
}

fn check_labels_and_bookmarks(doc: &Document, v: &VolumeEntry, r: &mut Report) {
    use Level::*;
    use Property::*;
    let Ok(catalog) = doc.catalog() else { return };
    let deref = |o: &Object| doc.dereference(o).ok().map(|(_, o)| o.clone());
    let labels = catalog
        .get(b"PageLabels")
        .ok()
        .and_then(deref)
        .and_then(|o| o.as_dict().ok().cloned());
    let starts_at_one = labels
        .and_then(|l| l.get(b"Nums").ok().and_then(deref))
        .and_then(|n| n.as_array().ok().cloned())
        .is_some_and(|nums| {
            // An odd-length array (a damaged file) has a last key without a label: ignored.
            nums.chunks_exact(2).any(|c| {
                c[0].as_i64().ok() == Some(v.front_pages as i64)
                    && deref(&c[1])
                        .and_then(|d| d.as_dict().ok().cloned())
                        .is_some_and(|d| {
                            d.get(b"S").ok().and_then(|s| s.as_name().ok()) == Some(&b"D"[..])
                                && d.get(b"St").ok().and_then(|s| s.as_i64().ok()).unwrap_or(1) == 1
                        })
            })
        });
    if !starts_at_one {
        r.add(
            Integrity,
            Error,
            &v.path,
            format!("页码标签与页号不符：第 {} 页应标为 1", v.front_pages + 1),
        );
    }
    let pages: Vec<lopdf::ObjectId> = doc.get_pages().values().copied().collect();
    // Page object → index, the first when a page object is listed twice.
    let mut page_index: HashMap<lopdf::ObjectId, usize> = HashMap::new();
    for (i, &p) in pages.iter().enumerate() {
        page_index.entry(p).or_insert(i);
    }
    let mut marks = Vec::new();
    let mut next = catalog
        .get(b"Outlines")
        .ok()
        .and_then(deref)
        .and_then(|o| o.as_dict().ok().and_then(|d| d.get(b"First").ok().cloned()));
    while let Some(Object::Reference(id)) = next {
        let Ok(d) = doc.get_dictionary(id) else { break };
        let title = d
            .get(b"Title")
            .ok()
            .and_then(|t| t.as_str().ok())
            .map(decode_text)
            .unwrap_or_default();
        let page = d
            .get(b"Dest")
            .ok()
            .and_then(deref)
            .and_then(|a| a.as_array().ok().and_then(|a| a.first().cloned()))
            .and_then(|p| p.as_reference().ok())
            .and_then(|p| page_index.get(&p).copied());
        marks.push((title, page));
        next = d.get(b"Next").ok().cloned();
        if marks.len() > pages.len() + 8 {
            break;
        }
    }
    for it in &v.items {
        let want = v.front_pages + it.start - 1;
        if !marks
            .iter()
            .any(|(t, p)| *t == it.title && *p == Some(want))
        {
            r.add(
                Integrity,
                Error,
                &v.path,
                format!("书签《{}》缺失或未指向页号 {}", it.title, it.start),
            );
        }
    }
}

/// A PDF text string: UTF-16BE with BOM, else bytes as Latin-1.
fn decode_text(b: &[u8]) -> String {
    match b.strip_prefix(&[0xFE, 0xFF][..]) {
        Some(rest) => {
            let units: Vec<u16> = rest
                .chunks(2)
                .filter(|c| c.len() == 2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        None => b.iter().map(|&c| c as char).collect(),
    }
}

/// The manifest's SM2 signature, against the office's key; without a key, a plain warning that
/// the manifest itself was not checked.
fn check_signature(out: &Path, manifest_bytes: &[u8], anchors: &Anchors, r: &mut Report) {
    use Level::*;
    use Property::*;
    let name = manifest_signature_name();
    r.signature_checked = anchors.key.is_some();
    let Some(key) = &anchors.key else {
        r.add(
            Authenticity,
            Warning,
            manifest::FILE_NAME,
            "未核验电子签名：没有提供本单位的公钥（--key 公钥，或 --cases 案件根目录）。本次检测只说明文件与清单一致，不能证明清单本身未被改写——真实性没有得到检查",
        );
        return;
    };
    let sig = std::fs::read(out.join(&name)).ok();
    match signing::check_detached(key, manifest_bytes, sig.as_deref()) {
        Check::Valid => r.add(
            Authenticity,
            Info,
            manifest::FILE_NAME,
            format!("清单的 SM2 电子签名有效（本单位公钥 {}）", key.short()),
        ),
        Check::Missing => r.add(
            Authenticity,
            Error,
            &name,
            "缺少清单的电子签名：签名文件被删除，或输出不是用本单位密钥签名生成的",
        ),
        Check::Malformed => r.add(Authenticity, Error, &name, "清单的电子签名文件格式错误"),
        Check::OtherKey(other) => r.add(
            Authenticity,
            Error,
            &name,
            format!(
                "清单的电子签名不是本单位的密钥所签（签名公钥 {}，本单位公钥 {}）",
                signing::short(&other),
                key.short()
            ),
        ),
        Check::Invalid => r.add(
            Authenticity,
            Error,
            manifest::FILE_NAME,
            "清单的电子签名无效：manifest.json 在签名之后被改写",
        ),
    }
}

/// The manifest against the cases root's build log: the latest build's, an older one's, or
/// none (rewritten after the build).
fn check_build_log(root: &Path, manifest_bytes: &[u8], r: &mut Report) {
    use Level::*;
    use Property::*;
    let log = crate::buildlog::FILE_NAME;
    let Some(entries) = crate::buildlog::read(root) else {
        r.add(
            Authenticity,
            Warning,
            log,
            format!(
                "案件根目录 {} 中没有生成记录，无法核对清单是否为生成时的清单",
                root.display()
            ),
        );
        return;
    };
    let digest = sm3_hex(manifest_bytes);
    match entries.iter().rposition(|e| e.manifest_sm3 == digest) {
        Some(i) if i + 1 == entries.len() => r.add(
            Authenticity,
            Info,
            log,
            format!(
                "清单与生成记录中最近一次生成（{}）一致",
                entries[i].time
            ),
        ),
        Some(i) => r.add(
            Authenticity,
            Warning,
            log,
            format!(
                "清单与生成记录中 {} 的一次生成一致，但不是最近一次生成（之后又生成了 {} 次，最近一次输出到 {}）",
                entries[i].time,
                entries.len() - i - 1,
                entries.last().map(|e| e.out.as_str()).unwrap_or_default()
            ),
        ),
        None => r.add(
            Authenticity,
            Error,
            manifest::FILE_NAME,
            format!(
                "清单的 SM3 摘要与案件根目录生成记录中的任何一次生成都不符（最近一次为 {}）：清单在生成后被改写，或不是这个案件根目录生成的",
                entries.last().map(|e| e.time.as_str()).unwrap_or("无")
            ),
        ),
    }
}

/// Each 件's own file says in its XMP what the 目录 says of it.
fn check_items(v: &VolumeEntry, item_findings: &[Vec<Finding>], r: &mut Report) {
    use Level::*;
    use Property::*;
    for (ii, it) in v.items.iter().enumerate() {
        if it.file.is_none() {
            r.add(
                Integrity,
                Warning,
                &v.path,
                format!(
                    "清单没有登记卷内第 {} 件《{}》的单独文件（较早版本生成的案卷，重新生成即可）",
                    it.seq, it.title
                ),
            );
            continue;
        }
        // From the one pass over the files: none for a scanned original or an unreadable file.
        if let Some(found) = item_findings.get(ii) {
            r.findings.extend_from_slice(found);
        }
    }
}

/// A 件's own (parsed, not scanned) PDF: its XMP `meta` names what the 目录 says of it.
fn item_pdf(file: &str, meta: &str, v: &VolumeEntry, it: &ItemRow, r: &mut Report) {
    let expected = pdf::Identity {
        level: "件".into(),
        code: super::item_code(&v.archive_code, it.seq),
        no: it.no.clone(),
        title: it.title.clone(),
        author: it.author.clone(),
        date: date8(it.date),
        classification: v.classification.clone(),
        volume: Some(v.archive_code.clone()),
    };
    compare_identity(file, meta, &expected, r);
}

/// The XMP identity of a file against what the 目录 says.
fn compare_identity(path: &str, xmp: &str, expected: &pdf::Identity, r: &mut Report) {
    use Level::*;
    use Property::*;
    let Some(found) = pdf::Identity::from_xmp(xmp) else {
        r.add(
            Authenticity,
            Error,
            path,
            "PDF 的 XMP 元数据中没有档案标识（档号、文号、题名、责任者、日期、密级）",
        );
        return;
    };
    let fields = [
        ("档号", &found.code, &expected.code),
        (
            "文号",
            &found.no.clone().unwrap_or_default(),
            &expected.no.clone().unwrap_or_default(),
        ),
        ("题名", &found.title, &expected.title),
        ("责任者", &found.author, &expected.author),
        ("日期", &found.date, &expected.date),
        (
            "密级",
            &found.classification.clone().unwrap_or_default(),
            &expected.classification.clone().unwrap_or_default(),
        ),
    ];
    for (name, have, want) in fields {
        if have != want {
            r.add(
                Authenticity,
                Error,
                path,
                format!("XMP 元数据中的{name}为“{have}”，与目录中的“{want}”不符"),
            );
        }
    }
}

/// The volume's 封装包 in its transfer package: its 文件实体 agree with the 目录, and with a key
/// its 电子签名块 holds the office's valid signature.
fn check_package(out: &Path, v: &VolumeEntry, anchors: &Anchors, r: &mut Report) {
    use Level::*;
    use Property::*;
    let rel = format!(
        "{}/{}/{}/{}.xml",
        super::transfer::DIR,
        super::transfer::bag_year(v),
        super::transfer::PACKAGE_DIR,
        v.archive_code
    );
    let Ok(text) = std::fs::read_to_string(out.join(&rel)) else {
        r.add(Integrity, Error, &rel, "缺少案卷的元数据封装包");
        return;
    };
    let p = super::transfer::read_package(&text);
    let mut expect: Vec<(String, Vec<(&str, String)>)> = vec![(
        v.archive_code.clone(),
        vec![
            ("聚合层次", "案卷".to_string()),
            ("题名", v.title.clone()),
            (
                "日期",
                format!("{}-{}", date8(v.start_date), date8(v.end_date)),
            ),
            ("密级", v.classification.clone().unwrap_or_default()),
            ("件数", v.items.len().to_string()),
            ("页数", v.pages.to_string()),
        ],
    )];
    if !v.sm3.is_empty() {
        expect[0].1.push(("摘要值", v.sm3.clone()));
    }
    for it in &v.items {
        let mut fields = vec![
            ("聚合层次", "件".to_string()),
            ("题名", it.title.clone()),
            ("文件编号", it.no.clone().unwrap_or_default()),
            ("责任者", it.author.clone()),
            ("日期", date8(it.date)),
            ("密级", v.classification.clone().unwrap_or_default()),
            ("页数", it.pages.to_string()),
            ("件号", format!("{:03}", it.seq)),
        ];
        if it.file.is_some() {
            fields.push(("计算机文件大小", it.size.to_string()));
            fields.push(("摘要值", it.sm3.clone()));
        }
        expect.push((super::item_code(&v.archive_code, it.seq), fields));
    }
    for (code, fields) in &expect {
        let Some(found) = p.entities.get(code) else {
            r.add(
                Authenticity,
                Error,
                &rel,
                format!("封装包中没有档号为 {code} 的文件实体（与目录不符）"),
            );
            continue;
        };
        for (name, want) in fields {
            let have = found.get(*name).cloned().unwrap_or_default();
            if &have != want {
                r.add(
                    Authenticity,
                    Error,
                    &rel,
                    format!("封装包中 {code} 的{name}为“{have}”，与目录中的“{want}”不符"),
                );
            }
        }
    }
    if p.entities.len() > expect.len() {
        r.add(
            Authenticity,
            Error,
            &rel,
            format!(
                "封装包有 {} 个文件实体，目录只有 {} 个",
                p.entities.len(),
                expect.len()
            ),
        );
    }
    let Some(key) = &anchors.key else { return };
    match (&p.signed_object, &p.signature, &p.public_key) {
        (Some(object), Some(sig), Some(public)) => {
            if !public.eq_ignore_ascii_case(key.hex()) {
                r.add(
                    Authenticity,
                    Error,
                    &rel,
                    format!(
                        "封装包的电子签名不是本单位的密钥所签（签名公钥 {}）",
                        signing::short(public)
                    ),
                );
            } else if !key.verify(object.as_bytes(), sig) {
                r.add(
                    Authenticity,
                    Error,
                    &rel,
                    "封装包的电子签名无效：被签名对象在签名之后被改动",
                );
            }
        }
        _ => r.add(
            Authenticity,
            Error,
            &rel,
            "封装包缺少电子签名块（签名被删除，或生成时未配置签名密钥）",
        ),
    }
}

/// With a key: each transfer package's signature over its SM3 tag manifest.
fn check_bags(out: &Path, listed: &[Listed], anchors: &Anchors, r: &mut Report) {
    use Level::*;
    use Property::*;
    let Some(key) = &anchors.key else { return };
    let bags: BTreeSet<String> = listed
        .iter()
        .filter_map(|f| {
            let mut parts = f.path.splitn(3, '/');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(super::transfer::DIR), Some(year), Some(_)) => {
                    Some(format!("{}/{year}", super::transfer::DIR))
                }
                _ => None,
            }
        })
        .collect();
    for bag in bags {
        let tagmanifest = std::fs::read(out.join(&bag).join("tagmanifest-sm3.txt"));
        let sig_rel = format!("{bag}/{}", super::transfer::BAG_SIGNATURE);
        let Ok(tagmanifest) = tagmanifest else {
            r.add(Integrity, Error, &bag, "移交包缺少 tagmanifest-sm3.txt");
            continue;
        };
        let sig = std::fs::read(out.join(&sig_rel)).ok();
        match signing::check_detached(key, &tagmanifest, sig.as_deref()) {
            Check::Valid => {}
            Check::Missing => r.add(
                Authenticity,
                Error,
                &sig_rel,
                "移交包缺少电子签名（签名被删除，或生成时未配置签名密钥）",
            ),
            Check::Malformed => r.add(Authenticity, Error, &sig_rel, "移交包的电子签名格式错误"),
            Check::OtherKey(other) => r.add(
                Authenticity,
                Error,
                &sig_rel,
                format!(
                    "移交包的电子签名不是本单位的密钥所签（签名公钥 {}）",
                    signing::short(&other)
                ),
            ),
            Check::Invalid => r.add(
                Authenticity,
                Error,
                &sig_rel,
                "移交包的电子签名无效：tagmanifest-sm3.txt 在签名之后被改写",
            ),
        }
    }
}

/// Checks the CSV and XLSX catalogues row by row against the volumes in the manifest.
fn verify_catalogs(
    out: &Path,
    manifest: &Manifest,
    volumes: &[VolumeEntry],
    report: &mut dyn FnMut(Property, Level, &str, String),
) {
    if manifest.catalogs.is_empty() {
        if !volumes.is_empty() {
            report(
                Property::Integrity,
                Level::Error,
                crate::catalog::DIR,
                "清单中没有案卷目录和归档文件目录".into(),
            );
        }
        return;
    }
    for c in crate::catalog::catalogs(volumes) {
        let expected: Vec<Vec<String>> =
            std::iter::once(c.columns.iter().map(|s| s.to_string()).collect())
                .chain(
                    c.rows
                        .iter()
                        .map(|r| r.iter().map(crate::catalog::Cell::text).collect()),
                )
                .collect();
        let csv_path = format!("{}/{}.csv", crate::catalog::DIR, c.name);
        if let Ok(bytes) = std::fs::read(out.join(&csv_path)) {
            match crate::catalog::read_csv(&bytes) {
                Ok(rows) => compare(&csv_path, &expected, &rows, report),
                Err(e) => report(
                    Property::Usability,
                    Level::Error,
                    &csv_path,
                    format!("无法读取：{e}"),
                ),
            }
        }
        let xlsx_path = format!("{}/{}.xlsx", crate::catalog::DIR, c.name);
        if out.join(&xlsx_path).is_file() {
            match read_xlsx(&out.join(&xlsx_path)) {
                Ok(rows) => compare(&xlsx_path, &expected, &rows, report),
                Err(e) => report(
                    Property::Usability,
                    Level::Error,
                    &xlsx_path,
                    format!("无法读取：{e}"),
                ),
            }
        }
    }
}

fn read_xlsx(path: &Path) -> Result<Vec<Vec<String>>, String> {
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(path).map_err(|e: calamine::XlsxError| e.to_string())?;
    let name = wb.sheet_names().first().cloned().ok_or("没有工作表")?;
    let range = wb.worksheet_range(&name).map_err(|e| e.to_string())?;
    Ok(range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    calamine::Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    calamine::Data::Int(i) => i.to_string(),
                    calamine::Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect())
}

fn compare(
    path: &str,
    expected: &[Vec<String>],
    actual: &[Vec<String>],
    report: &mut dyn FnMut(Property, Level, &str, String),
) {
    if expected.len() != actual.len() {
        report(
            Property::Integrity,
            Level::Error,
            path,
            format!(
                "目录有 {} 行，按清单应为 {} 行",
                actual.len().saturating_sub(1),
                expected.len() - 1
            ),
        );
    }
    for (i, (e, a)) in expected.iter().zip(actual).enumerate() {
        let a: Vec<String> = a.iter().map(|s| s.trim().to_string()).collect();
        if *e != a {
            let what = if i == 0 {
                "表头".to_string()
            } else {
                format!("第 {i} 行")
            };
            let col = e
                .iter()
                .zip(a.iter().chain(std::iter::repeat(&String::new())))
                .position(|(x, y)| x != y)
                .unwrap_or(0);
            let name = expected[0].get(col).cloned().unwrap_or_default();
            report(
                Property::Authenticity,
                Level::Error,
                path,
                format!(
                    "目录{what}与案卷不符（{name}：应为“{}”，实为“{}”）",
                    e.get(col).cloned().unwrap_or_default(),
                    a.get(col).cloned().unwrap_or_default()
                ),
            );
        }
    }
}
