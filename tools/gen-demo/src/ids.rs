//! Stable ids and dates: no clock, everything derived from labels.

use fastrand::Rng;

pub fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A stable id: `prefix` + 22 base62 characters derived from `label`.
pub fn make_id(prefix: &str, label: &str) -> String {
    const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut rng = Rng::with_seed(fnv(label));
    let body: String = (0..22).map(|_| B62[rng.usize(0..62)] as char).collect();
    format!("{prefix}{body}")
}

pub const HOUR: i64 = 3_600_000;
pub const DAY: i64 = 24 * HOUR;

/// Milliseconds since the epoch for a UTC date.
pub fn ms(y: i64, m: i64, d: i64, h: i64) -> i64 {
    // days from civil (Howard Hinnant)
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) * DAY + h * HOUR
}

pub fn iso(t: i64) -> String {
    let days = t.div_euclid(DAY);
    let rem = t.rem_euclid(DAY);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / HOUR,
        rem % HOUR / 60_000,
        rem % 60_000 / 1000,
        rem % 1000
    )
}

pub fn aspect(w: u32, h: u32) -> String {
    pub fn gcd(a: u32, b: u32) -> u32 {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    let g = gcd(w, h);
    format!("{}:{}", w / g, h / g)
}
