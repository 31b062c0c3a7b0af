//! Fractional indexing: order keys for playlist items, so inserting or moving an item writes
//! that one row and never renumbers the list.
//!
//! A key is a string over the 62 ASCII digits `0-9A-Za-z` (ordered as ASCII, so byte order,
//! `SQLite`'s BINARY collation and Rust's `str` order all agree). It reads as a number in base
//! 62 with an integer part and a fraction:
//!
//! - The **integer part** has a variable length announced by its first character: `a`..`z`
//!   head 2..27 characters (`a0`..`az`, then `b00`..`bzz`, ...), `Z`..`A` the same lengths
//!   downwards for keys before `a0`. Appending to a list increments it (`a0`, `a1`, ...), so
//!   a listener appending one track at a time for years keeps keys a few characters long.
//! - The **fraction** is a base-62 midpoint: between `a0` and `a1` lies `a0V`. Keys never end
//!   in `0`, so there is always room between two distinct keys. Inserting repeatedly at the
//!   same spot adds about one character per six inserts; past [`REBALANCE_LEN`] the caller
//!   rewrites the whole list with fresh short keys (rare, and the only time a list is
//!   renumbered).
//!
//! This is David Greenspan's scheme ("Implementing Fractional Indexing", 2020, also the npm
//! `fractional-indexing` package), ported to Rust. It lives in the model because both ends
//! order with it: the library's playlists on this computer, and the service's playlist blocks
//! in `DynamoDB`.

/// Why no key could be made: the keys given were not order keys, or not in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderKeyError(String);

impl std::fmt::Display for OrderKeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OrderKeyError {}

type Result<T> = std::result::Result<T, OrderKeyError>;

/// The digits in ascending order.
const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BASE: usize = DIGITS.len();
/// The key of the first item of a fresh list.
const INTEGER_ZERO: &str = "a0";
/// The smallest integer part (`A` and 26 zeros): not a valid key by itself, as nothing
/// could go before it.
const SMALLEST_INTEGER: &str = "A00000000000000000000000000";

/// Above this length a new key triggers a rebalance of its list. 48 characters is about 250
/// inserts at one and the same spot; key comparisons stay cheap well beyond that.
pub const REBALANCE_LEN: usize = 48;

/// A key strictly between `before` and `after` (`None` = the start / the end of the list).
pub fn key_between(before: Option<&str>, after: Option<&str>) -> Result<String> {
    if let Some(key) = before {
        validate(key)?;
    }
    if let Some(key) = after {
        validate(key)?;
    }
    let bytes = match (before.map(str::as_bytes), after.map(str::as_bytes)) {
        (None, None) => INTEGER_ZERO.as_bytes().to_vec(),
        (None, Some(b)) => {
            let (int_b, frac_b) = split(b);
            if int_b == SMALLEST_INTEGER.as_bytes() {
                [int_b, &midpoint(&[], Some(frac_b))].concat()
            } else if !frac_b.is_empty() {
                // The integer part alone sorts before the key it prefixes.
                int_b.to_vec()
            } else {
                decrement_integer(int_b).ok_or_else(|| exhausted("start"))?
            }
        }
        (Some(a), None) => {
            let (int_a, frac_a) = split(a);
            match increment_integer(int_a) {
                Some(next) => next,
                None => [int_a, &midpoint(frac_a, None)].concat(),
            }
        }
        (Some(a), Some(b)) => {
            if a >= b {
                return Err(OrderKeyError(format!(
                    "order keys out of order: {} >= {}",
                    String::from_utf8_lossy(a),
                    String::from_utf8_lossy(b)
                )));
            }
            let (int_a, frac_a) = split(a);
            let (int_b, frac_b) = split(b);
            if int_a == int_b {
                [int_a, &midpoint(frac_a, Some(frac_b))].concat()
            } else {
                let next = increment_integer(int_a).ok_or_else(|| exhausted("end"))?;
                if next.as_slice() < b {
                    next
                } else {
                    [int_a, &midpoint(frac_a, None)].concat()
                }
            }
        }
    };
    // Every digit is ASCII, so this cannot fail; an error rather than a panic all the same.
    String::from_utf8(bytes).map_err(|e| OrderKeyError(e.to_string()))
}

