//! MPEG-TS demuxing for HLS audio: PAT -> PMT -> the audio elementary stream, AAC (ADTS)
//! or MPEG audio (layers I to III: MP1, MP2, MP3), the audio RFC 8216 names for TS that a
//! decoder here plays, with the PTS of its first PES packet.
//!
//! A small reader of our own rather than a general demuxer: an HLS audio segment carries
//! one program with one audio stream, and owning the code lets every malformation become a
//! clear error instead of a panic or a silently dropped packet.

use crate::error::{Result, StreamError};
use crate::segment::Codec;

/// Every transport stream packet is this long.
pub const TS_PACKET_LEN: usize = 188;
const SYNC_BYTE: u8 = 0x47;
const PAT_PID: u16 = 0;
/// ISO/IEC 13818-7 AAC with ADTS framing, the stream type HLS uses for AAC in TS.
const STREAM_TYPE_ADTS_AAC: u8 = 0x0F;
/// ISO/IEC 11172-3 and 13818-3 audio (MPEG-1 and MPEG-2 layers I to III: MP1, MP2, MP3).
const STREAM_TYPES_MPEG_AUDIO: [u8; 2] = [0x03, 0x04];
/// PES private data: what ffmpeg's muxer calls MP1 (it names only MP2 and MP3 0x03), and
/// what other codecs use with a descriptor. Taken only when there is no audio stream of a
/// type above, and only if its frames turn out to be ADTS or MPEG audio.
const STREAM_TYPE_PRIVATE_DATA: u8 = 0x06;

fn codec_of_stream_type(stream_type: u8) -> Option<Codec> {
    match stream_type {
        STREAM_TYPE_ADTS_AAC => Some(Codec::Aac),
        t if STREAM_TYPES_MPEG_AUDIO.contains(&t) => Some(Codec::MpegAudio),
        _ => None,
    }
}

/// The audio of one TS segment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TsAudio {
    pub codec: Codec,
    /// The PES payloads concatenated: an ADTS stream, or MPEG audio frames.
    pub frames: Vec<u8>,
    /// The PTS (90 kHz, 33 bits) of the first audio PES packet, when it has one.
    pub first_pts: Option<u64>,
}

/// Demuxes the audio stream (AAC or MP3) of a TS segment.
pub fn demux_audio(segment: &[u8]) -> Result<TsAudio> {
    if segment.is_empty() {
        return Err(malformed("the segment is empty".into()));
    }
    if !segment.len().is_multiple_of(TS_PACKET_LEN) {
        return Err(malformed(format!(
            "{} bytes is not a whole number of {TS_PACKET_LEN}-byte packets (truncated?)",
            segment.len()
        )));
    }
    let mut demuxer = Demuxer::default();
    for (index, packet) in segment.chunks_exact(TS_PACKET_LEN).enumerate() {
        demuxer
            .push_packet(packet)
            .map_err(|what| malformed(format!("packet {index}: {what}")))?;
    }
    demuxer.finish()
}

/// Runs the demuxer on arbitrary bytes, for fuzzing: it must return, never panic.
pub fn fuzz_demux(bytes: &[u8]) {
    let _ = demux_audio(bytes);
}

fn malformed(what: String) -> StreamError {
    StreamError::MalformedTransportStream(what)
}

#[derive(Debug, Default)]
struct Demuxer {
    pmt_pid: Option<u16>,
    audio_pid: Option<u16>,
    /// Stream types the PMT listed, to say what it had when it had no audio we play.
    pmt_stream_types: Vec<u8>,
    /// The audio is a private data stream: its codec is read from its first frame.
    codec_from_frames: bool,
    last_continuity_counter: Option<u8>,
    /// The audio PES packet being reassembled; `None` before the first `payload_unit_start`.
    pes: Option<Vec<u8>>,
    output: TsAudio,
}

