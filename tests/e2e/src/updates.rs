//! Releases of Strato for the app's updater, published on the test's devcloud
//! (`<data dir>/updates/`, see `crates/devcloud/src/cdn/updates.rs`) and signed as the
//! release workflow signs them: minisign, with the version in the trusted comment. The key
//! pair is made once per test process; the app under test trusts its public half through
//! `STRATO_UPDATES_PUBKEY`, which only debug builds read.

use std::path::Path;
use std::sync::OnceLock;

use anyhow::{Context, Result};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use minisign::KeyPair;

/// The platform a release's package is listed under for this machine, as the updater looks
/// it up: `{os}-{arch}`, and `{os}-{arch}-{installer}` for an installed package.
#[must_use]
pub fn platform(installer: Option<&str>) -> String {
    let os = if cfg!(target_os = "macos") {
        "darwin"
    } else {
        std::env::consts::OS
    };
    let base = format!("{os}-{}", std::env::consts::ARCH);
    installer.map_or_else(|| base.clone(), |installer| format!("{base}-{installer}"))
}

/// The test run's release key.
pub struct ReleaseKey(KeyPair);

impl std::fmt::Debug for ReleaseKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReleaseKey")
    }
}

impl ReleaseKey {
    /// The key of this test process.
    ///
    /// # Panics
    /// When the system has no randomness to make one.
    pub fn of_this_run() -> &'static Self {
        static KEY: OnceLock<ReleaseKey> = OnceLock::new();
        KEY.get_or_init(|| {
            Self(KeyPair::generate_unencrypted_keypair().expect("a minisign key pair"))
        })
    }

    /// The public key as the app's configuration holds it: the minisign public key file,
    /// in base64.
    ///
    /// # Panics
    /// Never: a generated key always encodes.
    #[must_use]
    pub fn public(&self) -> String {
        let text = self.0.pk.to_box().expect("a public key box").into_string();
        STANDARD.encode(text)
    }

    /// `data`'s signature for `version`, as a release manifest holds it: the minisign
    /// signature file, in base64.
    ///
    /// # Errors
    /// When signing fails.
    pub fn sign(&self, data: &[u8], version: &str) -> Result<String> {
        let trusted = format!("timestamp:1764892800\tfile:strato\tversion:{version}");
        let signature = minisign::sign(Some(&self.0.pk), &self.0.sk, data, Some(&trusted), None)
            .context("signing the package")?;
        Ok(STANDARD.encode(signature.into_string()))
    }
}

/// A release as the manifest names it.
#[derive(Debug, Clone)]
pub struct Release<'a> {
    pub version: &'a str,
    pub notes: &'a str,
    /// The package's file name in the release folder.
    pub file: &'a str,
    /// `{os}-{arch}[-{installer}]` entries it is listed under.
    pub platforms: Vec<String>,
}

/// Publishes `release` with `package` in devcloud's release folder, signed by this run's
/// key: what the update server offers from now on.
///
/// # Errors
/// When the folder cannot be written.
pub fn publish(devcloud_data: &Path, release: &Release<'_>, package: &[u8]) -> Result<()> {
    let signature = ReleaseKey::of_this_run().sign(package, release.version)?;
    let folder = devcloud_data.join("updates");
    std::fs::create_dir_all(&folder)?;
    std::fs::write(folder.join(release.file), package)?;
    write_manifest(devcloud_data, &manifest(release, &signature))
}

/// The manifest of `release` with `signature` for its package.
#[must_use]
pub fn manifest(release: &Release<'_>, signature: &str) -> serde_json::Value {
    let platforms: serde_json::Map<String, serde_json::Value> = release
        .platforms
        .iter()
        .map(|platform| {
            (
                platform.clone(),
                serde_json::json!({ "url": release.file, "signature": signature }),
            )
        })
        .collect();
    serde_json::json!({
        "version": release.version,
        "notes": release.notes,
        "pub_date": "2026-12-01T10:00:00Z",
        "platforms": platforms,
    })
}

/// Replaces the manifest devcloud serves (a tampered one, in tests of refusals).
///
/// # Errors
/// When the folder cannot be written.
pub fn write_manifest(devcloud_data: &Path, manifest: &serde_json::Value) -> Result<()> {
    write_manifest_text(devcloud_data, &manifest.to_string())
}

/// Replaces the manifest with any text, JSON or not.
///
/// # Errors
/// When the folder cannot be written.
pub fn write_manifest_text(devcloud_data: &Path, text: &str) -> Result<()> {
    let folder = devcloud_data.join("updates");
    std::fs::create_dir_all(&folder)?;
    // Whole or not at all: devcloud reads it on each request.
    let partial = folder.join("latest.json.partial");
    std::fs::write(&partial, text)?;
    std::fs::rename(&partial, folder.join("latest.json"))?;
    Ok(())
}
