//! Fault injection: rules that slow, break or refuse matching requests, so tests and
//! benchmarks can exercise the client's handling of a misbehaving cloud.
//!
//! Rules come from `--faults FILE` and from the loopback-only admin API ([`admin`]). Each
//! request is matched against the live rules once, by [`layer`], which turns them into a
//! [`FaultPlan`]: latency and errors act before the handler, body faults ([`body`]) on the
//! response stream, and `reject_signatures` / `grant_ttl_secs` are read by the CDN and grant
//! handlers from the request's extensions.

pub mod admin;
pub mod body;
pub mod layer;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::glob::{Wildcards, matches};
use crate::rng::SplitMix64;

/// Which listener a rule applies to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Api,
    Cdn,
    #[default]
    Any,
}

impl Target {
    fn covers(self, listener: Target) -> bool {
        self == Target::Any || self == listener
    }
}

/// One fault rule. All fields but `path` are optional; see `docs/api.md`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// Assigned (`f1`, `f2`, ...) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default)]
    pub target: Target,
    /// A glob over the request path (no query): `*` and `?` within a segment, `**` across.
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Extra latency drawn uniformly from `0..=jitter_ms` per request (network jitter).
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
    /// Probability in `0..=1` of answering `error_status` instead of the real response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_rate: Option<f64>,
    /// Default 503.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_status: Option<u16>,
    /// The CDN answers 403 as if the signature had expired.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reject_signatures: bool,
    /// Every body byte is flipped (XOR 0xA5), length kept: a corrupt file, not a short one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub corrupt: bool,
    /// Stream and download grants issued for matching API requests expire this soon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_ttl_secs: Option<u64>,
    /// Apply to the first N matching requests only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
}

pub const DEFAULT_ERROR_STATUS: u16 = 503;

impl FaultRule {
    fn validate(&self) -> Result<(), String> {
        if self.path.is_empty() {
            return Err("path must not be empty".into());
        }
        if self.error_rate.is_some_and(|r| !(0.0..=1.0).contains(&r)) {
            return Err("error_rate must be between 0 and 1".into());
        }
        if self.error_status.is_some_and(|s| !(400..=599).contains(&s)) {
            return Err("error_status must be a 4xx or 5xx status".into());
        }
        if self.bandwidth_bytes_per_sec == Some(0) {
            return Err("bandwidth_bytes_per_sec must be at least 1".into());
        }
        if self.stall_after_bytes.is_some() != self.stall_ms.is_some() {
            return Err("stall_after_bytes and stall_ms go together".into());
        }
        if self
            .id
            .as_deref()
            .is_some_and(|id| id.is_empty() || id.contains('/'))
        {
            return Err("id must be non-empty and without '/'".into());
        }
        Ok(())
    }
}

/// A rule as listed by `GET /admin/faults`, with how often it has applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaultView {
    #[serde(flatten)]
    pub rule: FaultRule,
    /// Matching requests so far.
    pub applied: u64,
    /// `times` is used up.
    pub spent: bool,
}

/// Why a rule or rules file was refused.
#[derive(Debug, thiserror::Error)]
pub enum FaultError {
    #[error("invalid fault rule: {0}")]
    Invalid(String),
    #[error("a fault rule with id {0:?} already exists")]
    DuplicateId(String),
    #[error("reading faults file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("faults file {}: {source}", path.display())]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// Body faults of one response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BodyFaults {
    pub bandwidth_bytes_per_sec: Option<u64>,
    pub drop_after_bytes: Option<u64>,
    /// Pause once for the duration after this many bytes.
    pub stall: Option<(u64, Duration)>,
    /// Flip every byte.
    pub corrupt: bool,
}

impl BodyFaults {
    #[must_use]
    pub fn is_active(&self) -> bool {
        *self != Self::default()
    }
}

/// What the matching rules do to one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultPlan {
    /// The rules that matched, for the log.
    pub rule_ids: Vec<String>,
    pub latency: Duration,
    /// Answer this status instead of the real response.
    pub error_status: Option<u16>,
    pub body: BodyFaults,
    pub reject_signatures: bool,
    pub grant_ttl_secs: Option<u64>,
}

#[derive(Debug)]
struct Entry {
    rule: FaultRule,
    applied: u64,
    rng: SplitMix64,
}

impl Entry {
    fn spent(&self) -> bool {
        self.rule.times.is_some_and(|times| self.applied >= times)
    }

