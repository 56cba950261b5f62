//! The logs' clock: RFC 3339 UTC to the microsecond, as `tracing-subscriber`'s default timer
//! writes it, with the date and time of day made once a second per thread instead of on every
//! line (the access log writes one per request).

use std::{
    cell::RefCell,
    fmt,
    time::{SystemTime, UNIX_EPOCH},
};

use tracing_subscriber::fmt::{format::Writer, time::FormatTime};

/// RFC 3339 UTC to the microsecond, e.g. `2026-12-07T17:09:44.366949Z`.
pub struct UtcClock;

thread_local! {
    /// The last second this thread wrote, as `YYYY-MM-DDTHH:MM:SS`.
    static SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

impl FormatTime for UtcClock {
    fn format_time(&self, w: &mut Writer<'_>) -> fmt::Result {
        write_now(w)
    }
}

/// Writes the current time to `w`.
pub fn write_now(w: &mut impl fmt::Write) -> fmt::Result {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = now.as_secs();
    SECOND.with_borrow_mut(|(cached, text)| {
        if *cached != seconds {
            *cached = seconds;
            *text = date_and_time(seconds);
        }
        w.write_str(text)
    })?;
    let mut fraction = *b".000000Z";
    let mut micros = now.subsec_micros();
    for place in fraction[1..7].iter_mut().rev() {
        *place = b'0' + u8::try_from(micros % 10).unwrap_or(0);
        micros /= 10;
    }
    w.write_str(std::str::from_utf8(&fraction).unwrap_or(".000000Z"))
}

fn date_and_time(unix_seconds: u64) -> String {
    let Ok(at) = i64::try_from(unix_seconds)
        .map_err(|_| ())
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).map_err(|_| ()))
    else {
        return unix_seconds.to_string();
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_writes_rfc_3339_utc_as_the_default_timer_did() {
        assert_eq!(date_and_time(0), "1970-01-01T00:00:00");
        assert_eq!(date_and_time(1_796_663_384), "2026-12-07T17:09:44");
    }
}
