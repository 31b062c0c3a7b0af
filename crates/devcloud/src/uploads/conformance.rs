//! The conformance suite every [`UploadStore`] runs through: devcloud's SQLite store in this
//! crate's tests, another home's (`strato-aws`) against its own database. Each scenario
//! works on listeners of its own, so a suite can share one store with others.

use strato_model::api::{
    FailureKind, SegmentKind, UploadDetails, UploadFailure, UploadPatch, UploadStatus, Visibility,
};

use super::storage::{NewRow, PatchError, Published, UploadStore, UploadStoreError};
use super::store::{Status, cover_file};
use crate::catalog::{MediaFile, TrackMedia};

/// The time the suite writes at (seconds since the epoch).
pub const NOW: i64 = 1_800_000_000;

/// Runs every scenario.
///
/// # Panics
/// When the store breaks the contract.
pub async fn run(store: &dyn UploadStore) {
    records_within_the_quota_and_finds_a_retry_by_its_key(store).await;
    moves_through_processing_once(store).await;
    shows_a_track_only_to_whom_it_may(store).await;
    pages_newest_first_each_upload_once(store).await;
    edits_covers_and_deletes(store).await;
    keeps_what_storage_may_keep(store).await;
}

fn listener(scenario: &str) -> String {
    format!("{scenario}-{}", uuid::Uuid::new_v4().simple())
}

fn new_row(owner: &str, size: u64, key: Option<&str>) -> NewRow {
    let id = format!("up-{}", uuid::Uuid::new_v4().simple());
    NewRow {
        object_key: format!("uploads/{owner}/{id}/original"),
        id,
        owner: owner.to_owned(),
        owner_name: format!("name of {owner}"),
        file_name: "song.flac".to_owned(),
        size,
        content_type: "audio/flac".to_owned(),
        sha256: "0".repeat(64),
        visibility: Visibility::Private,
        details: UploadDetails {
            title: Some("A title".to_owned()),
            ..UploadDetails::default()
        },
        part_size: 5 << 20,
        part_count: 1,
        idempotency_key: key.map(str::to_owned),
    }
}

fn media_file(id: &str, name: &str) -> MediaFile {
    MediaFile {
        path: format!("media/{id}/{name}"),
        size: 1000,
        sha256: "1".repeat(64),
    }
}

fn published(id: &str, album: &str) -> Published {
    Published {
        tags: UploadDetails {
            title: Some("Tagged title".to_owned()),
            artist: Some("Tagged artist".to_owned()),
            album: Some(album.to_owned()),
            track_number: Some(3),
        },
        media: TrackMedia {
            hls_master: format!("media/{id}/hls/master.m3u8"),
            hls_dir: format!("media/{id}/hls/"),
            segment_kind: SegmentKind::Ts,
            encoder_delay_samples: 0,
            padding_samples: 0,
            sample_rate: 44_100,
            cbr: media_file(id, "cbr.mp3"),
            vbr: media_file(id, "vbr.mp3"),
            low: media_file(id, "low.mp3"),
            high: media_file(id, "high.mp3"),
        },
        duration_ms: 180_000,
        replaygain: None,
        has_cover: true,
    }
}

/// A public upload of `owner`, published at `at`.
async fn ready_at(store: &dyn UploadStore, owner: &str, album: &str, at: i64) -> String {
    let mut row = new_row(owner, 100, None);
    row.visibility = Visibility::Public;
    let id = row.id.clone();
    store.create(&row, u64::MAX, at).await.unwrap().unwrap();
    assert!(store.start_processing(&id, at).await.unwrap());
    assert!(
        store
            .mark_ready(&id, &published(&id, album), at)
            .await
            .unwrap()
    );
    id
}

/// An upload of `owner`, taken to `ready` (public when asked).
async fn ready(store: &dyn UploadStore, owner: &str, album: &str, public: bool) -> String {
    let mut row = new_row(owner, 100, None);
    row.visibility = if public {
        Visibility::Public
    } else {
        Visibility::Private
    };
    let id = row.id.clone();
    store.create(&row, u64::MAX, NOW).await.unwrap().unwrap();
    assert!(store.start_processing(&id, NOW).await.unwrap());
    assert!(
        store
            .mark_ready(&id, &published(&id, album), NOW)
            .await
            .unwrap()
    );
    id
}

