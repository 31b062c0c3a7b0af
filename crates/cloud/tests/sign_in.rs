//! Sign-in, challenges, sign-up and password reset against moto (through devcloud's
//! `/v1/config`).
//!
//! What moto does not check, and so these tests do not claim: the SRP signature (any is
//! accepted; `srp_vectors.rs` checks our math against pycognito), MFA codes and sign-up
//! confirmation codes (any is accepted).

use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, MessageActionType, SmsMfaSettingsType, SoftwareTokenMfaSettingsType,
};
use strato_cloud::{
    AuthFlow, ChallengeKind, CloudErrorKind, Credentials, ServiceClient, SignInStep,
};
use strato_testkit::{DevCloud, Moto};

fn creds(username: &str, password: &str) -> Credentials {
    Credentials {
        username: username.to_owned(),
        password: password.to_owned(),
    }
}

async fn service(cloud: &DevCloud) -> ServiceClient {
    ServiceClient::connect(cloud.api_url()).await.unwrap()
}

fn demo(cloud: &DevCloud) -> Credentials {
    let ready = cloud.config();
    creds(
        ready.demo_username.as_deref().unwrap(),
        ready.demo_password.as_deref().unwrap(),
    )
}

#[tokio::test]
async fn srp_is_the_default_and_its_tokens_work_on_the_api() {
    let cloud = DevCloud::start(Moto::start()).await;
    let service = service(&cloud).await;
    assert_eq!(service.auth_flow(), AuthFlow::Srp);
    let tokens = service.sign_in(&demo(&cloud)).await.unwrap();
    assert!(tokens.has_refresh_token());
    // The API (devcloud checks the JWT against moto's JWKS) takes the token.
    let api = strato_cloud::ApiClient::new(service, tokens);
    let page = api.tracks(None, 5).await.unwrap();
    assert!(!page.items.is_empty());
}

#[tokio::test]
async fn password_flow_is_a_working_fallback() {
    let cloud = DevCloud::start(Moto::start()).await;
    let service = service(&cloud).await.with_auth_flow(AuthFlow::Password);
    let tokens = service.sign_in(&demo(&cloud)).await.unwrap();
    let api = strato_cloud::ApiClient::new(service, tokens);
    api.home().await.unwrap();
}

#[tokio::test]
async fn wrong_password_and_unknown_user_read_the_same_in_both_flows() {
    let cloud = DevCloud::start(Moto::start()).await;
    let demo = demo(&cloud);
    for flow in [AuthFlow::Srp, AuthFlow::Password] {
        let service = service(&cloud).await.with_auth_flow(flow);
        let unknown = service
            .sign_in(&creds("nobody-here", "Whatever-123"))
            .await
            .unwrap_err();
        assert_eq!(unknown.kind(), CloudErrorKind::Auth, "{flow:?}");
        assert_eq!(unknown.to_string(), "Incorrect username or password.");
        if flow == AuthFlow::Password {
            // moto accepts any SRP signature, so a wrong password only fails this flow there.
            let wrong = service
                .sign_in(&creds(&demo.username, "not-the-password"))
                .await
                .unwrap_err();
            assert_eq!(wrong.to_string(), unknown.to_string());
        }
    }
}

#[tokio::test]
async fn a_temporary_password_asks_for_a_new_one() {
    let cloud = DevCloud::start(Moto::start()).await;
    let admin = cloud.cognito();
    admin
        .sdk()
        .admin_create_user()
        .user_pool_id(&cloud.config().user_pool_id)
        .username("newcomer")
        .temporary_password("Temp-Pass-123")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let service = service(&cloud).await;
    let step = service
        .begin_sign_in(&creds("newcomer", "Temp-Pass-123"))
        .await
        .unwrap();
    let SignInStep::Challenge(challenge) = step else {
        panic!("expected a challenge, got {step:?}");
    };
    assert_eq!(challenge.kind(), &ChallengeKind::NewPasswordRequired);
    // The plain sign_in explains the step instead of failing obscurely.
    let err = service
        .sign_in(&creds("newcomer", "Temp-Pass-123"))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "To sign in, choose a new password.");

    let empty = service
        .respond_to_challenge(&challenge, "")
        .await
        .unwrap_err();
    assert_eq!(empty.kind(), CloudErrorKind::InvalidInput);
    let step = service
        .respond_to_challenge(&challenge, "Brand-New-Pass-456")
        .await
        .unwrap();
    assert!(matches!(step, SignInStep::SignedIn(_)), "{step:?}");
    // The new password is the password now (checked with the password flow: moto checks it).
    service
        .clone()
        .with_auth_flow(AuthFlow::Password)
        .sign_in(&creds("newcomer", "Brand-New-Pass-456"))
        .await
        .unwrap();
}

