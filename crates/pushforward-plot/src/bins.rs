//! Robust axis ranges and histogram bins shared by the marginal plots, the scatter matrix and the
//! trajectory plot.
//!
//! Ranges span the pooled 0.5%..99.5% quantiles so one heavy tail does not squash the plot; a
//! degenerate range (a constant column) is widened around its value. Bin counts follow the
//! Freedman–Diaconis rule on the pooled sample (width `2·IQR·n^(-1/3)`), clamped to a fixed interval.

/// Values beyond this magnitude are treated like NaN: they would overflow range arithmetic.
const MAX_MAGNITUDE: f64 = 1e300;

/// Lower quantile of the displayed range.
const LOW_QUANTILE: f64 = 0.005;
/// Upper quantile of the displayed range.
const HIGH_QUANTILE: f64 = 0.995;
/// Margin of a scatter axis beyond its displayed range, as a fraction of the range's width.
const SCATTER_MARGIN: f64 = 0.04;

/// Whether `x` can be plotted.
pub(crate) fn plottable(x: f64) -> bool {
    x.is_finite() && x.abs() <= MAX_MAGNITUDE
}

/// The plottable values of all `samples`, sorted.
pub(crate) fn pooled_sorted<'a>(samples: impl IntoIterator<Item = &'a [f64]>) -> Vec<f64> {
    let mut values: Vec<f64> = samples
        .into_iter()
        .flat_map(|s| s.iter().copied())
        .filter(|&x| plottable(x))
        .collect();
    values.sort_unstable_by(f64::total_cmp);
    values
}

/// Linear-interpolation quantile (type 7) of sorted, non-empty `sorted`.
pub(crate) fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let pos = q.clamp(0.0, 1.0) * last as f64;
    let below = (pos.floor() as usize).min(last);
    let above = (below + 1).min(last);
    let frac = pos - below as f64;
    Some(sorted[below] + (sorted[above] - sorted[below]) * frac)
}

/// The displayed range of sorted plottable values: their 0.5%..99.5% quantiles, widened when degenerate.
/// `None` when there are no values.
pub(crate) fn display_range(sorted: &[f64]) -> Option<(f64, f64)> {
    let lo = quantile(sorted, LOW_QUANTILE)?;
    let hi = quantile(sorted, HIGH_QUANTILE)?;
    Some(widen(lo, hi))
}

/// `(lo, hi)` with a usable, non-degenerate width: a small range around the value when `lo == hi`.
pub(crate) fn widen(lo: f64, hi: f64) -> (f64, f64) {
    let scale = lo.abs().max(hi.abs());
    if hi - lo > scale * 1e-9 {
        (lo, hi)
    } else {
        let mid = lo + (hi - lo) / 2.0;
        let pad = (mid.abs() * 0.05).max(0.5);
        (mid - pad, mid + pad)
    }
}

/// `(lo, hi)` padded by `fraction` of its width on both sides.
pub(crate) fn pad(lo: f64, hi: f64, fraction: f64) -> (f64, f64) {
    let margin = (hi - lo) * fraction;
    (lo - margin, hi + margin)
}

/// A scatter axis over sorted plottable values: their display range with a margin of [`SCATTER_MARGIN`]
/// of its width on both sides, or a unit range around zero when there are no values.
pub(crate) fn scatter_axis(sorted: &[f64]) -> (f64, f64) {
    let (lo, hi) = display_range(sorted).unwrap_or_else(|| widen(0.0, 0.0));
    pad(lo, hi, SCATTER_MARGIN)
}

