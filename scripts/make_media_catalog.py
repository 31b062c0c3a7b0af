#!/usr/bin/env python3
"""Helper for scripts/make-media.sh (standard library only).

The shell script drives the encoders; this helper holds the catalog definition
(artists, albums, tracks, the little "scores" the music is rendered from) and
the steps that are awkward in bash:

  synth WORK              render every piece with sox (+ espeak-ng titles),
                          split gapless pieces at exact sample positions,
                          write WORK/tracks.tsv and WORK/albums.tsv
  adts-hls SRC OUT SR     cut an ADTS stream into HLS "packed audio" segments,
                          each prefixed with an ID3v2 PRIV timestamp frame
  encrypt-hls DIR KEY URI AES-128 a TS variant in place with implicit IVs
  master HLS_DIR          write hls/master.m3u8 from the variant playlists
  measure WORK OUT ID     decode every rendition, count samples, find the
                          encoder delay by cross-correlation, read LAME tags,
                          ReplayGain -> WORK/measure/<id>.json
  catalog WORK OUT        album gain + OUT/catalog.json
  selfcheck WORK OUT      gapless albums: concatenated reference.flac ==
                          the continuous piece, sample for sample
  swap NEW DEST           atomically exchange the new output with the old one

Everything is deterministic: fixed scores, sox -R (repeatable), no dither.
"""

import array
import concurrent.futures
import hashlib
import json
import math
import operator
import os
import re
import struct
import subprocess
import sys
from dataclasses import dataclass, field

# --------------------------------------------------------------------------
# Catalog definition
# --------------------------------------------------------------------------

ARTISTS = [
    ("ar-aurora-lane", "Aurora Lane"),
    ("ar-velvet-orchard", "Velvet Orchard"),
    ("ar-pale-harbor", "Pale Harbor"),
]


@dataclass
class Section:
    bars: int
    chords: str          # one chord symbol per bar, cycled ("D Bm G A")
    rhythm: str          # per step: x = note on, . = hold, - = rest (cycled)
    contour: list        # scale degrees, consumed one per note-on (cycled)
    lead: str = "pluck"  # instrument of the lead voice
    bass: str = "R...F..."  # R root, F fifth, O octave, . hold, - rest


@dataclass
class Piece:
    id: str
    sr: int
    step: int            # samples per step (an eighth note, or a quarter in 3/4)
    steps_per_bar: int
    tonic: str           # lead tonic, e.g. "D4"; the final chord is on this
    scale: str
    sections: list
    peak_db: float       # final peak normalisation (varies the ReplayGain)
    voice: str = "en-us+f3"
    reverb: str = "40 50 70 100 8"
    tail_s: float = 2.0
    pad_instr: str = "pad"
    bass_instr: str = "bass"

    @property
    def bar(self):
        return self.step * self.steps_per_bar

    @property
    def music_samples(self):
        return (sum(s.bars for s in self.sections) + 1) * self.bar

    @property
    def total_samples(self):
        return self.music_samples + int(round(self.tail_s * self.sr))


@dataclass
class Album:
    id: str
    title: str
    artist_id: str
    year: int
    gapless: bool
    cover: str           # ffmpeg lavfi source for the 300x300 cover
    tint: str            # colour for the title text box


@dataclass
class Track:
    id: str
    title: str
    album_id: str
    number: int
    piece: str
    start: int = 0       # sample range inside the piece (end None = to the end)
    end: int = None
    hls: str = "ts"      # ts | fmp4 | adts | aes | byterange
    features: list = field(default_factory=list)


SPLIT_JITTER = 37  # split points are bar positions + 37 samples: never frame aligned

