//! The model file container shared by every method: a safetensors file
//! whose metadata holds the method's JSON header under `"pushforward"`, and
//! whose tensors are the method's networks.
//!
//! A network named `P` is stored as, for each layer `l`, `P.l.weight` of
//! shape `[in, out]` (input-major: `y = x W + b`, the transpose of PyTorch's
//! `nn.Linear.weight`) and `P.l.bias` of shape `[out]`, all `F32`. Every
//! header starts with `format` (`"pushforward-model"`), `version` and
//! `method`; loading checks those three before anything else, then every
//! tensor's name, type and shape against the header's network shapes.

use std::collections::HashMap;
use std::path::Path;

use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::error::NeuralError;
use crate::mlp::{Mlp, MlpShape};

/// The `format` field of every model file.
pub const FORMAT: &str = "pushforward-model";
/// The file format version written (and the newest read).
pub const VERSION: u32 = 1;
/// The metadata key holding the header.
const HEADER_KEY: &str = "pushforward";

/// The generative method of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Flow matching ([`crate::flow`]).
    FlowMatching,
    /// The neural joint generator of a spec ([`crate::joint`]).
    NeuralJoint,
}

impl Method {
    /// Every method, in the order of `--help`.
    pub const ALL: [Method; 2] = [Method::FlowMatching, Method::NeuralJoint];

    /// The methods `fit` learns from a table.
    pub const FIT: [Method; 1] = [Method::FlowMatching];

    /// The name used on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            Method::FlowMatching => "flow-matching",
            Method::NeuralJoint => "neural-joint",
        }
    }

    /// One line for `--help`.
    pub fn description(self) -> &'static str {
        match self {
            Method::FlowMatching => "flow matching with optimal-transport coupling and guidance",
            Method::NeuralJoint => {
                "a spec's marginals and correlation, learned on sets (generate --engine neural)"
            }
        }
    }
}

/// The file's bytes: `header` as JSON metadata and each named network.
pub(crate) fn encode(header: &impl Serialize, networks: &[(&str, &Mlp)]) -> Result<Vec<u8>, NeuralError> {
    let header = serde_json::to_string(header).map_err(|e| NeuralError::BadConfig(e.to_string()))?;
    let tensors: Vec<(String, Vec<usize>, Vec<u8>)> = networks
        .iter()
        .flat_map(|(prefix, mlp)| network_tensors(prefix, mlp))
        .collect();
    let views = tensors
        .iter()
        .map(|(name, shape, bytes)| Ok((name.clone(), TensorView::new(Dtype::F32, shape.clone(), bytes)?)))
        .collect::<Result<Vec<_>, safetensors::SafeTensorError>>()
        .map_err(|e| NeuralError::BadConfig(e.to_string()))?;
    let metadata = HashMap::from([(HEADER_KEY.to_string(), header)]);
    safetensors::serialize(views, Some(metadata)).map_err(|e| NeuralError::BadConfig(e.to_string()))
}

/// Writes `bytes` to `path` atomically (see [`pushforward_core::atomic`]).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), NeuralError> {
    pushforward_core::atomic::write_atomic(path, bytes).map_err(|source| NeuralError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The checked header (format, version and a known method) as JSON, and
/// the tensors.
pub(crate) fn decode<'a>(
    bytes: &'a [u8],
    path: &Path,
) -> Result<(serde_json::Value, SafeTensors<'a>), NeuralError> {
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
    let value = check_header(text).map_err(bad)?;
    let tensors = SafeTensors::deserialize(bytes).map_err(|e| bad(format!("corrupt tensor data: {e}")))?;
    Ok((value, tensors))
}

/// The method of the model file at `path`.
///
/// # Errors
/// As loading: [`NeuralError::Io`] or [`NeuralError::BadModelFile`].
pub fn method_of(path: &Path) -> Result<Method, NeuralError> {
    let (value, _) = decode(&read(path)?, path)?;
    serde_json::from_value(value["method"].clone()).map_err(|e| NeuralError::bad_file(path, e.to_string()))
}

/// The bytes of the file at `path`.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, NeuralError> {
    std::fs::read(path).map_err(|source| NeuralError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The typed header of a file expected to hold `method`.
pub(crate) fn header<H: DeserializeOwned>(value: serde_json::Value, method: Method) -> Result<H, String> {
    let found = value.get("method").and_then(|m| m.as_str()).unwrap_or("(none)");
    if found != method.name() {
        return Err(format!(
            "a '{found}' model where a '{}' model was expected",
            method.name()
        ));
    }
    serde_json::from_value(value).map_err(|e| format!("the model header is malformed: {e}"))
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
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(VERSION) => {}
        Some(v) => {
            return Err(format!(
                "model format version {v}, but this build of pushforward reads version {VERSION}; \
                 use the pushforward release that wrote it"
            ));
        }
        None => return Err("the model header has no format version".into()),
    }
    let method = value.get("method").and_then(|m| m.as_str()).unwrap_or("(none)");
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
    let mut params = Vec::with_capacity(shape.parameter_count());
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