/// Freedman–Diaconis bin count for `[lo, hi]` from sorted pooled values, clamped to `min..=max`.
/// Falls back to the square-root rule when the interquartile range is zero. A constant sample gets an odd
/// count, so its value (centred by [`widen`]) falls inside the middle bin rather than on an edge.
pub(crate) fn bin_count(sorted: &[f64], lo: f64, hi: f64, min: usize, max: usize) -> usize {
    if sorted.first() == sorted.last() {
        return (min | 1).min(max.max(1));
    }
    let n = sorted.len().max(1) as f64;
    let iqr = match (quantile(sorted, 0.25), quantile(sorted, 0.75)) {
        (Some(q1), Some(q3)) => q3 - q1,
        _ => 0.0,
    };
    let width = 2.0 * iqr / n.cbrt();
    let count = if width > 0.0 && width.is_finite() {
        ((hi - lo) / width).ceil()
    } else {
        n.sqrt().ceil()
    };
    // `as usize` saturates (and maps NaN to 0), so a wild count is clamped rather than a panic.
    (count as usize).clamp(min, max)
}

/// Density-scale histogram of `values` on `bins` equal bins over `[lo, hi]`.
///
/// Values outside the range are not drawn but still count in the total, so the bars estimate the
/// sample's density and compare directly with a reference pdf.
pub(crate) fn density_histogram(values: &[f64], lo: f64, hi: f64, bins: usize) -> Vec<f64> {
    let mut counts = vec![0usize; bins];
    let width = (hi - lo) / bins as f64;
    let mut total = 0usize;
    for &v in values.iter().filter(|&&v| plottable(v)) {
        total += 1;
        if v < lo || v > hi || bins == 0 {
            continue;
        }
        let index = (((v - lo) / width) as usize).min(bins - 1);
        counts[index] += 1;
    }
    let scale = if total > 0 && width > 0.0 {
        1.0 / (total as f64 * width)
    } else {
        0.0
    };
    counts.into_iter().map(|c| c as f64 * scale).collect()
}

/// At most `max` row indices out of `n`, evenly spaced and deterministic; all rows when `n <= max`.
pub(crate) fn evenly_spaced(n: usize, max: usize) -> impl Iterator<Item = usize> {
    let take = n.min(max);
    (0..take).map(move |i| (i as u128 * n as u128 / take as u128) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        let v = [0.0, 1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.5), Some(2.0));
        assert_eq!(quantile(&v, 0.125), Some(0.5));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn constant_range_is_widened() {
        let (lo, hi) = widen(3.0, 3.0);
        assert!(lo < 3.0 && hi > 3.0);
        let (lo, hi) = widen(0.0, 0.0);
        assert_eq!((lo, hi), (-0.5, 0.5));
    }

    #[test]
    fn heavy_tail_does_not_set_the_range() {
        let mut v: Vec<f64> = (0..1000).map(f64::from).collect();
        v.push(1e12);
        let sorted = pooled_sorted([v.as_slice()]);
        let (_, hi) = display_range(&sorted).unwrap_or((0.0, 0.0));
        assert!(hi < 1000.0);
    }

    #[test]
    fn histogram_integrates_to_one_inside_range() {
        let v: Vec<f64> = (0..100).map(|i| f64::from(i) / 100.0).collect();
        let h = density_histogram(&v, 0.0, 1.0, 10);
        let area: f64 = h.iter().map(|d| d * 0.1).sum();
        assert!((area - 1.0).abs() < 1e-12);
    }

    #[test]
    fn bin_count_is_clamped() {
        let v: Vec<f64> = (0..100_000).map(f64::from).collect();
        assert_eq!(bin_count(&v, 0.0, 1e5, 10, 80), 47);
        assert_eq!(bin_count(&v, 0.0, 1e7, 10, 80), 80);
        assert_eq!(bin_count(&[1.0, 1.0], 0.5, 1.5, 10, 80), 11);
        assert_eq!(bin_count(&[0.0, 1.0, 1.0, 1.0, 2.0], 0.0, 2.0, 10, 80), 10);
    }

    #[test]
    fn evenly_spaced_rows() {
        let rows: Vec<usize> = evenly_spaced(10, 4).collect();
        assert_eq!(rows, vec![0, 2, 5, 7]);
        assert_eq!(evenly_spaced(3, 2000).count(), 3);
        assert_eq!(evenly_spaced(0, 5).count(), 0);
    }
}