impl Demuxer {
    fn push_packet(&mut self, packet: &[u8]) -> Result<(), String> {
        if packet[0] != SYNC_BYTE {
            return Err(format!("sync byte is {:#04x}, not 0x47", packet[0]));
        }
        if packet[1] & 0x80 != 0 {
            return Err("transport_error_indicator is set (the packet is damaged)".into());
        }
        let payload_unit_start = packet[1] & 0x40 != 0;
        let pid = (u16::from(packet[1] & 0x1f) << 8) | u16::from(packet[2]);
        let adaptation_control = (packet[3] >> 4) & 0x3;
        let continuity_counter = packet[3] & 0x0f;
        if adaptation_control == 0 {
            return Err("adaptation_field_control is 0 (reserved)".into());
        }
        let mut payload_offset = 4;
        let mut discontinuity = false;
        if adaptation_control & 0x2 != 0 {
            let length = usize::from(packet[4]);
            if 5 + length > TS_PACKET_LEN {
                return Err(format!(
                    "adaptation field length {length} overruns the packet"
                ));
            }
            discontinuity = length > 0 && packet[5] & 0x80 != 0;
            payload_offset = 5 + length;
        }
        let payload = if adaptation_control & 0x1 != 0 {
            &packet[payload_offset..]
        } else {
            &[][..]
        };

        if pid == PAT_PID {
            self.parse_pat(payload_unit_start, payload)
        } else if Some(pid) == self.pmt_pid && self.audio_pid.is_none() {
            self.parse_pmt(payload_unit_start, payload)
        } else if Some(pid) == self.audio_pid && adaptation_control & 0x1 != 0 {
            self.push_audio(
                payload_unit_start,
                continuity_counter,
                discontinuity,
                payload,
            )
        } else {
            Ok(())
        }
    }

    fn parse_pat(&mut self, payload_unit_start: bool, payload: &[u8]) -> Result<(), String> {
        let section = psi_section(payload_unit_start, payload, 0x00, "PAT")?;
        // After the 8-byte header: 4-byte entries of program_number and PID.
        let programs = section.get(8..).unwrap_or_default();
        for entry in programs.chunks_exact(4) {
            let program_number = u16::from_be_bytes([entry[0], entry[1]]);
            // Program 0 points at the network information table, not a program.
            if program_number != 0 {
                self.pmt_pid = Some((u16::from(entry[2] & 0x1f) << 8) | u16::from(entry[3]));
                return Ok(());
            }
        }
        Err("the PAT lists no program".into())
    }

