//! When a play counts as a listen: the rule `ListenBrainz` documents (and Last.fm before it),
//! as a pure state machine fed with the player's events, so it is tested edge by edge without
//! a player or a clock.
//!
//! A track of 30 seconds or more counts once it has actually played for half its length or
//! for 4 minutes, whichever comes first. "Actually played" is the sum of the position's
//! forward steps while playing: a seek forward skips music and adds nothing, a pause adds
//! nothing, a seek back and a second hearing of a passage adds again (it was heard). A play
//! counts at most once; the same track started again is a new play. `playing_now` is due as
//! a track starts.
//!
//! Each play carries the player's [`PlayId`], and its end names it: an end arriving late,
//! for a play already replaced by the next, is ignored rather than wiping the new one. A
//! track whose file is shorter than its declared length (tags are often wrong) and plays to
//! its natural end ([`PlayEvent::Finished`]) is judged by the length it really had: declared
//! 8:00 but ended at 3:00 with all 3:00 heard, it counts.

use std::time::Duration;

/// Tracks shorter than this never count.
pub const SHORTEST_COUNTED: Duration = Duration::from_secs(30);

/// Four minutes of a long track are enough.
pub const LONGEST_NEEDED: Duration = Duration::from_secs(240);

/// A forward step of the position longer than this between two updates is taken as a jump
/// the player did not announce (a seek, a resume elsewhere), not as music played. The
/// player reports its position several times a second; ten seconds leaves room for a busy
/// machine without letting a jump count.
pub const LONGEST_STEP: Duration = Duration::from_secs(10);

/// Which play an event is about: a number the player gives each play, new on every start
/// (the same track started again is a new play with a new id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PlayId(pub u64);

/// What the player reports, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlayEvent {
    /// A track started from its beginning (a new play, even of the track just heard), at
    /// `at` (Unix seconds). `duration` is `None` when unknown (such a play counts only by
    /// [`Self::Finished`], once its real length is known).
    Started {
        play: PlayId,
        duration: Option<Duration>,
        at: i64,
    },
    /// Where playback is now.
    Position(Duration),
    Paused,
    Resumed,
    /// The listener moved to this position.
    Seeked(Duration),
    /// The play `play` was skipped or stopped (an end for another play is ignored).
    Ended {
        play: PlayId,
    },
    /// The play `play` reached the end of its file at `length`: the track's real length,
    /// which may differ from the one declared. The play counts if what was heard reaches
    /// what a track of `length` needs.
    Finished {
        play: PlayId,
        length: Duration,
    },
}

/// What is due to be scrobbled after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scrobble {
    /// The track started: tell the target it is playing now.
    PlayingNow,
    /// The play now counts as a listen, begun at `listened_at` (Unix seconds).
    Listen { listened_at: i64 },
}

/// The rule's state: the play in progress, if any.
#[derive(Debug, Clone, Default)]
pub struct ScrobbleRule {
    play: Option<Play>,
}

#[derive(Debug, Clone)]
struct Play {
    id: PlayId,
    /// How much must be played for a listen; `None` when this play never counts.
    needed: Option<Duration>,
    played: Duration,
    /// The position last seen: where the next forward step is measured from.
    last: Duration,
    playing: bool,
    listened_at: i64,
    counted: bool,
}

impl ScrobbleRule {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one event; what became due, if anything.
    pub fn feed(&mut self, event: PlayEvent) -> Option<Scrobble> {
        match event {
            PlayEvent::Started { play, duration, at } => {
                self.play = Some(Play {
                    id: play,
                    needed: duration.and_then(needed_for),
                    played: Duration::ZERO,
                    last: Duration::ZERO,
                    playing: true,
                    listened_at: at,
                    counted: false,
                });
                return Some(Scrobble::PlayingNow);
            }
            PlayEvent::Ended { play } => {
                if self.play.as_ref().is_some_and(|current| current.id == play) {
                    self.play = None;
                }
            }
            PlayEvent::Finished { play, length } => {
                let mut current = self.play.take_if(|current| current.id == play)?;
                current.advance(length);
                let needed = needed_for(length)?;
                if !current.counted && current.played >= needed {
                    return Some(Scrobble::Listen {
                        listened_at: current.listened_at,
                    });
                }
            }
            PlayEvent::Paused | PlayEvent::Resumed => {
                if let Some(play) = &mut self.play {
                    play.playing = event == PlayEvent::Resumed;
                }
            }
            PlayEvent::Seeked(position) => {
                if let Some(play) = &mut self.play {
                    play.last = position;
                }
            }
            PlayEvent::Position(position) => {
                let play = self.play.as_mut()?;
                play.advance(position);
                if !play.counted && play.needed.is_some_and(|needed| play.played >= needed) {
                    play.counted = true;
                    return Some(Scrobble::Listen {
                        listened_at: play.listened_at,
                    });
                }
            }
        }
        None
    }