PIECES = {p.id: p for p in [
    # Aurora Lane - Northern Drift (gapless, one continuous 100 bpm piece in D)
    Piece("northern-drift", 44100, 13230, 8, "D4", "major", [
        Section(7, "D Bm7 G A", "x.x.x.xxx...x.x.", [4, 2, 0, 2, 4, 4, 4, 5, 4, 2, 1, 0], "pluck", "R...F..."),
        Section(8, "G D Em7 A7", "x..x..x.x.x.x...", [7, 6, 4, 2, 4, 5, 4, 2, 1, 2, 0, -1], "mallet", "R.R.F.O."),
        Section(7, "Bm G D A", "x...x.x.x...x.x.", [9, 7, 4, 7, 6, 4, 2, 4, 2, 0, 1, 2], "pluck", "R...F.R."),
    ], peak_db=-1.0, voice="en-us+f3"),
    # Aurora Lane - Paper Satellites (three separate tracks)
    Piece("paper-satellites", 44100, 11025, 8, "E4", "penta", [
        Section(5, "E C#m A B", "x.xxx.x.x.x.xx..", [0, 2, 3, 4, 3, 2, 1, 2, 4, 5, 4, 3], "chip", "R.O.R.O."),
    ], peak_db=-2.0, voice="en-us+f3", tail_s=1.8),
    Piece("static-bloom", 44100, 12600, 8, "A3", "dorian", [
        Section(6, "Am7 D7 Am7 Em7", "x.x.xx.-x.x.x...", [7, 9, 7, 4, 5, 4, 2, 0, 2, 3, 4, 6], "organ", "R..R..F."),
    ], peak_db=-3.0, voice="en-us+f3", tail_s=1.5),
    Piece("low-orbit-lullaby", 48000, 16000, 6, "F4", "major", [  # 48 kHz, 3/4
        Section(8, "F Dm Bb C", "x.x.x.x.....", [4, 2, 0, 2, 4, 7, 5, 4, 2, 4], "mallet", "R.F.F."),
    ], peak_db=-1.5, voice="en-us+f3", tail_s=2.5),
    # Velvet Orchard - Tidepool Sessions
    Piece("saltwater-waltz", 44100, 11025, 6, "G4", "major", [  # 3/4
        Section(9, "G Em C D7", "x.x.x.x...xx", [0, 2, 4, 7, 4, 2, 3, 2, 1, -1, 0, 1], "pluck", "R.F.F."),
    ], peak_db=-2.5, voice="en-gb+m3", tail_s=1.5),
    Piece("kelp-forest", 44100, 9800, 8, "C4", "minor", [
        Section(6, "Cm Ab Eb Bb", "x.xx.xx.x.x.x..-", [0, 2, 3, 4, 3, 2, 0, -1, 0, 2, 4, 3], "organ", "R.RO.RF."),
    ], peak_db=-4.0, voice="en-gb+m3", tail_s=1.4),
    Piece("anemone", 44100, 11760, 8, "Bb3", "major", [
        Section(5, "Bb Gm Eb F", "x...x.x.x...x.x.", [9, 7, 5, 4, 2, 4, 5, 7], "mallet", "R...F..."),
    ], peak_db=-1.2, voice="en-gb+m3", tail_s=2.0),
    Piece("low-tide-lanterns", 44100, 12250, 8, "A3", "major", [
        Section(6, "A F#m D E", "x.x.x.x.x.xxx...", [2, 4, 6, 7, 6, 4, 2, 4, 5, 4, 2, 0], "pluck", "R.F.R.F."),
    ], peak_db=-3.5, voice="en-gb+m3", tail_s=1.8),
    # Pale Harbor - Lanterns Over Water (gapless, 80 bpm in A minor)
    Piece("lanterns-over-water", 44100, 16538, 8, "A3", "minor", [
        Section(5, "Am F C G", "x...x.x.x.......", [0, 2, 4, 7, 4, 2, 0, 4, 2, 1], "mallet", "R...F..."),
        Section(5, "F G Em Am", "x.x.x...x.x.x...", [5, 4, 2, 4, 7, 6, 4, 2, 4, 6, 7, 9], "pluck", "R.R.F.F."),
        Section(5, "Dm Am E7 Am", "x...x...x.x.x...", [7, 4, 5, 2, 3, 1, 2, 0], "organ", "R...F.O."),
    ], peak_db=-2.0, voice="en-us+m3", tail_s=2.5),
]}

ALBUMS = [
    Album("al-northern-drift", "Northern Drift", "ar-aurora-lane", 2026, True,
          "mandelbrot=s=300x300:start_scale=1.8:end_scale=1.8:start_x=-0.745:start_y=0.11:maxiter=160:outer=normalized_iteration_count", "0x1b3a5c"),
    Album("al-paper-satellites", "Paper Satellites", "ar-aurora-lane", 2025, False,
          "life=s=300x300:mold=10:r=25:ratio=0.1:death_color=#2a0f4a:life_color=#ffcf5a:mold_color=#ff6a88:seed=7", "0x2a0f4a"),
    Album("al-tidepool-sessions", "Tidepool Sessions", "ar-velvet-orchard", 2024, False,
          "gradients=s=300x300:c0=0x0b6e75:c1=0x7fd6c2:c2=0xf1e3b0:c3=0x1f3b73:n=4:x0=0:y0=0:x1=299:y1=299:type=radial:seed=11", "0x0b3e45"),
    Album("al-lanterns-over-water", "Lanterns Over Water", "ar-pale-harbor", 2026, True,
          "cellauto=s=300x300:rule=110:random_fill_ratio=0.5:random_seed=42:scroll=1,format=gray,"
          "lutrgb=r='val*0.9+20':g='val*0.55+18':b='val*0.25+40'", "0x3a2410"),
]


def bar_pos(piece, bars):
    return int(bars * PIECES[piece].bar) + SPLIT_JITTER


TRACKS = [
    # Northern Drift: 22 bars + ending bar + tail, split mid-bar
    Track("tr-polar-morning", "Polar Morning", "al-northern-drift", 1, "northern-drift",
          0, bar_pos("northern-drift", 7.2), features=["gapless"]),
    Track("tr-drift-ice", "Drift Ice", "al-northern-drift", 2, "northern-drift",
          bar_pos("northern-drift", 7.2), bar_pos("northern-drift", 15.5), features=["gapless"]),
    Track("tr-aurora-coda", "Aurora Coda", "al-northern-drift", 3, "northern-drift",
          bar_pos("northern-drift", 15.5), None, features=["gapless"]),
    # Paper Satellites
    Track("tr-paper-satellites", "Paper Satellites", "al-paper-satellites", 1, "paper-satellites",
          hls="fmp4", features=["hls-fmp4"]),
    Track("tr-static-bloom", "Static Bloom", "al-paper-satellites", 2, "static-bloom",
          hls="byterange", features=["hls-byterange"]),
    Track("tr-low-orbit-lullaby", "Low Orbit Lullaby", "al-paper-satellites", 3, "low-orbit-lullaby",
          features=["48khz"]),
    # Tidepool Sessions
    Track("tr-saltwater-waltz", "Saltwater Waltz", "al-tidepool-sessions", 1, "saltwater-waltz",
          hls="adts", features=["hls-packed-audio"]),
    Track("tr-kelp-forest", "Kelp Forest", "al-tidepool-sessions", 2, "kelp-forest",
          hls="aes", features=["hls-aes128"]),
    Track("tr-anemone", "Anemone", "al-tidepool-sessions", 3, "anemone"),
    Track("tr-low-tide-lanterns", "Low Tide Lanterns", "al-tidepool-sessions", 4, "low-tide-lanterns"),
    # Lanterns Over Water: 15 bars + ending bar + tail
    Track("tr-first-light-on-the-pier", "First Light on the Pier", "al-lanterns-over-water", 1,
          "lanterns-over-water", 0, bar_pos("lanterns-over-water", 5.4), features=["gapless"]),
    Track("tr-harbor-bells", "Harbor Bells", "al-lanterns-over-water", 2, "lanterns-over-water",
          bar_pos("lanterns-over-water", 5.4), bar_pos("lanterns-over-water", 10.6), features=["gapless"]),
    Track("tr-night-ferry", "Night Ferry", "al-lanterns-over-water", 3, "lanterns-over-water",
          bar_pos("lanterns-over-water", 10.6), None, features=["gapless"]),
]

