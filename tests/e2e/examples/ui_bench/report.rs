//! Percentiles and the printed rows.

/// p50, p95 and max of `samples` (milliseconds or any unit).
pub fn percentiles(samples: &[f64]) -> (f64, f64, f64) {
    if samples.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let index = ((sorted.len() - 1) as f64 * q).round() as usize;
        sorted[index]
    };
    (at(0.5), at(0.95), sorted[sorted.len() - 1])
}

/// `name: value` pairs as `name 1.2 · other 3.4`.
pub fn by_process(values: &[(String, f64)], unit: &str) -> String {
    values
        .iter()
        .map(|(name, value)| format!("{name} {value:.1}{unit}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The `"all"` entry of a per-process list.
pub fn total(values: &[(String, f64)]) -> f64 {
    values
        .iter()
        .find(|(name, _)| name == "all")
        .map_or(f64::NAN, |(_, v)| *v)
}

pub fn row(what: &str, figure: &str, target: &str) {
    println!("| {what} | {figure} | {target} |");
}
