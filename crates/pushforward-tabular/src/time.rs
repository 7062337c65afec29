//! ISO 8601 dates and date-times as seconds since 1970-01-01 (UTC, no leap
//! seconds), and back in the same layout.
//!
//! Read: `YYYY-MM-DD`, or that followed by `T` or a space and `HH:MM` or
//! `HH:MM:SS`, optionally ending in `Z`. Days are counted by the civil
//! calendar's closed form (H. Hinnant, "chrono-Compatible Low-Level Date
//! Algorithms", 2013):
//!
//! ```text
//! era = ⌊y' / 400⌋ with y' = y − [m ≤ 2],   yoe = y' − 400·era
//! doy = ⌊(153·(m + 9 mod 12) + 2) / 5⌋ + d − 1
//! doe = 365·yoe + ⌊yoe/4⌋ − ⌊yoe/100⌋ + doy
//! days = 146097·era + doe − 719468
//! ```
//! Fractional seconds and time zones other than `Z` are not read: such a
//! column stays categorical.

use pushforward_core::{Column, ColumnData};
use serde::{Deserialize, Serialize};

/// The layout a date column was written in, kept to write it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum TimeLayout {
    /// `YYYY-MM-DD`.
    Date,
    /// `YYYY-MM-DD?HH:MM[:SS][Z]`.
    DateTime {
        /// `T` or a space.
        separator: char,
        /// Whether seconds are written.
        seconds: bool,
        /// Whether a trailing `Z` is written.
        zulu: bool,
    },
}

impl TimeLayout {
    /// The smallest step between two values written in this layout, in
    /// seconds: a day for a date, a second or a minute for a date-time.
    pub fn resolution(self) -> f64 {
        match self {
            TimeLayout::Date => 86_400.0,
            TimeLayout::DateTime { seconds: true, .. } => 1.0,
            TimeLayout::DateTime { seconds: false, .. } => 60.0,
        }
    }

    /// `seconds` written in this layout (rounded to its resolution).
    ///
    /// ```
    /// use pushforward_tabular::time::{TimeLayout, parse};
    /// let (s, layout) = parse("2008-02-29T13:05:09Z").unwrap();
    /// assert_eq!(layout.format(s), "2008-02-29T13:05:09Z");
    /// assert_eq!(TimeLayout::Date.format(0.0), "1970-01-01");
    /// ```
    pub fn format(self, seconds: f64) -> String {
        let step = self.resolution();
        let total = ((seconds / step).round() * step) as i64;
        let days = total.div_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        match self {
            TimeLayout::Date => format!("{y:04}-{m:02}-{d:02}"),
            TimeLayout::DateTime {
                separator,
                seconds,
                zulu,
            } => {
                let rest = total.rem_euclid(86_400);
                let (hh, mm, ss) = (rest / 3600, rest / 60 % 60, rest % 60);
                let z = if zulu { "Z" } else { "" };
                if seconds {
                    format!("{y:04}-{m:02}-{d:02}{separator}{hh:02}:{mm:02}:{ss:02}{z}")
                } else {
                    format!("{y:04}-{m:02}-{d:02}{separator}{hh:02}:{mm:02}{z}")
                }
            }
        }
    }
}

/// `text` as seconds since the epoch and its layout, or `None` when it is
/// not an ISO date or date-time of the forms in the module doc.
pub fn parse(text: &str) -> Option<(f64, TimeLayout)> {
    let b = text.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = digits(&b[0..4])?;
    let m = digits(&b[5..7])?;
    let d = digits(&b[8..10])?;
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    let days = days_from_civil(y, m, d) as f64;
    if b.len() == 10 {
        return Some((days * 86_400.0, TimeLayout::Date));
    }
    let separator = char::from(b[10]);
    if separator != 'T' && separator != ' ' {
        return None;
    }
    let mut rest = &b[11..];
    let zulu = rest.last() == Some(&b'Z');
    if zulu {
        rest = &rest[..rest.len() - 1];
    }
    let (hh, mm, ss, seconds) = match rest.len() {
        5 if rest[2] == b':' => (digits(&rest[0..2])?, digits(&rest[3..5])?, 0, false),
        8 if rest[2] == b':' && rest[5] == b':' => (
            digits(&rest[0..2])?,
            digits(&rest[3..5])?,
            digits(&rest[6..8])?,
            true,
        ),
        _ => return None,
    };
    if hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    let secs = days * 86_400.0 + (hh * 3600 + mm * 60 + ss) as f64;
    Some((
        secs,
        TimeLayout::DateTime {
            separator,
            seconds,
            zulu,
        },
    ))
}

/// Whether `column` holds dates or date-times written as text: a
/// categorical column whose every label parses (and that has labels).
pub fn is_dates(column: &Column) -> bool {
    label_seconds(column).is_some()
}

/// A column of dates or date-times written as text ([`is_dates`]), as
/// seconds since the epoch with the same missing cells; `None` for any
/// other column.
///
/// ```
/// use std::sync::Arc;
/// use pushforward_core::{Column, ColumnData};
/// use pushforward_tabular::time::as_seconds;
/// let levels: Arc<[String]> = vec!["1970-01-02".to_owned(), "1970-01-01 00:01".to_owned()].into();
/// let c = Column::categorical("day", vec![1, 0, 0], levels);
/// let ColumnData::Float(s) = as_seconds(&c).unwrap().data else { panic!() };
/// assert_eq!(s, vec![60.0, 86_400.0, 86_400.0]);
/// ```
pub fn as_seconds(column: &Column) -> Option<Column> {
    let seconds = label_seconds(column)?;
    let ColumnData::Categorical { codes, .. } = &column.data else {
        return None;
    };
    let values = codes
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if column.is_missing(i) {
                0.0
            } else {
                seconds[c as usize]
            }
        })
        .collect();
    Some(Column {
        name: column.name.clone(),
        data: ColumnData::Float(values),
        missing: column.missing.clone(),
    })
}

/// Each label of a categorical column as seconds, when every one parses.
fn label_seconds(column: &Column) -> Option<Vec<f64>> {
    let ColumnData::Categorical { levels, .. } = &column.data else {
        return None;
    };
    if levels.is_empty() {
        return None;
    }
    levels.iter().map(|l| parse(l).map(|(s, _)| s)).collect()
}

fn digits(b: &[u8]) -> Option<i64> {
    b.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_days_and_round_trips() {
        assert_eq!(parse("1970-01-02"), Some((86_400.0, TimeLayout::Date)));
        // 2000-03-01 is day 11017 (30 years, 7 leap days, Jan + Feb 2000).
        assert_eq!(parse("2000-03-01").map(|p| p.0), Some(11_017.0 * 86_400.0));
        for text in [
            "1899-12-31",
            "2024-02-29",
            "2007-11-10 08:30",
            "2100-01-01T00:00:59",
        ] {
            let (s, layout) = parse(text).expect("a date");
            assert_eq!(layout.format(s), text);
        }
        for bad in [
            "2023-02-29",
            "2023-13-01",
            "20230101",
            "2023-01-01T25:00",
            "2023-01-01T10:00:00.5",
            "Adelie",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
