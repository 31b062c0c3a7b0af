//! devcloud's contract on `DynamoDB` and S3: the conformance suites every playlist, account,
//! upload and telemetry store runs through, against moto (a real server over loopback), and what only
//! these stores have to get right (item blocks, uploads' availability).
//!
//! A full playlist's answer (about 900 KB) is replayed from S3 (moto's), as a deployment
//! keeps it past `DynamoDB`'s 400 KB an item.
//!
//! What moto does not check, and these tests therefore do not claim:
//! - **Concurrent transactions.** moto answers requests on several threads, and a cancelled
//!   transaction restores a copy of its tables taken when it began
//!   (`moto/dynamodb/models/__init__.py`, `transact_write_items`), undoing what other
//!   requests committed meanwhile. So the suite's `concurrent_writes` is not run here; a
//!   write that lost a race is tested step by step instead (`playlists::write`'s tests).
//! - **Time to live.** It never deletes expired items: the 24 hours of an idempotency key are
//!   checked in code, and tested by writing with a later clock.
//! - **Limits.** It does not throttle or report `TransactionConflict`, and its item and
//!   transaction size checks are approximate (the blocks' own test bounds their size).

use aws_sdk_dynamodb::Client;
use strato_aws::accounts::DynamoAccounts;
use strato_aws::attrs::{Item, s};
use strato_aws::bodies::{AnswerBodies, local_s3_client};
use strato_aws::playlists::DynamoPlaylists;
use strato_aws::tables::{self, Tables};
use strato_aws::telemetry::DynamoTelemetry;
use strato_aws::uploads::DynamoUploads;
use strato_devcloud::playlists::conformance::{self, NOW, playlist_of, request};
use strato_devcloud::playlists::storage::{PlaylistOp, PlaylistStore, Precondition, StoreError};
use strato_devcloud::telemetry::TelemetryStore;
use strato_model::api::NewPlaylist;
use strato_testkit::Moto;

async fn store() -> (DynamoPlaylists, Client, Tables) {
    let moto = Moto::start();
    let client = strato_aws::local_client(moto.url(), "us-east-1");
    let prefix = format!("t{}", uuid::Uuid::new_v4().simple());
    let tables = Tables::prefixed(&prefix);
    tables::create(&client, &tables).await.unwrap();
    let s3 = local_s3_client(moto.url(), "us-east-1");
    let bucket = format!("{prefix}-uploads");
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    let bodies = AnswerBodies::new(s3, bucket);
    (
        DynamoPlaylists::new(client.clone(), tables.clone(), bodies),
        client,
        tables,
    )
}

#[tokio::test]
async fn dynamodb_keeps_the_playlist_contract() {
    let (playlists, _, _) = store().await;
    conformance::run(&playlists).await;
}

#[tokio::test]
async fn dynamodb_keeps_the_upload_contract() {
    let (_, client, tables) = store().await;
    strato_devcloud::uploads::conformance::run(&DynamoUploads::new(client, tables)).await;
}

#[tokio::test]
async fn sqs_gives_a_job_to_one_worker_and_keeps_it_until_done() {
    use strato_devcloud::uploads::queue::ProcessingQueue as _;
    let moto = Moto::start();
    let client = strato_aws::queue::local_sqs_client(moto.url(), "us-east-1");
    let name = format!("t{}-processing", uuid::Uuid::new_v4().simple());
    let queue = strato_aws::queue::SqsQueue::create(client, &name)
        .await
        .unwrap();
    assert!(queue.keeps_jobs());
    queue.enqueue("up-1").await.unwrap();
    let job = queue.next().await.unwrap().unwrap();
    assert_eq!(job.upload_id, "up-1");
    let hidden = tokio::time::timeout(std::time::Duration::from_secs(3), queue.next()).await;
    assert!(
        hidden.is_err(),
        "a job being processed went to a second worker"
    );
    queue.done(&job).await.unwrap();
    queue.enqueue("up-2").await.unwrap();
    assert_eq!(queue.next().await.unwrap().unwrap().upload_id, "up-2");
}

#[tokio::test]
async fn a_job_never_done_goes_to_the_dead_letter_queue_after_its_last_receive() {
    use strato_devcloud::uploads::queue::ProcessingQueue as _;
    let moto = Moto::start();
    let client = strato_aws::queue::local_sqs_client(moto.url(), "us-east-1");
    let name = format!("t{}-processing", uuid::Uuid::new_v4().simple());
    // As an earlier aws-local made it, without a dead-letter queue: given one now.
    client
        .create_queue()
        .queue_name(&name)
        .attributes(
            aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout,
            "900",
        )
        .send()
        .await
        .unwrap();
    let queue = strato_aws::queue::SqsQueue::create(client.clone(), &name)
        .await
        .unwrap();
    let url_of = |name: String| {
        let client = client.clone();
        async move {
            let found = client
                .get_queue_url()
                .queue_name(name)
                .send()
                .await
                .unwrap();
            found.queue_url().unwrap().to_owned()
        }
    };
    let url = url_of(name.clone()).await;
    queue.enqueue("up-1").await.unwrap();
    for _ in 0..strato_aws::queue::MAX_RECEIVES {
        let job = queue.next().await.unwrap().unwrap();
        assert_eq!(job.upload_id, "up-1");
        // Its visibility timeout over at once, as if 15 minutes had passed.
        client
            .change_message_visibility()
            .queue_url(&url)
            .receipt_handle(&job.receipt)
            .visibility_timeout(0)
            .send()
            .await
            .unwrap();
    }
    let again = client
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .unwrap();
    assert!(again.messages().is_empty(), "a fourth receive of the job");
    let dead = client
        .receive_message()
        .queue_url(url_of(format!("{name}-dead")).await)
        .send()
        .await
        .unwrap();
    assert_eq!(dead.messages().len(), 1);
    assert_eq!(dead.messages()[0].body(), Some("up-1"));
}

