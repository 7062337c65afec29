//! The [`Sampler`] trait: anything that draws rows of a table (a spec's
//! copula, a flow, a neural generator) draws them in blocks, from a seed,
//! and hands each block in order to a caller's callback, so a writer can
//! stream any number of rows in bounded memory.
//!
//! A sampler's output depends only on its state, the row count and the
//! seed: never on the number of threads. Model-specific options (solver,
//! steps, classes) are fixed before a model acts as a sampler.
//! [`BlockEmitter`] is the shared bookkeeping of an implementation: it
//! counts rows, reports them to a [`Progress`] and stops on cancellation.

use std::ops::Range;
use std::sync::Arc;

use crate::{Column, ColumnData, Progress, Silent, Table};

/// A boxed error from a model or a sink.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why sampling stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SampleError {
    /// The progress reporter asked to stop after `rows` rows.
    #[error("interrupted after {rows} rows")]
    Interrupted {
        /// Rows handed on before stopping.
        rows: u64,
    },
    /// The model failed to draw a block.
    #[error(transparent)]
    Model(BoxError),
    /// The caller's callback (a writer) refused a block.
    #[error(transparent)]
    Sink(BoxError),
    /// A part of the output was asked of a sampler that draws its blocks
    /// from one stream, one after another.
    #[error(
        "this model draws its rows from one random stream, block after block, so it cannot make a part \
         of its output on its own; sample all the rows in one run"
    )]
    NotShardable,
}

/// Draws rows of a table.
///
/// Implementations hand blocks to `emit` in row order (one empty block with
/// the output columns when `rows` is 0, so a writer still learns them), and
/// the concatenated blocks are the same for a seed whatever the number of
/// threads.
pub trait Sampler {
    /// Draws `rows` rows with `seed`, handing them to `emit` block by block
    /// and counting them on `progress`.
    ///
    /// # Errors
    /// [`SampleError::Interrupted`] when `progress` reports a cancellation;
    /// the first error `emit` returns; [`SampleError::Model`] when the
    /// model fails.
    fn sample_into(
        &self,
        rows: u64,
        seed: u64,
        progress: &dyn Progress,
        emit: &mut dyn FnMut(Table) -> Result<(), SampleError>,
    ) -> Result<(), SampleError>;

    /// Rows per block when every block is drawn from its own stream, so any
    /// block can be drawn without the ones before it ([`crate::shard`]);
    /// `None` (the default) for a sampler that draws one stream block after
    /// block.
    fn block_rows(&self) -> Option<u64> {
        None
    }

    /// Draws blocks `blocks` (of [`Sampler::block_rows`] rows each) of the
    /// `rows` rows that [`Sampler::sample_into`] draws with `seed`: the same
    /// rows, handed on the same way (one empty block when the range holds
    /// no rows), counting only these rows on `progress`.
    ///
    /// # Errors
    /// As [`Sampler::sample_into`]; [`SampleError::NotShardable`] (the
    /// default) when the sampler has no independent blocks.
    fn sample_blocks_into(
        &self,
        rows: u64,
        seed: u64,
        blocks: Range<u64>,
        progress: &dyn Progress,
        emit: &mut dyn FnMut(Table) -> Result<(), SampleError>,
    ) -> Result<(), SampleError> {
        let _ = (rows, seed, blocks, progress, emit);
        Err(SampleError::NotShardable)
    }

    /// Draws `rows` rows with `seed` into one table.
    ///
    /// ```
    /// use pushforward_core::{Column, Progress, SampleError, Sampler, Table};
    /// /// Row `i` of seed `s` is `s + i`, in blocks of 3 rows.
    /// struct Count;
    /// impl Sampler for Count {
    ///     fn sample_into(
    ///         &self,
    ///         rows: u64,
    ///         seed: u64,
    ///         _: &dyn Progress,
    ///         emit: &mut dyn FnMut(Table) -> Result<(), SampleError>,
    ///     ) -> Result<(), SampleError> {
    ///         let mut start = 0;
    ///         loop {
    ///             let end = (start + 3).min(rows);
    ///             let x = (start..end).map(|i| (seed + i) as i64).collect();
    ///             emit(Table::new(vec![Column::int("x", x)]).unwrap())?;
    ///             start = end;
    ///             if start == rows {
    ///                 return Ok(());
    ///             }
    ///         }
    ///     }
    /// }
    /// let t = Count.sample(7, 10).unwrap();
    /// assert_eq!(t.column("x").unwrap().data.value_f64(6), 16.0);
    /// assert_eq!(Count.sample(0, 10).unwrap().columns().len(), 1);
    /// ```
    ///
    /// # Errors
    /// As [`Sampler::sample_into`].
    fn sample(&self, rows: u64, seed: u64) -> Result<Table, SampleError> {
        let mut gather = Gather::default();
        self.sample_into(rows, seed, &Silent, &mut |block| {
            gather.push(block);
            Ok(())
        })?;
        gather.finish()
    }
}

