//! What a launch of Strato asks for: the arguments of the app's command line (a second
//! launch's, handed over to the first), of `strato play`, or the addresses the OS opens the
//! app with (files from the file manager, `strato://` links).
//!
//! - `strato://track/<id>`, `strato://album/<id>`, `strato://playlist/<id>` open the page;
//!   with `?play`, they play it too ([`Link`]).
//! - Files (audio, `.m3u`/`.m3u8` playlists), `http(s)://` and `file://` addresses and
//!   catalog track ids are played in order ([`Launch::Play`]); playlist files are read when
//!   the launch is carried out ([`playlist_file`]).
//!
//! Parsing is pure: no file is read and nothing is asked of the service here. [`crate::App`]
//! carries a [`Launch`] out (`App::launch`).

pub mod playlist_file;
#[cfg(test)]
mod tests;

use std::path::Path;

use strato_model::ipc::{AppError, ErrorKind, LaunchPage};

/// The scheme of Strato's links.
pub const SCHEME: &str = "strato";

/// What a launch asks of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    /// Open (and perhaps play) a page of the service.
    Link(Link),
    /// Play these, in order.
    Play(Vec<PlayItem>),
}

/// A `strato://` link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub page: LinkPage,
    pub id: String,
    /// `?play`: play it, not only show it.
    pub play: bool,
}

/// What a link names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPage {
    Track,
    Album,
    Playlist,
}

/// One thing to play.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlayItem {
    /// A catalog track id (`tr-polar-morning`).
    Track(String),
    /// An absolute file path or an `http(s)` URL, as the player opens it.
    Location(String),
    /// A playlist file (`.m3u`, `.m3u8` without HLS tags), by its absolute path.
    PlaylistFile(String),
}

impl Launch {
    /// What a command line asks (`args` without the program's name), with relative paths
    /// taken from `cwd`: `strato [link | items...]` or `strato play items...`. `Ok(None)`
    /// when it asks nothing (a plain second launch: only the window comes forward). Options
    /// (`--flag`) are not items: the window has none, and `strato play` hands over without
    /// them.
    ///
    /// # Errors
    /// `InvalidInput` with words for a `strato://` link Strato cannot open.
    pub fn from_args<S: AsRef<str>>(args: &[S], cwd: &Path) -> Result<Option<Self>, AppError> {
        let mut words = args.iter().map(AsRef::as_ref).peekable();
        if words.peek() == Some(&"play") {
            words.next();
        }
        let words: Vec<&str> = words.filter(|word| !word.starts_with('-')).collect();
        if let Some(link) = words.iter().find(|word| is_link(word)) {
            return Link::parse(link).map(|link| Some(Self::Link(link)));
        }
        let items: Vec<PlayItem> = words
            .iter()
            .map(|word| PlayItem::parse(word, cwd))
            .collect();
        Ok((!items.is_empty()).then_some(Self::Play(items)))
    }

    /// What the OS opened the app with (macOS hands files and links over as URLs, not as
    /// arguments).
    ///
    /// # Errors
    /// As [`Self::from_args`].
    pub fn from_urls<S: AsRef<str>>(urls: &[S]) -> Result<Option<Self>, AppError> {
        Self::from_args(urls, Path::new("/"))
    }

    /// Whether carrying it out needs the signed-in account (the service's pages and tracks),
    /// rather than only the player (files and addresses).
    #[must_use]
    pub fn needs_account(&self) -> bool {
        match self {
            Self::Link(_) => true,
            Self::Play(items) => items.iter().any(|item| matches!(item, PlayItem::Track(_))),
        }
    }
}

fn is_link(word: &str) -> bool {
    word.len() > SCHEME.len()
        && word[..SCHEME.len()].eq_ignore_ascii_case(SCHEME)
        && word[SCHEME.len()..].starts_with(':')
}

impl Link {
    /// `strato://album/<id>[?play]`.
    ///
    /// # Errors
    /// `InvalidInput`, naming the link, when it is not one of those above.
    pub fn parse(text: &str) -> Result<Self, AppError> {
        let not_ours = || {
            AppError::new(
                ErrorKind::InvalidInput,
                format!(
                    "\"{text}\" is not a link Strato can open. Links look like \
                     strato://album/<id>, strato://track/<id> or strato://playlist/<id>."
                ),
            )
        };
        let url = url::Url::parse(text).map_err(|_| not_ours())?;
        let page = match url.host_str().map(str::to_ascii_lowercase).as_deref() {
            Some("track") => LinkPage::Track,
            Some("album") => LinkPage::Album,
            Some("playlist") => LinkPage::Playlist,
            _ => return Err(not_ours()),
        };
        let mut segments = url.path_segments().into_iter().flatten();
        let id = match (segments.next(), segments.next()) {
            (Some(id), None | Some("")) if !id.is_empty() => id,
            _ => return Err(not_ours()),
        };
        let id = percent_decoded(id).ok_or_else(not_ours)?;
        let play = url
            .query_pairs()
            .any(|(key, value)| key == "play" && matches!(&*value, "" | "1" | "true"));
        Ok(Self { page, id, play })
    }

    /// The page the window shows for it (a track is shown on its album's page, which the
    /// caller knows once it has the track).
    #[must_use]
    pub fn page_of(&self, album_id: Option<&str>) -> Option<LaunchPage> {
        match self.page {
            LinkPage::Album => Some(LaunchPage::Album {
                id: self.id.clone(),
            }),
            LinkPage::Playlist => Some(LaunchPage::Playlist {
                id: self.id.clone(),
            }),
            LinkPage::Track => album_id.map(|id| LaunchPage::Album { id: id.to_owned() }),
        }
    }
}

fn percent_decoded(text: &str) -> Option<String> {
    url::form_urlencoded::parse(format!("id={text}").as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .filter(|id| !id.is_empty() && !id.contains('/'))
}

impl PlayItem {
    /// A command line's word: a URL, a path (relative to `cwd`) or a catalog id (which has
    /// neither slashes nor an extension, and names no file here: `tr-polar-morning`).
    #[must_use]
    pub fn parse(word: &str, cwd: &Path) -> Self {
        if let Ok(url) = url::Url::parse(word)
            && url.scheme().len() > 1
        {
            return match url.scheme() {
                "file" => url.to_file_path().map_or_else(
                    |()| Self::Location(word.to_owned()),
                    |path| Self::from_path(&path),
                ),
                _ => Self::Location(word.to_owned()),
            };
        }
        let path = cwd.join(word);
        let names_a_file =
            word.contains(['/', '\\']) || Path::new(word).extension().is_some() || path.exists();
        if names_a_file {
            Self::from_path(&path)
        } else {
            Self::Track(word.to_owned())
        }
    }

    fn from_path(path: &Path) -> Self {
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
        let text = path.display().to_string();
        if playlist_file::is_playlist_name(&path) {
            Self::PlaylistFile(text)
        } else {
            Self::Location(text)
        }
    }
}