#[tokio::test]
async fn dynamodb_and_s3_keep_the_telemetry_contract() {
    let moto = Moto::start();
    let client = strato_aws::local_client(moto.url(), "us-east-1");
    let tables = Tables::prefixed(&format!("t{}", uuid::Uuid::new_v4().simple()));
    tables::create(&client, &tables).await.unwrap();
    let s3 = local_s3_client(moto.url(), "us-east-1");
    let bucket = format!("{}-telemetry", tables.telemetry.to_lowercase());
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    let telemetry = DynamoTelemetry::new(client, tables, s3, bucket);
    strato_devcloud::telemetry::conformance::run(&telemetry).await;
}

#[tokio::test]
async fn a_batch_whose_storing_failed_is_kept_when_sent_again() {
    let moto = Moto::start();
    let client = strato_aws::local_client(moto.url(), "us-east-1");
    let tables = Tables::prefixed(&format!("t{}", uuid::Uuid::new_v4().simple()));
    tables::create(&client, &tables).await.unwrap();
    let s3 = local_s3_client(moto.url(), "us-east-1");
    // The bucket is not there yet: keeping the batch fails after its id was taken.
    let bucket = format!("{}-late", tables.telemetry.to_lowercase());
    let telemetry = DynamoTelemetry::new(client, tables, s3.clone(), bucket.clone());
    let batch = strato_model::api::TelemetryBatch {
        batch_id: uuid::Uuid::new_v4().to_string(),
        app_version: "0.1.0".into(),
        os: "linux".into(),
        hours: Vec::new(),
    };
    let now = 1_800_000_000;
    assert!(telemetry.take(&batch, now).await.is_err());
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    assert!(
        !telemetry.take(&batch, now + 86_400).await.unwrap(),
        "the resend is kept, not answered as a duplicate"
    );
    assert!(telemetry.take(&batch, now + 86_401).await.unwrap());
    assert_eq!(
        telemetry.received().await.unwrap(),
        std::slice::from_ref(&batch)
    );
    let objects = s3.list_objects_v2().bucket(&bucket).send().await.unwrap();
    let keys: Vec<&str> = objects.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(
        keys,
        [format!("telemetry/day=2027-01-15/{}.json", batch.batch_id)],
        "under the day it was first taken, once"
    );
}

#[tokio::test]
async fn dynamodb_keeps_the_accounts_contract() {
    let (playlists, client, tables) = store().await;
    let accounts = DynamoAccounts::new(client, tables);
    strato_devcloud::account::conformance::run(&accounts, &playlists).await;
}

async fn put_upload(client: &Client, tables: &Tables, id: &str, owner: &str, visibility: &str) {
    let item = Item::from([
        ("id".to_owned(), s(id)),
        ("owner".to_owned(), s(owner)),
        ("status".to_owned(), s("ready")),
        ("visibility".to_owned(), s(visibility)),
    ]);
    client
        .put_item()
        .table_name(&tables.uploads)
        .set_item(Some(item))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn uploads_are_added_and_shown_as_their_owner_allows() {
    let (playlists, client, tables) = store().await;
    put_upload(&client, &tables, "up-mine", "me", "private").await;
    put_upload(&client, &tables, "up-shared", "them", "public").await;
    put_upload(&client, &tables, "up-hidden", "them", "private").await;
    let created = playlists
        .write(request(
            "me",
            PlaylistOp::Create(NewPlaylist {
                name: "mixed".into(),
                description: String::new(),
            }),
            NOW,
        ))
        .await
        .unwrap();
    let id = playlist_of(&created).id;
    let add = |ids: &[&str]| PlaylistOp::AddItems {
        id: id.clone(),
        precondition: Precondition::Any,
        track_ids: ids.iter().map(|t| (*t).to_owned()).collect(),
        position: None,
    };
    assert!(
        matches!(
            playlists
                .write(request("me", add(&["up-hidden"]), NOW))
                .await,
            Err(StoreError::Invalid(_))
        ),
        "someone else's private upload cannot be added"
    );
    playlists
        .write(request("me", add(&["up-mine", "up-shared", "t-1"]), NOW))
        .await
        .unwrap();
    let publish = PlaylistOp::Update {
        id: id.clone(),
        precondition: Precondition::Any,
        patch: strato_model::api::PlaylistPatch {
            public: Some(true),
            ..Default::default()
        },
    };
    playlists.write(request("me", publish, NOW)).await.unwrap();
    let available = |viewer: &'static str| {
        let playlists = playlists.clone();
        let id = id.clone();
        async move {
            let playlist = playlists.get(viewer, &id, true).await.unwrap();
            playlist
                .items
                .iter()
                .map(|i| (i.track_id.clone(), i.available))
                .collect::<Vec<_>>()
        }
    };
    let pair = |t: &str, a| (t.to_owned(), a);
    assert_eq!(
        available("me").await,
        [
            pair("up-mine", true),
            pair("up-shared", true),
            pair("t-1", true)
        ]
    );
    assert_eq!(
        available("someone").await,
        [
            pair("up-mine", false),
            pair("up-shared", true),
            pair("t-1", true)
        ],
        "a private upload in a public playlist is unavailable to others"
    );
}
