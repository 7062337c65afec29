//! A seeded share of a table's rows held out of a fit, and the training
//! file recognised later, so that the synthetic rows' distances to the
//! training rows can be set against the held-out rows' distances without
//! the model storing any row.
//!
//! **Which rows** ([`HoldoutRule`], stored with the model so that `sample`
//! recomputes the same rows):
//!
//! ```text
//! per-row  row i is held out  ⇔  w_i < share · 2⁶⁴
//!          w_i = the i-th 64-bit word of the seed's Holdout stream (ChaCha8)
//! shuffle  the first round(share · n) of the indices 0..n shuffled by
//!          that stream (Fisher–Yates)
//! ```
//! `per-row` decides each row from its index alone (ChaCha seeks to word
//! `2i`), so a table read in chunks needs no mask of its rows and no count
//! of them in advance; the share held out is `share` up to binomial noise
//! (`±√(share(1−share)/n)`). `shuffle` holds out exactly `round(share · n)`
//! rows but needs `n` and a permutation of every index: fits write
//! `per-row`, and a model file without a rule (written before it was
//! stored) is `shuffle`, as it was fitted.
//!
//! The file is recognised by its length and its FNV-1a 64-bit hash
//! (Fowler, Noll & Vo), a check against edits, not against forgery.

use pushforward_core::seed::{Purpose, stream};
use pushforward_core::{Column, ColumnData, Table};
use rand::RngCore;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::error::TabularError;

/// The share of rows a copula fit holds out unless told otherwise.
pub const DEFAULT_HOLDOUT: f64 = 0.2;

/// Where a model's training rows came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingSource {
    /// The training file, as an absolute path.
    pub path: String,
    /// Its length in bytes.
    pub bytes: u64,
    /// Its FNV-1a 64-bit hash, in hex.
    pub hash: String,
    /// The share of rows held out.
    pub holdout: f64,
    /// The seed of the split.
    pub seed: u64,
    /// How the rows were chosen (`shuffle` when absent, as in files
    /// written before the rule was stored).
    #[serde(default)]
    pub rule: HoldoutRule,
}

impl TrainingSource {
    /// The training and held-out row indices (each ascending) of the file's
    /// `rows` rows, as the fit split them.
    pub fn split(&self, rows: usize) -> (Vec<usize>, Vec<usize>) {
        self.rule.split(rows, self.holdout, self.seed)
    }
}

/// How the held-out rows are chosen (see the module doc).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HoldoutRule {
    /// The first `round(share · n)` of a seeded shuffle of the indices.
    #[default]
    Shuffle,
    /// Each row by its own word of the seeded stream.
    PerRow,
}

impl HoldoutRule {
    /// The training and held-out row indices (each ascending) of `rows`
    /// rows with `share` held out under `seed`.
    pub fn split(self, rows: usize, share: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
        match self {
            HoldoutRule::Shuffle => split_rows(rows, share, seed),
            HoldoutRule::PerRow => {
                let held = held_out(0, rows, share, seed);
                (0..rows).partition(|&i| !held[i])
            }
        }
    }
}

/// Whether each of the rows `first_row .. first_row + rows` is held out
/// under the `per-row` rule with `share` and `seed`.
///
/// ```
/// use pushforward_tabular::holdout::held_out;
/// let all = held_out(0, 100, 0.3, 7);
/// assert_eq!(held_out(40, 60, 0.3, 7), all[40..]);
/// ```
pub fn held_out(first_row: u64, rows: usize, share: f64, seed: u64) -> Vec<bool> {
    if share >= 1.0 {
        return vec![true; rows];
    }
    // share · 2⁶⁴, below 2⁶⁴ here; NaN and negative shares hold out nothing.
    let threshold = (share.max(0.0) * 2f64.powi(64)) as u64;
    let mut words = stream(seed, Purpose::Holdout);
    words.set_word_pos(2 * u128::from(first_row));
    (0..rows).map(|_| words.next_u64() < threshold).collect()
}

/// How many of `rows` rows the `per-row` rule holds out, counted a block
/// at a time (no mask of every row).
pub fn held_count(rows: usize, share: f64, seed: u64) -> usize {
    const BLOCK: usize = 1 << 16;
    (0..rows)
        .step_by(BLOCK)
        .map(|start| {
            held_out(start as u64, BLOCK.min(rows - start), share, seed)
                .iter()
                .filter(|&&h| h)
                .count()
        })
        .sum()
}

/// The FNV-1a 64-bit hash of `bytes`, as 16 hex digits.
///
/// ```
/// assert_eq!(pushforward_tabular::holdout::fingerprint(b"a"), "af63dc4c8601ec8c");
/// ```
pub fn fingerprint(bytes: &[u8]) -> String {
    format!("{:016x}", fnv1a(FNV_OFFSET, bytes))
}

