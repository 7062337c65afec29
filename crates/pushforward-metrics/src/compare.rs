//! The synthetic sample against a real one: every metric group, with notes
//! on what each number was computed on.
//!
//! Flow: check that both tables have the same columns of the same kinds;
//! per-column metrics on each column's present values; correlation
//! matrices over the numeric columns' complete rows; the joint metrics and
//! privacy distances in the joint space of [`crate::encode`], each on a
//! seeded subsample when a sample is larger than its cap.

use crate::c2st::c2st;
use crate::copies::exact_copies;
use crate::dependence::{kendall, pearson, spearman};
use crate::encode::{Feature, JointSpace, present_labels};
use crate::error::MetricsError;
use crate::mmd::mmd;
use crate::options::{EvaluateOptions, Metric};
use crate::ot::{exact_wasserstein, sinkhorn_divergence, sliced_wasserstein2};
use crate::points::{Points, subsample_positions};
use crate::prdc::{expected_coverage, prdc};
use crate::privacy::closeness;
use crate::quality::quality;
use crate::report::{
    ColumnReport, Dependence, Joint, NamedColumns, Privacy, Reference, Report, matrix_pair, to_matrix,
};
use crate::univariate::{ks_sorted, mean_std, quantile_sorted, sorted, total_variation, wasserstein1_sorted};
use pushforward_core::seed::{Purpose, stream};
use pushforward_core::{Column, ColumnData, Table};
use rand::seq::SliceRandom;
use std::collections::BTreeMap;

/// Quantile levels of the per-column quantiles.
pub const QUANTILE_LEVELS: [f64; 9] = [0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999];

/// Compares `synth` with `real`. `holdout`, when given, is real data the
/// generator never saw, for the privacy metrics; otherwise a seeded share
/// of `real` is held out. `stage` is called with the name of each metric
/// group as it starts and returns whether to go on: `false` (an interrupt)
/// ends the comparison with [`MetricsError::Cancelled`].
pub fn compare(
    real: &Table,
    synth: &Table,
    holdout: Option<&Table>,
    options: &EvaluateOptions,
    stage: &(dyn Fn(&str) -> bool + Sync),
) -> Result<Report, MetricsError> {
    for (t, which) in [
        (Some(real), "real"),
        (Some(synth), "synthetic"),
        (holdout, "holdout"),
    ] {
        if t.is_some_and(|t| t.rows() == 0) {
            return Err(MetricsError::Empty { which });
        }
    }
    check_tables(real, synth, "synthetic")?;
    if let Some(h) = holdout {
        check_tables(real, h, "holdout")?;
    }
    let mut notes = Vec::new();
    let mut report = Report::new(Reference::Real, options.seed, Some(real.rows()), synth.rows());
    if options.wants(Metric::Columns) {
        enter(stage, "columns")?;
        report.columns = NamedColumns(
            real.columns()
                .iter()
                .filter_map(|r| {
                    synth
                        .column(&r.name)
                        .map(|s| (r.name.clone(), column_report(r, s)))
                })
                .collect(),
        );
    } else {
        notes.push("per-column metrics not requested".to_owned());
    }
    if options.wants(Metric::Dependence) {
        enter(stage, "dependence")?;
        report.dependence = dependence(real, synth, &mut notes);
    } else {
        notes.push("dependence metrics not requested".to_owned());
    }
    if options.wants(Metric::Quality) {
        enter(stage, "quality")?;
        report.quality = quality(real, synth);
        quality_notes(&report.quality, &mut notes);
    } else {
        notes.push("SDMetrics quality scores not requested".to_owned());
    }
    if !JOINT.iter().any(|&m| options.wants(m)) {
        // Nothing needs the joint space: no encoding (a table's one-hot
        // encoding can be many times its size).
        not_requested(options, &mut notes);
        notes.push("privacy metrics not requested".to_owned());
        report.notes = notes;
        return Ok(report);
    }
    let space = JointSpace::fit(real, synth);
    for (name, why) in &space.skipped {
        notes.push(format!(
            "column '{name}' left out of the joint and privacy metrics: {why}"
        ));
    }
    if space.features.is_empty() {
        notes.push("no column is usable in the joint space: joint and privacy metrics are null".to_owned());
    } else {
        notes.push(
            "joint and privacy metrics: numeric columns standardised by the real sample's mean and population \
             standard deviation; categorical columns one-hot encoded, each indicator times 1/sqrt(2)"
                .to_owned(),
        );
        let (x, dropped_real) = space.encode(real)?;
        let (y, dropped_synth) = space.encode(synth)?;
        if dropped_real + dropped_synth > 0 {
            notes.push(format!(
                "joint and privacy metrics leave out rows with a missing value: {dropped_real} real, \
                 {dropped_synth} synthetic"
            ));
        }
        report.joint = joint(&space, &x, &y, options, stage, &mut notes)?;
        if options.wants(Metric::Privacy) {
            enter(stage, "privacy")?;
            let held = holdout.map(|h| space.encode(h)).transpose()?.map(|(p, _)| p);
            (report.privacy, report.settings.rows_holdout) =
                privacy(real, synth, &x, &y, held, options, &mut notes)?;
        } else {
            notes.push("privacy metrics not requested".to_owned());
        }
    }
    report.notes = notes;
    Ok(report)
}

