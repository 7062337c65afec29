//! Gauss rules for expectations under the standard normal.
//!
//! `E[f(Z)] ≈ Σ wᵢ f(zᵢ)` with the 64-node Gauss–Hermite rule rescaled from
//! the weight `e^{−x²}` to the normal density (`zᵢ = √2 xᵢ`, `wᵢ → wᵢ/√π`),
//! and a Gauss–Legendre rule for smooth integrals on a finite interval.
//! Nodes come from the `gauss-quad` crate (Golub–Welsch); the Hermite rule's
//! are kept here as constants, exactly as the crate computes them (a test
//! checks every bit), because Golub–Welsch on 64 nodes (an eigenproblem) costs
//! as much as a small table's whole copula fit.

use gauss_quad::legendre::GaussLegendre;
use std::f64::consts::{PI, SQRT_2};
use std::num::NonZeroUsize;
use std::sync::{Arc, OnceLock};

/// Normal-weight nodes below this weight are dropped, and so are node pairs
/// whose product weight is below it: they cannot move a result by more than
/// about 1e-30 of its scale, and dropping them keeps every argument of a
/// latent map inside its table (|z| ≤ 12.1).
const WEIGHT_FLOOR: f64 = 1e-32;

/// Nodes of the Gauss–Hermite rule.
pub(crate) const HERMITE_NODES: usize = 64;

/// `(xᵢ, wᵢ)` of the 64-node Gauss–Hermite rule for the weight `e^{−x²}`, as
/// `gauss_quad::hermite::GaussHermite::new(64)` gives them.
const HERMITE_64: [(f64, f64); HERMITE_NODES] = [
    (-10.526123167960593, 6.691819635173956e-33),
    (-9.895287586829532, 6.582037943322574e-35),
    (-9.373159549646756, 8.119292129171229e-33),
    (-8.907249099964776, 6.618461418957592e-32),
    (-8.477529083379874, 2.2031292136687642e-33),
    (-8.073687285010232, 1.889126261084974e-29),
    (-7.6895401640405, 7.865151779732072e-27),
    (-7.321013032780949, 1.9116506523043877e-24),
    (-6.965241120551087, 2.9828656961386933e-22),
    (-6.620112262636019, 3.1522545842935074e-20),
    (-6.284011228774827, 2.351884710722233e-18),
    (-5.955666326799485, 1.2800933913224172e-16),
    (-5.634052164349967, 5.218623726590695e-15),
    (-5.318325224633271, 1.6283407307097655e-13),
    (-5.007779602198768, 3.959177766947511e-12),
    (-4.701815647407494, 7.615217250145563e-11),
    (-4.399917168228134, 1.1736167423215575e-9),
    (-4.101634474566653, 1.4651253164761541e-8),
    (-3.8065715139453586, 1.4955329367272738e-7),
    (-3.5143759357409077, 1.2583402510312238e-6),
    (-3.2247312919920383, 8.788499230850386e-6),
    (-2.937350823004621, 5.125929135786247e-5),
    (-2.6519724354306304, 0.00025098369851306996),
    (-2.3683545886324, 0.0010363290995076054),
    (-2.0862728798817645, 0.0036225869785344645),
    (-1.805517171465548, 0.01075604050987905),
    (-1.525889140209867, 0.027203128953689024),
    (-1.247200156943118, 0.05873998196409835),
    (-0.9692694230711798, 0.10849834930618643),
    (-0.6919223058100441, 0.1716858423490822),
    (-0.41498882412107735, 0.23299478606267687),
    (-0.138302244987012, 0.2713774249413051),
    (0.13830224498700852, 0.27137742494130596),
    (0.4149888241210782, 0.2329947860626763),
    (0.6919223058100425, 0.17168584234908513),
    (0.969269423071179, 0.10849834930618635),
    (1.247200156943119, 0.058739981964099866),
    (1.5258891402098673, 0.02720312895368942),
    (1.8055171714655454, 0.010756040509879449),
    (2.0862728798817627, 0.0036225869785342186),
    (2.368354588632401, 0.0010363290995074937),
    (2.651972435430633, 0.00025098369851308833),
    (2.937350823004624, 5.125929135787421e-5),
    (3.22473129199204, 8.788499230853673e-6),
    (3.5143759357409152, 1.258340251030756e-6),
    (3.8065715139453684, 1.495532936729684e-7),
    (4.101634474566662, 1.4651253164708347e-8),
    (4.399917168228148, 1.1736167423163935e-9),
    (4.701815647407509, 7.615217250676357e-11),
    (5.007779602198776, 3.959177764719327e-12),
    (5.318325224633281, 1.6283407300544553e-13),
    (5.634052164349978, 5.218623726632507e-15),
    (5.955666326799485, 1.2800934246404306e-16),
    (6.28401122877484, 2.3518841726732457e-18),
    (6.6201122626360505, 3.1522424348418744e-20),
    (6.965241120551107, 2.9827835539398394e-22),
    (7.321013032780962, 1.9121573975825428e-24),
    (7.6895401640405, 7.887919669867197e-27),
    (8.073687285010237, 1.978410736541116e-29),
    (8.477529083379867, 3.293813053356783e-32),
    (8.907249099964766, 2.2324586515376435e-34),
    (9.3731595496467, 2.8479593314139503e-32),
    (9.895287586829536, 3.999646551031616e-33),
    (10.526123167960543, 3.7902058794444912e-34),
];

