//! The fault rule as the admin API takes it (`docs/api.md`, "Fault injection"). A client-side
//! copy of devcloud's type; a devcloud unit test checks the two stay compatible.

use serde::{Deserialize, Serialize};

/// Which devcloud listener a rule applies to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultTarget {
    Api,
    Cdn,
    #[default]
    Any,
}

/// A fault rule. Build with struct update syntax:
/// `FaultRule { latency_ms: Some(200), ..FaultRule::new("/media/**") }`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default)]
    pub target: FaultTarget,
    /// Glob over the request path: `*` within a segment, `**` across segments.
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth_bytes_per_sec: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_after_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stall_after_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stall_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_status: Option<u16>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reject_signatures: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub corrupt: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_ttl_secs: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
}

impl FaultRule {
    /// A rule for `path` that does nothing yet.
    #[must_use]
    pub fn new(path: &str) -> Self {
        Self {
            path: path.to_owned(),
            ..Self::default()
        }
    }

    /// Only requests to this listener.
    #[must_use]
    pub fn on(mut self, target: FaultTarget) -> Self {
        self.target = target;
        self
    }
}
