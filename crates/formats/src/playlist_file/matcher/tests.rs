use std::time::Duration;

use super::*;

fn track(id: &str, artist: &str, title: &str, seconds: Option<u64>) -> Candidate {
    Candidate {
        id: id.into(),
        artist: Some(artist.into()),
        title: title.into(),
        duration: seconds.map(Duration::from_secs),
        ..Candidate::default()
    }
}

fn wanted(artist: Option<&str>, title: &str, seconds: Option<u64>) -> PlaylistEntry {
    PlaylistEntry {
        artist: artist.map(Into::into),
        title: Some(title.into()),
        duration: seconds.map(Duration::from_secs),
        ..PlaylistEntry::default()
    }
}

fn matched(results: &[EntryMatch]) -> Vec<Option<&str>> {
    results
        .iter()
        .map(|result| match result {
            EntryMatch::Matched { candidate, .. } => Some(candidate.as_str()),
            EntryMatch::Unmatched { .. } => None,
        })
        .collect()
}

#[test]
fn folding_ignores_case_accents_punctuation_and_featured_artists() {
    assert_eq!(fold("Sigur Rós"), "sigur ros");
    assert_eq!(fold("BJÖRK"), "bjork");
    assert_eq!(fold("Don’t Stop Me Now!"), "dont stop me now");
    assert_eq!(fold("Simon & Garfunkel"), "simon and garfunkel");
    assert_eq!(fold("Crazy in Love (feat. Jay-Z)"), "crazy in love");
    assert_eq!(
        fold("Crazy in Love [ft. JAY Z] (Remastered)"),
        "crazy in love remastered"
    );
    assert_eq!(fold("Beyoncé feat. JAY-Z"), "beyonce");
    assert_eq!(fold("Stay (with Justin Bieber)"), "stay");
    assert_eq!(fold("Dancing with Myself"), "dancing with myself");
    assert_eq!(fold("Mötley Crüe"), "motley crue");
    assert_eq!(fold("Straße ﬁve Ærø"), "strasse five aero");
    assert_eq!(fold("Feather (Live)"), "feather live");
}

#[test]
fn tags_match_across_accents_case_and_feat() {
    let library = [
        track("joga", "Björk", "Jóga", Some(305)),
        track("love", "Beyoncé", "Crazy in Love (feat. Jay-Z)", Some(236)),
        track("hoppi", "Sigur Rós", "Hoppípolla", None),
    ];
    let entries = [
        wanted(Some("bjork"), "JOGA", Some(306)),
        wanted(Some("Beyonce feat. Jay-Z"), "Crazy In Love", Some(235)),
        wanted(Some("Sigur Ros"), "Hoppipolla", Some(268)),
        wanted(Some("Björk"), "Hyperballad", None),
    ];
    let results = match_entries(&entries, &library, None);
    assert_eq!(
        matched(&results),
        [Some("joga"), Some("love"), Some("hoppi"), None]
    );
    assert!(matches!(
        results[0],
        EntryMatch::Matched {
            by: MatchedBy::Tags,
            ..
        }
    ));
    let EntryMatch::Unmatched { entry: 3, why } = &results[3] else {
        panic!("{:?}", results[3]);
    };
    assert_eq!(
        why.to_string(),
        "no track called “Hyperballad” by Björk in the library"
    );
    assert_eq!(results.iter().filter(|r| r.is_matched()).count(), 3);
}

#[test]
fn lengths_must_agree_within_three_seconds_and_the_closest_wins() {
    let library = [
        track("radio", "Artist", "Song", Some(200)),
        track("album", "Artist", "Song", Some(243)),
        track("live", "Artist", "Song", Some(245)),
    ];
    let results = match_entries(
        &[
            wanted(Some("Artist"), "Song", Some(244)),
            wanted(Some("Artist"), "Song", Some(202)),
            wanted(Some("Artist"), "Song", Some(300)),
        ],
        &library,
        None,
    );
    assert_eq!(matched(&results), [Some("album"), Some("radio"), None]);
    let EntryMatch::Unmatched { why, .. } = &results[2] else {
        unreachable!()
    };
    assert_eq!(
        why.to_string(),
        "“Song” is in the library, but 4:05 long, not 5:00"
    );
}

