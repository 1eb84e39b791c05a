//! The fields of a standard log record (LOG-FORMAT): their names in AWS's order, the header lines
//! that list them, and the typed values with a fixed spelling (`x-edge-result-type`, `sc-status`,
//! `date`, `time`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// LOG-FORMAT: the 33 fields of a standard log record, in the order AWS writes them. The `#Fields:`
/// header line lists exactly these names, separated by single spaces.
pub const FIELDS: [&str; 33] = [
    "date",
    "time",
    "x-edge-location",
    "sc-bytes",
    "c-ip",
    "cs-method",
    "cs(Host)",
    "cs-uri-stem",
    "sc-status",
    "cs(Referer)",
    "cs(User-Agent)",
    "cs-uri-query",
    "cs(Cookie)",
    "x-edge-result-type",
    "x-edge-request-id",
    "x-host-header",
    "cs-protocol",
    "cs-bytes",
    "time-taken",
    "x-forwarded-for",
    "ssl-protocol",
    "ssl-cipher",
    "x-edge-response-result-type",
    "cs-protocol-version",
    "fle-status",
    "fle-encrypted-fields",
    "c-port",
    "time-to-first-byte",
    "x-edge-detailed-result-type",
    "sc-content-type",
    "sc-content-len",
    "sc-range-start",
    "sc-range-end",
];

/// LOG-FORMAT: the version the `#Version:` header line declares.
pub const VERSION: &str = "1.0";

/// LOG-FORMAT: the two header lines of a standard log, each ending in `\n`.
pub fn header() -> String {
    format!("#Version: {VERSION}\n#Fields: {}\n", FIELDS.join(" "))
}

/// LOG-RESULT-TYPE: the values of `x-edge-result-type` (how the request ended, after the last byte)
/// and `x-edge-response-result-type` (how the response was classified before it was sent). A VPP
/// redirect is logged `Redirect`, an edge 403 `Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum ResultType {
    Hit,
    RefreshHit,
    Miss,
    LimitExceeded,
    CapacityExceeded,
    Error,
    /// The edge redirected the viewer from HTTP to HTTPS per the distribution's settings.
    Redirect,
}

impl ResultType {
    /// Every result type, in the order AWS documents them.
    pub const ALL: [ResultType; 7] = [
        ResultType::Hit,
        ResultType::RefreshHit,
        ResultType::Miss,
        ResultType::LimitExceeded,
        ResultType::CapacityExceeded,
        ResultType::Error,
        ResultType::Redirect,
    ];

    /// The value as logged.
    pub fn as_str(self) -> &'static str {
        match self {
            ResultType::Hit => "Hit",
            ResultType::RefreshHit => "RefreshHit",
            ResultType::Miss => "Miss",
            ResultType::LimitExceeded => "LimitExceeded",
            ResultType::CapacityExceeded => "CapacityExceeded",
            ResultType::Error => "Error",
            ResultType::Redirect => "Redirect",
        }
    }

    /// Parses a logged value exactly (case-sensitive); anything else is `None`.
    pub fn parse(s: &str) -> Option<ResultType> {
        ResultType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl fmt::Display for ResultType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `sc-status`: the HTTP status sent to the viewer, or `000` when the viewer closed the connection
/// before the response was sent. Always three digits in the log, so at most 999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct Status(u16);

impl Status {
    /// `000`: the viewer hung up before a response was sent.
    pub const CLIENT_CLOSED: Status = Status(0);

    /// A status from its number; `None` above 999, which does not fit the log's three digits.
    pub fn new(code: u16) -> Option<Status> {
        (code <= 999).then_some(Status(code))
    }

    pub fn get(self) -> u16 {
        self.0
    }

    /// Exactly three ASCII digits.
    pub fn parse(s: &str) -> Option<Status> {
        let b = s.as_bytes();
        (b.len() == 3).then(|| digits(b)).flatten().map(Status)
    }
}

impl PartialEq<u16> for Status {
    fn eq(&self, other: &u16) -> bool {
        self.0 == *other
    }
}

impl From<Status> for u16 {
    fn from(s: Status) -> u16 {
        s.0
    }
}

impl TryFrom<u16> for Status {
    type Error = String;
    fn try_from(code: u16) -> Result<Status, String> {
        Status::new(code)
            .ok_or_else(|| format!("status {code} does not fit the log's three digits"))
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for Status {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Status(u.int_in_range(0..=999)?))
    }
}

/// `date`: the UTC day the response finished, `YYYY-MM-DD`. Always a real calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LogDate {
    year: u16,
    month: u8,
    day: u8,
}

