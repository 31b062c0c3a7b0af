use serde::{Deserialize, Serialize};

/// An RFC 9457 `application/problem+json` body. Every error response of the API carries one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// A stable identifier of the error; see [`ProblemType`].
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The stable `type` values of [`Problem`]. Clients branch on these, never on `title`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemType {
    /// 400: the request is malformed.
    BadRequest,
    /// 401: no token, or one that is expired, tampered, or for another client.
    Unauthorized,
    /// 404: no such resource (or not this user's).
    NotFound,
    /// 409: the `Idempotency-Key` was used before with a different request.
    IdempotencyConflict,
    /// 412: `If-Match` named a revision that is no longer current.
    RevisionMismatch,
    /// 428: a playlist write came without `If-Match`.
    RevisionRequired,
    /// 403: the caller may not do this (moderation by a listener who is not an administrator).
    Forbidden,
    /// 409: the upload's state does not allow it (completing a finished upload, making a
    /// taken-down track public).
    UploadConflict,
    /// 413: the file is larger than the service accepts.
    FileTooLarge,
    /// 413: the file does not fit in what is left of the listener's storage.
    QuotaExceeded,
    /// 415: not a kind of file the service accepts.
    UnsupportedFormat,
    /// 500 and other server faults.
    Internal,
}

impl ProblemType {
    const PREFIX: &'static str = "urn:strato:problem:";

    #[must_use]
    pub fn uri(self) -> String {
        format!("{}{}", Self::PREFIX, self.slug())
    }

    #[must_use]
    pub fn slug(self) -> &'static str {
        match self {
            Self::BadRequest => "bad-request",
            Self::Unauthorized => "unauthorized",
            Self::NotFound => "not-found",
            Self::IdempotencyConflict => "idempotency-conflict",
            Self::RevisionMismatch => "revision-mismatch",
            Self::RevisionRequired => "revision-required",
            Self::Forbidden => "forbidden",
            Self::UploadConflict => "upload-conflict",
            Self::FileTooLarge => "file-too-large",
            Self::QuotaExceeded => "quota-exceeded",
            Self::UnsupportedFormat => "unsupported-format",
            Self::Internal => "internal",
        }
    }

    #[must_use]
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Unauthorized => 401,
            Self::NotFound => 404,
            Self::IdempotencyConflict | Self::UploadConflict => 409,
            Self::RevisionMismatch => 412,
            Self::RevisionRequired => 428,
            Self::Forbidden => 403,
            Self::FileTooLarge | Self::QuotaExceeded => 413,
            Self::UnsupportedFormat => 415,
            Self::Internal => 500,
        }
    }

    /// Reads a `type` URI back; `None` for types this client does not know.
    #[must_use]
    pub fn from_uri(uri: &str) -> Option<Self> {
        let slug = uri.strip_prefix(Self::PREFIX)?;
        [
            Self::BadRequest,
            Self::Unauthorized,
            Self::NotFound,
            Self::IdempotencyConflict,
            Self::RevisionMismatch,
            Self::RevisionRequired,
            Self::Forbidden,
            Self::UploadConflict,
            Self::FileTooLarge,
            Self::QuotaExceeded,
            Self::UnsupportedFormat,
            Self::Internal,
        ]
        .into_iter()
        .find(|t| t.slug() == slug)
    }
}

impl Problem {
    #[must_use]
    pub fn new(problem_type: ProblemType, title: impl Into<String>) -> Self {
        Self {
            problem_type: problem_type.uri(),
            title: title.into(),
            status: problem_type.status(),
            detail: None,
        }
    }

    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    #[must_use]
    pub fn kind(&self) -> Option<ProblemType> {
        ProblemType::from_uri(&self.problem_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_uris_round_trip() {
        for t in [
            ProblemType::BadRequest,
            ProblemType::RevisionMismatch,
            ProblemType::IdempotencyConflict,
        ] {
            assert_eq!(ProblemType::from_uri(&t.uri()), Some(t));
        }
        assert_eq!(ProblemType::from_uri("urn:strato:problem:nope"), None);
    }

    #[test]
    fn problem_serialises_with_type_field() {
        let p = Problem::new(ProblemType::NotFound, "No such track").with_detail("tr-x");
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["type"], "urn:strato:problem:not-found");
        assert_eq!(json["status"], 404);
    }
}
