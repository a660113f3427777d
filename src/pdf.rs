//! PDF work of the archive stage with lopdf: page counts and sizes, merging the parts of a
//! volume, laying the 页号 stamps over the content pages, bookmarks and page labels.
//!
//! Why merge rather than let typst place the pages: typst's PDF export refuses embedded PDF
//! pages under PDF/A-2b, so the volume is put together from typst-rendered PDF/A parts (cover
//! and 目录, stamps, 备考表) and the documents themselves, keeping the front part's catalogue
//! (XMP metadata and output intent) for the whole file.

use std::collections::BTreeMap;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat, Writer};

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("PDF 无法解析：{0}")]
    Parse(#[from] lopdf::Error),
    #[error("PDF 无法写出：{0}")]
    Io(#[from] std::io::Error),
    #[error("PDF 结构不完整：{0}")]
    Structure(String),
}

/// The name the stamp form takes in each content page's resources.
const STAMP_NAME: &[u8] = b"AnjuanPageNo";

/// Number of pages and each page's size in points (width, height).
pub fn page_sizes(pdf: &[u8]) -> Result<Vec<(f32, f32)>, PdfError> {
    sizes_of(&Document::load_mem(pdf)?)
}

/// [`page_sizes`] of a parsed document.
pub fn sizes_of(doc: &Document) -> Result<Vec<(f32, f32)>, PdfError> {
    doc.get_pages()
        .values()
        .map(|&id| media_box(doc, id).map(|b| (b[2] - b[0], b[3] - b[1])))
        .collect()
}

fn media_box(doc: &Document, page: ObjectId) -> Result<[f32; 4], PdfError> {
    let obj = inherited(doc, page, b"MediaBox")
        .ok_or_else(|| PdfError::Structure("页面缺少 MediaBox".into()))?;
    let arr = doc.dereference(&obj)?.1.as_array()?.clone();
    let nums: Vec<f32> = arr.iter().filter_map(|o| o.as_float().ok()).collect();
    match nums[..] {
        [a, b, c, d] => Ok([a, b, c, d]),
        _ => Err(PdfError::Structure("MediaBox 无效".into())),
    }
}

/// An attribute of a page, looked up through the page tree as the PDF rules inherit it.
fn inherited(doc: &Document, page: ObjectId, key: &[u8]) -> Option<Object> {
    let mut id = page;
    for _ in 0..64 {
        let dict = doc.get_dictionary(id).ok()?;
        if let Ok(v) = dict.get(key) {
            return Some(v.clone());
        }
        id = dict.get(b"Parent").ok()?.as_reference().ok()?;
    }
    None
}

/// One document (or scanned original) of a volume.
pub struct ContentPart {
    /// Parsed once for the whole archive stage: sizes, the item's file and the volume.
    pub doc: Document,
    /// Bookmark title, as in the 目录.
    pub title: String,
}

/// The parts of a volume, rendered.
pub struct VolumeParts<'a> {
    /// The volume's own pages (typst, PDF/A-2b), its catalogue the volume's: first the cover
    /// and 目录 (`front_pages` of them), then the 备考表 (`notes_pages`), then one stamp page
    /// per content page, in order.
    pub frame: &'a [u8],
    pub front_pages: usize,
    pub notes_pages: usize,
    pub contents: Vec<ContentPart>,
    /// Written into the volume's XMP.
    pub identity: &'a Identity,
}

/// A volume put together: its bytes and the digest of each page ([`page_digest`]).
pub struct Assembled {
    pub pdf: Vec<u8>,
    pub page_digests: Vec<String>,
}

