//! Lambda's runtime API on loopback: what a function's own process (a built `bootstrap`, such
//! as `strato-api`) polls for its invocations, as it polls Lambda's in a deployment, so tests
//! can run the function exactly as deployed, its set-up included.
//!
//! [`RuntimeApi::invoke`] queues an event; an instance takes it with
//! `GET /2018-06-01/runtime/invocation/next` (the request id, deadline, function ARN and
//! X-Ray trace in the headers `lambda_runtime` reads) and answers with
//! `POST …/invocation/{id}/response` or `…/error`. As on Lambda, an instance takes one
//! invocation at a time; several instances may poll one API. An invocation's deadline runs
//! from when an instance takes it; one nobody waits for any more (it timed out in the queue)
//! is not handed out. An instance whose set-up fails exits, as Lambda sees it fail its init.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse as _, Response};
use axum::routing::{get, post};
use tokio::sync::oneshot;

/// How long an invocation may run once an instance has it, unless the API is started with a
/// timeout of its own: API Gateway gives up on an integration after 30 s.
const DEADLINE: Duration = Duration::from_secs(29);
/// How long an invocation may wait for a free instance.
const QUEUED_AT_MOST: Duration = Duration::from_secs(60);

/// An invocation waiting for an instance.
struct Queued {
    request_id: String,
    trace_id: Option<String>,
    event: String,
    /// Told when an instance takes it, so its deadline starts then.
    taken: oneshot::Sender<()>,
}

/// How an invocation ended.
type Outcome = Result<String, String>;

struct Shared {
    answers: Mutex<HashMap<String, oneshot::Sender<Outcome>>>,
    /// What instances are told they were invoked as.
    function_arn: String,
    /// How long an invocation may run once an instance has it (the function's timeout).
    timeout: Duration,
}

/// The runtime API, serving on loopback until dropped.
#[derive(Clone)]
pub struct RuntimeApi {
    address: SocketAddr,
    queue: async_channel::Sender<Queued>,
    shared: Arc<Shared>,
    _server: Arc<tokio::task::AbortHandle>,
}

impl std::fmt::Debug for RuntimeApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuntimeApi")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl RuntimeApi {
    /// Serves function `name`'s instances on a free loopback port, each invocation with the
    /// 29 s an API function has.
    ///
    /// # Errors
    /// When no port can be bound.
    pub async fn start(name: &str) -> std::io::Result<Self> {
        Self::with_timeout(name, DEADLINE).await
    }

    /// [`RuntimeApi::start`] for a function whose timeout is `timeout` (processing's is
    /// 15 minutes; a test gives it what it needs).
    ///
    /// # Errors
    /// When no port can be bound.
    pub async fn with_timeout(name: &str, timeout: Duration) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let (queue, pending) = async_channel::unbounded();
        let shared = Arc::new(Shared {
            answers: Mutex::default(),
            function_arn: format!("arn:aws:lambda:us-east-1:123456789012:function:{name}"),
            timeout,
        });
        let routes = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(respond),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(fail))
            .with_state((pending, Arc::clone(&shared)));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, routes).await;
        });
        Ok(Self {
            address,
            queue,
            shared,
            _server: Arc::new(server.abort_handle()),
        })
    }

    /// `host:port`, as `AWS_LAMBDA_RUNTIME_API` names it.
    #[must_use]
    pub fn address(&self) -> String {
        self.address.to_string()
    }

    /// Runs `event` on the next free instance: its answer, or the error it reported.
    ///
    /// # Errors
    /// When the function reported an error, or no instance answered in time.
    pub async fn invoke(
        &self,
        event: String,
        request_id: &str,
        trace_id: Option<String>,
    ) -> Outcome {
        let (answer, answered) = oneshot::channel();
        let (taken, was_taken) = oneshot::channel();
        self.shared
            .answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(request_id.to_owned(), answer);
        let queued = Queued {
            request_id: request_id.to_owned(),
            trace_id,
            event,
            taken,
        };
        if self.queue.send(queued).await.is_err() {
            return Err("the runtime API has stopped".to_owned());
        }
        let outcome = match tokio::time::timeout(QUEUED_AT_MOST, was_taken).await {
            Ok(Ok(())) => match tokio::time::timeout(self.shared.timeout, answered).await {
                Ok(Ok(outcome)) => return outcome,
                Ok(Err(_)) => "the invocation was dropped".to_owned(),
                Err(_) => format!("no answer within {} s", self.shared.timeout.as_secs()),
            },
            _ => format!("no instance took it within {} s", QUEUED_AT_MOST.as_secs()),
        };
        // Nobody waits for it any more: not handed out, and a late answer is refused.
        self.shared
            .answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(request_id);
        Err(outcome)
    }
}

type ApiState = (async_channel::Receiver<Queued>, Arc<Shared>);

async fn next(State((pending, shared)): State<ApiState>) -> Response {
    let (request_id, trace_id, event) = loop {
        let Ok(queued) = pending.recv().await else {
            return StatusCode::GONE.into_response();
        };
        let Queued {
            request_id,
            trace_id,
            event,
            taken,
        } = queued;
        let waited_for = shared
            .answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(&request_id);
        if waited_for && taken.send(()).is_ok() {
            break (request_id, trace_id, event);
        }
    };
    let deadline = SystemTime::now()
        .checked_add(shared.timeout)
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_millis());
    let mut headers = HeaderMap::new();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set("lambda-runtime-aws-request-id", &request_id);
    set("lambda-runtime-deadline-ms", &deadline.to_string());
    set("lambda-runtime-invoked-function-arn", &shared.function_arn);
    if let Some(trace) = &trace_id {
        set("lambda-runtime-trace-id", trace);
    }
    (StatusCode::OK, headers, event).into_response()
}

fn settle(shared: &Shared, id: &str, outcome: Outcome) -> StatusCode {
    let waiting = shared
        .answers
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .remove(id);
    match waiting {
        Some(answer) => {
            let _ = answer.send(outcome);
            StatusCode::ACCEPTED
        }
        None => StatusCode::BAD_REQUEST,
    }
}

async fn respond(
    State((_, shared)): State<ApiState>,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusCode {
    let answer = String::from_utf8_lossy(&body).into_owned();
    settle(&shared, &id, Ok(answer))
}

async fn fail(
    State((_, shared)): State<ApiState>,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusCode {
    let error = String::from_utf8_lossy(&body).into_owned();
    settle(&shared, &id, Err(error))
}