impl LogDate {
    /// `None` unless `year` has at most four digits and `month`/`day` name a real day.
    pub fn new(year: u16, month: u8, day: u8) -> Option<LogDate> {
        let valid = year <= 9999
            && (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day);
        valid.then_some(LogDate { year, month, day })
    }

    /// Exactly `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<LogDate> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let (month, day) = (digits(&b[5..7])?, digits(&b[8..10])?);
        LogDate::new(
            digits(&b[..4])?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }

    pub fn year(self) -> u16 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }
}

impl fmt::Display for LogDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl From<LogDate> for String {
    fn from(d: LogDate) -> String {
        d.to_string()
    }
}

impl TryFrom<String> for LogDate {
    type Error = String;
    fn try_from(s: String) -> Result<LogDate, String> {
        LogDate::parse(&s).ok_or_else(|| format!("`{s}` is not a date; expected YYYY-MM-DD"))
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for LogDate {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let year = u.int_in_range(0..=9999)?;
        let month = u.int_in_range(1..=12)?;
        let day = u.int_in_range(1..=days_in_month(year, month))?;
        Ok(LogDate { year, month, day })
    }
}

/// `time`: the UTC second the response finished, `HH:MM:SS` on a 24-hour clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LogTime {
    hour: u8,
    minute: u8,
    second: u8,
}

impl LogTime {
    /// `None` unless `hour` < 24, `minute` < 60 and `second` < 60.
    pub fn new(hour: u8, minute: u8, second: u8) -> Option<LogTime> {
        (hour < 24 && minute < 60 && second < 60).then_some(LogTime {
            hour,
            minute,
            second,
        })
    }

    /// Exactly `HH:MM:SS`.
    pub fn parse(s: &str) -> Option<LogTime> {
        let b = s.as_bytes();
        if b.len() != 8 || b[2] != b':' || b[5] != b':' {
            return None;
        }
        let [h, m, s] =
            [&b[..2], &b[3..5], &b[6..]].map(|d| digits(d).and_then(|n| u8::try_from(n).ok()));
        LogTime::new(h?, m?, s?)
    }

    pub fn hour(self) -> u8 {
        self.hour
    }
    pub fn minute(self) -> u8 {
        self.minute
    }
    pub fn second(self) -> u8 {
        self.second
    }
}

impl fmt::Display for LogTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}:{:02}", self.hour, self.minute, self.second)
    }
}

impl From<LogTime> for String {
    fn from(t: LogTime) -> String {
        t.to_string()
    }
}

impl TryFrom<String> for LogTime {
    type Error = String;
    fn try_from(s: String) -> Result<LogTime, String> {
        LogTime::parse(&s).ok_or_else(|| format!("`{s}` is not a time; expected HH:MM:SS"))
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for LogTime {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(LogTime {
            hour: u.int_in_range(0..=23)?,
            minute: u.int_in_range(0..=59)?,
            second: u.int_in_range(0..=59)?,
        })
    }
}

/// A run of at most four ASCII digits as a number.
fn digits(b: &[u8]) -> Option<u16> {
    (b.len() <= 4 && b.iter().all(u8::is_ascii_digit))
        .then(|| b.iter().fold(0, |n, d| n * 10 + u16::from(d - b'0')))
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}
