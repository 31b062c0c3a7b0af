//! The API's calls, one method each, answering in wire types (`convert.rs` turns them into
//! the project's): browsing, search, stars, playlists, scrobbles and lyrics. Streams, downloads
//! and covers are in `media.rs`.

use std::cmp::Ordering;
use std::collections::HashSet;

use crate::client::SubsonicClient;
use crate::wire;
use crate::{Credentials, SubsonicError, SubsonicErrorKind};

/// Which albums `getAlbumList2` lists, in what order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlbumListType {
    Newest,
    Random,
    AlphabeticalByName,
    AlphabeticalByArtist,
    Starred,
    /// Most played.
    Frequent,
    /// Most recently played.
    Recent,
    /// Highest rated.
    Highest,
    /// Years from `from` to `to` (a descending range lists newest first).
    ByYear {
        from: u32,
        to: u32,
    },
    ByGenre(String),
}

impl AlbumListType {
    fn params(&self) -> Vec<(&'static str, String)> {
        let name = match self {
            Self::Newest => "newest",
            Self::Random => "random",
            Self::AlphabeticalByName => "alphabeticalByName",
            Self::AlphabeticalByArtist => "alphabeticalByArtist",
            Self::Starred => "starred",
            Self::Frequent => "frequent",
            Self::Recent => "recent",
            Self::Highest => "highest",
            Self::ByYear { .. } => "byYear",
            Self::ByGenre(_) => "byGenre",
        };
        let mut params = vec![("type", name.to_owned())];
        match self {
            Self::ByYear { from, to } => {
                params.push(("fromYear", from.to_string()));
                params.push(("toYear", to.to_string()));
            }
            Self::ByGenre(genre) => params.push(("genre", genre.clone())),
            _ => {}
        }
        params
    }
}

/// How many of each kind `search3` returns, and from where (for paging).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchCounts {
    pub artist_count: u32,
    pub artist_offset: u32,
    pub album_count: u32,
    pub album_offset: u32,
    pub song_count: u32,
    pub song_offset: u32,
}

impl SearchCounts {
    /// The first `limit` of each kind.
    #[must_use]
    pub fn first(limit: u32) -> Self {
        Self {
            artist_count: limit,
            artist_offset: 0,
            album_count: limit,
            album_offset: 0,
            song_count: limit,
            song_offset: 0,
        }
    }
}

/// What a star or unstar names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StarTarget<'a> {
    Song(&'a str),
    Album(&'a str),
    Artist(&'a str),
}

impl StarTarget<'_> {
    fn param(self) -> (&'static str, String) {
        match self {
            Self::Song(id) => ("id", id.to_owned()),
            Self::Album(id) => ("albumId", id.to_owned()),
            Self::Artist(id) => ("artistId", id.to_owned()),
        }
    }
}

/// `updatePlaylist`'s changes; what is `None` or empty is left alone. Removals are indexes
/// in the playlist as it was before this update; additions are appended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlaylistUpdate {
    pub name: Option<String>,
    pub comment: Option<String>,
    pub public: Option<bool>,
    pub song_ids_to_add: Vec<String>,
    pub song_indexes_to_remove: Vec<u32>,
}

impl SubsonicClient {
    /// `getArtists`: every artist, grouped under index letters.
    pub async fn artists(&self) -> Result<wire::ArtistsIndex, SubsonicError> {
        self.call_list("getArtists", "artists", &[], "list the artists")
            .await
    }

    /// `getArtist`: an artist with their albums.
    pub async fn artist(&self, id: &str) -> Result<wire::Artist, SubsonicError> {
        self.call(
            "getArtist",
            "artist",
            &[("id", id.to_owned())],
            "load the artist",
        )
        .await
    }

    /// `getAlbumList2`: `size` albums (the API allows up to 500) from `offset`.
    pub async fn album_list(
        &self,
        list: &AlbumListType,
        size: u32,
        offset: u32,
    ) -> Result<Vec<wire::Album>, SubsonicError> {
        let mut params = list.params();
        params.push(("size", size.to_string()));
        params.push(("offset", offset.to_string()));
        let answer: wire::AlbumList = self
            .call_list("getAlbumList2", "albumList2", &params, "list the albums")
            .await?;
        Ok(answer.album)
    }

