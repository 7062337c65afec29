//! The monotone rational-quadratic spline of one coordinate, with an
//! identity tail, its inverse, and its derivatives with respect to the input
//! and to the raw parameters a conditioner emits (Durkan, Bekasov, Murray
//! and Papamakarios 2019, "Neural Spline Flows"; Gregory and Delbourgo 1982
//! for the spline).
//!
//! ```text
//! raw = (u₁…u_K, v₁…v_K, r₁…r_{K−1})                      3K − 1 numbers, each soft-bounded
//!       first: a ← a/(1 + |a|/c_a),  c = −log m_δ ≈ 6.9   (as zuko does; it limits how sharp a spline gets)
//! w_k = 2B (m + (1 − mK) softmax(u)_k),  h_k likewise from v            widths, heights
//! x_0 = −B, x_{k+1} = x_k + w_k;  y_k likewise;  x_K = y_K = B          knots
//! δ_0 = δ_K = 1,  δ_k = g(r_k)                                          interior slopes
//!
//! KnotStyle::Floored:  c_u = c_v = c_r = c,   m = 1e-3,  g(r) = m_δ + softplus(r + log(e^{1−m_δ} − 1))   δ ∈ (m_δ, 7.4)
//! KnotStyle::Zuko:     c_u = c_v = c/2, c_r = c,  m = 0,  g(r) = e^r                               δ ∈ (m_δ, 1/m_δ)
//!                      (zuko's MonotonicRQSTransform; either way r = 0 gives δ = 1, all raw zero the identity)
//!
//! in bin k:  ξ = (x − x_k)/w_k,  s = h_k/w_k,  θ = ξ(1 − ξ),  D = s + (δ_k + δ_{k+1} − 2s) θ
//!   y      = y_k + h_k (s ξ² + δ_k θ) / D
//!   log y' = 2 log s + log(δ_{k+1} ξ² + 2sθ + δ_k (1 − ξ)²) − 2 log D
//! outside [−B, B]:  y = x,  log y' = 0      (the boundary slopes are 1: value and slope continuous)
//!
//! inverse in bin k, with Δ = y − y_k, a = h_k(s − δ_k) + Δ(δ_k + δ_{k+1} − 2s),
//!   b = h_k δ_k − Δ(δ_k + δ_{k+1} − 2s),  c = −sΔ:   ξ = 2c / (−b − √(b² − 4ac))
//!   then two Newton steps x ← x − (y(x) − y)/y'(x), kept inside the bin
//! ```
//!
//! **Gradients.** With `N = h(sξ² + δ_kθ)`, `M = δ_{k+1}ξ² + 2sθ + δ_k(1 − ξ)²`,
//! `a = δ_k + δ_{k+1} − 2s`, `θ' = 1 − 2ξ`, the partial derivatives at fixed
//! `(ξ, s, h, δ_k, δ_{k+1})` are
//! ```text
//! ∂y/∂ξ = (h(2sξ + δ_kθ') D − N aθ')/D²      ∂ℓ/∂ξ = (2δ_{k+1}ξ + 2sθ' − 2δ_k(1 − ξ))/M − 2aθ'/D
//! ∂y/∂s = (hξ² D − N(1 − 2θ))/D²             ∂ℓ/∂s = 2/s + 2θ/M − 2(1 − 2θ)/D
//! ∂y/∂h = (sξ² + δ_kθ)/D                      (ℓ = log y' does not depend on h at fixed s)
//! ∂y/∂δ_k = (hθD − Nθ)/D²                   ∂ℓ/∂δ_k = (1 − ξ)²/M − 2θ/D
//! ∂y/∂δ_{k+1} = −Nθ/D²                       ∂ℓ/∂δ_{k+1} = ξ²/M − 2θ/D
//! ```
//! and with cotangents `ḡ = ∂L/∂y`, `l̄ = ∂L/∂ℓ`, `Ξ = ḡ ∂y/∂ξ + l̄ ∂ℓ/∂ξ`,
//! `S = ḡ ∂y/∂s + l̄ ∂ℓ/∂s` (through `ξ = (x − x_k)/w`, `s = h/w`):
//! ```text
//! ∂L/∂x = Ξ/w     ∂L/∂x_k = −Ξ/w     ∂L/∂w_k = −(Ξξ + Ss)/w     ∂L/∂h_k = ḡ ∂y/∂h + S/w     ∂L/∂y_k = ḡ
//! ∂L/∂w_j += ∂L/∂x_k and ∂L/∂h_j += ∂L/∂y_k for every j < k                  (the knots are cumulative sums)
//! ∂L/∂u_i = 2B(1 − mK) p_i (∂L/∂w_i − Σ_j p_j ∂L/∂w_j),   p = softmax(u)     (and v from h)
//! ∂L/∂r_k = ∂L/∂δ_k · g'(r_k),   g' = sigmoid(r + log(e^{1−m_δ} − 1)) (Floored) or e^r (Zuko)
//! then every ∂L/∂a is multiplied by the soft bound's derivative 1/(1 + |a|/c_a)²
//! ```
//! Outside the interval `∂L/∂x = ḡ` and the raw parameters get nothing. The
//! arithmetic is `f64`; raw values beyond ±10⁴ are clamped (a conditioner
//! fed an extreme outlier still gives a finite, monotone spline).

