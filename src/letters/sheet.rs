//! Recipient rows from a spreadsheet (`.xlsx`, `.xls`, `.ods`) or a UTF-8 CSV file: first row =
//! column names (dotted for nested fields), one recipient per following row.

use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use chrono::{Duration, NaiveDate};
use serde_yaml::{Mapping, Value};

/// A table as read: column names and the data rows with their row number in the file.
#[derive(Debug, Default)]
pub struct Table {
    pub columns: Vec<String>,
    /// (row number counted from 1 with the header as row 1, cells in column order).
    pub rows: Vec<(usize, Vec<Cell>)>,
}

/// One cell, already reduced to what a YAML field can hold.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Date(NaiveDate),
}

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("无法读取收文单位表格 {0}：{1}")]
    Open(String, String),
    #[error(
        "收文单位表格 {0} 既不是 UTF-8 也不是 GBK 编码的文字。请在 Excel 中“另存为 CSV UTF-8”，或改用 .xlsx 文件"
    )]
    Encoding(String),
    #[error("收文单位表格 {0} 是空的：第一行应为列名")]
    Empty(String),
    #[error("收文单位表格 {0} 的格式不受支持：应为 .xlsx、.xls、.ods 或 .csv")]
    Format(String),
}

/// Reads `path` (shown as `name` in messages).
pub fn read(path: &Path, name: &str) -> Result<Table, SheetError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let table = match ext.as_str() {
        "csv" => read_csv(path, name)?,
        "xlsx" | "xlsm" | "xls" | "ods" => read_workbook(path, name)?,
        _ => return Err(SheetError::Format(name.to_string())),
    };
    if table.columns.iter().all(String::is_empty) {
        return Err(SheetError::Empty(name.to_string()));
    }
    Ok(table)
}

fn read_workbook(path: &Path, name: &str) -> Result<Table, SheetError> {
    let open_err = |e: &dyn std::fmt::Display| SheetError::Open(name.to_string(), e.to_string());
    let mut book = open_workbook_auto(path).map_err(|e| open_err(&e))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| SheetError::Empty(name.to_string()))?
        .map_err(|e| open_err(&e))?;
    // A range starts at its first used cell: keep the real row numbers for messages.
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let mut rows = range.rows().enumerate();
    let Some((_, header)) = rows.next() else {
        return Err(SheetError::Empty(name.to_string()));
    };
    let columns = header
        .iter()
        .map(|c| cell_of(c).text().trim().to_string())
        .collect();
    let rows = rows
        .map(|(i, r)| (first_row + i + 1, r.iter().map(cell_of).collect::<Vec<_>>()))
        .filter(|(_, cells)| cells.iter().any(|c| *c != Cell::Empty))
        .collect();
    Ok(Table { columns, rows })
}

fn cell_of(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) if s.trim().is_empty() => Cell::Empty,
        Data::String(s) => Cell::Text(s.trim().to_string()),
        Data::Int(i) => Cell::Int(*i),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Cell::Int(*f as i64),
        Data::Float(f) => Cell::Float(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => excel_date(dt.as_f64())
            .map(Cell::Date)
            .unwrap_or(Cell::Float(dt.as_f64())),
        Data::DateTimeIso(s) => Cell::Text(s.split('T').next().unwrap_or(s).to_string()),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Text(format!("#{e:?}")),
    }
}

/// An Excel serial date (1900 system) as a calendar date.
fn excel_date(serial: f64) -> Option<NaiveDate> {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    epoch.checked_add_signed(Duration::days(serial.floor() as i64))
}

fn read_csv(path: &Path, name: &str) -> Result<Table, SheetError> {
    let bytes =
        std::fs::read(path).map_err(|e| SheetError::Open(name.to_string(), e.to_string()))?;
    // Excel on a Chinese Windows saves CSV as GBK; UTF-8 may carry a byte-order mark.
    let (text, _) =
        crate::text::decode(&bytes).ok_or_else(|| SheetError::Encoding(name.to_string()))?;
    let body = text.as_bytes();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut table = Table::default();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| SheetError::Open(name.to_string(), e.to_string()))?;
        let mut cells = Vec::new();
        for text in record.iter() {
            cells.push(csv_cell(text.trim()));
        }
        if i == 0 {
            table.columns = cells.iter().map(|c| c.text()).collect();
        } else if cells.iter().any(|c| *c != Cell::Empty) {
            table.rows.push((i + 1, cells));
        }
    }
    Ok(table)
}

/// CSV has only text: whole numbers without a leading zero become numbers (a postcode like
/// 0817 stays text), true/false booleans.
fn csv_cell(text: &str) -> Cell {
    if text.is_empty() {
        return Cell::Empty;
    }
    let leading_zero = text.len() > 1 && text.starts_with('0');
    if !leading_zero && let Ok(i) = text.parse::<i64>() {
        return Cell::Int(i);
    }
    match text {
        "true" | "TRUE" => Cell::Bool(true),
        "false" | "FALSE" => Cell::Bool(false),
        _ => Cell::Text(text.to_string()),
    }
}

impl Cell {
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => f.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Date(d) => d.to_string(),
        }
    }

    /// The cell as a YAML value (None for an empty cell: the field is left out).
    pub fn value(&self) -> Option<Value> {
        Some(match self {
            Cell::Empty => return None,
            Cell::Text(s) => Value::String(s.clone()),
            Cell::Int(i) => Value::Number((*i).into()),
            Cell::Float(f) => Value::Number((*f).into()),
            Cell::Bool(b) => Value::Bool(*b),
            Cell::Date(d) => Value::String(d.to_string()),
        })
    }
}

/// Puts `value` at the dotted `path` of `map`, creating the mappings on the way. Fails when a
/// column would go below a plain value (`a` and `a.b` both given).
pub fn insert_dotted(map: &mut Mapping, path: &str, value: Value) -> Result<(), String> {
    let mut parts = path.split('.').peekable();
    let mut current = map;
    while let Some(part) = parts.next() {
        let key = Value::String(part.to_string());
        if parts.peek().is_none() {
            current.insert(key, value);
            return Ok(());
        }
        let entry = current
            .entry(key)
            .or_insert_with(|| Value::Mapping(Mapping::new()));
        current = match entry {
            Value::Mapping(m) => m,
            _ => return Err(part.to_string()),
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_keep_leading_zeros() {
        assert_eq!(csv_cell("0817"), Cell::Text("0817".into()));
        assert_eq!(csv_cell("8871100"), Cell::Int(8871100));
        assert_eq!(csv_cell("2026-09-14"), Cell::Text("2026-09-14".into()));
        assert_eq!(excel_date(46279.0), NaiveDate::from_ymd_opt(2026, 9, 14));
    }

    #[test]
    fn dotted_names_nest() {
        let mut m = Mapping::new();
        insert_dotted(&mut m, "a.b.c", Value::Bool(true)).unwrap();
        insert_dotted(&mut m, "a.d", Value::Bool(false)).unwrap();
        assert_eq!(
            serde_yaml::to_string(&m).unwrap(),
            "a:\n  b:\n    c: true\n  d: false\n"
        );
        assert!(insert_dotted(&mut m, "a.d.e", Value::Bool(true)).is_err());
    }
}
