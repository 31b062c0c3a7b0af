//! `/v1/uploads/**`: the upload's life, from announcement to deletion.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use strato_model::api::{
    CompleteUpload, FailureKind, NewUpload, Page, PartsRequest, ProblemType, Upload, UploadFailure,
    UploadLimits, UploadPatch, UploadSession, UploadStatus, UploadedPart,
};

use super::shared::{PageQuery, owned, page_limit, reread, shown, to_the_end};
use super::store::{NewRow, PatchError, Status, UploadRow};
use super::{Uploads, formats};
use crate::api::AppState;
use crate::auth::User;
use crate::problem::{ApiError, ApiJson, ApiPath, ApiQuery};
use crate::unix_now;

/// Parts are at least this big (S3's minimum but for the last is 5 MiB).
const MIN_PART_SIZE: u64 = 8 << 20;
/// S3's most parts per upload.
const MAX_PARTS: u64 = 10_000;
/// The largest cover accepted.
const MAX_COVER_BYTES: usize = 5 << 20;

fn uploading(row: &UploadRow) -> Result<&str, ApiError> {
    match (&row.status, &row.multipart_id) {
        (Status::Live(UploadStatus::Uploading), Some(multipart)) => Ok(multipart),
        _ => Err(ApiError::upload_conflict(
            "this upload is no longer taking parts",
        )),
    }
}

/// `GET /v1/uploads/limits`.
pub async fn limits(
    user: User,
    State(state): State<AppState>,
) -> Result<Json<UploadLimits>, ApiError> {
    let taken = state.uploads.records().used_bytes(&user.sub).await?;
    Ok(Json(state.uploads.limits().for_listener(taken)))
}

fn part_size_for(size: u64) -> u64 {
    let mib = 1u64 << 20;
    size.div_ceil(MAX_PARTS)
        .div_ceil(mib)
        .saturating_mul(mib)
        .max(MIN_PART_SIZE)
}

fn check_new(new: &NewUpload, uploads: &Uploads) -> Result<(), ApiError> {
    let name = new.file_name.trim();
    if name.is_empty() || name.chars().count() > 255 || name.contains(['/', '\\']) {
        return Err(ApiError::bad_request(
            "file_name must be a file's name (1 to 255 characters, no folders)",
        ));
    }
    if !formats::accepts_name(name) {
        let names: Vec<&str> = formats::ACCEPTED.iter().map(|(n, _)| *n).collect();
        return Err(
            ApiError::new(ProblemType::UnsupportedFormat, "Not a kind of file we take").detail(
                format!("{name} is not a kind of file we take: {}", names.join(", ")),
            ),
        );
    }
    if new.size == 0 {
        return Err(ApiError::bad_request("the file is empty"));
    }
    if new.sha256.len() != 64 || !new.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::bad_request(
            "sha256 must be 64 hexadecimal digits",
        ));
    }
    let max = uploads.limits().max_file_bytes;
    if new.size > max {
        return Err(
            ApiError::new(ProblemType::FileTooLarge, "File too large").detail(format!(
                "This file is {}; the largest we take is {}.",
                formats::spoken_size(new.size),
                formats::spoken_size(max)
            )),
        );
    }
    for (what, value) in [
        ("title", &new.details.title),
        ("artist", &new.details.artist),
        ("album", &new.details.album),
    ] {
        if value.as_ref().is_some_and(|v| v.chars().count() > 200) {
            return Err(ApiError::bad_request(format!(
                "the {what} is longer than 200 characters"
            )));
        }
    }
    Ok(())
}

fn quota_exceeded(size: u64, used: u64, quota: u64) -> ApiError {
    ApiError::new(ProblemType::QuotaExceeded, "Not enough room").detail(format!(
        "This file is {}, and your uploads have {} of {} left.",
        formats::spoken_size(size),
        formats::spoken_size(quota.saturating_sub(used)),
        formats::spoken_size(quota)
    ))
}

