//! Categorical columns as they are read: labels get codes in the order they
//! are first seen, and [`LevelsBuilder::finish`] sorts the distinct labels
//! and renumbers the codes to match, so the levels of a column read from a
//! file are always its distinct present labels in sorted (byte-wise) order.
//! Missing rows get the placeholder code 0 (and a column of rows that
//! are all missing the one level `""`, which no row holds).

use std::collections::HashMap;
use std::sync::Arc;

use pushforward_core::{Column, ColumnData};

/// Codes and missing mask of one categorical column being read.
#[derive(Debug, Default)]
pub(crate) struct LevelsBuilder {
    /// Each distinct label and the code it was first given.
    index: HashMap<String, u32>,
    /// One code per row, in first-seen numbering (0 for a missing row).
    codes: Vec<u32>,
    /// Which rows are missing.
    missing: Vec<bool>,
}

impl LevelsBuilder {
    /// The code of `label`, giving it the next one if it is new; `None` once
    /// codes run out.
    pub(crate) fn intern(&mut self, label: &str) -> Option<u32> {
        if let Some(&code) = self.index.get(label) {
            return Some(code);
        }
        let code = u32::try_from(self.index.len()).ok()?;
        self.index.insert(label.to_string(), code);
        Some(code)
    }

    /// Appends a row holding the label interned as `code`, or a missing row.
    pub(crate) fn push(&mut self, code: Option<u32>) {
        self.codes.push(code.unwrap_or(0));
        self.missing.push(code.is_none());
    }

    /// Interns `label` and appends it, or a missing row for `None`; `None`
    /// once codes run out.
    pub(crate) fn push_label(&mut self, label: Option<&str>) -> Option<()> {
        let code = match label {
            Some(label) => Some(self.intern(label)?),
            None => None,
        };
        self.push(code);
        Some(())
    }

    /// The column, its levels sorted and its codes renumbered to match.
    pub(crate) fn finish(self, name: String) -> Column {
        let LevelsBuilder {
            index,
            mut codes,
            missing,
        } = self;
        let mut labels: Vec<(String, u32)> = index.into_iter().collect();
        labels.sort_unstable();
        // rank[first-seen code] = sorted code.
        let mut rank = vec![0_u32; labels.len()];
        for (sorted, (_, first)) in (0_u32..).zip(&labels) {
            if let Some(slot) = rank.get_mut(*first as usize) {
                *slot = sorted;
            }
        }
        for (code, &gone) in codes.iter_mut().zip(&missing) {
            *code = if gone {
                0
            } else {
                rank.get(*code as usize).copied().unwrap_or(0)
            };
        }
        let mut levels: Vec<String> = labels.into_iter().map(|(label, _)| label).collect();
        if levels.is_empty() && !codes.is_empty() {
            // Rows, all missing (a chunk of a file): one placeholder level
            // keeps their codes in range.
            levels.push(String::new());
        }
        let levels: Arc<[String]> = levels.into();
        let column = Column {
            name,
            data: ColumnData::Categorical { codes, levels },
            missing: None,
        };
        column.with_missing(missing)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn levels_are_sorted_and_codes_follow() {
        let mut b = LevelsBuilder::default();
        for label in [Some("pear"), None, Some("apple"), Some("pear"), Some("fig")] {
            b.push_label(label).unwrap();
        }
        let column = b.finish("fruit".into());
        let ColumnData::Categorical { codes, levels } = &column.data else {
            panic!("not categorical");
        };
        assert_eq!(&levels[..], ["apple", "fig", "pear"]);
        assert_eq!(codes, &[2, 0, 0, 2, 1]);
        assert_eq!(column.missing, Some(vec![false, true, false, false, false]));
    }
}
