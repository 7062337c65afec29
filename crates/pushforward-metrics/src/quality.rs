//! SDMetrics' Quality Report: Column Shapes, Column Pair Trends and their
//! mean, by the definitions of the `sdmetrics` package (version 0.32), so a
//! synthetic table scores on SDV's own scale.
//!
//! ```text
//! KSComplement(a, b)          = 1 − sup_x |F_a(x) − F_b(x)|          numeric column, present values
//! TVComplement(p, q)          = 1 − ½ Σ_k |p_k − q_k|                categorical column, present labels
//! CorrelationSimilarity       = 1 − |ρ_real − ρ_synth| / 2           numeric pair, Pearson on complete rows
//! ContingencySimilarity       = 1 − ½ Σ_{a,b} |P_real(a,b) − P_synth(a,b)|   other pairs, missing as a value
//! Cramér's V                  = sqrt(χ² / (n · min(r − 1, c − 1)))   of the real contingency table
//! Column Shapes               = mean over the columns with a score
//! Column Pair Trends          = mean over the pairs that count (below)
//! overall                     = mean of the property scores that are defined
//! ```
//!
//! What SDMetrics does, and this module follows:
//! - Column kinds come from the real table: `float` and `int` are
//!   numerical, `categorical` is categorical (SDMetrics' boolean columns
//!   also take TVComplement, so they are categorical here too).
//! - KSComplement drops missing values and rounds values to 14
//!   decimals first (`x · 10¹⁴`, rounded half to even, `/ 10¹⁴`, as NumPy's
//!   `round`); a side with no value gives no score.
//! - TVComplement drops missing values; a label seen only in the
//!   synthetic column gets a real count of 10⁻⁶ before the real
//!   frequencies are normalised.
//! - In a pair of a numeric and a categorical column, the numeric column is
//!   binned as `np.digitize(x, np.histogram_bin_edges(present x))`: ten
//!   equal bins from its minimum to its maximum (± ½ when constant, [0, 1]
//!   when empty), with edges computed **separately** in the real and the
//!   synthetic table. A value's bin is the number of edges at or below it,
//!   so the maximum lands in bin 11 beside the missing values.
//! - CorrelationSimilarity fails (no score) when either column has a
//!   single distinct present value in either table, or fewer than two
//!   complete rows; ρ of a constant complete-row sample is undefined.
//! - A pair counts towards Column Pair Trends only when the real data show
//!   a trend: `|ρ_real| > 0.5` for CorrelationSimilarity and Cramér's
//!   `V > 0.3` (no continuity correction, missing as a value) for
//!   ContingencySimilarity (`QualityReport`'s default thresholds). Every
//!   pair's score is still reported, with whether it counts.
//!
//! One choice where the two differ: above 50,000 rows SDMetrics computes
//! ContingencySimilarity on an unseeded random subsample of 50,000 rows of
//! each table; here it always uses every row, so the result is exact and
//! reproducible. Date and time columns are numerical when they come as
//! numbers: `pushforward evaluate` hands ISO dates in as seconds, as
//! SDMetrics scores a datetime column.
//!
//! Reference: DataCebo, *SDMetrics* 0.32, `reports/single_table/
//! quality_report.py` and the metrics `KSComplement`, `TVComplement`,
//! `CorrelationSimilarity` and `ContingencySimilarity`.

use crate::compare::is_categorical;
use crate::dependence::pearson;
use crate::report::{PairScore, Quality, ShapeScore};
use crate::univariate::{ks_sorted, sorted};
use pushforward_core::{Column, ColumnData, Table};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// `|ρ_real|` above which a numeric pair counts (SDMetrics' default 0.5).
pub const CORRELATION_THRESHOLD: f64 = 0.5;
/// Cramér's V of the real pair above which a discrete pair counts
/// (SDMetrics' default 0.3).
pub const ASSOCIATION_THRESHOLD: f64 = 0.3;
/// Equal-width bins of a numeric column in a mixed pair (NumPy's default).
pub const BINS: usize = 10;
/// Real count given to a label seen only in the synthetic column.
const TV_REGULARISATION: f64 = 1e-6;
/// Cells up to which a contingency table is counted in a dense array.
const DENSE_CELLS: u64 = 1 << 20;

