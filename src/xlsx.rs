//! The office's spreadsheets (catalogues, 案件台账, yearly statistics) share one look: a workbook
//! dated by its data (never by the clock, so the bytes are the same for the same data), bold
//! centred headers and thin-bordered, wrapping cells in 宋体.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError,
};

/// A workbook titled `title`, its creation time the day `date`.
pub fn workbook(title: &str, date: NaiveDate) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let created =
        ExcelDateTime::from_ymd(date.year() as u16, date.month() as u8, date.day() as u8)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_creation_datetime(&created),
    );
    Ok(wb)
}

/// The header row's cells.
pub fn header() -> Format {
    Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin)
        .set_font_name("宋体")
}

/// A body cell.
pub fn cell() -> Format {
    Format::new()
        .set_border(FormatBorder::Thin)
        .set_font_name("宋体")
        .set_text_wrap()
}