    /// `getAlbum`: an album with its songs.
    pub async fn album(&self, id: &str) -> Result<wire::Album, SubsonicError> {
        self.call(
            "getAlbum",
            "album",
            &[("id", id.to_owned())],
            "load the album",
        )
        .await
    }

    /// `getSong`: one song.
    pub async fn song(&self, id: &str) -> Result<wire::Song, SubsonicError> {
        self.call(
            "getSong",
            "song",
            &[("id", id.to_owned())],
            "load the track",
        )
        .await
    }

    /// `search3`: artists, albums and songs matching `query`.
    pub async fn search(
        &self,
        query: &str,
        counts: SearchCounts,
    ) -> Result<wire::SearchResult, SubsonicError> {
        let params = [
            ("query", query.to_owned()),
            ("artistCount", counts.artist_count.to_string()),
            ("artistOffset", counts.artist_offset.to_string()),
            ("albumCount", counts.album_count.to_string()),
            ("albumOffset", counts.album_offset.to_string()),
            ("songCount", counts.song_count.to_string()),
            ("songOffset", counts.song_offset.to_string()),
        ];
        self.call_list("search3", "searchResult3", &params, "search")
            .await
    }

    /// `star`.
    pub async fn star(&self, target: StarTarget<'_>) -> Result<(), SubsonicError> {
        self.request("star", &[target.param()], "star it")
            .await
            .map(drop)
    }

    /// `unstar`.
    pub async fn unstar(&self, target: StarTarget<'_>) -> Result<(), SubsonicError> {
        self.request("unstar", &[target.param()], "remove the star")
            .await
            .map(drop)
    }

    /// `getStarred2`: what the listener starred.
    pub async fn starred(&self) -> Result<wire::Starred, SubsonicError> {
        self.call_list("getStarred2", "starred2", &[], "list what you starred")
            .await
    }

    /// `getPlaylists`: the listener's playlists and the public ones, without entries.
    pub async fn playlists(&self) -> Result<Vec<wire::Playlist>, SubsonicError> {
        let answer: wire::Playlists = self
            .call_list("getPlaylists", "playlists", &[], "list the playlists")
            .await?;
        Ok(answer.playlist)
    }

    /// `getPlaylist`: a playlist with its entries in order.
    pub async fn playlist(&self, id: &str) -> Result<wire::Playlist, SubsonicError> {
        self.call(
            "getPlaylist",
            "playlist",
            &[("id", id.to_owned())],
            "load the playlist",
        )
        .await
    }

    /// `createPlaylist` named `name` with `song_ids` in order, and the playlist made.
    ///
    /// Servers since API 1.14 answer with it; older ones (Supysonic) answer nothing, and the
    /// playlist is then found in `getPlaylists`, listed before and after the create: one of
    /// this name, owned by the signed-in user, that was not there before (the newest, should
    /// two be made at once).
    pub async fn create_playlist(
        &self,
        name: &str,
        song_ids: &[String],
    ) -> Result<wire::Playlist, SubsonicError> {
        let what = "create the playlist";
        if name.trim().is_empty() {
            return Err(SubsonicError::new(
                SubsonicErrorKind::InvalidInput,
                "A playlist needs a name.",
            ));
        }
        // Only a server that will not say what it made needs the list of what was there.
        let before: Option<HashSet<String>> = if answers_created_playlist(&self.server.api_version)
        {
            None
        } else {
            Some(self.playlists().await?.into_iter().map(|p| p.id).collect())
        };
        let mut params = vec![("name", name.to_owned())];
        params.extend(song_ids.iter().map(|id| ("songId", id.clone())));
        let mut response = self.request("createPlaylist", &params, what).await?;
        if let Some(value) = response.payload.remove("playlist") {
            return serde_json::from_value(value).map_err(|e| SubsonicError::unreadable(what, e));
        }
        let after = self.playlists().await?;
        let made =
            pick_created(after, name, self.username(), before.as_ref()).ok_or_else(|| {
                SubsonicError::new(
                    SubsonicErrorKind::Server,
                    "The server said the playlist was made, but does not list it.",
                )
            })?;
        self.playlist(&made.id).await
    }

