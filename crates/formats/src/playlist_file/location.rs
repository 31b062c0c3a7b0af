//! A playlist entry's location: `file://` URLs read as paths, paths written as the URIs
//! XSPF wants, and what kind of location a text is.
//!
//! A path read from a `file://` URL is absolute: `/…` on Unix, `C:\…` (backslashes, as
//! Windows writes them) for a drive, `\\server\share\…` for a network share. A URL that
//! cannot be a path (not UTF-8 once decoded, no path at all, `file:name`) is kept as
//! written, so nothing a file says is lost.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use crate::text;

/// What a URI path segment keeps as it is: RFC 3986's unreserved characters and
/// sub-delimiters. `:` is encoded, so a relative path never reads as a URL's scheme.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b'@');

/// What a location is, for the matcher and for a caller that opens it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocationKind {
    /// A URL, not a local file: `http://…`, `https://…`, `spotify:…`.
    Url,
    /// A path from the root of a disk: `/…`, `C:\…`, `\\server\…`.
    Absolute,
    /// A path from the playlist's folder.
    Relative,
}

/// What kind of location `location` is.
#[must_use]
pub fn location_kind(location: &str) -> LocationKind {
    if is_drive_path(location) || location.starts_with(['/', '\\']) {
        LocationKind::Absolute
    } else if scheme(location).is_some() {
        LocationKind::Url
    } else {
        LocationKind::Relative
    }
}

/// `C:`, `C:\…` or `C:/…`.
pub(crate) fn is_drive_path(location: &str) -> bool {
    let bytes = location.as_bytes();
    bytes.len() >= 2
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && (bytes.len() == 2 || matches!(bytes[2], b'\\' | b'/'))
}

/// A URL's scheme: a letter, then letters, digits, `+`, `-` or `.`, then `:`. Two
/// characters at least, so a drive (`C:`) is not one.
pub(crate) fn scheme(text: &str) -> Option<&str> {
    let scheme = &text[..text.find(':')?];
    let well_formed = scheme.len() >= 2
        && scheme.as_bytes()[0].is_ascii_alphabetic()
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    well_formed.then_some(scheme)
}

fn decoded(text: &str) -> Option<String> {
    percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(Cow::into_owned)
}

/// A `file:` URL (`file:///path`, `file://host/path`, `file:/path`) as a path; `None` when
/// it is not one or cannot be one.
pub(crate) fn file_url_to_path(url: &str) -> Option<String> {
    if !scheme(url)?.eq_ignore_ascii_case("file") {
        return None;
    }
    let rest = &url["file:".len()..];
    let (host, path) = if let Some(after) = rest.strip_prefix("//") {
        after.find('/').map_or((after, ""), |at| after.split_at(at))
    } else if rest.starts_with('/') {
        ("", rest)
    } else {
        return None;
    };
    let host = text::location(&decoded(host)?);
    let path = decoded(path)?;
    let location = if host.is_empty() || host.eq_ignore_ascii_case("localhost") {
        let bytes = path.as_bytes();
        // `/C:/Music` (and the old `/C|/Music`) is a drive.
        let drive = bytes.len() >= 3
            && bytes[1].is_ascii_alphabetic()
            && matches!(bytes[2], b':' | b'|')
            && (bytes.len() == 3 || matches!(bytes[3], b'/' | b'\\'));
        if drive {
            format!("{}:{}", &path[1..2], &path[3..]).replace('/', "\\")
        } else {
            path
        }
    } else {
        format!("\\\\{host}{path}").replace('/', "\\")
    };
    let location = text::location(&location);
    (!location.is_empty()).then_some(location)
}

/// A location as an M3U line gives it: a `file://` URL becomes a path, the rest is kept.
pub(crate) fn from_m3u(line: &str) -> String {
    file_url_to_path(line).unwrap_or_else(|| text::location(line))
}

/// A location as an XSPF `<location>` gives it, a URI: `file://` URLs and relative
/// references decoded (a relative one with `/`, as a URI has it), other URLs kept.
pub(crate) fn from_uri(uri: &str) -> String {
    let uri = text::location(uri);
    match scheme(&uri) {
        Some(scheme) if scheme.eq_ignore_ascii_case("file") => {
            file_url_to_path(&uri).unwrap_or(uri)
        }
        Some(_) => uri,
        None => match decoded(&uri) {
            Some(path) if is_drive_path(&path) => text::location(&path.replace('/', "\\")),
            // Decoded, it would read as a URL: kept encoded.
            Some(path) if scheme(&path).is_some() => uri,
            Some(path) => text::location(&path.replace('\\', "/")),
            None => uri,
        },
    }
}