#[test]
fn one_title_by_several_artists_needs_the_artist_or_the_length() {
    let library = [
        track("a", "Alpha", "Intro", Some(60)),
        track("b", "Beta", "Intro", Some(95)),
    ];
    let results = match_entries(
        &[
            wanted(None, "Intro", None),
            wanted(Some("Beta"), "Intro", None),
            wanted(None, "Intro", Some(94)),
        ],
        &library,
        None,
    );
    assert_eq!(matched(&results), [None, Some("b"), Some("b")]);
    let EntryMatch::Unmatched { why, .. } = &results[0] else {
        unreachable!()
    };
    assert_eq!(
        why,
        &Unmatched::Ambiguous {
            title: "Intro".into(),
            count: 2
        }
    );
}

#[test]
fn copies_of_one_song_prefer_the_entrys_album() {
    let mut album = track("album", "Artist", "Song", None);
    album.album = Some("The Album".into());
    let mut best_of = track("best-of", "Artist", "Song", None);
    best_of.album = Some("Greatest Hits".into());
    let mut entry = wanted(Some("Artist"), "Song", None);
    entry.album = Some("greatest hits".into());
    let library = [album, best_of];
    assert_eq!(
        matched(&match_entries(&[entry], &library, None)),
        [Some("best-of")]
    );
    // Without an album, the first copy: it is the same song.
    let plain = wanted(Some("Artist"), "Song", None);
    assert_eq!(
        matched(&match_entries(&[plain], &library, None)),
        [Some("album")]
    );
}

#[test]
fn paths_match_first_absolute_relative_and_windows() {
    let mut on_disk = track("disk", "Other", "Other", None);
    on_disk.path = Some("/home/me/Music/Björk/02 Jóga.flac".into());
    let mut on_windows = track("win", "Other", "Other", None);
    on_windows.path = Some("D:\\Musik\\Eres.mp3".into());
    let library = [on_disk, on_windows];
    let at = |location: &str| PlaylistEntry {
        location: Some(location.into()),
        ..wanted(Some("Nobody"), "Nothing", None)
    };
    let entries = [
        // Decomposed, as macOS writes names, and with a `..`.
        at("/home/me/Music/Other/../Bjo\u{308}rk/02 Jo\u{301}ga.flac"),
        at("Björk/02 Jóga.flac"),
        at("d:/musik/ERES.mp3"),
        at("https://example.com/02 Jóga.flac"),
    ];
    let results = match_entries(&entries, &library, Some("/home/me/Music"));
    assert_eq!(
        matched(&results),
        [Some("disk"), Some("disk"), Some("win"), None]
    );
    assert!(matches!(
        results[0],
        EntryMatch::Matched {
            by: MatchedBy::Path,
            ..
        }
    ));
    // Without the playlist's folder, a relative path that ends one track's path.
    let results = match_entries(&entries[1..2], &library, None);
    assert_eq!(matched(&results), [Some("disk")]);
}

#[test]
fn entries_without_tags_are_looked_up_by_their_file_name() {
    let library = [track("joga", "Björk", "Jóga", Some(305))];
    let by_name = |location: &str| PlaylistEntry {
        location: Some(location.into()),
        ..PlaylistEntry::default()
    };
    let results = match_entries(
        &[
            by_name("/elsewhere/03 - Björk - Jóga.mp3"),
            by_name("C:\\old\\02. Jóga.flac"),
            by_name("http://stream.example/live"),
        ],
        &library,
        None,
    );
    assert_eq!(matched(&results), [Some("joga"), Some("joga"), None]);
    let EntryMatch::Unmatched { why, .. } = &results[2] else {
        unreachable!()
    };
    assert_eq!(why, &Unmatched::NothingToLookFor);
}

#[test]
fn file_names_give_their_tags() {
    assert_eq!(
        tags_from_file_name("/m/01 - Artist - Title.mp3"),
        Some((Some("Artist".into()), "Title".into()))
    );
    assert_eq!(
        tags_from_file_name("Title.flac"),
        Some((None, "Title".into()))
    );
    assert_eq!(
        tags_from_file_name("/m/1999.mp3"),
        Some((None, "1999".into()))
    );
    assert_eq!(tags_from_file_name("/m/"), None);
}

#[test]
fn paths_are_normalised_for_comparison() {
    assert_eq!(
        normalised_path("C:\\Music\\.\\A\\..\\B.mp3"),
        "c:/music/b.mp3"
    );
    assert_eq!(normalised_path("/a//b/../../../c"), "/c");
    assert_eq!(normalised_path("../x/./y"), "../x/y");
    assert_eq!(
        normalised_path("\\\\NAS\\Share\\a.mp3"),
        "//nas/share/a.mp3"
    );
}