/// `POST /v1/uploads`.
pub async fn create(
    user: User,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(new): ApiJson<NewUpload>,
) -> Result<Response, ApiError> {
    let uploads = &state.uploads;
    check_new(&new, uploads)?;
    let key = idempotency_key(&headers)?;
    if let Some(key) = key.clone() {
        let earlier = uploads.records().by_key(&user.sub, &key).await?;
        match earlier {
            Some(earlier) if earlier.status == Status::Deleted => {
                // The key stays the deleted upload's: a new upload needs a new key.
                return Err(ApiError::new(
                    ProblemType::IdempotencyConflict,
                    "Idempotency-Key reused",
                )
                .detail("this Idempotency-Key named an upload since deleted"));
            }
            Some(earlier) => return replay(&state, &earlier).await,
            None => {}
        }
    }
    let id = format!("{}{}", super::ID_PREFIX, uuid::Uuid::new_v4().simple());
    let part_size = part_size_for(new.size);
    let part_count = u32::try_from(new.size.div_ceil(part_size)).unwrap_or(u32::MAX);
    let row = NewRow {
        id: id.clone(),
        owner: user.sub.clone(),
        owner_name: user.display_name(),
        file_name: new.file_name.trim().to_owned(),
        size: new.size,
        content_type: new.content_type.clone(),
        sha256: new.sha256.to_ascii_lowercase(),
        visibility: new.visibility,
        details: new.details.clone(),
        object_key: format!("uploads/{}/{id}/original", user.sub),
        part_size,
        part_count,
        idempotency_key: key,
    };
    // The record first, in the same transaction as the quota check: the collector never sees
    // an object or multipart upload no record names.
    let quota = uploads.limits().quota_bytes;
    let inserted = uploads.records().create(&row, quota, unix_now()).await?;
    if let Err(taken) = inserted {
        return Err(quota_exceeded(new.size, taken, quota));
    }
    let multipart = match uploads
        .storage()
        .create_multipart(&row.object_key, &row.content_type)
        .await
    {
        Ok(multipart) => multipart,
        Err(error) => {
            let _ = uploads.records().delete(&id, unix_now()).await;
            return Err(ApiError::internal(&error));
        }
    };
    uploads.records().set_multipart(&id, &multipart).await?;
    let all: Vec<u32> = (1..=part_count).collect();
    let session = session(&state, &reread(&state, &id).await?, &all).await?;
    let location =
        HeaderValue::from_str(&format!("/v1/uploads/{id}")).map_err(|e| ApiError::internal(&e))?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(session),
    )
        .into_response())
}

/// `Idempotency-Key`, when sent: 1 to 255 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::bad_request(
            "Idempotency-Key must be 1 to 255 visible ASCII characters",
        ));
    }
    Ok(Some(key.to_owned()))
}

/// A repeated announcement: the same upload, with fresh URLs for the parts storage lacks
/// (409 once it no longer takes parts).
async fn replay(state: &AppState, row: &UploadRow) -> Result<Response, ApiError> {
    let have: std::collections::HashSet<u32> = stored_parts(state, row)
        .await?
        .into_iter()
        .map(|p| p.part_number)
        .collect();
    let missing: Vec<u32> = (1..=row.part_count).filter(|n| !have.contains(n)).collect();
    let session = session(state, row, &missing).await?;
    let location = HeaderValue::from_str(&format!("/v1/uploads/{}", row.id))
        .map_err(|e| ApiError::internal(&e))?;
    Ok((
        StatusCode::CREATED,
        [
            (header::LOCATION, location),
            (
                header::HeaderName::from_static("idempotent-replayed"),
                HeaderValue::from_static("true"),
            ),
        ],
        Json(session),
    )
        .into_response())
}

/// An upload session with fresh URLs for `numbers`.
async fn session(
    state: &AppState,
    row: &UploadRow,
    numbers: &[u32],
) -> Result<UploadSession, ApiError> {
    let multipart = uploading(row)?;
    let mut parts = Vec::with_capacity(numbers.len());
    for &number in numbers {
        parts.push(
            state
                .uploads
                .storage()
                .part_url(&row.object_key, multipart, number)
                .await
                .map_err(|e| ApiError::internal(&e))?,
        );
    }
    Ok(UploadSession {
        upload: row
            .upload()
            .ok_or_else(|| ApiError::not_found("no such upload"))?,
        part_size: row.part_size,
        part_count: row.part_count,
        parts,
    })
}