BITRATES = [64, 128, 256]
# The MP3s of each track (make-media.sh): "cbr" is streamed by URL; "low", "vbr" and "high"
# are the downloads at low, normal and high quality.
MP3_KINDS = ("cbr", "vbr", "low", "high")
MP3_CBR_KBPS = {"cbr": 192, "low": 96, "high": 320}
HLS_SEGMENT_KIND = {"ts": "ts", "aes": "ts", "byterange": "ts", "fmp4": "fmp4", "adts": "adts"}
AAC_FRAME = 1024
HLS_TARGET = 4
# Packed audio: PTS (90 kHz) of the first AAC frame of the first segment. Same
# value ffmpeg's mpegts muxer gives the first audio packet in the TS variants.
ADTS_BASE_PTS = 126000

ALBUM_BY_ID = {a.id: a for a in ALBUMS}
ARTIST_BY_ID = dict(ARTISTS)


def track_range(t):
    p = PIECES[t.piece]
    end = p.total_samples if t.end is None else t.end
    return t.start, end


# --------------------------------------------------------------------------
# Music rendering
# --------------------------------------------------------------------------

PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
SCALES = {
    "major": [0, 2, 4, 5, 7, 9, 11], "minor": [0, 2, 3, 5, 7, 8, 10],
    "dorian": [0, 2, 3, 5, 7, 9, 10], "penta": [0, 2, 4, 7, 9],
}
QUALITY = {"": [0, 4, 7], "m": [0, 3, 7], "7": [0, 4, 7, 10], "maj7": [0, 4, 7, 11],
           "m7": [0, 3, 7, 10], "sus2": [0, 2, 7], "sus4": [0, 5, 7], "6": [0, 4, 7, 9]}


def parse_pc(s):
    pc = PC[s[0]]
    rest = s[1:]
    if rest.startswith("#"):
        pc, rest = pc + 1, rest[1:]
    elif rest.startswith("b"):
        pc, rest = pc - 1, rest[1:]
    return pc % 12, rest


def note_midi(s):
    pc, rest = parse_pc(s)
    return 12 * (int(rest) + 1) + pc


def chord(sym):
    root, q = parse_pc(sym)
    return root, QUALITY[q]


def hz(m):
    return 440.0 * 2 ** ((m - 69) / 12.0)


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if r.returncode != 0:
        sys.stderr.write("command failed: %s\n%s" % (" ".join(cmd), r.stderr.decode(errors="replace")))
        raise SystemExit(1)
    return r


SOX = ["sox", "-R", "-D", "-V1"]
FLOAT = ["-e", "floating-point", "-b", "32"]


def synth_note(path, instr, midis, n, sr):
    """One note (or chord) of n samples, mono float WAV."""
    if os.path.exists(path):
        return
    f = ["%.3f" % hz(m) for m in midis]
    sec = n / sr

    def head(ch):
        return SOX + ["-r", str(sr), "-c", str(ch), "-n"] + FLOAT + [path + ".tmp.wav", "synth", "%ds" % n]

    if instr == "rest":
        cmd = SOX + ["-r", str(sr), "-c", "1", "-n"] + FLOAT + [path + ".tmp.wav", "trim", "0", "%ds" % n]
    elif instr == "pluck":
        cmd = head(1) + ["pluck", f[0], "vol", "0.8", "fade", "q", "0.004", "%ds" % n, "%.4f" % min(0.05, sec / 3)]
    elif instr == "mallet":
        cmd = head(3) + ["sine", f[0], "sine", "%.3f" % (2 * hz(midis[0])), "sine", "%.3f" % (3 * hz(midis[0])),
                         "remix", "1v1.1,2v0.35,3v0.15", "fade", "p", "0.004", "%ds" % n, "%.4f" % (sec * 0.97)]
    elif instr == "chip":
        cmd = head(1) + ["square", f[0], "lowpass", "1800", "vol", "0.45",
                         "fade", "t", "0.005", "%ds" % n, "%.4f" % (sec * 0.6)]
    elif instr == "organ":
        cmd = head(2) + ["triangle", f[0], "sine", "%.3f" % (2 * hz(midis[0])),
                         "remix", "1v0.7,2v0.3", "fade", "h", "0.02", "%ds" % n, "%.4f" % min(0.08, sec / 3)]
    elif instr == "pad":
        k = len(f)
        args = []
        for x in f:
            args += ["triangle", x]
        mix = ",".join("%dv%.3f" % (i + 1, 0.9 / k) for i in range(k))
        cmd = head(k) + args + ["remix", mix, "lowpass", "1100", "fade", "h", "0.12", "%ds" % n, "0.12"]
    elif instr == "bass":
        cmd = head(2) + ["sine", f[0], "triangle", f[0], "remix", "1v0.6,2v0.4",
                         "fade", "p", "0.006", "%ds" % n, "%.4f" % (sec * 0.85)]
    else:
        raise ValueError(instr)
    run(cmd)
    os.replace(path + ".tmp.wav", path)