/// 1 − KS of two samples of present values, after SDMetrics' rounding to
/// 14 decimals; `None` when either is empty. (SDMetrics leaves an integer
/// column unrounded; rounding is monotone and keeps integers below 10⁶
/// exact, so the statistic is the same.)
///
/// ```
/// use pushforward_metrics::quality::ks_complement;
/// assert_eq!(ks_complement(&[1.0, 2.0, 3.0, 4.0], &[2.5]), Some(0.5));
/// // Values apart by less than 10⁻¹⁴ are one value.
/// assert_eq!(ks_complement(&[0.1], &[0.1 + 1e-16]), Some(1.0));
/// assert_eq!(ks_complement(&[], &[1.0]), None);
/// ```
pub fn ks_complement(real: &[f64], synth: &[f64]) -> Option<f64> {
    if real.is_empty() || synth.is_empty() {
        return None;
    }
    let prepare = |v: &[f64]| sorted(&v.iter().map(|&x| round_14(x)).collect::<Vec<_>>());
    Some(1.0 - ks_sorted(&prepare(real), &prepare(synth)))
}

/// NumPy's `round(x, 14)`: scale, round half to even, unscale.
fn round_14(x: f64) -> f64 {
    (x * 1e14).round_ties_even() / 1e14
}

/// 1 − TV of the label frequencies of two columns' present values, with
/// SDMetrics' regularisation of labels seen only in `synth`; `None` when
/// either is empty.
///
/// ```
/// use pushforward_metrics::quality::tv_complement;
/// let score = tv_complement(["a", "a", "b", "b"], ["a", "b", "b", "b"]).unwrap();
/// assert!((score - 0.75).abs() < 1e-15);
/// ```
pub fn tv_complement<'a>(
    real: impl IntoIterator<Item = &'a str>,
    synth: impl IntoIterator<Item = &'a str>,
) -> Option<f64> {
    let count = |values: &mut dyn Iterator<Item = &'a str>| {
        let mut m: BTreeMap<&'a str, f64> = BTreeMap::new();
        for v in values {
            *m.entry(v).or_insert(0.0) += 1.0;
        }
        m
    };
    let (mut r, s) = (count(&mut real.into_iter()), count(&mut synth.into_iter()));
    if r.is_empty() || s.is_empty() {
        return None;
    }
    for label in s.keys() {
        r.entry(label).or_insert(TV_REGULARISATION);
    }
    let (nr, ns): (f64, f64) = (r.values().sum(), s.values().sum());
    let total: f64 = r
        .iter()
        .map(|(label, &c)| (s.get(label).copied().unwrap_or(0.0) / ns - c / nr).abs())
        .sum();
    Some(1.0 - 0.5 * total)
}

/// `1 − |ρ_real − ρ_synth| / 2`.
///
/// ```
/// use pushforward_metrics::quality::correlation_similarity;
/// assert_eq!(correlation_similarity(0.8, -0.2), 0.5);
/// ```
pub fn correlation_similarity(real: f64, synth: f64) -> f64 {
    1.0 - (real - synth).abs() / 2.0
}