/// Both tables have the same column names and kinds; `which` names the
/// other table in the error.
fn check_tables(real: &Table, other: &Table, which: &'static str) -> Result<(), MetricsError> {
    let names = |t: &Table| t.columns().iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    let (a, b) = (names(real), names(other));
    let only_real: Vec<String> = a.iter().filter(|n| !b.contains(n)).cloned().collect();
    let only_other: Vec<String> = b.iter().filter(|n| !a.contains(n)).cloned().collect();
    if !only_real.is_empty() || !only_other.is_empty() {
        return Err(MetricsError::ColumnsDiffer {
            other: which,
            only_real,
            only_other,
        });
    }
    for r in real.columns() {
        if let Some(s) = other.column(&r.name)
            && is_categorical(r) != is_categorical(s)
        {
            return Err(MetricsError::KindMismatch { name: r.name.clone() });
        }
    }
    Ok(())
}

pub(crate) fn is_categorical(c: &Column) -> bool {
    matches!(c.data, ColumnData::Categorical { .. })
}

pub(crate) fn kind_name(c: &Column) -> &'static str {
    match c.data {
        ColumnData::Float(_) => "float",
        ColumnData::Int(_) => "int",
        ColumnData::Categorical { .. } => "categorical",
    }
}

/// Per-column metrics of one column against its real counterpart.
fn column_report(real: &Column, synth: &Column) -> ColumnReport {
    let mut r = ColumnReport {
        kind: kind_name(real),
        missing_real: Some(real.missing_count()),
        missing_synth: synth.missing_count(),
        ..ColumnReport::default()
    };
    if is_categorical(real) {
        let (p, q, labels) = frequencies(real, synth);
        r.tv = Some(total_variation(&p, &q));
        let only = |a: &[f64], b: &[f64]| -> Vec<String> {
            labels
                .iter()
                .zip(a.iter().zip(b))
                .filter(|(_, (x, y))| **x > 0.0 && **y == 0.0)
                .map(|(l, _)| l.clone())
                .collect()
        };
        r.only_real = Some(only(&p, &q));
        r.only_synth = Some(only(&q, &p));
        return r;
    }
    let (a, b) = (sorted(&real.present_f64()), sorted(&synth.present_f64()));
    if a.is_empty() || b.is_empty() {
        return r;
    }
    let (mr, sr) = mean_std(&a);
    let (ms, ss) = mean_std(&b);
    let w1 = wasserstein1_sorted(&a, &b);
    r.ks = Some(ks_sorted(&a, &b));
    r.w1 = Some(w1);
    r.w1_std = (sr > 0.0).then_some(w1 / sr);
    (r.mean_real, r.std_real, r.mean_synth, r.std_synth) = (Some(mr), Some(sr), Some(ms), Some(ss));
    r.std_ratio = (sr > 0.0).then_some(ss / sr);
    r.quantiles_real = Some(QUANTILE_LEVELS.iter().map(|&p| quantile_sorted(&a, p)).collect());
    r.quantiles_synth = Some(QUANTILE_LEVELS.iter().map(|&p| quantile_sorted(&b, p)).collect());
    r
}

