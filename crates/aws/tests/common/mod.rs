//! What the function tests share: a deployment's resources made in moto, and an instance of
//! a function started as Lambda starts it.

// Each test file uses its own part of what they share.
#![allow(dead_code)]

use std::collections::HashMap;
use std::process::Stdio;

use rsa::RsaPrivateKey;
use rsa::pkcs8::{EncodePrivateKey as _, LineEnding};
use strato_aws::bodies::local_s3_client;
use strato_aws::deployment::CATALOG_KEY;
use strato_aws::runtime::RuntimeApi;
use strato_aws::tables::{self, Tables};
use strato_testkit::CognitoAdmin;
use strato_testkit::Moto;
use tokio::process::{Child, Command};

pub const CDN_URL: &str = "https://d111111abcdef8.cloudfront.net";
pub const KEY_PAIR_ID: &str = "K2JCJMDEHXQW5F";
/// The WebSocket API's stage, as the stack names it.
pub const LIVE_URL: &str = "wss://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/live";
/// Instances polling the runtime API at once, as Lambda scales a function out.
pub const INSTANCES: usize = 2;

/// A deployment's resources in moto, and the variables the stack would give the function.
pub struct Deployment {
    pub vars: HashMap<String, String>,
    pub client_id: String,
    pub pool: CognitoAdmin,
    /// The CDN's key, as `CloudFront`'s trusted key group holds its public half.
    pub key: RsaPrivateKey,
}

pub async fn deploy(moto: &Moto) -> Deployment {
    let endpoint = moto.url();
    let cognito = strato_devcloud::auth::cognito::provision(endpoint)
        .await
        .unwrap();
    let region = cognito.region.clone();
    let prefix = format!("f{}", uuid::Uuid::new_v4().simple());
    let tables = Tables::prefixed(&prefix);
    tables::create(&strato_aws::local_client(endpoint, &region), &tables)
        .await
        .unwrap();

    let s3 = local_s3_client(endpoint, &region);
    let (uploads, media) = (format!("{prefix}-uploads"), format!("{prefix}-media"));
    for bucket in [&uploads, &media] {
        s3.create_bucket().bucket(bucket).send().await.unwrap();
    }
    let catalog = std::fs::read(strato_testkit::media_dir().join("catalog.json")).unwrap();
    s3.put_object()
        .bucket(&media)
        .key(CATALOG_KEY)
        .body(catalog.into())
        .send()
        .await
        .unwrap();

    let queue = strato_aws::queue::local_sqs_client(endpoint, &region)
        .create_queue()
        .queue_name(format!("{prefix}-process"))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();

    let key = RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
    let secrets = aws_sdk_secretsmanager::Client::new(&strato_aws::local_config(endpoint, &region));
    let secret = secrets
        .create_secret()
        .name(format!("{prefix}-cdn-key"))
        .secret_string(key.to_pkcs8_pem(LineEnding::LF).unwrap().as_str())
        .send()
        .await
        .unwrap()
        .arn
        .unwrap();

    let vars = [
        ("STRATO_REGION", region.as_str()),
        ("STRATO_PLAYLISTS_TABLE", &tables.playlists),
        ("STRATO_IDEMPOTENCY_TABLE", &tables.idempotency),
        ("STRATO_UPLOADS_TABLE", &tables.uploads),
        ("STRATO_USERS_TABLE", &tables.users),
        ("STRATO_TELEMETRY_TABLE", &tables.telemetry),
        ("STRATO_MEDIA_BUCKET", &media),
        ("STRATO_UPLOADS_BUCKET", &uploads),
        ("STRATO_PROCESS_QUEUE_URL", &queue),
        // The stack's is 60; a test waits a second.
        ("STRATO_PROCESS_RETRY_SECS", "1"),
        ("STRATO_CDN_URL", CDN_URL),
        ("STRATO_CDN_KEY_PAIR_ID", KEY_PAIR_ID),
        ("STRATO_CDN_PRIVATE_KEY_SECRET_ARN", &secret),
        ("STRATO_USER_POOL_ID", &cognito.user_pool_id),
        ("STRATO_CLIENT_ID", &cognito.client_id),
        ("STRATO_LIVE_URL", LIVE_URL),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect();
    Deployment {
        vars,
        client_id: cognito.client_id.clone(),
        pool: CognitoAdmin::new(endpoint, &region, &cognito.user_pool_id),
        key,
    }
}

/// The tables `vars` name, as the API function has them.
pub fn tables_of(vars: &HashMap<String, String>) -> Tables {
    Tables {
        playlists: vars["STRATO_PLAYLISTS_TABLE"].clone(),
        idempotency: vars["STRATO_IDEMPOTENCY_TABLE"].clone(),
        uploads: vars["STRATO_UPLOADS_TABLE"].clone(),
        users: vars["STRATO_USERS_TABLE"].clone(),
        connections: String::new(),
        telemetry: vars["STRATO_TELEMETRY_TABLE"].clone(),
    }
}

/// One instance of the function, as Lambda starts it: the runtime's variables, the role's
/// credentials, the stack's variables. `bin` is this build's executable, unless
/// `STRATO_LAMBDA_DIR` names the folder `scripts/package --aws` built into
/// (`$CARGO_TARGET_DIR/lambda`): then it is the function's `bootstrap` there, as deployed.
pub fn instance(
    bin: &str,
    moto: &Moto,
    runtime: &RuntimeApi,
    vars: &HashMap<String, String>,
    stderr: Stdio,
) -> Child {
    let executable = match std::env::var_os("STRATO_LAMBDA_DIR") {
        Some(dir) => {
            let bootstrap = std::path::Path::new(&dir)
                .join(function_name(bin))
                .join("bootstrap");
            assert!(bootstrap.is_file(), "no {}", bootstrap.display());
            bootstrap
        }
        None => bin.into(),
    };
    Command::new(executable)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_LAMBDA_RUNTIME_API", runtime.address())
        .env("AWS_LAMBDA_FUNCTION_NAME", function_name(bin))
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_REGION", &vars["STRATO_REGION"])
        .env("AWS_ACCESS_KEY_ID", "strato")
        .env("AWS_SECRET_ACCESS_KEY", "strato")
        .env("AWS_SESSION_TOKEN", "session")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", moto.url())
        .envs(vars)
        .stdout(Stdio::null())
        .stderr(stderr)
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

/// The function a bootstrap is, by its file's name.
fn function_name(bin: &str) -> String {
    std::path::Path::new(bin)
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// How an instance's set-up ended: it must stop by itself, and soon.
pub async fn set_up_of(instance: Child) -> std::process::Output {
    tokio::time::timeout(
        std::time::Duration::from_secs(60),
        instance.wait_with_output(),
    )
    .await
    .expect("the instance kept running: its set-up did not fail")
    .unwrap()
}
