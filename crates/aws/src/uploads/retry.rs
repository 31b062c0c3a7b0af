//! Trying again: how many times a change reads again after losing a race, what a cancelled
//! transaction says about each of its actions, and how long to wait before the next try.

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use rand::Rng as _;

/// How many times a change reads again after losing a race.
pub const ATTEMPTS: u32 = 8;
/// A cancellation reason: a condition did not hold.
pub const CONDITION_FAILED: &str = "ConditionalCheckFailed";

/// Each action's cancellation reason (`None` or `"None"` for those that did not fail), when a
/// transaction was cancelled.
pub fn cancellation<R>(
    error: &aws_sdk_dynamodb::error::SdkError<TransactWriteItemsError, R>,
) -> Option<Vec<String>> {
    match error.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(cancel)) => Some(
            cancel
                .cancellation_reasons()
                .iter()
                .map(|reason| reason.code().unwrap_or("None").to_owned())
                .collect(),
        ),
        _ => None,
    }
}

/// A pause before trying again, longer each time, with jitter.
pub fn backoff(attempt: u32) -> std::time::Duration {
    let base = 20u64 << attempt.min(6);
    std::time::Duration::from_millis(base + rand::thread_rng().gen_range(0..base))
}
