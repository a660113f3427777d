//! Reading a YAML file (a case, `anjuan.yaml`, a campaign): text in UTF-8 or GBK → value →
//! typed fields, every problem of the file reported at once with its line, column and field in
//! Chinese. A leaf: it knows no case, setting or document.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;
use serde_yaml::{Mapping, Value};

use crate::diagnostics::Ctx;
use crate::problems::{Problem, Severity};

/// A text file in UTF-8 or GBK, or a Chinese message saying why it cannot be read.
pub fn read_text(path: &Path) -> Result<(String, crate::text::Encoding), String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("无法读取文件：{}", crate::text::io_error(&e)))?;
    crate::text::decode(&bytes).ok_or_else(|| {
        "文件既不是 UTF-8 也不是 GBK 编码的文字，无法读取；请用记事本“另存为”UTF-8 编码".to_string()
    })
}

/// Parses YAML text into a value; a syntax error is reported with serde_yaml's position.
pub fn parse_yaml(ctx: &mut Ctx, text: &str) -> Option<Value> {
    match serde_yaml::from_str::<Value>(text) {
        Ok(v) => Some(v),
        Err(e) => {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((1, 1));
            ctx.problems.push(Problem {
                file: ctx.file.clone(),
                line,
                column,
                field: String::new(),
                severity: Severity::Error,
                message: format!(
                    "YAML 格式错误：{}。请检查缩进（只用空格）、冒号后的空格和引号是否成对",
                    translate_yaml_syntax(&e.to_string())
                ),
            });
            None
        }
    }
}

fn translate_yaml_syntax(msg: &str) -> String {
    // serde_yaml's message ends with " at line X column Y"; the position is printed already.
    let msg = msg.split(" at line ").next().unwrap_or(msg);
    if msg.contains("mapping values are not allowed") {
        "此处不能出现“键: 值”（可能缺少缩进或冒号后缺空格）".into()
    } else if msg.contains("did not find expected") {
        format!("结构不完整（{msg}）")
    } else if msg.contains("duplicate entry") || msg.contains("duplicate key") {
        "同一层级出现了重复的字段".into()
    } else if msg.contains("found character that cannot start any token") {
        "出现了不能作为开头的字符（如制表符 Tab 或 @、`）".into()
    } else {
        msg.to_string()
    }
}

