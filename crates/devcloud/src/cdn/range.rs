//! Single byte ranges (RFC 9110 §14): `bytes=a-b`, `bytes=a-`, `bytes=-n`.
//!
//! Multi-range requests and unknown units are ignored (a full 200), which RFC 9110 allows and
//! which CloudFront does for multipart ranges it will not serve.

/// What to send for a `Range` header and a file of `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ranged {
    /// No usable range: send everything with 200.
    Full,
    /// Send bytes `start..=end` with 206.
    Partial { start: u64, end: u64 },
    /// 416 with `Content-Range: bytes */len`.
    Unsatisfiable,
}

/// Interprets a `Range` header value.
#[must_use]
pub fn parse(header: Option<&str>, len: u64) -> Ranged {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Ranged::Full;
    };
    let spec = spec.trim();
    if spec.contains(',') {
        return Ranged::Full;
    }
    let Some((first, last)) = spec.split_once('-') else {
        return Ranged::Full;
    };
    let (first, last) = (first.trim(), last.trim());
    let number = |s: &str| s.parse::<u64>().ok();
    match (first.is_empty(), last.is_empty()) {
        // bytes=-n: the last n bytes.
        (true, false) => match number(last) {
            Some(0) => Ranged::Unsatisfiable,
            Some(_) if len == 0 => Ranged::Unsatisfiable,
            Some(n) => Ranged::Partial {
                start: len.saturating_sub(n),
                end: len - 1,
            },
            None => Ranged::Full,
        },
        // bytes=a-: from a to the end.
        (false, true) => match number(first) {
            Some(start) if start >= len => Ranged::Unsatisfiable,
            Some(start) => Ranged::Partial {
                start,
                end: len - 1,
            },
            None => Ranged::Full,
        },
        // bytes=a-b
        (false, false) => match (number(first), number(last)) {
            (Some(start), Some(end)) if start > end => Ranged::Full,
            (Some(start), Some(_)) if start >= len => Ranged::Unsatisfiable,
            (Some(start), Some(end)) => Ranged::Partial {
                start,
                end: end.min(len - 1),
            },
            _ => Ranged::Full,
        },
        (true, true) => Ranged::Full,
    }
}

#[cfg(test)]
mod tests {
    use super::Ranged::{Full, Partial, Unsatisfiable};
    use super::parse;

    #[test]
    fn closed_ranges_clamp_to_the_end() {
        assert_eq!(
            parse(Some("bytes=0-99"), 1000),
            Partial { start: 0, end: 99 }
        );
        assert_eq!(
            parse(Some("bytes=990-2000"), 1000),
            Partial {
                start: 990,
                end: 999
            }
        );
        assert_eq!(parse(Some("bytes=5-5"), 1000), Partial { start: 5, end: 5 });
    }

    #[test]
    fn open_and_suffix_ranges() {
        assert_eq!(
            parse(Some("bytes=100-"), 1000),
            Partial {
                start: 100,
                end: 999
            }
        );
        assert_eq!(
            parse(Some("bytes=-100"), 1000),
            Partial {
                start: 900,
                end: 999
            }
        );
        assert_eq!(
            parse(Some("bytes=-5000"), 1000),
            Partial { start: 0, end: 999 }
        );
    }

    #[test]
    fn unsatisfiable_ranges() {
        assert_eq!(parse(Some("bytes=1000-"), 1000), Unsatisfiable);
        assert_eq!(parse(Some("bytes=1000-1001"), 1000), Unsatisfiable);
        assert_eq!(parse(Some("bytes=-0"), 1000), Unsatisfiable);
        assert_eq!(parse(Some("bytes=0-"), 0), Unsatisfiable);
        assert_eq!(parse(Some("bytes=-1"), 0), Unsatisfiable);
    }

    #[test]
    fn ignored_ranges_serve_everything() {
        assert_eq!(parse(None, 1000), Full);
        assert_eq!(parse(Some("items=0-1"), 1000), Full);
        assert_eq!(parse(Some("bytes=0-1,5-6"), 1000), Full);
        assert_eq!(parse(Some("bytes=9-1"), 1000), Full);
        assert_eq!(parse(Some("bytes=x-1"), 1000), Full);
        assert_eq!(parse(Some("bytes=-"), 1000), Full);
    }
}
