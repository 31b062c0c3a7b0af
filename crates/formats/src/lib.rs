//! Interchange formats other players and services read and write, parsed and written
//! without I/O: the caller reads the bytes (a file, a download) and writes the text.
//!
//! - [`lrc`]: synced lyrics (LRC, as LRCLIB and most players give them), read into lines
//!   with their times, the line to show at a position, and written back;
//! - [`playlist_file`]: playlists as files, M3U/M3U8 and XSPF, read and written, and their
//!   entries matched to the tracks of a library.
//!
//! Every reader takes untrusted bytes: it never panics, refuses what is too large or not
//! text in words a listener understands, and what it reads, written back and read again,
//! is the same value (the fuzz targets `lrc` and `playlist_file` check both).

pub mod lrc;
pub mod playlist_file;
mod text;
