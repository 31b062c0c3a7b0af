//! The OpenSubsonic extensions a server offers (`getOpenSubsonicExtensions`), by name with
//! their versions, and what each means for Strato.
//!
//! A plain Subsonic server has none: it answers the call with an error envelope or a 404,
//! and Strato hides what needs an extension rather than offering it and failing.

use std::collections::BTreeMap;

use crate::wire;

/// Synced and unsynced lyrics by song (`getLyricsBySongId`).
pub const SONG_LYRICS: &str = "songLyrics";
/// Authentication by an API key (`apiKey=`).
pub const API_KEY_AUTHENTICATION: &str = "apiKeyAuthentication";
/// Every endpoint also accepts its parameters as a form POST.
pub const FORM_POST: &str = "formPost";
/// `stream` takes `timeOffset` for transcoded streams, so seeking works while transcoding.
pub const TRANSCODE_OFFSET: &str = "transcodeOffset";

/// The extensions a server offers, each with the versions it implements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extensions(BTreeMap<String, Vec<u32>>);

impl Extensions {
    /// No extensions: a plain Subsonic server.
    #[must_use]
    pub fn none() -> Self {
        Self::default()
    }

    pub(crate) fn from_wire(list: Vec<wire::Extension>) -> Self {
        Self(
            list.into_iter()
                .map(|extension| (extension.name, extension.versions))
                .collect(),
        )
    }

    /// Whether the server offers `name`, at any version.
    #[must_use]
    pub fn supports(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// The versions of `name` the server implements (empty when it does not offer it).
    #[must_use]
    pub fn versions(&self, name: &str) -> &[u32] {
        self.0.get(name).map_or(&[], Vec::as_slice)
    }

    /// Every extension's name, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `getLyricsBySongId` may be asked.
    #[must_use]
    pub fn supports_lyrics(&self) -> bool {
        self.supports(SONG_LYRICS)
    }

    /// An API key may sign in.
    #[must_use]
    pub fn supports_api_key(&self) -> bool {
        self.supports(API_KEY_AUTHENTICATION)
    }

    /// Parameters may be sent as a form POST (long playlist edits).
    #[must_use]
    pub fn supports_form_post(&self) -> bool {
        self.supports(FORM_POST)
    }

    /// A transcoded stream can start at an offset, so seeking works while transcoding.
    #[must_use]
    pub fn supports_transcode_offset(&self) -> bool {
        self.supports(TRANSCODE_OFFSET)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_are_found_by_name_with_their_versions() {
        let extensions: Vec<wire::Extension> = serde_json::from_str(
            r#"[{"name":"songLyrics","versions":[1]},{"name":"apiKeyAuthentication","versions":[1]},
                {"name":"transcodeOffset","versions":[1,2]}]"#,
        )
        .unwrap();
        let extensions = Extensions::from_wire(extensions);
        assert!(extensions.supports_lyrics());
        assert!(extensions.supports_api_key());
        assert!(!extensions.supports_form_post());
        assert_eq!(extensions.versions(TRANSCODE_OFFSET), &[1, 2]);
        assert_eq!(extensions.versions(FORM_POST), &[] as &[u32]);
        assert_eq!(
            extensions.names().collect::<Vec<_>>(),
            ["apiKeyAuthentication", "songLyrics", "transcodeOffset"]
        );
        assert!(Extensions::none().is_empty() && !Extensions::none().supports_lyrics());
    }
}
