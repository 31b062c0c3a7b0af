//! Signing in to devcloud's OpenSubsonic endpoints, which take what Supysonic does not: a
//! salted token (chosen first, and kept when the server refuses plain passwords), an API key
//! where the server offers the extension, and the extensions themselves, read before
//! signing in.

mod common;

use common::devcloud::{
    ALICE, ALICE_KEY, ALICE_PASSWORD, address, devcloud, signed_in, with_alice,
};
use strato_subsonic::{
    API_KEY_AUTHENTICATION, AlbumListType, AuthMethod, Credentials, FORM_POST, SONG_LYRICS,
    SubsonicClient, SubsonicErrorKind,
};

#[tokio::test]
async fn devcloud_is_signed_in_to_with_a_salted_token_as_it_takes_tokens() {
    let cloud = devcloud().await;
    let client = signed_in(&cloud).await;
    assert_eq!(client.auth_method(), AuthMethod::Token);
    let server = client.server();
    assert_eq!(server.api_version, "1.16.1");
    assert_eq!(server.server_type.as_deref(), Some("devcloud"));
    assert!(server.open_subsonic);
    client.ping().await.unwrap();
    let albums = client
        .album_list(&AlbumListType::AlphabeticalByName, 500, 0)
        .await
        .unwrap();
    assert!(!albums.is_empty(), "a signed-in call answers");
}

#[tokio::test]
async fn a_server_refusing_passwords_is_signed_in_to_with_a_token_still() {
    let cloud = with_alice().subsonic_refuse_passwords().start().await;
    let client = signed_in(&cloud).await;
    // The token is taken, so the client never falls back to the password devcloud refuses
    // (42): every later call works.
    assert_eq!(client.auth_method(), AuthMethod::Token);
    client.ping().await.unwrap();
    let artists = client.artists().await.unwrap().into_artists();
    assert!(!artists.is_empty());
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_code_40_without_trying_the_password() {
    let cloud = devcloud().await;
    let err = SubsonicClient::connect(
        address(&cloud),
        Credentials::password(ALICE, "not the password"),
    )
    .await
    .unwrap_err();
    assert_eq!(
        (err.kind(), err.code()),
        (SubsonicErrorKind::Auth, Some(40))
    );
    assert_eq!(
        err.to_string(),
        "The server says the username or password is wrong."
    );
}

#[tokio::test]
async fn an_api_key_signs_in_when_the_server_offers_the_extension() {
    let cloud = devcloud().await;
    let client = SubsonicClient::connect(address(&cloud), Credentials::api_key(ALICE_KEY))
        .await
        .unwrap();
    assert_eq!(client.auth_method(), AuthMethod::ApiKey);
    assert!(client.extensions().supports_api_key());
    // The key names no one; the server's tokenInfo says whose it is.
    assert_eq!(client.username(), Some(ALICE));
    assert_eq!(client.token_info().await.unwrap(), ALICE);
    client.ping().await.unwrap();
    let artists = client.artists().await.unwrap().into_artists();
    assert!(!artists.is_empty(), "the key reads alice's catalog");
}

#[tokio::test]
async fn a_wrong_api_key_is_refused_with_code_44_in_words() {
    let cloud = devcloud().await;
    let err = SubsonicClient::connect(address(&cloud), Credentials::api_key("not-a-key"))
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.code()),
        (SubsonicErrorKind::Auth, Some(44))
    );
    assert_eq!(
        err.to_string(),
        "The server says the API key is wrong or was revoked; make a new one on the server."
    );
    assert!(!format!("{err:?}").contains("not-a-key"), "{err:?}");
}

#[tokio::test]
async fn the_extensions_are_read_before_signing_in_and_again_signed_in() {
    let cloud = devcloud().await;
    let client = signed_in(&cloud).await;
    let extensions = client.extensions();
    assert_eq!(
        extensions.names().collect::<Vec<_>>(),
        [API_KEY_AUTHENTICATION, FORM_POST, SONG_LYRICS]
    );
    assert!(extensions.supports_lyrics());
    assert!(extensions.supports_api_key());
    assert!(extensions.supports_form_post());
    assert!(
        !extensions.supports_transcode_offset(),
        "devcloud does not transcode"
    );
    for name in [API_KEY_AUTHENTICATION, FORM_POST, SONG_LYRICS] {
        assert_eq!(extensions.versions(name), &[1], "{name}");
    }
    let again = client.open_subsonic_extensions().await.unwrap();
    assert_eq!(&again, extensions);
    // The password itself never reaches the client's Debug.
    let debug = format!("{client:?}");
    assert!(!debug.contains(ALICE_PASSWORD), "{debug}");
}
