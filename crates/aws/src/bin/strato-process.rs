//! `strato-process`: the processing function ([`strato_aws::process`]). Lambda's SQS event
//! source invokes it with the jobs the API function queued; it answers which to hand out
//! again. ffmpeg and ffprobe come from the stack's layer, on `PATH` at `/opt/bin`.

use std::time::{Duration, UNIX_EPOCH};

use aws_config::BehaviorVersion;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use strato_aws::deployment::run_function;
use strato_aws::process::{ProcessEnvironment, ProcessFunction};

// One thread runs the function; the encodes are ffmpeg's own processes, and hashing runs on
// the blocking pool.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    // The function's whole life is one big future: on the heap, not the stack.
    run_function(Box::pin(serve())).await;
}

async fn serve() -> Result<(), lambda_runtime::Error> {
    let environment = ProcessEnvironment::from_vars(|name| std::env::var(name).ok())?;
    let sdk = aws_config::defaults(BehaviorVersion::latest()).load().await;
    let function = ProcessFunction::new(&environment, &sdk).await?;
    let function = &function;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        let deadline = UNIX_EPOCH + Duration::from_millis(event.context.deadline);
        // Processing awaits many encodes at once: a big future, kept off the stack.
        let answer: SqsBatchResponse = Box::pin(function.handle(event.payload, deadline)).await;
        Ok::<_, lambda_runtime::Error>(answer)
    }))
    .await
}
