//! Calendar dates and ISO-8601 timestamps, through the `time` crate: the
//! one place that knows which days exist (2024-02-29 does, 2025-02-29 and
//! 2026-02-31 do not). Shared by the app's date filter, the server's
//! `createdAfter`/`createdBefore` and its filter date literals, and the
//! server's own timestamps.
//!
//! Accepted forms: `YYYY-MM-DD`, and `YYYY-MM-DDTHH:MM[:SS[.fraction]]`
//! followed by `Z` or `±HH:MM` (`T` and `Z` in either case; no offset
//! means UTC). Errors are one line, phrased for the user, and quote the
//! input (control characters escaped).

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// A date or timestamp that is not one, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateError(String);

impl std::fmt::Display for DateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DateError {}

/// `text` for a message: one line, at most 40 chars.
fn shown(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == 40 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A calendar date written `YYYY-MM-DD` (surrounding blanks ignored).
pub fn parse_date(text: &str) -> Result<Date, DateError> {
    let t = text.trim();
    let not_a_date = |why: &str| DateError(format!("`{}` is not a date: {why}", shown(t)));
    let b = t.as_bytes();
    let fields = (b.len() == 10 && b[4] == b'-' && b[7] == b'-')
        .then(|| (digits(&t[..4]), digits(&t[5..7]), digits(&t[8..10])));
    let Some((Some(y), Some(m), Some(d))) = fields else {
        return Err(not_a_date("write YYYY-MM-DD"));
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(not_a_date("month 01-12, day 01-31"));
    }
    let month = u8::try_from(m)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(|| not_a_date("month 01-12, day 01-31"))?;
    let year = i32::try_from(y).map_err(|_| not_a_date("write YYYY-MM-DD"))?;
    Date::from_calendar_date(year, month, d as u8).map_err(|_| {
        not_a_date(&format!(
            "{month} {year} has {} days",
            time::util::days_in_month(month, year)
        ))
    })
}

/// A date (`YYYY-MM-DD`, midnight UTC) or a timestamp
/// (`YYYY-MM-DDTHH:MM[:SS[.fraction]][Z|±HH:MM]`).
pub fn parse_datetime(text: &str) -> Result<OffsetDateTime, DateError> {
    let t = text.trim();
    let (day, rest) = match t.get(..10) {
        Some(day) => (day, &t[10..]),
        None => (t, ""),
    };
    let date = parse_date(day).map_err(|e| {
        if rest.is_empty() {
            e
        } else {
            // the message quotes the whole input, not only its date part
            DateError(e.0.replacen(&shown(day), &shown(t), 1))
        }
    })?;
    if rest.is_empty() {
        return Ok(date.midnight().assume_utc());
    }
    let bad_time = || {
        DateError(format!(
            "`{}` is not a timestamp: write YYYY-MM-DDTHH:MM:SS, then Z or an offset \
             such as +02:00",
            shown(t)
        ))
    };
    let rest = rest.strip_prefix(['T', 't']).ok_or_else(bad_time)?;
    // the offset: Z, ±HH:MM, or nothing (UTC)
    let (clock, offset) = if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        (clock, UtcOffset::UTC)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let (clock, off) = rest.split_at(i);
        let sign: i8 = if off.starts_with('-') { -1 } else { 1 };
        let (h, m) = off[1..].split_once(':').ok_or_else(bad_time)?;
        let (h, m) = (
            digits(h).ok_or_else(bad_time)?,
            digits(m).ok_or_else(bad_time)?,
        );
        if off.len() != 6 {
            return Err(bad_time());
        }
        let offset =
            UtcOffset::from_hms(sign * h as i8, sign * m as i8, 0).map_err(|_| bad_time())?;
        (clock, offset)
    } else {
        (rest, UtcOffset::UTC)
    };
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, f)) => (hms, Some(f)),
        None => (clock, None),
    };
    let parts: Vec<&str> = hms.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts.iter().any(|p| p.len() != 2)
        || (fraction.is_some() && parts.len() != 3)
    {
        return Err(bad_time());
    }
    let n = |i: usize| parts.get(i).map_or(Some(0), |p| digits(p));
    let (Some(h), Some(mi), Some(s)) = (n(0), n(1), n(2)) else {
        return Err(bad_time());
    };
    let nanos = match fraction {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 9 => {
            digits(f).ok_or_else(bad_time)? * 10u32.pow(9 - f.len() as u32)
        }
        Some(_) => return Err(bad_time()),
    };
    let time = Time::from_hms_nano(h as u8, mi as u8, s as u8, nanos).map_err(|_| {
        DateError(format!(
            "`{}` is not a timestamp: hours 00-23, minutes and seconds 00-59",
            shown(t)
        ))
    })?;
    Ok(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

/// Milliseconds since 1970-01-01T00:00:00Z of an ISO-8601 timestamp or date.
pub fn millis_from_iso(text: &str) -> Option<i64> {
    let t = parse_datetime(text).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// A timestamp as the API writes them: `2025-01-16T11:19:41.579Z` (UTC,
/// milliseconds).
pub fn iso(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Milliseconds since the epoch as the API writes timestamps (the epoch
/// itself for a value out of the calendar's range).
pub fn iso_from_millis(ms: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    iso(t)
}

/// A timestamp or date in the API's form (`2025-01-16T11:19:41.579Z`),
/// for comparing with the timestamps the API writes.
pub fn canonical(text: &str) -> Result<String, DateError> {
    parse_datetime(text).map(iso)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn err(text: &str) -> String {
        match parse_datetime(text) {
            Ok(t) => panic!("{text:?} should be refused, parsed as {t}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn days_that_do_not_exist_are_refused() {
        assert_eq!(
            parse_date("2026-02-31").map_err(|e| e.to_string()),
            Err("`2026-02-31` is not a date: February 2026 has 28 days".to_string())
        );
        assert_eq!(
            parse_date("2025-02-29").map_err(|e| e.to_string()),
            Err("`2025-02-29` is not a date: February 2025 has 28 days".to_string())
        );
        assert!(parse_date("2025-04-31").is_err());
        assert!(parse_date("2024-02-29").is_ok());
        assert!(parse_date(" 2000-02-29 ").is_ok());
        assert!(parse_date("1900-02-29").is_err());
        assert_eq!(
            err("2026-02-31T10:00:00Z"),
            "`2026-02-31T10:00:00Z` is not a date: February 2026 has 28 days"
        );
    }

    #[test]
    fn shapes_and_ranges() {
        for bad in [
            "",
            "2026",
            "2026-1-01",
            "26-01-01",
            "2026/01/01",
            "2026-01-0x",
        ] {
            assert!(
                parse_date(bad)
                    .unwrap_err()
                    .to_string()
                    .ends_with("write YYYY-MM-DD"),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse_date("2026-13-45").unwrap_err().to_string(),
            "`2026-13-45` is not a date: month 01-12, day 01-31"
        );
        assert!(parse_date("2026-00-10").is_err());
        assert!(parse_date("2026-01-00").is_err());
        assert!(err("2026-01-01T25:00:00Z").contains("hours 00-23"));
        assert!(err("2026-01-01T10:60Z").contains("not a timestamp"));
        assert!(err("2026-01-01 10:00").contains("not a timestamp"));
        assert!(err("2026-01-01T10").contains("not a timestamp"));
        assert!(err("2026-01-01T10:00:00.Z").contains("not a timestamp"));
        assert!(err("2026-01-01T10:00:00+2").contains("not a timestamp"));
        assert!(err("2026-01-01T10:00:00+02:00x").contains("not a timestamp"));
        assert!(err("2026-01-01\u{1b}[31m").contains("\\u{1b}"));
    }

    #[test]
    fn timestamps_round_trip_through_millis() {
        assert_eq!(iso_from_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            iso_from_millis(1_737_026_381_579),
            "2025-01-16T11:19:41.579Z"
        );
        assert_eq!(
            millis_from_iso("2025-01-16T11:19:41.579Z"),
            Some(1_737_026_381_579)
        );
        assert_eq!(
            millis_from_iso("2025-01-16t13:19:41.579+02:00"),
            Some(1_737_026_381_579)
        );
        assert_eq!(
            millis_from_iso("2025-01-16T11:19Z"),
            Some(1_737_026_340_000)
        );
        assert_eq!(millis_from_iso("1970-01-02"), Some(86_400_000));
        assert_eq!(millis_from_iso("2025-02-29T00:00:00Z"), None);
        assert_eq!(
            canonical("2024-02-29").as_deref(),
            Ok("2024-02-29T00:00:00.000Z")
        );
        assert_eq!(
            canonical("2024-12-31T23:30:00-01:00").as_deref(),
            Ok("2025-01-01T00:30:00.000Z")
        );
    }
}