use super::KnotStyle;

/// The smallest share of the interval a bin can take (width and height) with
/// [`KnotStyle::Floored`].
const MIN_BIN: f64 = 1e-3;
/// The smallest slope at an interior knot.
const MIN_SLOPE: f64 = 1e-3;
/// Largest magnitude of a raw parameter.
const RAW_CLAMP: f64 = 1e4;
/// Newton steps polishing the closed-form inverse (the quadratic formula
/// loses digits to cancellation; two steps restore full precision).
const NEWTON_STEPS: usize = 2;
/// Most bins a spline may have (the backward pass keeps per-bin sums on the stack).
pub const MAX_BINS: usize = 64;

/// Scale `c` of the soft bound on raw parameters: `−log m_δ`, so a bounded
/// log-slope stays within the slope floor's range.
const SOFT_BOUND: f64 = 6.907_755_278_982_137;

/// The raw parameter `r` soft-bounded to `(−c, c)`, `r/(1 + |r|/c)`, and
/// its derivative `1/(1 + |r|/c)²` (after clamping `r` to ±10⁴).
fn soft_bound(r: f32, c: f64) -> (f64, f64) {
    let r = f64::from(r).clamp(-RAW_CLAMP, RAW_CLAMP);
    let q = 1.0 + r.abs() / c;
    (r / q, 1.0 / (q * q))
}

/// `log(e^{1−m_δ} − 1)`: a raw slope parameter of 0 gives a slope of 1.
fn slope_shift() -> f64 {
    (1.0 - MIN_SLOPE).exp_m1().ln()
}

fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// A spline's shape: `K` bins on `[−B, B]`, knots of one style.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Spline {
    bins: usize,
    bound: f64,
    style: KnotStyle,
}

/// The knots of one spline: a view of the [`Spline::knot_len`] numbers
/// [`Spline::build_knots`] wrote (built once per row and coordinate in a
/// training step and kept for the backward pass, or once for a spline that
/// many rows share).
pub(crate) struct Knots<'a> {
    /// Softmax of the width and height logits.
    pw: &'a [f64],
    ph: &'a [f64],
    xs: &'a [f64],
    ys: &'a [f64],
    ds: &'a [f64],
}

/// The bin-local quantities of one input.
struct Local {
    k: usize,
    xi: f64,
    w: f64,
    h: f64,
    s: f64,
    d0: f64,
    d1: f64,
    theta: f64,
    den: f64,
    y: f64,
}

impl Local {
    /// `log y'` (three logarithms, which the backward pass does not need).
    fn log_slope(&self) -> f64 {
        let Local {
            xi,
            s,
            d0,
            d1,
            theta,
            den,
            ..
        } = *self;
        let m = d1 * xi * xi + 2.0 * s * theta + d0 * (1.0 - xi) * (1.0 - xi);
        2.0 * s.ln() + m.ln() - 2.0 * den.ln()
    }
}

