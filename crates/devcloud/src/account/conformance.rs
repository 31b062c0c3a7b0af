//! The contract every [`AccountStore`] keeps, run against SQLite in devcloud's tests and
//! against `DynamoDB` (on moto) in `strato-aws`'s, with the playlist store of the same home
//! (a playlist write is what makes a listener's name known).

use strato_model::api::{Listener, NewPlaylist};

use super::AccountStore;
use crate::playlists::conformance::{NOW, request};
use crate::playlists::storage::{PlaylistOp, PlaylistStore};

/// Runs every scenario.
///
/// # Panics
/// At the first expectation the stores do not meet.
pub async fn run(accounts: &dyn AccountStore, playlists: &dyn PlaylistStore) {
    let me = format!("acct-{}", uuid::Uuid::new_v4().simple());
    assert_eq!(accounts.signed_out_at(&me).await.unwrap(), None);
    accounts.sign_out(&me, NOW).await.unwrap();
    assert_eq!(accounts.signed_out_at(&me).await.unwrap(), Some(NOW));
    accounts.sign_out(&me, NOW + 60).await.unwrap();
    assert_eq!(
        accounts.signed_out_at(&me).await.unwrap(),
        Some(NOW + 60),
        "the last sign-out counts"
    );
    accounts.sign_out(&me, NOW + 30).await.unwrap();
    assert_eq!(
        accounts.signed_out_at(&me).await.unwrap(),
        Some(NOW + 60),
        "an earlier sign-out arriving late does not let tokens back in"
    );
    let other = format!("acct-{}", uuid::Uuid::new_v4().simple());
    assert_eq!(accounts.signed_out_at(&other).await.unwrap(), None);

    assert_eq!(accounts.listener(&me).await.unwrap(), None);
    let create = PlaylistOp::Create(NewPlaylist {
        name: "first".into(),
        description: String::new(),
    });
    let mut write = request(&me, create, NOW);
    write.owner_name = "Xavier".into();
    playlists.write(write).await.unwrap();
    assert_eq!(
        accounts.listener(&me).await.unwrap(),
        Some(Listener {
            id: me.clone(),
            name: "Xavier".into(),
        }),
        "a playlist write makes the listener's name known"
    );
}
