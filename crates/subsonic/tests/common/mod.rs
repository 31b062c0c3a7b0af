//! What every test against the real Supysonic needs: the server (one per test process) and
//! a client signed in to it; devcloud's in `devcloud.rs`.

#![allow(dead_code)] // each test binary uses its own part

pub mod devcloud;

use strato_subsonic::{AlbumListType, Credentials, SubsonicClient, wire};
use strato_testkit::{FolderAlbum, Supysonic};

/// The shared Supysonic and a client signed in with its account.
pub async fn signed_in() -> (&'static Supysonic, SubsonicClient) {
    let server = Supysonic::start();
    let client = SubsonicClient::connect(
        server.url(),
        Credentials::password(server.username(), server.password()),
    )
    .await
    .expect("signing in to Supysonic");
    (server, client)
}

/// The server's album put there as `folder` (found by title: the server has its own ids).
pub async fn server_album(client: &SubsonicClient, folder: &FolderAlbum) -> wire::Album {
    let albums = client
        .album_list(&AlbumListType::AlphabeticalByName, 500, 0)
        .await
        .expect("listing the albums");
    let listed = albums
        .into_iter()
        .find(|album| album.name == folder.title)
        .unwrap_or_else(|| panic!("the server does not list {:?}", folder.title));
    client.album(&listed.id).await.expect("loading the album")
}
