//! Seeds for randomised tests, replayable with one variable.
//!
//! `scripts/test` chooses `STRATO_TEST_SEED` for the whole run and prints it; every randomised
//! test derives its own seed from it and its name, so that one variable replays every random
//! choice of a run (`STRATO_TEST_SEED=<n> cargo test ...`). Without the variable a test draws a
//! fresh seed. Either way the test prints the variable to set: libtest shows a failing test's
//! output, so the seed is there when it matters.

use std::hash::{BuildHasher, Hasher};

/// The variable that replays a run's random choices.
pub const TEST_SEED_VAR: &str = "STRATO_TEST_SEED";

/// The seed for the randomised test `test`: derived from `STRATO_TEST_SEED` when it is set,
/// else random. Prints how to replay it.
///
/// # Panics
/// When `STRATO_TEST_SEED` is set but not a number.
#[must_use]
pub fn test_seed(test: &str) -> u64 {
    let run_seed = match std::env::var(TEST_SEED_VAR) {
        Ok(value) => value
            .trim()
            .parse::<u64>()
            .unwrap_or_else(|_| panic!("{TEST_SEED_VAR} must be a number, not {value:?}")),
        Err(_) => fresh(),
    };
    println!("{test}: replay with {TEST_SEED_VAR}={run_seed}");
    mix(run_seed, test)
}

/// A random seed from the OS's entropy (the standard library seeds `RandomState` from it).
fn fresh() -> u64 {
    std::collections::hash_map::RandomState::new().hash_one(0x5EED_u64) >> 16
}

/// One run seed gives each test a seed of its own (FNV-1a over the name, then splitmix64), so
/// two tests of a run never walk the same sequence.
fn mix(run_seed: u64, test: &str) -> u64 {
    let mut hasher = Fnv1a(0xcbf2_9ce4_8422_2325);
    hasher.write(test.as_bytes());
    let mut z = run_seed ^ hasher.finish();
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

struct Fnv1a(u64);

impl Hasher for Fnv1a {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_run_seed_gives_each_test_its_own_stable_seed() {
        assert_eq!(mix(42, "convergence"), mix(42, "convergence"));
        assert_ne!(mix(42, "convergence"), mix(42, "crash"));
        assert_ne!(mix(42, "convergence"), mix(43, "convergence"));
    }
}
