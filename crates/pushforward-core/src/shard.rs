//! Shards: part `K` of `N` of a sampler's output, made on its own (another
//! process, another machine) so that the `N` parts concatenated in order are
//! the unsharded output row for row.
//!
//! A sampler that draws each block of rows from its own stream
//! ([`crate::seed::block_stream`]) can draw any block without the ones before
//! it ([`Sampler::block_rows`]). Shards cut the output by **whole blocks**:
//! with `B = ⌈rows / block⌉` blocks (one empty block when `rows` is 0),
//!
//! ```text
//! shard K of N = blocks ⌊K·B/N⌋ .. ⌊(K+1)·B/N⌋   (rows block·⌊K·B/N⌋ .. min(rows, block·⌊(K+1)·B/N⌋))
//! ```
//!
//! so no block is drawn twice, parts differ by at most one block, and a
//! shard past the last block is empty (it still carries the columns). The
//! cut depends on the sampler's block size (65,536 rows for a spec), not on
//! the number of threads or machines.

use std::ops::Range;
use std::str::FromStr;

use crate::sampler::Gather;
use crate::{Progress, SampleError, Sampler, Silent, Table};

/// Part `index` of `count` (0-based), with `index < count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shard {
    index: u64,
    count: u64,
}

/// Why a shard was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShardError {
    /// Not of the form `K/N`.
    #[error("shard '{0}' is not of the form K/N (part K of N, counted from 0, as in 0/8)")]
    Syntax(String),
    /// `count` is 0, or `index` is not below it.
    #[error("shard {index}/{count} does not exist: pass K/N with N at least 1 and K from 0 to N-1")]
    OutOfRange {
        /// The part asked for.
        index: u64,
        /// The number of parts.
        count: u64,
    },
}

impl Shard {
    /// The whole output: part 0 of 1.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Part `index` of `count`.
    ///
    /// # Errors
    /// [`ShardError::OutOfRange`] unless `index < count`.
    pub fn new(index: u64, count: u64) -> Result<Self, ShardError> {
        if index >= count {
            return Err(ShardError::OutOfRange { index, count });
        }
        Ok(Shard { index, count })
    }

    /// The 0-based part.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The number of parts.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// This part's blocks out of `blocks`.
    ///
    /// ```
    /// use pushforward_core::Shard;
    /// let cut: Vec<_> = (0..3).map(|k| Shard::new(k, 3).unwrap().blocks(7)).collect();
    /// assert_eq!(cut, [0..2, 2..4, 4..7]);
    /// assert_eq!(Shard::new(3, 4).unwrap().blocks(2), 1..2);
    /// assert!(Shard::new(0, 4).unwrap().blocks(2).is_empty());
    /// ```
    pub fn blocks(&self, blocks: u64) -> Range<u64> {
        let at = |k: u64| (u128::from(k) * u128::from(blocks) / u128::from(self.count)) as u64;
        at(self.index)..at(self.index + 1)
    }

    /// This part's rows out of `rows`, cut into blocks of `block` rows.
    pub fn rows(&self, rows: u64, block: u64) -> Range<u64> {
        let blocks = self.blocks(block_count(rows, block));
        let row = |b: u64| b.saturating_mul(block).min(rows);
        row(blocks.start)..row(blocks.end)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = ShardError;

    /// `K/N`, as in `3/8`.
    fn from_str(s: &str) -> Result<Self, ShardError> {
        let syntax = || ShardError::Syntax(s.to_string());
        let (k, n) = s.split_once('/').ok_or_else(syntax)?;
        let k = k.trim().parse().map_err(|_| syntax())?;
        let n = n.trim().parse().map_err(|_| syntax())?;
        Shard::new(k, n)
    }
}

/// Blocks of `block` rows (at least 1) holding `rows` rows: one empty block
/// when there are none.
pub fn block_count(rows: u64, block: u64) -> u64 {
    rows.div_ceil(block.max(1)).max(1)
}

/// A sampler restricted to one shard: its `sample_into(rows, seed, …)` draws
/// only the shard's part of the `rows` rows, so writers take it like any
/// other sampler.
pub struct Sharded<'a> {
    sampler: &'a (dyn Sampler + Sync),
    shard: Shard,
}

