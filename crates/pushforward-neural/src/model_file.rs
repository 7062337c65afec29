//! The model file container shared by every method: a safetensors file
//! whose metadata holds a JSON header under `"pushforward"`, and whose
//! tensors are the method's networks.
//!
//! # File format (version 2)
//!
//! ```text
//! u64 (little-endian) N | N bytes of JSON: tensor table + "__metadata__" | tensor bytes
//! ```
//! - Tensors are `F32`. A network named `P` is stored as, for each layer
//!   `l`, `P.l.weight` of shape `[in, out]` (input-major: `y = x W + b`, the
//!   transpose of PyTorch's `nn.Linear.weight`) and `P.l.bias` of shape
//!   `[out]`.
//! - `__metadata__["pushforward"]` holds the header as JSON: the common
//!   part every method writes ([`ModelHeader`]: `format`
//!   (`"pushforward-model"`), `version`, `software`, `method`, `columns`
//!   (name and kind, `float`, `int` or `categorical`, of each output column
//!   in the table's order), `rows` (training rows), `seed` and `training`
//!   (steps, losses, the loss curve)), and `body`, the method's own part:
//!   - `flow-matching` (network `velocity`): `numeric` (the network's
//!     columns and kinds, in its order), `standardisation` (`mean` and `std`
//!     per numeric column: the network sees `(x − mean)/std`), `condition`
//!     (the class column, its kind, labels and training counts, or null),
//!     `network` (widths and activation) and `settings`;
//!   - `score` (network `score`): `numeric`, `standardisation`, `levels`
//!     (`sigma_max`, `sigma_min` and `count` of the noise levels, in
//!     standardised units), `network` and `settings`;
//!   - `gpa` (no network; the tensor `targets`, `[rows, columns]`, the
//!     standardised training rows): `numeric`, `standardisation`,
//!     `source_scale` and `settings`;
//!   - `neural-joint` (network `generator`): `spec` (its TOML text),
//!     `correlation` (the Pearson target trained on), `match_marginals`,
//!     `network`, `settings` and `history` (each loss term per window);
//!   - `copula` (no tensors): `model` (the column schema, the split column
//!     and each group's weight, column laws, latent coordinates and latent
//!     correlation, see `pushforward-tabular`) and `training` (the training
//!     file's path, length, hash, held-out share and split seed, or absent);
//!   - `dual-divergence` (networks `dual.0`, `dual.1`, … (the stages of
//!     the dual function, summed) and `local.0`, … (one per neighbourhood
//!     of the localised variant); the tensor `rows`, `[rows, columns]`, the
//!     standardised training rows): `numeric`, `standardisation`,
//!     `settings`, `estimate`, `stages`, `local` and `memorisation`;
//!   - `flow` (networks `conditioner.0`, `conditioner.1`, …, one per
//!     coupling layer): `numeric`, `standardisation`, `conditioners` (each
//!     layer's network shape) and `settings` (layers, bins, bound, widths,
//!     batch, training).
//!
//! Loading reads the file once and checks the format name, the version and
//! the method before anything else, then decodes the common part and the
//! method's body (unknown fields are refused), then every tensor's name,
//! type and shape against the body's network shapes. A file of format
//! version 1 is refused with the command to refit it; a truncated, corrupt
//! or foreign file is an error naming the file and what was wrong.

use std::collections::HashMap;
use std::path::Path;

use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::error::NeuralError;
use crate::mlp::{Mlp, MlpShape};
use crate::train::TrainSummary;

/// The `format` field of every model file.
pub const FORMAT: &str = "pushforward-model";
/// The file format version written (and the newest read).
pub const VERSION: u32 = 2;
/// The metadata key holding the header.
const HEADER_KEY: &str = "pushforward";
/// The header field holding the method's own part.
const BODY: &str = "body";