/// Puts a volume together: front, stamped contents, notes; page labels and bookmarks that
/// agree with the stamps.
pub fn assemble(parts: VolumeParts) -> Result<Assembled, PdfError> {
    let mut base = Document::load_mem(parts.frame)?;
    let mut frame_pages: Vec<ObjectId> = base.get_pages().values().copied().collect();
    if parts.front_pages == 0 || parts.front_pages + parts.notes_pages > frame_pages.len() {
        return Err(PdfError::Structure(format!(
            "封面和目录 {} 页、备考表 {} 页，排版结果只有 {} 页",
            parts.front_pages,
            parts.notes_pages,
            frame_pages.len()
        )));
    }
    let stamp_pages = frame_pages.split_off(parts.front_pages + parts.notes_pages);
    let notes_pages = frame_pages.split_off(parts.front_pages);
    let front_pages = frame_pages;
    let mut content_pages: Vec<(usize, Vec<ObjectId>)> = Vec::new();
    let mut titles = Vec::with_capacity(parts.contents.len());
    for (i, part) in parts.contents.into_iter().enumerate() {
        content_pages.push((i, absorb_doc(&mut base, part.doc)?));
        titles.push(part.title);
    }
    let flat: Vec<ObjectId> = content_pages
        .iter()
        .flat_map(|(_, p)| p.iter().copied())
        .collect();
    if flat.len() != stamp_pages.len() {
        return Err(PdfError::Structure(format!(
            "页号 {} 个，内容页 {} 页",
            stamp_pages.len(),
            flat.len()
        )));
    }
    for (&page, &stamp) in flat.iter().zip(&stamp_pages) {
        overlay(&mut base, page, stamp)?;
    }

    let pages_id = base.catalog()?.get(b"Pages")?.as_reference()?;
    let order: Vec<ObjectId> = front_pages
        .iter()
        .chain(&flat)
        .chain(&notes_pages)
        .copied()
        .collect();
    for &p in &order {
        let d = base.get_dictionary_mut(p)?;
        d.set("Parent", pages_id);
        d.remove(b"StructParents");
    }
    let pages = base.get_dictionary_mut(pages_id)?;
    pages.set(
        "Kids",
        order
            .iter()
            .map(|&p| Object::Reference(p))
            .collect::<Vec<_>>(),
    );
    pages.set("Count", order.len() as i64);

    let labels = page_labels(front_pages.len(), flat.len());
    let mut marks = vec![("案卷封面".to_string(), front_pages[0])];
    if let Some(&toc) = front_pages.get(1) {
        marks.push(("卷内文件目录".to_string(), toc));
    }
    for (i, pages) in &content_pages {
        if let Some(&first) = pages.first() {
            marks.push((titles[*i].clone(), first));
        }
    }
    if let Some(&n) = notes_pages.first() {
        marks.push(("卷内备考表".to_string(), n));
    }
    let outlines = outline(&mut base, &marks);
    let catalog = base.catalog_mut()?;
    for key in [
        &b"StructTreeRoot"[..],
        b"MarkInfo",
        b"Names",
        b"Dests",
        b"OpenAction",
    ] {
        catalog.remove(key);
    }
    catalog.set("PageLabels", labels);
    catalog.set("Outlines", outlines);
    catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    set_identity(&mut base, parts.identity)?;
    base.prune_objects();
    base.renumber_objects();
    // What verify recomputes from the file, taken here from the same objects before they are
    // written: parsing the volume again cost as much as assembling it.
    let page_digests = base
        .get_pages()
        .values()
        .map(|&p| page_digest(&base, p))
        .collect();
    let mut pdf = Vec::new();
    base.save_to(&mut pdf)?;
    Ok(Assembled { pdf, page_digests })
}

/// Joins PDFs rendered in parts into one, streaming: each part is parsed, its pages and what
/// they use written out under fresh numbers, and dropped before the next, so memory holds one
/// part at a time, never the whole. The first part's catalogue (XMP metadata, output intent),
/// document information and file identifier stand for the whole.
pub fn join(parts: &[Vec<u8>]) -> Result<Vec<u8>, PdfError> {
    let mut out = Vec::new();
    join_to(parts.iter().map(|p| Ok(p.clone())), &mut out)?;
    Ok(out)
}

/// [`join`] with the parts read one at a time (from disk, say) and the result written to `sink`
/// as it is made: neither the parts nor the whole are ever held together.
pub fn join_to(
    parts: impl Iterator<Item = Result<Vec<u8>, PdfError>>,
    sink: &mut dyn std::io::Write,
) -> Result<(), PdfError> {
    join_inner(parts.map(|p| p.map(|part| (part, None))), sink)
}

/// [`join_to`] with each part's own footers drawn over its pages, the first footer page over
/// the part's first page and so on (as many of each): the parts are laid out without what
/// depends on the whole (its page numbers), the footers a part at a time, numbered within the
/// whole. A part's footer drawings are written just before its objects and dropped with it, so
/// memory holds one part and its footers at a time. Each footer page's drawing becomes the last
/// content stream of its page, its resources (fonts) under names of their own in the page's
/// resources: the text stays page text for every extractor.
pub fn join_footed_to(
    parts: impl Iterator<Item = Result<(Vec<u8>, Vec<u8>), PdfError>>,
    sink: &mut dyn std::io::Write,
) -> Result<(), PdfError> {
    join_inner(
        parts.map(|p| p.map(|(part, footers)| (part, Some(footers)))),
        sink,
    )
}

/// Prefixed to the names of a footer page's resources where they join a page's own.
const FOOTER_PREFIX: &[u8] = b"AnjuanFoot";

/// A footer page ready to be drawn over another: its drawing (a content stream of the output)
/// and its resources by category (Font, ExtGState…), names prefixed as the drawing uses them.
struct Overlay {
    contents: ObjectId,
    resources: Dictionary,
}

/// PDF objects to write, in number order.
type Objects = Vec<(ObjectId, Object)>;