async fn records_within_the_quota_and_finds_a_retry_by_its_key(store: &dyn UploadStore) {
    let me = listener("quota");
    let first = new_row(&me, 600, Some("key-1"));
    store.create(&first, 1000, NOW).await.unwrap().unwrap();
    assert_eq!(store.used_bytes(&me).await.unwrap(), 600);
    let refused = store
        .create(&new_row(&me, 401, None), 1000, NOW)
        .await
        .unwrap();
    assert_eq!(
        refused,
        Err(600),
        "a create past the quota says what is used"
    );
    store
        .create(&new_row(&me, 400, None), 1000, NOW)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.used_bytes(&me).await.unwrap(), 1000);

    let found = store.by_key(&me, "key-1").await.unwrap().unwrap();
    assert_eq!(found.id, first.id);
    assert_eq!(found.status, Status::Live(UploadStatus::Uploading));
    assert_eq!(found.owner_name, format!("name of {me}"));
    assert!(store.by_key(&me, "key-2").await.unwrap().is_none());
    assert!(
        store
            .by_key(&listener("other"), "key-1")
            .await
            .unwrap()
            .is_none()
    );

    store.set_multipart(&first.id, "mp-1").await.unwrap();
    let row = store.row(&first.id).await.unwrap().unwrap();
    assert_eq!(row.multipart_id.as_deref(), Some("mp-1"));
    assert!(store.owned(&me, &first.id).await.unwrap().is_some());
    assert!(
        store
            .owned(&listener("other"), &first.id)
            .await
            .unwrap()
            .is_none()
    );

    store.delete(&first.id, NOW).await.unwrap();
    assert_eq!(
        store.used_bytes(&me).await.unwrap(),
        400,
        "a deleted upload frees its bytes"
    );
    assert!(store.owned(&me, &first.id).await.unwrap().is_none());
    let tombstone = store.row(&first.id).await.unwrap().unwrap();
    assert_eq!(tombstone.status, Status::Deleted);
}

async fn moves_through_processing_once(store: &dyn UploadStore) {
    let me = listener("processing");
    let row = new_row(&me, 100, None);
    store.create(&row, u64::MAX, NOW).await.unwrap().unwrap();
    assert!(store.start_processing(&row.id, NOW + 1).await.unwrap());
    assert!(
        !store.start_processing(&row.id, NOW + 2).await.unwrap(),
        "completed twice"
    );
    assert!(store.processing_ids().await.unwrap().contains(&row.id));
    store.set_progress(&row.id, 0.5).await.unwrap();
    let processing = store.row(&row.id).await.unwrap().unwrap();
    assert!((processing.progress - 0.5).abs() < 1e-6);
    assert_eq!(processing.multipart_id, None);

    assert!(
        store
            .mark_ready(&row.id, &published(&row.id, "Tagged album"), NOW + 3)
            .await
            .unwrap()
    );
    let done = store.row(&row.id).await.unwrap().unwrap();
    assert_eq!(done.status, Status::Live(UploadStatus::Ready));
    // The listener's own title stays; what they left out comes from the tags.
    assert_eq!(done.details.title.as_deref(), Some("A title"));
    assert_eq!(done.details.artist.as_deref(), Some("Tagged artist"));
    assert_eq!(done.details.track_number, Some(3));
    assert_eq!(done.duration_ms, Some(180_000));
    assert_eq!(done.cover_version, Some(1));
    assert!(done.media.is_some());
    assert!(!store.processing_ids().await.unwrap().contains(&row.id));

    let gone = new_row(&me, 100, None);
    store.create(&gone, u64::MAX, NOW).await.unwrap().unwrap();
    assert!(store.start_processing(&gone.id, NOW).await.unwrap());
    store.delete(&gone.id, NOW).await.unwrap();
    assert!(
        !store
            .mark_ready(&gone.id, &published(&gone.id, "x"), NOW)
            .await
            .unwrap(),
        "an upload deleted while processing stays deleted"
    );

    let bad = new_row(&me, 100, None);
    store.create(&bad, u64::MAX, NOW).await.unwrap().unwrap();
    assert!(store.start_processing(&bad.id, NOW).await.unwrap());
    let failure = UploadFailure {
        kind: FailureKind::NotAudio,
        message: "not audio".to_owned(),
    };
    store.mark_failed(&bad.id, &failure, NOW).await.unwrap();
    let failed = store.row(&bad.id).await.unwrap().unwrap();
    assert_eq!(failed.status, Status::Live(UploadStatus::Failed));
    assert_eq!(failed.failure, Some(failure));
}

