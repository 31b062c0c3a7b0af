//! What every test against devcloud's OpenSubsonic endpoints needs: a devcloud with its
//! accounts, a client signed in to it, and the catalog it serves (`catalog.json`), the
//! truth the answers are compared with.

use serde::Deserialize;
use strato_subsonic::{Credentials, SubsonicClient};
use strato_testkit::{DevCloud, DevCloudBuilder, Moto, media_dir};

pub const ALICE: &str = "alice";
pub const ALICE_PASSWORD: &str = "se:cret-pass";
pub const ALICE_KEY: &str = "k3y-of-alice";

/// A devcloud builder with alice's password and API key.
pub fn with_alice() -> DevCloudBuilder {
    DevCloud::builder(Moto::start())
        .subsonic_user(ALICE, ALICE_PASSWORD)
        .subsonic_api_key(ALICE_KEY, ALICE)
}

/// A devcloud with alice's password and API key.
pub async fn devcloud() -> DevCloud {
    with_alice().start().await
}

/// The address a listener types: devcloud's API root (the client adds `rest/`).
pub fn address(cloud: &DevCloud) -> &str {
    cloud.api_url()
}

/// A client signed in as alice with her password.
pub async fn signed_in(cloud: &DevCloud) -> SubsonicClient {
    SubsonicClient::connect(address(cloud), Credentials::password(ALICE, ALICE_PASSWORD))
        .await
        .expect("signing in to devcloud")
}

/// `catalog.json` as far as these tests read it.
#[derive(Debug, Deserialize)]
pub struct Catalog {
    pub artists: Vec<CatalogArtist>,
    pub albums: Vec<CatalogAlbum>,
    pub tracks: Vec<CatalogTrack>,
}

#[derive(Debug, Deserialize)]
pub struct CatalogArtist {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct CatalogAlbum {
    pub id: String,
    pub title: String,
    pub artist_id: String,
    pub year: u16,
    pub cover: String,
    pub track_count: u32,
}

#[derive(Debug, Deserialize)]
pub struct CatalogTrack {
    pub id: String,
    pub title: String,
    pub artist_id: String,
    pub album_id: String,
    pub track_number: u32,
    pub duration_ms: u32,
    pub mp3: CatalogMp3,
}

#[derive(Debug, Deserialize)]
pub struct CatalogMp3 {
    pub cbr: CatalogFile,
    pub low: CatalogFile,
}

#[derive(Debug, Deserialize)]
pub struct CatalogFile {
    pub path: String,
    pub bitrate_kbps: u32,
}

impl Catalog {
    pub fn read() -> Self {
        let bytes = std::fs::read(media_dir().join("catalog.json")).expect("catalog.json");
        serde_json::from_slice(&bytes).expect("catalog.json as the tests read it")
    }

    pub fn artist(&self, id: &str) -> &CatalogArtist {
        self.artists.iter().find(|a| a.id == id).expect("an artist")
    }

    pub fn album(&self, id: &str) -> &CatalogAlbum {
        self.albums.iter().find(|a| a.id == id).expect("an album")
    }

    /// An album's tracks in their order.
    pub fn tracks_of(&self, album_id: &str) -> Vec<&CatalogTrack> {
        let mut tracks: Vec<&CatalogTrack> = self
            .tracks
            .iter()
            .filter(|t| t.album_id == album_id)
            .collect();
        tracks.sort_by_key(|t| t.track_number);
        tracks
    }
}

/// The bytes of a file of the media dir (a path as catalog.json writes it).
pub fn media_file(relative: &str) -> Vec<u8> {
    std::fs::read(media_dir().join(relative)).expect("a file of the media dir")
}

/// Whole seconds from Subsonic against the catalog's milliseconds: within a second.
pub fn assert_same_length(got_ms: u32, catalog_ms: u32, what: &str) {
    let difference = i64::from(got_ms) - i64::from(catalog_ms);
    assert!(difference.abs() <= 1000, "{what}: {difference} ms off");
}
