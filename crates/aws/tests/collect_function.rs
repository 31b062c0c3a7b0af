//! The collector function as deployed: the built `strato-collect` bootstrap polling Lambda's
//! runtime API, invoked with the event an hourly `EventBridge` rule sends, over a deployment's
//! buckets and tables in moto. What the collector keeps and takes is devcloud's own rule,
//! held to the contract by `upload_sharing` (runner `aws`); this holds the function to the
//! deployment: its buckets, its tables, a live upload's files and the catalog's beside them
//! left alone, and only the variables the stack gives it.

mod common;

use std::collections::HashMap;
use std::process::Stdio;

use common::{deploy, instance, set_up_of, tables_of};
use serde_json::{Value, json};
use strato_aws::bodies::local_s3_client;
use strato_aws::runtime::RuntimeApi;
use strato_aws::uploads::DynamoUploads;
use strato_devcloud::uploads::storage::UploadStore as _;
use strato_devcloud::uploads::store::NewRow;
use strato_model::api::{UploadDetails, Visibility};
use strato_testkit::Moto;
use tokio::process::Child;

const COLLECT: &str = env!("CARGO_BIN_EXE_strato-collect");
const FUNCTION: &str = "strato-collect";

fn scheduled_event() -> String {
    json!({
        "version": "0",
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-12-07T20:00:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/Strato-ProcessingHourly"],
        "detail": {}
    })
    .to_string()
}

async fn run(runtime: &RuntimeApi) -> Value {
    let request_id = uuid::Uuid::new_v4().to_string();
    let answer = runtime
        .invoke(scheduled_event(), &request_id, None)
        .await
        .unwrap();
    serde_json::from_str(&answer).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_hourly_run_takes_what_no_upload_names_and_leaves_the_catalog() {
    let moto = Moto::start();
    let deployment = deploy(moto).await;
    let vars = &deployment.vars;
    let s3 = local_s3_client(moto.url(), &vars["STRATO_REGION"]);
    let (uploads, media) = (&vars["STRATO_UPLOADS_BUCKET"], &vars["STRATO_MEDIA_BUCKET"]);
    put_all(
        &s3,
        &[
            (uploads, "uploads/sub-1/up-gone/original".into()),
            (media, "media/up-gone/mp3/cbr_128.mp3".into()),
            (media, "art/up-gone-1.jpg".into()),
            (media, "media/tr-catalog/mp3/cbr.mp3".into()),
            (media, "art/al-catalog.jpg".into()),
        ],
    )
    .await;
    s3.create_multipart_upload()
        .bucket(uploads)
        .key("uploads/sub-1/up-abandoned/original")
        .send()
        .await
        .unwrap();
    // A deleted playlist whose sweep was cut short: its mark, its blocks already gone.
    strato_aws::local_client(moto.url(), &vars["STRATO_REGION"])
        .put_item()
        .table_name(&vars["STRATO_PLAYLISTS_TABLE"])
        .item(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S("GC".into()),
        )
        .item(
            "sk",
            aws_sdk_dynamodb::types::AttributeValue::S("pl-deleted".into()),
        )
        .send()
        .await
        .unwrap();

    // A live upload, still processing: its original, its media being published and its
    // first cover, all named by its record.
    let live = live_upload(moto, vars).await;
    put_all(
        &s3,
        &[
            (media, format!("media/{live}/mp3/cbr_128.mp3")),
            (media, format!("art/{live}-1.jpg")),
            (uploads, format!("uploads/sub-2/{live}/original")),
        ],
    )
    .await;

    let runtime = RuntimeApi::start(FUNCTION).await.unwrap();
    let own_vars = only(vars, COLLECT_VARS);
    let _instance: Child = instance(COLLECT, moto, &runtime, &own_vars, Stdio::null());
    let first = run(&runtime).await;
    let mut published: Vec<String> =
        serde_json::from_value(first["collected"]["published"].clone()).unwrap();
    published.sort();
    assert_eq!(published, ["art/up-gone-1.jpg", "media/up-gone"], "{first}");
    assert_eq!(
        first["collected"]["objects"],
        json!(["uploads/sub-1/up-gone/original"])
    );
    assert_eq!(
        first["collected"]["multipart_uploads"],
        json!(["uploads/sub-1/up-abandoned/original"])
    );
    assert_eq!(first["sweeps_finished"], 1);

    let left: Vec<String> = s3
        .list_objects_v2()
        .bucket(media)
        .prefix("")
        .send()
        .await
        .unwrap()
        .contents()
        .iter()
        .filter_map(|o| o.key().filter(|key| !key.starts_with("catalog/")))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        left,
        [
            "art/al-catalog.jpg".to_owned(),
            format!("art/{live}-1.jpg"),
            "media/tr-catalog/mp3/cbr.mp3".to_owned(),
            format!("media/{live}/mp3/cbr_128.mp3"),
        ]
    );
    let original = s3
        .head_object()
        .bucket(uploads)
        .key(format!("uploads/sub-2/{live}/original"))
        .send()
        .await;
    assert!(original.is_ok(), "a live upload's original was taken");

    let second = run(&runtime).await;
    assert_eq!(
        second,
        json!({
            "collected": {"objects": [], "multipart_uploads": [], "published": []},
            "sweeps_finished": 0
        })
    );
}