/// Frequencies of two categorical columns over the union of their labels.
fn frequencies(a: &Column, b: &Column) -> (Vec<f64>, Vec<f64>, Vec<String>) {
    let count = |c: &Column| -> BTreeMap<String, f64> {
        let mut m = BTreeMap::new();
        if let ColumnData::Categorical { codes, levels } = &c.data {
            for (i, &k) in codes.iter().enumerate() {
                if !c.is_missing(i) {
                    *m.entry(levels[k as usize].clone()).or_insert(0.0) += 1.0;
                }
            }
        }
        let total: f64 = m.values().sum();
        m.values_mut().for_each(|v| *v /= total);
        m
    };
    let (ca, cb) = (count(a), count(b));
    let labels: Vec<String> = present_labels(a)
        .chain(present_labels(b))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let p = labels.iter().map(|l| ca.get(l).copied().unwrap_or(0.0)).collect();
    let q = labels.iter().map(|l| cb.get(l).copied().unwrap_or(0.0)).collect();
    (p, q, labels)
}

/// The numeric columns' values over the rows where all are present.
pub(crate) fn complete_numeric(t: &Table, names: &[String]) -> (Vec<Vec<f64>>, usize) {
    let cols: Vec<&Column> = names.iter().filter_map(|n| t.column(n)).collect();
    let keep: Vec<usize> = (0..t.rows())
        .filter(|&i| cols.iter().all(|c| !c.is_missing(i)))
        .collect();
    (
        cols.iter()
            .map(|c| keep.iter().map(|&i| c.data.value_f64(i)).collect())
            .collect(),
        t.rows() - keep.len(),
    )
}

fn dependence(real: &Table, synth: &Table, notes: &mut Vec<String>) -> Dependence {
    let names: Vec<String> = real
        .columns()
        .iter()
        .filter(|c| !is_categorical(c))
        .map(|c| c.name.clone())
        .collect();
    let mut out = Dependence {
        columns: names.clone(),
        ..Dependence::default()
    };
    if names.len() < 2 {
        notes.push("dependence metrics need two numeric columns: null".to_owned());
        return out;
    }
    let (a, dropped_a) = complete_numeric(real, &names);
    let (b, dropped_b) = complete_numeric(synth, &names);
    if dropped_a + dropped_b > 0 {
        notes.push(format!(
            "correlations use rows with every numeric column present: left out {dropped_a} real, {dropped_b} synthetic"
        ));
    }
    if a[0].len() < 2 || b[0].len() < 2 {
        notes.push("dependence metrics need two complete rows in each sample: null".to_owned());
        return out;
    }
    let d = names.len();
    let both = |f: fn(&[Vec<f64>]) -> Vec<f64>| matrix_pair(&f(&a), &f(&b), d);
    (
        out.pearson_max_abs_err,
        out.pearson_mean_abs_err,
        out.pearson_ref,
        out.pearson_synth,
    ) = both(pearson);
    (
        out.spearman_max_abs_err,
        out.spearman_mean_abs_err,
        out.spearman_ref,
        out.spearman_synth,
    ) = both(spearman);
    (
        out.kendall_max_abs_err,
        out.kendall_mean_abs_err,
        out.kendall_ref,
        out.kendall_synth,
    ) = both(kendall);
    if to_matrix(&pearson(&a), d).iter().flatten().any(Option::is_none)
        || to_matrix(&pearson(&b), d).iter().flatten().any(Option::is_none)
    {
        notes.push(
            "correlations with a constant column are undefined (null) and left out of the errors".to_owned(),
        );
    }
    out
}