/// SDMetrics' bin of each value of a numeric column (`None` = missing):
/// `np.digitize(x, np.histogram_bin_edges(present x))`, ten equal bins,
/// a missing value in bin 11 with the maximum. `None` when the present
/// values are not all finite (NumPy refuses that range).
///
/// ```
/// use pushforward_metrics::quality::histogram_bins;
/// // Edges 1, 1.9, …, 10: 1 → 1, 2 → 2, 10 and missing → 11.
/// let bins = histogram_bins(&[Some(1.0), Some(10.0), None, Some(2.0)]).unwrap();
/// assert_eq!(bins, vec![1, 11, 11, 2]);
/// ```
pub fn histogram_bins(values: &[Option<f64>]) -> Option<Vec<u32>> {
    let present = values.iter().flatten();
    let (mut first, mut last) = present.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
        (lo.min(x), hi.max(x))
    });
    if values.iter().all(Option::is_none) {
        (first, last) = (0.0, 1.0);
    } else if !(first.is_finite() && last.is_finite()) {
        return None;
    }
    if first == last {
        (first, last) = (first - 0.5, last + 0.5);
    }
    // np.linspace(first, last, BINS + 1): i · step + first, the last edge exact.
    let step = (last - first) / BINS as f64;
    let mut edges: Vec<f64> = (0..BINS).map(|i| i as f64 * step + first).collect();
    edges.push(last);
    let outside = edges.len() as u32;
    Some(
        values
            .iter()
            .map(|v| v.map_or(outside, |x| edges.partition_point(|&e| e <= x) as u32))
            .collect(),
    )
}

/// A column as discrete codes `0..cardinality` for contingency tables.
#[derive(Debug, Clone)]
struct Discrete {
    codes: Vec<u32>,
    cardinality: u32,
}

/// The result of one contingency comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contingency {
    /// `1 − ½ Σ |P_real − P_synth|` over the cells of either table.
    pub score: f64,
    /// Cramér's V of the real table; `None` when it has fewer than two
    /// rows or columns.
    pub real_association: Option<f64>,
}

/// ContingencySimilarity of two discrete pairs given as codes (`real_a`,
/// `real_b` of equal length; `synth_a`, `synth_b` likewise), with Cramér's
/// V of the real table.
///
/// ```
/// use pushforward_metrics::quality::contingency_similarity;
/// let c = contingency_similarity((&[0, 0, 1, 1], &[0, 0, 1, 1]), (&[0, 1], &[0, 1]));
/// assert_eq!(c.score, 1.0);
/// assert!((c.real_association.unwrap() - 1.0).abs() < 1e-15);
/// ```
pub fn contingency_similarity(real: (&[u32], &[u32]), synth: (&[u32], &[u32])) -> Contingency {
    let card = |v: &[u32]| v.iter().max().map_or(0, |&m| m + 1);
    let discrete = |v: &[u32]| Discrete {
        codes: v.to_vec(),
        cardinality: card(v),
    };
    contingency(
        (&discrete(real.0), &discrete(real.1)),
        (&discrete(synth.0), &discrete(synth.1)),
    )
}

fn contingency(real: (&Discrete, &Discrete), synth: (&Discrete, &Discrete)) -> Contingency {
    let width = u64::from(real.1.cardinality.max(synth.1.cardinality)).max(1);
    let height = u64::from(real.0.cardinality.max(synth.0.cardinality)).max(1);
    let r = cells(real.0, real.1, width, height);
    let s = cells(synth.0, synth.1, width, height);
    let (nr, ns) = (real.0.codes.len() as f64, synth.0.codes.len() as f64);
    // Merge the two sorted cell lists.
    let (mut i, mut j, mut total) = (0, 0, 0.0);
    while i < r.len() || j < s.len() {
        let (kr, ks) = (r.get(i).map(|c| c.0), s.get(j).map(|c| c.0));
        let (p, q) = match (kr, ks) {
            (Some(a), Some(b)) if a == b => {
                i += 1;
                j += 1;
                (r[i - 1].1, s[j - 1].1)
            }
            (Some(a), Some(b)) if a < b => {
                i += 1;
                (r[i - 1].1, 0)
            }
            (Some(_), None) => {
                i += 1;
                (r[i - 1].1, 0)
            }
            _ => {
                j += 1;
                (0, s[j - 1].1)
            }
        };
        total += (f64::from(p) / nr - f64::from(q) / ns).abs();
    }
    Contingency {
        score: 1.0 - total / 2.0,
        real_association: cramers_v(&r, width),
    }
}