/// The generative method of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Flow matching ([`crate::flow`]).
    FlowMatching,
    /// The neural joint generator of a spec ([`crate::joint`]).
    NeuralJoint,
    /// An MMD network ([`crate::mmd`]).
    Mmd,
    /// A score model ([`crate::score`]).
    Score,
    /// A normalizing flow of spline coupling layers ([`crate::nflow`]).
    #[serde(rename = "flow")]
    NormalizingFlow,
    /// Lipschitz-regularised generative particles ([`crate::gpa`]).
    Gpa,
    /// A Wasserstein GAN with the R1 + R2 penalty ([`crate::wgan`]).
    Wgan,
    /// A Gaussian copula of a mixed table ([`crate::tabular`]).
    Copula,
    /// Walks in the dual divergence space ([`crate::dualdiv`]).
    DualDivergence,
}

impl Method {
    /// Every method, in the order of `--help`.
    pub const ALL: [Method; 9] = [
        Method::Copula,
        Method::FlowMatching,
        Method::NeuralJoint,
        Method::Mmd,
        Method::Score,
        Method::NormalizingFlow,
        Method::Gpa,
        Method::Wgan,
        Method::DualDivergence,
    ];

    /// The methods `fit` learns from a table.
    pub const FIT: [Method; 8] = [
        Method::Copula,
        Method::FlowMatching,
        Method::Mmd,
        Method::Score,
        Method::NormalizingFlow,
        Method::Gpa,
        Method::Wgan,
        Method::DualDivergence,
    ];

    /// The name used on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            Method::FlowMatching => "flow-matching",
            Method::NeuralJoint => "neural-joint",
            Method::Mmd => "mmd",
            Method::Score => "score",
            Method::NormalizingFlow => "flow",
            Method::Gpa => "gpa",
            Method::Wgan => "wgan",
            Method::Copula => "copula",
            Method::DualDivergence => "dual-divergence",
        }
    }

    /// One line for `--help`.
    pub fn description(self) -> &'static str {
        match self {
            Method::FlowMatching => "flow matching with optimal-transport coupling and guidance",
            Method::NeuralJoint => {
                "a spec's marginals and correlation, learned on sets (generate --engine neural)"
            }
            Method::Mmd => "a generator trained by minimising the MMD to the data (one pass to sample)",
            Method::Score => {
                "a denoising score model over many noise levels, sampled by the probability-flow ODE or annealed Langevin dynamics"
            }
            Method::NormalizingFlow => {
                "a normalizing flow of spline coupling layers, by exact maximum likelihood (exact density)"
            }
            Method::Gpa => {
                "particles transported onto the stored data by a Lipschitz discriminator's gradient"
            }
            Method::Wgan => {
                "a generator trained against a critic with the R1 + R2 gradient penalty (one pass to sample)"
            }
            Method::DualDivergence => {
                "gradient walks between neighbouring rows in the one-dimensional space of a dual \
                 function of the KL divergence from the product of marginals (small sets of series)"
            }
            Method::Copula => {
                "a Gaussian copula of mixed columns with missing values, one per class of the most \
                 informative categorical column; exact conditional sampling (the default)"
            }
        }
    }

    /// The command that fits a model of this method, for messages.
    pub fn fit_command(self) -> &'static str {
        match self {
            Method::FlowMatching => "pushforward fit DATA --method flow-matching -o MODEL",
            Method::NeuralJoint => "pushforward generate SPEC --engine neural --save-model MODEL",
            Method::Mmd => "pushforward fit DATA --method mmd -o MODEL",
            Method::Score => "pushforward fit DATA --method score -o MODEL",
            Method::NormalizingFlow => "pushforward fit DATA --method flow -o MODEL",
            Method::Gpa => "pushforward fit DATA --method gpa -o MODEL",
            Method::Wgan => "pushforward fit DATA --method wgan -o MODEL",
            Method::Copula => "pushforward fit DATA -o MODEL",
            Method::DualDivergence => "pushforward fit DATA --method dual-divergence -o MODEL",
        }
    }
}

