//! 发文登记簿: one row per letter sent, as `.xlsx` (for the records officer) and `.csv` (for
//! other systems). Both are byte-identical across runs with the same letters.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

pub const COLUMNS: &[&str] = &[
    "序号",
    "文号",
    "标题",
    "收文单位",
    "联系人",
    "发文日期",
    "页数",
    "文件",
];
const WIDTHS: &[f64] = &[6.0, 22.0, 28.0, 28.0, 10.0, 12.0, 6.0, 30.0];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterRow {
    pub seq: usize,
    pub no: String,
    pub title: String,
    pub unit: String,
    pub contact: String,
    /// YYYY-MM-DD.
    pub date: String,
    pub pages: usize,
    /// The letter's PDF, relative to the register.
    pub file: String,
}

impl RegisterRow {
    fn cells(&self) -> [String; 8] {
        [
            self.seq.to_string(),
            self.no.clone(),
            self.title.clone(),
            self.unit.clone(),
            self.contact.clone(),
            self.date.clone(),
            self.pages.to_string(),
            self.file.clone(),
        ]
    }
}

/// UTF-8 with a BOM, so that Excel opens it with the Chinese intact.
pub fn csv(rows: &[RegisterRow]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let _ = w.write_record(COLUMNS);
    for r in rows {
        let _ = w.write_record(r.cells());
    }
    w.into_inner().unwrap_or_default()
}

/// The workbook; `title` names the sheet's document, `date` is stored as its creation date so
/// the file does not change from one run to the next.
pub fn xlsx(
    rows: &[RegisterRow],
    title: &str,
    date: Option<chrono::NaiveDate>,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let created = match date {
        Some(d) => {
            use chrono::Datelike;
            ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?
        }
        None => ExcelDateTime::from_ymd(2000, 1, 1)?,
    };
    book.set_properties(
        &DocProperties::new()
            .set_title(format!("发文登记簿（{title}）"))
            .set_creation_datetime(&created),
    );
    let sheet = book.add_worksheet();
    sheet.set_name("发文登记簿")?;
    let bold = Format::new().set_bold();
    for (c, (name, width)) in COLUMNS.iter().zip(WIDTHS).enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &bold)?;
        sheet.set_column_width(c as u16, *width)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_number(row, 0, r.seq as f64)?;
        sheet.write_string(row, 1, &r.no)?;
        sheet.write_string(row, 2, &r.title)?;
        sheet.write_string(row, 3, &r.unit)?;
        sheet.write_string(row, 4, &r.contact)?;
        sheet.write_string(row, 5, &r.date)?;
        sheet.write_number(row, 6, r.pages as f64)?;
        sheet.write_string(row, 7, &r.file)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}
