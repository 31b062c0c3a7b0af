//! The processing function as deployed: the built `strato-process` bootstrap polling Lambda's
//! runtime API, invoked with the events SQS's event source sends, over a deployment's upload
//! records and buckets in moto, with the ffmpeg and ffprobe on `PATH` (this machine's; the
//! layer's when `PATH` puts `$CARGO_TARGET_DIR/lambda-layers/ffmpeg/bin` first). What
//! processing makes is devcloud's, held to the contract by `uploads` (runner `aws` too); this
//! holds the function to its deployment: only the variables the stack gives it, its buckets,
//! and the jobs as SQS has them: each a real message of the stack's queue in moto, received,
//! handed to the function in the event Lambda's poller makes of it, and deleted unless the
//! function's partial batch answer names it (a job handed back must come again within its
//! retry delay); and Lambda's deadline.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use aws_sdk_sqs::types::{Message, MessageSystemAttributeName};
use common::{deploy, instance, set_up_of, tables_of};
use serde_json::{Value, json};
use strato_aws::bodies::local_s3_client;
use strato_aws::process::STOP_BEFORE_DEADLINE;
use strato_aws::runtime::RuntimeApi;
use strato_aws::uploads::DynamoUploads;
use strato_devcloud::uploads::processing::sha256_of;
use strato_devcloud::uploads::storage::UploadStore as _;
use strato_devcloud::uploads::store::{NewRow, Status, UploadRow};
use strato_model::api::{FailureKind, UploadDetails, UploadStatus, Visibility};
use strato_testkit::Moto;
use strato_testkit::ffmpeg::make_audio_file;
use tempfile::TempDir;
use tokio::process::Child;

const PROCESS: &str = env!("CARGO_BIN_EXE_strato-process");
const FUNCTION: &str = "strato-process";
/// The variables the stack gives strato-process (deploy/aws/lib/environment.ts), and no more.
const PROCESS_VARS: &[&str] = &[
    "STRATO_REGION",
    "STRATO_UPLOADS_TABLE",
    "STRATO_MEDIA_BUCKET",
    "STRATO_UPLOADS_BUCKET",
    "STRATO_PROCESS_QUEUE_URL",
    "STRATO_PROCESS_RETRY_SECS",
];
/// Time enough for a few seconds of audio through every encode, on a busy machine.
const ENOUGH: Duration = Duration::from_secs(300);

/// A deployment, and where its instances and the test keep files.
struct Fixture {
    vars: HashMap<String, String>,
    records: DynamoUploads,
    s3: aws_sdk_s3::Client,
    sqs: aws_sdk_sqs::Client,
    /// The instances' `TMPDIR` (Lambda's `/tmp`).
    tmp: TempDir,
    files: TempDir,
}

async fn fixture(moto: &Moto) -> Fixture {
    let vars = deploy(moto).await.vars;
    // The test records uploads as the API function does, quota and all.
    let tables = tables_of(&vars);
    Fixture {
        records: DynamoUploads::new(
            strato_aws::local_client(moto.url(), &vars["STRATO_REGION"]),
            tables,
        ),
        s3: local_s3_client(moto.url(), &vars["STRATO_REGION"]),
        sqs: strato_aws::queue::local_sqs_client(moto.url(), &vars["STRATO_REGION"]),
        tmp: TempDir::new().unwrap(),
        files: TempDir::new().unwrap(),
        vars,
    }
}

impl Fixture {
    /// An instance with the stack's variables for it only.
    fn instance(&self, moto: &Moto, runtime: &RuntimeApi, stderr: Stdio) -> Child {
        let mut vars: HashMap<String, String> = self
            .vars
            .iter()
            .filter(|(name, _)| PROCESS_VARS.contains(&name.as_str()))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        vars.insert("TMPDIR".into(), self.tmp.path().display().to_string());
        instance(PROCESS, moto, runtime, &vars, stderr)
    }

