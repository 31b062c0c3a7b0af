//! The trace header of every API and CDN request (`docs/api.md`, "Tracing"): X-Ray's
//! `X-Amzn-Trace-Id: Root=1-<8 hex: Unix seconds>-<24 hex: random>;Parent=<16 hex>;Sampled=<0|1>`.
//! The client sends one `Root` for all the requests of one user action; the service logs it
//! with each request (and starts one where a request has none), so one id joins both logs.

/// The header's name (HTTP header names are case-insensitive).
pub const TRACE_HEADER: &str = "x-amzn-trace-id";

/// The `Root` of a header value, if it has a well-formed one.
#[must_use]
pub fn trace_root(header: &str) -> Option<&str> {
    let root = header
        .split(';')
        .find_map(|part| part.trim().strip_prefix("Root="))?;
    let hex = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit());
    let mut parts = root.split('-');
    let well_formed = parts.next() == Some("1")
        && parts.next().is_some_and(|time| hex(time, 8))
        && parts.next().is_some_and(|id| hex(id, 24))
        && parts.next().is_none();
    well_formed.then_some(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_roots_are_read() {
        assert_eq!(
            trace_root("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"),
            Some("1-5759e988-bd862e3fe1be46a994272793")
        );
        assert_eq!(
            trace_root(
                "Self=1-67891234-12456789abcdef012345678;Root=1-5759e988-bd862e3fe1be46a994272793"
            ),
            Some("1-5759e988-bd862e3fe1be46a994272793")
        );
        for bad in [
            "",
            "Root=",
            "Root=2-5759e988-bd862e3fe1be46a994272793",
            "Root=1-5759e98-bd862e3fe1be46a994272793",
            "Root=1-5759e988-bd862e3fe1be46a99427279",
            "Root=1-5759e988-bd862e3fe1be46a994272793-x",
            "Root=1-zzzzzzzz-bd862e3fe1be46a994272793",
        ] {
            assert_eq!(trace_root(bad), None, "{bad}");
        }
    }
}