/// A location as an XSPF `<location>` wants it: a URI, local paths as `file://` URLs,
/// relative paths encoded, URLs as they are.
pub(crate) fn to_uri(location: &str) -> String {
    if is_drive_path(location) {
        let (drive, path) = location.split_at(2);
        format!("file:///{drive}{}", encoded(path, &['\\', '/']))
    } else if let Some(share) = location.strip_prefix("\\\\") {
        format!("file://{}", encoded(share, &['\\', '/']))
    } else if scheme(location).is_some() {
        location.to_owned()
    } else if location.starts_with('/') {
        format!("file://{}", encoded(location, &['/']))
    } else {
        encoded(location, &['\\', '/'])
    }
}

/// Each segment between `separators` percent-encoded, joined with `/`.
fn encoded(path: &str, separators: &[char]) -> String {
    path.split(separators)
        .map(|segment| utf8_percent_encode(segment, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_are_paths() {
        let path = |url| file_url_to_path(url);
        assert_eq!(
            path("file:///home/me/A%20B%C3%A9.mp3").as_deref(),
            Some("/home/me/A Bé.mp3")
        );
        assert_eq!(
            path("file://localhost/music/a.mp3").as_deref(),
            Some("/music/a.mp3")
        );
        assert_eq!(path("file:/music/a.mp3").as_deref(), Some("/music/a.mp3"));
        assert_eq!(
            path("FILE:///C:/Music/a%20b.mp3").as_deref(),
            Some("C:\\Music\\a b.mp3")
        );
        assert_eq!(
            path("file:///C|/Music/a.mp3").as_deref(),
            Some("C:\\Music\\a.mp3")
        );
        assert_eq!(
            path("file://nas/share/a.mp3").as_deref(),
            Some("\\\\nas\\share\\a.mp3")
        );
        // Not paths: kept as written by the callers.
        assert_eq!(path("file:a.mp3"), None);
        assert_eq!(path("file://"), None);
        assert_eq!(
            path("file:///%E9t%E9.mp3"),
            None,
            "Latin-1 percent-encoding"
        );
        assert_eq!(path("http://example.com/a.mp3"), None);
    }

    #[test]
    fn uris_in_xspf_are_decoded_and_encoded_back() {
        for (uri, location) in [
            ("file:///home/me/A%20B.mp3", "/home/me/A B.mp3"),
            (
                "file:///C:/Music/Sigur%20R%C3%B3s/01.flac",
                "C:\\Music\\Sigur Rós\\01.flac",
            ),
            ("file://nas/music/a.mp3", "\\\\nas\\music\\a.mp3"),
            ("Music/Song%20(Live).mp3", "Music/Song (Live).mp3"),
            (
                "https://radio.example/stream?id=1&b=2",
                "https://radio.example/stream?id=1&b=2",
            ),
            ("a%253Ab", "a%3Ab"),
        ] {
            assert_eq!(from_uri(uri), location, "{uri}");
            assert_eq!(from_uri(&to_uri(location)), location, "{location}");
        }
        // Decoded, it would be a URL: kept encoded.
        assert_eq!(from_uri("ab%3Ac"), "ab%3Ac");
    }

    #[test]
    fn windows_paths_from_an_m3u_are_written_as_file_urls() {
        assert_eq!(to_uri("C:\\Music\\a b.mp3"), "file:///C:/Music/a%20b.mp3");
        assert_eq!(to_uri("Music\\a.mp3"), "Music/a.mp3");
        assert_eq!(to_uri("/home/me/#1.mp3"), "file:///home/me/%231.mp3");
    }

    #[test]
    fn kinds_of_location() {
        assert_eq!(location_kind("/home/a.mp3"), LocationKind::Absolute);
        assert_eq!(location_kind("C:\\a.mp3"), LocationKind::Absolute);
        assert_eq!(location_kind("\\\\nas\\a.mp3"), LocationKind::Absolute);
        assert_eq!(location_kind("https://x/a.mp3"), LocationKind::Url);
        assert_eq!(location_kind("Music/a.mp3"), LocationKind::Relative);
        assert_eq!(location_kind("a:b.mp3"), LocationKind::Relative);
    }
}