    /// An upload of `file` completed and waiting for processing, its original in the upload
    /// bucket unless `in_bucket` is false: its id.
    async fn upload(&self, file: &Path, in_bucket: bool) -> String {
        let id = format!("up-{}", uuid::Uuid::new_v4().simple());
        let owner = "sub-listener";
        let object_key = format!("uploads/{owner}/{id}/original");
        let bytes = std::fs::read(file).unwrap();
        if in_bucket {
            self.s3
                .put_object()
                .bucket(&self.vars["STRATO_UPLOADS_BUCKET"])
                .key(&object_key)
                .body(bytes.clone().into())
                .send()
                .await
                .unwrap();
        }
        let now = 1_800_000_000;
        let new = NewRow {
            id: id.clone(),
            owner: owner.into(),
            owner_name: "Listener".into(),
            file_name: file.file_name().unwrap().to_string_lossy().into_owned(),
            size: bytes.len() as u64,
            content_type: "audio/flac".into(),
            sha256: sha256_of(file).await.unwrap(),
            visibility: Visibility::Private,
            details: UploadDetails::default(),
            object_key,
            part_size: 5 << 20,
            part_count: 1,
            idempotency_key: None,
        };
        self.records
            .create(&new, 1 << 30, now)
            .await
            .unwrap()
            .unwrap();
        assert!(self.records.start_processing(&id, now).await.unwrap());
        id
    }

    async fn row(&self, id: &str) -> UploadRow {
        self.records.row(id).await.unwrap().unwrap()
    }

    /// The keys under `prefix` in the media bucket.
    async fn published(&self, prefix: &str) -> Vec<String> {
        let listed = self
            .s3
            .list_objects_v2()
            .bucket(&self.vars["STRATO_MEDIA_BUCKET"])
            .prefix(prefix)
            .send()
            .await
            .unwrap();
        listed
            .contents()
            .iter()
            .filter_map(|object| object.key().map(str::to_owned))
            .collect()
    }

    /// What runs left in the instances' work folders.
    fn work_left(&self) -> Vec<PathBuf> {
        ["work", "staging"]
            .iter()
            .flat_map(|dir| std::fs::read_dir(self.tmp.path().join("strato").join(dir)).unwrap())
            .map(|entry| entry.unwrap().path())
            .collect()
    }
}

impl Fixture {
    /// The next job taken and handed to the function, on its `receive`th receive: whether it
    /// was handed back.
    async fn take_job(&self, runtime: &RuntimeApi, receive: u32) -> bool {
        let message = self.receive().await;
        assert_eq!(receive_count(&message), receive);
        self.deliver(runtime, &message).await
    }

    fn queue_url(&self) -> &str {
        &self.vars["STRATO_PROCESS_QUEUE_URL"]
    }

    /// Queues upload `id`'s job, as the API function does.
    async fn enqueue(&self, id: &str) {
        self.sqs
            .send_message()
            .queue_url(self.queue_url())
            .message_body(id)
            .send()
            .await
            .unwrap();
    }