/// The non-empty cells `(a · width + b, count)` of a pair, sorted by key.
fn cells(a: &Discrete, b: &Discrete, width: u64, height: u64) -> Vec<(u64, u32)> {
    let key = |i: usize| u64::from(a.codes[i]) * width + u64::from(b.codes[i]);
    if width * height <= DENSE_CELLS {
        let mut counts = vec![0u32; (width * height) as usize];
        for i in 0..a.codes.len() {
            counts[key(i) as usize] += 1;
        }
        (0u64..).zip(counts).filter(|&(_, c)| c > 0).collect()
    } else {
        let mut counts: HashMap<u64, u32> = HashMap::new();
        for i in 0..a.codes.len() {
            *counts.entry(key(i)).or_insert(0) += 1;
        }
        let mut v: Vec<(u64, u32)> = counts.into_iter().collect();
        v.sort_unstable();
        v
    }
}

/// Cramér's V of a contingency table given by its non-empty cells, over
/// the rows and columns that occur (SciPy's `association(method="cramer")`
/// without continuity correction): `χ² = Σ o² / e − n`, `e = r_a c_b / n`.
fn cramers_v(cells: &[(u64, u32)], width: u64) -> Option<f64> {
    let mut rows: BTreeMap<u64, f64> = BTreeMap::new();
    let mut cols: BTreeMap<u64, f64> = BTreeMap::new();
    for &(k, c) in cells {
        *rows.entry(k / width).or_insert(0.0) += f64::from(c);
        *cols.entry(k % width).or_insert(0.0) += f64::from(c);
    }
    let k = rows.len().min(cols.len());
    if k < 2 {
        return None;
    }
    let n: f64 = rows.values().sum();
    let chi2: f64 = cells
        .iter()
        .map(|&(key, c)| {
            let o = f64::from(c);
            o * o * n / (rows[&(key / width)] * cols[&(key % width)])
        })
        .sum::<f64>()
        - n;
    Some((chi2.max(0.0) / n / (k - 1) as f64).sqrt())
}

/// One column of each table, prepared once for every pair it joins.
struct Prepared<'a> {
    real: &'a Column,
    synth: &'a Column,
    /// Discrete codes (labels, or SDMetrics' bins for a numeric column);
    /// `None` when the bins cannot be computed.
    discrete: Option<(Discrete, Discrete)>,
    /// A numeric column with a single distinct present value in either
    /// table (CorrelationSimilarity refuses it).
    constant: bool,
}

fn prepare<'a>(real: &'a Column, synth: &'a Column) -> Prepared<'a> {
    if is_categorical(real) {
        let labels = label_ids(real, synth);
        let missing = labels.len() as u32;
        let codes = |c: &Column| Discrete {
            codes: (0..c.data.len())
                .map(|i| label(c, i).map_or(missing, |l| labels[l]))
                .collect(),
            cardinality: missing + 1,
        };
        return Prepared {
            real,
            synth,
            discrete: Some((codes(real), codes(synth))),
            constant: false,
        };
    }
    let optional = |c: &Column| -> Vec<Option<f64>> {
        (0..c.data.len())
            .map(|i| (!c.is_missing(i)).then(|| c.data.value_f64(i)))
            .collect()
    };
    let binned = |c: &Column| {
        histogram_bins(&optional(c)).map(|codes| Discrete {
            codes,
            cardinality: BINS as u32 + 2,
        })
    };
    let single_value = |c: &Column| {
        let v = sorted(&c.present_f64());
        v.first().is_some_and(|f| v.last() == Some(f))
    };
    Prepared {
        real,
        synth,
        discrete: binned(real).zip(binned(synth)),
        constant: single_value(real) || single_value(synth),
    }
}