async fn shows_a_track_only_to_whom_it_may(store: &dyn UploadStore) {
    let (me, you) = (listener("owner"), listener("viewer"));
    let private = ready(store, &me, "Mine", false).await;
    let public = ready(store, &me, "Mine", true).await;
    let unfinished = new_row(&me, 100, None);
    store
        .create(&unfinished, u64::MAX, NOW)
        .await
        .unwrap()
        .unwrap();

    for (viewer, id, sees) in [
        (&me, &private, true),
        (&you, &private, false),
        (&you, &public, true),
        (&me, &unfinished.id, false),
    ] {
        assert_eq!(
            store.visible(viewer, id).await.unwrap().is_some(),
            sees,
            "{viewer} {id}"
        );
    }
    let ids = vec![
        private.clone(),
        public.clone(),
        unfinished.id.clone(),
        "up-none".into(),
    ];
    let seen = store.visible_ids(&you, &ids).await.unwrap();
    assert_eq!(seen, std::iter::once(public.clone()).collect());

    store
        .set_takedown(&public, Some("a complaint"), NOW)
        .await
        .unwrap();
    assert!(
        store.visible(&you, &public).await.unwrap().is_none(),
        "taken down"
    );
    assert!(
        store.visible(&me, &public).await.unwrap().is_none(),
        "taken down, even to its owner"
    );
    let row = store.row(&public).await.unwrap().unwrap();
    assert_eq!(
        row.takedown.map(|t| t.reason),
        Some("a complaint".to_owned())
    );
    store.set_takedown(&public, None, NOW).await.unwrap();
    assert!(
        store.visible(&you, &public).await.unwrap().is_some(),
        "restored"
    );

    let mine = store.list_visible(&me, None, None).await.unwrap();
    let yours = store.list_visible(&you, None, None).await.unwrap();
    assert!(mine.iter().any(|r| r.id == private) && mine.iter().any(|r| r.id == public));
    assert!(yours.iter().any(|r| r.id == public) && !yours.iter().any(|r| r.id == private));
    let album = store.row(&public).await.unwrap().unwrap().album_id;
    let of_album = store.list_visible(&me, Some(&album), None).await.unwrap();
    assert_eq!(
        of_album.len(),
        2,
        "both tracks of the album, to their owner"
    );
    let artist = store.row(&public).await.unwrap().unwrap().artist_id;
    assert_eq!(
        store
            .list_visible(&you, None, Some(&artist))
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn pages_newest_first_each_upload_once(store: &dyn UploadStore) {
    let me = listener("pages");
    let mut made = Vec::new();
    for second in 0..7 {
        let row = new_row(&me, 10, None);
        store
            .create(&row, u64::MAX, NOW + second)
            .await
            .unwrap()
            .unwrap();
        made.push(row.id);
    }
    made.reverse();
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store.list_owned(&me, cursor.as_deref(), 3).await.unwrap();
        assert!(page.items.len() <= 3);
        walked.extend(page.items.into_iter().map(|row| row.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(walked, made, "newest first, each once");
    assert!(matches!(
        store.list_owned(&me, Some("not-a-cursor"), 3).await,
        Err(UploadStoreError::BadCursor)
    ));

    store.delete(&made[1], NOW).await.unwrap();
    let after = store.list_owned(&me, None, 50).await.unwrap();
    assert!(
        !after.items.iter().any(|row| row.id == made[1]),
        "a deleted upload is listed"
    );
    assert_eq!(after.items.len(), made.len() - 1);

    let author = listener("public");
    let first = ready(store, &author, "A", true).await;
    let _private = ready(store, &author, "A", false).await;
    let page = store.list_public(Some(&author), None, 10).await.unwrap();
    let ids: Vec<&str> = page.items.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, [first.as_str()]);
    assert_eq!(page.next_cursor, None);
    let second = ready_at(store, &author, "A", NOW + 10).await;
    let page = store.list_public(Some(&author), None, 1).await.unwrap();
    assert_eq!(page.items.len(), 1);
    let rest = store
        .list_public(Some(&author), page.next_cursor.as_deref(), 1)
        .await
        .unwrap();
    let walked: Vec<&str> = page
        .items
        .iter()
        .chain(&rest.items)
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(
        walked,
        [second.as_str(), first.as_str()],
        "newest first, across pages"
    );
    assert_eq!(rest.next_cursor, None);
    let everyone = store.list_public(None, None, 200).await.unwrap();
    assert!(everyone.items.iter().any(|r| r.id == first));
    assert!(
        everyone
            .items
            .iter()
            .all(|r| r.visibility == Visibility::Public)
    );
}

async fn edits_covers_and_deletes(store: &dyn UploadStore) {
    let me = listener("edits");
    let id = ready(store, &me, "Album", false).await;
    let row = store.row(&id).await.unwrap().unwrap();
    let patch = UploadPatch {
        title: Some("  New title ".to_owned()),
        album: Some(String::new()),
        visibility: Some(Visibility::Public),
        ..UploadPatch::default()
    };
    store.patch(&row, &patch, NOW).await.unwrap().unwrap();
    let edited = store.row(&id).await.unwrap().unwrap();
    assert_eq!(edited.details.title.as_deref(), Some("New title"));
    assert_eq!(edited.details.album, None, "an empty string clears");
    assert_eq!(edited.visibility, Visibility::Public);
    assert_ne!(
        edited.album_id, row.album_id,
        "the album id follows the album"
    );

    let long = UploadPatch {
        artist: Some("x".repeat(201)),
        ..UploadPatch::default()
    };
    assert!(matches!(
        store.patch(&edited, &long, NOW).await.unwrap(),
        Err(PatchError::Invalid(_))
    ));
    store.set_takedown(&id, Some("no"), NOW).await.unwrap();
    let taken = store.row(&id).await.unwrap().unwrap();
    let public = UploadPatch {
        visibility: Some(Visibility::Public),
        ..UploadPatch::default()
    };
    assert_eq!(
        store.patch(&taken, &public, NOW).await.unwrap(),
        Err(PatchError::TakenDown)
    );

    assert_eq!(store.next_cover_version(&id, NOW).await.unwrap(), 2);
    store.undo_cover_version(&id, 2).await.unwrap();
    assert_eq!(
        store.row(&id).await.unwrap().unwrap().cover_version,
        Some(1)
    );
    store.undo_cover_version(&id, 5).await.unwrap();
    assert_eq!(
        store.row(&id).await.unwrap().unwrap().cover_version,
        Some(1),
        "not current"
    );

    store.delete(&id, NOW).await.unwrap();
    let deleted = store.row(&id).await.unwrap().unwrap();
    assert_eq!(
        (deleted.status, deleted.visibility),
        (Status::Deleted, Visibility::Private)
    );
}

async fn keeps_what_storage_may_keep(store: &dyn UploadStore) {
    let me = listener("collector");
    let kept = ready(store, &me, "Kept", false).await;
    let processing = new_row(&me, 100, None);
    store
        .create(&processing, u64::MAX, NOW)
        .await
        .unwrap()
        .unwrap();
    assert!(store.start_processing(&processing.id, NOW).await.unwrap());
    let gone = ready(store, &me, "Gone", false).await;
    store.delete(&gone, NOW).await.unwrap();

    let live = store.live_set().await.unwrap();
    let kept_row = store.row(&kept).await.unwrap().unwrap();
    assert!(live.object_keys.contains(&kept_row.object_key));
    assert!(live.media_ids.contains(&kept) && live.media_ids.contains(&processing.id));
    assert!(live.covers.contains(&cover_file(&kept, 1)));
    // Processing publishes the first cover before the record names it.
    assert!(live.covers.contains(&cover_file(&processing.id, 1)));
    assert!(!live.media_ids.contains(&gone) && !live.covers.contains(&cover_file(&gone, 1)));
}
