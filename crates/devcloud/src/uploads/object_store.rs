//! The upload bucket, through aws-sdk-s3: what works here against moto's S3 works against S3.
//!
//! The service runs the multipart control calls itself (create, list, complete, abort: the SDK
//! cannot presign them, and the client should never hold credentials for them) and presigns
//! only `UploadPart`, the one request whose bytes go straight from the listener to storage.
//! `ListParts` and `CompleteMultipartUpload` are S3's own requests signed with aws-sigv4 and
//! read leniently, because moto names their answers' roots differently from S3.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use aws_sdk_s3::Client;
use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, ProvideCredentials as _, Region, RequestChecksumCalculation,
    ResponseChecksumValidation, SharedCredentialsProvider,
};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use strato_model::api::{PartUrl, UploadedPart};
use tokio::io::AsyncWriteExt as _;

use crate::unix_now;

/// How long a presigned part URL is valid.
pub const PART_URL_TTL: Duration = Duration::from_secs(3600);

/// A storage call failed.
#[derive(Debug, thiserror::Error)]
#[error("object storage: {0}")]
pub struct StorageError(String);

fn failed(error: impl std::fmt::Display) -> StorageError {
    StorageError(error.to_string())
}

/// What AWS's URI encoding leaves alone besides letters and digits (RFC 3986's unreserved).
const AWS_URI: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A URL path segment or query value, encoded as S3 encodes it when it checks a signature.
fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, AWS_URI).to_string()
}

/// Where the bucket is.
#[derive(Debug, Clone)]
pub struct StorageSettings {
    /// An S3-compatible endpoint (moto's), or `None` for AWS's regional one.
    pub endpoint: Option<String>,
    pub region: String,
    pub bucket: String,
}

/// The upload bucket.
#[derive(Debug, Clone)]
pub struct ObjectStore {
    client: Client,
    bucket: String,
    /// The bucket's URL, for the requests signed by hand ([`ObjectStore::list_parts`]).
    bucket_url: String,
    region: String,
    credentials: SharedCredentialsProvider,
    http: reqwest::Client,
}

