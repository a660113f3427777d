//! `Text`: a string field that also takes a YAML number or boolean as written, since officers
//! type phone numbers, postcodes and serials without quotes.

use std::fmt;
use std::ops::Deref;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(pub String);

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(s.to_string())
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text(s)
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("文字")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(if v { "是" } else { "否" }.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// How a text file was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// GB18030 (GBK): what Notepad and Excel save by default on a Chinese Windows.
    Gbk,
}

/// A text file's contents as officers save them: UTF-8 with or without a byte-order mark, or
/// GBK. None when the bytes are neither.
pub fn decode(bytes: &[u8]) -> Option<(String, Encoding)> {
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(body) {
        return Some((text.to_string(), Encoding::Utf8));
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    (!had_errors).then(|| (text.into_owned(), Encoding::Gbk))
}

/// An I/O error in Chinese, for messages to the user.
pub fn io_error(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    if e.get_ref().is_some() {
        // An error made by anjuan itself, with its own message.
        return e.to_string();
    }
    match e.kind() {
        NotFound => "文件或目录不存在".into(),
        PermissionDenied => "没有读写权限（文件可能被其他程序占用，或需要管理员权限）".into(),
        AlreadyExists => "文件已存在".into(),
        StorageFull => "磁盘空间不足".into(),
        ReadOnlyFilesystem => "磁盘是只读的".into(),
        InvalidData => "内容不是有效的文字".into(),
        _ => format!("系统错误：{e}"),
    }
}

/// Columns of a plain-text table on the terminal, each as wide as its widest cell (a Chinese
/// character counts two), two spaces apart.
pub struct Columns(Vec<usize>);

impl Columns {
    pub fn fit<'a>(header: &[&str], rows: impl IntoIterator<Item = &'a [String]>) -> Self {
        use unicode_width::UnicodeWidthStr;
        let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
        for row in rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.width());
            }
        }
        Columns(widths)
    }

    /// One row, cells padded to their column (no trailing spaces).
    pub fn line<S: AsRef<str>>(&self, cells: &[S]) -> String {
        use unicode_width::UnicodeWidthStr;
        cells
            .iter()
            .zip(&self.0)
            .map(|(c, w)| {
                let c = c.as_ref();
                format!("{c}{}", " ".repeat(w.saturating_sub(c.width())))
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    }

    /// The rule under the header.
    pub fn rule(&self) -> String {
        self.0
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utf8_with_bom_and_gbk() {
        assert_eq!(
            decode("\u{feff}案卷".as_bytes()),
            Some(("案卷".to_string(), Encoding::Utf8))
        );
        let (gbk, _, _) = encoding_rs::GBK.encode("某县国家保密局");
        assert_eq!(
            decode(&gbk),
            Some(("某县国家保密局".to_string(), Encoding::Gbk))
        );
        assert_eq!(decode(&[0xFF, 0xFE, 0x00]), None);
    }
}
