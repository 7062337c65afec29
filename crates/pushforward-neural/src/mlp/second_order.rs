//! Gradient penalties: the parameter gradient of a function of the input
//! gradient of a scalar network `D`, by a tangent pass and a backward pass
//! that carries tangents (Pearlmutter 1994, "Fast exact multiplication by
//! the Hessian": the R-operator), with no tape or graph.
//!
//! For rows `x_r`, `g_r = ∇ₓD(x_r)` (a backward pass with `∂L/∂y = 1`) and
//! caller-supplied `u_r = ∂Π/∂g_r` of a penalty `Π(g)`, the chain rule
//! gives `∇θ Π = ∇θ Σᵣ ⟨u_r, g_r(θ)⟩` with `u` held fixed, and
//! `⟨u_r, ∇ₓD(x_r)⟩ = ẏ_r`, the tangent of the output along `ẋ = u_r`. So
//! the penalty's gradient is the reverse pass of the forward-plus-tangent
//! computation, seeded with `∂/∂ẏ = 1` (and `∂/∂y = d_out` when a plain
//! loss on `D(x)` is folded into the same pass); the recursion is in
//! [`crate::mlp`]. For R1/R2 (Mescheder, Geiger and Nowozin 2018, "Which
//! training methods for GANs do actually converge?") `Π = Σᵣ wᵣ ½‖g_r‖²`
//! and `u_r = wᵣ g_r`; for WGAN-GP (Gulrajani et al. 2017)
//! `u_r = wᵣ(‖g_r‖ − 1) g_r/‖g_r‖`.

use rayon::prelude::*;

use crate::error::NeuralError;
use crate::mlp::SHARD_ROWS;
use crate::mlp::view::{Grads, MlpView, ParamGrad, Tape};

