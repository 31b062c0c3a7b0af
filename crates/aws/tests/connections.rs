//! The live channel's `Connections` table on moto's DynamoDB: connections recorded once,
//! found by listener, their devices written back by devcloud's own rules on the condition
//! nothing came between, and forgotten with what they were.

use strato_aws::connections::{Connection, DynamoConnections};
use strato_aws::tables::{self, Tables};
use strato_devcloud::live::devices::DeviceRegistry;
use strato_model::api::DevicePlayback;
use strato_testkit::Moto;

async fn table() -> DynamoConnections {
    let moto = Moto::start();
    let client = strato_aws::local_client(moto.url(), "us-east-1");
    let tables = Tables::prefixed(&format!("t{}", uuid::Uuid::new_v4().simple()));
    tables::create(&client, &tables).await.unwrap();
    DynamoConnections::new(client, tables)
}

fn ids(connections: &[Connection]) -> Vec<&str> {
    let mut ids: Vec<&str> = connections
        .iter()
        .map(|c| c.connection_id.as_str())
        .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn connections_are_recorded_once_found_by_listener_and_forgotten_with_their_device() {
    let connections = table().await;
    let expires_at = 1_800_003_600;
    let mut c1 = Connection::opened("c1=", "sub-a", expires_at, 1_800_000_000_000);
    assert!(connections.open(&mut c1).await.unwrap());
    assert!(
        !connections.open(&mut c1.clone()).await.unwrap(),
        "recorded twice"
    );
    for (id, user) in [("c2=", "sub-a"), ("c3=", "sub-b")] {
        let mut opened = Connection::opened(id, user, expires_at, 1_800_000_000_500);
        assert!(connections.open(&mut opened).await.unwrap());
    }
    // As opened is as stored: it may be changed and saved at once.
    c1.greeted = true;
    assert!(connections.save(&mut c1).await.unwrap());
    let read = connections.get("c1=").await.unwrap().unwrap();
    assert_eq!(
        (read.user.as_str(), read.expires_at, read.connected_at_ms),
        (c1.user.as_str(), c1.expires_at, c1.connected_at_ms)
    );
    assert!(read.greeted && read.device.is_none());
    assert_eq!(
        ids(&connections.of_user("sub-a").await.unwrap()),
        ["c1=", "c2="]
    );
    assert_eq!(
        ids(&connections.all().await.unwrap()),
        ["c1=", "c2=", "c3="]
    );

    // c1 registers a device and says what it plays, by devcloud's rules over the rows.
    let mine = connections.of_user("sub-a").await.unwrap();
    let mut devices = DeviceRegistry::from_records(mine.iter().filter_map(|c| c.device.clone()));
    devices
        .register(&"c1=".into(), ("desk", "Desk", "linux"), 1_800_000_001_000)
        .unwrap();
    let playing = DevicePlayback {
        track: None,
        playing: true,
        position_ms: 42_000,
        volume_percent: 80,
    };
    assert!(devices.set_playback("c1=", Some(playing.clone()), 1_800_000_002_000));
    let read = connections.get("c1=").await.unwrap().unwrap();
    let mut changed = read.clone();
    changed.device = devices
        .records()
        .into_iter()
        .find(|d| d.connection == "c1=");
    // A device is written onto its own connection's row only.
    let mut misplaced = changed.clone();
    misplaced.connection_id = "c2=".into();
    assert!(connections.save(&mut misplaced).await.is_err());
    assert!(connections.save(&mut changed).await.unwrap());
    // A writer that read before that change is refused, not lost over it.
    assert!(!connections.save(&mut read.clone()).await.unwrap());

    let stored = connections.get("c1=").await.unwrap().unwrap();
    assert!(stored.greeted);
    let device = stored.device.clone().unwrap();
    assert_eq!(
        (device.device_id.as_str(), device.os.as_str()),
        ("desk", "linux")
    );
    assert_eq!(device.playback, Some(playing));
    assert_eq!(device.said_at_ms, 1_800_000_002_000);
    let listed = DeviceRegistry::from_records([device]).list(1_800_000_003_000);
    assert_eq!(listed[0].said_ms_ago, 1_000);

    let closed = connections.close("c1=").await.unwrap().unwrap();
    assert_eq!(closed.device.unwrap().device_id, "desk");
    assert_eq!(connections.close("c1=").await.unwrap(), None);
    assert_eq!(connections.get("c1=").await.unwrap(), None);
    assert!(
        !connections.save(&mut stored.clone()).await.unwrap(),
        "a closed one came back"
    );
    assert_eq!(ids(&connections.of_user("sub-a").await.unwrap()), ["c2="]);
}
