//! Searching what an app left on disk for secrets it was handed, byte for byte.
//!
//! A secret can sit in a file in many shapes: as typed, in a URL (percent-encoded), in JSON
//! (escaped), in a browser's storage (UTF-16), inside base64 (a cookie, a JWT, a blob) at any
//! of three alignments, or as hex. [`SecretScan`] looks for every one of those shapes of every
//! secret in every file under the folders given, text or binary (`SQLite` pages, WAL files,
//! `WebKit` storage), with one Aho-Corasick pass per file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use aho_corasick::AhoCorasick;
use anyhow::{Context, Result};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

/// Shorter shapes are left out: they could match by chance.
const MIN_FORM_LEN: usize = 12;

/// One shape of one secret.
#[derive(Debug, Clone)]
struct Form {
    secret: String,
    shape: &'static str,
}

/// A shape of a secret found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub file: PathBuf,
    /// What the secret is, as the test named it (e.g. "refresh token").
    pub secret: String,
    /// How it was written (e.g. "percent-encoded").
    pub shape: &'static str,
    pub offset: usize,
}

impl std::fmt::Display for Hit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}) in {} at byte {}",
            self.secret,
            self.shape,
            self.file.display(),
            self.offset
        )
    }
}

/// The secrets to look for, and every shape of them.
#[allow(missing_debug_implementations)] // the automaton's Debug would print every secret
pub struct SecretScan {
    forms: Vec<Form>,
    matcher: AhoCorasick,
}

impl SecretScan {
    /// `secrets` as (what it is, value). Values shorter than 12 bytes are refused: a scan for
    /// them would find them by chance.
    pub fn new<'a>(secrets: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self> {
        let mut forms = Vec::new();
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        for (what, value) in secrets {
            anyhow::ensure!(
                value.len() >= MIN_FORM_LEN,
                "{what} is too short to search for ({} bytes)",
                value.len()
            );
            for (shape, bytes) in shapes(value) {
                if bytes.len() >= MIN_FORM_LEN && !patterns.contains(&bytes) {
                    forms.push(Form {
                        secret: what.to_owned(),
                        shape,
                    });
                    patterns.push(bytes);
                }
            }
        }
        let matcher = AhoCorasick::new(&patterns).context("building the secret matcher")?;
        Ok(Self { forms, matcher })
    }

    /// How many shapes are searched for in all.
    #[must_use]
    pub fn shape_count(&self) -> usize {
        self.forms.len()
    }

    /// Every shape of every secret in `bytes`.
    #[must_use]
    pub fn find_in(&self, file: &Path, bytes: &[u8]) -> Vec<Hit> {
        self.matcher
            .find_overlapping_iter(bytes)
            .map(|m| {
                let form = &self.forms[m.pattern().as_usize()];
                Hit {
                    file: file.to_owned(),
                    secret: form.secret.clone(),
                    shape: form.shape,
                    offset: m.start(),
                }
            })
            .collect()
    }

    /// Searches every file under each of `roots` (a root may be a file); returns the hits and
    /// the files read.
    pub fn scan(&self, roots: &[PathBuf]) -> Result<(Vec<Hit>, Vec<PathBuf>)> {
        let mut hits = Vec::new();
        let mut files = Vec::new();
        for root in roots {
            for file in files_under(root)? {
                // A file the app removed meanwhile (a WAL at checkpoint) is simply gone.
                let bytes = match std::fs::read(&file) {
                    Ok(bytes) => bytes,
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(err) => {
                        return Err(err).with_context(|| format!("reading {}", file.display()));
                    }
                };
                hits.extend(self.find_in(&file, &bytes));
                files.push(file);
            }
        }
        Ok((hits, files))
    }
}

/// Every regular file under `root` (itself, if it is one); symbolic links are not followed.
pub fn files_under(root: &Path) -> Result<Vec<PathBuf>> {
    let meta = match std::fs::symlink_metadata(root) {
        Ok(meta) => meta,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err).with_context(|| format!("reading {}", root.display())),
    };
    if meta.is_file() {
        return Ok(vec![root.to_owned()]);
    }
    let mut files = Vec::new();
    if meta.is_dir() {
        for entry in
            std::fs::read_dir(root).with_context(|| format!("listing {}", root.display()))?
        {
            files.extend(files_under(&entry?.path())?);
        }
    }
    Ok(files)
}

/// The shapes `value` can take in a file, as (name, bytes); duplicates are dropped later.
fn shapes(value: &str) -> Vec<(&'static str, Vec<u8>)> {
    let mut shapes = vec![
        ("as is", value.as_bytes().to_vec()),
        (
            "percent-encoded",
            percent_encode(value, b"-._~", false).into_bytes(),
        ),
        (
            "percent-encoded, all",
            percent_encode(value, b"", false).into_bytes(),
        ),
        (
            "form-encoded",
            percent_encode(value, b"-._*", true).into_bytes(),
        ),
        ("JSON-escaped", json_escape(value).into_bytes()),
        ("hex", hex::encode(value).into_bytes()),
        ("HEX", hex::encode_upper(value).into_bytes()),
        (
            "UTF-16LE",
            value.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        ),
        (
            "UTF-16BE",
            value.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        ),
    ];
    for shift in 0..3 {
        shapes.push(("base64", base64_core(value.as_bytes(), shift, false)));
        shapes.push(("base64url", base64_core(value.as_bytes(), shift, true)));
    }
    // A JWT's signature is what makes it a credential: found alone, it is a leak too.
    let parts: Vec<&str> = value.split('.').collect();
    if parts.len() == 3 && parts[2].len() >= 32 {
        shapes.push(("JWT signature", parts[2].as_bytes().to_vec()));
    }
    shapes
}

