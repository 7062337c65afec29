//! Where each layer of a perceptron lives in a flat parameter vector, and
//! how several perceptrons share one vector.
//!
//! A network of widths `n₀, …, n_L` stores, layer by layer, `W_l`
//! (`n_l × n_{l+1}`, input-major, row-major) followed by `b_l` (`n_{l+1}`),
//! so it holds `Σ_l (n_l + 1)·n_{l+1}` values. The ranges are public so that
//! a model can re-parameterise a layer (spectral or weight normalisation)
//! before a pass. A [`ParamLayout`] places several networks one after the
//! other in one vector (a flow's conditioners, a critic beside a
//! generator), so one optimiser and one model file see a single slice.

use std::ops::Range;

use rand::Rng;

use crate::error::NeuralError;
use crate::mlp::MlpShape;

/// Where one layer's weights and bias live in its network's parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerSpan {
    /// Inputs of the layer.
    pub fan_in: usize,
    /// Outputs of the layer.
    pub fan_out: usize,
    /// `W` (`fan_in × fan_out`, row-major: `y = x W + b`).
    pub weights: Range<usize>,
    /// `b` (`fan_out`).
    pub bias: Range<usize>,
}

/// A perceptron's shape and its layers' places in a parameter slice: what a
/// pass needs besides the parameters themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Architecture {
    shape: MlpShape,
    layers: Vec<LayerSpan>,
    count: usize,
}

impl Architecture {
    /// The layers of `shape`.
    ///
    /// # Errors
    /// [`NeuralError::ZeroWidth`] for a layer of width zero.
    pub fn new(shape: MlpShape) -> Result<Architecture, NeuralError> {
        let widths = shape.widths();
        if widths.contains(&0) {
            return Err(NeuralError::ZeroWidth { widths });
        }
        let mut offset = 0;
        let layers = widths
            .windows(2)
            .map(|w| {
                let (fan_in, fan_out) = (w[0], w[1]);
                let bias_start = offset + fan_in * fan_out;
                let span = LayerSpan {
                    fan_in,
                    fan_out,
                    weights: offset..bias_start,
                    bias: bias_start..bias_start + fan_out,
                };
                offset = bias_start + fan_out;
                span
            })
            .collect();
        Ok(Architecture {
            shape,
            layers,
            count: offset,
        })
    }

    /// The shape.
    pub fn shape(&self) -> &MlpShape {
        &self.shape
    }

    /// The layers, input first.
    pub fn layers(&self) -> &[LayerSpan] {
        &self.layers
    }

    /// Number of weights and biases.
    pub fn parameter_count(&self) -> usize {
        self.count
    }

    /// Fills `params` with PyTorch's `nn.Linear` default: every weight and
    /// bias uniform on `±1/√fan_in`.
    ///
    /// # Errors
    /// [`NeuralError::ParameterCount`] when `params` does not fit.
    pub fn initialise(&self, params: &mut [f32], rng: &mut impl Rng) -> Result<(), NeuralError> {
        self.check_len(params.len())?;
        self.fill(params, rng);
        Ok(())
    }

    /// [`Architecture::initialise`] on a slice known to fit.
    fn fill(&self, params: &mut [f32], rng: &mut impl Rng) {
        for layer in &self.layers {
            let bound = 1.0 / (layer.fan_in as f32).sqrt();
            for p in &mut params[layer.weights.start..layer.bias.end] {
                *p = rng.random_range(-bound..bound);
            }
        }
    }

    /// Checks that `len` parameters fit this network.
    pub(crate) fn check_len(&self, len: usize) -> Result<(), NeuralError> {
        if len != self.count {
            return Err(NeuralError::ParameterCount {
                got: len,
                widths: self.shape.widths(),
                expected: self.count,
            });
        }
        Ok(())
    }
}

/// Several named networks in one parameter vector, each in its own range.
///
/// ```
/// use pushforward_neural::{Activation, MlpShape, ParamLayout};
/// let shape = |input| MlpShape { input, hidden: vec![8], output: 1, activation: Activation::Silu };
/// let mut layout = ParamLayout::default();
/// let critic = layout.push("critic", shape(2)).unwrap();
/// let other = layout.push("other", shape(3)).unwrap();
/// assert_eq!((critic.start, critic.end, other.end), (0, 33, 33 + 41));
/// assert_eq!(layout.len(), 74);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ParamLayout {
    entries: Vec<(String, Architecture, Range<usize>)>,
    len: usize,
}

impl ParamLayout {
    /// Appends a network named `name` and returns its range.
    ///
    /// # Errors
    /// [`NeuralError::DuplicateNetwork`] for a name already used or
    /// [`NeuralError::ZeroWidth`] for a layer of width zero.
    pub fn push(&mut self, name: &str, shape: MlpShape) -> Result<Range<usize>, NeuralError> {
        if self.find(name).is_some() {
            return Err(NeuralError::DuplicateNetwork {
                name: name.to_owned(),
            });
        }
        let arch = Architecture::new(shape)?;
        let range = self.len..self.len + arch.parameter_count();
        self.len = range.end;
        self.entries.push((name.to_owned(), arch, range.clone()));
        Ok(range)
    }

    /// Total parameters of every network.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no network holds a parameter.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The network named `name` and its range, if any.
    pub fn find(&self, name: &str) -> Option<(&Architecture, Range<usize>)> {
        self.entries
            .iter()
            .find(|(n, ..)| n == name)
            .map(|(_, arch, range)| (arch, range.clone()))
    }

    /// Every network in order: name, architecture, range.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Architecture, Range<usize>)> {
        self.entries
            .iter()
            .map(|(n, arch, range)| (n.as_str(), arch, range.clone()))
    }

    /// A whole vector initialised network by network (see
    /// [`Architecture::initialise`]).
    pub fn initialise(&self, rng: &mut impl Rng) -> Vec<f32> {
        let mut params = vec![0.0; self.len];
        for (_, arch, range) in &self.entries {
            arch.fill(&mut params[range.clone()], rng);
        }
        params
    }
}
