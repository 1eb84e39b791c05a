//! A field's text as the value an [`Entry`] holds: numbers, the status, and the time of the
//! response from `timestamp`, `timestamp(ms)` or `date` with `time`.

use super::{show, Entry, Field};
use crate::accesslog::Status;

/// `date` and `time` arrive apart.
#[derive(Default)]
pub(super) struct Parts {
    date: Option<crate::accesslog::LogDate>,
    time: Option<crate::accesslog::LogTime>,
}

impl Parts {
    pub(super) fn finish(self, e: &mut Entry) {
        if e.time_ms.is_none() {
            if let (Some(d), Some(t)) = (self.date, self.time) {
                let secs =
                    u64::from(t.hour()) * 3600 + u64::from(t.minute()) * 60 + u64::from(t.second());
                e.time_ms = days_from_civil(d.year(), d.month(), d.day())
                    .map(|days| (days * 86_400 + secs) * 1000);
            }
        }
    }
}

/// Sets one field from its unescaped text; `-` and the empty text leave it `None`.
pub(super) fn set(e: &mut Entry, parts: &mut Parts, f: Field, v: &str) -> Result<(), String> {
    if v.is_empty() || v == "-" {
        return Ok(());
    }
    let text = || Some(v.to_string());
    let number = |what: &str| {
        (v.bytes().all(|b| b.is_ascii_digit()))
            .then(|| v.parse::<u64>().ok())
            .flatten()
            .ok_or_else(|| format!("`{}` is not {what}; expected decimal digits", show(v)))
    };
    match f {
        Field::Date => {
            parts.date = Some(
                crate::accesslog::LogDate::parse(v)
                    .ok_or_else(|| format!("`{}` is not a date; expected YYYY-MM-DD", show(v)))?,
            )
        }
        Field::Time => {
            parts.time = Some(
                crate::accesslog::LogTime::parse(v)
                    .ok_or_else(|| format!("`{}` is not a time; expected HH:MM:SS", show(v)))?,
            )
        }
        Field::Timestamp => {
            e.time_ms = Some(epoch_seconds(v).ok_or_else(|| {
                format!(
                    "`{}` is not a timestamp; expected seconds since 1970 like `1731620046.814`",
                    show(v)
                )
            })?)
        }
        Field::TimestampMs => e.time_ms = Some(number("a timestamp in milliseconds")?),
        Field::RequestId => e.request_id = text(),
        Field::Method => e.method = text(),
        Field::Protocol => e.protocol = text(),
        Field::UriStem => e.uri_stem = text(),
        Field::UriQuery => e.uri_query = text(),
        Field::Status => {
            e.status = Some(Status::parse(v).map(Status::get).ok_or_else(|| {
                format!("`{}` is not a status code; expected three digits", show(v))
            })?)
        }
        Field::ResultType => e.result_type = text(),
        Field::DetailedResultType => e.detailed_result_type = text(),
        Field::ScBytes => e.sc_bytes = Some(number("a byte count")?),
        Field::CsBytes => e.cs_bytes = Some(number("a byte count")?),
    }
    Ok(())
}

/// `S` or `S.f…` (up to three decimals) seconds since the epoch, to milliseconds.
pub(super) fn epoch_seconds(s: &str) -> Option<u64> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 3 {
        return None;
    }
    let millis = if frac.is_empty() {
        0
    } else {
        frac.parse::<u64>().ok()? * 10u64.pow(3 - frac.len() as u32)
    };
    whole
        .parse::<u64>()
        .ok()?
        .checked_mul(1000)?
        .checked_add(millis)
}

pub(super) use crate::date::days_from_civil;