/// The pages of `pdf` as [`Overlay`]s, with only what they use, numbered from `next`: the
/// objects to write, in number order, and the overlays in page order.
fn page_overlays(pdf: &[u8], next: u32) -> Result<(Objects, Vec<Overlay>), PdfError> {
    let mut doc = Document::load_mem(pdf)?;
    let pages: Vec<ObjectId> = doc.get_pages().values().copied().collect();
    // Every page's drawing first: a decompressor for each page, between which nothing stays
    // allocated (interleaved with what is kept, they left the heap fragmented by tens of MB).
    let drawings: Vec<Vec<u8>> = pages.iter().map(|&p| doc.get_page_content(p)).collect();
    let mut overlays = Vec::with_capacity(pages.len());
    for (&p, drawing) in pages.iter().zip(drawings) {
        let res = resolve_dict(&doc, inherited(&doc, p, b"Resources").as_ref());
        let mut names = std::collections::HashSet::new();
        let mut resources = Dictionary::new();
        for (category, sub) in res.iter() {
            let Ok((_, Object::Dictionary(sub))) = doc.dereference(sub) else {
                continue;
            };
            let mut renamed = Dictionary::new();
            for (name, v) in sub.iter() {
                names.insert(name.clone());
                renamed.set([FOOTER_PREFIX, name].concat(), v.clone());
            }
            resources.set(category.clone(), renamed);
        }
        let mut content = lopdf::content::Content::decode(&drawing)?;
        for op in &mut content.operations {
            for operand in &mut op.operands {
                if let Object::Name(n) = operand
                    && names.contains(n)
                {
                    *n = [FOOTER_PREFIX, n].concat();
                }
            }
        }
        // A few hundred bytes: left uncompressed (a compressor for each of thousands of pages
        // cost more than it saves, and left glibc's heap fragmented by some hundred MB).
        let id = doc.add_object(Stream::new(Dictionary::new(), content.encode()?));
        overlays.push(Object::Dictionary(Dictionary::from_iter(vec![
            ("Contents", Object::Reference(id)),
            ("Resources", Object::Dictionary(resources)),
        ])));
    }
    // The catalogue keeps the overlays reachable and nothing else (no metadata, no pages).
    let root = doc.trailer.get(b"Root")?.as_reference()?;
    doc.objects.insert(
        root,
        Object::Dictionary(Dictionary::from_iter(vec![(
            "AnjuanOverlays",
            Object::Array(overlays),
        )])),
    );
    doc.trailer.remove(b"Info");
    doc.prune_objects();
    doc.renumber_objects_with(next);
    let root = doc.trailer.get(b"Root")?.as_reference()?;
    let Some(Object::Dictionary(cat)) = doc.objects.remove(&root) else {
        return Err(PdfError::Structure("页脚没有目录字典".into()));
    };
    let overlays = cat
        .get(b"AnjuanOverlays")?
        .as_array()?
        .iter()
        .map(|o| {
            let d = o.as_dict()?;
            Ok(Overlay {
                contents: d.get(b"Contents")?.as_reference()?,
                resources: d.get(b"Resources")?.as_dict()?.clone(),
            })
        })
        .collect::<Result<Vec<_>, PdfError>>()?;
    Ok((doc.objects.into_iter().collect(), overlays))
}

/// Draws `overlay` over `page`: the page's own drawing between `pre` (q) and `post` (Q), then the
/// overlay's; its resources join the page's (which become the page's own, not shared).
fn draw_over(
    doc: &mut Document,
    page: ObjectId,
    overlay: &Overlay,
    pre: ObjectId,
    post: ObjectId,
) -> Result<(), PdfError> {
    let page_dict = doc.get_dictionary(page)?;
    let mut res = resolve_dict(doc, page_dict.get(b"Resources").ok());
    for (category, entries) in overlay.resources.iter() {
        let mut sub = resolve_dict(doc, res.get(category).ok());
        if let Object::Dictionary(entries) = entries {
            for (name, v) in entries.iter() {
                sub.set(name.clone(), v.clone());
            }
        }
        res.set(category.clone(), sub);
    }
    let mut contents: Vec<Object> = match page_dict.get(b"Contents") {
        Ok(Object::Array(a)) => a.clone(),
        Ok(o) => vec![o.clone()],
        Err(_) => Vec::new(),
    };
    contents.insert(0, Object::Reference(pre));
    contents.push(Object::Reference(post));
    contents.push(Object::Reference(overlay.contents));
    let d = doc.get_dictionary_mut(page)?;
    d.set("Resources", res);
    d.set("Contents", contents);
    Ok(())
}