def piece_events(p):
    """Returns {voice: [(instr, (midis...) or (), nsamples)]} for a piece."""
    scale = SCALES[p.scale]
    tonic = note_midi(p.tonic)

    def degree(d):
        o, i = divmod(d, len(scale))
        return tonic + 12 * o + scale[i]

    lead, pad, bass = [], [], []
    for s in p.sections:
        chords = s.chords.split()
        onset = 0
        cur = None  # [instr, midis, n]
        for b in range(s.bars):
            root, ivs = chord(chords[b % len(chords)])
            pcs = {(root + i) % 12 for i in ivs}
            pad_root = 48 + root if root <= 6 else 36 + root
            pad.append(("pad", tuple(pad_root + i for i in ivs), p.bar))
            # lead
            for k in range(p.steps_per_bar):
                c = s.rhythm[(b * p.steps_per_bar + k) % len(s.rhythm)]
                if c == "x":
                    m = degree(s.contour[onset % len(s.contour)])
                    onset += 1
                    if k % (p.steps_per_bar // 2) == 0:   # strong beats: snap to a chord tone
                        for d in (0, -1, 1, -2, 2):
                            if (m + d) % 12 in pcs:
                                m += d
                                break
                    cur = [s.lead, (m,), p.step]
                    lead.append(cur)
                elif c == "." and cur is not None and lead and lead[-1] is cur:
                    cur[2] += p.step
                else:
                    if lead and lead[-1][0] == "rest":
                        lead[-1][2] += p.step
                    else:
                        lead.append(["rest", (), p.step])
                    cur = None
            # bass
            bcur = None
            for k in range(p.steps_per_bar):
                c = s.bass[k % len(s.bass)]
                if c in "RFO":
                    m = 36 + root + {"R": 0, "F": 7, "O": 12}[c]
                    bcur = [p.bass_instr, (m,), p.step]
                    bass.append(bcur)
                elif c == "." and bcur is not None:
                    bcur[2] += p.step
                else:
                    bass.append(["rest", (), p.step])
                    bcur = None
    # ending bar: tonic chord, tonic note held
    root = tonic % 12
    ivs = [0, 3, 7] if p.scale in ("minor", "dorian") else [0, 4, 7]
    pad.append(("pad", tuple((48 + root if root <= 6 else 36 + root) + i for i in ivs), p.bar))
    lead.append([p.sections[-1].lead, (tonic,), p.bar])
    bass.append([p.bass_instr, (36 + root,), p.bar])
    return {"lead": lead, "pad": pad, "bass": bass}


PAN = {"lead": (0.95, 0.65), "pad": (0.6, 0.95), "bass": (0.85, 0.85), "speech": (0.9, 0.9)}
MIX = {"lead": 0.42, "pad": 0.30, "bass": 0.30, "speech": 0.55}


def render_piece(p, work, speech):
    """speech: list of (offset_samples, text). Writes WORK/pieces/<id>.wav (s16)."""
    d = os.path.join(work, "notes", p.id)
    os.makedirs(d, exist_ok=True)
    voices = piece_events(p)
    inputs = []
    for name, events in voices.items():
        assert sum(e[2] for e in events) == p.music_samples, (p.id, name)
        files = []
        for instr, midis, n in events:
            path = os.path.join(d, "%s_%s_%d.wav" % (instr, "-".join(map(str, midis)) or "x", n))
            synth_note(path, instr, midis, n, p.sr)
            files.append(path)
        out = os.path.join(work, "notes", "%s.%s.wav" % (p.id, name))
        l, r = PAN[name]
        run(SOX + files + FLOAT + [out, "remix", "1v%.2f" % l, "1v%.2f" % r])
        inputs += ["-v", "%.2f" % MIX[name], out]
    for i, (off, text) in enumerate(speech):
        raw = os.path.join(work, "notes", "%s.speech%d.raw.wav" % (p.id, i))
        out = os.path.join(work, "notes", "%s.speech%d.wav" % (p.id, i))
        run(["espeak-ng", "-v", p.voice, "-s", "140", "-p", "45", "-w", raw, text])
        l, r = PAN["speech"]
        run(SOX + [raw] + FLOAT + [out, "rate", "-v", str(p.sr), "remix", "1v%.2f" % l, "1v%.2f" % r,
                                   "pad", "%ds" % off])
        inputs += ["-v", "%.2f" % MIX["speech"], out]
    out = os.path.join(work, "pieces", p.id + ".wav")
    n = p.total_samples
    # pad before the reverb so its tail rings out instead of being cut off
    run(SOX + ["-m"] + inputs + ["-e", "signed-integer", "-b", "16", out + ".tmp.wav",
                                 "pad", "0", "%ds" % (n - p.music_samples), "reverb"] + p.reverb.split() + [
        "trim", "0s", "%ds" % n,
        "fade", "q", "0.01", "%ds" % n, "%.2f" % p.tail_s, "gain", "-n", "%.1f" % p.peak_db])
    os.replace(out + ".tmp.wav", out)


def cmd_synth(work):
    os.makedirs(os.path.join(work, "pieces"), exist_ok=True)
    os.makedirs(os.path.join(work, "src"), exist_ok=True)
    for t in TRACKS:
        s, e = track_range(t)
        p = PIECES[t.piece]
        dur = (e - s) / p.sr
        if not 12.0 <= dur <= 30.0:
            raise SystemExit("track %s is %.2f s long (want 12..30 s)" % (t.id, dur))
    speech = {pid: [] for pid in PIECES}
    for t in TRACKS:
        s, _ = track_range(t)
        speech[t.piece].append((s + int(0.25 * PIECES[t.piece].sr), t.title))
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        for f in [ex.submit(render_piece, p, work, speech[p.id]) for p in PIECES.values()]:
            f.result()
    # sample-exact split of every piece into its track sources
    with open(os.path.join(work, "tracks.tsv"), "w") as fh:
        for t in TRACKS:
            p = PIECES[t.piece]
            s, e = track_range(t)
            src = os.path.join(work, "src", t.id + ".wav")
            run(SOX + [os.path.join(work, "pieces", p.id + ".wav"), src, "trim", "%ds" % s, "%ds" % (e - s)])
            got = int(run(["soxi", "-s", src]).stdout)
            if got != e - s:
                raise SystemExit("split of %s gave %d samples, want %d" % (t.id, got, e - s))
            al = ALBUM_BY_ID[t.album_id]
            fh.write("\t".join([t.id, str(p.sr), t.hls, src, t.title, ARTIST_BY_ID[al.artist_id],
                                al.title, str(t.number), str(sum(1 for x in TRACKS if x.album_id == al.id)),
                                str(al.year)]) + "\n")
    with open(os.path.join(work, "albums.tsv"), "w") as fh:
        for a in ALBUMS:
            fh.write("\t".join([a.id, a.title, ARTIST_BY_ID[a.artist_id], a.cover, a.tint]) + "\n")


# --------------------------------------------------------------------------
# HLS packed audio (ADTS + ID3 PRIV timestamps) and master playlists
# --------------------------------------------------------------------------

def adts_frames(data):
    pos = 0
    while pos < len(data):
        if data[pos] != 0xFF or (data[pos + 1] & 0xF6) != 0xF0:
            raise SystemExit("bad ADTS sync at %d" % pos)
        ln = ((data[pos + 3] & 3) << 11) | (data[pos + 4] << 3) | (data[pos + 5] >> 5)
        blocks = (data[pos + 6] & 3) + 1
        yield pos, ln, blocks
        pos += ln


def id3_priv_timestamp(pts):
    owner = b"com.apple.streaming.transportStreamTimestamp\x00"
    payload = owner + struct.pack(">Q", pts & ((1 << 33) - 1))
    frame = b"PRIV" + syncsafe(len(payload)) + b"\x00\x00" + payload
    return b"ID3\x04\x00\x00" + syncsafe(len(frame)) + frame


def syncsafe(n):
    return bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])