#[tokio::test]
async fn sms_and_authenticator_codes_are_asked_for_and_answered() {
    let cloud = DevCloud::start(Moto::start()).await;
    let admin = cloud.cognito();
    let pool = cloud.config().user_pool_id.clone();
    let service = service(&cloud).await;

    // SMS: moto sends nothing and accepts any code.
    admin.ensure_user("texted", "Texted-Pass-123").await;
    admin
        .sdk()
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("texted")
        .user_attributes(
            AttributeType::builder()
                .name("phone_number")
                .value("+15550001234")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    admin
        .sdk()
        .admin_set_user_mfa_preference()
        .user_pool_id(&pool)
        .username("texted")
        .sms_mfa_settings(
            SmsMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let SignInStep::Challenge(challenge) = service
        .begin_sign_in(&creds("texted", "Texted-Pass-123"))
        .await
        .unwrap()
    else {
        panic!("expected an SMS challenge");
    };
    assert!(
        matches!(challenge.kind(), ChallengeKind::SmsMfa { .. }),
        "{challenge:?}"
    );
    let step = service
        .respond_to_challenge(&challenge, " 123456 ")
        .await
        .unwrap();
    assert!(matches!(step, SignInStep::SignedIn(_)), "{step:?}");

    // Authenticator app: associate and verify a software token first (moto accepts any code).
    admin.ensure_user("totp", "Totp-Pass-123").await;
    let access = admin
        .access_token(&cloud.config().client_id, "totp", "Totp-Pass-123")
        .await;
    admin
        .sdk()
        .associate_software_token()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    admin
        .sdk()
        .verify_software_token()
        .access_token(&access)
        .user_code("123456")
        .send()
        .await
        .unwrap();
    admin
        .sdk()
        .set_user_mfa_preference()
        .access_token(&access)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let SignInStep::Challenge(challenge) = service
        .begin_sign_in(&creds("totp", "Totp-Pass-123"))
        .await
        .unwrap()
    else {
        panic!("expected an authenticator challenge");
    };
    assert_eq!(challenge.kind(), &ChallengeKind::SoftwareTokenMfa);
    let step = service
        .respond_to_challenge(&challenge, "654321")
        .await
        .unwrap();
    assert!(matches!(step, SignInStep::SignedIn(_)), "{step:?}");
}

#[tokio::test]
async fn sign_up_confirm_and_resend() {
    let cloud = DevCloud::start(Moto::start()).await;
    let service = service(&cloud).await;
    let signed_up = service
        .sign_up("fresh-listener", "Fresh-Pass-123", "fresh@example.com")
        .await
        .unwrap();
    assert!(!signed_up.confirmed);

    let taken = service
        .sign_up("fresh-listener", "Fresh-Pass-123", "fresh@example.com")
        .await
        .unwrap_err();
    assert!(taken.to_string().contains("username is taken"), "{taken}");

    let weak = service
        .sign_up("weak-listener", "a", "weak@example.com")
        .await
        .unwrap_err();
    assert_eq!(weak.kind(), CloudErrorKind::InvalidInput);
    assert!(
        weak.to_string().contains("password is not allowed"),
        "{weak}"
    );

    let unconfirmed = service
        .with_auth_flow(AuthFlow::Password)
        .sign_in(&creds("fresh-listener", "Fresh-Pass-123"))
        .await
        .unwrap_err();
    assert!(
        unconfirmed.to_string().contains("not confirmed"),
        "{unconfirmed}"
    );

    let service = ServiceClient::connect(cloud.api_url()).await.unwrap();
    // moto 5.2 has no ResendConfirmationCode (it answers 500): only the words for a failing
    // service are checked here; the call itself is untested against an emulator.
    let resend = service
        .resend_confirmation_code("fresh-listener")
        .await
        .unwrap_err();
    assert_eq!(resend.kind(), CloudErrorKind::Server);
    assert_eq!(
        resend.to_string(),
        "The sign-in service had a problem. Try again later."
    );
    service
        .confirm_sign_up("fresh-listener", "123456")
        .await
        .unwrap();
    service
        .sign_in(&creds("fresh-listener", "Fresh-Pass-123"))
        .await
        .unwrap();
}

/// `ForgotPassword` straight to moto, to read the code it returns in a header.
async fn moto_reset_code(cloud: &DevCloud, username: &str) -> String {
    let response = cloud
        .http()
        .post(&cloud.config().cognito_endpoint)
        .header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.ForgotPassword",
        )
        .header("content-type", "application/x-amz-json-1.1")
        .body(
            serde_json::json!({"ClientId": cloud.config().client_id, "Username": username})
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    response
        .headers()
        .get("x-moto-forgot-password-confirmation-code")
        .expect("moto returns the code")
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn forgot_password_and_confirm() {
    let cloud = DevCloud::start(Moto::start()).await;
    cloud
        .cognito()
        .ensure_user("forgetful", "Old-Pass-123")
        .await;
    let service = service(&cloud).await.with_auth_flow(AuthFlow::Password);

    service.forgot_password("forgetful").await.unwrap();
    // moto refuses a code shaped like its own that is not the one it sent.
    let code = moto_reset_code(&cloud, "forgetful").await;
    let wrong = service
        .confirm_forgot_password("forgetful", "moto-confirmation-code:nope", "New-Pass-456")
        .await
        .unwrap_err();
    assert!(wrong.to_string().contains("code has expired"), "{wrong}");

    service
        .confirm_forgot_password("forgetful", &code, "New-Pass-456")
        .await
        .unwrap();
    service
        .sign_in(&creds("forgetful", "New-Pass-456"))
        .await
        .unwrap();
    let old = service
        .sign_in(&creds("forgetful", "Old-Pass-123"))
        .await
        .unwrap_err();
    assert_eq!(old.to_string(), "Incorrect username or password.");
}

#[tokio::test]
async fn an_unreachable_sign_in_service_reads_as_offline() {
    let moto = Moto::spawn();
    let cloud = DevCloud::start(&moto).await;
    let service = service(&cloud).await;
    drop(moto);
    let err = service.sign_in(&demo(&cloud)).await.unwrap_err();
    assert_eq!(err.kind(), CloudErrorKind::Offline);
    assert_eq!(
        err.to_string(),
        "Could not reach the sign-in service. Check your connection."
    );
}