impl ObjectStore {
    /// A client for the bucket, made if missing. Static credentials: moto takes any.
    pub async fn connect(settings: &StorageSettings) -> Result<Self, StorageError> {
        let credentials = SharedCredentialsProvider::new(Credentials::new(
            "devcloud", "devcloud", None, None, "static",
        ));
        let mut config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(settings.region.clone()))
            .credentials_provider(credentials.clone())
            .force_path_style(true);
        if let Some(endpoint) = &settings.endpoint {
            config = config.endpoint_url(endpoint);
        }
        let endpoint = settings
            .endpoint
            .clone()
            .unwrap_or_else(|| format!("https://s3.{}.amazonaws.com", settings.region));
        let bucket_url = format!("{}/{}", endpoint.trim_end_matches('/'), settings.bucket);
        let store = Self::with_config(
            config,
            credentials,
            &settings.region,
            &settings.bucket,
            bucket_url,
        );
        store.ensure_bucket().await?;
        Ok(store)
    }

    /// A deployment's upload bucket in `region` (the stack's: never made here), through
    /// `config` on `credentials`, the function's own (its role, through the AWS SDK's default
    /// chain). On AWS (`endpoint` `None`) the bucket is addressed as S3 asks of buckets now, by
    /// its own host name (path-style for a name with a dot, which the host's certificate
    /// cannot cover); a stand-in at `endpoint` serves every bucket on one host.
    #[must_use]
    pub fn deployed(
        config: aws_sdk_s3::config::Builder,
        credentials: SharedCredentialsProvider,
        region: &str,
        bucket: &str,
        endpoint: Option<&str>,
    ) -> Self {
        let path_style = endpoint.is_some() || bucket.contains('.');
        let bucket_url = match endpoint {
            Some(endpoint) => format!("{}/{bucket}", endpoint.trim_end_matches('/')),
            None if path_style => format!("https://s3.{region}.amazonaws.com/{bucket}"),
            None => format!("https://{bucket}.s3.{region}.amazonaws.com"),
        };
        let mut config = config
            .region(Region::new(region.to_owned()))
            .credentials_provider(credentials.clone())
            .force_path_style(path_style);
        if let Some(endpoint) = endpoint {
            config = config.endpoint_url(endpoint);
        }
        Self::with_config(config, credentials, region, bucket, bucket_url)
    }

    fn with_config(
        config: aws_sdk_s3::config::Builder,
        credentials: SharedCredentialsProvider,
        region: &str,
        bucket: &str,
        bucket_url: String,
    ) -> Self {
        // Checksums only where S3 requires them: a checksum signed into a presigned URL would
        // have to match bytes the client has not sent yet, and moto checks none, so a mistake
        // would pass here and fail on S3.
        let config = config
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
            .build();
        Self {
            client: Client::from_conf(config),
            bucket: bucket.to_owned(),
            bucket_url,
            region: region.to_owned(),
            credentials,
            http: reqwest::Client::new(),
        }
    }

    async fn ensure_bucket(&self) -> Result<(), StorageError> {
        if self
            .client
            .head_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .is_ok()
        {
            return Ok(());
        }
        match self
            .client
            .create_bucket()
            .bucket(&self.bucket)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(error) => {
                let service = error.as_service_error();
                if service.is_some_and(|e| {
                    e.is_bucket_already_owned_by_you() || e.is_bucket_already_exists()
                }) {
                    Ok(())
                } else {
                    Err(failed(aws_sdk_s3::error::DisplayErrorContext(error)))
                }
            }
        }
    }

    /// Opens a multipart upload; its id.
    pub async fn create_multipart(
        &self,
        key: &str,
        content_type: &str,
    ) -> Result<String, StorageError> {
        let mut request = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key);
        if !content_type.is_empty() {
            request = request.content_type(content_type);
        }
        let output = request
            .send()
            .await
            .map_err(|e| failed(aws_sdk_s3::error::DisplayErrorContext(e)))?;
        output
            .upload_id()
            .map(str::to_owned)
            .ok_or_else(|| failed("CreateMultipartUpload answered without an upload id"))
    }

    /// A presigned `PUT` for part `number`.
    pub async fn part_url(
        &self,
        key: &str,
        multipart_id: &str,
        number: u32,
    ) -> Result<PartUrl, StorageError> {
        let number_i32 = i32::try_from(number).map_err(failed)?;
        let presigned = self
            .client
            .upload_part()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(multipart_id)
            .part_number(number_i32)
            .presigned(PresigningConfig::expires_in(PART_URL_TTL).map_err(failed)?)
            .await
            .map_err(|e| failed(aws_sdk_s3::error::DisplayErrorContext(e)))?;
        Ok(PartUrl {
            part_number: number,
            url: presigned.uri().to_owned(),
            headers: presigned
                .headers()
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect(),
            expires_at: unix_now() + i64::try_from(PART_URL_TTL.as_secs()).unwrap_or(i64::MAX),
        })
    }

    /// The parts storage holds, ascending; `None` when the multipart upload is gone.
    ///
    /// Signed here with aws-sigv4 and read leniently, not through the SDK's `list_parts`:
    /// moto (5.2) answers with a `ListPartsResponse` root where S3 has `ListPartsResult`, and
    /// the SDK refuses the whole answer. The request is S3's own, so this works on both.
    pub async fn list_parts(
        &self,
        key: &str,
        multipart_id: &str,
    ) -> Result<Option<Vec<UploadedPart>>, StorageError> {
        let url = format!(
            "{}?max-parts=1000&uploadId={}",
            self.object_url(key),
            encode(multipart_id)
        );
        let (status, body) = self.signed("GET", &url, Vec::new()).await?;
        if status == reqwest::StatusCode::NOT_FOUND || body.contains("<Code>NoSuchUpload</Code>") {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(failed(format!("ListParts answered {status}: {body}")));
        }
        let mut parts: Vec<UploadedPart> = body
            .split("<Part>")
            .skip(1)
            .map(|part| {
                let field = |name: &str| {
                    part.split_once(&format!("<{name}>"))
                        .and_then(|(_, rest)| rest.split_once(&format!("</{name}>")))
                        .map(|(value, _)| value.replace("&quot;", "\"").replace("&#34;", "\""))
                        .unwrap_or_default()
                };
                UploadedPart {
                    part_number: field("PartNumber").parse().unwrap_or(0),
                    etag: field("ETag"),
                    size: field("Size").parse().unwrap_or(0),
                }
            })
            .collect();
        parts.sort_by_key(|p| p.part_number);
        Ok(Some(parts))
    }

    /// The object's URL under the bucket's, each segment percent-encoded.
    fn object_url(&self, key: &str) -> String {
        let key_path: Vec<String> = key.split('/').map(encode).collect();
        format!("{}/{}", self.bucket_url, key_path.join("/"))
    }

    /// A request signed with `SigV4` (header signature, payload hashed); status and body.
    async fn signed(
        &self,
        method: &str,
        url: &str,
        body: Vec<u8>,
    ) -> Result<(reqwest::StatusCode, String), StorageError> {
        // The role's credentials change over a function's life; the provider caches them.
        let identity = self
            .credentials
            .provide_credentials()
            .await
            .map_err(failed)?
            .into();
        // As S3 checks it: the path as sent (encoded once, by `encode`), not normalised.
        let mut settings = SigningSettings::default();
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("s3")
            .time(std::time::SystemTime::now())
            .settings(settings)
            .build()
            .map_err(failed)?
            .into();
        let signable =
            SignableRequest::new(method, url, std::iter::empty(), SignableBody::Bytes(&body))
                .map_err(failed)?;
        let (instructions, _) = sign(signable, &params).map_err(failed)?.into_parts();
        let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(failed)?;
        let mut request = self.http.request(method, url);
        for (name, value) in instructions.headers() {
            request = request.header(name, value);
        }
        let response = request.body(body).send().await.map_err(failed)?;
        let status = response.status();
        Ok((status, response.text().await.map_err(failed)?))
    }

    /// Completes a multipart upload. Signed by hand for the same reason as
    /// [`ObjectStore::list_parts`] (moto's `CompleteMultipartUploadResponse` root); S3 may
    /// answer 200 with an error in the body, which counts as failure here.
    pub async fn complete(
        &self,
        key: &str,
        multipart_id: &str,
        parts: &[UploadedPart],
    ) -> Result<(), StorageError> {
        let mut xml = String::from("<CompleteMultipartUpload>");
        for part in parts {
            let etag = part
                .etag
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            let _ = write!(
                xml,
                "<Part><PartNumber>{}</PartNumber><ETag>{etag}</ETag></Part>",
                part.part_number
            );
        }
        xml.push_str("</CompleteMultipartUpload>");
        let url = format!("{}?uploadId={}", self.object_url(key), encode(multipart_id));
        let (status, body) = self.signed("POST", &url, xml.into_bytes()).await?;
        if status.is_success() && !body.contains("<Error>") {
            Ok(())
        } else {
            Err(failed(format!(
                "CompleteMultipartUpload answered {status}: {body}"
            )))
        }
    }

    /// Aborts a multipart upload; one already gone is not an error.
    pub async fn abort(&self, key: &str, multipart_id: &str) -> Result<(), StorageError> {
        match self
            .client
            .abort_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(multipart_id)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(
                        aws_sdk_s3::operation::abort_multipart_upload::AbortMultipartUploadError::is_no_such_upload,
                    ) =>
            {
                Ok(())
            }
            Err(error) => Err(failed(aws_sdk_s3::error::DisplayErrorContext(error))),
        }
    }

    /// Streams an object into `path`; its size.
    pub async fn download(&self, key: &str, path: &Path) -> Result<u64, StorageError> {
        let output = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| failed(aws_sdk_s3::error::DisplayErrorContext(e)))?;
        let mut body = output.body;
        let mut file = tokio::fs::File::create(path).await.map_err(failed)?;
        let mut size = 0u64;
        while let Some(chunk) = body.try_next().await.map_err(failed)? {
            size += chunk.len() as u64;
            file.write_all(&chunk).await.map_err(failed)?;
        }
        file.flush().await.map_err(failed)?;
        Ok(size)
    }

    /// Every object key under `prefix`.
    pub async fn list_keys(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let output = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(prefix)
                .set_continuation_token(token.clone())
                .send()
                .await
                .map_err(|e| failed(aws_sdk_s3::error::DisplayErrorContext(e)))?;
            keys.extend(
                output
                    .contents()
                    .iter()
                    .filter_map(|o| o.key().map(str::to_owned)),
            );
            token = output.next_continuation_token().map(str::to_owned);
            if token.is_none() {
                return Ok(keys);
            }
        }
    }

    /// Every open multipart upload of an original (under `uploads/`, all a deployment's role
    /// may abort): (key, id), across pages of a thousand.
    pub async fn list_multipart(&self) -> Result<Vec<(String, String)>, StorageError> {
        let mut open = Vec::new();
        let (mut key_marker, mut id_marker) = (None, None);
        loop {
            let page = self
                .client
                .list_multipart_uploads()
                .bucket(&self.bucket)
                .prefix("uploads/")
                .set_key_marker(key_marker)
                .set_upload_id_marker(id_marker)
                .send()
                .await
                .map_err(|e| failed(aws_sdk_s3::error::DisplayErrorContext(e)))?;
            open.extend(
                page.uploads()
                    .iter()
                    .filter_map(|u| Some((u.key()?.to_owned(), u.upload_id()?.to_owned()))),
            );
            if page.is_truncated() != Some(true) {
                return Ok(open);
            }
            key_marker = page.next_key_marker().map(str::to_owned);
            id_marker = page.next_upload_id_marker().map(str::to_owned);
            if key_marker.is_none() && id_marker.is_none() {
                return Ok(open);
            }
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| failed(aws_sdk_s3::error::DisplayErrorContext(e)))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_s3::config::{BehaviorVersion, Credentials, SharedCredentialsProvider};

    use super::ObjectStore;

    fn deployed(bucket: &str, endpoint: Option<&str>) -> ObjectStore {
        ObjectStore::deployed(
            aws_sdk_s3::Config::builder().behavior_version(BehaviorVersion::latest()),
            SharedCredentialsProvider::new(Credentials::new("a", "b", Some("t".into()), None, "t")),
            "eu-west-1",
            bucket,
            endpoint,
        )
    }

    #[test]
    fn a_deployments_bucket_is_addressed_by_its_own_host_and_keys_as_s3_signs_them() {
        let store = deployed("strato-uploadsbucket-1a2b3c", None);
        assert_eq!(
            store.object_url("uploads/us-east-1:ab/up-1f~x/my song.flac"),
            "https://strato-uploadsbucket-1a2b3c.s3.eu-west-1.amazonaws.com/uploads/us-east-1%3Aab/up-1f~x/my%20song.flac"
        );
        // A dot in the name would not match the host's certificate.
        assert_eq!(
            deployed("strato.uploads", None).object_url("uploads/a"),
            "https://s3.eu-west-1.amazonaws.com/strato.uploads/uploads/a"
        );
        assert_eq!(
            deployed("b", Some("http://127.0.0.1:5000/")).object_url("uploads/a"),
            "http://127.0.0.1:5000/b/uploads/a"
        );
    }
}