/// Blocks of a sampler's output joined, in order, into one table.
#[derive(Default)]
pub(crate) struct Gather {
    columns: Option<Vec<Column>>,
}

impl Gather {
    /// Appends `block`'s rows.
    pub(crate) fn push(&mut self, block: Table) {
        match &mut self.columns {
            None => self.columns = Some(block.into_columns()),
            Some(columns) => {
                for (dst, src) in columns.iter_mut().zip(block.into_columns()) {
                    append(dst, src);
                }
            }
        }
    }

    /// The joined table (no columns when no block came).
    pub(crate) fn finish(self) -> Result<Table, SampleError> {
        Table::new(self.columns.unwrap_or_default()).map_err(|e| SampleError::Model(Box::new(e)))
    }
}

/// Appends the rows of `src` to `dst`, a column of the same name and kind.
fn append(dst: &mut Column, src: Column) {
    let before = dst.data.len();
    let added = src.data.len();
    match (&mut dst.missing, src.missing) {
        (Some(a), Some(b)) => a.extend(b),
        (Some(a), None) => a.resize(before + added, false),
        (a @ None, Some(b)) => {
            let mut mask = vec![false; before];
            mask.extend(b);
            *a = Some(mask);
        }
        (None, None) => {}
    }
    match (&mut dst.data, src.data) {
        (ColumnData::Float(a), ColumnData::Float(b)) => a.extend(b),
        (ColumnData::Int(a), ColumnData::Int(b)) => a.extend(b),
        (
            ColumnData::Categorical { codes: a, levels: la },
            ColumnData::Categorical { codes: b, levels: lb },
        ) => {
            if Arc::ptr_eq(la, &lb) || *la == lb {
                a.extend(b);
            } else {
                // Blocks with labels of their own (dates written as text):
                // the block's labels join the column's, codes renumbered.
                let mut labels: Vec<String> = la.to_vec();
                let map: Vec<u32> = lb
                    .iter()
                    .map(|l| match labels.iter().position(|x| x == l) {
                        Some(k) => k as u32,
                        None => {
                            labels.push(l.clone());
                            (labels.len() - 1) as u32
                        }
                    })
                    .collect();
                a.extend(b.iter().map(|&c| map.get(c as usize).copied().unwrap_or(c)));
                *la = labels.into();
            }
        }
        // A block of another kind leaves the column short, which
        // `Table::new` then refuses as ragged.
        _ => {}
    }
}

/// Hands a sampler's blocks to the caller's callback, counting rows on a
/// [`Progress`] and stopping when it reports a cancellation; the progress
/// is finished when the emitter is dropped, on success or error.
pub struct BlockEmitter<'a> {
    progress: &'a dyn Progress,
    emit: &'a mut dyn FnMut(Table) -> Result<(), SampleError>,
    rows: u64,
    done: u64,
}

impl<'a> BlockEmitter<'a> {
    /// Starts `progress` on `rows` rows.
    pub fn new(
        rows: u64,
        progress: &'a dyn Progress,
        emit: &'a mut dyn FnMut(Table) -> Result<(), SampleError>,
    ) -> Self {
        progress.start(usize::try_from(rows).unwrap_or(usize::MAX));
        BlockEmitter {
            progress,
            emit,
            rows,
            done: 0,
        }
    }

