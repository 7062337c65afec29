//! The learned velocity field `v_θ(x, t, y)` and its classifier-free
//! guidance (Ho and Salimans 2022):
//!
//! ```text
//! v_w(x, t, y) = v(x, t, ∅) + w·(v(x, t, y) − v(x, t, ∅))
//! ```
//! `w = 1` is the plain conditional field, `w = 0` the unconditional one,
//! `w > 1` sharpens each class (the seed uses 3). Both branches are
//! evaluated in one pass over a doubled batch.

use crate::embedding::InputLayout;
use crate::mlp::{Mlp, Tape};

/// A perceptron read as a velocity field over standardised data.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub(crate) mlp: Mlp,
    pub(crate) layout: InputLayout,
}

/// Per-row labels and guidance weight for evaluating a [`Field`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Guide<'a> {
    /// One class per row, or `None` for the unconditional field.
    pub(crate) labels: Option<&'a [u32]>,
    /// Guidance weight `w`.
    pub(crate) weight: f32,
}

impl Field {
    /// Builds the input rows for points `x` at time `t` with `labels`
    /// (`None`: the null class) into `inputs`.
    pub(crate) fn inputs(&self, x: &[f32], t: f32, labels: Option<&[u32]>, inputs: &mut Vec<f32>) {
        let (d, w) = (self.layout.dim, self.layout.width());
        let rows = x.len() / d;
        inputs.resize(rows * w, 0.0);
        for (r, (xr, row)) in x.chunks_exact(d).zip(inputs.chunks_exact_mut(w)).enumerate() {
            let label = labels.map_or(self.layout.classes, |l| l[r] as usize);
            self.layout.write(xr, t, label, row);
        }
    }

    /// `v_w(x, t, y)` for every row of `x` into `out`.
    pub(crate) fn velocity(
        &self,
        x: &[f32],
        t: f32,
        guide: Guide<'_>,
        scratch: &mut Scratch,
        out: &mut [f32],
    ) {
        let rows = x.len() / self.layout.dim;
        match guide.labels {
            Some(labels) if guide.weight != 1.0 => {
                // Rows [0, n) unconditional, [n, 2n) conditional, in one pass.
                let w = self.layout.width();
                self.inputs(x, t, None, &mut scratch.inputs);
                let mut cond = std::mem::take(&mut scratch.cond);
                self.inputs(x, t, Some(labels), &mut cond);
                scratch.inputs.truncate(rows * w);
                scratch.inputs.extend_from_slice(&cond);
                scratch.cond = cond;
                let y = self
                    .mlp
                    .view()
                    .forward(&scratch.inputs, 2 * rows, &mut scratch.tape);
                let (uncond, cond) = y.split_at(out.len());
                for ((o, u), c) in out.iter_mut().zip(uncond).zip(cond) {
                    *o = u + guide.weight * (c - u);
                }
            }
            labels => {
                self.inputs(x, t, labels, &mut scratch.inputs);
                out.copy_from_slice(self.mlp.view().forward(&scratch.inputs, rows, &mut scratch.tape));
            }
        }
    }
}

/// Buffers reused across evaluations of a [`Field`].
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    inputs: Vec<f32>,
    cond: Vec<f32>,
    tape: Tape,
}