    fn parse_pmt(&mut self, payload_unit_start: bool, payload: &[u8]) -> Result<(), String> {
        let section = psi_section(payload_unit_start, payload, 0x02, "PMT")?;
        let program_info_length = section
            .get(10..12)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]]) & 0x0fff))
            .ok_or("the PMT is too short")?;
        let mut streams = section
            .get(12 + program_info_length..)
            .ok_or("the PMT is too short")?;
        self.pmt_stream_types.clear();
        let mut private = None;
        while streams.len() >= 5 {
            let stream_type = streams[0];
            let pid = (u16::from(streams[1] & 0x1f) << 8) | u16::from(streams[2]);
            let info_length = usize::from(u16::from_be_bytes([streams[3], streams[4]]) & 0x0fff);
            self.pmt_stream_types.push(stream_type);
            if let Some(codec) = codec_of_stream_type(stream_type)
                && self.audio_pid.is_none()
            {
                self.audio_pid = Some(pid);
                self.output.codec = codec;
            } else if stream_type == STREAM_TYPE_PRIVATE_DATA {
                private = private.or(Some(pid));
            }
            streams = streams
                .get(5 + info_length..)
                .ok_or("a PMT stream entry overruns it")?;
        }
        if self.audio_pid.is_none() && private.is_some() {
            self.audio_pid = private;
            self.codec_from_frames = true;
        }
        Ok(())
    }

    fn push_audio(
        &mut self,
        payload_unit_start: bool,
        continuity_counter: u8,
        discontinuity: bool,
        payload: &[u8],
    ) -> Result<(), String> {
        if let Some(last) = self.last_continuity_counter {
            let expected = (last + 1) & 0x0f;
            if continuity_counter == last && !discontinuity {
                // A duplicate packet (allowed once by the standard): its payload is a copy.
                return Ok(());
            }
            if continuity_counter != expected && !discontinuity {
                return Err(format!(
                    "continuity counter jumped from {last} to {continuity_counter}: \
                     audio packets are missing"
                ));
            }
        }
        self.last_continuity_counter = Some(continuity_counter);
        if payload_unit_start {
            self.flush_pes()?;
            self.pes = Some(payload.to_vec());
        } else if let Some(pes) = &mut self.pes {
            pes.extend_from_slice(payload);
        }
        // Audio continuing a PES that started before this segment is dropped: HLS segments
        // start on a PES boundary, so this only happens in damaged input.
        Ok(())
    }

    fn flush_pes(&mut self) -> Result<(), String> {
        let Some(pes) = self.pes.take() else {
            return Ok(());
        };
        let (pts, payload) = parse_pes(&pes)?;
        if self.output.frames.is_empty() {
            if std::mem::take(&mut self.codec_from_frames) {
                self.output.codec = Codec::of_frames(payload).ok_or(
                    "the private data stream (type 0x06) carries neither ADTS nor MPEG audio",
                )?;
            }
            if !self.output.codec.starts_a_frame(payload) {
                return Err(match self.output.codec {
                    Codec::Aac => "the audio PES payload does not start with an ADTS header",
                    Codec::MpegAudio => {
                        "the audio PES payload does not start with an MPEG audio frame"
                    }
                }
                .into());
            }
            self.output.first_pts = pts;
        }
        self.output.frames.extend_from_slice(payload);
        Ok(())
    }

    fn finish(mut self) -> Result<TsAudio> {
        self.flush_pes()
            .map_err(|what| malformed(format!("last packet: {what}")))?;
        if self.pmt_pid.is_none() {
            return Err(malformed("no PAT: the segment has no program table".into()));
        }
        if self.audio_pid.is_none() {
            if self.pmt_stream_types.is_empty() {
                return Err(malformed("no PMT, or a PMT without streams".into()));
            }
            return Err(StreamError::Unsupported(format!(
                "no AAC (ADTS, stream type 0x0F) or MPEG audio (MP1, MP2, MP3: 0x03, 0x04) \
                 stream in the PMT; stream types: {:02x?}",
                self.pmt_stream_types
            )));
        }
        if self.output.frames.is_empty() {
            return Err(malformed("the segment contains no audio".into()));
        }
        Ok(self.output)
    }
}

/// The bytes of a PSI section (PAT/PMT) from `section_length`'s end back to the table id,
/// CRC-checked. Sections spanning several packets are not supported: PAT and PMT of an
/// audio segment are a few dozen bytes.
fn psi_section<'a>(
    payload_unit_start: bool,
    payload: &'a [u8],
    table_id: u8,
    name: &str,
) -> Result<&'a [u8], String> {
    if !payload_unit_start {
        return Err(format!(
            "{name} continues a section from an earlier packet (unsupported)"
        ));
    }
    let pointer = usize::from(*payload.first().ok_or_else(|| format!("empty {name}"))?);
    let section = payload
        .get(1 + pointer..)
        .filter(|s| s.len() >= 3)
        .ok_or_else(|| format!("{name} pointer field overruns the packet"))?;
    if section[0] != table_id {
        return Err(format!(
            "{name} has table id {:#04x}, expected {table_id:#04x}",
            section[0]
        ));
    }
    let section_length = usize::from(u16::from_be_bytes([section[1], section[2]]) & 0x0fff);
    let section = section
        .get(..3 + section_length)
        .filter(|_| section_length >= 9)
        .ok_or_else(|| format!("{name} section length {section_length} overruns the packet"))?;
    if crc32_mpeg2(section) != 0 {
        return Err(format!("{name} CRC mismatch (corrupt packet)"));
    }
    // Drop the CRC so callers see only entries.
    Ok(&section[..section.len() - 4])
}