    /// How long the play in progress has actually played.
    #[must_use]
    pub fn played(&self) -> Duration {
        self.play
            .as_ref()
            .map_or(Duration::ZERO, |play| play.played)
    }
}

impl Play {
    /// The position is now `position`: a forward step while playing, short enough to be
    /// music rather than a jump, was heard.
    fn advance(&mut self, position: Duration) {
        if self.playing
            && let Some(step) = position.checked_sub(self.last)
            && step <= LONGEST_STEP
        {
            self.played += step;
        }
        self.last = position;
    }
}

/// How much of a track of `duration` must play for a listen; `None` if it never counts.
fn needed_for(duration: Duration) -> Option<Duration> {
    (duration >= SHORTEST_COUNTED).then(|| (duration / 2).min(LONGEST_NEEDED))
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: i64 = 1_700_000_000;
    const FIRST: PlayId = PlayId(1);
    const SECOND: PlayId = PlayId(2);

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    fn start(duration: f64) -> ScrobbleRule {
        let mut rule = ScrobbleRule::new();
        assert_eq!(
            rule.feed(PlayEvent::Started {
                play: FIRST,
                duration: Some(secs(duration)),
                at: AT
            }),
            Some(Scrobble::PlayingNow)
        );
        rule
    }

    /// Plays from `from` to `to` in ticks of a quarter second; every listen that fell due.
    fn play(rule: &mut ScrobbleRule, from: f64, to: f64) -> Vec<Scrobble> {
        let mut due = Vec::new();
        let mut at = from;
        while at < to {
            at = (at + 0.25).min(to);
            due.extend(rule.feed(PlayEvent::Position(secs(at))));
        }
        due
    }

    const LISTEN: Scrobble = Scrobble::Listen { listened_at: AT };

    #[test]
    fn a_track_under_thirty_seconds_never_counts() {
        let mut rule = start(29.9);
        assert_eq!(play(&mut rule, 0.0, 29.9), []);
        // Thirty seconds exactly counts at fifteen.
        let mut rule = start(30.0);
        assert_eq!(play(&mut rule, 0.0, 14.75), []);
        assert_eq!(play(&mut rule, 14.75, 15.0), [LISTEN]);
    }

    #[test]
    fn half_the_track_counts_exactly_at_half_and_only_once() {
        let mut rule = start(180.0);
        assert_eq!(play(&mut rule, 0.0, 89.75), []);
        assert_eq!(rule.feed(PlayEvent::Position(secs(89.999))), None);
        assert_eq!(rule.feed(PlayEvent::Position(secs(90.0))), Some(LISTEN));
        assert_eq!(play(&mut rule, 90.0, 180.0), [], "once per play");
    }

    #[test]
    fn a_ten_minute_track_counts_at_four_minutes() {
        let mut rule = start(600.0);
        assert_eq!(play(&mut rule, 0.0, 239.75), []);
        assert_eq!(play(&mut rule, 239.75, 240.0), [LISTEN]);
        assert_eq!(rule.played(), secs(240.0));
    }

    #[test]
    fn seeking_forward_skips_music_and_counts_nothing() {
        let mut rule = start(200.0);
        assert_eq!(play(&mut rule, 0.0, 10.0), []);
        rule.feed(PlayEvent::Seeked(secs(150.0)));
        // To the end from 150 s: 60 s heard in all, not the 100 s needed.
        assert_eq!(play(&mut rule, 150.0, 200.0), []);
        assert_eq!(rule.played(), secs(60.0));
        // A jump the player did not announce counts nothing either.
        let mut rule = start(200.0);
        assert_eq!(rule.feed(PlayEvent::Position(secs(120.0))), None);
        assert_eq!(rule.played(), Duration::ZERO);
    }

    #[test]
    fn seeking_back_counts_the_passage_heard_again() {
        let mut rule = start(100.0);
        assert_eq!(play(&mut rule, 0.0, 40.0), []);
        rule.feed(PlayEvent::Seeked(secs(30.0)));
        assert_eq!(play(&mut rule, 30.0, 39.75), []);
        assert_eq!(play(&mut rule, 39.75, 40.0), [LISTEN]);
    }

    #[test]
    fn paused_time_does_not_count() {
        let mut rule = start(100.0);
        assert_eq!(play(&mut rule, 0.0, 40.0), []);
        rule.feed(PlayEvent::Paused);
        // Updates while paused (the same position, or a scrub) add nothing.
        assert_eq!(play(&mut rule, 40.0, 45.0), []);
        assert_eq!(rule.played(), secs(40.0));
        rule.feed(PlayEvent::Resumed);
        assert_eq!(play(&mut rule, 45.0, 54.75), []);
        assert_eq!(play(&mut rule, 54.75, 55.0), [LISTEN]);
    }

    #[test]
    fn a_repeat_is_a_new_play_and_a_skip_ends_one() {
        let mut rule = start(60.0);
        assert_eq!(play(&mut rule, 0.0, 60.0), [LISTEN]);
        rule.feed(PlayEvent::Ended { play: FIRST });
        let again = PlayEvent::Started {
            play: SECOND,
            duration: Some(secs(60.0)),
            at: AT + 60,
        };
        assert_eq!(rule.feed(again), Some(Scrobble::PlayingNow));
        assert_eq!(
            play(&mut rule, 0.0, 30.0),
            [Scrobble::Listen {
                listened_at: AT + 60
            }]
        );
        // Skipped before half: no listen, and nothing carries over to the next play.
        let mut rule = start(100.0);
        assert_eq!(play(&mut rule, 0.0, 40.0), []);
        rule.feed(PlayEvent::Ended { play: FIRST });
        assert_eq!(rule.feed(PlayEvent::Position(secs(60.0))), None);
        assert_eq!(rule.played(), Duration::ZERO);
    }

    #[test]
    fn a_track_of_unknown_length_never_counts() {
        let mut rule = ScrobbleRule::new();
        let started = PlayEvent::Started {
            play: FIRST,
            duration: None,
            at: AT,
        };
        assert_eq!(rule.feed(started), Some(Scrobble::PlayingNow));
        assert_eq!(play(&mut rule, 0.0, 300.0), []);
    }

    #[test]
    fn a_late_end_of_the_previous_play_leaves_the_new_one_alone() {
        let mut rule = start(100.0);
        assert_eq!(play(&mut rule, 0.0, 20.0), []);
        let next = PlayEvent::Started {
            play: SECOND,
            duration: Some(secs(100.0)),
            at: AT + 20,
        };
        assert_eq!(rule.feed(next), Some(Scrobble::PlayingNow));
        assert_eq!(play(&mut rule, 0.0, 10.0), []);
        // The first play's end, delivered after the second began.
        assert_eq!(rule.feed(PlayEvent::Ended { play: FIRST }), None);
        assert_eq!(
            rule.played(),
            secs(10.0),
            "the second play is still counted"
        );
        assert_eq!(
            play(&mut rule, 10.0, 50.0),
            [Scrobble::Listen {
                listened_at: AT + 20
            }]
        );
        // Its own end does end it.
        rule.feed(PlayEvent::Ended { play: SECOND });
        assert_eq!(rule.played(), Duration::ZERO);
    }

    #[test]
    fn a_track_shorter_than_declared_counts_by_its_real_length() {
        // Declared 8:00, the file ends at 3:00, all of it heard: half of 3:00 and over 30 s.
        let mut rule = start(480.0);
        assert_eq!(
            play(&mut rule, 0.0, 179.75),
            [],
            "not half of the declared 8:00"
        );
        let finished = PlayEvent::Finished {
            play: FIRST,
            length: secs(180.0),
        };
        assert_eq!(rule.feed(finished), Some(LISTEN));
        assert_eq!(rule.played(), Duration::ZERO, "the play is over");
        assert_eq!(rule.feed(finished), None, "counted once");

        // Most of it skipped: 20 s of a real 3:00 is not enough.
        let mut rule = start(480.0);
        assert_eq!(play(&mut rule, 0.0, 10.0), []);
        rule.feed(PlayEvent::Seeked(secs(170.0)));
        assert_eq!(play(&mut rule, 170.0, 180.0), []);
        let finished = PlayEvent::Finished {
            play: FIRST,
            length: secs(180.0),
        };
        assert_eq!(rule.feed(finished), None);

        // Really 20 s long: under 30 s never counts, however declared.
        let mut rule = start(480.0);
        assert_eq!(play(&mut rule, 0.0, 20.0), []);
        let finished = PlayEvent::Finished {
            play: FIRST,
            length: secs(20.0),
        };
        assert_eq!(rule.feed(finished), None);

        // Already counted by the declared length: not again at the end.
        let mut rule = start(100.0);
        assert_eq!(play(&mut rule, 0.0, 100.0), [LISTEN]);
        let finished = PlayEvent::Finished {
            play: FIRST,
            length: secs(100.0),
        };
        assert_eq!(rule.feed(finished), None);

        // The end of another play is not this one's.
        let mut rule = start(480.0);
        assert_eq!(play(&mut rule, 0.0, 180.0), []);
        let other = PlayEvent::Finished {
            play: SECOND,
            length: secs(180.0),
        };
        assert_eq!(rule.feed(other), None);
        assert_eq!(rule.played(), secs(180.0));
    }
}
