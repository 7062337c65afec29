//! The reference of the dual divergence: the product of the marginals of
//! the rows, sampled by permuting each shuffle unit independently across
//! the rows, and the intermediate distributions of the path, in which only
//! some units are shuffled.
//!
//! ```text
//! draw of P_S (S = the shuffled units):  row i of a copy = (x_{π_u(i), u})_u,
//!     π_u a fresh uniform permutation for u ∈ S, the identity for u ∉ S
//! P_∅ = the rows,  P_{all units} = ∏ᵤ P(x_u)
//! ```
//! A unit keeps its columns together: with [`Shuffle::Channel`] a channel's
//! whole series moves as one piece, so its dynamics survive in the
//! reference. Rows are `channels × time` flattened channel by channel:
//! column `c·T + t` is channel `c` at step `t`.

use rand::Rng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::error::NeuralError;

/// Rows that are multivariate time series flattened channel by channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shape {
    /// Channels `C`.
    pub channels: usize,
    /// Time steps `T`.
    pub steps: usize,
}

impl Shape {
    /// Checks that rows of `d` columns are `C × T` series.
    ///
    /// # Errors
    /// [`NeuralError::Shape`] when `C·T ≠ d` or either is zero.
    pub fn check(self, d: usize) -> Result<(), NeuralError> {
        if self.channels == 0 || self.steps == 0 || self.channels.checked_mul(self.steps) != Some(d) {
            return Err(NeuralError::Shape {
                reason: format!(
                    "--shape {},{} needs {} columns (channels x time steps, channel by channel), the table has {d}",
                    self.channels,
                    self.steps,
                    self.channels.saturating_mul(self.steps)
                ),
            });
        }
        Ok(())
    }
}

/// What the reference permutes as one piece.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shuffle {
    /// Every column (every channel × time cell) on its own.
    #[default]
    Cell,
    /// Each channel's whole series (needs a shape).
    Channel,
}

impl Shuffle {
    /// Both, in the order of `--help`.
    pub const ALL: [Shuffle; 2] = [Shuffle::Cell, Shuffle::Channel];

    /// The name used on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            Shuffle::Cell => "cell",
            Shuffle::Channel => "channel",
        }
    }

    /// One line for `--help`.
    pub fn description(self) -> &'static str {
        match self {
            Shuffle::Cell => {
                "each column (channel x time cell) on its own: the reference is the product of all marginals (the default)"
            }
            Shuffle::Channel => {
                "each channel's whole series (needs --shape or --window): only the dependence between channels counts"
            }
        }
    }
}

/// The shuffle units of rows of `d` columns: lists of column indices.
///
/// # Errors
/// [`NeuralError::Shape`] for a shape that does not fit `d`, or
/// [`Shuffle::Channel`] without a shape.
pub(crate) fn units(
    d: usize,
    shuffle: Shuffle,
    shape: Option<Shape>,
) -> Result<Vec<Vec<usize>>, NeuralError> {
    if let Some(shape) = shape {
        shape.check(d)?;
    }
    match (shuffle, shape) {
        (Shuffle::Cell, _) => Ok((0..d).map(|j| vec![j]).collect()),
        (Shuffle::Channel, Some(s)) => Ok((0..s.channels)
            .map(|c| (c * s.steps..(c + 1) * s.steps).collect())
            .collect()),
        (Shuffle::Channel, None) => Err(NeuralError::Shape {
            reason: "--shuffle channel needs the rows' shape: give --shape C,T or --window T".into(),
        }),
    }
}

/// The units of each stage of a path of `stages` stages: the units in a
/// random order from `rng`, cut into `stages` runs of (nearly) equal length.
pub(crate) fn stages(units: usize, stages: usize, rng: &mut impl Rng) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..units).collect();
    order.shuffle(rng);
    (0..stages)
        .map(|k| order[k * units / stages..(k + 1) * units / stages].to_vec())
        .collect()
}

/// Appends `copies` draws of the `n` rows of `x` (`d` columns) with the
/// units marked in `shuffled` permuted, each by its own fresh permutation.
pub(crate) fn draw(
    x: &[f32],
    d: usize,
    units: &[Vec<usize>],
    shuffled: &[bool],
    copies: usize,
    rng: &mut impl Rng,
    out: &mut Vec<f32>,
) {
    let n = x.len() / d;
    let mut perm: Vec<usize> = (0..n).collect();
    for _ in 0..copies {
        let start = out.len();
        out.extend_from_slice(x);
        for (unit, _) in units.iter().zip(shuffled).filter(|(_, s)| **s) {
            perm.shuffle(rng);
            for (i, &src) in perm.iter().enumerate() {
                for &j in unit {
                    out[start + i * d + j] = x[src * d + j];
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pushforward_core::seed::{Purpose, stream};

    #[test]
    fn a_full_shuffle_keeps_every_column_s_values_and_a_channel_moves_whole() {
        // 5 rows of 2 channels x 3 steps, value = 100·row + column.
        let x: Vec<f32> = (0..5)
            .flat_map(|i| (0..6).map(move |j| (100 * i + j) as f32))
            .collect();
        let shape = Some(Shape {
            channels: 2,
            steps: 3,
        });
        let mut rng = stream(1, Purpose::Batches);
        for shuffle in Shuffle::ALL {
            let units = units(6, shuffle, shape).expect("units");
            let mut out = Vec::new();
            draw(&x, 6, &units, &vec![true; units.len()], 2, &mut rng, &mut out);
            assert_eq!(out.len(), 60);
            for copy in out.chunks(30) {
                for j in 0..6 {
                    let mut column: Vec<f32> = copy.chunks(6).map(|r| r[j]).collect();
                    column.sort_by(f32::total_cmp);
                    let expected: Vec<f32> = (0..5).map(|i| (100 * i + j) as f32).collect();
                    assert_eq!(column, expected, "{shuffle:?} column {j}");
                }
                if shuffle == Shuffle::Channel {
                    // A channel's three steps come from one row.
                    for row in copy.chunks(6) {
                        assert!(row[..3].iter().all(|v| (v - row[0]).abs() < 3.0));
                        assert!(row[3..].iter().all(|v| (v - row[3]).abs() < 3.0));
                    }
                }
            }
        }
        let none = units(6, Shuffle::Cell, None).expect("units");
        let mut same = Vec::new();
        draw(&x, 6, &none, &[false; 6], 1, &mut rng, &mut same);
        assert_eq!(same, x);
    }

    #[test]
    fn stages_partition_the_units_and_bad_shapes_are_refused() {
        let mut rng = stream(2, Purpose::Initialisation);
        let s = stages(10, 3, &mut rng);
        let mut all: Vec<usize> = s.concat();
        all.sort_unstable();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        assert!(s.iter().all(|stage| (3..=4).contains(&stage.len())));
        assert!(
            units(
                7,
                Shuffle::Cell,
                Some(Shape {
                    channels: 2,
                    steps: 3
                })
            )
            .is_err()
        );
        assert!(units(6, Shuffle::Channel, None).is_err());
    }
}
