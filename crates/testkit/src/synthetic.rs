//! A synthetic catalog shaped like a real one, and the queries a listener would type.
//!
//! What makes it realistic enough for search timings: title words follow a Zipf law over a
//! vocabulary of about 4,000 words (real common words at the head, generated pseudo-words in
//! the tail, some accented), so a few words are in thousands of titles and most in a few
//! dozen; artists are mostly people's names or invented band names; a third of albums are
//! named after one of their tracks. Everything is deterministic (one seed).

use strato_model::api::{Album, Artist, Track};

/// The most frequent title words, most frequent first (Zipf rank 1, 2, ...).
const HEAD_WORDS: &str = "the you love my me of in night a heart your blue on fire dream \
     light rain summer river golden shadow city dance ocean silver wild electric midnight \
     paper velvet ghost glass morning echo winter stone honey thunder little northern broken \
     sweet crystal neon distant hollow fever satellite garden highway mirror kingdom orchid \
     lantern harbor cathedral machine paradise wonder café señor déjà über noël fjörd mañana \
     rêve ångström naïve crème søndag hôtel façade résumé zoë";
const SYLLABLES: &str = "ka lo mi ra ne to vi sa do re el an or us is ul ba ko zu te \
     fa ri mo ga li hu be na so ty";
const FIRST_NAMES: &str = "Anna Björn Chloé David Élodie Felix Greta Hugo Inès Jonas Kåre \
     Lena Miguel Noémie Oskar Paula Quentin Rosa Søren Tomás Ursula Viktor Wanda Xavier \
     Yara Zoltán Amélie Bruno Carmen Dmitri Emil Frida Gustav Hana Ivo Julia Kenji Lucía \
     Mateo Nina Olga Pablo Rhea Sven Tilda Umar Vera Wim Ximena Yusuf";
const LAST_NAMES: &str = "Andersson Beaumont Castillo Dubois Eriksen Fontaine García Høiby \
     Ivanova Jørgensen Kowalski Larsson Müller Núñez Olsen Pérez Quist Rossi Schmidt \
     Takahashi Ulrich Vargas Weber Xu Yilmaz Zimmermann Álvarez Björklund Conti Dahl";
/// Distinct words in the vocabulary.
const VOCABULARY: usize = 4_000;

/// `SplitMix64`: deterministic, so every run builds the same library.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound`.
    ///
    /// # Panics
    /// When `bound` is 0.
    pub fn below(&mut self, bound: usize) -> usize {
        assert!(bound > 0, "an empty range");
        usize::try_from(self.next_u64() % u64::try_from(bound).expect("fits")).expect("fits")
    }

    /// Uniform in [0, 1).
    #[allow(clippy::cast_precision_loss)] // 53 random bits: exactly representable.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
    }
}

/// Words with Zipf-distributed frequencies.
#[derive(Debug)]
pub struct Vocabulary {
    words: Vec<String>,
    /// Cumulative weights, for sampling by binary search.
    cumulative: Vec<f64>,
}

impl Default for Vocabulary {
    fn default() -> Self {
        Self::new()
    }
}

impl Vocabulary {
    pub fn new() -> Self {
        let mut words: Vec<String> = HEAD_WORDS.split_whitespace().map(str::to_owned).collect();
        let syllables: Vec<&str> = SYLLABLES.split_whitespace().collect();
        let n = syllables.len();
        // Every two-syllable word, then three-syllable ones: index i read as digits in base n.
        // Syllables are all two letters, so different digits give different words.
        for index in 0.. {
            if words.len() >= VOCABULARY {
                break;
            }
            let mut word = String::new();
            let (mut digits, count) = if index < n * n {
                (index, 2)
            } else {
                (index - n * n, 3)
            };
            for _ in 0..count {
                word.push_str(syllables[digits % n]);
                digits /= n;
            }
            if index.is_multiple_of(9) {
                word = word.replacen('e', "é", 1).replacen('o', "ö", 1);
            }
            words.push(word);
        }
        let mut total = 0.0;
        let cumulative = (1..=words.len())
            .map(|rank| {
                #[allow(clippy::cast_precision_loss)]
                let weight = 1.0 / rank as f64;
                total += weight;
                total
            })
            .collect();
        Self { words, cumulative }
    }

    /// One word, drawn by its frequency.
    ///
    /// # Panics
    /// Never: the vocabulary is not empty.
    pub fn word(&self, rng: &mut Rng) -> &str {
        let target = rng.unit() * self.cumulative.last().expect("non-empty");
        let index = self.cumulative.partition_point(|&c| c < target);
        &self.words[index.min(self.words.len() - 1)]
    }

