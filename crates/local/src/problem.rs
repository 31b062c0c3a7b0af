//! Why a file found under a music folder cannot be played, as a reason callers can word in
//! any language ([`FileProblem`]), and the English sentence the index keeps for it.
//!
//! The index keeps each failed file's sentence (its `error` column, for logs and for indexes
//! written before the reasons had names); the reason is read back from that sentence. Every
//! sentence written here maps back to its own reason (tested over [`FileProblem::ALL`]), so
//! no column of its own is needed; a sentence this build does not know (written by another
//! version) reads as [`FileProblem::Unreadable`], the reason that claims the least.

/// Why a file cannot be played.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileProblem {
    /// Neither its content nor its name is a kind of audio Strato reads (a text file named
    /// `.mp3`, a format Strato does not know), or it is damaged past recognising.
    NotAudio,
    /// Recognised as audio, but damaged or incomplete inside.
    Damaged,
    /// Ends before its data does: an unfinished copy or download.
    CutShort,
    /// Reads as audio but holds no sound.
    NoSound,
    /// Gone between being found and being read.
    Gone,
    /// Strato may not read it (permissions).
    NotAllowed,
    /// The disk would not give it (an I/O error), for a reason none of the others names.
    Unreadable,
}

/// The sentence of a read that panicked inside the tag reader: the file is taken as damaged.
const PANICKED: &str = "Strato could not read this file's tags: it may be damaged.";

/// How an [`FileProblem::Unreadable`] sentence starts; the system's own words follow.
const UNREADABLE_START: &str = "This file could not be read";

impl FileProblem {
    /// Every reason, for callers that map them onward to test each one.
    pub const ALL: [Self; 7] = [
        Self::NotAudio,
        Self::Damaged,
        Self::CutShort,
        Self::NoSound,
        Self::Gone,
        Self::NotAllowed,
        Self::Unreadable,
    ];

    /// The sentence kept for this reason, in English.
    #[must_use]
    pub fn words(self) -> &'static str {
        match self {
            Self::NotAudio => "This file is not audio Strato can play, or it is damaged.",
            Self::Damaged => "This file is damaged or incomplete, so Strato cannot play it.",
            Self::CutShort => "This file is cut short (an unfinished copy or download?).",
            Self::NoSound => "No sound was found in this file: it may be damaged or cut short.",
            Self::Gone => "The file is no longer there.",
            Self::NotAllowed => "Strato is not allowed to read this file.",
            Self::Unreadable => "This file could not be read.",
        }
    }

    /// The sentence for an I/O error the other reasons do not name, with the system's words.
    pub(crate) fn unreadable_words(io: &std::io::Error) -> String {
        format!("{UNREADABLE_START} ({io}).")
    }

    /// The sentence for a read that panicked inside the tag reader.
    pub(crate) fn panicked_words() -> String {
        PANICKED.to_owned()
    }

    /// The reason a kept sentence gives.
    #[must_use]
    pub fn of_words(words: &str) -> Self {
        if words == PANICKED {
            return Self::Damaged;
        }
        Self::ALL
            .into_iter()
            .find(|problem| problem.words() == words)
            .unwrap_or(Self::Unreadable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sentence_reads_back_as_its_own_reason() {
        for problem in FileProblem::ALL {
            assert_eq!(
                FileProblem::of_words(problem.words()),
                problem,
                "{problem:?}"
            );
        }
        assert_eq!(
            FileProblem::of_words(&FileProblem::panicked_words()),
            FileProblem::Damaged
        );
        let io = std::io::Error::other("Input/output error (os error 5)");
        let words = FileProblem::unreadable_words(&io);
        assert!(words.contains("os error 5"), "{words}");
        assert_eq!(FileProblem::of_words(&words), FileProblem::Unreadable);
        assert_eq!(
            FileProblem::of_words("Words from another version of Strato."),
            FileProblem::Unreadable
        );
    }
}