impl Spline {
    /// `bins` bins on `[−bound, bound]` (checked by the caller: `2..=MAX_BINS`,
    /// positive bound), knots parameterised as `style` says.
    pub(crate) fn new(bins: usize, bound: f64, style: KnotStyle) -> Spline {
        Spline { bins, bound, style }
    }

    /// The smallest share `m` of the interval a bin can take.
    fn min_bin(&self) -> f64 {
        match self.style {
            KnotStyle::Floored => MIN_BIN,
            KnotStyle::Zuko => 0.0,
        }
    }

    /// The soft bound `c_u = c_v` of the width and height logits.
    fn logit_bound(&self) -> f64 {
        match self.style {
            KnotStyle::Floored => SOFT_BOUND,
            KnotStyle::Zuko => SOFT_BOUND / 2.0,
        }
    }

    /// The interior slope `g(r)` of the raw parameter `raw` and
    /// `∂g/∂r` (before the soft bound's derivative).
    fn slope(&self, raw: f32) -> (f64, f64) {
        let r = soft_bound(raw, SOFT_BOUND).0;
        match self.style {
            KnotStyle::Floored => {
                let shifted = r + slope_shift();
                (MIN_SLOPE + softplus(shifted), sigmoid(shifted))
            }
            KnotStyle::Zuko => {
                let e = r.exp();
                (e, e)
            }
        }
    }

    /// The half-width `B` of the interval.
    pub(crate) fn bound(&self) -> f64 {
        self.bound
    }

    /// Raw parameters per coordinate: `3K − 1`.
    pub(crate) fn raw_len(&self) -> usize {
        3 * self.bins - 1
    }

    fn inside(&self, x: f64) -> bool {
        (-self.bound..=self.bound).contains(&x)
    }

    /// Softmax of `raw` into `p`, partition `2B` into widths and cumulate into `knots`.
    fn partition(&self, raw: &[f32], p: &mut [f64], knots: &mut [f64]) {
        let k = self.bins;
        let c = self.logit_bound();
        let clamped = |r: f32| soft_bound(r, c).0;
        let max = raw.iter().map(|&r| clamped(r)).fold(f64::NEG_INFINITY, f64::max);
        let mut sum = 0.0;
        for (p, &r) in p.iter_mut().zip(raw) {
            *p = (clamped(r) - max).exp();
            sum += *p;
        }
        let (scale, m) = (2.0 * self.bound, self.min_bin());
        knots[0] = -self.bound;
        for i in 0..k {
            p[i] /= sum;
            knots[i + 1] = knots[i] + scale * (m + (1.0 - m * k as f64) * p[i]);
        }
        knots[k] = self.bound;
    }

    /// Numbers per spline's knots: `5K + 3`.
    pub(crate) fn knot_len(&self) -> usize {
        5 * self.bins + 3
    }

    /// Writes the knots of the raw parameters `raw` into `out`
    /// ([`Spline::knot_len`] numbers).
    pub(crate) fn build_knots(&self, raw: &[f32], out: &mut [f64]) {
        let k = self.bins;
        let (pw, rest) = out.split_at_mut(k);
        let (ph, rest) = rest.split_at_mut(k);
        let (xs, rest) = rest.split_at_mut(k + 1);
        let (ys, ds) = rest.split_at_mut(k + 1);
        self.partition(&raw[..k], pw, xs);
        self.partition(&raw[k..2 * k], ph, ys);
        ds[0] = 1.0;
        for i in 1..k {
            ds[i] = self.slope(raw[2 * k + i - 1]).0;
        }
        ds[k] = 1.0;
    }