/// Gauss–Legendre nodes of the copula fits' rule (the `θ = asin r`
/// integral of mixed pairs).
const LEGENDRE_NODES: usize = 24;

/// A normal-weight rule and a Legendre rule.
#[derive(Debug, Clone)]
pub(crate) struct Quadrature {
    /// `(zᵢ, wᵢ)` with Σ wᵢ = 1.
    pub(crate) normal: Vec<(f64, f64)>,
    /// Index pairs `(i, j, wᵢwⱼ)` of the product rule on ℝ².
    pub(crate) product: Vec<(u32, u32, f64)>,
    /// `(xᵢ, wᵢ)` on `[−1, 1]`.
    pub(crate) legendre: Vec<(f64, f64)>,
}

impl Quadrature {
    /// The 64-node normal rule and a rule of `legendre` Legendre nodes.
    pub(crate) fn new(legendre: usize) -> Self {
        let normal: Vec<(f64, f64)> = HERMITE_64
            .iter()
            .map(|(x, w)| (SQRT_2 * x, w / PI.sqrt()))
            .filter(|&(_, w)| w >= WEIGHT_FLOOR)
            .collect();
        let mut product = Vec::new();
        for (i, &(_, wi)) in normal.iter().enumerate() {
            for (j, &(_, wj)) in normal.iter().enumerate() {
                if wi * wj >= WEIGHT_FLOOR {
                    product.push((i as u32, j as u32, wi * wj));
                }
            }
        }
        let m = NonZeroUsize::new(legendre.max(1)).unwrap_or(NonZeroUsize::MIN);
        let legendre = GaussLegendre::new(m).iter().map(|(x, w)| (*x, *w)).collect();
        Quadrature {
            normal,
            product,
            legendre,
        }
    }

    /// The rules the copula fits use (24 Legendre nodes), built once per
    /// process.
    pub(crate) fn shared() -> Arc<Quadrature> {
        static QUAD: OnceLock<Arc<Quadrature>> = OnceLock::new();
        Arc::clone(QUAD.get_or_init(|| Arc::new(Quadrature::new(LEGENDRE_NODES))))
    }

    /// `E[f(Z)]`.
    pub(crate) fn expect(&self, f: impl Fn(f64) -> f64) -> f64 {
        self.normal.iter().map(|&(z, w)| w * f(z)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_moments_are_exact() {
        let q = Quadrature::new(8);
        assert!((q.expect(|_| 1.0) - 1.0).abs() < 1e-13);
        assert!((q.expect(|z| z * z) - 1.0).abs() < 1e-12);
        assert!((q.expect(|z| z.powi(4)) - 3.0).abs() < 1e-11);
        // E[e^Z] = e^{1/2}.
        assert!((q.expect(f64::exp) - 0.5f64.exp()).abs() < 1e-12);
        let total: f64 = q.legendre.iter().map(|&(_, w)| w).sum();
        assert!((total - 2.0).abs() < 1e-13);
    }

    #[test]
    fn the_hermite_table_is_golub_welsch_to_the_bit() {
        let n = NonZeroUsize::new(HERMITE_NODES).unwrap_or(NonZeroUsize::MIN);
        let computed = gauss_quad::hermite::GaussHermite::new(n);
        let pairs: Vec<(f64, f64)> = computed.iter().map(|(x, w)| (*x, *w)).collect();
        assert_eq!(pairs.len(), HERMITE_64.len());
        for (k, (a, b)) in pairs.iter().zip(&HERMITE_64).enumerate() {
            assert_eq!(a.0.to_bits(), b.0.to_bits(), "node {k}: {} against {}", a.0, b.0);
            assert_eq!(
                a.1.to_bits(),
                b.1.to_bits(),
                "weight {k}: {} against {}",
                a.1,
                b.1
            );
        }
    }
}