/// Says which quality scores are undefined and which pairs do not count.
fn quality_notes(q: &crate::report::Quality, notes: &mut Vec<String>) {
    let undefined: Vec<String> = q
        .columns
        .iter()
        .filter(|c| c.score.is_none())
        .map(|c| format!("'{}'", c.column))
        .chain(
            q.pairs
                .iter()
                .filter(|p| p.score.is_none())
                .map(|p| format!("'{}' ~ '{}'", p.column_1, p.column_2)),
        )
        .collect();
    if !undefined.is_empty() {
        notes.push(format!(
            "quality: no score (an empty or constant column, or fewer than two complete rows) for {}",
            undefined.join(", ")
        ));
    }
    let counted = q.pairs.iter().filter(|p| p.contributes).count();
    notes.push(format!(
        "quality: Column Pair Trends averages the {counted} of {} pairs whose real data show a trend \
         (|Pearson| > {} or Cramer's V > {}), as SDMetrics' QualityReport does",
        q.pairs.len(),
        crate::quality::CORRELATION_THRESHOLD,
        crate::quality::ASSOCIATION_THRESHOLD
    ));
}

/// Reports metric group `name` as starting, or the caller's wish to stop.
fn enter(stage: &(dyn Fn(&str) -> bool + Sync), name: &str) -> Result<(), MetricsError> {
    if stage(name) {
        Ok(())
    } else {
        Err(MetricsError::Cancelled {
            stage: name.to_owned(),
        })
    }
}