    /// The knots [`Spline::build_knots`] wrote into `built`.
    pub(crate) fn knots<'a>(&self, built: &'a [f64]) -> Knots<'a> {
        let k = self.bins;
        let (pw, rest) = built.split_at(k);
        let (ph, rest) = rest.split_at(k);
        let (xs, rest) = rest.split_at(k + 1);
        let (ys, ds) = rest.split_at(k + 1);
        Knots { pw, ph, xs, ys, ds }
    }

    /// The bin holding `v` among the knots `edges` (`v` inside the interval).
    fn bin(&self, edges: &[f64], v: f64) -> usize {
        edges[1..self.bins].partition_point(|&e| e <= v)
    }

    fn local(&self, knots: &Knots, x: f64) -> Local {
        let k = self.bin(knots.xs, x);
        let w = knots.xs[k + 1] - knots.xs[k];
        let h = knots.ys[k + 1] - knots.ys[k];
        let xi = ((x - knots.xs[k]) / w).clamp(0.0, 1.0);
        let s = h / w;
        let (d0, d1) = (knots.ds[k], knots.ds[k + 1]);
        let theta = xi * (1.0 - xi);
        let den = s + (d0 + d1 - 2.0 * s) * theta;
        let y = knots.ys[k] + h * (s * xi * xi + d0 * theta) / den;
        Local {
            k,
            xi,
            w,
            h,
            s,
            d0,
            d1,
            theta,
            den,
            y,
        }
    }

    /// `(y, log y')` at `x` for the spline of `knots`.
    pub(crate) fn forward(&self, x: f64, knots: &Knots) -> (f64, f64) {
        if !self.inside(x) {
            return (x, 0.0);
        }
        let l = self.local(knots, x);
        (l.y, l.log_slope())
    }

    /// The `x` with `forward(x, knots).0 == y`.
    pub(crate) fn inverse(&self, y: f64, knots: &Knots) -> f64 {
        if !self.inside(y) {
            return y;
        }
        let k = self.bin(knots.ys, y);
        let w = knots.xs[k + 1] - knots.xs[k];
        let h = knots.ys[k + 1] - knots.ys[k];
        let s = h / w;
        let (d0, d1) = (knots.ds[k], knots.ds[k + 1]);
        let dy = y - knots.ys[k];
        let a = h * (s - d0) + dy * (d0 + d1 - 2.0 * s);
        let b = h * d0 - dy * (d0 + d1 - 2.0 * s);
        let c = -s * dy;
        let root = (b * b - 4.0 * a * c).max(0.0).sqrt();
        let den = -b - root;
        let xi = if den == 0.0 {
            0.0
        } else {
            (2.0 * c / den).clamp(0.0, 1.0)
        };
        let (lo, hi) = (knots.xs[k], knots.xs[k + 1]);
        let mut x = lo + xi * w;
        for _ in 0..NEWTON_STEPS {
            let l = self.local(knots, x);
            let next = (x - (l.y - y) / l.log_slope().exp()).clamp(lo, hi);
            if !next.is_finite() || next == x {
                break;
            }
            x = next;
        }
        x
    }

    /// `∂L/∂x`, with `∂L/∂raw` written over `graw`, given `ḡ = ∂L/∂y` and
    /// `l̄ = ∂L/∂(log y')` at `x` for the spline of the raw parameters `raw`
    /// and their `knots` (the formulas are in the module doc).
    pub(crate) fn backward(
        &self,
        x: f64,
        raw: &[f32],
        knots: &Knots,
        gy: f64,
        gl: f64,
        graw: &mut [f64],
    ) -> f64 {
        graw.fill(0.0);
        if !self.inside(x) {
            return gy;
        }
        let kb = self.bins;
        let Local { k, xi, w, h, s, .. } = self.local(knots, x);
        let (d0, d1) = (knots.ds[k], knots.ds[k + 1]);
        let theta = xi * (1.0 - xi);
        let dtheta = 1.0 - 2.0 * xi;
        let a = d0 + d1 - 2.0 * s;
        let den = s + a * theta;
        let num = h * (s * xi * xi + d0 * theta);
        let m = d1 * xi * xi + 2.0 * s * theta + d0 * (1.0 - xi) * (1.0 - xi);
        let den2 = den * den;

        let y_xi = (h * (2.0 * s * xi + d0 * dtheta) * den - num * a * dtheta) / den2;
        let y_s = (h * xi * xi * den - num * (1.0 - 2.0 * theta)) / den2;
        let y_h = (s * xi * xi + d0 * theta) / den;
        let y_d0 = (h * theta * den - num * theta) / den2;
        let y_d1 = -num * theta / den2;
        let l_xi = (2.0 * d1 * xi + 2.0 * s * dtheta - 2.0 * d0 * (1.0 - xi)) / m - 2.0 * a * dtheta / den;
        let l_s = 2.0 / s + 2.0 * theta / m - 2.0 * (1.0 - 2.0 * theta) / den;
        let l_d0 = (1.0 - xi) * (1.0 - xi) / m - 2.0 * theta / den;
        let l_d1 = xi * xi / m - 2.0 * theta / den;

        let g_xi = gy * y_xi + gl * l_xi;
        let g_s = gy * y_s + gl * l_s;
        let mut gw = [0.0; MAX_BINS];
        let mut gh = [0.0; MAX_BINS];
        let g_xk = -g_xi / w;
        gw[k] = -(g_xi * xi + g_s * s) / w;
        gh[k] = gy * y_h + g_s / w;
        for j in 0..k {
            gw[j] += g_xk;
            gh[j] += gy;
        }
        let softmax_back = |p: &[f64], g: &[f64], out: &mut [f64]| {
            let scale = 2.0 * self.bound * (1.0 - self.min_bin() * kb as f64);
            let mean: f64 = p.iter().zip(g).map(|(p, g)| p * g).sum();
            for ((o, p), g) in out.iter_mut().zip(p).zip(g) {
                *o = scale * p * (g - mean);
            }
        };
        softmax_back(&knots.pw[..kb], &gw[..kb], &mut graw[..kb]);
        softmax_back(&knots.ph[..kb], &gh[..kb], &mut graw[kb..2 * kb]);
        // zuko's slope is e^r, its own derivative: the knots hold it.
        let slope_grad = |i: usize| match self.style {
            KnotStyle::Zuko => knots.ds[i],
            KnotStyle::Floored => self.slope(raw[2 * kb + i - 1]).1,
        };
        if k >= 1 {
            graw[2 * kb + k - 1] = (gy * y_d0 + gl * l_d0) * slope_grad(k);
        }
        if k + 1 < kb {
            graw[2 * kb + k] = (gy * y_d1 + gl * l_d1) * slope_grad(k + 1);
        }
        let c = self.logit_bound();
        for (i, (g, &r)) in graw.iter_mut().zip(raw).enumerate() {
            *g *= soft_bound(r, if i < 2 * kb { c } else { SOFT_BOUND }).1;
        }
        g_xi / w
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// The spline of `raw` at one point, its knots built for the call.
    impl Spline {
        fn built(&self, raw: &[f32]) -> Vec<f64> {
            let mut out = vec![0.0; self.knot_len()];
            self.build_knots(raw, &mut out);
            out
        }

        fn forward_raw(&self, x: f64, raw: &[f32]) -> (f64, f64) {
            self.forward(x, &self.knots(&self.built(raw)))
        }

        fn inverse_raw(&self, y: f64, raw: &[f32]) -> f64 {
            self.inverse(y, &self.knots(&self.built(raw)))
        }

        fn backward_raw(&self, x: f64, raw: &[f32], gy: f64, gl: f64, graw: &mut [f64]) -> f64 {
            self.backward(x, raw, &self.knots(&self.built(raw)), gy, gl, graw)
        }
    }

    const STYLES: [KnotStyle; 2] = [KnotStyle::Floored, KnotStyle::Zuko];

    fn random_raw(spline: &Spline, rng: &mut impl Rng) -> Vec<f32> {
        (0..spline.raw_len())
            .map(|_| rng.random_range(-2.0f32..2.0))
            .collect()
    }

    #[test]
    fn raw_zero_is_the_identity_and_the_spline_is_monotone_and_continuous() {
        for style in STYLES {
            let spline = Spline::new(6, 3.0, style);
            let zero = vec![0.0f32; spline.raw_len()];
            for x in [-3.0, -1.234, 0.0, 0.5, 2.99] {
                let (y, l) = spline.forward_raw(x, &zero);
                assert!((y - x).abs() < 1e-12 && l.abs() < 1e-12, "{x}: {y} {l}");
            }
            let raw = random_raw(&spline, &mut rand_chacha::ChaCha8Rng::seed_from_u64(1));
            let mut last = f64::NEG_INFINITY;
            for i in 0..=2000 {
                let x = -4.0 + 8.0 * f64::from(i) / 2000.0;
                let (y, l) = spline.forward_raw(x, &raw);
                assert!(y > last && l.is_finite(), "not increasing at {x}");
                last = y;
            }
            for edge in [-3.0, 3.0] {
                let (inside, slope) = spline.forward_raw(edge, &raw);
                assert!(
                    (inside - edge).abs() < 1e-12 && slope.abs() < 1e-9,
                    "edge {edge}: {inside} {slope}"
                );
            }
        }
    }

    #[test]
    fn slope_matches_finite_differences_and_inverse_inverts() {
        for style in STYLES {
            let spline = Spline::new(8, 2.5, style);
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
            for _ in 0..50 {
                let raw = random_raw(&spline, &mut rng);
                let x = rng.random_range(-2.6..2.6);
                let eps = 1e-6;
                let fd =
                    (spline.forward_raw(x + eps, &raw).0 - spline.forward_raw(x - eps, &raw).0) / (2.0 * eps);
                let (y, l) = spline.forward_raw(x, &raw);
                assert!((fd.ln() - l).abs() < 1e-5, "slope at {x}: {} vs {l}", fd.ln());
                assert!((spline.inverse_raw(y, &raw) - x).abs() < 1e-10, "inverse at {x}");
            }
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        for style in STYLES {
            let spline = Spline::new(5, 2.0, style);
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
            let (gy, gl) = (0.7, -1.3);
            let loss = |x: f64, raw: &[f32]| {
                let (y, l) = spline.forward_raw(x, raw);
                gy * y + gl * l
            };
            for _ in 0..40 {
                let raw = random_raw(&spline, &mut rng);
                let x = rng.random_range(-2.2..2.2);
                let mut graw = vec![0.0; spline.raw_len()];
                let gx = spline.backward_raw(x, &raw, gy, gl, &mut graw);
                let eps = 1e-6;
                let fd = (loss(x + eps, &raw) - loss(x - eps, &raw)) / (2.0 * eps);
                assert!(
                    (fd - gx).abs() < 1e-5 * (1.0 + fd.abs()),
                    "∂L/∂x at {x}: {fd} vs {gx}"
                );
                // raw parameters are f32: the step is the difference of the rounded values
                for i in 0..raw.len() {
                    let (up, down) = (raw[i] + 1e-3, raw[i] - 1e-3);
                    let at = |v: f32| {
                        let mut r = raw.clone();
                        r[i] = v;
                        loss(x, &r)
                    };
                    let fd = (at(up) - at(down)) / (f64::from(up) - f64::from(down));
                    assert!(
                        (fd - graw[i]).abs() < 1e-4 * (1.0 + fd.abs()),
                        "∂L/∂raw[{i}] at {x}: {fd} vs {}",
                        graw[i]
                    );
                }
            }
        }
    }

    #[test]
    fn the_tail_is_the_identity_for_extreme_inputs_and_parameters() {
        for style in STYLES {
            let spline = Spline::new(4, 1.0, style);
            let wild: Vec<f32> = (0..spline.raw_len())
                .map(|i| if i % 2 == 0 { 3e30 } else { -f32::MAX })
                .collect();
            for x in [-1e6, -1e3, -1.0000001, 1.0000001, 7.0, 1e6] {
                assert_eq!(spline.forward_raw(x, &wild), (x, 0.0));
                assert_eq!(spline.inverse_raw(x, &wild), x);
                let mut g = vec![1.0; spline.raw_len()];
                assert_eq!(spline.backward_raw(x, &wild, 0.5, 2.0, &mut g), 0.5);
                assert!(g.iter().all(|&g| g == 0.0));
            }
            for x in [-1.0, -0.3, 0.0, 0.999, 1.0] {
                let (y, l) = spline.forward_raw(x, &wild);
                assert!(y.is_finite() && l.is_finite(), "{x}: {y} {l}");
                assert!((spline.inverse_raw(y, &wild) - x).abs() < 1e-6, "{x}");
            }
        }
    }
}
