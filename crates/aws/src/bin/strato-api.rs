//! `strato-api`: the API function. API Gateway's HTTP API sends it every `/v1` request (one
//! `$default` route, no authorizer), and devcloud's own handlers answer, over the
//! deployment's stores ([`strato_aws::deployment::api_state`]), through `lambda_http`.
//!
//! Its set-up runs once per execution environment, in Lambda's init phase: a missing
//! variable, an unreadable catalog or signing key stops it there, with the reason in its log,
//! rather than answering requests wrongly.

use aws_config::BehaviorVersion;
use strato_aws::deployment::{ApiEnvironment, api_state, run_function};

// One thread: an instance answers one invocation at a time, and the runtime sets the X-Ray
// trace variable per invocation, which other threads must not be reading meanwhile.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    // The function's whole life is one big future: on the heap, not the stack.
    run_function(Box::pin(serve())).await;
}

async fn serve() -> Result<(), lambda_http::Error> {
    let environment = ApiEnvironment::from_vars(|name| std::env::var(name).ok())?;
    let sdk = aws_config::defaults(BehaviorVersion::latest()).load().await;
    // Set-up awaits several clients at once: a big future, kept off the stack.
    let state = Box::pin(api_state(&environment, &sdk)).await?;
    tracing::info!(
        tracks = state.catalog.track_count(),
        "the API function is ready"
    );
    lambda_http::run(strato_devcloud::api::contract_router(state)).await
}