/// Joins the parts, each with its footers if any (see [`join_footed_to`]).
fn join_inner(
    parts: impl Iterator<Item = Result<(Vec<u8>, Option<Vec<u8>>), PdfError>>,
    sink: &mut dyn std::io::Write,
) -> Result<(), PdfError> {
    use std::io::Write;
    let mut parts = parts.peekable();
    if parts.peek().is_none() {
        return Err(PdfError::Structure("没有可合并的部分".into()));
    }
    const PAGES: ObjectId = (1, 0);
    const CATALOG: ObjectId = (2, 0);
    let mut out = Counting { sink, written: 0 };
    let mut offsets: BTreeMap<u32, usize> = BTreeMap::new();
    let mut kids: Vec<Object> = Vec::new();
    let mut next: u32 = 3;
    let mut catalog = Dictionary::new();
    let mut trailer_extra: Vec<(Vec<u8>, Object)> = Vec::new();
    let write_obj = |out: &mut Counting,
                     offsets: &mut BTreeMap<u32, usize>,
                     id: ObjectId,
                     obj: &Object|
     -> Result<(), PdfError> {
        offsets.insert(id.0, out.written);
        write!(out, "{} {} obj", id.0, id.1)?;
        if Writer::need_separator(obj) {
            out.write_all(b" ")?;
        } else {
            out.write_all(b"\n")?;
        }
        Writer::write_object(out, obj)?;
        if Writer::need_end_separator(obj) {
            out.write_all(b"\n")?;
        }
        out.write_all(b"endobj\n")?;
        Ok(())
    };
    for (i, part) in parts.enumerate() {
        let (part, footers) = part?;
        let mut doc = Document::load_mem(&part)?;
        drop(part);
        if i == 0 {
            write!(out, "%PDF-{}\n%", doc.version)?;
            out.write_all(&[0xE2, 0xE3, 0xCF, 0xD3, b'\n'])?;
        }
        let pages: Vec<ObjectId> = doc.get_pages().values().copied().collect();
        for &p in &pages {
            for key in [&b"Resources"[..], b"MediaBox", b"CropBox", b"Rotate"] {
                if let Some(v) = inherited(&doc, p, key) {
                    doc.get_dictionary_mut(p)?.set(key, v);
                }
            }
            let d = doc.get_dictionary_mut(p)?;
            // Set again once renumbered: the whole's page tree is not this part's object 1.
            d.remove(b"Parent");
            d.remove(b"StructParents");
        }
        // What the part's catalogue keeps reachable besides its pages: the first part's metadata
        // and output intent; nothing of the others.
        {
            let cat = doc.catalog_mut()?;
            for key in [
                &b"StructTreeRoot"[..],
                b"MarkInfo",
                b"Names",
                b"Dests",
                b"OpenAction",
                b"Outlines",
                b"PageLabels",
            ] {
                cat.remove(key);
            }
            if i > 0 {
                let keep: Vec<Vec<u8>> = cat
                    .iter()
                    .map(|(k, _)| k.clone())
                    .filter(|k| k != b"Type" && k != b"Pages")
                    .collect();
                for k in keep {
                    cat.remove(&k);
                }
            }
        }
        // The page list as an array in the catalogue: the pages stay reachable when the
        // part's page tree is dropped.
        let root = doc.trailer.get(b"Root")?.as_reference()?;
        let tree = doc.catalog()?.get(b"Pages")?.as_reference()?;
        doc.get_dictionary_mut(root)?.set(
            "AnjuanPages",
            pages
                .iter()
                .map(|&p| Object::Reference(p))
                .collect::<Vec<_>>(),
        );
        doc.get_dictionary_mut(root)?.remove(b"Pages");
        doc.objects.remove(&tree);
        if i > 0 {
            doc.trailer.remove(b"Info");
        }
        doc.prune_objects();
        // This part's footers, written just before its objects and dropped with it.
        let overlays = match footers {
            Some(pdf) => {
                let (objects, made) = page_overlays(&pdf, next)?;
                drop(pdf);
                for (id, obj) in &objects {
                    write_obj(&mut out, &mut offsets, *id, obj)?;
                    next = next.max(id.0 + 1);
                }
                if made.len() != pages.len() {
                    return Err(PdfError::Structure(format!(
                        "第 {} 部分的页脚 {} 页，页面 {} 页",
                        i + 1,
                        made.len(),
                        pages.len()
                    )));
                }
                Some(made)
            }
            None => None,
        };
        doc.renumber_objects_with(next);
        if let Some(overlays) = &overlays {
            let root = doc.trailer.get(b"Root")?.as_reference()?;
            let list: Vec<ObjectId> = doc
                .get_dictionary(root)?
                .get(b"AnjuanPages")?
                .as_array()?
                .iter()
                .map(Object::as_reference)
                .collect::<Result<_, _>>()?;
            let pre = doc.add_object(Stream::new(Dictionary::new(), b"q\n".to_vec()));
            let post = doc.add_object(Stream::new(Dictionary::new(), b"\nQ\n".to_vec()));
            for (page, overlay) in list.into_iter().zip(overlays) {
                draw_over(&mut doc, page, overlay, pre, post)?;
            }
            // The resources each page had by reference are its own now.
            doc.prune_objects();
        }
        next = doc.max_id + 1;
        let root = doc.trailer.get(b"Root")?.as_reference()?;
        let mut cat = doc
            .objects
            .remove(&root)
            .and_then(|o| o.as_dict().ok().cloned())
            .ok_or_else(|| PdfError::Structure("部分没有目录字典".into()))?;
        if let Ok(Object::Array(list)) = cat.get(b"AnjuanPages") {
            for page in list {
                let id = page.as_reference()?;
                doc.get_dictionary_mut(id)?
                    .set("Parent", Object::Reference(PAGES));
                kids.push(page.clone());
            }
        }
        cat.remove(b"AnjuanPages");
        if i == 0 {
            catalog = cat;
            for key in [&b"Info"[..], b"ID"] {
                if let Ok(v) = doc.trailer.get(key) {
                    trailer_extra.push((key.to_vec(), v.clone()));
                }
            }
        }
        for (&id, obj) in &doc.objects {
            // Leftover page-tree nodes of the part (unreachable once pruned) are not written.
            if obj
                .as_dict()
                .is_ok_and(|d| d.get_type().is_ok_and(|t| t == b"Pages"))
            {
                continue;
            }
            write_obj(&mut out, &mut offsets, id, obj)?;
        }
    }
    let count = kids.len() as i64;
    let mut pages = Dictionary::new();
    pages.set("Type", Object::Name(b"Pages".to_vec()));
    pages.set("Kids", kids);
    pages.set("Count", count);
    write_obj(&mut out, &mut offsets, PAGES, &Object::Dictionary(pages))?;
    catalog.set("Pages", Object::Reference(PAGES));
    write_obj(
        &mut out,
        &mut offsets,
        CATALOG,
        &Object::Dictionary(catalog),
    )?;
    // Classic cross-reference table; numbers no object took are free.
    let size = next;
    let xref = out.written;
    write!(out, "xref\n0 {size}\n")?;
    for id in 0..size {
        match offsets.get(&id) {
            Some(at) if id > 0 => write!(out, "{at:010} 00000 n\r\n")?,
            _ => write!(out, "0000000000 65535 f\r\n")?,
        }
    }
    let mut trailer = Dictionary::new();
    trailer.set("Size", size as i64);
    trailer.set("Root", Object::Reference(CATALOG));
    for (k, v) in trailer_extra {
        trailer.set(k, v);
    }
    out.write_all(b"trailer\n")?;
    Writer::write_object(&mut out, &Object::Dictionary(trailer))?;
    write!(out, "\nstartxref\n{xref}\n%%EOF\n")?;
    out.flush()?;
    Ok(())
}