impl MlpView<'_> {
    /// `D(x_r)` (`rows`) and `∇ₓD(x_r)` into `d_input` (`rows × input`) for
    /// a network with one output; the values stay in `tape` for
    /// [`MlpView::penalty_backward`].
    ///
    /// # Errors
    /// [`NeuralError::NotScalar`] when the network has more than one output.
    pub fn input_gradient<'t>(
        &self,
        x: &[f32],
        rows: usize,
        tape: &'t mut Tape,
        d_input: &mut [f32],
    ) -> Result<&'t [f32], NeuralError> {
        self.check_scalar()?;
        self.forward(x, rows, tape);
        let ones = vec![1.0f32; rows];
        self.backward(tape, &ones, Grads::input(d_input));
        Ok(tape.output())
    }

    /// `∇θ Σᵣ ⟨u_r, ∇ₓD(x_r)⟩` (plus `∇θ Σᵣ d_out_r·D(x_r)` when `d_out`
    /// is given) into `grad`, for `u` (`rows × input`) and the rows of the
    /// last [`MlpView::forward`] on `tape`, of a network with one output.
    ///
    /// # Errors
    /// [`NeuralError::NotScalar`] when the network has more than one output.
    pub fn penalty_backward(
        &self,
        tape: &mut Tape,
        u: &[f32],
        d_out: Option<&[f32]>,
        grad: ParamGrad<'_>,
    ) -> Result<(), NeuralError> {
        self.check_scalar()?;
        let rows = tape.rows;
        assert_eq!(u.len(), rows * self.shape().input, "penalty direction size");
        self.tangent_pass(u, 1, tape);
        match d_out {
            Some(d_out) => {
                assert_eq!(d_out.len(), rows, "output gradient size");
                tape.shards
                    .par_iter_mut()
                    .zip(d_out.par_chunks(SHARD_ROWS))
                    .for_each(|(shard, d)| shard.backward_second(self, Some(d)));
            }
            None => tape
                .shards
                .par_iter_mut()
                .for_each(|shard| shard.backward_second(self, None)),
        }
        self.reduce(&tape.shards, grad);
        Ok(())
    }

    /// The R1/R2 penalty `Σᵣ wᵣ ½‖∇ₓD(x_r)‖²` of the rows `x`
    /// (`rows × input`) with weights `w` (`rows`), its parameter gradient
    /// into `grad`; `D(x)` stays in `tape`.
    ///
    /// # Errors
    /// [`NeuralError::NotScalar`] when the network has more than one output.
    pub fn r1_penalty(
        &self,
        x: &[f32],
        rows: usize,
        w: &[f32],
        tape: &mut Tape,
        grad: ParamGrad<'_>,
    ) -> Result<f64, NeuralError> {
        assert_eq!(w.len(), rows, "penalty weight count");
        let input = self.shape().input;
        let mut u = vec![0.0f32; rows * input];
        self.input_gradient(x, rows, tape, &mut u)?;
        let mut penalty = 0.0f64;
        for (g, &w) in u.chunks_exact_mut(input.max(1)).zip(w) {
            penalty += 0.5 * f64::from(w) * g.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>();
            g.iter_mut().for_each(|v| *v *= w);
        }
        self.penalty_backward(tape, &u, None, grad)?;
        Ok(penalty)
    }

    fn check_scalar(&self) -> Result<(), NeuralError> {
        match self.shape().output {
            1 => Ok(()),
            n => Err(NeuralError::NotScalar { outputs: n }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::Activation;
    use crate::mlp::{Mlp, MlpShape};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    const ROWS: usize = 2 * SHARD_ROWS + 9;

    fn critic(activation: Activation, seed: u64) -> Mlp {
        let shape = MlpShape {
            input: 2,
            hidden: vec![7, 5],
            output: 1,
            activation,
        };
        Mlp::new(shape, &mut ChaCha8Rng::seed_from_u64(seed)).expect("valid shape")
    }

    fn uniform(n: usize, range: std::ops::Range<f32>, seed: u64) -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n).map(|_| rng.random_range(range.clone())).collect()
    }

    fn penalty(mlp: &Mlp, x: &[f32], w: &[f32]) -> f64 {
        let mut tape = Tape::default();
        mlp.view()
            .r1_penalty(x, ROWS, w, &mut tape, ParamGrad::Skip)
            .expect("one output")
    }

    /// `∇θ Σ wᵣ ½‖∇ₓD(xᵣ)‖²` against central differences of the penalty
    /// over three shards, for the smooth activations (a difference across
    /// a ReLU kink is not a derivative).
    #[test]
    fn the_penalty_gradient_matches_finite_differences() {
        for act in [Activation::Silu, Activation::Gelu, Activation::Elu] {
            let mut mlp = critic(act, 1);
            let x = uniform(ROWS * 2, -2.0..2.0, 2);
            let w: Vec<f32> = uniform(ROWS, 0.5..1.5, 3)
                .iter()
                .map(|w| w / ROWS as f32)
                .collect();
            let mut grad = vec![0.0; mlp.params().len()];
            let mut tape = Tape::default();
            let value = mlp
                .view()
                .r1_penalty(&x, ROWS, &w, &mut tape, ParamGrad::Overwrite(&mut grad));
            assert!(value.expect("one output") > 0.0);
            for i in (0..grad.len()).step_by(3) {
                let h = 1e-2f32;
                let keep = mlp.params[i];
                mlp.params[i] = keep + h;
                let up = penalty(&mlp, &x, &w);
                mlp.params[i] = keep - h;
                let down = penalty(&mlp, &x, &w);
                mlp.params[i] = keep;
                let fd = (up - down) / (2.0 * h as f64);
                let tol = 5e-3 * (1.0 + fd.abs());
                assert!(
                    (grad[i] as f64 - fd).abs() < tol,
                    "{act:?} parameter {i}: {} vs {fd}",
                    grad[i]
                );
            }
        }
    }

    /// A loss on `D(x)` folded into the penalty pass adds its plain
    /// backward gradient; on top of a gradient already there.
    #[test]
    fn a_folded_loss_adds_its_gradient() {
        let mlp = critic(Activation::Gelu, 4);
        let x = uniform(ROWS * 2, -2.0..2.0, 5);
        let (u, c) = (uniform(ROWS * 2, -1.0..1.0, 6), uniform(ROWS, -1.0..1.0, 7));
        let n = mlp.params().len();
        let (mut plain, mut pen, mut both) = (vec![0.0; n], vec![0.0; n], vec![1.0; n]);
        let mut tape = Tape::default();
        let view = mlp.view();
        view.forward(&x, ROWS, &mut tape);
        view.backward(&mut tape, &c, Grads::params(&mut plain));
        view.penalty_backward(&mut tape, &u, None, ParamGrad::Overwrite(&mut pen))
            .expect("one output");
        view.penalty_backward(&mut tape, &u, Some(&c), ParamGrad::Accumulate(&mut both))
            .expect("one output");
        for i in 0..n {
            let want = 1.0 + plain[i] + pen[i];
            assert!(
                (both[i] - want).abs() < 1e-4 * (1.0 + want.abs()),
                "{i}: {} vs {want}",
                both[i]
            );
        }
    }

    /// The penalty and its gradient are the same bytes on one thread and
    /// on several.
    #[test]
    fn the_penalty_is_identical_across_thread_counts() {
        let mlp = critic(Activation::Silu, 8);
        let x = uniform(ROWS * 2, -2.0..2.0, 9);
        let w = vec![1.0; ROWS];
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a pool");
            pool.install(|| {
                let mut grad = vec![0.0; mlp.params().len()];
                let mut tape = Tape::default();
                let value = mlp
                    .view()
                    .r1_penalty(&x, ROWS, &w, &mut tape, ParamGrad::Overwrite(&mut grad))
                    .expect("one output");
                (
                    value.to_bits(),
                    grad.iter().map(|g| g.to_bits()).collect::<Vec<_>>(),
                )
            })
        };
        assert_eq!(run(1), run(3));
    }

    #[test]
    fn a_penalty_needs_one_output() {
        let shape = MlpShape {
            input: 2,
            hidden: vec![3],
            output: 2,
            activation: Activation::Silu,
        };
        let mlp = Mlp::new(shape, &mut ChaCha8Rng::seed_from_u64(10)).expect("valid shape");
        let mut tape = Tape::default();
        let r = mlp
            .view()
            .r1_penalty(&[0.0; 4], 2, &[1.0; 2], &mut tape, ParamGrad::Skip);
        assert!(matches!(r, Err(NeuralError::NotScalar { outputs: 2 })));
    }
}