def cmd_adts_hls(src, outdir, sr):
    sr = int(sr)
    data = open(src, "rb").read()
    frames = list(adts_frames(data))
    per_seg = (HLS_TARGET * sr) // AAC_FRAME  # whole AAC frames per segment (<= 4 s)
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:%d" % HLS_TARGET,
             "#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-PLAYLIST-TYPE:VOD"]
    fidx = 0
    seg = 0
    while fidx < len(frames):
        chunk = frames[fidx:fidx + per_seg]
        first_sample = sum(b for _, _, b in frames[:fidx]) * AAC_FRAME
        pts = ADTS_BASE_PTS + (first_sample * 90000 * 2 + sr) // (2 * sr)  # rounded like ffmpeg's TS
        body = data[chunk[0][0]:chunk[-1][0] + chunk[-1][1]]
        name = "seg%03d.aac" % seg
        with open(os.path.join(outdir, name), "wb") as fh:
            fh.write(id3_priv_timestamp(pts) + body)
        nsamp = sum(b for _, _, b in chunk) * AAC_FRAME
        lines += ["#EXTINF:%.6f," % (nsamp / sr), name]
        fidx += per_seg
        seg += 1
    lines.append("#EXT-X-ENDLIST")
    with open(os.path.join(outdir, "index.m3u8"), "w") as fh:
        fh.write("\n".join(lines) + "\n")


def cmd_encrypt_hls(vdir, keyfile, key_uri):
    """AES-128-CBC encrypt every segment of a plain TS variant in place, with the
    IV left implicit: the segment's media sequence number (RFC 8216 5.2). ffmpeg's
    own -hls_key_info_file always writes an explicit IV, so the other variant is
    done that way and this one exercises the implicit-IV path of a player."""
    key = open(keyfile, "rb").read().hex()
    pl = os.path.join(vdir, "index.m3u8")
    out, seq, keyed = [], 0, False
    for line in open(pl).read().splitlines():
        if line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            seq = int(line.split(":")[1])
        if line.startswith("#EXT-X-KEY"):
            raise SystemExit("%s is already encrypted" % pl)
        if line.startswith("#EXTINF") and not keyed:
            out.append('#EXT-X-KEY:METHOD=AES-128,URI="%s"' % key_uri)
            keyed = True
        if line and not line.startswith("#"):
            seg = os.path.join(vdir, line)
            run(["openssl", "enc", "-aes-128-cbc", "-K", key, "-iv", "%032x" % seq,
                 "-in", seg, "-out", seg + ".enc"])
            os.replace(seg + ".enc", seg)
            seq += 1
        out.append(line)
    with open(pl, "w") as fh:
        fh.write("\n".join(out) + "\n")


