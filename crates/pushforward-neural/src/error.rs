//! Errors of fitting, sampling and reading models.

use std::path::PathBuf;

use pushforward_core::quote::{quote, quote_all};

/// What can go wrong in the neural crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NeuralError {
    /// A setting that must lie in a half-open range does not.
    #[error("{setting} must be in {range}, got {value}")]
    OutOfRange {
        /// The setting, as the message names it.
        setting: &'static str,
        /// The range it must lie in.
        range: &'static str,
        /// The value given.
        value: f64,
    },
    /// A count that must be at least one is zero.
    #[error("{what} needs at least one {unit}")]
    NeedsAtLeastOne {
        /// What needs the count (`sampling`, `the noise`, ...).
        what: &'static str,
        /// What is counted (`solver step`, `dimension`, ...).
        unit: &'static str,
    },
    /// `--solver-steps 0` was asked of a model.
    #[error("--solver-steps 0: sampling needs at least one solver step")]
    ZeroSolverSteps,
    /// Training was asked for zero steps or a zero recording window.
    #[error("training needs at least one step and a window of at least one")]
    ZeroTrainingSteps,
    /// A validation share that holds out no row, or leaves too few to train on.
    #[error(
        "a validation share of {share} of {rows} rows holds out {held}; it must hold out at least 1 row and leave at least {min} (the batch) to train on"
    )]
    ValidationShare {
        /// The share asked for.
        share: f64,
        /// Rows before the split.
        rows: usize,
        /// Rows it would hold out.
        held: usize,
        /// Fewest training rows the fit needs.
        min: usize,
    },
    /// Held-out rows were asked of a fit whose objective has no held-out loss.
    #[error(
        "this method has no held-out loss to stop on: validation works with maximum-likelihood fits (flow)"
    )]
    NoValidationLoss,
    /// Set-based training was asked for sets of fewer than two rows or no sets per batch.
    #[error("sets need at least 2 rows and a batch at least one set")]
    SetTooSmall,
    /// Set-based training was asked for more rows a step than memory holds.
    #[error(
        "sets of {set_size} rows x {sets} sets per step = {rows} rows a step, above the limit of {limit}: \
         every row of a step keeps its activations for the backward pass (about {gib} GiB here); \
         use smaller sets or fewer of them"
    )]
    StepTooLarge {
        /// Rows per set.
        set_size: usize,
        /// Sets per step.
        sets: usize,
        /// Their product.
        rows: usize,
        /// The most rows a step may take.
        limit: usize,
        /// A lower bound of the memory the step would take, in GiB.
        gib: u64,
    },
    /// The batch does not fit the number of rows.
    #[error(
        "the batch size ({batch}) must be between {min} and the number of rows ({rows}); pass a smaller batch"
    )]
    BatchSize {
        /// The batch size given.
        batch: usize,
        /// The smallest batch the method accepts.
        min: usize,
        /// Rows in the data.
        rows: usize,
    },
    /// The optimiser's settings are out of range.
    #[error("{reason}")]
    BadOptimizer {
        /// Which setting, its value and its range.
        reason: String,
    },
    /// MMD kernel bandwidths that are missing, non-positive or not finite.
    #[error("kernel bandwidths must be positive and finite, and at least one is needed, got {bandwidths:?}")]
    BadBandwidths {
        /// The bandwidths given.
        bandwidths: Vec<f64>,
    },
    /// A perceptron with a layer of width zero.
    #[error("every layer needs at least one unit, got widths {widths:?}")]
    ZeroWidth {
        /// The layer widths, input to output.
        widths: Vec<usize>,
    },
    /// A parameter vector whose length does not fit the perceptron.
    #[error("{got} parameters for a perceptron of widths {widths:?}, which has {expected}")]
    ParameterCount {
        /// Parameters given.
        got: usize,
        /// The layer widths, input to output.
        widths: Vec<usize>,
        /// Parameters the perceptron has.
        expected: usize,
    },
    /// Two networks of one parameter vector share a name.
    #[error("two networks named '{name}' in one parameter vector")]
    DuplicateNetwork {
        /// The name.
        name: String,
    },
    /// A network whose input or output width does not fit the data it models.
    #[error("a network of {inputs} inputs and {outputs} outputs does not fit {fits}")]
    NetworkMismatch {
        /// The network's inputs.
        inputs: usize,
        /// The network's outputs.
        outputs: usize,
        /// What it should fit, in words (columns, time features, classes).
        fits: String,
    },
    /// An MMD generator whose output width is not the number of columns.
    #[error("a generator of {outputs} outputs does not fit {columns} columns")]
    GeneratorMismatch {
        /// The generator's outputs.
        outputs: usize,
        /// Columns of the data.
        columns: usize,
    },
    /// A gradient penalty on a network with more than one output.
    #[error("a gradient penalty needs a network with one output, this one has {outputs}")]
    NotScalar {
        /// The network's outputs.
        outputs: usize,
    },
    /// A training step whose parameter or gradient count differs from the
    /// earlier steps', or a step after training ended.
    #[error("a step of {params} parameters and {grads} gradients after {steps} steps of {expected} parameters{}", if *.ended { " (training had ended)" } else { "" })]
    StepMismatch {
        /// Parameters of this step.
        params: usize,
        /// Gradients of this step.
        grads: usize,
        /// Steps taken so far.
        steps: usize,
        /// Parameters of the earlier steps.
        expected: usize,
        /// Whether training had already ended.
        ended: bool,
    },
    /// A training step reports other loss terms than the earlier steps.
    #[error("step {step} reports loss terms {got:?}, earlier steps {earlier:?}")]
    TermsChanged {
        /// The step (1-based).
        step: usize,
        /// Its loss terms.
        got: Vec<String>,
        /// The earlier steps' loss terms.
        earlier: Vec<String>,
    },
    /// Data with no numeric values laid out in rows.
    #[error("no numeric columns to fit")]
    NoNumericData,
    /// A correlation matrix of the wrong size for the spec.
    #[error("a correlation matrix of {dim} x {dim} is needed, got {got} entries")]
    CorrelationSize {
        /// Columns of the spec.
        dim: usize,
        /// Entries given.
        got: usize,
    },
    /// Training labels that are not one per row below the class count.
    #[error("a class label per row, below the class count")]
    TrainingLabels,
    /// Sampling labels given to a flow fitted without classes.
    #[error("this flow was fitted without classes")]
    NoClasses,
    /// Sampling labels that are not one per row below the class count.
    #[error("one class below {classes} per row is needed")]
    SamplingLabels {
        /// The flow's class count.
        classes: usize,
    },
    /// A flow too wide for exact log-likelihoods.
    #[error("exact log-likelihoods need at most {max} columns, this flow has {dim}")]
    TooWideForLikelihood {
        /// The widest flow with a likelihood.
        max: usize,
        /// This flow's columns.
        dim: usize,
    },
    /// Trajectories asked of a model without exactly two numeric columns.
    #[error("trajectories are drawn for two-column models only")]
    NotTwoColumns,
    /// A class the model did not see in training.
    #[error(
        "class {label} was not seen in column {column} during training; known classes: {}",
        quote_all(.known.iter().map(String::as_str)),
        label = quote(.label),
        column = quote(.column)
    )]
    UnknownClass {
        /// The class asked for.
        label: String,
        /// The condition column.
        column: String,
        /// The classes seen in training.
        known: Vec<String>,
    },
    /// `--class` for a model fitted without a condition column.
    #[error("--class {label}: this model was fitted without a condition column")]
    ClassWithoutCondition {
        /// The class asked for.
        label: String,
    },
    /// `--guidance` for a model fitted without a condition column.
    #[error("--guidance {guidance}: guidance needs a model fitted with --condition")]
    GuidanceWithoutCondition {
        /// The guidance weight given.
        guidance: f32,
    },
    /// A table whose numeric columns are not the model's.
    #[error(
        "the table's numeric columns [{}] are not the model's [{}]",
        quote_all(.table.iter().map(String::as_str)),
        quote_all(.model.iter().map(String::as_str))
    )]
    ColumnsDiffer {
        /// The table's numeric columns.
        table: Vec<String>,
        /// The model's numeric columns.
        model: Vec<String>,
    },
    /// `--condition` names a column the table does not have.
    #[error(
        "--condition names column {name}, which the table does not have; its columns: {}",
        quote_all(.columns.iter().map(String::as_str)),
        name = quote(.name)
    )]
    MissingCondition {
        /// The column named.
        name: String,
        /// The table's columns.
        columns: Vec<String>,
    },
    /// A table with no rows.
    #[error("the table has no rows")]
    NoRows,
    /// A column with missing values.
    #[error(
        "column {column} has {count} missing values (the first at data row {first_row}); fill or drop them before fitting",
        column = quote(.column)
    )]
    MissingValues {
        /// The column.
        column: String,
        /// How many values are missing.
        count: usize,
        /// The first missing value's data row (1-based).
        first_row: usize,
    },
    /// A text column that is not the condition.
    #[error(
        "column {column} is not numeric (it holds text labels); pass --condition {column} to learn one model per class, or drop the column",
        column = quote(.column)
    )]
    TextColumn {
        /// The column.
        column: String,
    },
    /// A table with no numeric column besides the condition.
    #[error("the table has no numeric column to model")]
    NoNumericColumn,
    /// A column whose every value is missing.
    #[error(
        "column {column} has no value, only missing ones; drop the column before fitting",
        column = quote(.column)
    )]
    AllMissing {
        /// The column.
        column: String,
    },
    /// A likelihood asked of a model that encodes categorical columns,
    /// missing values, dates or IDs.
    #[error(
        "the model encodes column(s) {} as one-hot levels, missing-value flags, dates or IDs, so it has no \
         density over the table's values; a likelihood needs a model of numeric columns without missing values",
        quote_all(.columns.iter().map(String::as_str))
    )]
    NoTableDensity {
        /// The encoded columns.
        columns: Vec<String>,
    },
    /// A condition column of real numbers.
    #[error(
        "condition column {column} holds real numbers; a condition must be integer codes or text labels",
        column = quote(.column)
    )]
    RealCondition {
        /// The column.
        column: String,
    },
    /// A column so large that samples drawn a few deviations out would
    /// restore to infinity.
    #[error(
        "column {column} cannot be modelled: its mean {mean:e} and standard deviation {std:e} leave no \
         room for samples (|mean| + 10 std exceeds the largest number); rescale the column, e.g. divide it \
         by a power of ten",
        column = quote(.column)
    )]
    Unrepresentable {
        /// The column.
        column: String,
        /// Its mean.
        mean: f64,
        /// Its population standard deviation.
        std: f64,
    },
    /// A value whose standardised form is not a finite number.
    #[error(
        "row {row} of column {column} is {value:e}, too far outside the model's training range to \
         score (it standardises to a number beyond the network's range)",
        column = quote(.column)
    )]
    OutOfScale {
        /// The column.
        column: String,
        /// The 1-based data row.
        row: usize,
        /// The value.
        value: f64,
    },
    /// A log-likelihood that came out NaN or infinite.
    #[error(
        "the log-likelihood of row {row} is {value}: the row lies too far from the model's training data \
         to score"
    )]
    NonFiniteLikelihood {
        /// The 1-based data row.
        row: usize,
        /// The value computed.
        value: f64,
    },
    /// A model that could not be read back if it were written (NaN or
    /// infinite weights, or a header number that JSON cannot hold).
    #[error("the model cannot be saved, it could not be read back: {reason}")]
    Unsaveable {
        /// What would not read back.
        reason: String,
    },
    /// A mixed table could not be typed, fitted or conditioned.
    #[error(transparent)]
    Tabular(#[from] pushforward_tabular::TabularError),
    /// A table could not be built from generated columns.
    #[error(transparent)]
    Table(#[from] pushforward_core::TableError),
    /// A model header could not be written as JSON.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// Model tensors could not be serialised.
    #[error(transparent)]
    Tensors(#[from] safetensors::SafeTensorError),
    /// Sampling stopped (the cause is the error's source).
    #[error(transparent)]
    Sample(#[from] pushforward_core::SampleError),
    /// Sampling options the model's method does not take.
    #[error("{} {} not apply to a {method} model (it takes {})", .refused.join(", "), if .refused.len() == 1 { "does" } else { "do" }, if .accepted.is_empty() { "no sampling options".to_string() } else { .accepted.join(", ") })]
    OptionsNotAccepted {
        /// The options given that the method does not take.
        refused: Vec<&'static str>,
        /// The method.
        method: &'static str,
        /// The options it takes.
        accepted: Vec<&'static str>,
    },
    /// A likelihood asked of a method without one.
    #[error("a {method} model has no likelihood (flow-matching and flow models have one)")]
    NoLikelihood {
        /// The method.
        method: &'static str,
    },
    /// The loss became NaN or infinite.
    #[error("training diverged at step {step}: the loss is {loss}; try a smaller learning rate")]
    Diverged {
        /// Optimiser step (1-based) whose loss was not finite.
        step: usize,
        /// That loss.
        loss: f64,
    },
    /// Training stopped on request (Ctrl-C) before a model existed.
    #[error("interrupted at step {step}: no model was written")]
    Interrupted {
        /// Steps completed.
        step: usize,
    },
    /// Given pairs whose noise does not have one row per data row.
    #[error("given pairs need one noise row per data row: {noise} noise values for {data} data values")]
    PairCount {
        /// Noise values given.
        noise: usize,
        /// Data values given.
        data: usize,
    },
    /// A model file that is not a readable pushforward model.
    #[error("{path}: {reason}")]
    BadModelFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it, and what was expected.
        reason: String,
    },
    /// Reading or writing a file failed (the cause is the error's source).
    #[error("file '{}'", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A name that is not one of the known choices.
    #[error("unknown {what} '{name}'; known: {known}")]
    UnknownName {
        /// What was named.
        what: &'static str,
        /// The name given.
        name: String,
        /// The accepted names.
        known: String,
    },
    /// A setting that the Lipschitz constraint rules out, or needs.
    #[error("{reason}")]
    Lipschitz {
        /// What to change.
        reason: String,
    },
    /// Rows that do not fit a time-series shape, or a setting the dual
    /// divergence does not take.
    #[error("{reason}")]
    Shape {
        /// What does not fit, and what was expected.
        reason: String,
    },
    /// Two point sets, or a set and a model, of different dimensions.
    #[error("{what} has {got} coordinates per point, {expected} were expected")]
    Dimension {
        /// The set.
        what: &'static str,
        /// Its dimension.
        got: usize,
        /// The dimension expected.
        expected: usize,
    },
}

impl NeuralError {
    pub(crate) fn bad_file(path: &std::path::Path, reason: impl Into<String>) -> Self {
        NeuralError::BadModelFile {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
}
