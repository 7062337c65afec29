//! Fixed-step solvers of the sampling ODE `dx/dt = v(x, t)`, run backwards
//! from noise at `t = 1` to data at `t = 0` in `K` equal steps `h = 1/K`:
//!
//! ```text
//! euler:     x ← x − h·v(x, t)
//! midpoint:  x ← x − h·v(x − ½h·v(x, t), t − ½h)
//! rk4:       k₁ = v(x, t), k₂ = v(x − ½h k₁, t − ½h), k₃ = v(x − ½h k₂, t − ½h),
//!            k₄ = v(x − h k₃, t − h);   x ← x − h(k₁ + 2k₂ + 2k₃ + k₄)/6
//! ```
//! Evaluations of `v` per step: 1, 2 and 4. The seed's `FlowScheduler` with
//! no shift is `euler`, its `FlowMidPointScheduler` is `midpoint`.

use serde::{Deserialize, Serialize};

/// A velocity field: `v(x, t, out)` writes `v(x, t)` into `out`.
pub(crate) type Field<'a> = dyn FnMut(&[f32], f32, &mut [f32]) + 'a;

/// An ODE solver for sampling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Solver {
    /// First order, one evaluation per step.
    Euler,
    /// Second order, two evaluations per step.
    Midpoint,
    /// Classical fourth-order Runge–Kutta, four evaluations per step.
    Rk4,
}

impl Solver {
    /// Every solver, in the order of `--help`.
    pub const ALL: [Solver; 3] = [Solver::Euler, Solver::Midpoint, Solver::Rk4];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Solver::Euler => "euler",
            Solver::Midpoint => "midpoint",
            Solver::Rk4 => "rk4",
        }
    }

    /// One line for `--help`.
    pub fn description(self) -> &'static str {
        match self {
            Solver::Euler => "first order, 1 network evaluation per step",
            Solver::Midpoint => "second order, 2 evaluations per step (the default)",
            Solver::Rk4 => "fourth order, 4 evaluations per step",
        }
    }

    /// Integrates `x` from `t_start` to `t_end` in `steps` equal steps of
    /// the field `v(x, t, out)`; `visit` sees the state after every step.
    pub(crate) fn integrate(
        self,
        x: &mut [f32],
        (t_start, t_end): (f32, f32),
        steps: usize,
        v: &mut Field<'_>,
        visit: &mut dyn FnMut(&[f32]),
    ) {
        let h = (t_end - t_start) / steps as f32;
        let n = x.len();
        let (mut k1, mut k2, mut k3, mut k4, mut tmp) = (
            vec![0.0; n],
            vec![0.0; n],
            vec![0.0; n],
            vec![0.0; n],
            vec![0.0; n],
        );
        let axpy = |out: &mut [f32], x: &[f32], a: f32, k: &[f32]| {
            out.iter_mut()
                .zip(x)
                .zip(k)
                .for_each(|((o, x), k)| *o = x + a * k);
        };
        for s in 0..steps {
            let t = t_start + s as f32 * h;
            v(x, t, &mut k1);
            match self {
                Solver::Euler => x.iter_mut().zip(&k1).for_each(|(x, k)| *x += h * k),
                Solver::Midpoint => {
                    axpy(&mut tmp, x, 0.5 * h, &k1);
                    v(&tmp, t + 0.5 * h, &mut k2);
                    x.iter_mut().zip(&k2).for_each(|(x, k)| *x += h * k);
                }
                Solver::Rk4 => {
                    axpy(&mut tmp, x, 0.5 * h, &k1);
                    v(&tmp, t + 0.5 * h, &mut k2);
                    axpy(&mut tmp, x, 0.5 * h, &k2);
                    v(&tmp, t + 0.5 * h, &mut k3);
                    axpy(&mut tmp, x, h, &k3);
                    v(&tmp, t + h, &mut k4);
                    for (i, x) in x.iter_mut().enumerate() {
                        *x += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
                    }
                }
            }
            visit(x);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `dx/dt = x` from `x(1) = 1` back to `t = 0` gives `e⁻¹`; the errors
    /// fall with the solvers' orders 1, 2 and 4.
    #[test]
    fn solvers_converge_at_their_orders() {
        let exact = (-1.0f64).exp();
        for (solver, order) in [(Solver::Euler, 1.0), (Solver::Midpoint, 2.0), (Solver::Rk4, 4.0)] {
            let err = |steps: usize| {
                let mut x = [1.0f32];
                let mut field = |x: &[f32], _t: f32, out: &mut [f32]| out[0] = x[0];
                solver.integrate(&mut x, (1.0, 0.0), steps, &mut field, &mut |_| {});
                (x[0] as f64 - exact).abs()
            };
            let rate = (err(4) / err(8)).log2();
            assert!((rate - order).abs() < 0.3, "{solver:?}: observed order {rate}");
        }
    }
}