def parse_media_playlist(path):
    """[(uri, duration, nbytes)] and the playlist version."""
    d = os.path.dirname(path)
    segs, dur, rng, version = [], None, None, 3
    for line in open(path):
        line = line.strip()
        if line.startswith("#EXT-X-VERSION:"):
            version = int(line.split(":")[1])
        elif line.startswith("#EXTINF:"):
            dur = float(line[8:].split(",")[0])
        elif line.startswith("#EXT-X-BYTERANGE:"):
            rng = int(line[17:].split("@")[0])
        elif line and not line.startswith("#"):
            size = rng if rng is not None else os.path.getsize(os.path.join(d, line))
            segs.append((line, dur, size))
            dur, rng = None, None
    return segs, version


def cmd_master(hlsdir):
    lines = ["#EXTM3U"]
    body = []
    version = 3
    for br in BITRATES:
        segs, v = parse_media_playlist(os.path.join(hlsdir, "%dk" % br, "index.m3u8"))
        version = max(version, v)
        peak = max(int(math.ceil(size * 8 / dur)) for _, dur, size in segs)
        avg = int(math.ceil(sum(s for _, _, s in segs) * 8 / sum(d for _, d, _ in segs)))
        body += ['#EXT-X-STREAM-INF:BANDWIDTH=%d,AVERAGE-BANDWIDTH=%d,CODECS="mp4a.40.2"' % (peak, avg),
                 "%dk/index.m3u8" % br]
    lines += ["#EXT-X-VERSION:%d" % version, "#EXT-X-INDEPENDENT-SEGMENTS"] + body
    with open(os.path.join(hlsdir, "master.m3u8"), "w") as fh:
        fh.write("\n".join(lines) + "\n")


# --------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------

def read_pcm(path, sr, extra=()):
    """Decode to interleaved s16le stereo at sr; returns array('h')."""
    r = run(["ffmpeg", "-nostdin", "-v", "error"] + list(extra) + ["-i", path,
             "-f", "s16le", "-acodec", "pcm_s16le", "-ac", "2", "-ar", str(sr), "-"])
    if r.stderr.strip():
        raise SystemExit("decode of %s reported: %s" % (path, r.stderr.decode(errors="replace")))
    a = array.array("h")
    a.frombytes(r.stdout)
    if sys.byteorder == "big":
        a.byteswap()
    return a


def mono(a, frames):
    """Left + right of the first `frames` sample frames (ints)."""
    return list(map(operator.add, a[0:2 * frames:2], a[1:2 * frames:2]))


def dot(x, y):
    return sum(map(operator.mul, x, y))