/// The FNV-1a 64-bit offset basis: the hash of no bytes.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// The FNV-1a hash `hash` of some bytes, continued over `bytes`.
fn fnv1a(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The length and [`fingerprint`] of everything `reader` gives, read a
/// block at a time (a file need not fit in memory).
///
/// ```
/// let (n, hash) = pushforward_tabular::holdout::fingerprint_reader(&b"a"[..]).unwrap();
/// assert_eq!((n, hash.as_str()), (1, "af63dc4c8601ec8c"));
/// ```
///
/// # Errors
/// The reader's.
pub fn fingerprint_reader(mut reader: impl std::io::Read) -> std::io::Result<(u64, String)> {
    let mut block = vec![0_u8; 1 << 20];
    let (mut hash, mut bytes) = (FNV_OFFSET, 0_u64);
    loop {
        let n = match reader.read(&mut block) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hash = fnv1a(hash, &block[..n]);
        bytes += n as u64;
    }
    Ok((bytes, format!("{hash:016x}")))
}

/// The training and held-out row indices (each ascending) of `rows` rows
/// with `share` held out under `seed`, by the `shuffle` rule.
pub fn split_rows(rows: usize, share: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut idx: Vec<usize> = (0..rows).collect();
    idx.shuffle(&mut stream(seed, Purpose::Holdout));
    let held = ((share.clamp(0.0, 1.0) * rows as f64).round() as usize).min(rows);
    let (h, t) = idx.split_at(held);
    let (mut h, mut t) = (h.to_vec(), t.to_vec());
    h.sort_unstable();
    t.sort_unstable();
    (t, h)
}

/// The rows `rows` of `table`, in that order.
///
/// # Errors
/// [`TabularError::Table`] only if the table's columns disagree (never for
/// a valid table).
pub fn take_rows(table: &Table, rows: &[usize]) -> Result<Table, TabularError> {
    let columns = table
        .columns()
        .iter()
        .map(|c| {
            let data = match &c.data {
                ColumnData::Float(v) => ColumnData::Float(rows.iter().map(|&i| v[i]).collect()),
                ColumnData::Int(v) => ColumnData::Int(rows.iter().map(|&i| v[i]).collect()),
                ColumnData::Categorical { codes, levels } => ColumnData::Categorical {
                    codes: rows.iter().map(|&i| codes[i]).collect(),
                    levels: levels.clone(),
                },
            };
            Column {
                name: c.name.clone(),
                data,
                missing: None,
            }
            .with_missing(rows.iter().map(|&i| c.is_missing(i)).collect())
        })
        .collect();
    Ok(Table::new(columns)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_split_is_seeded_and_disjoint() {
        let (t, h) = split_rows(100, 0.2, 3);
        assert_eq!((t.len(), h.len()), (80, 20));
        assert!(h.iter().all(|i| !t.contains(i)));
        assert_eq!(split_rows(100, 0.2, 3), (t.clone(), h.clone()));
        assert_ne!(split_rows(100, 0.2, 4).1, h);
        assert_eq!(split_rows(10, 0.0, 3).1, Vec::<usize>::new());
    }

    #[test]
    fn the_per_row_rule_streams_and_holds_out_its_share() {
        let n = 20_000;
        let held = held_out(0, n, 0.2, 3);
        // Any cut into pieces decides each row the same way.
        for first in [1, 7, 4_096, 19_999] {
            assert_eq!(
                held_out(first as u64, n - first, 0.2, 3),
                held[first..],
                "from {first}"
            );
        }
        let count = held.iter().filter(|&&h| h).count();
        assert_eq!(held_count(n, 0.2, 3), count);
        // Binomial(20000, 0.2): sd 57; 4 sd.
        assert!((count as f64 - 4_000.0).abs() < 228.0, "{count}");
        assert_ne!(held_out(0, n, 0.2, 4), held);
        assert!(held_out(0, 50, 0.0, 3).iter().all(|&h| !h));
        assert!(held_out(0, 50, 1.0, 3).iter().all(|&h| h));
        let (train, out) = HoldoutRule::PerRow.split(n, 0.2, 3);
        assert_eq!(out.len(), count);
        assert!(out.iter().all(|&i| held[i]) && train.iter().all(|&i| !held[i]));
    }

    #[test]
    fn a_source_without_a_rule_is_split_as_it_was_fitted() {
        let old = r#"{"path":"/t.csv","bytes":10,"hash":"00","holdout":0.2,"seed":3}"#;
        let source: TrainingSource = serde_json::from_str(old).unwrap();
        assert_eq!(source.rule, HoldoutRule::Shuffle);
        assert_eq!(source.split(100), split_rows(100, 0.2, 3));
        let new = TrainingSource {
            rule: HoldoutRule::PerRow,
            ..source
        };
        let text = serde_json::to_string(&new).unwrap();
        assert!(text.contains(r#""rule":"per-row""#), "{text}");
        let back: TrainingSource = serde_json::from_str(&text).unwrap();
        assert_eq!(back.split(100), HoldoutRule::PerRow.split(100, 0.2, 3));
    }
}
