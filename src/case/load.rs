//! Reading a case file: YAML → typed case, every problem of the file reported at once with its
//! line, column and field in Chinese.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_yaml::{Mapping, Value};

use super::positions::Positions;
use crate::problems::{Problem, Problems, Severity};

/// A YAML file being read: its name for messages, its field positions, and what is wrong with it.
pub struct Ctx {
    pub file: String,
    pub positions: Positions,
    pub problems: Problems,
}

impl Ctx {
    pub fn new(file: impl Into<String>, text: &str) -> Self {
        Self { file: file.into(), positions: Positions::parse(text), problems: Problems::default() }
    }

    pub fn report(&mut self, severity: Severity, field: &str, message: impl Into<String>) {
        let pos = self.positions.find(field);
        self.problems.push(Problem {
            file: self.file.clone(),
            line: pos.line,
            column: pos.column,
            field: field.to_string(),
            severity,
            message: message.into(),
        });
    }

    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.report(Severity::Error, field, message);
    }

    pub fn warn(&mut self, field: &str, message: impl Into<String>) {
        self.report(Severity::Warning, field, message);
    }

    pub fn has_errors(&self) -> bool {
        self.problems.has_errors()
    }
}

/// Parses YAML text into a value; a syntax error is reported with serde_yaml's position.
pub fn parse_yaml(ctx: &mut Ctx, text: &str) -> Option<Value> {
    match serde_yaml::from_str::<Value>(text) {
        Ok(v) => Some(v),
        Err(e) => {
            let (line, column) =
                e.location().map(|l| (l.line(), l.column())).unwrap_or((1, 1));
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
        Self { map, prefix: prefix.to_string(), used: Vec::new() }
    }

    fn path(&self, key: &str) -> String {
        if self.prefix.is_empty() { key.to_string() } else { format!("{}.{key}", self.prefix) }
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
            let at = if self.prefix.is_empty() { key.to_string() } else { self.path(key) };
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
                other => serde_yaml::to_string(other).unwrap_or_default().trim().to_string(),
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
/// exact field that is wrong.
pub fn deserialize_at<T: DeserializeOwned>(ctx: &mut Ctx, value: Value, path: &str) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(v) => Some(v),
        Err(e) => {
            let inner = e.path().to_string();
            let mut field = if inner == "." {
                path.to_string()
            } else if path.is_empty() {
                inner
            } else if inner.starts_with('[') {
                format!("{path}{inner}")
            } else {
                format!("{path}.{inner}")
            };
            let (message, child) = translate_serde(&e.into_inner().to_string());
            if let Some(child) = child {
                field = format!("{field}.{child}");
            }
            ctx.error(&field, message);
            None
        }
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
        return (format!("取值 {name} 无效，应为以下之一：{}。{hint}", expected.join("、")), None);
    }
    if msg.contains("input contains invalid characters")
        || msg.contains("premature end of input")
        || msg.contains("trailing input")
        || msg.contains("input is out of range")
        || msg.contains("input is not enough")
        || msg.contains("expected a formatted date")
    {
        return ("日期无效：应写作 YYYY-MM-DD（如 2026-02-12），且须是日历上存在的日期".into(), None);
    }
    if let Some(rest) = msg.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return (
            format!("类型不对：这里应为{}，实际写的是{}", expected_cn(expected), found_cn(found)),
            None,
        );
    }
    if let Some(rest) = msg.strip_prefix("invalid value: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return (format!("取值无效：应为{}，实际为{}", expected_cn(expected), found_cn(found)), None);
    }
    (msg.to_string(), None)
}

fn expected_cn(e: &str) -> String {
    match e {
        "a boolean" => "true 或 false".into(),
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
        assert_eq!(translate_serde("missing field `name`").1.as_deref(), Some("name"));
        let (m, _) = translate_serde("unknown field `adress`, expected one of `name`, `address`");
        assert!(m.contains("是否想写 address"), "{m}");
        let (m, _) = translate_serde("unknown variant `writen`, expected `written` or `oral`");
        assert!(m.contains("written"), "{m}");
        let (m, _) = translate_serde("input is out of range");
        assert!(m.contains("YYYY-MM-DD"));
    }
}