/// Reads the fields of one YAML mapping into typed values, recording every problem.
pub struct Fields<'a> {
    map: &'a Mapping,
    prefix: String,
    used: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    pub fn new(map: &'a Mapping, prefix: &str) -> Self {
        Self {
            map,
            prefix: prefix.to_string(),
            used: Vec::new(),
        }
    }

    fn path(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.prefix)
        }
    }

    pub fn value(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// An optional field: None when absent or invalid (the problem is recorded).
    pub fn optional<T: DeserializeOwned>(&mut self, ctx: &mut Ctx, key: &'static str) -> Option<T> {
        self.used.push(key);
        let value = self.value(key)?;
        deserialize_at(ctx, value.clone(), &self.path(key))
    }

    /// A required field: an absent one is an error naming it.
    pub fn required<T: DeserializeOwned>(
        &mut self,
        ctx: &mut Ctx,
        key: &'static str,
        what: &str,
    ) -> Option<T> {
        if self.value(key).is_none() {
            self.used.push(key);
            let at = if self.prefix.is_empty() {
                key.to_string()
            } else {
                self.path(key)
            };
            ctx.error(&at, format!("缺少必填字段 {key}（{what}）"));
            return None;
        }
        self.optional(ctx, key)
    }

    /// A list field: absent means empty.
    pub fn list<T: DeserializeOwned>(&mut self, ctx: &mut Ctx, key: &'static str) -> Vec<T> {
        self.optional(ctx, key).unwrap_or_default()
    }

    /// Declares fields read elsewhere (e.g. `kind`).
    pub fn known(&mut self, keys: &[&'static str]) {
        self.used.extend_from_slice(keys);
    }

    /// Reports every key this mapping has that no field reads, with a "did you mean" hint.
    pub fn reject_unknown(&self, ctx: &mut Ctx) {
        for key in self.map.keys() {
            let name = match key {
                Value::String(s) => s.clone(),
                other => serde_yaml::to_string(other)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            };
            if !self.used.contains(&name.as_str()) {
                let hint = did_you_mean(&name, &self.used)
                    .map(|s| format!("，是否想写 {s}？"))
                    .unwrap_or_else(|| format!("。此处可用的字段：{}", self.used.join("、")));
                ctx.error(&self.path(&name), format!("未知字段 {name}{hint}"));
            }
        }
    }
}

/// Deserializes `value` (found at `path`), translating serde's message into Chinese with the
/// exact field that is wrong. serde stops at the first error, so after one the offending unknown
/// key or list entry is taken out and the rest read again: every problem of the block is
/// reported in one run.
pub fn deserialize_at<T: DeserializeOwned>(ctx: &mut Ctx, value: Value, path: &str) -> Option<T> {
    let mut value = value;
    let mut removed = Removed::default();
    let mut reported: Vec<String> = Vec::new();
    let mut failed = false;
    // Each retry removes one key or entry, so this ends; the bound keeps a huge file cheap.
    for _ in 0..64 {
        match serde_path_to_error::deserialize::<_, T>(value.clone()) {
            Ok(v) => return (!failed).then_some(v),
            Err(e) => {
                failed = true;
                let segments: Vec<Segment> = e.path().iter().cloned().collect();
                let message = e.into_inner().to_string();
                let (chinese, child) = translate_serde(&message);
                let mut field = join_path(path, &removed.original(&segments));
                let missing = child.is_some();
                if let Some(child) = child {
                    field = format!("{field}.{child}");
                }
                // A required value taken out below comes back as "missing": said already.
                if !reported.contains(&field) {
                    ctx.error(&field, chinese);
                    reported.push(field);
                }
                let cut = if message.starts_with("unknown field `") {
                    Some(segments.as_slice())
                } else if !missing && matches!(segments.last(), Some(Segment::Map { .. })) {
                    // A wrong value: without it the rest of the block can still be read (and
                    // when it was required, serde says so next and reading stops there).
                    Some(segments.as_slice())
                } else {
                    segments
                        .iter()
                        .rposition(|s| matches!(s, Segment::Seq { .. }))
                        .map(|i| &segments[..=i])
                };
                match cut {
                    Some(cut) if remove_at(&mut value, cut) => removed.record(cut),
                    _ => return None,
                }
            }
        }
    }
    None
}

/// `path` of the block followed by the path inside it.
fn join_path(path: &str, inner: &str) -> String {
    let inner = inner.trim_start_matches('.');
    if inner.is_empty() {
        path.to_string()
    } else if path.is_empty() {
        inner.to_string()
    } else if inner.starts_with('[') {
        format!("{path}{inner}")
    } else {
        format!("{path}.{inner}")
    }
}

/// List entries taken out so far, by the list's path in the original numbering, so that later
/// errors name the entry as the file numbers it.
#[derive(Default)]
struct Removed(std::collections::HashMap<String, Vec<usize>>);

impl Removed {
    /// The error path in the file's own numbering, as `.a.b[2].c`.
    fn original(&self, segments: &[Segment]) -> String {
        let mut out = String::new();
        for s in segments {
            match s {
                Segment::Seq { index } => {
                    let gone = self.0.get(&out).map(Vec::as_slice).unwrap_or_default();
                    let original = (0..)
                        .filter(|i| !gone.contains(i))
                        .nth(*index)
                        .unwrap_or(*index);
                    out.push_str(&format!("[{original}]"));
                }
                Segment::Map { key } => out.push_str(&format!(".{key}")),
                Segment::Enum { variant } => out.push_str(&format!(".{variant}")),
                Segment::Unknown => out.push_str(".?"),
            }
        }
        out
    }

    fn record(&mut self, cut: &[Segment]) {
        if let Some((Segment::Seq { .. }, parents)) = cut.split_last() {
            let list = self.original(parents);
            let entry = self.original(cut);
            let index = entry
                .rsplit('[')
                .next()
                .and_then(|i| i.trim_end_matches(']').parse().ok())
                .unwrap_or(0);
            self.0.entry(list).or_default().push(index);
        }
    }
}

/// Removes the value at `segments` (a key of a mapping or an entry of a list).
fn remove_at(value: &mut Value, segments: &[Segment]) -> bool {
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let mut v = value;
    for s in parents {
        v = match (s, v) {
            (Segment::Map { key }, Value::Mapping(m)) => match m.get_mut(key.as_str()) {
                Some(x) => x,
                None => return false,
            },
            (Segment::Seq { index }, Value::Sequence(q)) => match q.get_mut(*index) {
                Some(x) => x,
                None => return false,
            },
            _ => return false,
        };
    }
    match (last, v) {
        (Segment::Map { key }, Value::Mapping(m)) => m.remove(key.as_str()).is_some(),
        (Segment::Seq { index }, Value::Sequence(q)) if *index < q.len() => {
            q.remove(*index);
            true
        }
        _ => false,
    }
}

/// serde's English message → Chinese, plus the missing child field where there is one.
pub fn translate_serde(msg: &str) -> (String, Option<String>) {
    let ticks: Vec<&str> = msg.split('`').skip(1).step_by(2).collect();
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        return (format!("缺少必填字段 {name}"), Some(name.to_string()));
    }
    if msg.starts_with("unknown field `") {
        let name = ticks.first().copied().unwrap_or_default();
        let expected = &ticks[1.min(ticks.len())..];
        let hint = did_you_mean(name, expected)
            .map(|s| format!("，是否想写 {s}？"))
            .unwrap_or_else(|| format!("。此处可用的字段：{}", expected.join("、")));
        return (format!("未知字段 {name}{hint}"), None);
    }
    if msg.starts_with("unknown variant `") {
        let name = ticks.first().copied().unwrap_or_default();
        let expected = &ticks[1.min(ticks.len())..];
        let hint = did_you_mean(name, expected)
            .map(|s| format!("是否想写 {s}？"))
            .unwrap_or_default();
        return (
            format!(
                "取值 {name} 无效，应为以下之一：{}。{hint}",
                expected.join("、")
            ),
            None,
        );
    }
    if msg.contains("input contains invalid characters")
        || msg.contains("premature end of input")
        || msg.contains("trailing input")
        || msg.contains("input is out of range")
        || msg.contains("input is not enough")
        || msg.contains("expected a formatted date")
    {
        return (
            "日期无效：应写作 YYYY-MM-DD（如 2026-02-12），且须是日历上存在的日期".into(),
            None,
        );
    }
    if let Some(rest) = msg.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return (
            format!(
                "类型不对：这里应填 {}，实际写的是 {}",
                expected_cn(expected),
                found_cn(found)
            ),
            None,
        );
    }
    if let Some(rest) = msg.strip_prefix("invalid value: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return (
            format!(
                "取值无效：应为{}，实际为{}",
                expected_cn(expected),
                found_cn(found)
            ),
            None,
        );
    }
    (msg.to_string(), None)
}