impl<'a> Sharded<'a> {
    /// `shard` of `sampler`'s output.
    ///
    /// # Errors
    /// [`SampleError::NotShardable`] when the sampler cannot draw a block
    /// without the ones before it and the shard is not the whole output.
    pub fn new(sampler: &'a (dyn Sampler + Sync), shard: Shard) -> Result<Self, SampleError> {
        if shard != Shard::WHOLE && sampler.block_rows().is_none() {
            return Err(SampleError::NotShardable);
        }
        Ok(Sharded { sampler, shard })
    }

    /// The rows of this shard out of `rows`.
    pub fn rows(&self, rows: u64) -> Range<u64> {
        match self.sampler.block_rows() {
            Some(block) => self.shard.rows(rows, block),
            None => 0..rows,
        }
    }

    /// The first `n` rows of this shard of `rows` rows (all of them when it
    /// holds fewer), drawing only the blocks that hold them: the rows a
    /// check after writing a part measures.
    ///
    /// # Errors
    /// The sampler's.
    pub fn head(&self, rows: u64, seed: u64, n: u64) -> Result<Table, SampleError> {
        let part = self.rows(rows);
        let n = n.min(part.end - part.start);
        let table = match self.sampler.block_rows() {
            Some(block) => {
                let blocks = self.shard.blocks(block_count(rows, block));
                let end = blocks.end.min(blocks.start + n.div_ceil(block));
                let mut gather = Gather::default();
                self.sampler
                    .sample_blocks_into(rows, seed, blocks.start..end, &Silent, &mut |t| {
                        gather.push(t);
                        Ok(())
                    })?;
                gather.finish()?
            }
            None => self.sampler.sample(n, seed)?,
        };
        Ok(table.head(n as usize))
    }
}