/// `count` ascending keys strictly between `before` and `after`, spread evenly (by bisection)
/// so that a bulk insert in the middle of a list grows keys by about log62(count) characters.
pub fn keys_between(
    before: Option<&str>,
    after: Option<&str>,
    count: usize,
) -> Result<Vec<String>> {
    match count {
        0 => return Ok(Vec::new()),
        1 => return Ok(vec![key_between(before, after)?]),
        _ => {}
    }
    if after.is_none() {
        // Appending: keep incrementing the integer part.
        let mut keys = Vec::with_capacity(count);
        let mut last = key_between(before, None)?;
        for _ in 1..count {
            let next = key_between(Some(&last), None)?;
            keys.push(std::mem::replace(&mut last, next));
        }
        keys.push(last);
        return Ok(keys);
    }
    if before.is_none() {
        let mut keys = Vec::with_capacity(count);
        let mut first = key_between(None, after)?;
        for _ in 1..count {
            let previous = key_between(None, Some(&first))?;
            keys.push(std::mem::replace(&mut first, previous));
        }
        keys.push(first);
        keys.reverse();
        return Ok(keys);
    }
    let half = count / 2;
    let middle = key_between(before, after)?;
    let mut keys = keys_between(before, Some(&middle), half)?;
    keys.push(middle.clone());
    keys.extend(keys_between(Some(&middle), after, count - half - 1)?);
    Ok(keys)
}

/// Whether `key` is a well-formed order key.
#[cfg(test)]
fn is_valid(key: &str) -> bool {
    validate(key).is_ok()
}

fn validate(key: &str) -> Result<()> {
    let bytes = key.as_bytes();
    let well_formed = !bytes.is_empty()
        && key != SMALLEST_INTEGER
        && integer_length(bytes[0]).is_some_and(|len| len <= bytes.len())
        && bytes[1..].iter().all(|&c| digit_value(c).is_some())
        && {
            let (_, fraction) = split(bytes);
            fraction.last() != Some(&b'0')
        };
    if well_formed {
        Ok(())
    } else {
        Err(OrderKeyError(format!("invalid order key {key:?}")))
    }
}

fn exhausted(end: &str) -> OrderKeyError {
    OrderKeyError(format!("no order key left at the {end} of the list"))
}

fn digit_value(digit: u8) -> Option<usize> {
    match digit {
        b'0'..=b'9' => Some(usize::from(digit - b'0')),
        b'A'..=b'Z' => Some(usize::from(digit - b'A') + 10),
        b'a'..=b'z' => Some(usize::from(digit - b'a') + 36),
        _ => None,
    }
}

/// The value of a digit already known to be one.
fn value(digit: u8) -> usize {
    digit_value(digit).expect("validated key")
}

/// Length of the integer part announced by its first character.
fn integer_length(head: u8) -> Option<usize> {
    match head {
        b'a'..=b'z' => Some(usize::from(head - b'a') + 2),
        b'A'..=b'Z' => Some(usize::from(b'Z' - head) + 2),
        _ => None,
    }
}

/// Splits a validated key into its integer part and its fraction.
fn split(key: &[u8]) -> (&[u8], &[u8]) {
    key.split_at(integer_length(key[0]).expect("validated key"))
}

/// A fraction strictly between fractions `a` and `b` (`None` = 1). Neither ends in `0`.
fn midpoint(a: &[u8], b: Option<&[u8]>) -> Vec<u8> {
    if let Some(b) = b {
        // Skip the common prefix, reading a missing digit of `a` as 0.
        let common = b
            .iter()
            .enumerate()
            .take_while(|&(i, &digit)| a.get(i).copied().unwrap_or(b'0') == digit)
            .count();
        if common > 0 {
            let rest_a = a.get(common..).unwrap_or_default();
            return [&b[..common], &midpoint(rest_a, Some(&b[common..]))].concat();
        }
    }
    let digit_a = a.first().map_or(0, |&d| value(d));
    let digit_b = b.map_or(BASE, |b| value(b[0]));
    if digit_b - digit_a > 1 {
        vec![DIGITS[(digit_a + digit_b).div_ceil(2)]]
    } else if let Some(b) = b.filter(|b| b.len() > 1) {
        // `b` is its first digit plus more; that first digit alone is smaller and > `a`.
        vec![b[0]]
    } else {
        // Adjacent digits: keep `a`'s and go one place deeper.
        [
            &[DIGITS[digit_a]],
            &midpoint(a.get(1..).unwrap_or_default(), None)[..],
        ]
        .concat()
    }
}

fn increment_integer(integer: &[u8]) -> Option<Vec<u8>> {
    let (head, digits) = (integer[0], &integer[1..]);
    let mut digits = digits.to_vec();
    let mut carry = true;
    for digit in digits.iter_mut().rev() {
        let next = value(*digit) + 1;
        if next == BASE {
            *digit = b'0';
        } else {
            *digit = DIGITS[next];
            carry = false;
            break;
        }
    }
    if !carry {
        return Some([&[head], &digits[..]].concat());
    }
    match head {
        b'Z' => Some(INTEGER_ZERO.as_bytes().to_vec()),
        b'z' => None,
        _ => {
            let head = head + 1;
            if head > b'a' {
                digits.push(b'0');
            } else {
                digits.pop();
            }
            Some([&[head], &digits[..]].concat())
        }
    }
}

