//! Working days (工作日): weekends and the State Council's statutory holidays are off, its
//! adjusted working weekends (调休上班日) are on. The official calendar 2007–2026 is built in;
//! more years come from `calendar.extra`. A date in a year the calendar lacks is an error, never
//! silently counted as weekends-only.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;

/// The bundled years (holiday-cn data, MIT licensed facts).
static BUNDLED: &[&str] = &[
    include_str!("../data/holiday-cn/2007.json"),
    include_str!("../data/holiday-cn/2008.json"),
    include_str!("../data/holiday-cn/2009.json"),
    include_str!("../data/holiday-cn/2010.json"),
    include_str!("../data/holiday-cn/2011.json"),
    include_str!("../data/holiday-cn/2012.json"),
    include_str!("../data/holiday-cn/2013.json"),
    include_str!("../data/holiday-cn/2014.json"),
    include_str!("../data/holiday-cn/2015.json"),
    include_str!("../data/holiday-cn/2016.json"),
    include_str!("../data/holiday-cn/2017.json"),
    include_str!("../data/holiday-cn/2018.json"),
    include_str!("../data/holiday-cn/2019.json"),
    include_str!("../data/holiday-cn/2020.json"),
    include_str!("../data/holiday-cn/2021.json"),
    include_str!("../data/holiday-cn/2022.json"),
    include_str!("../data/holiday-cn/2023.json"),
    include_str!("../data/holiday-cn/2024.json"),
    include_str!("../data/holiday-cn/2025.json"),
    include_str!("../data/holiday-cn/2026.json"),
];

/// One year of the official calendar, in holiday-cn's shape.
#[derive(Debug, Deserialize)]
pub struct YearFile {
    pub year: i32,
    #[serde(default)]
    pub papers: Vec<String>,
    pub days: Vec<DayEntry>,
}

#[derive(Debug, Deserialize)]
pub struct DayEntry {
    #[serde(default)]
    pub name: String,
    pub date: NaiveDate,
    #[serde(rename = "isOffDay")]
    pub is_off_day: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error(
        "日历缺少 {0} 年的节假日和调休数据，无法按工作日计算期限；请在 anjuan.yaml 的 calendar.extra 中加入该年的日历文件"
    )]
    MissingYear(i32),
    #[error("日历文件 {file} 无法读取：{message}")]
    BadFile { file: String, message: String },
    #[error("期限计算超出可表示的日期范围（从 {0} 起），请检查天数是否写错")]
    OutOfRange(NaiveDate),
}

#[derive(Debug, Clone)]
pub struct Calendar {
    /// Days that differ from the weekday rule: true = off (holiday), false = working (调休上班).
    exceptions: HashMap<NaiveDate, bool>,
    years: BTreeSet<i32>,
}

impl Calendar {
    /// The bundled calendar.
    pub fn bundled() -> Self {
        let mut cal = Calendar {
            exceptions: HashMap::new(),
            years: BTreeSet::new(),
        };
        for text in BUNDLED {
            let year: YearFile = serde_json::from_str(text).expect("bundled calendar is valid");
            cal.add_year(year);
        }
        cal
    }

    /// Digest of every day it knows, to tell whether a date it gave could have changed.
    pub fn digest(&self) -> String {
        let mut days: Vec<(&NaiveDate, &bool)> = self.exceptions.iter().collect();
        days.sort();
        crate::output::sha256_hex(format!("{days:?}{:?}", self.years).as_bytes())
    }

    /// Adds (or corrects) a year. A file with no days and no source papers is an unpublished
    /// year and does not count as covered.
    pub fn add_year(&mut self, year: YearFile) {
        if year.days.is_empty() && year.papers.is_empty() {
            return;
        }
        for day in &year.days {
            self.exceptions.insert(day.date, day.is_off_day);
        }
        self.years.insert(year.year);
    }