    /// The next job as Lambda's poller receives it, waiting a few seconds for one to be
    /// visible (short polls: moto's long polling can keep a message from a later receive).
    async fn receive(&self) -> Message {
        for _ in 0..50 {
            let received = self
                .sqs
                .receive_message()
                .queue_url(self.queue_url())
                .message_system_attribute_names(MessageSystemAttributeName::All)
                .max_number_of_messages(1)
                .send()
                .await
                .unwrap();
            if let Some(message) = received.messages().first() {
                return message.clone();
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("no job visible within 10 s");
    }

    /// What Lambda's poller does with `message`: the function invoked with its event, the
    /// message deleted unless the answer hands it back. Whether it was handed back.
    async fn deliver(&self, runtime: &RuntimeApi, message: &Message) -> bool {
        let message_id = message.message_id().unwrap();
        let request_id = uuid::Uuid::new_v4().to_string();
        let answer = runtime
            .invoke(sqs_event(message), &request_id, None)
            .await
            .unwrap();
        let answer: Value = serde_json::from_str(&answer).unwrap();
        let again: Vec<&str> = answer["batchItemFailures"]
            .as_array()
            .unwrap_or_else(|| panic!("not a partial batch answer: {answer}"))
            .iter()
            .map(|failure| failure["itemIdentifier"].as_str().unwrap())
            .collect();
        assert!(again.iter().all(|again| *again == message_id), "{answer}");
        if again.is_empty() {
            self.sqs
                .delete_message()
                .queue_url(self.queue_url())
                .receipt_handle(message.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
        !again.is_empty()
    }

    /// When the media bucket last had `key` written.
    async fn written_at(&self, key: &str) -> aws_sdk_s3::primitives::DateTime {
        let head = self
            .s3
            .head_object()
            .bucket(&self.vars["STRATO_MEDIA_BUCKET"])
            .key(key)
            .send()
            .await
            .unwrap();
        *head.last_modified().unwrap()
    }
}

fn receive_count(message: &Message) -> u32 {
    message.attributes().unwrap()[&MessageSystemAttributeName::ApproximateReceiveCount]
        .parse()
        .unwrap()
}

/// The event Lambda's SQS poller makes of `message`.
fn sqs_event(message: &Message) -> String {
    let attributes: serde_json::Map<String, Value> = message
        .attributes()
        .unwrap()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), Value::from(value.as_str())))
        .collect();
    json!({"Records": [{
        "messageId": message.message_id(),
        "receiptHandle": message.receipt_handle(),
        "body": message.body(),
        "attributes": attributes,
        "messageAttributes": {},
        "md5OfBody": message.md5_of_body(),
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:Strato-ProcessingQueue",
        "awsRegion": "us-east-1"
    }]})
    .to_string()
}

fn failure_of(row: &UploadRow) -> (FailureKind, String) {
    assert_eq!(row.status, Status::Live(UploadStatus::Failed), "{row:?}");
    let failure = row.failure.clone().unwrap();
    (failure.kind, failure.message)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_track_is_published_to_the_media_bucket_and_ready() {
    let moto = Moto::start();
    let fixture = fixture(moto).await;
    let file = make_audio_file(fixture.files.path(), "song.flac", 6.0);
    let id = fixture.upload(&file, true).await;
    let runtime = RuntimeApi::with_timeout(FUNCTION, ENOUGH).await.unwrap();
    let _instance = fixture.instance(moto, &runtime, Stdio::null());

    fixture.enqueue(&id).await;
    assert!(!fixture.take_job(&runtime, 1).await);
    let row = fixture.row(&id).await;
    assert_eq!(row.status, Status::Live(UploadStatus::Ready), "{row:?}");
    let duration = row.duration_ms.unwrap();
    assert!((5_950..=6_050).contains(&duration), "{duration} ms");
    let media = row.media.clone().unwrap();
    assert_eq!(media.hls_master, format!("media/{id}/hls/master.m3u8"));
    let published = fixture.published(&format!("media/{id}/")).await;
    for file in [
        media.hls_master.clone(),
        format!("media/{id}/hls/128k/index.m3u8"),
        media.cbr.path.clone(),
        media.vbr.path.clone(),
        media.low.path.clone(),
        media.high.path.clone(),
    ] {
        assert!(published.contains(&file), "{file} is not in {published:?}");
    }
    assert!(fixture.work_left().is_empty(), "{:?}", fixture.work_left());

    // SQS delivers at least once: the same job again changes nothing, not even a file
    // (processing again would publish every one anew, seconds later).
    let published_at = fixture.written_at(&media.cbr.path).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    fixture.enqueue(&id).await;
    assert!(!fixture.take_job(&runtime, 1).await);
    let again = fixture.row(&id).await;
    assert_eq!(
        (again.status, again.updated_at),
        (row.status, row.updated_at)
    );
    assert_eq!(fixture.written_at(&media.cbr.path).await, published_at);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_is_not_audio_fails_at_once_and_a_service_failure_on_the_last_receive() {
    let moto = Moto::start();
    let fixture = fixture(moto).await;
    let text = fixture.files.path().join("notes.flac");
    std::fs::write(&text, "not audio at all").unwrap();
    let not_audio = fixture.upload(&text, true).await;
    let song = make_audio_file(fixture.files.path(), "song.flac", 2.0);
    // Its original never reached the bucket: reading it fails, as an outage would.
    let unreadable = fixture.upload(&song, false).await;
    let runtime = RuntimeApi::with_timeout(FUNCTION, ENOUGH).await.unwrap();
    let _instance = fixture.instance(moto, &runtime, Stdio::null());

    // The listener's file is at fault: no try would do better.
    fixture.enqueue(&not_audio).await;
    assert!(!fixture.take_job(&runtime, 1).await);
    let (kind, message) = failure_of(&fixture.row(&not_audio).await);
    assert_eq!(kind, FailureKind::NotAudio);
    assert_eq!(message, "This file is not audio we can read.");

    // The service is at fault: handed back, it comes again within its retry delay (not the
    // queue's visibility timeout of 30 s), until its last receive.
    fixture.enqueue(&unreadable).await;
    for receive in 1..=2 {
        assert!(fixture.take_job(&runtime, receive).await);
        let row = fixture.row(&unreadable).await;
        assert_eq!(row.status, Status::Live(UploadStatus::Processing));
    }
    assert!(!fixture.take_job(&runtime, 3).await);
    let (kind, message) = failure_of(&fixture.row(&unreadable).await);
    assert_eq!(kind, FailureKind::Internal);
    assert!(message.contains("Upload it again later"), "{message}");
    assert!(fixture.work_left().is_empty(), "{:?}", fixture.work_left());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tag_bigger_than_a_record_may_hold_is_cut_and_the_track_is_ready() {
    let moto = Moto::start();
    let fixture = fixture(moto).await;
    let dir = fixture.files.path();
    let song = make_audio_file(dir, "song.flac", 2.0);
    // A title of half a megabyte: more than a DynamoDB item may hold (400 KB).
    let metadata = dir.join("tags.txt");
    std::fs::write(
        &metadata,
        format!(";FFMETADATA1\ntitle={}\n", "t".repeat(500_000)),
    )
    .unwrap();
    let tagged = dir.join("tagged.flac");
    let made = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(&song)
        .arg("-i")
        .arg(&metadata)
        .args(["-map_metadata", "1", "-c", "copy"])
        .arg(&tagged)
        .status()
        .unwrap();
    assert!(made.success());
    let id = fixture.upload(&tagged, true).await;
    let runtime = RuntimeApi::with_timeout(FUNCTION, ENOUGH).await.unwrap();
    let _instance = fixture.instance(moto, &runtime, Stdio::null());

    fixture.enqueue(&id).await;
    assert!(!fixture.take_job(&runtime, 1).await);
    let row = fixture.row(&id).await;
    assert_eq!(
        row.status,
        Status::Live(UploadStatus::Ready),
        "{:?}",
        row.failure
    );
    assert_eq!(row.details.title.unwrap(), "t".repeat(200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_that_would_outlast_its_invocation_stops_short_of_the_deadline() {
    let moto = Moto::start();
    let fixture = fixture(moto).await;
    // Four minutes of audio: its four MP3 encodes alone take ffmpeg far longer than the two
    // seconds each invocation leaves processing.
    let file = make_audio_file(fixture.files.path(), "long.flac", 240.0);
    let id = fixture.upload(&file, true).await;
    let timeout = STOP_BEFORE_DEADLINE + Duration::from_secs(2);
    let runtime = RuntimeApi::with_timeout(FUNCTION, timeout).await.unwrap();
    let _instance = fixture.instance(moto, &runtime, Stdio::null());

    // The runtime API fails an invocation with no answer by its deadline: an answer at all
    // says the function stopped in time.
    fixture.enqueue(&id).await;
    for receive in 1..=2 {
        assert!(fixture.take_job(&runtime, receive).await);
        assert_eq!(
            fixture.row(&id).await.status,
            Status::Live(UploadStatus::Processing)
        );
        assert!(fixture.work_left().is_empty(), "{:?}", fixture.work_left());
    }
    assert!(!fixture.take_job(&runtime, 3).await);
    let (kind, message) = failure_of(&fixture.row(&id).await);
    assert_eq!(kind, FailureKind::Internal);
    assert!(message.starts_with("This file took too long"), "{message}");
    assert!(fixture.work_left().is_empty(), "{:?}", fixture.work_left());
    assert_eq!(
        fixture.published(&format!("media/{id}/")).await,
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_processing_function_without_its_table_stops_in_its_set_up() {
    let moto = Moto::start();
    let mut fixture = fixture(moto).await;
    fixture.vars.remove("STRATO_UPLOADS_TABLE");
    let runtime = RuntimeApi::start(FUNCTION).await.unwrap();
    let output = set_up_of(fixture.instance(moto, &runtime, Stdio::piped())).await;
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("lacks STRATO_UPLOADS_TABLE"), "{said}");
}