fn joint(
    space: &JointSpace,
    x: &Points,
    y: &Points,
    o: &EvaluateOptions,
    stage: &(dyn Fn(&str) -> bool + Sync),
    notes: &mut Vec<String>,
) -> Result<Joint, MetricsError> {
    let mut j = Joint {
        features: space
            .features
            .iter()
            .flat_map(|f| match f {
                Feature::Numeric { name, .. } => vec![name.clone()],
                Feature::Categorical { name, labels } => {
                    labels.iter().map(|l| format!("{name}={l}")).collect()
                }
            })
            .collect(),
        ..Joint::default()
    };
    if x.len() < 2 || y.len() < 2 {
        notes.push("joint metrics need two complete rows in each sample: null".to_owned());
        return Ok(j);
    }
    if o.wants(Metric::Wasserstein) {
        enter(stage, "exact wasserstein")?;
        let (a, b) = subsample(
            x,
            y,
            o.exact_rows,
            true,
            [o.seed_for(10), o.seed_for(11)],
            "exact W1 and W2",
            notes,
        );
        let w = exact_wasserstein(&a, &b)?;
        (j.w1, j.w2, j.exact_rows) = (Some(w.w1), Some(w.w2), Some(a.len()));
    }
    if o.wants(Metric::Sliced) {
        enter(stage, "sliced wasserstein")?;
        let (a, b) = subsample(
            x,
            y,
            o.sliced_rows,
            false,
            [o.seed_for(20), o.seed_for(21)],
            "sliced W2",
            notes,
        );
        j.sliced_w2 = Some(sliced_wasserstein2(&a, &b, o.projections, o.seed_for(22))?);
        j.sliced_projections = Some(o.projections);
    }
    if o.wants(Metric::Sinkhorn) {
        enter(stage, "sinkhorn")?;
        let (a, b) = subsample(
            x,
            y,
            o.sinkhorn_rows,
            false,
            [o.seed_for(30), o.seed_for(31)],
            "the Sinkhorn divergence",
            notes,
        );
        let s = sinkhorn_divergence(&a, &b, &o.sinkhorn)?;
        (j.sinkhorn, j.sinkhorn_iterations, j.sinkhorn_converged) =
            (Some(s.value), Some(s.iterations), Some(s.converged));
        (j.sinkhorn_epsilon, j.sinkhorn_rows) = (Some(o.sinkhorn.epsilon), Some(a.len().max(b.len())));
        if !s.converged {
            notes.push(format!(
                "Sinkhorn stopped at its cap of {} iterations before its tolerance",
                s.iterations
            ));
        }
    }
    if o.wants(Metric::Mmd) {
        enter(stage, "mmd")?;
        let (a, b) = subsample(
            x,
            y,
            o.mmd_rows,
            false,
            [o.seed_for(40), o.seed_for(41)],
            "MMD",
            notes,
        );
        let m = mmd(&a, &b, o.seed_for(42))?;
        (j.mmd2, j.mmd2_biased, j.mmd_median_distance) =
            (Some(m.unbiased), Some(m.biased), Some(m.median_distance));
        j.mmd_rows = Some(a.len().max(b.len()));
    }
    if o.wants(Metric::Prdc) {
        enter(stage, "prdc")?;
        let (a, b) = subsample(
            x,
            y,
            o.prdc_rows,
            false,
            [o.seed_for(50), o.seed_for(51)],
            "precision/recall/density/coverage",
            notes,
        );
        if a.len().min(b.len()) > o.prdc_k {
            let s = prdc(&a, &b, o.prdc_k)?;
            (j.precision, j.recall, j.density, j.coverage) = (
                Some(s.precision),
                Some(s.recall),
                Some(s.density),
                Some(s.coverage),
            );
            j.coverage_expected = Some(expected_coverage(a.len(), b.len(), o.prdc_k));
            (j.prdc_k, j.prdc_rows) = (Some(o.prdc_k), Some(a.len().max(b.len())));
        } else {
            notes.push(format!(
                "precision/recall/density/coverage need more than k = {} rows per sample: null",
                o.prdc_k
            ));
        }
    }
    if o.wants(Metric::C2st) {
        enter(stage, "classifier test")?;
        let (a, b) = subsample(
            x,
            y,
            o.c2st_rows,
            false,
            [o.seed_for(60), o.seed_for(61)],
            "the classifier test",
            notes,
        );
        if a.len().min(b.len()) >= 4 {
            let t = c2st(&a, &b, o.seed_for(62))?;
            (j.c2st_accuracy, j.c2st_auc, j.c2st_p_value) =
                (Some(t.score.accuracy), Some(t.score.auc), Some(t.p_value));
            j.c2st_classifier = Some(t.best);
            (j.c2st_logistic_accuracy, j.c2st_logistic_auc) =
                (Some(t.logistic.accuracy), Some(t.logistic.auc));
            (j.c2st_knn_accuracy, j.c2st_knn_auc) = (Some(t.knn.accuracy), Some(t.knn.auc));
            j.c2st_test_rows = Some(t.test_rows);
        } else {
            notes.push("the classifier test needs four rows per sample: null".to_owned());
        }
    }
    not_requested(o, notes);
    Ok(j)
}

/// The metric groups computed in the joint space.
const JOINT: [Metric; 7] = [
    Metric::Wasserstein,
    Metric::Sliced,
    Metric::Sinkhorn,
    Metric::Mmd,
    Metric::Prdc,
    Metric::C2st,
    Metric::Privacy,
];

/// A note for each joint metric left out.
fn not_requested(o: &EvaluateOptions, notes: &mut Vec<String>) {
    for m in JOINT {
        if !o.wants(m) && m != Metric::Privacy {
            notes.push(format!("{} not requested: null", m.name()));
        }
    }
}

/// Seeded subsamples of at most `cap` rows each (the same size for both
/// when `equal`), with a note when either sample shrinks.
fn subsample(
    x: &Points,
    y: &Points,
    cap: usize,
    equal: bool,
    seeds: [u64; 2],
    what: &str,
    notes: &mut Vec<String>,
) -> (Points, Points) {
    let (cx, cy) = if equal {
        let n = cap.min(x.len()).min(y.len());
        (n, n)
    } else {
        (cap.min(x.len()), cap.min(y.len()))
    };
    if x.len() > cx || y.len() > cy {
        notes.push(format!(
            "{what} on a seeded subsample of {cx} of {} real and {cy} of {} synthetic rows",
            x.len(),
            y.len()
        ));
    }
    (x.subsample(cx, seeds[0]), y.subsample(cy, seeds[1]))
}

