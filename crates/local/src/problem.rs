//! Why a file found under a music folder cannot be played, as a reason callers can word in
//! any language ([`FileProblem`]), and the English sentence the index keeps with it.
//!
//! The index keeps each failed file's reason by its code (the `problem` column, from
//! migration 0004), so a sentence reworded in a later version never changes what a file is
//! said to have, and its sentence (the `error` column: for logs, an English window, and the
//! system's own words of an I/O error). A row written before the codes existed has only the
//! sentence: its reason is read back from it ([`FileProblem::of_words`]), and a sentence this
//! build does not know reads as [`FileProblem::Unreadable`], the reason that claims the least.

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

/// A file that cannot be played: why, and the sentence kept with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unplayable {
    pub problem: FileProblem,
    /// In English; the system's own words follow for an I/O error none of the reasons names.
    pub words: String,
}

impl Unplayable {
    pub(crate) fn new(problem: FileProblem) -> Self {
        Self {
            problem,
            words: problem.words().to_owned(),
        }
    }

    /// An I/O error the other reasons do not name, with the system's words.
    pub(crate) fn unreadable(io: &std::io::Error) -> Self {
        Self {
            problem: FileProblem::Unreadable,
            words: format!("{UNREADABLE_START} ({io})."),
        }
    }

    /// A read that panicked inside the tag reader: the file is taken as damaged.
    pub(crate) fn panicked() -> Self {
        Self {
            problem: FileProblem::Damaged,
            words: PANICKED.to_owned(),
        }
    }
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

    /// The code the index keeps for this reason (its `problem` column). Never changed once
    /// written: indexes on disk hold them.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::NotAudio => "not_audio",
            Self::Damaged => "damaged",
            Self::CutShort => "cut_short",
            Self::NoSound => "no_sound",
            Self::Gone => "gone",
            Self::NotAllowed => "not_allowed",
            Self::Unreadable => "unreadable",
        }
    }

    /// The reason of a kept code; `None` for one this build does not know (a newer Strato's).
    #[must_use]
    pub fn of_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|problem| problem.code() == code)
    }

    /// The reason a kept row gives: its code, else (a row written before codes were kept, or
    /// a code of a newer Strato) its sentence.
    #[must_use]
    pub fn of_row(code: Option<&str>, words: &str) -> Self {
        code.and_then(Self::of_code)
            .unwrap_or_else(|| Self::of_words(words))
    }

    /// The reason a kept sentence gives (rows written before codes were kept).
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
    fn every_code_reads_back_as_its_own_reason_and_no_two_are_alike() {
        for problem in FileProblem::ALL {
            assert_eq!(FileProblem::of_code(problem.code()), Some(problem));
            assert_eq!(
                FileProblem::of_row(Some(problem.code()), "reworded"),
                problem
            );
        }
        assert_eq!(FileProblem::of_code("melted"), None);
        // A code of a newer Strato: the sentence kept beside it says.
        assert_eq!(
            FileProblem::of_row(Some("melted"), FileProblem::Gone.words()),
            FileProblem::Gone
        );
    }

    #[test]
    fn every_sentence_of_a_row_before_codes_reads_back_as_its_own_reason() {
        for problem in FileProblem::ALL {
            assert_eq!(
                FileProblem::of_row(None, problem.words()),
                problem,
                "{problem:?}"
            );
        }
        let panicked = Unplayable::panicked();
        assert_eq!(panicked.problem, FileProblem::Damaged);
        assert_eq!(FileProblem::of_words(&panicked.words), FileProblem::Damaged);
        let io = std::io::Error::other("Input/output error (os error 5)");
        let unreadable = Unplayable::unreadable(&io);
        assert!(unreadable.words.contains("os error 5"), "{unreadable:?}");
        assert_eq!(unreadable.problem, FileProblem::Unreadable);
        assert_eq!(
            FileProblem::of_words(&unreadable.words),
            FileProblem::Unreadable
        );
        assert_eq!(
            FileProblem::of_words("Words from another version of Strato."),
            FileProblem::Unreadable
        );
    }
}
