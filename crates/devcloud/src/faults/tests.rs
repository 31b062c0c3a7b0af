use super::*;

fn rule(path: &str) -> FaultRule {
    FaultRule {
        path: path.into(),
        ..FaultRule::default()
    }
}

#[test]
fn ids_are_assigned_and_unique() {
    let store = FaultStore::default();
    assert_eq!(store.add(rule("/a")).unwrap().id.as_deref(), Some("f1"));
    assert_eq!(
        store
            .add(FaultRule {
                id: Some("f2".into()),
                ..rule("/b")
            })
            .unwrap()
            .id
            .as_deref(),
        Some("f2")
    );
    assert_eq!(store.add(rule("/c")).unwrap().id.as_deref(), Some("f3"));
    assert!(matches!(
        store.add(FaultRule {
            id: Some("f1".into()),
            ..rule("/d")
        }),
        Err(FaultError::DuplicateId(_))
    ));
    assert!(store.remove("f2"));
    assert!(!store.remove("f2"));
    assert_eq!(store.list().len(), 2);
    store.clear();
    assert!(store.list().is_empty());
}

#[test]
fn invalid_rules_are_refused() {
    let store = FaultStore::default();
    for bad in [
        FaultRule {
            error_rate: Some(1.5),
            ..rule("/a")
        },
        FaultRule {
            error_status: Some(200),
            ..rule("/a")
        },
        FaultRule {
            stall_ms: Some(10),
            ..rule("/a")
        },
        FaultRule {
            bandwidth_bytes_per_sec: Some(0),
            ..rule("/a")
        },
        rule(""),
    ] {
        assert!(matches!(store.add(bad), Err(FaultError::Invalid(_))));
    }
}

#[test]
fn rules_match_by_listener_and_path() {
    let store = FaultStore::default();
    store
        .add(FaultRule {
            target: Target::Cdn,
            latency_ms: Some(5),
            ..rule("/media/*/hls/**")
        })
        .unwrap();
    store
        .add(FaultRule {
            latency_ms: Some(7),
            ..rule("/**")
        })
        .unwrap();
    let cdn = store.plan(Target::Cdn, "/media/tr-1/hls/64k/a.ts");
    assert_eq!(cdn.latency, Duration::from_millis(12));
    assert_eq!(cdn.rule_ids, ["f1", "f2"]);
    let api = store.plan(Target::Api, "/media/tr-1/hls/64k/a.ts");
    assert_eq!(api.latency, Duration::from_millis(7));
    assert_eq!(store.plan(Target::Cdn, "/art/x.jpg").rule_ids, ["f2"]);
}

#[test]
fn jitter_adds_a_varying_latency_within_its_bound() {
    let store = FaultStore::default();
    store
        .add(FaultRule {
            latency_ms: Some(20),
            jitter_ms: Some(300),
            ..rule("/**")
        })
        .unwrap();
    let latencies: Vec<Duration> = (0..200)
        .map(|_| store.plan(Target::Cdn, "/media/a").latency)
        .collect();
    let (min, max) = (
        latencies.iter().min().unwrap(),
        latencies.iter().max().unwrap(),
    );
    assert!(*min >= Duration::from_millis(20) && *max <= Duration::from_millis(320));
    assert!(
        max.saturating_sub(*min) >= Duration::from_millis(200),
        "{min:?}..{max:?}"
    );
}

#[test]
fn times_limits_a_rule_then_it_is_spent() {
    let store = FaultStore::default();
    store
        .add(FaultRule {
            error_rate: Some(1.0),
            times: Some(2),
            ..rule("/x")
        })
        .unwrap();
    assert_eq!(store.plan(Target::Api, "/x").error_status, Some(503));
    assert_eq!(
        store.plan(Target::Api, "/y").error_status,
        None,
        "no match, not counted"
    );
    assert_eq!(store.plan(Target::Api, "/x").error_status, Some(503));
    assert_eq!(store.plan(Target::Api, "/x"), FaultPlan::default());
    let views = store.list();
    assert_eq!((views[0].applied, views[0].spent), (2, true));
}

#[test]
fn error_rate_draws_are_deterministic_per_rule() {
    let draws = || {
        let store = FaultStore::default();
        store
            .add(FaultRule {
                error_rate: Some(0.5),
                error_status: Some(500),
                ..rule("/x")
            })
            .unwrap();
        (0..200)
            .map(|_| store.plan(Target::Api, "/x").error_status)
            .collect::<Vec<_>>()
    };
    let first = draws();
    assert_eq!(first, draws());
    let errors = first.iter().filter(|s| **s == Some(500)).count();
    assert!((60..140).contains(&errors), "{errors}");
}

#[test]
fn body_faults_combine_to_the_strictest() {
    let store = FaultStore::default();
    store
        .add(FaultRule {
            bandwidth_bytes_per_sec: Some(1000),
            drop_after_bytes: Some(500),
            ..rule("/x")
        })
        .unwrap();
    store
        .add(FaultRule {
            bandwidth_bytes_per_sec: Some(400),
            stall_after_bytes: Some(10),
            stall_ms: Some(20),
            grant_ttl_secs: Some(2),
            reject_signatures: true,
            ..rule("/x")
        })
        .unwrap();
    let plan = store.plan(Target::Cdn, "/x");
    assert_eq!(
        plan.body,
        BodyFaults {
            bandwidth_bytes_per_sec: Some(400),
            drop_after_bytes: Some(500),
            stall: Some((10, Duration::from_millis(20))),
            corrupt: false,
        }
    );
    assert!(plan.reject_signatures);
    assert_eq!(plan.grant_ttl_secs, Some(2));
}

#[test]
fn rules_files_are_json_arrays_and_typos_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(
        &good,
        r#"[{"path": "/media/**", "target": "cdn", "latency_ms": 10}]"#,
    )
    .unwrap();
    assert_eq!(FaultStore::load(&good).unwrap().list().len(), 1);
    let typo = dir.path().join("typo.json");
    std::fs::write(&typo, r#"[{"path": "/x", "latency": 10}]"#).unwrap();
    assert!(matches!(
        FaultStore::load(&typo),
        Err(FaultError::Parse { .. })
    ));
}

/// The testkit's copy of the rule type must stay readable by devcloud.
#[test]
fn the_testkit_rule_type_matches() {
    let full = strato_testkit::FaultRule {
        id: Some("x".into()),
        target: strato_testkit::FaultTarget::Cdn,
        path: "/media/**".into(),
        latency_ms: Some(1),
        jitter_ms: Some(8),
        bandwidth_bytes_per_sec: Some(2),
        drop_after_bytes: Some(3),
        stall_after_bytes: Some(4),
        stall_ms: Some(5),
        error_rate: Some(0.5),
        error_status: Some(500),
        reject_signatures: true,
        corrupt: true,
        grant_ttl_secs: Some(6),
        times: Some(7),
    };
    let ours: FaultRule = serde_json::from_value(serde_json::to_value(&full).unwrap()).unwrap();
    assert_eq!(ours.target, Target::Cdn);
    assert_eq!(ours.times, Some(7));
    assert!(ours.reject_signatures);
    assert_eq!(
        serde_json::to_value(&ours).unwrap(),
        serde_json::to_value(&full).unwrap()
    );
}
