//! `strato-collect`: the collector function ([`strato_aws::collect`]), invoked hourly by an
//! `EventBridge` rule; the event itself says nothing it needs.

use aws_config::BehaviorVersion;
use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use strato_aws::collect::{CollectEnvironment, Collection, Collector};
use strato_aws::deployment::run_function;

// One thread: an instance runs one invocation at a time (see strato-api).
#[tokio::main(flavor = "current_thread")]
async fn main() {
    // The function's whole life is one big future: on the heap, not the stack.
    run_function(Box::pin(serve())).await;
}

async fn serve() -> Result<(), lambda_runtime::Error> {
    let environment = CollectEnvironment::from_vars(|name| std::env::var(name).ok())?;
    let sdk = aws_config::defaults(BehaviorVersion::latest()).load().await;
    let collector = Collector::new(&environment, &sdk)?;
    let collector = &collector;
    lambda_runtime::run(service_fn(
        move |_: LambdaEvent<serde_json::Value>| async move {
            let collection: Collection = collector.run().await?;
            tracing::info!(
                objects = collection.collected.objects.len(),
                multipart_uploads = collection.collected.multipart_uploads.len(),
                published = collection.collected.published.len(),
                sweeps_finished = collection.sweeps_finished,
                "collected"
            );
            Ok::<_, lambda_runtime::Error>(collection)
        },
    ))
    .await
}