/// The base64 characters that depend only on `bytes` when they start `shift` bytes into a
/// longer encoded run: whatever came before or after, these characters are in the encoding.
fn base64_core(bytes: &[u8], shift: usize, url_safe: bool) -> Vec<u8> {
    let mut padded = vec![0u8; shift];
    padded.extend_from_slice(bytes);
    let encoded = if url_safe {
        URL_SAFE_NO_PAD.encode(&padded)
    } else {
        STANDARD_NO_PAD.encode(&padded)
    };
    // Character i holds bits [6i, 6i + 6); keep those wholly inside the value's bits.
    let first = (shift * 8).div_ceil(6);
    let end = ((shift + bytes.len()) * 8) / 6;
    encoded.as_bytes()[first..end.max(first)].to_vec()
}

fn percent_encode(value: &str, keep: &[u8], plus_for_space: bool) -> String {
    let mut out = String::new();
    for &byte in value.as_bytes() {
        if byte.is_ascii_alphanumeric() || keep.contains(&byte) {
            out.push(char::from(byte));
        } else if plus_for_space && byte == b' ' {
            out.push('+');
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// As `serde_json` writes a string's inside, plus the `\/` some encoders write for `/`.
fn json_escape(value: &str) -> String {
    let quoted = serde_json::to_string(value).unwrap_or_default();
    quoted
        .trim_start_matches('"')
        .trim_end_matches('"')
        .replace('/', "\\/")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use base64::Engine as _;

    use super::SecretScan;

    const TOKEN: &str =
        "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJhYmMifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbi0xMjM0NTY3ODkw";
    const PASSWORD: &str = "Pass word/+&%9a-long";

    fn scan() -> SecretScan {
        SecretScan::new([("access token", TOKEN), ("password", PASSWORD)]).unwrap()
    }

    fn found(haystack: &[u8]) -> Vec<(String, &'static str)> {
        scan()
            .find_in(Path::new("f"), haystack)
            .into_iter()
            .map(|h| (h.secret, h.shape))
            .collect()
    }

    #[test]
    fn every_shape_is_found_inside_other_bytes() {
        let mut utf16 = vec![0u8, 1, 2];
        utf16.extend(PASSWORD.encode_utf16().flat_map(u16::to_le_bytes));
        let url = format!("GET /x?p={} HTTP/1.1", "Pass%20word%2F%2B%26%259a-long");
        let form = "p=Pass+word%2F%2B%26%259a-long&x=1";
        let json = r#"{"p":"Pass word\/+&%9a-long"}"#;
        for prefix in ["", "a", "ab"] {
            // Inside a bigger base64 blob, at each alignment.
            let blob = base64::engine::general_purpose::STANDARD
                .encode(format!("{prefix}{{\"pw\":\"{PASSWORD}\"}}"));
            assert!(
                found(blob.as_bytes()).contains(&("password".to_owned(), "base64")),
                "base64 after {prefix:?}: {blob}"
            );
        }
        assert!(found(&utf16).contains(&("password".to_owned(), "UTF-16LE")));
        assert!(found(url.as_bytes()).contains(&("password".to_owned(), "percent-encoded")));
        assert!(found(form.as_bytes()).contains(&("password".to_owned(), "form-encoded")));
        assert!(found(json.as_bytes()).contains(&("password".to_owned(), "JSON-escaped")));
        let hexed = hex::encode(PASSWORD);
        assert!(found(hexed.as_bytes()).contains(&("password".to_owned(), "hex")));
        // Only the token's signature, as a truncated log line might show it.
        let line = format!("token=…{}", TOKEN.rsplit('.').next().unwrap());
        assert_eq!(
            found(line.as_bytes()),
            [("access token".to_owned(), "JWT signature")]
        );
    }

    #[test]
    fn files_are_read_as_bytes_down_the_tree() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        // A binary file with the token amid zero bytes, as in a database page.
        let mut page = vec![0u8; 4096];
        page[1000..1000 + TOKEN.len()].copy_from_slice(TOKEN.as_bytes());
        std::fs::write(nested.join("library.sqlite3-wal"), &page).unwrap();
        std::fs::write(dir.path().join("clean.log"), "nothing here\n").unwrap();

        let (hits, files) = scan().scan(&[dir.path().to_owned()]).unwrap();

        assert_eq!(files.len(), 2);
        assert!(
            hits.iter()
                .any(|h| h.shape == "as is" && h.offset == 1000 && h.secret == "access token"),
            "{hits:?}"
        );
        assert!(
            hits.iter()
                .all(|h| h.file.ends_with("a/b/library.sqlite3-wal")),
            "{hits:?}"
        );
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(SecretScan::new([("pin", "1234")]).is_err());
    }
}