def xcorr_delay(src_m, dec_m, max_lag=4096):
    """Lag L maximising correlation of dec[L + n] with src[n] (normalised).

    Coarse search on 8x decimated signals, then refine +-12 samples at full rate.
    The window starts where the source gets loud so the fade-in does not matter.
    """
    thr = max(map(abs, src_m[:3 * 44100])) * 0.25
    w0 = next(i for i, v in enumerate(src_m) if abs(v) >= thr)
    win = 16384
    D = 8

    def dec8(x, start, count):
        return [sum(x[start + i * D:start + i * D + D]) for i in range(count)]

    s8 = dec8(src_m, w0, win // D)
    d8 = dec8(dec_m, w0, (win + max_lag) // D + 1)
    best = max(range(max_lag // D + 1), key=lambda L: dot(s8, d8[L:L + len(s8)]))
    s = src_m[w0:w0 + win]
    ss = dot(s, s)

    def score(L):
        seg = dec_m[w0 + L:w0 + L + win]
        den = math.sqrt(float(ss) * float(dot(seg, seg))) or 1.0
        return float(dot(s, seg)) / den

    cands = range(max(0, best * D - 12), best * D + 13)
    lag = max(cands, key=score)
    return lag, round(score(lag), 5)


def lame_tag(path):
    data = open(path, "rb").read(64 * 1024)
    pos = 0
    if data[:3] == b"ID3":
        sz = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
        pos = 10 + sz
    for tag in (b"Xing", b"Info"):
        i = data.find(tag, pos, pos + 200)
        if i >= 0:
            flags = struct.unpack(">I", data[i + 4:i + 8])[0]
            j = i + 8 + (4 if flags & 1 else 0) + (4 if flags & 2 else 0) + (100 if flags & 4 else 0) + (4 if flags & 8 else 0)
            enc = data[j:j + 9].decode("latin-1").rstrip("\x00 ")
            trim = int.from_bytes(data[j + 21:j + 24], "big")
            return {"tag": tag.decode(), "encoder": enc, "delay": trim >> 12, "padding": trim & 0xFFF}
    return None


def replaygain(path):
    r = run(["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", path, "-af", "replaygain", "-f", "null", "-"])
    err = r.stderr.decode()
    return last_float(r"track_gain = ([-+0-9.]+) dB", err), last_float(r"track_peak = ([0-9.]+)", err)


def last_float(pattern, text):
    # ffmpeg may configure the filter graph twice; the first instance reports an
    # empty measurement (-24 dB, peak 0) on uninit, so take the last report.
    found = re.findall(pattern, text)
    if not found:
        raise SystemExit("no %r in ffmpeg output:\n%s" % (pattern, text))
    return float(found[-1])


def cmd_measure(work, out, tid):
    t = next(x for x in TRACKS if x.id == tid)
    p = PIECES[t.piece]
    sr = p.sr
    src = os.path.join(work, "src", tid + ".wav")
    tdir = os.path.join(out, "media", tid)
    s, e = track_range(t)
    n = e - s
    src_pcm = read_pcm(src, sr)
    assert len(src_pcm) == 2 * n
    head = 5 * sr  # the cross-correlation only looks at the first seconds
    src_m = mono(src_pcm, head)
    res = {"id": tid, "total_samples": n}
    ref = read_pcm(os.path.join(tdir, "reference.flac"), sr)
    if ref != src_pcm:
        raise SystemExit("%s: reference.flac does not match the source" % tid)
    res["reference_pcm_sha256"] = hashlib.sha256(src_pcm.tobytes()).hexdigest()
    hls = []
    for br in BITRATES:
        pl = os.path.join(tdir, "hls", "%dk" % br, "index.m3u8")
        dec = read_pcm(pl, sr, ["-allowed_extensions", "ALL"])
        got = len(dec) // 2
        lag, corr = xcorr_delay(src_m, mono(dec, head))
        hls.append({"bitrate_kbps": br, "decoded_samples": got, "xcorr_delay_samples": lag,
                    "xcorr_peak": corr, "padding_samples": got - n - lag})
    res["hls"] = hls
    mp3 = {}
    for kind in MP3_KINDS:
        path = os.path.join(tdir, "mp3", kind + ".mp3")
        dec = read_pcm(path, sr)
        got = len(dec) // 2
        lag, corr = xcorr_delay(src_m, mono(dec, head))
        mp3[kind] = {"decoded_samples": got, "xcorr_delay_samples": lag, "xcorr_peak": corr,
                     "lame_tag": lame_tag(path)}
    res["mp3"] = mp3
    g, pk = replaygain(src)
    res["replaygain"] = {"track_gain_db": g, "track_peak": pk}
    os.makedirs(os.path.join(work, "measure"), exist_ok=True)
    with open(os.path.join(work, "measure", tid + ".json"), "w") as fh:
        json.dump(res, fh, indent=1)


# --------------------------------------------------------------------------
# catalog.json
# --------------------------------------------------------------------------

def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for blk in iter(lambda: fh.read(1 << 20), b""):
            h.update(blk)
    return h.hexdigest()


def album_gain(work, album_id):
    tracks = [t for t in TRACKS if t.album_id == album_id]
    srcs = [os.path.join(work, "src", t.id + ".wav") for t in tracks]
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-nostats"]
    for s in srcs:
        cmd += ["-i", s]
    graph = "".join("[%d:a]aresample=44100[a%d];" % (i, i) for i in range(len(srcs)))
    graph += "".join("[a%d]" % i for i in range(len(srcs)))
    graph += "concat=n=%d:v=0:a=1,replaygain" % len(srcs)
    err = run(cmd + ["-filter_complex", graph, "-f", "null", "-"]).stderr.decode()
    return last_float(r"track_gain = ([-+0-9.]+) dB", err)


def cmd_catalog(work, out):
    meas = {t.id: json.load(open(os.path.join(work, "measure", t.id + ".json"))) for t in TRACKS}
    albums = []
    album_rg = {}
    for a in ALBUMS:
        peak = max(meas[t.id]["replaygain"]["track_peak"] for t in TRACKS if t.album_id == a.id)
        album_rg[a.id] = (round(album_gain(work, a.id), 2), round(peak, 6))
        albums.append({
            "id": a.id, "title": a.title, "artist_id": a.artist_id, "year": a.year,
            "gapless": a.gapless, "cover": "art/%s.jpg" % a.id,
            "track_count": sum(1 for t in TRACKS if t.album_id == a.id),
            "replaygain": {"album_gain_db": album_rg[a.id][0], "album_peak": album_rg[a.id][1]},
        })
    tracks = []
    for t in TRACKS:
        m = meas[t.id]
        p = PIECES[t.piece]
        base = "media/%s" % t.id
        n = m["total_samples"]
        v0 = m["hls"][0]
        if any(v["xcorr_delay_samples"] != v0["xcorr_delay_samples"] or
               v["padding_samples"] != v0["padding_samples"] for v in m["hls"]):
            raise SystemExit("%s: HLS variants disagree on delay/padding: %r" % (t.id, m["hls"]))
        kind = HLS_SEGMENT_KIND[t.hls]
        mp3 = {}
        for k in MP3_KINDS:
            path = "%s/mp3/%s.mp3" % (base, k)
            full = os.path.join(out, path)
            size = os.path.getsize(full)
            mm = m["mp3"][k]
            mp3[k] = {"path": path,
                      "bitrate_kbps": MP3_CBR_KBPS.get(k) or int(round(size * 8 / (n / p.sr) / 1000)),
                      "size": size, "sha256": sha256_file(full),
                      "lame_tag": mm["lame_tag"],
                      "decoded_samples": mm["decoded_samples"],
                      "xcorr_delay_samples": mm["xcorr_delay_samples"]}
        hls = {
            "master": "%s/hls/master.m3u8" % base,
            "segment_kind": kind,
            "encrypted": t.hls == "aes",
            "byterange": t.hls == "byterange",
            "encoder_delay_samples": v0["xcorr_delay_samples"],
            "padding_samples": v0["padding_samples"],
            "variants": [{"bitrate_kbps": v["bitrate_kbps"],
                          "playlist": "%s/hls/%dk/index.m3u8" % (base, v["bitrate_kbps"]),
                          "decoded_samples": v["decoded_samples"],
                          "xcorr_delay_samples": v["xcorr_delay_samples"],
                          "xcorr_peak": v["xcorr_peak"],
                          "padding_samples": v["padding_samples"]} for v in m["hls"]],
        }
        if t.hls == "aes":
            hls["key"] = "%s/hls/key.bin" % base
            for v in hls["variants"]:  # explicit IV from the playlist, else implicit
                m_iv = re.search(r"#EXT-X-KEY:.*IV=(0x[0-9a-fA-F]+)", open(os.path.join(out, v["playlist"])).read())
                v["iv"] = m_iv.group(1) if m_iv else "media-sequence"
        if kind == "adts":
            hls["id3_timestamp_base_pts"] = ADTS_BASE_PTS
        tracks.append({
            "id": t.id, "title": t.title, "artist_id": ALBUM_BY_ID[t.album_id].artist_id,
            "album_id": t.album_id, "track_number": t.number,
            "duration_ms": int(round(n * 1000 / p.sr)), "sample_rate": p.sr, "channels": 2,
            "total_samples": n,
            "features": t.features,
            "replaygain": {"track_gain_db": round(m["replaygain"]["track_gain_db"], 2),
                           "track_peak": round(m["replaygain"]["track_peak"], 6),
                           "album_gain_db": album_rg[t.album_id][0],
                           "album_peak": album_rg[t.album_id][1]},
            "reference": "%s/reference.flac" % base,
            "reference_pcm_sha256": m["reference_pcm_sha256"],
            "mp3": mp3,
            "hls": hls,
        })
    cat = {
        "version": 1,
        "generator": "scripts/make-media.sh",
        "notes": {
            "replaygain": "ReplayGain 1.0 (ffmpeg replaygain filter, 89 dB reference); album gain over the "
                          "concatenated album; peaks are sample peaks (1.0 = full scale)",
            "encoder_delay_samples": "samples to drop from the start of the naively decoded AAC stream "
                                     "(ffmpeg decode, measured by cross-correlation with the source)",
            "padding_samples": "samples to drop from the end: decoded - total_samples - delay",
            "reference_pcm_sha256": "sha256 of the source as interleaved s16le stereo PCM",
            "mp3.lame_tag": "raw LAME-tag fields as written by ffmpeg/libmp3lame: decoders skip delay + 529 "
                            "samples at the start and padding - 529 at the end; decoded_samples is ffmpeg's "
                            "(gapless) decode",
            "features": "what a track exercises: gapless, hls-fmp4, hls-packed-audio, hls-aes128, "
                        "hls-byterange, 48khz",
        },
        "artists": [{"id": i, "name": nm} for i, nm in ARTISTS],
        "albums": albums,
        "tracks": tracks,
    }
    with open(os.path.join(out, "catalog.json"), "w") as fh:
        json.dump(cat, fh, indent=2)
        fh.write("\n")


def cmd_selfcheck(work, out):
    for a in ALBUMS:
        if not a.gapless:
            continue
        tracks = sorted((t for t in TRACKS if t.album_id == a.id), key=lambda t: t.number)
        p = PIECES[tracks[0].piece]
        assert all(t.piece == p.id for t in tracks)
        joined = array.array("h")
        for t in tracks:
            joined += read_pcm(os.path.join(out, "media", t.id, "reference.flac"), p.sr)
        piece = read_pcm(os.path.join(work, "pieces", p.id + ".wav"), p.sr)
        if joined != piece:
            raise SystemExit("gapless album %s: concatenated references differ from the piece" % a.id)
        print("gapless ok: %s = %d samples in %d tracks" % (a.id, len(piece) // 2, len(tracks)))


def cmd_swap(new, dest):
    """Atomically put directory `new` at `dest`. If `dest` exists the two are
    exchanged (Linux renameat2 RENAME_EXCHANGE), leaving the old tree at `new`."""
    if not os.path.lexists(dest):
        os.rename(new, dest)
        return
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    if fn is not None and fn(AT_FDCWD, os.fsencode(new), AT_FDCWD, os.fsencode(dest), RENAME_EXCHANGE) == 0:
        return
    # no renameat2 (old libc / filesystem): two renames, brief window without dest
    old = new + ".old"
    os.rename(dest, old)
    os.rename(new, dest)
    os.rename(old, new)


def main(argv):
    cmds = {"synth": cmd_synth, "adts-hls": cmd_adts_hls, "encrypt-hls": cmd_encrypt_hls, "master": cmd_master,
            "measure": cmd_measure, "catalog": cmd_catalog, "selfcheck": cmd_selfcheck, "swap": cmd_swap}
    if len(argv) < 2 or argv[1] not in cmds:
        raise SystemExit("usage: %s {%s} ARGS..." % (argv[0], "|".join(cmds)))
    cmds[argv[1]](*argv[2:])


if __name__ == "__main__":
    main(sys.argv)
