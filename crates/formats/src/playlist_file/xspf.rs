//! XSPF, the XML Shareable Playlist Format (<https://xspf.org/spec>):
//!
//! ```xml
//! <playlist version="1" xmlns="http://xspf.org/ns/0/">
//!   <title>Road trip</title>
//!   <trackList>
//!     <track>
//!       <location>file:///home/me/Music/J%C3%B3ga.mp3</location>
//!       <creator>Björk</creator><title>Jóga</title><album>Homogenic</album>
//!       <trackNum>2</trackNum><duration>305000</duration>
//!     </track>
//!   </trackList>
//! </playlist>
//! ```
//!
//! Read: the playlist's `<title>` and, of each track, its first `<location>` and its
//! `<title>`, `<creator>`, `<album>`, `<trackNum>` and `<duration>` (milliseconds). Only
//! those elements where the specification puts them count: a `<title>` inside VLC's
//! `<extension>` is not the track's. Everything else (`<meta>`, `<image>`, `<annotation>`)
//! is skipped. Entities are XML's five and character references; a document defining its
//! own is refused, as broken XML is, with its line.

use std::fmt::Write as _;

use quick_xml::Reader;
use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::{BytesStart, Event};

use super::location;
use super::{MAX_ENTRIES, PlaylistEntry, PlaylistFile, PlaylistFileError, from_millis};
use crate::text;

/// Where the reader is in the document: the elements that matter, and `Other` for the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Element {
    Playlist,
    PlaylistTitle,
    TrackList,
    Track,
    Field(Field),
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Location,
    Title,
    Creator,
    Album,
    TrackNum,
    Duration,
}

/// Reads an XSPF playlist, already text.
pub fn parse_xspf(text: &str) -> Result<PlaylistFile, PlaylistFileError> {
    let mut reader = Reader::from_str(text);
    let mut playlist = PlaylistFile::default();
    let mut open: Vec<Element> = Vec::new();
    let mut track = PlaylistEntry::default();
    // The text of the field or title being read.
    let mut value = String::new();
    let broken = |position: u64, problem: String| PlaylistFileError::NotXml {
        line: line_at(text, position),
        problem,
    };
    loop {
        let event = reader
            .read_event()
            .map_err(|error| broken(reader.error_position(), error.to_string()))?;
        match event {
            Event::Start(start) => {
                let element = child(open.last().copied(), &start)?;
                open.push(element);
                if reads_text(&open) {
                    value.clear();
                }
            }
            Event::Empty(start) => {
                let element = child(open.last().copied(), &start)?;
                close(element, "", &mut playlist, &mut track)?;
                if element == Element::Playlist {
                    break;
                }
            }
            Event::End(_) => {
                let Some(element) = open.pop() else { break };
                close(element, &value, &mut playlist, &mut track)?;
                if open.is_empty() {
                    break;
                }
            }
            Event::Text(part) if reads_text(&open) => value.push_str(&part.xml10_content()),
            Event::CData(part) if reads_text(&open) => value.push_str(&part.xml10_content()),
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    Ok(None) => resolve_predefined_entity(&reference).map(str::to_owned),
                    Err(error) => return Err(broken(reader.buffer_position(), error.to_string())),
                };
                let Some(resolved) = resolved else {
                    let problem = format!("&{}; is not an entity XML defines", &*reference);
                    return Err(broken(reader.buffer_position(), problem));
                };
                if reads_text(&open) {
                    value.push_str(&resolved);
                }
            }
            Event::Eof if open.is_empty() => {
                return Err(PlaylistFileError::NotXspf {
                    found: "no playlist element".into(),
                });
            }
            Event::Eof => {
                let problem = "the file ends inside the playlist".into();
                return Err(broken(reader.buffer_position(), problem));
            }
            _ => {}
        }
    }
    Ok(playlist)
}

/// The line (from 1) of a byte position in the text.
fn line_at(text: &str, position: u64) -> usize {
    let end = usize::try_from(position)
        .unwrap_or(usize::MAX)
        .min(text.len());
    text.as_bytes()[..end].split(|&b| b == b'\n').count()
}

fn reads_text(open: &[Element]) -> bool {
    matches!(
        open.last(),
        Some(Element::Field(_) | Element::PlaylistTitle)
    )
}