    /// `updatePlaylist`.
    pub async fn update_playlist(
        &self,
        id: &str,
        update: &PlaylistUpdate,
    ) -> Result<(), SubsonicError> {
        let mut params = vec![("playlistId", id.to_owned())];
        if let Some(name) = &update.name {
            params.push(("name", name.clone()));
        }
        if let Some(comment) = &update.comment {
            params.push(("comment", comment.clone()));
        }
        if let Some(public) = update.public {
            params.push(("public", public.to_string()));
        }
        params.extend(
            update
                .song_ids_to_add
                .iter()
                .map(|song| ("songIdToAdd", song.clone())),
        );
        params.extend(
            update
                .song_indexes_to_remove
                .iter()
                .map(|index| ("songIndexToRemove", index.to_string())),
        );
        self.request("updatePlaylist", &params, "change the playlist")
            .await
            .map(drop)
    }

    /// `deletePlaylist`.
    pub async fn delete_playlist(&self, id: &str) -> Result<(), SubsonicError> {
        self.request(
            "deletePlaylist",
            &[("id", id.to_owned())],
            "delete the playlist",
        )
        .await
        .map(drop)
    }

    /// `scrobble`: `submission` true records a play (at `time_ms`, milliseconds since the
    /// epoch, when it was heard earlier); false says what is playing now.
    pub async fn scrobble(
        &self,
        id: &str,
        time_ms: Option<i64>,
        submission: bool,
    ) -> Result<(), SubsonicError> {
        let mut params = vec![("id", id.to_owned())];
        if let Some(time) = time_ms {
            params.push(("time", time.to_string()));
        }
        params.push(("submission", submission.to_string()));
        self.request("scrobble", &params, "record the play")
            .await
            .map(drop)
    }

    /// `getLyricsBySongId`: every set of lyrics the server has for the song (synced ones
    /// with each line's start). `Unsupported`, without a request, when the server does not
    /// offer the `songLyrics` extension.
    pub async fn lyrics_by_song_id(
        &self,
        id: &str,
    ) -> Result<Vec<wire::StructuredLyrics>, SubsonicError> {
        if !self.extensions().supports_lyrics() {
            return Err(SubsonicError::new(
                SubsonicErrorKind::Unsupported,
                "This server does not offer synced lyrics.",
            ));
        }
        let list: wire::LyricsList = self
            .call_list(
                "getLyricsBySongId",
                "lyricsList",
                &[("id", id.to_owned())],
                "load the lyrics",
            )
            .await?;
        Ok(list.structured_lyrics)
    }
}

impl SubsonicClient {
    /// The signed-in user's name: the one signed in with, or the API key's owner as the
    /// server said at connect. The owner of the playlists this account may change (others'
    /// public ones it may only read).
    #[must_use]
    pub fn username(&self) -> Option<&str> {
        match &self.credentials {
            Credentials::Password { username, .. } => Some(username),
            Credentials::ApiKey { .. } => self.key_owner.as_deref(),
        }
    }

    /// `tokenInfo` (the `apiKeyAuthentication` extension): whose API key this client signs
    /// in with.
    pub async fn token_info(&self) -> Result<String, SubsonicError> {
        let info: wire::TokenInfo = self
            .call("tokenInfo", "tokenInfo", &[], "say whose API key this is")
            .await?;
        Ok(info.username)
    }

    /// [`Self::token_info`] at connect: a server that takes the key but does not say whose
    /// it is (no `tokenInfo`, which the extension asks for) cannot name the account.
    pub(crate) async fn key_owner_from_server(&self) -> Result<String, SubsonicError> {
        match self.token_info().await {
            Ok(name) if !name.trim().is_empty() => Ok(name),
            // Unreachable, refused, or failing for now (5xx, 429): said as that, not as a
            // server without keys.
            Err(err)
                if err.is_transient()
                    || matches!(
                        err.kind(),
                        SubsonicErrorKind::Offline
                            | SubsonicErrorKind::Auth
                            | SubsonicErrorKind::Untrusted
                    ) =>
            {
                Err(err)
            }
            answer => {
                let mut error = SubsonicError::new(
                    SubsonicErrorKind::Unsupported,
                    "This server takes the API key but does not say whose it is; sign in \
                     with your name and password.",
                );
                if let Err(source) = answer {
                    error = error.with_source(source);
                }
                Err(error)
            }
        }
    }
}

