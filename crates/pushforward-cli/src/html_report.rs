//! `pushforward report`'s page: an evaluation as one self-contained HTML
//! document that a person opens and reads.
//!
//! Sections, each a `<section>` with a stable `id`: `scores` (SDMetrics'
//! overall quality, Column Shapes and Column Pair Trends, the classifier
//! test and the privacy distance, each with a sentence saying what it
//! means), `column-shapes` (one row per column and each column's marginal
//! plot), `column-pair-trends` (one row per pair and the heat maps of the
//! real and synthetic correlations), `joint`, `privacy`, `spec` (with a
//! spec) and `notes`. Styles are inline in the head; plots are the PNGs
//! of `evaluate --plots`, inlined; the page runs no script and loads
//! nothing. Every string from the user's files (column names, labels,
//! paths, notes) is escaped.

use crate::evaluate_plots::{self, SCATTER_FILE, column_file, correlation_file};
use crate::evaluate_summary::num;
use crate::html::{escape, png, table};
use anyhow::Context;
use pushforward_core::Table;
use pushforward_metrics::report::{ColumnReport, Joint, Privacy, Quality, Report};
use pushforward_stats::Spec;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The plots of `evaluate --plots`, as PNG bytes: each column's marginal
/// by column name, the others by file name.
pub(crate) struct Figures {
    columns: BTreeMap<String, Vec<u8>>,
    files: BTreeMap<String, Vec<u8>>,
}

impl Figures {
    /// Draws every plot of the evaluation into a temporary directory and
    /// reads them back.
    pub(crate) fn draw(
        report: &Report,
        real: Option<&Table>,
        synth: &Table,
        spec: Option<&Spec>,
    ) -> anyhow::Result<Figures> {
        let dir = tempfile::tempdir().context("cannot create a temporary directory for the plots")?;
        evaluate_plots::write(dir.path(), report, real, synth, spec)?;
        let mut files = BTreeMap::new();
        for entry in std::fs::read_dir(dir.path()).context("cannot list the plots")? {
            let path = entry.context("cannot list the plots")?.path();
            let bytes =
                std::fs::read(&path).with_context(|| format!("cannot read plot '{}'", path.display()))?;
            if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
                files.insert(name.to_owned(), bytes);
            }
        }
        // Column plots are numbered in the synthetic table's column order.
        let columns = synth
            .columns()
            .iter()
            .enumerate()
            .filter_map(|(i, c)| Some((c.name.clone(), files.remove(&column_file(i, &c.name))?)))
            .collect();
        Ok(Figures { columns, files })
    }

    /// The inline `<img>` of plot `file`, or nothing when it was not drawn.
    fn img(&self, file: &str, alt: &str) -> String {
        self.files.get(file).map_or(String::new(), |b| png(b, alt))
    }

    /// The inline `<img>` of column `name`'s marginal, or nothing.
    fn column(&self, name: &str) -> String {
        self.columns
            .get(name)
            .map_or(String::new(), |b| png(b, &format!("{name}: real and synthetic")))
    }
}

/// What the page names: the files compared.
pub(crate) struct Sources<'a> {
    pub(crate) real: &'a str,
    pub(crate) synth: &'a str,
    pub(crate) spec: Option<&'a str>,
}

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 0 auto; max-width: 1100px;
       padding: 1.5rem; color: #1d2733; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