fn privacy(
    real: &Table,
    synth: &Table,
    x: &Points,
    y: &Points,
    holdout: Option<Points>,
    o: &EvaluateOptions,
    notes: &mut Vec<String>,
) -> Result<(Privacy, Option<usize>), MetricsError> {
    let mut p = Privacy {
        exact_copies: Some(exact_copies(real, synth)?),
        ..Privacy::default()
    };
    p.exact_copy_share = p.exact_copies.map(|c| c as f64 / synth.rows() as f64);
    // The training and held-out rows as indices into their clouds, so
    // that only the rows measured are copied.
    let (train, held_cloud, held, source) = match &holdout {
        Some(h) => (
            (0..x.len()).collect::<Vec<usize>>(),
            h,
            (0..h.len()).collect::<Vec<usize>>(),
            "holdout file".to_owned(),
        ),
        None => {
            let n_hold = ((x.len() as f64) * o.holdout_fraction).ceil() as usize;
            if x.len() < 3 || n_hold == 0 || n_hold + 2 > x.len() {
                notes.push("privacy distances need at least three complete real rows: null".to_owned());
                return Ok((p, None));
            }
            let mut idx: Vec<usize> = (0..x.len()).collect();
            idx.shuffle(&mut stream(o.seed, Purpose::Holdout));
            let (h, t) = idx.split_at(n_hold);
            notes.push(format!(
                "privacy: {n_hold} real rows held out at random (seeded) as the fresh-data baseline; if the \
                 generator saw them, pass --holdout with rows it never saw"
            ));
            (
                t.to_vec(),
                x,
                h.to_vec(),
                format!("{:.0}% of the real rows", o.holdout_fraction * 100.0),
            )
        }
    };
    if held.is_empty() || train.len() < 2 {
        notes.push("privacy distances need two training rows and one held-out row: null".to_owned());
        return Ok((p, None));
    }
    if train.len() > o.privacy_train_rows {
        notes.push(format!(
            "privacy distances against a seeded subsample of {} of {} training rows",
            o.privacy_train_rows,
            train.len()
        ));
    }
    let train_points = pick(x, &train, o.privacy_train_rows, o.seed_for(76));
    let s = y.subsample(o.privacy_rows, o.seed_for(72));
    let h = pick(held_cloud, &held, o.privacy_rows, o.seed_for(74));
    if s.len() < y.len() || h.len() < held.len() {
        notes.push(format!(
            "privacy distances on a seeded subsample of {} synthetic and {} held-out rows",
            s.len(),
            h.len()
        ));
    }
    let c = closeness(&train_points, &s, &h)?;
    p.holdout = Some(source);
    (p.dcr_synth_median, p.dcr_holdout_median) = (Some(c.dcr_synth_median), Some(c.dcr_holdout_median));
    p.dcr_holdout_median_low = Some(c.dcr_holdout_median_low);
    (p.dcr_synth_p05, p.dcr_holdout_p05) = (Some(c.dcr_synth_p05), Some(c.dcr_holdout_p05));
    p.nndr_median = Some(c.nndr_median);
    p.dcr_rows = Some(s.len());
    Ok((p, Some(held.len())))
}

/// The points `rows` of `cloud`, or a seeded subsample of at most `max` of
/// them, drawn as [`Points::subsample`] draws from the selected points.
fn pick(cloud: &Points, rows: &[usize], max: usize, seed: u64) -> Points {
    match subsample_positions(rows.len(), max, seed) {
        Some(kept) => cloud.select(&kept.iter().map(|&k| rows[k]).collect::<Vec<_>>()),
        None => cloud.select(rows),
    }
}