/// A writer that counts what went through it (the offsets of a PDF's cross-reference table).
struct Counting<'a> {
    sink: &'a mut dyn std::io::Write,
    written: usize,
}

impl std::io::Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.sink.write(buf)?;
        self.written += n;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.sink.flush()
    }
}

/// Moves every object of `pdf` into `base` under fresh numbers; returns its pages in order,
/// each carrying the attributes it inherited from its own page tree.
fn absorb_doc(base: &mut Document, mut doc: Document) -> Result<Vec<ObjectId>, PdfError> {
    if doc.is_encrypted() {
        return Err(PdfError::Structure("加密的 PDF 不能并入案卷".into()));
    }
    doc.renumber_objects_with(base.max_id + 1);
    let pages: Vec<ObjectId> = doc.get_pages().values().copied().collect();
    for &p in &pages {
        for key in [&b"Resources"[..], b"MediaBox", b"CropBox", b"Rotate"] {
            if let Some(v) = inherited(&doc, p, key) {
                doc.get_dictionary_mut(p)?.set(key, v);
            }
        }
    }
    base.max_id = doc.max_id;
    base.objects.extend(doc.objects);
    Ok(pages)
}

/// Lays the stamp page over a content page as a form XObject, the page's own drawing wrapped in
/// q/Q so its graphics state cannot shift the stamp.
fn overlay(doc: &mut Document, page: ObjectId, stamp: ObjectId) -> Result<(), PdfError> {
    let content = doc.get_page_content(stamp);
    let stamp_dict = doc.get_dictionary(stamp)?;
    let resources = resolve_dict(doc, stamp_dict.get(b"Resources").ok());
    let bbox = stamp_dict
        .get(b"MediaBox")
        .cloned()
        .unwrap_or_else(|_| Object::Array(vec![0.into(), 0.into(), 595.into(), 842.into()]));
    let form = Stream::new(
        Dictionary::from_iter(vec![
            ("Type", Object::Name(b"XObject".to_vec())),
            ("Subtype", Object::Name(b"Form".to_vec())),
            ("BBox", bbox),
            ("Resources", Object::Dictionary(resources)),
        ]),
        content,
    );
    // Left uncompressed: a stamp draws a few hundred bytes, less than setting up deflate costs.
    let form_id = doc.add_object(form);

    let page_dict = doc.get_dictionary(page)?;
    let mut res = resolve_dict(doc, page_dict.get(b"Resources").ok());
    let mut xobjects = resolve_dict(doc, res.get(b"XObject").ok());
    xobjects.set(STAMP_NAME, form_id);
    res.set("XObject", xobjects);
    let mut contents: Vec<Object> = match page_dict.get(b"Contents") {
        Ok(Object::Array(a)) => a.clone(),
        Ok(o) => vec![o.clone()],
        Err(_) => Vec::new(),
    };
    let pre = doc.add_object(Stream::new(Dictionary::new(), b"q\n".to_vec()));
    let mut post_bytes = b"\nQ\nq /".to_vec();
    post_bytes.extend_from_slice(STAMP_NAME);
    post_bytes.extend_from_slice(b" Do Q\n");
    let post = doc.add_object(Stream::new(Dictionary::new(), post_bytes));
    contents.insert(0, Object::Reference(pre));
    contents.push(Object::Reference(post));
    let d = doc.get_dictionary_mut(page)?;
    d.set("Resources", res);
    d.set("Contents", contents);
    Ok(())
}

