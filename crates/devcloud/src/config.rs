//! The command line, and the settings derived from it once Cognito is known.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgGroup, Parser};

use crate::subsonic::credentials::{SubsonicApiKey, SubsonicUser};

/// The service's settings as a deployment has them (devcloud's defaults; a deployment's
/// functions take the same).
pub mod defaults {
    /// How long the home feed's picks stay the same.
    pub const HOME_RESHUFFLE_SECS: u64 = 3600;
    /// How long stream and download grants stay valid.
    pub const GRANT_TTL_SECS: u64 = 3600;
    /// The largest file a listener may upload.
    pub const UPLOAD_MAX_BYTES: u64 = 1 << 30;
    /// The longest track a listener may upload.
    pub const UPLOAD_MAX_DURATION_SECS: u64 = 3 * 3600;
    /// Each listener's storage for uploads.
    pub const UPLOAD_QUOTA_BYTES: u64 = 10 << 30;
    /// The longest a live connection lives (API Gateway's limit).
    pub const LIVE_MAX_LIFE_SECS: u64 = 2 * 3600;
}

/// `devcloud`'s command line. See `docs/api.md` for what each part serves.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "devcloud",
    version,
    about = "Local stand-in for Strato's cloud: Cognito-verified REST API, signed CDN, fault injection",
    group(ArgGroup::new("cognito").required(true).args(["cognito_emulator", "user_pool_id"]))
)]
pub struct Args {
    /// The generated media: `catalog.json`, `media/**`, `art/**`.
    #[arg(long)]
    pub media_dir: PathBuf,
    /// Where state lives: the playlists database and the CloudFront key pair.
    #[arg(long)]
    pub data_dir: PathBuf,
    /// The REST API's listener. Port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub api_addr: SocketAddr,
    /// The CDN's listener (a separate host in a real deployment). Port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8788")]
    pub cdn_addr: SocketAddr,
    /// Written atomically, as JSON, once both listeners are bound.
    #[arg(long)]
    pub ready_file: Option<PathBuf>,
    /// How long the home feed's picks stay the same.
    #[arg(long, default_value_t = defaults::HOME_RESHUFFLE_SECS, value_parser = clap::value_parser!(u64).range(1..))]
    pub home_reshuffle_secs: u64,
    /// How long stream and download grants stay valid.
    #[arg(long, default_value_t = defaults::GRANT_TTL_SECS, value_parser = clap::value_parser!(u64).range(1..))]
    pub grant_ttl_secs: u64,
    /// Fault rules to load at start (a JSON array of rules).
    #[arg(long)]
    pub faults: Option<PathBuf>,
    /// A moto server to provision (pool, app client, demo user) and trust.
    #[arg(long, conflicts_with_all = ["cognito_region", "jwks_url", "issuer"])]
    pub cognito_emulator: Option<String>,
    /// The real Cognito user pool's region.
    #[arg(long, requires_all = ["user_pool_id"])]
    pub cognito_region: Option<String>,
    /// The real Cognito user pool.
    #[arg(long, requires_all = ["cognito_region", "client_id"])]
    pub user_pool_id: Option<String>,
    /// The app client (without a secret) whose access tokens are accepted.
    #[arg(long)]
    pub client_id: Option<String>,
    /// Overrides the JWKS URL derived from region and pool.
    #[arg(long)]
    pub jwks_url: Option<String>,
    /// Overrides the expected `iss` derived from region and pool.
    #[arg(long)]
    pub issuer: Option<String>,
    /// The S3 endpoint of the upload bucket; the Cognito emulator's (moto serves both) when
    /// absent, else AWS's regional endpoint.
    #[arg(long)]
    pub s3_endpoint: Option<String>,
    /// The bucket listeners' uploads go to (made if missing).
    #[arg(long, default_value = "strato-uploads")]
    pub upload_bucket: String,
    /// The largest file a listener may upload.
    #[arg(long, default_value_t = defaults::UPLOAD_MAX_BYTES)]
    pub upload_max_bytes: u64,
    /// The longest track a listener may upload.
    #[arg(long, default_value_t = defaults::UPLOAD_MAX_DURATION_SECS)]
    pub upload_max_duration_secs: u64,
    /// Each listener's storage for uploads.
    #[arg(long, default_value_t = defaults::UPLOAD_QUOTA_BYTES)]
    pub upload_quota_bytes: u64,
    /// The longest a live connection lives before the service closes it (code 4000), as
    /// API Gateway closes WebSocket connections after two hours.
    #[arg(long, default_value_t = defaults::LIVE_MAX_LIFE_SECS, value_parser = clap::value_parser!(u64).range(1..))]
    pub live_max_life_secs: u64,
    /// The live channel's address to tell clients (`live_url` in `/v1/config`) when it is not
    /// this API's own `/v1/live`: a deployment's WebSocket API stands elsewhere.
    #[arg(long)]
    pub live_url: Option<String>,
    /// How often the collector removes what deleted uploads left in storage.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub collect_interval_secs: u64,
    /// An `OpenSubsonic` account at `/rest/` (devcloud only), `NAME:PASSWORD`; repeatable.
    #[arg(long = "subsonic-user", value_name = "NAME:PASSWORD", value_parser = SubsonicUser::parse)]
    pub subsonic_users: Vec<SubsonicUser>,
    /// An `OpenSubsonic` API key and the account it signs in as, `KEY:NAME`; repeatable.
    #[arg(long = "subsonic-api-key", value_name = "KEY:NAME", value_parser = SubsonicApiKey::parse)]
    pub subsonic_api_keys: Vec<SubsonicApiKey>,
    /// Refuse the legacy password (`p`) at `/rest/` with error 42, as a server that dropped
    /// it does; tokens and API keys still work.
    #[arg(long)]
    pub subsonic_refuse_passwords: bool,
}