fn decrement_integer(integer: &[u8]) -> Option<Vec<u8>> {
    let (head, digits) = (integer[0], &integer[1..]);
    let mut digits = digits.to_vec();
    let mut borrow = true;
    for digit in digits.iter_mut().rev() {
        let current = value(*digit);
        if current == 0 {
            *digit = DIGITS[BASE - 1];
        } else {
            *digit = DIGITS[current - 1];
            borrow = false;
            break;
        }
    }
    if !borrow {
        return Some([&[head], &digits[..]].concat());
    }
    match head {
        b'a' => Some(vec![b'Z', DIGITS[BASE - 1]]),
        b'A' => None,
        _ => {
            let head = head - 1;
            if head < b'Z' {
                digits.push(DIGITS[BASE - 1]);
            } else {
                digits.pop();
            }
            Some([&[head], &digits[..]].concat())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn between(a: Option<&str>, b: Option<&str>) -> String {
        let key = key_between(a, b).unwrap();
        assert!(is_valid(&key), "{key}");
        if let Some(a) = a {
            assert!(a < key.as_str(), "{a} < {key}");
        }
        if let Some(b) = b {
            assert!(key.as_str() < b, "{key} < {b}");
        }
        key
    }

    #[test]
    fn known_keys() {
        assert_eq!(between(None, None), "a0");
        assert_eq!(between(Some("a0"), None), "a1");
        assert_eq!(between(Some("az"), None), "b00");
        assert_eq!(between(None, Some("a0")), "Zz");
        assert_eq!(between(None, Some("b00")), "az");
        assert_eq!(between(Some("a0"), Some("a1")), "a0V");
        assert_eq!(between(Some("a0V"), Some("a1")), "a0l");
        assert_eq!(between(Some("a0"), Some("a0V")), "a0G");
        assert_eq!(between(Some("Zz"), Some("a0")), "ZzV");
        assert_eq!(between(Some("a1"), Some("a3")), "a2");
    }

    #[test]
    fn malformed_keys_are_rejected() {
        for key in ["", "a", "a00", "a0-", "!x", SMALLEST_INTEGER, "a0 "] {
            assert!(!is_valid(key), "{key:?}");
            assert!(key_between(Some(key), None).is_err(), "{key:?}");
        }
        assert!(key_between(Some("a1"), Some("a0")).is_err());
        assert!(key_between(Some("a1"), Some("a1")).is_err());
    }

    #[test]
    fn appends_stay_short() {
        let keys = keys_between(None, None, 10_000).unwrap();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        assert!(keys.iter().all(|k| k.len() <= 4), "{:?}", keys.last());
        let prepends = keys_between(None, Some("a0"), 1_000).unwrap();
        assert!(prepends.windows(2).all(|w| w[0] < w[1]));
        assert!(prepends.last().unwrap().as_str() < "a0");
    }

    #[test]
    fn bulk_insert_between_neighbours_is_sorted_and_short() {
        let keys = keys_between(Some("a0"), Some("a1"), 500).unwrap();
        assert_eq!(keys.len(), 500);
        assert!(keys.first().unwrap().as_str() > "a0");
        assert!(keys.last().unwrap().as_str() < "a1");
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        assert!(keys.iter().all(|k| is_valid(k) && k.len() <= 6));
    }

    #[test]
    fn inserting_at_one_spot_grows_about_one_char_per_six() {
        // Always insert right after the first key: the worst case for fraction growth.
        let first = between(None, None);
        let mut next = between(Some(&first), None);
        for _ in 0..300 {
            next = between(Some(&first), Some(&next));
        }
        assert!((45..=60).contains(&next.len()), "{}", next.len());
    }

    #[test]
    fn random_bisection_keeps_a_total_order() {
        // A deterministic xorshift, so a failure reproduces.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut random = move |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % bound as u64).unwrap()
        };
        let mut keys: Vec<String> = vec![between(None, None)];
        for _ in 0..5_000 {
            let at = random(keys.len() + 1);
            let before = at.checked_sub(1).map(|i| keys[i].as_str());
            let after = keys.get(at).map(String::as_str);
            let key = between(before, after);
            keys.insert(at, key);
        }
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
    }
}
