//! Fonts: the bundled open fonts are embedded in the binary so every machine renders the same
//! bytes offline; an office's own font folder is added in front of them.

use std::path::Path;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use walkdir::WalkDir;

/// The bundled fonts: serif regular and bold (宋/仿宋, 小标宋), sans bold (黑体), kai (楷体).
static BUNDLED: &[&[u8]] = &[
    include_bytes!("../../fonts/NotoSerifCJK-Regular.ttc"),
    include_bytes!("../../fonts/NotoSerifCJK-Bold.ttc"),
    include_bytes!("../../fonts/NotoSansCJK-Bold.ttc"),
    include_bytes!("../../fonts/LXGWWenKai-Regular.ttf"),
];

/// Loaded fonts and the book typst selects from.
pub struct FontSet {
    pub book: FontBook,
    pub fonts: Vec<Font>,
}

impl FontSet {
    /// Loads the user's fonts (if any) first, then the bundled ones.
    pub fn load(user_dir: Option<&Path>) -> std::io::Result<Self> {
        let mut fonts = Vec::new();
        if let Some(dir) = user_dir {
            fonts.extend(load_dir(dir)?);
        }
        for data in BUNDLED {
            // The collections also hold the JP/KR/TC faces: keeping only the simplified Chinese
            // faces makes typst's fallback pick Chinese glyph forms.
            fonts.extend(
                Font::iter(Bytes::new(*data))
                    .filter(|f| is_wanted_bundled_face(&f.info().family)),
            );
        }
        let book = FontBook::from_fonts(&fonts);
        Ok(Self { book, fonts })
    }
}

fn is_wanted_bundled_face(family: &str) -> bool {
    family.contains("LXGW") || (family.contains(" SC") && !family.contains("Mono"))
}

/// Every font file below `dir`, in a stable order.
fn load_dir(dir: &Path) -> std::io::Result<Vec<Font>> {
    if !dir.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("字体目录不存在：{}", dir.display()),
        ));
    }
    let mut fonts = Vec::new();
    for entry in WalkDir::new(dir).sort_by_file_name().into_iter().flatten() {
        let path = entry.path();
        let is_font = path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| matches!(e.to_ascii_lowercase().as_str(), "ttf" | "otf" | "ttc" | "otc"))
            .unwrap_or(false);
        if entry.file_type().is_file() && is_font {
            let data = std::fs::read(path)?;
            fonts.extend(Font::iter(Bytes::new(data)));
        }
    }
    Ok(fonts)
}