/// Where identities come from, as the command line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CognitoSource {
    /// Provision a moto server at this URL and trust its tokens.
    Emulator { endpoint: String },
    /// A real user pool, already set up.
    Aws {
        region: String,
        user_pool_id: String,
        client_id: String,
        jwks_url: Option<String>,
        issuer: Option<String>,
    },
}

impl Args {
    /// Which Cognito to use. clap's argument groups guarantee one of the two is complete.
    #[must_use]
    pub fn cognito_source(&self) -> CognitoSource {
        match (&self.cognito_emulator, &self.user_pool_id) {
            (Some(endpoint), _) => CognitoSource::Emulator {
                endpoint: endpoint.trim_end_matches('/').to_owned(),
            },
            (None, Some(pool)) => CognitoSource::Aws {
                region: self.cognito_region.clone().unwrap_or_default(),
                user_pool_id: pool.clone(),
                client_id: self.client_id.clone().unwrap_or_default(),
                jwks_url: self.jwks_url.clone(),
                issuer: self.issuer.clone(),
            },
            (None, None) => unreachable!("clap requires --cognito-emulator or --user-pool-id"),
        }
    }

    #[must_use]
    pub fn grant_ttl(&self) -> Duration {
        Duration::from_secs(self.grant_ttl_secs)
    }
}

/// The user pool devcloud trusts, resolved (and, for an emulator, provisioned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CognitoSettings {
    pub region: String,
    pub user_pool_id: String,
    pub client_id: String,
    /// The Cognito API endpoint clients talk to: the emulator, or the regional AWS endpoint.
    pub endpoint: String,
    /// Set only when emulating; clients must then override the regional endpoint.
    pub emulator: bool,
    pub jwks_url: String,
    pub issuer: String,
    /// The demo account, when devcloud created it.
    pub demo_user: Option<(String, String)>,
}