h2 { border-bottom: 2px solid #dde3ea; padding-bottom: 0.3rem; margin-top: 2.2rem; }
.sub { color: #5b6775; margin-top: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 0.8rem; }
.card { border: 1px solid #dde3ea; border-radius: 8px; padding: 0.8rem 1rem; background: #f8fafc; }
.card .value { font-size: 1.8rem; font-weight: 600; }
.card .name { font-weight: 600; }
.card p { margin: 0.3rem 0 0; font-size: 0.9rem; color: #44505e; }
.good { color: #1b7f3b; } .fair { color: #a86500; } .poor { color: #b3261e; }
table { border-collapse: collapse; width: 100%; margin: 0.8rem 0; font-size: 0.92rem; }
th, td { border-bottom: 1px solid #e4e9ef; padding: 0.3rem 0.5rem; text-align: left; }
th { background: #eef2f6; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 1rem; }
figure { margin: 0; border: 1px solid #e4e9ef; border-radius: 6px; padding: 0.4rem; }
figure img { width: 100%; height: auto; }
figure.wide { max-width: 800px; margin: 1rem auto; }
figcaption { font-size: 0.85rem; color: #5b6775; }
.note { font-size: 0.92rem; color: #44505e; }
";

/// The whole page.
pub(crate) fn render(report: &Report, sources: &Sources<'_>, figures: &Figures) -> String {
    let mut s = String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(
        s,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Synthetic data report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        escape(sources.synth)
    );
    let _ = writeln!(
        s,
        "<h1>Synthetic data report</h1>\n<p class=\"sub\">Synthetic <code>{}</code> ({} rows) against real \
         <code>{}</code> ({} rows); seed {}.</p>",
        escape(sources.synth),
        report.settings.rows_synth,
        escape(sources.real),
        report.settings.rows_real.unwrap_or(0),
        report.settings.seed
    );
    scores(&mut s, report);
    shapes(&mut s, report, figures);
    trends(&mut s, &report.quality, figures);
    joint(&mut s, &report.joint, figures);
    privacy(&mut s, &report.privacy, report.settings.rows_synth);
    if let (Some(spec), Some(path)) = (&report.spec, sources.spec) {
        spec_section(&mut s, spec, path);
    }
    s.push_str("<section id=\"notes\">\n<h2>Notes</h2>\n<ul class=\"note\">\n");
    for n in &report.notes {
        let _ = writeln!(s, "<li>{}</li>", escape(n));
    }
    s.push_str("</ul>\n</section>\n</body>\n</html>\n");
    s
}

/// A score in [0, 1] as a percentage, coloured by how good it is.
fn percent(v: Option<f64>) -> String {
    match v {
        Some(x) => {
            let class = if x >= 0.9 {
                "good"
            } else if x >= 0.75 {
                "fair"
            } else {
                "poor"
            };
            format!("<span class=\"{class}\">{:.1}%</span>", 100.0 * x)
        }
        None => "-".to_owned(),
    }
}

fn card(s: &mut String, name: &str, value: &str, text: &str) {
    let _ = writeln!(
        s,
        "<div class=\"card\"><div class=\"name\">{}</div><div class=\"value\">{value}</div><p>{}</p></div>",
        escape(name),
        escape(text)
    );
}

fn scores(s: &mut String, r: &Report) {
    let q = &r.quality;
    let counted = q.pairs.iter().filter(|p| p.contributes).count();
    s.push_str("<section id=\"scores\">\n<h2>Scores</h2>\n<div class=\"cards\">\n");
    card(
        s,
        "Quality score",
        &percent(q.score),
        "The mean of Column Shapes and Column Pair Trends, SDMetrics' overall score: 100% means every \
         column and every trend of the real table is matched.",
    );
    card(
        s,
        "Column Shapes",
        &percent(q.column_shapes),
        "How closely each column's distribution matches: 1 minus the Kolmogorov-Smirnov statistic for \
         numbers, 1 minus the total variation distance for categories, averaged over the columns.",
    );
    card(
        s,
        "Column Pair Trends",
        &percent(q.column_pair_trends),
        &format!(
            "How well relationships between two columns are kept (correlation for two numeric columns, \
             the joint frequencies otherwise), averaged over the {counted} of {} pairs whose real data \
             show a trend.",
            q.pairs.len()
        ),
    );
    let auc = r.joint.c2st_auc.map_or("-".to_owned(), |a| format!("{a:.3}"));
    card(
        s,
        "Classifier test AUC",
        &auc,
        "How well a classifier tells synthetic rows from real ones on rows it did not train on: 0.5 \
         means it cannot tell them apart, 1 means it always can.",
    );
    let p = &r.privacy;
    let ratio = match (p.dcr_synth_median, p.dcr_holdout_median) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
        _ => "-".to_owned(),
    };
    card(
        s,
        "Closeness to real rows",
        &ratio,
        "Median distance from a synthetic row to its closest real row, over the same for real rows the \
         generator did not see: below 1 means synthetic rows sit closer to the real ones than fresh data \
         does, a sign of copying.",
    );
    s.push_str("</div>\n</section>\n");
}

fn shapes(s: &mut String, r: &Report, figures: &Figures) {
    s.push_str(
        "<section id=\"column-shapes\">\n<h2>Column Shapes</h2>\n<p class=\"note\">One row per column: \
         SDMetrics' score (KSComplement for numbers, TVComplement for categories, on the values present), \
         missing values on each side, and pushforward's own distances. The plots draw the real and the \
         synthetic marginal of each column.</p>\n",
    );
    let scores: BTreeMap<&str, (&str, Option<f64>)> = r
        .quality
        .columns
        .iter()
        .map(|c| (c.column.as_str(), (c.metric, c.score)))
        .collect();
    let details: BTreeMap<&str, &ColumnReport> = r.columns.0.iter().map(|(n, c)| (n.as_str(), c)).collect();
    // In column order, from whichever group was computed.
    let names: Vec<&str> = if r.columns.0.is_empty() {
        r.quality.columns.iter().map(|c| c.column.as_str()).collect()
    } else {
        r.columns.0.iter().map(|(n, _)| n.as_str()).collect()
    };
    let rows: Vec<Vec<String>> = names
        .iter()
        .map(|&name| {
            let (metric, score) = scores.get(name).copied().unwrap_or(("-", None));
            let c = details.get(name);
            vec![
                escape(name),
                c.map_or("-", |c| c.kind).to_owned(),
                metric.to_owned(),
                percent(score),
                c.map_or("-".to_owned(), |c| {
                    format!("{} / {}", c.missing_real.unwrap_or(0), c.missing_synth)
                }),
                num(c.and_then(|c| c.ks.or(c.tv))),
                num(c.and_then(|c| c.w1_std)),
            ]
        })
        .collect();
    s.push_str(&table(
        &[
            "column",
            "kind",
            "SDMetrics metric",
            "score",
            "missing real / synthetic",
            "KS or TV distance",
            "W1 / std",
        ],
        &rows,
    ));
    s.push_str("<div class=\"figures\">\n");
    for name in &names {
        let img = figures.column(name);
        if !img.is_empty() {
            let _ = writeln!(
                s,
                "<figure>{img}<figcaption>{}</figcaption></figure>",
                escape(name)
            );
        }
    }
    s.push_str("</div>\n</section>\n");
}

fn trends(s: &mut String, q: &Quality, figures: &Figures) {
    s.push_str(
        "<section id=\"column-pair-trends\">\n<h2>Column Pair Trends</h2>\n<p class=\"note\">One row per \
         pair of columns. Two numeric columns score 1 − |real − synthetic Pearson correlation| / 2; any \
         other pair scores 1 minus the total variation distance of the pair's joint frequencies (numbers \
         cut into ten equal bins, missing values as a value). A pair counts towards the score when the real \
         data show a trend: |correlation| above 0.5, or Cramér's V above 0.3.</p>\n",
    );
    let value = |v: Option<f64>| v.map_or("-".to_owned(), |x| format!("{x:.3}"));
    let rows: Vec<Vec<String>> = q
        .pairs
        .iter()
        .map(|p| {
            vec![
                escape(&p.column_1),
                escape(&p.column_2),
                p.metric.to_owned(),
                percent(p.score),
                value(p.real_correlation),
                value(p.synthetic_correlation),
                value(p.real_association),
                if p.contributes { "yes" } else { "no" }.to_owned(),
            ]
        })
        .collect();
    s.push_str(&table(
        &[
            "column 1",
            "column 2",
            "metric",
            "score",
            "real correlation",
            "synthetic correlation",
            "real Cramér's V",
            "counts",
        ],
        &rows,
    ));
    let heat = figures.img(
        &correlation_file("pearson", "real"),
        "Pearson correlation of the real and the synthetic table",
    );
    if !heat.is_empty() {
        let _ = writeln!(
            s,
            "<figure class=\"wide\">{heat}<figcaption>Pearson correlation between the numeric columns: \
             real, synthetic, and their difference.</figcaption></figure>"
        );
    }
    s.push_str("</section>\n");
}

fn joint(s: &mut String, j: &Joint, figures: &Figures) {
    s.push_str(
        "<section id=\"joint\">\n<h2>Joint distribution</h2>\n<p class=\"note\">All columns at once, each \
         numeric column scaled by the real table's standard deviation and each category one-hot encoded. \
         The distances are 0 when the two tables are drawn from the same law; compare them between \
         generators of the same data.</p>\n",
    );
    let pair = |a: Option<f64>, b: Option<f64>| format!("{} / {}", num(a), num(b));
    let rows = vec![
        vec![
            "classifier test accuracy / AUC".to_owned(),
            pair(j.c2st_accuracy, j.c2st_auc),
            "0.5 / 0.5 when a classifier cannot tell the tables apart".to_owned(),
        ],
        vec![
            "precision / recall".to_owned(),
            pair(j.precision, j.recall),
            "share of synthetic rows that look real / share of real rows the synthetic data covers"
                .to_owned(),
        ],
        vec![
            "density / coverage".to_owned(),
            pair(j.density, j.coverage),
            format!(
                "about 1 / {} when both come from one law",
                num(j.coverage_expected)
            ),
        ],
        vec![
            "MMD²".to_owned(),
            num(j.mmd2),
            "kernel distance between the two samples".to_owned(),
        ],
        vec![
            "Wasserstein-1 / -2".to_owned(),
            pair(j.w1, j.w2),
            "average distance rows must move to turn one table into the other".to_owned(),
        ],
        vec![
            "sliced Wasserstein-2".to_owned(),
            num(j.sliced_w2),
            "the same along random directions".to_owned(),
        ],
        vec![
            "Sinkhorn divergence".to_owned(),
            num(j.sinkhorn),
            "a smoothed transport distance".to_owned(),
        ],
    ];
    s.push_str(&table(&["metric", "value", "what it means"], &rows));
    let scatter = figures.img(SCATTER_FILE, "scatter plots of the first numeric columns");
    if !scatter.is_empty() {
        let _ = writeln!(
            s,
            "<figure class=\"wide\">{scatter}<figcaption>Scatter plots of the first numeric columns, real \
             and synthetic.</figcaption></figure>"
        );
    }
    s.push_str("</section>\n");
}

fn privacy(s: &mut String, p: &Privacy, rows_synth: usize) {
    let _ = writeln!(
        s,
        "<section id=\"privacy\">\n<h2>Privacy</h2>\n<p class=\"note\">Distances to the closest real row \
         (DCR), in the joint space, compared with real rows held out as fresh data ({}). Synthetic rows \
         that sit much closer to real rows than fresh rows do may be copies of them.</p>",
        escape(p.holdout.as_deref().unwrap_or("none"))
    );
    let pair = |a: Option<f64>, b: Option<f64>| format!("{} / {}", num(a), num(b));
    let rows = vec![
        vec![
            "DCR median, synthetic / held out".to_owned(),
            pair(p.dcr_synth_median, p.dcr_holdout_median),
            "the synthetic value should not be far below the held-out one".to_owned(),
        ],
        vec![
            "DCR 5th percentile, synthetic / held out".to_owned(),
            pair(p.dcr_synth_p05, p.dcr_holdout_p05),
            "the closest synthetic rows against the closest fresh rows".to_owned(),
        ],
        vec![
            "NNDR median, synthetic".to_owned(),
            num(p.nndr_median),
            "closest over second-closest real row: near 0 means a synthetic row sits on one real row"
                .to_owned(),
        ],
        vec![
            "exact copies of real rows".to_owned(),
            p.exact_copies
                .map_or("-".to_owned(), |c| format!("{c} of {rows_synth}")),
            "synthetic rows equal to a real row in every column".to_owned(),
        ],
    ];
    s.push_str(&table(&["metric", "value", "what it means"], &rows));
    s.push_str("</section>\n");
}

fn spec_section(s: &mut String, spec: &Report, path: &str) {
    let _ = writeln!(
        s,
        "<section id=\"spec\">\n<h2>Against the spec</h2>\n<p class=\"note\">Each synthetic column against \
         its marginal in <code>{}</code>.</p>",
        escape(path)
    );
    let rows: Vec<Vec<String>> = spec
        .columns
        .0
        .iter()
        .map(|(name, c)| {
            vec![
                escape(name),
                c.kind.to_owned(),
                num(c.ks.or(c.tv)),
                num(c.mean_spec),
                num(c.mean_synth),
                num(c.std_spec),
                num(c.std_synth),
            ]
        })
        .collect();
    s.push_str(&table(
        &[
            "column",
            "kind",
            "KS or TV distance",
            "spec mean",
            "synthetic mean",
            "spec std",
            "synthetic std",
        ],
        &rows,
    ));
    s.push_str("</section>\n");
}
