//! Streams the rows of any [`Sampler`] into any [`TableSink`]: block by
//! block, so memory stays bounded by the sampler's block, then finishes the
//! sink. An error or a cancellation drops the sink unfinished, which leaves
//! no partial file behind.

use pushforward_core::{Progress, SampleError, Sampler};

use crate::TableSink;

/// Draws `rows` rows from `sampler` with `seed` into `sink` and finishes it.
///
/// ```
/// use pushforward_core::{Column, Progress, SampleError, Sampler, Silent, Table};
/// use pushforward_io::{Output, OutputFormat, open_sink, read_table, write_sampled};
/// /// Row `i` is `i`, in blocks of 2 rows.
/// struct Rows;
/// impl Sampler for Rows {
///     fn sample_into(
///         &self,
///         rows: u64,
///         _: u64,
///         _: &dyn Progress,
///         emit: &mut dyn FnMut(Table) -> Result<(), SampleError>,
///     ) -> Result<(), SampleError> {
///         for start in (0..rows).step_by(2) {
///             let x = (start..(start + 2).min(rows)).map(|i| i as i64).collect();
///             emit(Table::new(vec![Column::int("x", x)]).unwrap())?;
///         }
///         Ok(())
///     }
/// }
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("x.csv");
/// let sink = open_sink(&Output::File(path.clone()), OutputFormat::Csv)?;
/// write_sampled(&Rows, 5, 0, &Silent, sink)?;
/// assert_eq!(read_table(&path)?.rows(), 5);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// As [`Sampler::sample_into`]; the sink's write and finish errors are
/// [`SampleError::Sink`].
pub fn write_sampled(
    sampler: &dyn Sampler,
    rows: u64,
    seed: u64,
    progress: &dyn Progress,
    mut sink: Box<dyn TableSink + Send>,
) -> Result<(), SampleError> {
    sampler.sample_into(rows, seed, progress, &mut |block| {
        sink.write(&block).map_err(|e| SampleError::Sink(Box::new(e)))
    })?;
    sink.finish().map_err(|e| SampleError::Sink(Box::new(e)))
}
