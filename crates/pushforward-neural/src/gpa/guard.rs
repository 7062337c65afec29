//! The memorisation guard of a particle generator: the share of generated
//! points that sit on a target point.
//!
//! ```text
//! r     = fraction · median_j min_{k ≠ j} ‖x_j − x_k‖      (the targets' typical spacing)
//! share = #{i : min_j ‖y_i − x_j‖ < r} / M
//! ```
//! With as many particles as targets the transport tends to deliver each
//! particle onto a target (a copy of the data); more particles than
//! targets spread between them. Exact nearest neighbours by brute force
//! (`O(M·N·d)`), in `f64`.

use serde::{Deserialize, Serialize};

/// How many generated points copy a target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Memorisation {
    /// Share of generated points within `radius` of a target.
    pub share: f64,
    /// The radius used.
    pub radius: f64,
}

/// Nearest squared distance from `point` to any row of `set` except row `skip`.
fn nearest(point: &[f32], set: &[f32], d: usize, skip: Option<usize>) -> f64 {
    set.chunks_exact(d)
        .enumerate()
        .filter(|(k, _)| Some(*k) != skip)
        .map(|(_, x)| {
            x.iter()
                .zip(point)
                .map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2))
                .sum::<f64>()
        })
        .fold(f64::INFINITY, f64::min)
}

/// The share of the rows of `generated` within `fraction` of the targets'
/// median nearest-neighbour spacing of a row of `targets` (both row-major,
/// `d` coordinates). Needs at least two targets; `None` otherwise.
///
/// ```
/// use pushforward_neural::gpa::memorisation_share;
/// let targets = [0.0, 1.0, 2.0, 3.0];
/// let generated = [0.001, 1.5, 2.999, 10.0];
/// let m = memorisation_share(&generated, &targets, 1, 0.1).unwrap();
/// assert_eq!((m.share, m.radius), (0.5, 0.1));
/// ```
pub fn memorisation_share(
    generated: &[f32],
    targets: &[f32],
    d: usize,
    fraction: f64,
) -> Option<Memorisation> {
    let n = targets.len().checked_div(d)?;
    if n < 2 || generated.len() < d {
        return None;
    }
    let mut spacing: Vec<f64> = targets
        .chunks_exact(d)
        .enumerate()
        .map(|(j, x)| nearest(x, targets, d, Some(j)).sqrt())
        .collect();
    spacing.sort_by(f64::total_cmp);
    let median = if n % 2 == 1 {
        spacing[n / 2]
    } else {
        0.5 * (spacing[n / 2 - 1] + spacing[n / 2])
    };
    let radius = fraction * median;
    let rows = generated.len() / d;
    let copies = generated
        .chunks_exact(d)
        .filter(|y| nearest(y, targets, d, None).sqrt() < radius)
        .count();
    Some(Memorisation {
        share: copies as f64 / rows as f64,
        radius,
    })
}
