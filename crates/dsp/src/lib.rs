//! Sound processing without I/O, on interleaved `f32` blocks, in place, with no allocation per
//! block: what the player's output applies between the decoder and the device.
//!
//! - [`biquad`]: the RBJ cookbook's second-order filters, designed in `f64`, run in `f32`,
//!   and their exact response from their transfer function;
//! - [`design`]: a device's equaliser settings made filters at a sample rate, with the
//!   pre-amp that keeps the curve's largest boost under full scale;
//! - [`Equalizer`]: the filters running on a stream, cross-faded to new settings so a change
//!   never clicks;
//! - [`autoeq`]: headphone correction profiles in `AutoEQ`'s `ParametricEQ.txt` form;
//! - [`presets`]: the graphic equaliser's presets;
//! - [`Overlap`]: two tracks mixed through a crossfade, on an equal-power curve;
//! - [`Limiter`]: a look-ahead true-peak limiter, the last stage, catching what the pre-amp
//!   does not;
//! - [`LoudnessMeter`]: a track's integrated loudness and true peak (EBU R 128), for the
//!   tracks that come without `ReplayGain`, wrapping the `ebur128` crate.
//!
//! Written here rather than taken from a crate: a biquad is a dozen lines, and the crates
//! that have them (`biquad`, `fundsp`) neither compute the cascade's response the Equaliser
//! panel draws nor cross-fade, so the glue would outweigh them.

pub mod autoeq;
pub mod biquad;
mod crossfade;
pub mod design;
mod equalizer;
mod limiter;
mod loudness;
pub mod presets;

pub use crossfade::Overlap;
pub use design::EqDesign;
pub use equalizer::Equalizer;
pub use limiter::{LIMITER_CEILING_DBTP, Limiter};
pub use loudness::{Loudness, LoudnessMeter, MeterError};