/// The label of row `i` of a categorical column, `None` when missing.
fn label(c: &Column, i: usize) -> Option<&str> {
    match &c.data {
        ColumnData::Categorical { codes, levels } if !c.is_missing(i) => {
            Some(levels[codes[i] as usize].as_str())
        }
        _ => None,
    }
}

/// The labels of the rows that are present, row by row.
fn row_labels(c: &Column) -> impl Iterator<Item = &str> {
    (0..c.data.len()).filter_map(move |i| label(c, i))
}

/// One id per label of either column, in label order.
fn label_ids<'a>(real: &'a Column, synth: &'a Column) -> BTreeMap<&'a str, u32> {
    let mut ids: BTreeMap<&str, u32> = BTreeMap::new();
    for l in row_labels(real).chain(row_labels(synth)) {
        ids.entry(l).or_insert(0);
    }
    for (k, id) in (0u32..).zip(ids.values_mut()) {
        *id = k;
    }
    ids
}

/// Column Shapes score of one column.
fn shape(p: &Prepared<'_>) -> ShapeScore {
    let (metric, score) = if is_categorical(p.real) {
        (
            "TVComplement",
            tv_complement(row_labels(p.real), row_labels(p.synth)),
        )
    } else {
        (
            "KSComplement",
            ks_complement(&p.real.present_f64(), &p.synth.present_f64()),
        )
    };
    ShapeScore {
        column: p.real.name.clone(),
        metric,
        score,
    }
}

/// Column Pair Trends score of one pair.
fn pair(a: &Prepared<'_>, b: &Prepared<'_>) -> PairScore {
    let mut out = PairScore {
        column_1: a.real.name.clone(),
        column_2: b.real.name.clone(),
        metric: "ContingencySimilarity",
        score: None,
        real_correlation: None,
        synthetic_correlation: None,
        real_association: None,
        contributes: false,
    };
    if !is_categorical(a.real) && !is_categorical(b.real) {
        out.metric = "CorrelationSimilarity";
        if a.constant || b.constant {
            return out;
        }
        let rho = |x: &Column, y: &Column| {
            let (u, v): (Vec<f64>, Vec<f64>) = (0..x.data.len())
                .filter(|&i| !x.is_missing(i) && !y.is_missing(i))
                .map(|i| (x.data.value_f64(i), y.data.value_f64(i)))
                .unzip();
            (u.len() >= 2).then(|| pearson(&[u, v])[1])
        };
        let (Some(real), Some(synth)) = (rho(a.real, b.real), rho(a.synth, b.synth)) else {
            return out;
        };
        out.real_correlation = real.is_finite().then_some(real);
        out.synthetic_correlation = synth.is_finite().then_some(synth);
        if let (Some(r), Some(s)) = (out.real_correlation, out.synthetic_correlation) {
            out.score = Some(correlation_similarity(r, s));
            out.contributes = r.abs() > CORRELATION_THRESHOLD;
        }
        return out;
    }
    let (Some((ra, sa)), Some((rb, sb))) = (&a.discrete, &b.discrete) else {
        return out;
    };
    let c = contingency((ra, rb), (sa, sb));
    out.score = Some(c.score);
    out.real_association = c.real_association;
    out.contributes = c.real_association.is_some_and(|v| v > ASSOCIATION_THRESHOLD);
    out
}

