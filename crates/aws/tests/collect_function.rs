//! The collector function as deployed: the built `strato-collect` bootstrap polling Lambda's
//! runtime API, invoked with the event an hourly `EventBridge` rule sends, over a deployment's
//! buckets and tables in moto. What the collector keeps and takes is devcloud's own rule,
//! held to the contract by `upload_sharing` (runner `aws`); this holds the function to the
//! deployment: its buckets, its tables, the catalog beside uploads' media left alone.

mod common;

use std::process::Stdio;

use common::{deploy, instance, set_up_of};
use serde_json::{Value, json};
use strato_aws::bodies::local_s3_client;
use strato_aws::runtime::RuntimeApi;
use strato_testkit::Moto;
use tokio::process::Child;

const COLLECT: &str = env!("CARGO_BIN_EXE_strato-collect");

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
    for (bucket, key) in [
        (uploads, "uploads/sub-1/up-gone/original"),
        (media, "media/up-gone/mp3/cbr_128.mp3"),
        (media, "art/up-gone-1.jpg"),
        (media, "media/tr-catalog/mp3/cbr.mp3"),
        (media, "art/al-catalog.jpg"),
    ] {
        s3.put_object()
            .bucket(bucket)
            .key(key)
            .body(b"bytes".to_vec().into())
            .send()
            .await
            .unwrap();
    }
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

    let runtime = RuntimeApi::start().await.unwrap();
    let _instance: Child = instance(COLLECT, moto, &runtime, vars, Stdio::null());
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
        .send()
        .await
        .unwrap()
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .filter(|key| !key.starts_with("catalog/"))
        .collect();
    assert_eq!(left, ["art/al-catalog.jpg", "media/tr-catalog/mp3/cbr.mp3"]);

    let second = run(&runtime).await;
    assert_eq!(
        second,
        json!({
            "collected": {"objects": [], "multipart_uploads": [], "published": []},
            "sweeps_finished": 0
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collector_without_its_buckets_stops_in_its_set_up() {
    let moto = Moto::start();
    let deployment = deploy(moto).await;
    let runtime = RuntimeApi::start().await.unwrap();
    let mut vars = deployment.vars.clone();
    vars.remove("STRATO_UPLOADS_BUCKET");
    let output = set_up_of(instance(COLLECT, moto, &runtime, &vars, Stdio::piped())).await;
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("lacks STRATO_UPLOADS_BUCKET"), "{said}");
}
