//! Wildcard matching for fault-rule paths and CloudFront policy resources.

/// How `*` treats `/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wildcards {
    /// Path globs: `*` and `?` stay within one path segment, `**` crosses segments.
    Path,
    /// CloudFront policy resources: `*` matches any run of characters, `/` included, and `?`
    /// any single character.
    CloudFront,
}

/// Whether `text` matches `pattern` in full.
#[must_use]
pub fn matches(pattern: &str, text: &str, mode: Wildcards) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    match_from(&pattern, &text, mode)
}

fn match_from(pattern: &[char], text: &[char], mode: Wildcards) -> bool {
    let Some((&first, rest)) = pattern.split_first() else {
        return text.is_empty();
    };
    match first {
        '*' => {
            let (crosses, rest) = match (mode, rest.first()) {
                (Wildcards::CloudFront, _) => (true, rest),
                (Wildcards::Path, Some('*')) => (true, &rest[1..]),
                (Wildcards::Path, _) => (false, rest),
            };
            // Try every split point; patterns are short, so the backtracking stays cheap.
            for skip in 0..=text.len() {
                if match_from(rest, &text[skip..], mode) {
                    return true;
                }
                if skip < text.len() && !crosses && text[skip] == '/' {
                    return false;
                }
            }
            false
        }
        '?' => match text.split_first() {
            Some((&c, text_rest)) if mode == Wildcards::CloudFront || c != '/' => {
                match_from(rest, text_rest, mode)
            }
            _ => false,
        },
        literal => match text.split_first() {
            Some((&c, text_rest)) if c == literal => match_from(rest, text_rest, mode),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::Wildcards::{CloudFront, Path};
    use super::matches;

    #[test]
    fn path_star_stays_in_a_segment() {
        assert!(matches(
            "/media/*/hls/128k/*.ts",
            "/media/tr-1/hls/128k/seg001.ts",
            Path
        ));
        assert!(!matches(
            "/media/*/hls/128k/*.ts",
            "/media/a/b/hls/128k/seg001.ts",
            Path
        ));
        assert!(!matches("/media/*", "/media/tr-1/hls/master.m3u8", Path));
        assert!(matches("/media/**", "/media/tr-1/hls/master.m3u8", Path));
        assert!(matches(
            "/v1/tracks/*/stream",
            "/v1/tracks/tr-1/stream",
            Path
        ));
        assert!(!matches(
            "/v1/tracks/*/stream",
            "/v1/tracks/tr-1/download",
            Path
        ));
        assert!(matches("/media/tr-?/**", "/media/tr-1/x", Path));
        assert!(matches("**", "/anything/at/all", Path));
    }

    #[test]
    fn cloudfront_star_crosses_slashes() {
        let resource = "http://127.0.0.1:9/media/tr-1/hls/*";
        assert!(matches(
            resource,
            "http://127.0.0.1:9/media/tr-1/hls/64k/seg000.ts",
            CloudFront
        ));
        assert!(matches(
            resource,
            "http://127.0.0.1:9/media/tr-1/hls/",
            CloudFront
        ));
        assert!(!matches(
            resource,
            "http://127.0.0.1:9/media/tr-2/hls/64k/a.ts",
            CloudFront
        ));
        assert!(!matches(
            resource,
            "http://127.0.0.1:9/media/tr-1/mp3/cbr.mp3",
            CloudFront
        ));
        assert!(matches("http://h/a?c", "http://h/abc", CloudFront));
        assert!(!matches("http://h/abc", "http://h/abcd", CloudFront));
    }
}