/// What storage holds of an upload; 409 when the multipart upload is gone.
async fn stored_parts(state: &AppState, row: &UploadRow) -> Result<Vec<UploadedPart>, ApiError> {
    let multipart = uploading(row)?;
    state
        .uploads
        .storage()
        .list_parts(&row.object_key, multipart)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(|| {
            ApiError::upload_conflict("storage no longer holds this upload; start it again")
        })
}

/// `POST /v1/uploads/{id}/parts`.
pub async fn part_urls(
    user: User,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<PartsRequest>,
) -> Result<Json<UploadSession>, ApiError> {
    let row = owned(&state, &user, &id).await?;
    let numbers = if request.part_numbers.is_empty() {
        let have: std::collections::HashSet<u32> = stored_parts(&state, &row)
            .await?
            .into_iter()
            .map(|p| p.part_number)
            .collect();
        (1..=row.part_count).filter(|n| !have.contains(n)).collect()
    } else {
        if let Some(bad) = request
            .part_numbers
            .iter()
            .find(|&&n| n == 0 || n > row.part_count)
        {
            return Err(ApiError::bad_request(format!(
                "part {bad} is not one of this upload's 1 to {}",
                row.part_count
            )));
        }
        request.part_numbers
    };
    Ok(Json(session(&state, &row, &numbers).await?))
}