/// Parses one PES packet: its PTS and its payload.
fn parse_pes(pes: &[u8]) -> Result<(Option<u64>, &[u8]), String> {
    if pes.len() < 9 || pes[..3] != [0, 0, 1] {
        return Err("an audio PES packet lacks its start code".into());
    }
    let declared_length = usize::from(u16::from_be_bytes([pes[4], pes[5]]));
    // A declared length of 0 means "unbounded"; otherwise it counts bytes after itself.
    let pes = if declared_length == 0 {
        pes
    } else {
        pes.get(..6 + declared_length).ok_or_else(|| {
            format!(
                "an audio PES packet declares {declared_length} bytes but has {} (truncated)",
                pes.len() - 6
            )
        })?
    };
    // A declared length can cut the packet shorter than its own fixed header.
    if pes.len() < 9 {
        return Err("an audio PES packet is shorter than its header".into());
    }
    if pes[6] & 0xc0 != 0x80 {
        return Err("an audio PES packet has no optional header".into());
    }
    let has_pts = pes[7] & 0x80 != 0;
    let payload_start = 9 + usize::from(pes[8]);
    let payload = pes
        .get(payload_start..)
        .ok_or("a PES header overruns the packet")?;
    let pts = if has_pts {
        let b = pes
            .get(9..14)
            .ok_or("a PES header is too short for its PTS")?;
        Some(
            (u64::from(b[0] >> 1) & 0x07) << 30
                | u64::from(b[1]) << 22
                | u64::from(b[2] >> 1) << 15
                | u64::from(b[3]) << 7
                | u64::from(b[4] >> 1),
        )
    } else {
        None
    };
    Ok((pts, payload))
}

