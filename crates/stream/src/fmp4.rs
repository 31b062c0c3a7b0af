//! Fragmented MP4: an init section (`ftyp` + `moov`) followed by fragments (`moof` +
//! `mdat`) is one stream symphonia's isomp4 reader decodes. We check the box structure
//! so a truncated download fails here, with a clear error, not deep in the decoder.

use crate::error::{Result, StreamError};

/// Checks an EXT-X-MAP init section: well-formed boxes including a `moov`.
pub fn check_init_section(init: &[u8]) -> Result<()> {
    let boxes = top_level_boxes(init, "init section")?;
    if !boxes.contains(b"moov") {
        return Err(StreamError::MalformedFmp4(
            "the init section has no moov box".into(),
        ));
    }
    Ok(())
}

/// Checks one media fragment: well-formed boxes including `moof` and `mdat`.
pub fn check_fragment(fragment: &[u8]) -> Result<()> {
    let boxes = top_level_boxes(fragment, "fragment")?;
    for required in [b"moof", b"mdat"] {
        if !boxes.contains(required) {
            return Err(StreamError::MalformedFmp4(format!(
                "the fragment has no {} box",
                String::from_utf8_lossy(required)
            )));
        }
    }
    Ok(())
}

/// Concatenates an init section and fragments into one decodable stream, checking each.
pub fn concat_init_and_fragments<'a>(
    init: &[u8],
    fragments: impl IntoIterator<Item = &'a [u8]>,
) -> Result<Vec<u8>> {
    check_init_section(init)?;
    let mut stream = init.to_vec();
    for fragment in fragments {
        check_fragment(fragment)?;
        stream.extend_from_slice(fragment);
    }
    Ok(stream)
}

/// The types of the top-level boxes, or an error naming the first one that overruns.
fn top_level_boxes(mut bytes: &[u8], what: &str) -> Result<Vec<[u8; 4]>> {
    let malformed = |detail: String| StreamError::MalformedFmp4(format!("{what}: {detail}"));
    if bytes.is_empty() {
        return Err(malformed("empty".into()));
    }
    let mut types = Vec::new();
    while !bytes.is_empty() {
        let header: [u8; 8] = bytes
            .get(..8)
            .and_then(|h| h.try_into().ok())
            .ok_or_else(|| malformed(format!("{} trailing bytes are not a box", bytes.len())))?;
        let box_type = [header[4], header[5], header[6], header[7]];
        let size = match u32::from_be_bytes([header[0], header[1], header[2], header[3]]) {
            // Size 0: the box runs to the end of the data.
            0 => bytes.len(),
            // Size 1: a 64-bit size follows the type.
            1 => bytes
                .get(8..16)
                .and_then(|s| s.try_into().ok())
                .map(u64::from_be_bytes)
                .and_then(|s| usize::try_from(s).ok())
                .ok_or_else(|| malformed("a 64-bit box size is truncated".into()))?,
            small => small as usize,
        };
        if size < 8 || size > bytes.len() {
            return Err(malformed(format!(
                "box {:?} declares {size} bytes but {} remain (truncated?)",
                String::from_utf8_lossy(&box_type),
                bytes.len()
            )));
        }
        types.push(box_type);
        bytes = &bytes[size..];
    }
    Ok(types)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mp4_box(kind: [u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = u32::try_from(8 + body.len())
            .unwrap()
            .to_be_bytes()
            .to_vec();
        b.extend(kind);
        b.extend(body);
        b
    }

    #[test]
    fn concatenates_checked_parts() {
        let init = [mp4_box(*b"ftyp", b"iso6"), mp4_box(*b"moov", &[])].concat();
        let fragment = [mp4_box(*b"moof", &[1]), mp4_box(*b"mdat", &[2, 3])].concat();
        let stream = concat_init_and_fragments(&init, [fragment.as_slice()]).unwrap();
        assert_eq!(stream.len(), init.len() + fragment.len());
    }

    #[test]
    fn truncated_fragment_is_an_error() {
        let fragment = [mp4_box(*b"moof", &[1]), mp4_box(*b"mdat", &[2; 30])].concat();
        let err = check_fragment(&fragment[..fragment.len() - 1]).unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
        assert!(check_init_section(&mp4_box(*b"ftyp", &[])).is_err());
    }
}
