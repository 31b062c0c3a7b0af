//! Our SRP math against an independent implementation: pycognito (from `PyPI`), run from the
//! project venv with the same fixed inputs. moto accepts any `PASSWORD_CLAIM_SIGNATURE`, so
//! the sign-in tests against it prove the protocol's plumbing, not the math; this test is
//! what would fail if the math were wrong.

use std::path::PathBuf;
use std::process::Command;

use strato_cloud::auth::srp::{PasswordVerifierChallenge, SrpClient};

/// Feeds pycognito's `AWSSRP` fixed `a`, salt, `B`, secret block and clock; prints JSON.
const PYCOGNITO: &str = r#"
import datetime, json, sys
import pycognito.aws_srp as srp

class FixedClock:
    def __init__(self, secs):
        self.now = datetime.datetime.fromtimestamp(secs, datetime.timezone.utc).replace(tzinfo=None)
    def utcnow(self):
        return self.now

out = []
for case in json.loads(sys.argv[1]):
    real = srp.datetime
    shim = type("shim", (), {"datetime": FixedClock(case["unix_secs"]), "timezone": datetime.timezone})
    srp.datetime = shim
    try:
        aws = srp.AWSSRP(case["user"], case["password"], case["pool_id"], "client", client=object())
        aws.small_a_value = int(case["a_hex"], 16) % aws.big_n
        aws.large_a_value = aws.calculate_a()
        answer = aws.process_challenge(
            {"USER_ID_FOR_SRP": case["user"], "SALT": case["salt_hex"],
             "SRP_B": case["b_hex"], "SECRET_BLOCK": case["secret_block"]},
            {"USERNAME": case["user"]})
    finally:
        srp.datetime = real
    out.append({"srp_a": srp.long_to_hex(aws.large_a_value),
                "timestamp": answer["TIMESTAMP"],
                "signature": answer["PASSWORD_CLAIM_SIGNATURE"]})
print(json.dumps(out))
"#;

fn venv_python() -> PathBuf {
    if let Some(python) = std::env::var_os("STRATO_PYTHON") {
        return PathBuf::from(python);
    }
    if let Some(moto) = std::env::var_os("STRATO_MOTO_SERVER") {
        let candidate = PathBuf::from(moto).with_file_name("python");
        if candidate.is_file() {
            return candidate;
        }
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".cache/strato/venv/bin/python")
}

struct Case {
    pool_id: &'static str,
    user: &'static str,
    password: &'static str,
    a_hex: String,
    salt_hex: &'static str,
    b_hex: String,
    secret_block: &'static str,
    unix_secs: u64,
}

fn cases() -> Vec<Case> {
    // B with its top bit set (padded when hashed), and a short odd-length B.
    let big_b = "f0e1d2c3b4a59687".repeat(48);
    let a_1024 = "9c2e4f6a8b0d1e3f5a7c9e1b3d5f7a9c".repeat(8);
    vec![
        Case {
            pool_id: "us-east-1_0123456789abcdef0123456789abcdef",
            user: "demo",
            password: "Correct-Horse-1",
            a_hex: "1234".to_owned(),
            salt_hex: "00a1b2c3d4e5f60718293a4b5c6d7e8f",
            b_hex: big_b.clone(),
            secret_block: "c2VjcmV0LWJsb2NrLWJ5dGVz",
            unix_secs: 1_739_212_212,
        },
        Case {
            pool_id: "eu-west-1_Pool",
            user: "7d1c0f3e-5b2a-4c8d-9e6f-0a1b2c3d4e5f",
            password: "p\u{e4}ssw\u{f6}rd with spaces",
            a_hex: a_1024,
            salt_hex: "8f3e2d1c0b0a",
            b_hex: "36ef01c".to_owned(),
            secret_block: "AAECAwQFBgcICQoLDA0ODw==",
            unix_secs: 1_709_197_507,
        },
        Case {
            pool_id: "us-west-2_abc",
            user: "listener",
            password: "x",
            a_hex: "ff".repeat(128),
            salt_hex: "abc",
            b_hex: format!("7{}", &big_b[1..]),
            // moto's secret block: a UUID, hyphens and all.
            secret_block: "0f8e2b1c-4d3a-4b5c-9e7f-a1b2c3d4e5f6",
            unix_secs: 4_102_444_800 - 1,
        },
    ]
}

#[test]
fn password_claim_matches_pycognito() {
    let cases = cases();
    let input: Vec<serde_json::Value> = cases
        .iter()
        .map(|c| {
            serde_json::json!({
                "pool_id": c.pool_id, "user": c.user, "password": c.password, "a_hex": c.a_hex,
                "salt_hex": c.salt_hex, "b_hex": c.b_hex, "secret_block": c.secret_block,
                "unix_secs": c.unix_secs,
            })
        })
        .collect();
    let python = venv_python();
    let output = Command::new(&python)
        .args(["-c", PYCOGNITO, &serde_json::to_string(&input).unwrap()])
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", python.display()));
    assert!(
        output.status.success(),
        "pycognito failed (is it in the venv? scripts/lib/setup.sh installs it):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let expected: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(expected.len(), cases.len());

    for (case, want) in cases.iter().zip(&expected) {
        let a = hex::decode(&case.a_hex).unwrap();
        let client = SrpClient::with_secret(case.pool_id, &a).unwrap();
        assert_eq!(
            client.public_a_hex(),
            want["srp_a"].as_str().unwrap(),
            "SRP_A, {}",
            case.user
        );
        let challenge = PasswordVerifierChallenge {
            user_id_for_srp: case.user,
            salt_hex: case.salt_hex,
            srp_b_hex: &case.b_hex,
            secret_block_b64: case.secret_block,
        };
        let claim = client
            .password_claim_at(&challenge, case.password, case.unix_secs)
            .unwrap();
        assert_eq!(
            claim.timestamp,
            want["timestamp"].as_str().unwrap(),
            "TIMESTAMP, {}",
            case.user
        );
        assert_eq!(
            claim.signature,
            want["signature"].as_str().unwrap(),
            "PASSWORD_CLAIM_SIGNATURE, {}",
            case.user
        );
        // And the signature depends on the password, so equal outputs are not a fluke.
        let wrong = client
            .password_claim_at(&challenge, "not the password", case.unix_secs)
            .unwrap();
        assert_ne!(wrong.signature, claim.signature);
    }
}