/// CRC-32/MPEG-2 (polynomial 0x04C11DB7, no reflection). Over a section including its CRC
/// it is 0 when the section is intact.
fn crc32_mpeg2(bytes: &[u8]) -> u32 {
    let mut crc = u32::MAX;
    for &byte in bytes {
        crc ^= u32::from(byte) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04C1_1DB7
            } else {
                crc << 1
            };
        }
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `segment` fuzz target: a PES whose declared length (1) ends it inside
    /// its own header.
    #[test]
    fn a_pes_cut_short_by_its_declared_length_is_an_error() {
        let pes = [0, 0, 1, 0xc0, 0, 1, 0x80, 0x80, 5, 0x21, 0, 1, 0, 1];
        let err = parse_pes(&pes).unwrap_err();
        assert!(err.contains("shorter than its header"), "{err}");
        for len in 0..pes.len() {
            let _ = parse_pes(&pes[..len]);
        }
    }

    /// A minimal valid segment: PAT, PMT with one AAC stream on PID 0x101, one audio PES.
    fn tiny_segment() -> Vec<u8> {
        let mut out = Vec::new();
        out.extend(psi_packet(
            0,
            &[0x00, 0xb0, 0x0d, 0, 1, 0xc1, 0, 0, 0, 1, 0xf0, 0x00],
        ));
        out.extend(psi_packet(
            0x1000,
            &[
                0x02, 0xb0, 0x12, 0, 1, 0xc1, 0, 0, 0xe1, 0x01, 0xf0, 0, 0x0f, 0xe1, 0x01, 0xf0, 0,
            ],
        ));
        let adts = [0xff, 0xf1, 0x50, 0x80, 0x01, 0x7f, 0xfc, 0x21];
        let mut pes = vec![0, 0, 1, 0xc0, 0, 0, 0x80, 0x80, 5, 0x21, 0, 1, 0, 1];
        pes.extend(adts);
        let pes_len = u16::try_from(pes.len() - 6).unwrap().to_be_bytes();
        pes[4..6].copy_from_slice(&pes_len);
        out.extend(payload_packet(0x101, true, 0, &pes));
        out
    }

    fn psi_packet(pid: u16, section_without_crc: &[u8]) -> Vec<u8> {
        let mut payload = vec![0];
        payload.extend_from_slice(section_without_crc);
        payload.extend(crc32_mpeg2(section_without_crc).to_be_bytes());
        payload_packet(pid, true, 0, &payload)
    }

    /// A packet whose payload is padded with adaptation-field stuffing, as muxers do.
    fn payload_packet(pid: u16, start: bool, cc: u8, payload: &[u8]) -> Vec<u8> {
        let stuffing = TS_PACKET_LEN - 4 - payload.len();
        let [hi, lo] = pid.to_be_bytes();
        let mut p = vec![SYNC_BYTE, hi | if start { 0x40 } else { 0 }, lo, 0x30 | cc];
        p.push(u8::try_from(stuffing - 1).unwrap());
        if stuffing > 1 {
            p.push(0);
            p.resize(4 + stuffing, 0xff);
        }
        p.extend_from_slice(payload);
        p
    }

    #[test]
    fn demuxes_a_minimal_segment() {
        let audio = demux_audio(&tiny_segment()).unwrap();
        assert_eq!(audio.frames[..2], [0xff, 0xf1]);
        assert_eq!(audio.frames.len(), 8);
        assert_eq!(audio.first_pts, Some(0));
    }

    #[test]
    fn truncated_segment_is_an_error() {
        let segment = tiny_segment();
        let err = demux_audio(&segment[..segment.len() - 50]).unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
        let err = demux_audio(&[]).unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
    }

    #[test]
    fn corrupt_packets_are_errors() {
        let mut lost_sync = tiny_segment();
        lost_sync[TS_PACKET_LEN] = 0x00;
        let err = demux_audio(&lost_sync).unwrap_err();
        assert!(err.to_string().contains("packet 1: sync byte"), "{err}");

        let mut bad_crc = tiny_segment();
        bad_crc[TS_PACKET_LEN - 2] ^= 0x55;
        let err = demux_audio(&bad_crc).unwrap_err();
        assert!(err.to_string().contains("PAT CRC mismatch"), "{err}");

        let mut damaged = tiny_segment();
        damaged[2 * TS_PACKET_LEN + 1] |= 0x80;
        let err = demux_audio(&damaged).unwrap_err();
        assert!(
            err.to_string().contains("transport_error_indicator"),
            "{err}"
        );
    }

    #[test]
    fn missing_audio_packets_are_detected() {
        let mut segment = tiny_segment();
        let mut next = payload_packet(0x101, false, 2, &[0xaa; 10]);
        segment.append(&mut next);
        let err = demux_audio(&segment).unwrap_err();
        assert!(err.to_string().contains("continuity counter"), "{err}");
    }

    #[test]
    fn mpeg_audio_as_private_data_is_read_by_its_frames() {
        // ffmpeg's muxer writes MP1 as stream type 0x06: the PMT's entry rewritten so.
        let mut segment = tiny_segment();
        let pmt = [
            0x02, 0xb0, 0x12, 0, 1, 0xc1, 0, 0, 0xe1, 0x01, 0xf0, 0, 0x06, 0xe1, 0x01, 0xf0, 0,
        ];
        segment[TS_PACKET_LEN..2 * TS_PACKET_LEN].copy_from_slice(&psi_packet(0x1000, &pmt));
        let audio = demux_audio(&segment).unwrap();
        assert_eq!(audio.codec, Codec::Aac, "the frames are ADTS");
        // Private data that is not audio Strato reads is refused in words.
        let last = segment.len() - 8;
        segment[last..last + 2].copy_from_slice(&[0x12, 0x34]);
        let err = demux_audio(&segment).unwrap_err();
        assert!(
            err.to_string().contains("neither ADTS nor MPEG audio"),
            "{err}"
        );
    }

    #[test]
    fn crc_of_intact_section_is_zero() {
        let section = [0x00, 0xb0, 0x0d, 0, 1, 0xc1, 0, 0, 0, 1, 0xf0, 0x00];
        let mut with_crc = section.to_vec();
        with_crc.extend(crc32_mpeg2(&section).to_be_bytes());
        assert_eq!(crc32_mpeg2(&with_crc), 0);
    }
}