async fn put_all(s3: &aws_sdk_s3::Client, objects: &[(&String, String)]) {
    for (bucket, key) in objects {
        s3.put_object()
            .bucket(*bucket)
            .key(key)
            .body(b"bytes".to_vec().into())
            .send()
            .await
            .unwrap();
    }
}

/// The variables the stack gives strato-collect (deploy/aws/lib/environment.ts), and no more.
const COLLECT_VARS: &[&str] = &[
    "STRATO_REGION",
    "STRATO_PLAYLISTS_TABLE",
    "STRATO_UPLOADS_TABLE",
    "STRATO_USERS_TABLE",
    "STRATO_MEDIA_BUCKET",
    "STRATO_UPLOADS_BUCKET",
];

fn only(vars: &HashMap<String, String>, names: &[&str]) -> HashMap<String, String> {
    vars.iter()
        .filter(|(name, _)| names.contains(&name.as_str()))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

/// An upload recorded and started processing (so its first cover is expected): its id.
async fn live_upload(moto: &Moto, vars: &HashMap<String, String>) -> String {
    let tables = tables_of(vars);
    let records = DynamoUploads::new(
        strato_aws::local_client(moto.url(), &vars["STRATO_REGION"]),
        tables,
    );
    let id = format!("up-{}", uuid::Uuid::new_v4().simple());
    let now = 1_800_000_000;
    records
        .create(
            &NewRow {
                id: id.clone(),
                owner: "sub-2".into(),
                owner_name: "Owner".into(),
                file_name: "song.flac".into(),
                size: 5,
                content_type: "audio/flac".into(),
                sha256: "0".repeat(64),
                visibility: Visibility::Private,
                details: UploadDetails::default(),
                object_key: format!("uploads/sub-2/{id}/original"),
                part_size: 5 << 20,
                part_count: 1,
                idempotency_key: None,
            },
            1 << 30,
            now,
        )
        .await
        .unwrap()
        .unwrap();
    assert!(records.start_processing(&id, now).await.unwrap());
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collector_without_its_buckets_stops_in_its_set_up() {
    let moto = Moto::start();
    let deployment = deploy(moto).await;
    let runtime = RuntimeApi::start(FUNCTION).await.unwrap();
    let mut vars = only(&deployment.vars, COLLECT_VARS);
    vars.remove("STRATO_UPLOADS_BUCKET");
    let output = set_up_of(instance(COLLECT, moto, &runtime, &vars, Stdio::piped())).await;
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("lacks STRATO_UPLOADS_BUCKET"), "{said}");
}
