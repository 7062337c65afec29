use super::*;
use crate::activation::Activation;
use crate::mlp::{Grads, Mlp, MlpShape, Tape};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn arch(input: usize, hidden: Vec<usize>, activation: Activation) -> Architecture {
    Architecture::new(MlpShape {
        input,
        hidden,
        output: 1,
        activation,
    })
    .expect("architecture")
}

fn random_params(arch: &Architecture, scale: f32, rng: &mut ChaCha8Rng) -> Vec<f32> {
    let mut p = vec![0.0; arch.parameter_count()];
    arch.initialise(&mut p, rng).expect("init");
    p.iter_mut().for_each(|x| *x *= scale);
    p
}

#[test]
fn power_iteration_finds_the_largest_singular_value() {
    // W = [[2, 1], [1, 2]] has singular values 3 and 1; ‖W‖_F = √10.
    // Layer 0 of a 2→2→1 network; the second layer is (1, 0).
    let a = arch(2, vec![2], Activation::Relu);
    let raw = [2.0, 1.0, 1.0, 2.0, 0.0, 0.0, 1.0, 0.0, 0.0];
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut spectral = LipschitzNorm::new(&a, 1.0, Normalisation::Spectral, &mut rng);
    spectral.converge(&a, &raw);
    assert!(
        (spectral.sigmas()[0] - 3.0).abs() < 1e-5,
        "{:?}",
        spectral.sigmas()
    );
    assert!((spectral.sigmas()[1] - 1.0).abs() < 1e-6);
    let mut frobenius = LipschitzNorm::new(&a, 1.0, Normalisation::Frobenius, &mut rng);
    frobenius.iterate(&a, &raw);
    assert!((frobenius.sigmas()[0] - 10f64.sqrt()).abs() < 1e-6);
}

#[test]
fn gradient_through_the_normalisation_matches_finite_differences() {
    let a = arch(3, vec![5, 4], Activation::Elu);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let raw = random_params(&a, 1.0, &mut rng);
    let c: Vec<f32> = (0..raw.len())
        .map(|i| ((i * 37 % 11) as f32 - 5.0) * 0.1)
        .collect();
    // ℓ(θ̃) = Σ c_k θ̃_k + ½ Σ θ̃_k², so ∂ℓ/∂θ̃ = c + θ̃.
    for kind in Normalisation::ALL {
        let mut norm = LipschitzNorm::new(&a, 2.0, kind, &mut rng);
        norm.converge(&a, &raw);
        // One more iteration leaves u, v fixed at values that are not the
        // exact singular vectors: the formula holds for any fixed pair.
        norm.iterate(&a, &raw);
        let loss = |norm: &LipschitzNorm, raw: &[f32]| {
            let mut eff = vec![0.0; raw.len()];
            let mut frozen = norm.clone();
            if kind == Normalisation::Frobenius {
                frozen.iterate(&a, raw);
            } else {
                frozen.sigma = frozen
                    .u
                    .iter()
                    .zip(&frozen.v)
                    .zip(a.layers())
                    .map(|((u, v), layer)| {
                        let w = &raw[layer.weights.clone()];
                        (0..layer.fan_in)
                            .map(|i| f64::from(v[i]) * dot(&w[i * layer.fan_out..(i + 1) * layer.fan_out], u))
                            .sum()
                    })
                    .collect();
            }
            frozen.apply(&a, raw, &mut eff);
            eff.iter()
                .zip(&c)
                .map(|(&t, &ck)| f64::from(ck) * f64::from(t) + 0.5 * f64::from(t) * f64::from(t))
                .sum::<f64>()
        };
        let mut eff = vec![0.0; raw.len()];
        norm.apply(&a, &raw, &mut eff);
        let g_eff: Vec<f32> = eff.iter().zip(&c).map(|(t, ck)| t + ck).collect();
        let mut g_raw = vec![0.0; raw.len()];
        norm.backward(&a, &raw, &g_eff, &mut g_raw);
        let h = 1e-3f32;
        for k in 0..raw.len() {
            let (mut plus, mut minus) = (raw.clone(), raw.clone());
            plus[k] += h;
            minus[k] -= h;
            let fd = (loss(&norm, &plus) - loss(&norm, &minus)) / (2.0 * f64::from(h));
            let got = f64::from(g_raw[k]);
            assert!(
                (fd - got).abs() < 2e-3 * (1.0 + fd.abs()),
                "{kind:?} parameter {k}: {fd} vs {got}"
            );
        }
    }
}

/// The largest `‖∇ₓφ‖` over `rows` random inputs in `[-4, 4]²`.
fn largest_gradient(net: &Mlp, rows: usize, rng: &mut ChaCha8Rng) -> f64 {
    let x: Vec<f32> = (0..rows * 2).map(|_| rng.random_range(-4.0..4.0)).collect();
    let mut g = vec![0.0; rows * 2];
    let mut tape = Tape::default();
    net.view().forward(&x, rows, &mut tape);
    net.view()
        .backward(&mut tape, &vec![1.0; rows], Grads::input(&mut g));
    g.chunks(2)
        .map(|r| (f64::from(r[0]).powi(2) + f64::from(r[1]).powi(2)).sqrt())
        .fold(0.0, f64::max)
}

#[test]
fn a_normalised_network_is_l_lipschitz_and_the_raw_one_is_not() {
    let lipschitz = 2.5;
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for activation in [Activation::Relu, Activation::LeakyRelu, Activation::Elu] {
        let a = arch(2, vec![16, 16], activation);
        let raw = random_params(&a, 5.0, &mut rng);
        let raw_net = Mlp::from_params(a.shape().clone(), raw.clone()).expect("net");
        assert!(largest_gradient(&raw_net, 2000, &mut rng) > 2.0 * lipschitz);
        for kind in Normalisation::ALL {
            let mut norm = LipschitzNorm::new(&a, lipschitz, kind, &mut rng);
            norm.converge(&a, &raw);
            let mut eff = vec![0.0; raw.len()];
            norm.apply(&a, &raw, &mut eff);
            let net = Mlp::from_params(a.shape().clone(), eff).expect("net");
            let top = largest_gradient(&net, 2000, &mut rng);
            assert!(top <= lipschitz * (1.0 + 1e-5), "{activation:?} {kind:?}: {top}");
        }
    }
}

#[test]
fn a_normalised_linear_map_has_gradient_norm_exactly_l() {
    // One layer: φ(x) = L·xᵀw/‖w‖ + b, whose gradient has norm L everywhere.
    let a = arch(2, vec![], Activation::Relu);
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let raw = vec![0.3, -1.7, 0.2];
    let mut norm = LipschitzNorm::new(&a, 4.0, Normalisation::Spectral, &mut rng);
    norm.converge(&a, &raw);
    let mut eff = vec![0.0; 3];
    norm.apply(&a, &raw, &mut eff);
    let net = Mlp::from_params(a.shape().clone(), eff).expect("net");
    assert!((largest_gradient(&net, 10, &mut rng) - 4.0).abs() < 1e-5);
}