    /// One to `max_words` capitalised words.
    pub fn title(&self, rng: &mut Rng, max_words: usize) -> String {
        let words = 1 + rng.below(max_words);
        (0..words)
            .map(|_| capitalise(self.word(rng)))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn pick<'a>(rng: &mut Rng, list: &'a str) -> &'a str {
    let items: Vec<&str> = list.split_whitespace().collect();
    items[rng.below(items.len())]
}

fn artist_name(vocabulary: &Vocabulary, rng: &mut Rng) -> String {
    match rng.below(10) {
        0..=4 => format!("{} {}", pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES)),
        5..=7 => {
            let noun = capitalise(vocabulary.word(rng));
            format!("The {} {noun}s", capitalise(vocabulary.word(rng)))
        }
        _ => vocabulary.title(rng, 2),
    }
}

/// One artist's discography: the artist, their albums, the albums' tracks.
#[derive(Debug)]
pub struct ArtistPage {
    pub artist: Artist,
    pub albums: Vec<Album>,
    pub tracks: Vec<Track>,
}

/// Artist number `artist_index`, with `albums` albums of `tracks_per_album` tracks each.
///
/// # Panics
/// When the counts do not fit the model's integer fields.
pub fn artist_page(
    vocabulary: &Vocabulary,
    rng: &mut Rng,
    artist_index: usize,
    albums: usize,
    tracks_per_album: usize,
) -> ArtistPage {
    let artist = Artist {
        id: format!("ar{artist_index}"),
        name: artist_name(vocabulary, rng),
    };
    let mut page = ArtistPage {
        artist,
        albums: Vec::new(),
        tracks: Vec::new(),
    };
    for album_index in 0..albums {
        let titles: Vec<String> = (0..tracks_per_album)
            .map(|_| vocabulary.title(rng, 4))
            .collect();
        let album = Album {
            id: format!("al{artist_index}-{album_index}"),
            // A third are named after a track ("the title track").
            title: if rng.below(3) == 0 {
                titles[rng.below(titles.len())].clone()
            } else {
                vocabulary.title(rng, 3)
            },
            artist_id: page.artist.id.clone(),
            artist_name: page.artist.name.clone(),
            year: u16::try_from(1960 + rng.below(66)).expect("year"),
            track_count: u32::try_from(tracks_per_album).expect("count"),
            gapless: rng.below(10) == 0,
            cover_path: Some(format!("art/{artist_index}-{album_index}.jpg")),
        };
        for (number, title) in titles.into_iter().enumerate() {
            page.tracks.push(Track {
                id: format!("tr{artist_index}-{album_index}-{number}"),
                title,
                artist_id: page.artist.id.clone(),
                artist_name: page.artist.name.clone(),
                album_id: album.id.clone(),
                album_title: album.title.clone(),
                track_number: u32::try_from(number + 1).expect("number"),
                duration_ms: u32::try_from(120_000 + rng.below(300_000)).expect("ms"),
                cover_path: album.cover_path.clone(),
                replaygain: None,
                owner: None,
            });
        }
        page.albums.push(album);
    }
    page
}

/// What a listener types, for a track they have in mind: the start of the artist's name, the
/// most distinctive word of the title (nobody searches for "the"), artist plus a title word,
/// an album word, or the artist's name typed without its accents.
pub fn listener_query(rng: &mut Rng, track: &Track) -> String {
    let prefix = |word: &str, rng: &mut Rng| -> String {
        let keep = 3 + rng.below(4);
        word.chars().take(keep).collect::<String>().to_lowercase()
    };
    let longest = |text: &str| -> String {
        text.split_whitespace()
            .max_by_key(|w| w.chars().count())
            .unwrap_or_default()
            .to_lowercase()
    };
    match rng.below(5) {
        0 => prefix(&track.artist_name.replace("The ", ""), rng),
        1 => prefix(&longest(&track.title), rng),
        2 => format!(
            "{} {}",
            longest(&track.artist_name),
            prefix(&longest(&track.title), rng)
        ),
        3 => longest(&track.album_title),
        _ => strip_accents(&track.artist_name.to_lowercase()),
    }
}

fn strip_accents(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'å' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ï' => 'i',
            'ó' | 'ö' | 'ô' => 'o',
            'ú' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            other => other,
        })
        .collect()
}