    /// Adds a year from a JSON or YAML file.
    pub fn add_file(&mut self, path: &Path, shown_as: &str) -> Result<i32, CalendarError> {
        let bad = |message: String| CalendarError::BadFile {
            file: shown_as.to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
        let year: YearFile = serde_yaml::from_str(&text).map_err(|e| bad(e.to_string()))?;
        let y = year.year;
        if year.days.is_empty() {
            return Err(bad(format!("{y} 年没有任何节假日或调休数据")));
        }
        self.add_year(year);
        Ok(y)
    }

    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        if !self.covers(date.year()) {
            return Err(CalendarError::MissingYear(date.year()));
        }
        Ok(match self.exceptions.get(&date) {
            Some(off) => !off,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        })
    }

    /// The `n`-th working day after `date` ("within n working days after date").
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut d = date;
        let mut left = n;
        while left > 0 {
            d = next_day(d)?;
            if self.is_working_day(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// The `n`-th working day before `date`.
    pub fn sub_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut d = date;
        let mut left = n;
        while left > 0 {
            d = d.pred_opt().ok_or(CalendarError::OutOfRange(d))?;
            if self.is_working_day(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// Working days in `[from, to)`: how many working days ahead of `to` a thing done on `from`
    /// was done.
    pub fn working_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<u32, CalendarError> {
        let mut n = 0;
        let mut d = from;
        while d < to {
            if self.is_working_day(d)? {
                n += 1;
            }
            d = next_day(d)?;
        }
        Ok(n)
    }

    /// `date` itself if it is a working day, else the next one.
    pub fn on_or_next_working_day(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut d = date;
        while !self.is_working_day(d)? {
            d = next_day(d)?;
        }
        Ok(d)
    }

    /// A calendar-day period: the start day not counted, an end on a holiday moved to the next
    /// working day.
    pub fn add_calendar_days(&self, date: NaiveDate, n: u64) -> Result<NaiveDate, CalendarError> {
        let end = date
            .checked_add_days(Days::new(n))
            .ok_or(CalendarError::OutOfRange(date))?;
        self.on_or_next_working_day(end)
    }
}

fn next_day(d: NaiveDate) -> Result<NaiveDate, CalendarError> {
    d.succ_opt().ok_or(CalendarError::OutOfRange(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn spring_festival_2026() {
        let cal = Calendar::bundled();
        // The adjusted Saturdays around the 2026 Spring Festival are working days.
        assert!(cal.is_working_day(d("2026-02-14")).unwrap());
        assert!(cal.is_working_day(d("2026-02-28")).unwrap());
        assert!(!cal.is_working_day(d("2026-02-17")).unwrap());
        assert_eq!(
            cal.add_working_days(d("2026-02-12"), 5).unwrap(),
            d("2026-02-26")
        );
        assert_eq!(
            cal.add_working_days(d("2026-02-12"), 20).unwrap(),
            d("2026-03-18")
        );
    }

    #[test]
    fn national_day_adjusted_saturday() {
        let cal = Calendar::bundled();
        assert!(cal.is_working_day(d("2026-10-10")).unwrap());
        assert_eq!(
            cal.working_days_between(d("2026-10-10"), d("2026-10-13"))
                .unwrap(),
            2
        );
    }

    #[test]
    fn a_period_past_the_last_representable_date_is_an_error_not_a_panic() {
        let cal = Calendar::bundled();
        assert_eq!(
            cal.add_calendar_days(d("2026-09-03"), 100_000_000 + 30),
            Err(CalendarError::OutOfRange(d("2026-09-03")))
        );
        assert!(cal.add_calendar_days(d("2026-09-03"), u64::MAX).is_err());
    }

    #[test]
    fn missing_year_is_an_error() {
        let cal = Calendar::bundled();
        assert_eq!(
            cal.add_working_days(d("2026-12-25"), 10),
            Err(CalendarError::MissingYear(2027))
        );
        assert!(!cal.covers(2027));
        assert!(cal.covers(2007));
    }

    #[test]
    fn calendar_days_end_on_next_working_day() {
        let cal = Calendar::bundled();
        // 2026-09-03 + 30 = 2026-10-03, inside the National Day holiday → 2026-10-08.
        assert_eq!(
            cal.add_calendar_days(d("2026-09-03"), 30).unwrap(),
            d("2026-10-08")
        );
    }
}