fn expected_cn(e: &str) -> String {
    match e {
        "a boolean" => "true 或 false（是写 true，否写 false）".into(),
        "u32" | "u64" | "usize" | "u8" | "u16" => "非负整数".into(),
        "a sequence" => "列表（每项以“- ”开头，或写成 [a, b]）".into(),
        "文字" => "文字".into(),
        s if s.starts_with("struct ") || s == "a map" => "映射（“键: 值”的形式）".into(),
        s if s.contains("NaiveDate") || s.contains("date") => "日期 YYYY-MM-DD".into(),
        s => s.to_string(),
    }
}

fn found_cn(f: &str) -> String {
    if f.starts_with("string") {
        format!("文字 {}", f.trim_start_matches("string").trim())
    } else if f == "sequence" {
        "列表".into()
    } else if f == "map" {
        "映射".into()
    } else if f.starts_with("boolean") {
        format!("布尔值 {}", f.trim_start_matches("boolean").trim())
    } else if f.starts_with("integer") {
        format!("整数 {}", f.trim_start_matches("integer").trim())
    } else if f.starts_with("floating point") {
        format!("小数 {}", f.trim_start_matches("floating point").trim())
    } else if f == "unit value" {
        "空值".into()
    } else {
        f.to_string()
    }
}

/// The closest known name to `name`, if one is close enough to be a typo.
pub fn did_you_mean<'b>(name: &str, candidates: &[&'b str]) -> Option<&'b str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(name, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A file's path as printed in messages: relative to the cases root when inside it.
pub fn display_path(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| PathBuf::from(path))
        .to_string_lossy()
        .replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_serde_messages() {
        assert_eq!(
            translate_serde("missing field `name`").1.as_deref(),
            Some("name")
        );
        let (m, _) = translate_serde("unknown field `adress`, expected one of `name`, `address`");
        assert!(m.contains("是否想写 address"), "{m}");
        let (m, _) = translate_serde("unknown variant `writen`, expected `written` or `oral`");
        assert!(m.contains("written"), "{m}");
        let (m, _) = translate_serde("input is out of range");
        assert!(m.contains("YYYY-MM-DD"));
    }
}
