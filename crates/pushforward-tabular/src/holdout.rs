//! A seeded share of a table's rows held out of a fit, and the training
//! file recognised later, so that the synthetic rows' distances to the
//! training rows can be set against the held-out rows' distances without
//! the model storing any row.
//!
//! The held-out rows are the first `round(share · n)` of the row indices
//! shuffled by the `Holdout` stream of the seed (Fisher–Yates); the file is
//! recognised by its length and its FNV-1a 64-bit hash (Fowler, Noll & Vo),
//! a check against edits, not against forgery.

use pushforward_core::seed::{Purpose, stream};
use pushforward_core::{Column, ColumnData, Table};
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
/// with `share` held out under `seed`.
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
}