/// What an element opened inside `parent` is. The root must be a `<playlist>`.
fn child(parent: Option<Element>, start: &BytesStart) -> Result<Element, PlaylistFileError> {
    let name = start.local_name();
    let name: &str = name.as_ref();
    Ok(match (parent, name) {
        (None, "playlist") => Element::Playlist,
        (None, other) => {
            return Err(PlaylistFileError::NotXspf {
                found: format!(
                    "<{}> as its root",
                    other.chars().take(40).collect::<String>()
                ),
            });
        }
        (Some(Element::Playlist), "title") => Element::PlaylistTitle,
        (Some(Element::Playlist), "trackList") => Element::TrackList,
        (Some(Element::TrackList), "track") => Element::Track,
        (Some(Element::Track), field) => match field {
            "location" => Element::Field(Field::Location),
            "title" => Element::Field(Field::Title),
            "creator" => Element::Field(Field::Creator),
            "album" => Element::Field(Field::Album),
            "trackNum" => Element::Field(Field::TrackNum),
            "duration" => Element::Field(Field::Duration),
            _ => Element::Other,
        },
        _ => Element::Other,
    })
}

/// An element closed with `value` as its text: a field, a title, a track done. The first
/// of a field that appears twice is kept.
fn close(
    element: Element,
    value: &str,
    playlist: &mut PlaylistFile,
    track: &mut PlaylistEntry,
) -> Result<(), PlaylistFileError> {
    match element {
        Element::PlaylistTitle => {
            if playlist.name.is_none() {
                playlist.name = text::field(value);
            }
        }
        Element::Track => {
            if playlist.entries.len() == MAX_ENTRIES {
                return Err(PlaylistFileError::TooManyEntries);
            }
            playlist.entries.push(std::mem::take(track));
        }
        Element::Field(field) => {
            let slot = |slot: &mut Option<String>| {
                if slot.is_none() {
                    *slot = text::field(value);
                }
            };
            match field {
                Field::Location => {
                    if track.location.is_none() {
                        track.location =
                            Some(location::from_uri(value)).filter(|loc| !loc.is_empty());
                    }
                }
                Field::Title => slot(&mut track.title),
                Field::Creator => slot(&mut track.artist),
                Field::Album => slot(&mut track.album),
                Field::TrackNum => {
                    track.track_number = track
                        .track_number
                        .or_else(|| text::trim(value).parse::<u32>().ok().filter(|&n| n > 0));
                }
                Field::Duration => {
                    track.duration = track
                        .duration
                        .or_else(|| text::trim(value).parse::<u64>().ok().and_then(from_millis));
                }
            }
        }
        Element::Playlist | Element::TrackList | Element::Other => {}
    }
    Ok(())
}

/// Writes a playlist as XSPF (UTF-8): its name as `<title>`, each entry as a `<track>` with
/// what it has; local paths become `file://` URLs.
#[must_use]
pub fn to_xspf(playlist: &PlaylistFile) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <playlist version=\"1\" xmlns=\"http://xspf.org/ns/0/\">\n",
    );
    if let Some(name) = playlist.name.as_deref().and_then(text::field) {
        let _ = writeln!(out, "  <title>{}</title>", escape(name));
    }
    out.push_str("  <trackList>\n");
    for entry in &playlist.entries {
        out.push_str("    <track>\n");
        let location = entry
            .location
            .as_deref()
            .map(text::location)
            .filter(|location| !location.is_empty())
            .map(|location| location::to_uri(&location));
        let fields = [
            ("location", location),
            ("creator", entry.artist.as_deref().and_then(text::field)),
            ("title", entry.title.as_deref().and_then(text::field)),
            ("album", entry.album.as_deref().and_then(text::field)),
            (
                "trackNum",
                entry
                    .track_number
                    .filter(|&n| n > 0)
                    .as_ref()
                    .map(ToString::to_string),
            ),
            (
                "duration",
                entry
                    .duration
                    .map(|duration| duration.as_millis())
                    .filter(|&ms| ms > 0)
                    .as_ref()
                    .map(ToString::to_string),
            ),
        ];
        for (element, value) in fields {
            if let Some(value) = value {
                let _ = writeln!(out, "      <{element}>{}</{element}>", escape(value));
            }
        }
        out.push_str("    </track>\n");
    }
    out.push_str("  </trackList>\n</playlist>\n");
    out
}

#[cfg(test)]
mod tests;