impl CognitoSettings {
    /// Settings for a real pool: JWKS and issuer default to the regional Cognito URLs.
    #[must_use]
    pub fn aws(
        region: String,
        user_pool_id: String,
        client_id: String,
        jwks_url: Option<String>,
        issuer: Option<String>,
    ) -> Self {
        let issuer = issuer.unwrap_or_else(|| aws_issuer(&region, &user_pool_id));
        let jwks_url = jwks_url.unwrap_or_else(|| format!("{issuer}/.well-known/jwks.json"));
        Self {
            endpoint: format!("https://cognito-idp.{region}.amazonaws.com"),
            region,
            user_pool_id,
            client_id,
            emulator: false,
            jwks_url,
            issuer,
            demo_user: None,
        }
    }
}

/// The `iss` claim of a pool's tokens. moto uses the real AWS URL too.
#[must_use]
pub fn aws_issuer(region: &str, user_pool_id: &str) -> String {
    format!("https://cognito-idp.{region}.amazonaws.com/{user_pool_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        let mut all = vec!["devcloud", "--media-dir", "m", "--data-dir", "d"];
        all.extend_from_slice(args);
        Args::try_parse_from(all)
    }

    #[test]
    fn emulator_or_pool_is_required() {
        assert!(parse(&[]).is_err());
        let args = parse(&["--cognito-emulator", "http://127.0.0.1:5000/"]).unwrap();
        assert_eq!(
            args.cognito_source(),
            CognitoSource::Emulator {
                endpoint: "http://127.0.0.1:5000".into()
            }
        );
    }

    #[test]
    fn a_real_pool_needs_region_and_client() {
        assert!(parse(&["--user-pool-id", "p"]).is_err());
        let args = parse(&[
            "--user-pool-id",
            "p",
            "--cognito-region",
            "eu-west-1",
            "--client-id",
            "c",
        ])
        .unwrap();
        let CognitoSource::Aws {
            region,
            jwks_url,
            issuer,
            ..
        } = args.cognito_source()
        else {
            panic!("expected a real pool");
        };
        let settings = CognitoSettings::aws(region, "p".into(), "c".into(), jwks_url, issuer);
        assert_eq!(
            settings.issuer,
            "https://cognito-idp.eu-west-1.amazonaws.com/p"
        );
        assert_eq!(
            settings.jwks_url,
            "https://cognito-idp.eu-west-1.amazonaws.com/p/.well-known/jwks.json"
        );
    }

    #[test]
    fn emulator_conflicts_with_real_pool_overrides() {
        assert!(parse(&["--cognito-emulator", "http://x", "--issuer", "i"]).is_err());
    }

    #[test]
    fn subsonic_accounts_and_keys_repeat_and_stay_secret() {
        let args = parse(&[
            "--cognito-emulator",
            "http://x",
            "--subsonic-user",
            "alice:pa:ss",
            "--subsonic-user",
            "bob:word",
            "--subsonic-api-key",
            "k3y:alice",
        ])
        .unwrap();
        let users: Vec<_> = args
            .subsonic_users
            .iter()
            .map(|u| u.name.as_str())
            .collect();
        assert_eq!(users, ["alice", "bob"]);
        assert_eq!(args.subsonic_users[0].password, "pa:ss");
        assert_eq!(args.subsonic_api_keys[0].key, "k3y");
        assert_eq!(args.subsonic_api_keys[0].user, "alice");
        assert!(!args.subsonic_refuse_passwords);
        let shown = format!("{args:?}");
        assert!(
            !shown.contains("pa:ss") && !shown.contains("k3y"),
            "{shown}"
        );
        assert!(parse(&["--cognito-emulator", "http://x", "--subsonic-user", "alice"]).is_err());
        assert!(
            parse(&[
                "--cognito-emulator",
                "http://x",
                "--subsonic-api-key",
                "nokey"
            ])
            .is_err()
        );
    }

    #[test]
    fn zero_ttl_is_refused() {
        assert!(parse(&["--cognito-emulator", "http://x", "--grant-ttl-secs", "0"]).is_err());
    }
}