    /// Hands on all the rows, cut into blocks of `block` rows (at least 1;
    /// the last may be shorter, and there is one empty block when there are
    /// no rows) that `make(n)` draws in order.
    ///
    /// # Errors
    /// As [`BlockEmitter::emit`], and `make`'s error.
    pub fn run(
        mut self,
        block: usize,
        mut make: impl FnMut(usize) -> Result<Table, SampleError>,
    ) -> Result<(), SampleError> {
        let block = block.max(1) as u64;
        loop {
            let n = block.min(self.rows - self.done);
            self.emit(make(n as usize)?)?;
            if self.done == self.rows || n == 0 {
                return Ok(());
            }
        }
    }

    /// Hands `block` on, then reports the rows done.
    ///
    /// # Errors
    /// The callback's error; [`SampleError::Interrupted`] when the progress
    /// reports a cancellation.
    pub fn emit(&mut self, block: Table) -> Result<(), SampleError> {
        let n = block.rows() as u64;
        (self.emit)(block)?;
        self.done += n;
        self.progress
            .update(usize::try_from(self.done).unwrap_or(usize::MAX), 0.0);
        if self.progress.cancelled() {
            return Err(SampleError::Interrupted { rows: self.done });
        }
        Ok(())
    }
}

impl Drop for BlockEmitter<'_> {
    fn drop(&mut self) {
        self.progress.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// Cancels once `after` rows were reported.
    struct StopAt {
        after: usize,
        seen: Cell<usize>,
        finished: Cell<bool>,
    }

    impl Progress for StopAt {
        fn update(&self, step: usize, _: f64) {
            self.seen.set(step);
        }
        fn finish(&self) {
            self.finished.set(true);
        }
        fn cancelled(&self) -> bool {
            self.seen.get() >= self.after
        }
    }

    fn block(values: Vec<f64>) -> Table {
        Table::new(vec![Column::float("x", values)]).expect("one column")
    }

    #[test]
    fn the_emitter_counts_rows_and_stops_on_cancel() {
        let stop = StopAt {
            after: 5,
            seen: Cell::new(0),
            finished: Cell::new(false),
        };
        let mut got = 0;
        let mut sink = |t: Table| {
            got += t.rows();
            Ok(())
        };
        {
            let mut e = BlockEmitter::new(9, &stop, &mut sink);
            e.emit(block(vec![1.0; 3])).expect("3 of 5 rows");
            assert!(matches!(
                e.emit(block(vec![1.0; 3])),
                Err(SampleError::Interrupted { rows: 6 })
            ));
        }
        assert_eq!(got, 6);
        assert!(stop.finished.get());
    }

    #[test]
    fn appending_keeps_missing_masks_aligned() {
        let mut a = Column::float("x", vec![1.0, 2.0]);
        append(&mut a, Column::float("x", vec![3.0]).with_missing(vec![true]));
        append(&mut a, Column::float("x", vec![4.0]));
        assert_eq!(a.missing, Some(vec![false, false, true, false]));
        assert_eq!(a.data, ColumnData::Float(vec![1.0, 2.0, 3.0, 4.0]));
    }

    /// Blocks of 4 rows: 10 rows come as 4, 4, 2; 8 as 4, 4; none as one
    /// empty block.
    #[test]
    fn appending_blocks_with_their_own_labels_keeps_the_labels() {
        let levels =
            |l: &[&str]| -> Arc<[String]> { l.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>().into() };
        let mut a = Column::categorical("d", vec![0, 1], levels(&["x", "y"]));
        append(
            &mut a,
            Column::categorical("d", vec![0, 1, 0], levels(&["z", "x"])),
        );
        let ColumnData::Categorical { codes, levels } = &a.data else {
            panic!("categorical")
        };
        let labels: Vec<&str> = codes.iter().map(|&c| levels[c as usize].as_str()).collect();
        assert_eq!(labels, ["x", "y", "z", "x", "z"]);
    }

    #[test]
    fn run_cuts_the_rows_into_blocks_in_order() {
        for (rows, want) in [(10u64, vec![4, 4, 2]), (8, vec![4, 4]), (0, vec![0])] {
            let mut sizes = Vec::new();
            let mut emit = |t: Table| {
                sizes.push(t.rows());
                Ok(())
            };
            BlockEmitter::new(rows, &Silent, &mut emit)
                .run(4, |n| {
                    Table::new(vec![Column::float("x", vec![0.0; n])])
                        .map_err(|e| SampleError::Model(Box::new(e)))
                })
                .expect("runs");
            assert_eq!(sizes, want, "{rows} rows");
        }
    }
}