fn resolve_dict(doc: &Document, obj: Option<&Object>) -> Dictionary {
    match obj {
        Some(Object::Dictionary(d)) => d.clone(),
        Some(Object::Reference(id)) => doc.get_dictionary(*id).cloned().unwrap_or_default(),
        _ => Dictionary::new(),
    }
}

/// A PDF text string (UTF-16BE with BOM, so Chinese survives every reader).
pub fn text_string(s: &str) -> Object {
    let mut bytes = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        bytes.extend_from_slice(&u.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// Labels: 封面, 目录1…, then 1… on the content pages (as stamped), then 备考表.
fn page_labels(front: usize, content: usize) -> Dictionary {
    let label = |prefix: Option<&str>, decimal: bool| {
        let mut d = Dictionary::new();
        if let Some(p) = prefix {
            d.set("P", text_string(p));
        }
        if decimal {
            d.set("S", Object::Name(b"D".to_vec()));
            d.set("St", 1);
        }
        Object::Dictionary(d)
    };
    let mut nums = vec![Object::Integer(0), label(Some("封面"), false)];
    if front > 1 {
        nums.extend([Object::Integer(1), label(Some("目录"), true)]);
    }
    nums.extend([Object::Integer(front as i64), label(None, true)]);
    nums.extend([
        Object::Integer((front + content) as i64),
        label(Some("备考表"), false),
    ]);
    Dictionary::from_iter(vec![("Nums", Object::Array(nums))])
}

/// A flat outline, one entry per mark, each opening its page.
fn outline(doc: &mut Document, marks: &[(String, ObjectId)]) -> ObjectId {
    let root = doc.new_object_id();
    let ids: Vec<ObjectId> = marks.iter().map(|_| doc.new_object_id()).collect();
    for (i, ((title, page), &id)) in marks.iter().zip(&ids).enumerate() {
        let mut d = Dictionary::new();
        d.set("Title", text_string(title));
        d.set("Parent", root);
        d.set(
            "Dest",
            vec![Object::Reference(*page), Object::Name(b"Fit".to_vec())],
        );
        if i > 0 {
            d.set("Prev", ids[i - 1]);
        }
        if let Some(&next) = ids.get(i + 1) {
            d.set("Next", next);
        }
        doc.objects.insert(id, Object::Dictionary(d));
    }
    let mut r = Dictionary::new();
    r.set("Type", Object::Name(b"Outlines".to_vec()));
    if let (Some(&first), Some(&last)) = (ids.first(), ids.last()) {
        r.set("First", first);
        r.set("Last", last);
    }
    r.set("Count", ids.len() as i64);
    doc.objects.insert(root, Object::Dictionary(r));
    root
}

/// Per page: SHA-256 of its content streams and of every form it draws, in name order.
pub fn page_digests(pdf: &[u8]) -> Result<Vec<String>, PdfError> {
    let doc = Document::load_mem(pdf)?;
    Ok(doc
        .get_pages()
        .values()
        .map(|&p| page_digest(&doc, p))
        .collect())
}

pub fn page_digest(doc: &Document, page: ObjectId) -> String {
    let mut bytes = doc.get_page_content(page);
    if let Some(res) = inherited(doc, page, b"Resources") {
        let res = resolve_dict(doc, Some(&res));
        let xobjects = resolve_dict(doc, res.get(b"XObject").ok());
        // In name order: rewriters (qpdf) sort dictionary keys.
        let mut named: Vec<(&Vec<u8>, &Object)> = xobjects.iter().collect();
        named.sort_by(|a, b| a.0.cmp(b.0));
        for (name, obj) in named {
            bytes.extend_from_slice(name);
            // Images by their stored bytes (rewriters keep those), forms by what they draw.
            if let Ok((_, Object::Stream(s))) = doc.dereference(obj) {
                let is_form = s
                    .dict
                    .get(b"Subtype")
                    .and_then(|o| o.as_name())
                    .is_ok_and(|n| n == b"Form");
                if is_form {
                    bytes.extend(
                        s.decompressed_content()
                            .unwrap_or_else(|_| s.content.clone()),
                    );
                } else {
                    bytes.extend(crate::output::sha256_hex(&s.content).into_bytes());
                }
            }
        }
    }
    crate::output::sha256_hex(&bytes)
}

/// The namespace of anjuan's identity properties in XMP.
pub const XMP_NS: &str = "http://ns.anjuan.invalid/identity/1.0/";
pub const XMP_PREFIX: &str = "anjuan";

/// What a file is, as its XMP states it: enough that a document or volume that leaves the
/// package still names its 档号, 文号, 题名, 责任者, 日期 and 密级.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// 聚合层次: 件 or 案卷.
    pub level: String,
    /// The item's 档号 (a 件) or the volume's.
    pub code: String,
    /// 文号.
    pub no: Option<String>,
    pub title: String,
    pub author: String,
    /// 日期 (YYYYMMDD), for a volume 起止日期 (YYYYMMDD-YYYYMMDD).
    pub date: String,
    pub classification: Option<String>,
    /// For a 件: the volume it is filed in.
    pub volume: Option<String>,
}

/// (property, description) of the namespace, in the order written.
const XMP_PROPERTIES: [(&str, &str); 8] = [
    ("Level", "聚合层次（件或案卷）"),
    ("ArchiveCode", "档号"),
    ("DocumentNumber", "文号（文件编号）"),
    ("Title", "题名"),
    ("Author", "责任者"),
    ("Date", "日期（YYYYMMDD；案卷为起止日期）"),
    ("Classification", "密级"),
    ("VolumeCode", "所属案卷档号"),
];

fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn xml_untext(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

impl Identity {
    fn values(&self) -> [(&'static str, String); 8] {
        [
            ("Level", self.level.clone()),
            ("ArchiveCode", self.code.clone()),
            ("DocumentNumber", self.no.clone().unwrap_or_default()),
            ("Title", self.title.clone()),
            ("Author", self.author.clone()),
            ("Date", self.date.clone()),
            (
                "Classification",
                self.classification.clone().unwrap_or_default(),
            ),
            ("VolumeCode", self.volume.clone().unwrap_or_default()),
        ]
    }

    /// The XMP: a description in our namespace and the PDF/A extension schema declaring it
    /// (PDF/A-2, ISO 19005-2 6.6.2.3: properties outside the predefined schemas must be).
    fn xmp(&self) -> String {
        let mut s = format!("<rdf:Description rdf:about=\"\" xmlns:{XMP_PREFIX}=\"{XMP_NS}\">\n");
        for (name, value) in self.values() {
            if !value.is_empty() {
                s.push_str(&format!(
                    "<{XMP_PREFIX}:{name}>{}</{XMP_PREFIX}:{name}>\n",
                    xml_text(&value)
                ));
            }
        }
        s.push_str("</rdf:Description>\n");
        s.push_str("<rdf:Description rdf:about=\"\" xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\" xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\" xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\n<pdfaExtension:schemas>\n<rdf:Bag>\n");
        s.push_str(&extension_schema());
        s.push_str("</rdf:Bag>\n</pdfaExtension:schemas>\n</rdf:Description>\n");
        s
    }

    /// The identity an XMP packet states; None when it has none.
    pub fn from_xmp(xmp: &str) -> Option<Identity> {
        let get = |name: &str| -> Option<String> {
            let open = format!("<{XMP_PREFIX}:{name}>");
            let close = format!("</{XMP_PREFIX}:{name}>");
            let start = xmp.find(&open)? + open.len();
            let end = xmp[start..].find(&close)? + start;
            Some(xml_untext(&xmp[start..end]))
        };
        let code = get("ArchiveCode")?;
        Some(Identity {
            level: get("Level").unwrap_or_default(),
            code,
            no: get("DocumentNumber"),
            title: get("Title").unwrap_or_default(),
            author: get("Author").unwrap_or_default(),
            date: get("Date").unwrap_or_default(),
            classification: get("Classification"),
            volume: get("VolumeCode"),
        })
    }
}

/// One `rdf:li` of `pdfaExtension:schemas` describing the namespace.
fn extension_schema() -> String {
    let mut s = format!(
        "<rdf:li rdf:parseType=\"Resource\">\n<pdfaSchema:schema>anjuan 档案标识（档号、文号、题名、责任者、日期、密级）</pdfaSchema:schema>\n<pdfaSchema:namespaceURI>{XMP_NS}</pdfaSchema:namespaceURI>\n<pdfaSchema:prefix>{XMP_PREFIX}</pdfaSchema:prefix>\n<pdfaSchema:property>\n<rdf:Seq>\n"
    );
    for (name, description) in XMP_PROPERTIES {
        s.push_str(&format!(
            "<rdf:li rdf:parseType=\"Resource\">\n<pdfaProperty:name>{name}</pdfaProperty:name>\n<pdfaProperty:valueType>Text</pdfaProperty:valueType>\n<pdfaProperty:category>external</pdfaProperty:category>\n<pdfaProperty:description>{description}</pdfaProperty:description>\n</rdf:li>\n"
        ));
    }
    s.push_str("</rdf:Seq>\n</pdfaSchema:property>\n</rdf:li>\n");
    s
}

/// The XMP packet of a PDF (UTF-8), empty when there is none.
pub fn xmp_text(doc: &Document) -> String {
    let Ok(catalog) = doc.catalog() else {
        return String::new();
    };
    let Ok(obj) = catalog.get(b"Metadata") else {
        return String::new();
    };
    match doc.dereference(obj) {
        Ok((_, Object::Stream(s))) => String::from_utf8_lossy(
            &s.decompressed_content()
                .unwrap_or_else(|_| s.content.clone()),
        )
        .into_owned(),
        _ => String::new(),
    }
}

/// Writes `id` into the document's XMP, beside what typst put there; the stream stays
/// uncompressed (PDF/A: metadata readable without filters).
pub fn set_identity(doc: &mut Document, id: &Identity) -> Result<(), PdfError> {
    let (meta_id, text) = metadata_of(doc)?;
    let new = with_identity_xmp(&text, id)?;
    let stream = doc
        .get_object_mut(meta_id)?
        .as_stream_mut()
        .map_err(|_| PdfError::Structure("XMP 元数据不是流".into()))?;
    stream.dict.remove(b"Filter");
    stream.dict.remove(b"DecodeParms");
    stream.set_content(new.into_bytes());
    Ok(())
}

/// The document's XMP stream: its object and its text.
fn metadata_of(doc: &Document) -> Result<(ObjectId, String), PdfError> {
    let meta_id = doc
        .catalog()?
        .get(b"Metadata")?
        .as_reference()
        .map_err(|_| PdfError::Structure("XMP 元数据不是间接对象".into()))?;
    let stream = doc
        .get_object(meta_id)?
        .as_stream()
        .map_err(|_| PdfError::Structure("XMP 元数据不是流".into()))?;
    let text = String::from_utf8(
        stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone()),
    )
    .map_err(|_| PdfError::Structure("XMP 元数据不是 UTF-8".into()))?;
    Ok((meta_id, text))
}

/// The XMP packet `text` with `id` written into it.
fn with_identity_xmp(text: &str, id: &Identity) -> Result<String, PdfError> {
    if text.contains(XMP_NS) {
        return Err(PdfError::Structure("XMP 中已有 anjuan 标识".into()));
    }
    if let Some(at) = text.find("<pdfaExtension:schemas>") {
        // typst already declares schemas: add ours to its bag, and the values on their own.
        let bag = text[at..]
            .find("<rdf:Bag>")
            .map(|b| at + b + "<rdf:Bag>".len())
            .ok_or_else(|| PdfError::Structure("XMP 扩展模式格式不符".into()))?;
        let mut t = format!("{}\n{}{}", &text[..bag], extension_schema(), &text[bag..]);
        let end = t
            .rfind("</rdf:RDF>")
            .ok_or_else(|| PdfError::Structure("XMP 缺少 rdf:RDF".into()))?;
        let xmp = id.xmp();
        let own = &xmp[..xmp
            .find("<rdf:Description rdf:about=\"\" xmlns:pdfaExtension")
            .unwrap_or(xmp.len())];
        t.insert_str(end, own);
        Ok(t)
    } else {
        let end = text
            .rfind("</rdf:RDF>")
            .ok_or_else(|| PdfError::Structure("XMP 缺少 rdf:RDF".into()))?;
        Ok(format!("{}{}{}", &text[..end], id.xmp(), &text[end..]))
    }
}

/// `pdf` with `id` written into its XMP as an incremental update: the file as it was, byte for
/// byte, then the new XMP stream under the old one's number and a cross-reference section and
/// trailer that point back to the file's own (PDF 1.7 §7.5.6; PDF/A-2 allows it). The document
/// stays the prefix of the 件's file, and nothing of it is parsed beyond its catalogue and XMP.
/// `doc` is `pdf` as parsed.
pub fn identity_appended(pdf: &[u8], doc: &Document, id: &Identity) -> Result<Vec<u8>, PdfError> {
    use std::io::Write;
    if doc.is_encrypted() || doc.trailer.get(b"Type").is_ok() {
        // A cross-reference stream or encryption: saved again whole instead.
        return identified(doc, id);
    }
    let (meta_id, text) = metadata_of(doc)?;
    let xmp = with_identity_xmp(&text, id)?;
    let mut dict = doc.get_object(meta_id)?.as_stream()?.dict.clone();
    dict.remove(b"Filter");
    dict.remove(b"DecodeParms");
    let stream = Object::Stream(Stream::new(dict, xmp.into_bytes()));
    let mut out = Vec::with_capacity(pdf.len() + 8192);
    out.extend_from_slice(pdf);
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let at = out.len();
    writeln!(out, "{} {} obj", meta_id.0, meta_id.1)?;
    Writer::write_object(&mut out, &stream)?;
    out.extend_from_slice(b"\nendobj\n");
    let xref = out.len();
    write!(
        out,
        "xref\n{} 1\n{at:010} {:05} n\r\n",
        meta_id.0, meta_id.1
    )?;
    let mut trailer = Dictionary::new();
    for (k, v) in doc.trailer.iter() {
        if k != b"Prev" && k != b"XRefStm" {
            trailer.set(k.clone(), v.clone());
        }
    }
    trailer.set("Prev", doc.xref_start as i64);
    out.extend_from_slice(b"trailer\n");
    Writer::write_object(&mut out, &Object::Dictionary(trailer))?;
    write!(out, "\nstartxref\n{xref}\n%%EOF\n")?;
    Ok(out)
}

/// A PDF with `id` written into its XMP, saved again.
pub fn with_identity(pdf: &[u8], id: &Identity) -> Result<Vec<u8>, PdfError> {
    identified(&Document::load_mem(pdf)?, id)
}

/// [`with_identity`] of a parsed document (left as it was).
pub fn identified(doc: &Document, id: &Identity) -> Result<Vec<u8>, PdfError> {
    let mut doc = doc.clone();
    set_identity(&mut doc, id)?;
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}
