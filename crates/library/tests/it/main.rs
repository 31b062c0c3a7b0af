//! Integration tests of the library, on real SQLite files in temporary folders. One test
//! binary (faster to link than one per file); every test ends with `Fixture::check`, which
//! runs the integrity checks.

mod catalog_pages;
mod edits;
mod migrations;
mod offline_state;
mod order_property;
mod search;
mod server_state;
mod support;