/// The kind of an output column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// Real numbers.
    Float,
    /// Integers.
    Int,
    /// Category labels.
    Categorical,
}

/// An output column of a model: its name and kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnInfo {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: ColumnKind,
}

/// The part of a model file's header every method writes (see the module
/// doc); the method's own part follows it under `body`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelHeader {
    /// Always [`FORMAT`].
    pub format: String,
    /// File format version.
    pub version: u32,
    /// The program that wrote the file.
    pub software: String,
    /// The method.
    pub method: Method,
    /// The output columns, in the table's order.
    pub columns: Vec<ColumnInfo>,
    /// Training rows.
    pub rows: usize,
    /// The seed of training.
    pub seed: u64,
    /// What training did.
    pub training: TrainSummary,
}

impl ModelHeader {
    /// The header of a model of `method` written by this build.
    pub(crate) fn new(
        method: Method,
        columns: Vec<ColumnInfo>,
        rows: usize,
        seed: u64,
        training: TrainSummary,
    ) -> ModelHeader {
        ModelHeader {
            format: FORMAT.into(),
            version: VERSION,
            software: concat!("pushforward ", env!("CARGO_PKG_VERSION")).into(),
            method,
            columns,
            rows,
            seed,
            training,
        }
    }
}

/// A model file read and checked: the common header, the method's body
/// (still JSON) and the tensors.
pub(crate) struct Decoded<'a> {
    /// The common part.
    pub(crate) header: ModelHeader,
    /// The method's part.
    body: serde_json::Value,
    /// The networks.
    pub(crate) tensors: SafeTensors<'a>,
}

impl Decoded<'_> {
    /// The method's part as `B`.
    pub(crate) fn body<B: DeserializeOwned>(&mut self) -> Result<B, String> {
        from_json(self.body.take(), "body.").map_err(|e| {
            format!(
                "the {} part of the header is malformed: {e}",
                self.header.method.name()
            )
        })
    }
}

/// `value` as `T`; the error names the field that does not fit (its path
/// after `prefix`), and says where a `null` stands for a number (JSON has
/// no NaN or infinity, so a non-finite number is written as `null`).
fn from_json<T: DeserializeOwned>(value: serde_json::Value, prefix: &str) -> Result<T, String> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        let hint = if inner.to_string().contains("null") {
            " (a number that was NaN or infinite when the file was written)"
        } else {
            ""
        };
        format!("field '{prefix}{field}': {inner}{hint}")
    })
}

/// The file's bytes: `header` with `body` as JSON metadata and each named
/// network.
///
/// The header and the body are read back before anything is written, and
/// every weight must be finite, so a file written is a file [`decode`]
/// accepts.
pub(crate) fn encode<B: Serialize + DeserializeOwned>(
    header: &ModelHeader,
    body: &B,
    networks: &[(&str, &Mlp)],
) -> Result<Vec<u8>, NeuralError> {
    encode_with_matrices(header, body, networks, &[])
}