/// Mean of the defined values, `None` when there is none.
fn mean(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let v: Vec<f64> = values.flatten().collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// SDMetrics' Quality Report of `synth` against `real`; both must have the
/// same columns with the same kinds (as [`crate::compare`] checks).
pub fn quality(real: &Table, synth: &Table) -> Quality {
    let prepared: Vec<Prepared<'_>> = real
        .columns()
        .par_iter()
        .filter_map(|r| synth.column(&r.name).map(|s| prepare(r, s)))
        .collect();
    let columns: Vec<ShapeScore> = prepared.par_iter().map(shape).collect();
    let index: Vec<(usize, usize)> = (0..prepared.len())
        .flat_map(|i| (i + 1..prepared.len()).map(move |j| (i, j)))
        .collect();
    let pairs: Vec<PairScore> = index
        .par_iter()
        .map(|&(i, j)| pair(&prepared[i], &prepared[j]))
        .collect();
    let column_shapes = mean(columns.iter().map(|c| c.score));
    let column_pair_trends = mean(pairs.iter().filter(|p| p.contributes).map(|p| p.score));
    Quality {
        score: mean([column_shapes, column_pair_trends].into_iter()),
        column_shapes,
        column_pair_trends,
        correlation_threshold: Some(CORRELATION_THRESHOLD),
        association_threshold: Some(ASSOCIATION_THRESHOLD),
        columns,
        pairs,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use std::sync::Arc;

    fn cat(name: &str, labels: &[&str]) -> Column {
        let levels: Vec<String> = ["a", "b", "c"].iter().map(|s| (*s).to_owned()).collect();
        let codes = labels
            .iter()
            .map(|l| levels.iter().position(|x| x == l).unwrap_or(0) as u32)
            .collect();
        let mask = labels.iter().map(|l| *l == "-").collect();
        Column::categorical(name, codes, Arc::from(levels)).with_missing(mask)
    }

    fn float(name: &str, values: &[f64]) -> Column {
        let mask = values.iter().map(|v| v.is_nan()).collect();
        Column::float(
            name,
            values.iter().map(|v| if v.is_nan() { 0.0 } else { *v }).collect(),
        )
        .with_missing(mask)
    }

    #[test]
    fn ks_complement_by_hand() {
        // CDF gaps at 1, 2, 3, 4: 1/3, 2/3 − 1/4, 1 − 1/2, 1 − 3/4; the largest is 1/2.
        assert_eq!(ks_complement(&[1.0, 2.0, 3.0], &[2.0, 3.0, 4.0, 5.0]), Some(0.5));
        assert_eq!(ks_complement(&[3.0, 1.0], &[1.0, 3.0]), Some(1.0));
    }

    #[test]
    fn tv_complement_by_hand_with_regularisation() {
        // p = (1/2, 1/4, 1/4), q = (1/4, 3/4, 0): TV = ½ (1/4 + 1/2 + 1/4) = 1/2.
        let s = tv_complement(["a", "a", "b", "c"], ["a", "b", "b", "b"]).unwrap();
        assert!((s - 0.5).abs() < 1e-15);
        // A synthetic-only label z: real counts {a: 1, z: 1e-6}, so
        // TV = ½ ((1/1.000001 − ½) + (½ − 1e-6/1.000001)).
        let s = tv_complement(["a"], ["a", "z"]).unwrap();
        let want = 1.0 - 0.5 * (1.0 - 1e-6) / (1.0 + 1e-6);
        assert!((s - want).abs() < 1e-15, "{s} vs {want}");
        assert_eq!(tv_complement([], ["a"]), None);
    }

    #[test]
    fn correlation_similarity_by_hand() {
        // Real ρ = 1; synthetic centred x (−1.5, −.5, .5, 1.5), y (−1.5, .5, −.5, 1.5):
        // ρ = 4 / 5 = 0.8, so the score is 1 − 0.2 / 2 = 0.9.
        let real = Table::new(vec![
            float("x", &[1.0, 2.0, 3.0, 4.0]),
            float("y", &[2.0, 4.0, 6.0, 8.0]),
        ])
        .unwrap();
        let synth = Table::new(vec![
            float("x", &[1.0, 2.0, 3.0, 4.0, f64::NAN]),
            float("y", &[1.0, 3.0, 2.0, 4.0, 9.0]),
        ])
        .unwrap();
        let q = quality(&real, &synth);
        let p = &q.pairs[0];
        assert_eq!(p.metric, "CorrelationSimilarity");
        assert!((p.score.unwrap() - 0.9).abs() < 1e-12);
        assert!((p.synthetic_correlation.unwrap() - 0.8).abs() < 1e-12);
        assert!(p.contributes);
        assert!((q.column_pair_trends.unwrap() - 0.9).abs() < 1e-12);
        // A weak real correlation is scored but does not count.
        assert_eq!(correlation_similarity(0.3, 0.1), 0.9);
        let weak = Table::new(vec![
            float("x", &[1.0, 2.0, 3.0, 4.0]),
            float("y", &[1.0, -1.0, -1.0, 1.0]),
        ])
        .unwrap();
        let q = quality(&weak, &synth);
        assert!(!q.pairs[0].contributes && q.pairs[0].score.is_some());
        assert_eq!(q.column_pair_trends, None);
    }

    #[test]
    fn contingency_similarity_with_binning_by_hand() {
        // Real x bins on edges 0, 1, …, 10: 0 → 1, 1 → 2, 5 → 6, 10 → 11.
        // Synthetic x bins on its own edges 0, 2, …, 20: 0 → 1, 10 → 6,
        // 20 → 11, missing → 11.
        let real = Table::new(vec![
            float("x", &[0.0, 1.0, 5.0, 10.0]),
            cat("c", &["a", "a", "b", "b"]),
        ])
        .unwrap();
        let synth = Table::new(vec![
            float("x", &[0.0, 10.0, 20.0, f64::NAN]),
            cat("c", &["a", "b", "b", "b"]),
        ])
        .unwrap();
        assert_eq!(
            histogram_bins(&[Some(0.0), Some(10.0), Some(20.0), None]).unwrap(),
            vec![1, 6, 11, 11]
        );
        let q = quality(&real, &synth);
        let p = &q.pairs[0];
        // Cells (1,a) ¼ vs ¼, (2,a) ¼ vs 0, (6,b) ¼ vs ¼, (11,b) ¼ vs ½:
        // ½ (¼ + ¼) = ¼, score ¾. Each real bin holds one label: V = 1.
        assert_eq!(p.metric, "ContingencySimilarity");
        assert!((p.score.unwrap() - 0.75).abs() < 1e-15);
        assert!((p.real_association.unwrap() - 1.0).abs() < 1e-12);
        assert!(p.contributes);
        // Shapes: KS of x is 5/12 (at 5: ¾ vs ⅓), TV of c is ¼.
        assert!((q.columns[0].score.unwrap() - 7.0 / 12.0).abs() < 1e-15);
        assert!((q.columns[1].score.unwrap() - 0.75).abs() < 1e-15);
        let shapes = (7.0 / 12.0 + 0.75) / 2.0;
        assert!((q.column_shapes.unwrap() - shapes).abs() < 1e-15);
        assert!((q.score.unwrap() - (shapes + 0.75) / 2.0).abs() < 1e-15);
    }

    #[test]
    fn missing_labels_are_a_value_and_constant_columns_have_no_correlation() {
        // Missing pairs with b in the real table and with a in the synthetic one.
        let real = Table::new(vec![cat("c", &["a", "-", "a"]), cat("d", &["a", "b", "a"])]).unwrap();
        let synth = Table::new(vec![cat("c", &["a", "-", "a"]), cat("d", &["a", "a", "a"])]).unwrap();
        let p = &quality(&real, &synth).pairs[0];
        assert!((p.score.unwrap() - 2.0 / 3.0).abs() < 1e-15);
        let constant = Table::new(vec![float("x", &[1.0, 1.0, 1.0]), float("y", &[1.0, 2.0, 3.0])]).unwrap();
        let other = Table::new(vec![float("x", &[1.0, 2.0, 3.0]), float("y", &[1.0, 2.0, 3.0])]).unwrap();
        let q = quality(&other, &constant);
        assert_eq!(q.pairs[0].score, None);
        assert_eq!(q.column_pair_trends, None);
        assert_eq!(q.score, q.column_shapes);
    }
}
