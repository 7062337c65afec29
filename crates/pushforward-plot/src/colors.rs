//! The palette: the two sample colours, the shades of a trajectory plot and the blue–white–red diverging
//! map for correlations.

use plotters::style::RGBColor;

/// The left (usually real) sample.
pub(crate) const LEFT: RGBColor = RGBColor(31, 119, 180);
/// The right (usually synthetic) sample.
pub(crate) const RIGHT: RGBColor = RGBColor(255, 127, 14);
/// Colours of successive series in one chart: the two sample colours first.
pub(crate) const SERIES: [RGBColor; 6] = [
    LEFT,
    RIGHT,
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    NOISE,
    RGBColor(140, 86, 75),
];
/// Reference curves.
pub(crate) const REFERENCE: RGBColor = RGBColor(20, 20, 20);
/// Undefined (NaN) heatmap cells.
pub(crate) const UNDEFINED: RGBColor = RGBColor(170, 170, 170);
/// Light grid lines.
pub(crate) const GRID: RGBColor = RGBColor(225, 225, 225);
/// Reference data drawn underneath a trajectory plot.
pub(crate) const DATA: RGBColor = RGBColor(150, 150, 150);
/// Trajectory lines.
pub(crate) const PATH: RGBColor = RGBColor(60, 60, 60);
/// The noise points trajectories start from.
pub(crate) const NOISE: RGBColor = RGBColor(148, 103, 189);

const NEGATIVE: (f64, f64, f64) = (33.0, 102.0, 172.0);
const MIDDLE: (f64, f64, f64) = (255.0, 255.0, 255.0);
const POSITIVE: (f64, f64, f64) = (178.0, 24.0, 43.0);

/// Diverging colour of `value` on the symmetric range `[-limit, limit]` (clamped); grey for NaN.
pub(crate) fn diverging(value: f64, limit: f64) -> RGBColor {
    if !value.is_finite() || !limit.is_finite() || limit <= 0.0 {
        return UNDEFINED;
    }
    let t = (value / limit).clamp(-1.0, 1.0);
    let end = if t < 0.0 { NEGATIVE } else { POSITIVE };
    let s = t.abs();
    let mix = |a: f64, b: f64| (a + (b - a) * s).round().clamp(0.0, 255.0) as u8;
    RGBColor(mix(MIDDLE.0, end.0), mix(MIDDLE.1, end.1), mix(MIDDLE.2, end.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diverging_ends_and_middle() {
        assert_eq!(diverging(0.0, 1.0), RGBColor(255, 255, 255));
        assert_eq!(diverging(1.0, 1.0), RGBColor(178, 24, 43));
        assert_eq!(diverging(-5.0, 1.0), RGBColor(33, 102, 172));
        assert_eq!(diverging(f64::NAN, 1.0), UNDEFINED);
    }
}