/// [`encode`] with plain `F32` matrices beside the networks: `(name, rows,
/// columns, row-major values)` (a stored sample, say). Every value must be
/// finite.
pub(crate) fn encode_with_matrices<B: Serialize + DeserializeOwned>(
    header: &ModelHeader,
    body: &B,
    networks: &[(&str, &Mlp)],
    matrices: &[(&str, usize, usize, &[f32])],
) -> Result<Vec<u8>, NeuralError> {
    let unsaveable = |reason: String| NeuralError::Unsaveable { reason };
    if let Some((name, _)) = networks
        .iter()
        .find(|(_, mlp)| mlp.params().iter().any(|p| !p.is_finite()))
    {
        return Err(unsaveable(format!("network '{name}' has non-finite weights")));
    }
    if let Some((name, ..)) = matrices
        .iter()
        .find(|(_, _, _, values)| values.iter().any(|v| !v.is_finite()))
    {
        return Err(unsaveable(format!("tensor '{name}' has non-finite values")));
    }
    let mut value = serde_json::to_value(header).map_err(NeuralError::Json)?;
    let body = serde_json::to_value(body).map_err(NeuralError::Json)?;
    from_json::<ModelHeader>(value.clone(), "").map_err(unsaveable)?;
    from_json::<B>(body.clone(), "body.").map_err(unsaveable)?;
    if let Some(fields) = value.as_object_mut() {
        fields.insert(BODY.into(), body);
    }
    let header = serde_json::to_string(&value).map_err(NeuralError::Json)?;
    let tensors: Vec<(String, Vec<usize>, Vec<u8>)> = networks
        .iter()
        .flat_map(|(prefix, mlp)| network_tensors(prefix, mlp))
        .chain(matrices.iter().map(|(name, rows, cols, values)| {
            let bytes = values.iter().flat_map(|x| x.to_le_bytes()).collect();
            ((*name).to_owned(), vec![*rows, *cols], bytes)
        }))
        .collect();
    let views = tensors
        .iter()
        .map(|(name, shape, bytes)| Ok((name.clone(), TensorView::new(Dtype::F32, shape.clone(), bytes)?)))
        .collect::<Result<Vec<_>, safetensors::SafeTensorError>>()
        .map_err(NeuralError::Tensors)?;
    let metadata = HashMap::from([(HEADER_KEY.to_string(), header)]);
    safetensors::serialize(views, Some(metadata)).map_err(NeuralError::Tensors)
}

/// Writes `bytes` to `path` atomically (see [`pushforward_core::atomic`]).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), NeuralError> {
    pushforward_core::atomic::write_atomic(path, bytes).map_err(|source| NeuralError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The bytes of the file at `path`.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, NeuralError> {
    std::fs::read(path).map_err(|source| NeuralError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The checked header (format, version and a known method), the method's
/// body and the tensors of a model file's bytes; `path` names it in errors.
pub(crate) fn decode<'a>(bytes: &'a [u8], path: &Path) -> Result<Decoded<'a>, NeuralError> {
    let bad = |reason: String| NeuralError::bad_file(path, reason);
    let (_, metadata) = SafeTensors::read_metadata(bytes).map_err(|e| {
        bad(format!(
            "not a pushforward model file (unreadable safetensors layout: {e}); was it truncated?"
        ))
    })?;
    let text = metadata
        .metadata()
        .as_ref()
        .and_then(|m| m.get(HEADER_KEY))
        .ok_or_else(|| {
            bad("a safetensors file without a pushforward header: not a model written by pushforward".into())
        })?;
    let mut value = check_header(text).map_err(bad)?;
    let body = value
        .as_object_mut()
        .and_then(|fields| fields.remove(BODY))
        .ok_or_else(|| bad("the model header has no method body".into()))?;
    let header: ModelHeader =
        from_json(value, "").map_err(|e| bad(format!("the model header is malformed: {e}")))?;
    let tensors = SafeTensors::deserialize(bytes).map_err(|e| bad(format!("corrupt tensor data: {e}")))?;
    Ok(Decoded {
        header,
        body,
        tensors,
    })
}

/// Checks the format, version and method before reading the rest.
fn check_header(text: &str) -> Result<serde_json::Value, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("the model header is not valid JSON ({e})"))?;
    let format = value.get("format").and_then(|f| f.as_str());
    if format != Some(FORMAT) {
        let found = format.map_or_else(|| "missing".to_string(), |f| format!("'{f}'"));
        return Err(format!(
            "not a pushforward model: the header's format is {found}, expected '{FORMAT}'"
        ));
    }
    let method = value.get("method").and_then(|m| m.as_str()).unwrap_or("(none)");
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(VERSION) => {}
        Some(1) => {
            let refit = Method::ALL.iter().find(|m| m.name() == method).map_or_else(
                || "the command that wrote it".to_string(),
                |m| format!("`{}`", m.fit_command()),
            );
            return Err(format!(
                "model format version 1 is no longer read (this build reads version {VERSION}); \
                 refit the model with {refit}"
            ));
        }
        Some(v) => {
            return Err(format!(
                "model format version {v}, but this build of pushforward reads version {VERSION}; \
                 use the pushforward release that wrote it"
            ));
        }
        None => return Err("the model header has no format version".into()),
    }
    if !Method::ALL.iter().any(|m| m.name() == method) {
        let known: Vec<&str> = Method::ALL.iter().map(|m| m.name()).collect();
        return Err(format!(
            "method '{method}' is not known to this build (it knows {})",
            known.join(", ")
        ));
    }
    Ok(value)
}