/// `GET /v1/uploads/{id}/parts`.
pub async fn list_parts(
    user: User,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<UploadedPart>>, ApiError> {
    let row = owned(&state, &user, &id).await?;
    Ok(Json(stored_parts(&state, &row).await?))
}

fn unquoted(etag: &str) -> &str {
    etag.trim().trim_matches('"')
}

/// `POST /v1/uploads/{id}/complete`.
pub async fn complete(
    user: User,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<CompleteUpload>,
) -> Result<Response, ApiError> {
    let row = owned(&state, &user, &id).await?;
    let multipart = uploading(&row)?.to_owned();
    let expected: Vec<u32> = (1..=row.part_count).collect();
    let named: Vec<u32> = request.parts.iter().map(|p| p.part_number).collect();
    if named != expected {
        return Err(ApiError::bad_request(format!(
            "complete needs every part, 1 to {}, in ascending order",
            row.part_count
        )));
    }
    let stored = stored_parts(&state, &row).await?;
    for part in &request.parts {
        let index = u64::from(part.part_number - 1);
        let want = row.part_size.min(row.size - index * row.part_size);
        let held = stored.iter().find(|p| p.part_number == part.part_number);
        match held {
            Some(held) if unquoted(&held.etag) == unquoted(&part.etag) && held.size == want => {}
            Some(_) => {
                return Err(ApiError::bad_request(format!(
                    "part {} differs from what storage holds: send it again",
                    part.part_number
                )));
            }
            None => {
                return Err(ApiError::bad_request(format!(
                    "storage does not hold part {} yet",
                    part.part_number
                )));
            }
        }
    }
    // Storage's completion, its record and the start of processing run to their end when
    // the caller goes away mid-request, as a function does: cancelled between the first two
    // (a dropped connection cancels a handler), the file would be whole in storage and the
    // upload "uploading" here for ever, its client told to start again.
    let finish = tokio::spawn({
        let (state, id, key, parts) = (
            state.clone(),
            id.clone(),
            row.object_key.clone(),
            request.parts,
        );
        async move {
            state
                .uploads
                .storage()
                .complete(&key, &multipart, &parts)
                .await
                .map_err(|e| ApiError::internal(&e))?;
            let started = state
                .uploads
                .records()
                .start_processing(&id, unix_now())
                .await?;
            if started && let Err(error) = state.uploads.process(&id).await {
                // Not left "processing" for ever: the listener is told to upload it again.
                let failure = UploadFailure {
                    kind: FailureKind::Internal,
                    message: "The service could not start processing this file just now. \
                              Upload it again later."
                        .to_owned(),
                };
                state
                    .uploads
                    .records()
                    .mark_failed(&id, &failure, unix_now())
                    .await?;
                return Err(ApiError::internal(&error));
            }
            Ok::<_, ApiError>(started)
        }
    });
    let started = finish.await.map_err(|e| ApiError::internal(&e))??;
    if !started {
        return Err(ApiError::upload_conflict(
            "this upload was already completed",
        ));
    }
    let completed = reread(&state, &id).await?;
    state.uploads.announce(&row, Some(&completed));
    Ok((StatusCode::ACCEPTED, shown(&completed)?).into_response())
}

/// `GET /v1/uploads`: the caller's, newest first.
pub async fn list(
    user: User,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Page<Upload>>, ApiError> {
    let page = state
        .uploads
        .records()
        .list_owned(&user.sub, query.cursor.as_deref(), page_limit(query.limit)?)
        .await?;
    Ok(Json(Page {
        items: page.items.iter().filter_map(UploadRow::upload).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// `GET /v1/uploads/{id}`.
pub async fn get(
    user: User,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Upload>, ApiError> {
    shown(&owned(&state, &user, &id).await?)
}

/// `PATCH /v1/uploads/{id}`.
pub async fn update(
    user: User,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(patch): ApiJson<UploadPatch>,
) -> Result<Json<Upload>, ApiError> {
    let before = owned(&state, &user, &id).await?;
    let outcome = to_the_end(async move {
        let outcome = state
            .uploads
            .records()
            .patch(&before, &patch, unix_now())
            .await?;
        if outcome.is_err() {
            return Ok(outcome.map(|()| before));
        }
        let after = reread(&state, &id).await?;
        state.uploads.announce(&before, Some(&after));
        Ok(Ok(after))
    })
    .await?;
    match outcome {
        Ok(after) => shown(&after),
        Err(PatchError::Invalid(message)) => Err(ApiError::bad_request(message)),
        Err(PatchError::TakenDown) => Err(ApiError::upload_conflict(
            "this track was taken down and cannot be made public",
        )),
    }
}

/// `PUT /v1/uploads/{id}/cover`: a JPEG or PNG, published as a new version of the cover.
pub async fn put_cover(
    user: User,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    body: Bytes,
) -> Result<Json<Upload>, ApiError> {
    let before = owned(&state, &user, &id).await?;
    let unsupported = || {
        ApiError::new(ProblemType::UnsupportedFormat, "Not an image we can read")
            .detail("a cover must be a JPEG or PNG image of at most 5 MB")
    };
    let is_image = body.starts_with(&[0xFF, 0xD8, 0xFF]) || body.starts_with(b"\x89PNG\r\n\x1a\n");
    if !is_image || body.len() > MAX_COVER_BYTES {
        return Err(unsupported());
    }
    // The version is recorded before its file exists, so the collector keeps it.
    let version = state
        .uploads
        .records()
        .next_cover_version(&id, unix_now())
        .await?;
    let work = state
        .uploads
        .work_dir()
        .join(format!("{id}-cover-{version}"));
    let published =
        super::processing::publish_cover(state.uploads.media(), &id, version, &body, &work).await;
    if published != Ok(true) {
        if let Err(error) = &published {
            tracing::error!(%error, %id, "publishing a cover");
        }
        state
            .uploads
            .records()
            .undo_cover_version(&id, version)
            .await?;
        return Err(match published {
            Err(error) => ApiError::internal(&format!("publishing a cover: {error}")),
            _ => unsupported(),
        });
    }
    let after = reread(&state, &id).await?;
    state.uploads.announce(&before, Some(&after));
    shown(&after)
}

/// `DELETE /v1/uploads/{id}`: gone for listeners at once; storage is the collector's (an
/// open multipart upload is aborted now, as a courtesy to the bucket).
pub async fn delete(
    user: User,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let row = owned(&state, &user, &id).await?;
    {
        let (state, id, row) = (state.clone(), id.clone(), row.clone());
        to_the_end(async move {
            state.uploads.records().delete(&id, unix_now()).await?;
            state.uploads.announce(&row, None);
            Ok(())
        })
        .await?;
    }
    if let Some(multipart) = &row.multipart_id
        && let Err(error) = state
            .uploads
            .storage()
            .abort(&row.object_key, multipart)
            .await
    {
        tracing::warn!(%error, %id, "aborting a deleted upload (the collector will retry)");
    }
    Ok(StatusCode::NO_CONTENT)
}