impl Sampler for Sharded<'_> {
    fn sample_into(
        &self,
        rows: u64,
        seed: u64,
        progress: &dyn Progress,
        emit: &mut dyn FnMut(Table) -> Result<(), SampleError>,
    ) -> Result<(), SampleError> {
        match self.sampler.block_rows() {
            Some(block) => {
                let blocks = self.shard.blocks(block_count(rows, block));
                self.sampler
                    .sample_blocks_into(rows, seed, blocks, progress, emit)
            }
            None => self.sampler.sample_into(rows, seed, progress, emit),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BlockEmitter, Column, Silent};

    /// Row `i` of seed `s` is `s + i`, in independent blocks of 3 rows.
    struct Count;

    impl Sampler for Count {
        fn sample_into(
            &self,
            rows: u64,
            seed: u64,
            progress: &dyn Progress,
            emit: &mut dyn FnMut(Table) -> Result<(), SampleError>,
        ) -> Result<(), SampleError> {
            self.sample_blocks_into(rows, seed, 0..block_count(rows, 3), progress, emit)
        }

        fn block_rows(&self) -> Option<u64> {
            Some(3)
        }

        fn sample_blocks_into(
            &self,
            rows: u64,
            seed: u64,
            blocks: Range<u64>,
            progress: &dyn Progress,
            emit: &mut dyn FnMut(Table) -> Result<(), SampleError>,
        ) -> Result<(), SampleError> {
            let first = (blocks.start * 3).min(rows);
            let last = (blocks.end * 3).min(rows);
            let mut out = BlockEmitter::new(last - first, progress, emit);
            let mut start = first;
            loop {
                let end = (start + 3).min(last);
                let x = (start..end).map(|i| (seed + i) as i64).collect();
                out.emit(Table::new(vec![Column::int("x", x)]).expect("one column"))?;
                start = end;
                if start >= last {
                    return Ok(());
                }
            }
        }
    }

    /// Draws one stream: no block on its own.
    struct Serial;

    impl Sampler for Serial {
        fn sample_into(
            &self,
            rows: u64,
            seed: u64,
            progress: &dyn Progress,
            emit: &mut dyn FnMut(Table) -> Result<(), SampleError>,
        ) -> Result<(), SampleError> {
            Count.sample_into(rows, seed, progress, emit)
        }
    }

    fn values(t: &Table) -> Vec<f64> {
        let c = t.column("x").expect("x");
        (0..t.rows()).map(|i| c.data.value_f64(i)).collect()
    }

    #[test]
    fn shards_concatenate_to_the_whole_output() {
        for rows in [0u64, 1, 3, 10, 20] {
            let whole = values(&Count.sample(rows, 5).expect("whole"));
            for n in [1u64, 2, 3, 7, 9] {
                let mut joined = Vec::new();
                for k in 0..n {
                    let shard = Sharded::new(&Count, Shard::new(k, n).expect("shard")).expect("shardable");
                    let part = shard.sample(rows, 5).expect("part");
                    assert_eq!(part.columns().len(), 1, "an empty part keeps its columns");
                    assert_eq!(part.rows() as u64, shard.rows(rows).end - shard.rows(rows).start);
                    joined.extend(values(&part));
                }
                assert_eq!(joined, whole, "{rows} rows in {n} parts");
            }
        }
    }

    #[test]
    fn a_head_is_the_start_of_its_part() {
        for (rows, n, k, want) in [
            (20u64, 3u64, 1u64, 4u64),
            (20, 3, 2, 100),
            (20, 3, 0, 0),
            (5, 4, 3, 1),
        ] {
            let shard = Sharded::new(&Count, Shard::new(k, n).expect("shard")).expect("shardable");
            let part = values(&shard.sample(rows, 5).expect("part"));
            let head = values(&shard.head(rows, 5, want).expect("head"));
            let keep = (want as usize).min(part.len());
            assert_eq!(head, part[..keep], "{rows} rows, part {k}/{n}, head {want}");
        }
        let whole = Sharded::new(&Serial, Shard::WHOLE).expect("the whole output");
        assert_eq!(
            values(&whole.head(7, 1, 4).expect("head")),
            values(&Count.sample(4, 1).expect("rows"))
        );
    }

    #[test]
    fn parts_differ_by_at_most_one_block() {
        let sizes: Vec<u64> = (0..4)
            .map(|k| {
                let r = Shard::new(k, 4).expect("shard").rows(1000, 3);
                r.end - r.start
            })
            .collect();
        assert_eq!(sizes.iter().sum::<u64>(), 1000);
        let (lo, hi) = (sizes.iter().min().expect("4"), sizes.iter().max().expect("4"));
        assert!(hi - lo <= 3, "{sizes:?}");
    }

    #[test]
    fn a_serial_sampler_refuses_a_part_but_not_the_whole() {
        assert!(matches!(
            Sharded::new(&Serial, Shard::new(1, 2).expect("shard")),
            Err(SampleError::NotShardable)
        ));
        let whole = Sharded::new(&Serial, Shard::WHOLE).expect("the whole output");
        assert_eq!(
            values(&whole.sample(7, 1).expect("rows")),
            values(&Count.sample(7, 1).expect("rows"))
        );
        let mut emit = |_| Ok(());
        assert!(matches!(
            Serial.sample_blocks_into(7, 1, 0..1, &Silent, &mut emit),
            Err(SampleError::NotShardable)
        ));
    }

    #[test]
    fn parsing_names_the_bad_input() {
        assert_eq!("3/8".parse::<Shard>(), Shard::new(3, 8));
        assert_eq!("3/8".parse::<Shard>().expect("shard").to_string(), "3/8");
        assert!(matches!(
            "8/8".parse::<Shard>(),
            Err(ShardError::OutOfRange { index: 8, count: 8 })
        ));
        assert!(matches!(
            "0/0".parse::<Shard>(),
            Err(ShardError::OutOfRange { .. })
        ));
        for bad in ["3", "a/2", "1/-2", "1/2/3"] {
            let e = bad.parse::<Shard>().expect_err(bad);
            assert!(e.to_string().contains("K/N"), "{bad}: {e}");
        }
    }
}