/// Whether a server speaking API `version` answers `createPlaylist` with the playlist made
/// (1.14 and later). A version that does not read counts as older: the list is then taken.
fn answers_created_playlist(version: &str) -> bool {
    let mut parts = version.split('.').map(str::parse::<u32>);
    match (parts.next(), parts.next()) {
        (Some(Ok(major)), Some(Ok(minor))) => (major, minor) >= (1, 14),
        _ => false,
    }
}

/// The playlist a `createPlaylist` made, from the list after it: named `name`, owned by
/// `user` (when known), and not among `before` (when listed); the newest of several, by
/// creation time, then by id where both ids are numbers (ids that are not, such as
/// Supysonic's UUIDs, say nothing about order).
fn pick_created(
    after: Vec<wire::Playlist>,
    name: &str,
    user: Option<&str>,
    before: Option<&HashSet<String>>,
) -> Option<wire::Playlist> {
    after
        .into_iter()
        .filter(|playlist| playlist.name == name)
        .filter(|playlist| {
            user.is_none_or(|user| {
                playlist
                    .owner
                    .as_deref()
                    .is_some_and(|owner| owner.eq_ignore_ascii_case(user))
            })
        })
        .filter(|playlist| before.is_none_or(|before| !before.contains(&playlist.id)))
        .max_by(|a, b| {
            a.created
                .cmp(&b.created)
                .then_with(|| numeric_order(&a.id, &b.id))
        })
}

/// The order of two ids when both are numbers; otherwise they are not ordered.
fn numeric_order(a: &str, b: &str) -> Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn album_lists_name_their_type_and_its_arguments() {
        assert_eq!(
            AlbumListType::Newest.params(),
            vec![("type", "newest".to_owned())]
        );
        assert_eq!(
            AlbumListType::ByYear {
                from: 2020,
                to: 2024
            }
            .params(),
            vec![
                ("type", "byYear".to_owned()),
                ("fromYear", "2020".to_owned()),
                ("toYear", "2024".to_owned())
            ]
        );
        assert_eq!(
            AlbumListType::ByGenre("Jazz".into()).params()[1],
            ("genre", "Jazz".to_owned())
        );
    }

    #[test]
    fn a_star_names_what_it_stars() {
        assert_eq!(StarTarget::Song("s").param(), ("id", "s".to_owned()));
        assert_eq!(StarTarget::Album("a").param(), ("albumId", "a".to_owned()));
        assert_eq!(
            StarTarget::Artist("r").param(),
            ("artistId", "r".to_owned())
        );
    }

    fn playlist(id: &str, name: &str, owner: &str, created: &str) -> wire::Playlist {
        wire::Playlist {
            id: id.into(),
            name: name.into(),
            owner: Some(owner.into()),
            created: Some(created.into()),
            ..wire::Playlist::default()
        }
    }

    #[test]
    fn only_servers_since_1_14_answer_with_the_playlist_made() {
        assert!(answers_created_playlist("1.16.1"));
        assert!(answers_created_playlist("1.14.0"));
        assert!(answers_created_playlist("2.0"));
        assert!(!answers_created_playlist("1.13.0"));
        assert!(!answers_created_playlist("1.9.0"));
        assert!(!answers_created_playlist(""));
    }

    #[test]
    fn the_playlist_made_is_the_users_new_one_of_that_name() {
        let same_second = "2024-05-01T10:00:00";
        let after = vec![
            playlist("9", "Mix", "ann", same_second),
            playlist("10", "Mix", "ann", same_second),
            playlist("11", "Mix", "bob", "2024-05-01T10:00:05"),
            playlist("12", "Other", "ann", "2024-05-01T10:00:05"),
        ];
        // Someone else's newer playlist of the name is not ours; "10" is after "9" as a
        // number, though not as a string.
        let made = pick_created(after.clone(), "Mix", Some("ann"), None).unwrap();
        assert_eq!(made.id, "10");
        // What was there before is not what was made, however its id compares.
        let before: HashSet<String> = ["10".to_owned()].into();
        let made = pick_created(after.clone(), "Mix", Some("ann"), Some(&before)).unwrap();
        assert_eq!(made.id, "9");
        let before: HashSet<String> = ["9".to_owned(), "10".to_owned()].into();
        assert!(pick_created(after.clone(), "Mix", Some("ann"), Some(&before)).is_none());
        assert!(pick_created(after, "Mix", Some("carol"), None).is_none());
    }
}
