//! `stream`, `download` and `getCoverArt`: the stored files, sent as the CDN sends them
//! (single ranges answered 206, strong ETags, `If-None-Match`, HEAD).
//!
//! devcloud does not transcode. A track's original here is its stored 192 kbit/s CBR MP3
//! (what `format=raw` and `download` send); `maxBitRate` picks among the stored renditions
//! (96, 192 and 320 kbit/s), the 96 kbit/s one being the lowest there is; a `format` other
//! than `mp3` or `raw` is refused in words rather than answered with a different codec.

use axum::http::{HeaderMap, Method};

use super::envelope::SubsonicError;
use super::mapping::{self, album_of};
use super::{Call, Reply, file_reply};
use crate::catalog::{MediaFile, TrackEntry};

fn track<'a>(call: &'a Call<'_>) -> Result<&'a TrackEntry, SubsonicError> {
    let id = call.params.required("id")?;
    call.catalog()
        .entry(id)
        .ok_or_else(|| SubsonicError::not_found(format!("Song {id:?}")))
}

/// The stored rendition for a `maxBitRate` (kbit/s, 0 or absent: no limit).
fn rendition(entry: &TrackEntry, max_bit_rate: u32) -> &MediaFile {
    let media = &entry.media;
    let cbr_rate = mapping::bit_rate(media.cbr.size, entry.track.duration_ms);
    if max_bit_rate == 0 || max_bit_rate >= cbr_rate {
        &media.cbr
    } else {
        &media.low
    }
}

pub async fn stream(
    call: &Call<'_>,
    method: &Method,
    headers: &HeaderMap,
) -> Result<Reply, SubsonicError> {
    let entry = track(call)?;
    let format = call.params.one("format").unwrap_or("");
    let file = match format {
        "raw" => &entry.media.cbr,
        "" | "mp3" => {
            let max = call.params.parsed::<u32>("maxBitRate")?.unwrap_or(0);
            rendition(entry, max)
        }
        other => {
            return Err(SubsonicError::generic(format!(
                "devcloud does not transcode: it serves this track as stored, in MP3 (ask \
                 format=mp3 or raw), not in {other:?}."
            )));
        }
    };
    file_reply(call.state, &file.path, method, headers).await
}

pub async fn download(
    call: &Call<'_>,
    method: &Method,
    headers: &HeaderMap,
) -> Result<Reply, SubsonicError> {
    let entry = track(call)?;
    file_reply(call.state, &entry.media.cbr.path, method, headers).await
}

/// `getCoverArt`: the id is an album's (as `coverArt` fields give), a song's or an artist's
/// (their album's cover). `size` is accepted and ignored: the one stored image is sent.
pub async fn cover_art(
    call: &Call<'_>,
    method: &Method,
    headers: &HeaderMap,
) -> Result<Reply, SubsonicError> {
    let id = call.params.required("id")?;
    let catalog = call.catalog();
    let album_id = if let Some(entry) = catalog.entry(id) {
        Some(entry.track.album_id.clone())
    } else if album_of(catalog, id).is_some() {
        Some(id.to_owned())
    } else {
        catalog.artist_detail(id).and_then(|detail| {
            detail
                .albums
                .into_iter()
                .find(|a| a.cover_path.is_some())
                .map(|a| a.id)
        })
    };
    let cover = album_id
        .and_then(|album| album_of(catalog, &album))
        .and_then(|album| album.cover_path.clone())
        .ok_or_else(|| SubsonicError::not_found(format!("Cover art {id:?}")))?;
    file_reply(call.state, cover.trim_start_matches('/'), method, headers).await
}
