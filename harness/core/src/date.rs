//! Calendar arithmetic without a date crate: days since 1970-01-01 to a proleptic Gregorian date
//! and back (Howard Hinnant's `days_from_civil` / `civil_from_days`). The one date helper of the
//! core and of the binary: the access log's date, RFC 3339 report times, log timestamps.

/// Days from 1970-01-01 to a date on or after it.
pub fn days_from_civil(year: u16, month: u8, day: u8) -> Option<u64> {
    let (y, m, d) = (i64::from(year), i64::from(month), i64::from(day));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    u64::try_from(era * 146_097 + doe - 719_468).ok()
}

/// The date (year, month, day) `days` after 1970-01-01.
pub fn civil_from_days(days: u64) -> (u32, u8, u8) {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as u32;
    (year, month, day)
}

/// Seconds since the epoch as (year, month, day, hour, minute, second) in UTC.
pub fn utc_fields(secs: u64) -> (u32, u8, u8, u8, u8, u8) {
    let (y, m, d) = civil_from_days(secs / 86_400);
    let rem = secs % 86_400;
    (
        y,
        m,
        d,
        (rem / 3600) as u8,
        (rem / 60 % 60) as u8,
        (rem % 60) as u8,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_dates_are_inverse() {
        assert_eq!(days_from_civil(1970, 1, 1), Some(0));
        assert_eq!(days_from_civil(2000, 3, 1), Some(11_017));
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        for days in (0..200_000).step_by(37) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y as u16, m, d), Some(days));
        }
        // 2019-12-04 21:02:31 UTC, the sample line in AWS's documentation.
        assert_eq!(utc_fields(1_575_493_351), (2019, 12, 4, 21, 2, 31));
    }
}