    fn view(&self) -> FaultView {
        FaultView {
            rule: self.rule.clone(),
            applied: self.applied,
            spent: self.spent(),
        }
    }
}

#[derive(Debug, Default)]
struct Rules {
    entries: Vec<Entry>,
    next_id: u64,
}

/// The live rules, shared by both listeners and the admin API.
#[derive(Debug, Default)]
pub struct FaultStore {
    rules: Mutex<Rules>,
}

impl FaultStore {
    /// Reads a JSON array of rules.
    pub fn load(path: &Path) -> Result<Self, FaultError> {
        let text = std::fs::read(path).map_err(|source| FaultError::Read {
            path: path.to_owned(),
            source,
        })?;
        let rules: Vec<FaultRule> =
            serde_json::from_slice(&text).map_err(|source| FaultError::Parse {
                path: path.to_owned(),
                source,
            })?;
        let store = Self::default();
        for rule in rules {
            store.add(rule)?;
        }
        Ok(store)
    }

    fn lock(&self) -> MutexGuard<'_, Rules> {
        self.rules.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a rule, assigning an id if it has none; returns it as stored.
    pub fn add(&self, mut rule: FaultRule) -> Result<FaultRule, FaultError> {
        rule.validate().map_err(FaultError::Invalid)?;
        let mut rules = self.lock();
        let id = match rule.id.take() {
            Some(id) => id,
            None => loop {
                rules.next_id += 1;
                let candidate = format!("f{}", rules.next_id);
                if !rules
                    .entries
                    .iter()
                    .any(|e| e.rule.id.as_deref() == Some(&candidate))
                {
                    break candidate;
                }
            },
        };
        if rules
            .entries
            .iter()
            .any(|e| e.rule.id.as_deref() == Some(&id))
        {
            return Err(FaultError::DuplicateId(id));
        }
        rule.id = Some(id.clone());
        rules.entries.push(Entry {
            rule: rule.clone(),
            applied: 0,
            rng: SplitMix64::from_text(&id),
        });
        Ok(rule)
    }

    #[must_use]
    pub fn list(&self) -> Vec<FaultView> {
        self.lock().entries.iter().map(Entry::view).collect()
    }

    /// Whether a rule with that id existed.
    pub fn remove(&self, id: &str) -> bool {
        let mut rules = self.lock();
        let before = rules.entries.len();
        rules.entries.retain(|e| e.rule.id.as_deref() != Some(id));
        rules.entries.len() != before
    }

    pub fn clear(&self) {
        self.lock().entries.clear();
    }

    /// Matches a request on `listener` for `path` against the live rules, counting it
    /// against each matching rule's `times`.
    pub fn plan(&self, listener: Target, path: &str) -> FaultPlan {
        let mut plan = FaultPlan::default();
        let mut rules = self.lock();
        for entry in &mut rules.entries {
            if entry.spent()
                || !entry.rule.target.covers(listener)
                || !matches(&entry.rule.path, path, Wildcards::Path)
            {
                continue;
            }
            entry.applied += 1;
            let rule = &entry.rule;
            plan.rule_ids.push(rule.id.clone().unwrap_or_default());
            plan.latency += Duration::from_millis(rule.latency_ms.unwrap_or(0));
            if let Some(jitter) = rule.jitter_ms.filter(|&j| j > 0) {
                #[allow(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    clippy::cast_precision_loss
                )]
                let extra = (entry.rng.next_f64() * (jitter + 1) as f64) as u64;
                plan.latency += Duration::from_millis(extra.min(jitter));
            }
            if let Some(rate) = rule.error_rate
                && plan.error_status.is_none()
                && entry.rng.next_f64() < rate
            {
                plan.error_status = Some(rule.error_status.unwrap_or(DEFAULT_ERROR_STATUS));
            }
            let body = &mut plan.body;
            body.bandwidth_bytes_per_sec =
                min_some(body.bandwidth_bytes_per_sec, rule.bandwidth_bytes_per_sec);
            body.drop_after_bytes = min_some(body.drop_after_bytes, rule.drop_after_bytes);
            if body.stall.is_none()
                && let (Some(after), Some(ms)) = (rule.stall_after_bytes, rule.stall_ms)
            {
                body.stall = Some((after, Duration::from_millis(ms)));
            }
            plan.reject_signatures |= rule.reject_signatures;
            body.corrupt |= rule.corrupt;
            plan.grant_ttl_secs = min_some(plan.grant_ttl_secs, rule.grant_ttl_secs);
        }
        plan
    }
}

fn min_some(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests;
