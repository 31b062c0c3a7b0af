//! Shared set-up for the `OpenSubsonic` playlist sync tests: devcloud with two Subsonic
//! accounts, a library on disk per "computer", and views of the playlists on both sides to
//! compare.

#![allow(dead_code)]

use std::path::Path;

use strato_library::Library;
use strato_subsonic::{AlbumListType, Credentials, PlaylistUpdate, SubsonicClient};
use strato_sync::{LibraryHandle, SubsonicPlaylistSync, SyncReport};
use strato_testkit::{DevCloud, Moto};

pub const ALICE: &str = "alice";
pub const ALICE_PASSWORD: &str = "se:cret-pass";
pub const BOB: &str = "bob";
pub const BOB_PASSWORD: &str = "bobs-pass";

/// A playlist as both sides can say it: name, comment, songs in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub name: String,
    pub comment: String,
    pub songs: Vec<String>,
}

/// One computer: its library on disk and its sync engine.
pub struct Device {
    pub library: LibraryHandle,
    pub sync: SubsonicPlaylistSync,
}

impl Device {
    pub fn open(client: &SubsonicClient, dir: &Path, name: &str) -> Self {
        let library =
            LibraryHandle::new(Library::open(dir.join(format!("{name}.sqlite3"))).unwrap());
        Self {
            sync: SubsonicPlaylistSync::new(client.clone(), library.clone()),
            library,
        }
    }

    pub async fn sync(&self) -> SyncReport {
        self.sync.sync().await.expect("a sync pass")
    }

    /// Every playlist the library shows, by name.
    pub fn view(&self) -> Vec<View> {
        self.library.blocking(|lib| {
            let mut views: Vec<View> = lib
                .playlists()
                .unwrap()
                .into_iter()
                .map(|info| View {
                    songs: lib
                        .playlist_outline(&info.id)
                        .unwrap()
                        .items
                        .into_iter()
                        .map(|(_, song)| song)
                        .collect(),
                    name: info.name,
                    comment: info.description,
                })
                .collect();
            views.sort_by(|a, b| a.name.cmp(&b.name));
            views
        })
    }

    /// The id of the playlist named `name`, and its items' ids in order.
    pub fn playlist(&self, name: &str) -> (String, Vec<String>) {
        self.library.blocking(|lib| {
            let info = lib
                .playlists()
                .unwrap()
                .into_iter()
                .find(|info| info.name == name)
                .unwrap_or_else(|| panic!("no playlist {name:?}"));
            let items = lib.playlist_outline(&info.id).unwrap().items;
            (info.id, items.into_iter().map(|(item, _)| item).collect())
        })
    }

    pub fn pending(&self) -> u64 {
        self.library.blocking(|lib| lib.pending_op_count().unwrap())
    }
}

pub async fn devcloud() -> DevCloud {
    DevCloud::builder(Moto::start())
        .subsonic_user(ALICE, ALICE_PASSWORD)
        .subsonic_user(BOB, BOB_PASSWORD)
        .start()
        .await
}

pub async fn signed_in(address: &str, user: &str, password: &str) -> SubsonicClient {
    SubsonicClient::connect(address, Credentials::password(user, password))
        .await
        .expect("signing in")
}

/// `count` song ids of the server's catalog, in album order.
pub async fn songs(client: &SubsonicClient, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for album in client
        .album_list(&AlbumListType::AlphabeticalByName, 500, 0)
        .await
        .unwrap()
    {
        let album = client.album(&album.id).await.unwrap();
        ids.extend(album.song.into_iter().map(|song| song.id));
        if ids.len() >= count {
            ids.truncate(count);
            return ids;
        }
    }
    panic!("the server has fewer than {count} songs");
}

/// Every playlist of the signed-in account as the server has it, by name.
pub async fn server_view(client: &SubsonicClient) -> Vec<View> {
    let mut views = Vec::new();
    for listed in client.playlists().await.unwrap() {
        if listed.owner.as_deref() != client.username() {
            continue;
        }
        let playlist = client.playlist(&listed.id).await.unwrap();
        views.push(View {
            name: playlist.name,
            comment: playlist.comment.unwrap_or_default(),
            songs: playlist.entry.into_iter().map(|song| song.id).collect(),
        });
    }
    views.sort_by(|a, b| a.name.cmp(&b.name));
    views
}

/// The server's id of the playlist named `name`.
pub async fn server_id(client: &SubsonicClient, name: &str) -> String {
    client
        .playlists()
        .await
        .unwrap()
        .into_iter()
        .find(|playlist| playlist.name == name)
        .unwrap_or_else(|| panic!("the server has no playlist {name:?}"))
        .id
}

pub fn add(song: &str) -> PlaylistUpdate {
    PlaylistUpdate {
        song_ids_to_add: vec![song.to_owned()],
        ..PlaylistUpdate::default()
    }
}

pub fn remove(index: u32) -> PlaylistUpdate {
    PlaylistUpdate {
        song_indexes_to_remove: vec![index],
        ..PlaylistUpdate::default()
    }
}

pub fn view(name: &str, comment: &str, songs: &[&String]) -> View {
    View {
        name: name.into(),
        comment: comment.into(),
        songs: songs.iter().map(|song| (*song).clone()).collect(),
    }
}