/// Each layer's weight and bias as `(name, shape, little-endian bytes)`.
fn network_tensors(prefix: &str, mlp: &Mlp) -> Vec<(String, Vec<usize>, Vec<u8>)> {
    let shape = mlp.shape();
    let mut widths = vec![shape.input];
    widths.extend(&shape.hidden);
    widths.push(shape.output);
    let mut params = mlp.params();
    let mut out = Vec::new();
    for (l, w) in widths.windows(2).enumerate() {
        let (weight, rest) = params.split_at(w[0] * w[1]);
        let (bias, rest) = rest.split_at(w[1]);
        params = rest;
        let bytes = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        out.push((format!("{prefix}.{l}.weight"), vec![w[0], w[1]], bytes(weight)));
        out.push((format!("{prefix}.{l}.bias"), vec![w[1]], bytes(bias)));
    }
    out
}

/// The network `prefix` of `shape` from the file's tensors.
pub(crate) fn network(tensors: &SafeTensors<'_>, prefix: &str, shape: &MlpShape) -> Result<Mlp, String> {
    let mut widths = vec![shape.input];
    widths.extend(&shape.hidden);
    widths.push(shape.output);
    // Grown tensor by tensor: the header's widths are not trusted to size
    // an allocation before the file's tensors have matched them.
    let mut params = Vec::new();
    for (l, w) in widths.windows(2).enumerate() {
        for (name, want) in [
            (format!("{prefix}.{l}.weight"), vec![w[0], w[1]]),
            (format!("{prefix}.{l}.bias"), vec![w[1]]),
        ] {
            let t = tensors
                .tensor(&name)
                .map_err(|_| format!("tensor '{name}' is missing"))?;
            if t.dtype() != Dtype::F32 || t.shape() != want.as_slice() {
                return Err(format!(
                    "tensor '{name}' is {:?} {:?}, the header's network needs F32 {want:?}",
                    t.dtype(),
                    t.shape()
                ));
            }
            params.extend(
                t.data()
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            );
        }
    }
    if params.iter().any(|p| !p.is_finite()) {
        return Err(format!("network '{prefix}' has non-finite weights"));
    }
    Mlp::from_params(shape.clone(), params).map_err(|e| e.to_string())
}

/// The `F32` matrix `name` of `rows × cols` from the file's tensors, all finite.
pub(crate) fn matrix(
    tensors: &SafeTensors<'_>,
    name: &str,
    rows: usize,
    cols: usize,
) -> Result<Vec<f32>, String> {
    let t = tensors
        .tensor(name)
        .map_err(|_| format!("tensor '{name}' is missing"))?;
    if t.dtype() != Dtype::F32 || t.shape() != [rows, cols] {
        return Err(format!(
            "tensor '{name}' is {:?} {:?}, the header needs F32 [{rows}, {cols}]",
            t.dtype(),
            t.shape()
        ));
    }
    let values: Vec<f32> = t
        .data()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    if values.iter().any(|v| !v.is_finite()) {
        return Err(format!("tensor '{name}' has non-finite values"));
    }
    Ok(values)
}

#[cfg(test)]
mod tests;
