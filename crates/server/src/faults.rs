//! Misbehaviour on purpose: `--faults 429=0.1,500=0.05,reset=0.02,
//! truncate=0.02,stall=0.01` and `--latency MS`, for resilience tests and
//! for trying the UI on a bad network. Each request draws one fault (or
//! none) with the given probabilities. Tests can also queue exact faults
//! for the next requests (`POST /v1/_demo/faults`, [`Scripted`]).

use std::fmt;
use std::time::Duration;

/// One kind of failure the server can inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// An HTTP error status with a JSON error body (429 carries
    /// `Retry-After`).
    Status(u16),
    /// The connection is dropped before any response.
    Reset,
    /// Headers promise the whole body; half of it is sent, then the
    /// connection closes.
    Truncate,
    /// Part of the body is sent, then nothing for a long time.
    Stall,
    /// `Range` and `If-Range` are ignored: a range request gets the whole
    /// file with 200, as some servers and proxies do.
    IgnoreRange,
    /// 403 as for an expired signed link.
    Expire,
    /// Nothing is read or answered for a long time ([`STALL`]): the
    /// request stays in flight (an upload's part the client must drop).
    Hold,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Status(s) => write!(f, "{s}"),
            Fault::Reset => f.write_str("reset"),
            Fault::Truncate => f.write_str("truncate"),
            Fault::Stall => f.write_str("stall"),
            Fault::IgnoreRange => f.write_str("ignore-range"),
            Fault::Expire => f.write_str("expire"),
            Fault::Hold => f.write_str("hold"),
        }
    }
}

/// The parsed `--faults` specification.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultSpec {
    pub rates: Vec<(Fault, f64)>,
}

impl FaultSpec {
    /// Parses `KIND=RATE,...` where KIND is an HTTP status (400..=599),
    /// `reset`, `truncate`, `stall`, `ignore-range`, `expire` or `hold`, and RATE a
    /// probability. The rates must add up to at most 1.
    pub fn parse(spec: &str) -> Result<FaultSpec, String> {
        let mut rates = Vec::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (kind, rate) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}`: expected KIND=RATE, e.g. 429=0.1"))?;
            let fault = parse_kind(kind.trim())?;
            let rate: f64 = rate
                .trim()
                .parse()
                .ok()
                .filter(|r: &f64| (0.0..=1.0).contains(r))
                .ok_or_else(|| format!("`{part}`: the rate must be a number from 0 to 1"))?;
            rates.push((fault, rate));
        }
        let total: f64 = rates.iter().map(|(_, r)| r).sum();
        if total > 1.0 + 1e-9 {
            return Err(format!("the fault rates add up to {total}, more than 1"));
        }
        Ok(FaultSpec { rates })
    }

    pub fn is_empty(&self) -> bool {
        self.rates.iter().all(|(_, r)| *r == 0.0)
    }

    /// Draws the fault for one request, from a uniform sample in 0..1.
    pub fn pick(&self, sample: f64) -> Option<Fault> {
        let mut acc = 0.0;
        for (fault, rate) in &self.rates {
            acc += rate;
            if sample < acc {
                return Some(*fault);
            }
        }
        None
    }
}

fn parse_kind(s: &str) -> Result<Fault, String> {
    Ok(match s {
        "reset" => Fault::Reset,
        "truncate" => Fault::Truncate,
        "stall" => Fault::Stall,
        "ignore-range" => Fault::IgnoreRange,
        "expire" => Fault::Expire,
        "hold" => Fault::Hold,
        s => match s.parse::<u16>() {
            Ok(code) if (400..=599).contains(&code) => Fault::Status(code),
            _ => {
                return Err(format!(
                    "`{s}`: a fault is an HTTP status 400-599, reset, truncate, stall, \
                     ignore-range, expire or hold"
                ))
            }
        },
    })
}

/// A fault queued for the next request whose path starts with `prefix`.
#[derive(Debug, Clone, PartialEq)]
pub struct Scripted {
    pub fault: Fault,
    /// For `truncate`, `stall` and `reset`: the body bytes sent first
    /// (default: half of the body for truncate and stall; none for reset).
    pub at: Option<u64>,
    pub prefix: String,
}

impl Scripted {
    /// Parses `KIND` or `KIND@BYTES`, e.g. `truncate@65536`, `429`,
    /// `expire`, `ignore-range`, `reset@1000`.
    pub fn parse(s: &str, prefix: &str) -> Result<Scripted, String> {
        let (kind, at) = match s.trim().split_once('@') {
            Some((k, n)) => (
                k,
                Some(
                    n.trim()
                        .parse::<u64>()
                        .map_err(|_| format!("`{s}`: expected KIND@BYTES"))?,
                ),
            ),
            None => (s.trim(), None),
        };
        let fault = parse_kind(kind)?;
        if at.is_some() && !matches!(fault, Fault::Truncate | Fault::Stall | Fault::Reset) {
            return Err(format!("`{s}`: only truncate, stall and reset take @BYTES"));
        }
        Ok(Scripted {
            fault,
            at,
            prefix: prefix.to_string(),
        })
    }
}

/// What `--latency` adds to every request.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Latency(pub Duration);

/// How long a stalled response stays silent: longer than any client read
/// timeout we use, shorter than forever.
pub const STALL: Duration = Duration::from_secs(120);

/// What a 429 fault asks the client to wait, in seconds.
pub const RETRY_AFTER_SECS: u64 = 1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let s = FaultSpec::parse("429=0.1,500=0.05,reset=0.02,truncate=0.02,stall=0.01").unwrap();
        assert_eq!(s.rates.len(), 5);
        assert_eq!(s.pick(0.05), Some(Fault::Status(429)));
        assert_eq!(s.pick(0.12), Some(Fault::Status(500)));
        assert_eq!(s.pick(0.16), Some(Fault::Reset));
        assert_eq!(s.pick(0.18), Some(Fault::Truncate));
        assert_eq!(s.pick(0.195), Some(Fault::Stall));
        assert_eq!(s.pick(0.5), None);
    }

    #[test]
    fn rejects_nonsense() {
        assert!(FaultSpec::parse("429").is_err());
        assert!(FaultSpec::parse("200=0.1").is_err());
        assert!(FaultSpec::parse("reset=2").is_err());
        assert!(FaultSpec::parse("500=0.7,503=0.7").is_err());
        assert!(FaultSpec::parse("").unwrap().is_empty());
    }

    #[test]
    fn scripted_forms() {
        let s = Scripted::parse("truncate@100", "/v1/files/").unwrap();
        assert_eq!((s.fault, s.at), (Fault::Truncate, Some(100)));
        assert_eq!(
            Scripted::parse("ignore-range", "/").unwrap().fault,
            Fault::IgnoreRange
        );
        assert_eq!(
            Scripted::parse("503", "/").unwrap().fault,
            Fault::Status(503)
        );
        assert!(Scripted::parse("429@3", "/").is_err());
        assert!(Scripted::parse("melt", "/").is_err());
    }
}
