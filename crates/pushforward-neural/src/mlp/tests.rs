//! Checks of the first-order passes and the parameter layout.

use super::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn net(activation: Activation, seed: u64) -> Mlp {
    let shape = MlpShape {
        input: 3,
        hidden: vec![7, 5],
        output: 2,
        activation,
    };
    Mlp::new(shape, &mut ChaCha8Rng::seed_from_u64(seed)).expect("valid shape")
}

fn inputs(rows: usize, width: usize, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..rows * width).map(|_| rng.random_range(-2.0..2.0)).collect()
}

/// `L = Σ c ⊙ y` for fixed weights `c`, so `∂L/∂y = c`.
fn loss(mlp: &Mlp, x: &[f32], rows: usize, c: &[f32]) -> f64 {
    let mut tape = Tape::default();
    let y = mlp.view().forward(x, rows, &mut tape);
    y.iter().zip(c).map(|(&y, &c)| y as f64 * c as f64).sum()
}

/// Reverse-mode gradients against central differences, over three
/// shards (rows not a multiple of the shard size), for the smooth
/// activations (a difference across a ReLU kink is not a derivative;
/// the hand case below covers ReLU).
#[test]
fn backward_matches_finite_differences() {
    let rows = 2 * SHARD_ROWS + 9;
    for act in [Activation::Silu, Activation::Gelu, Activation::Elu] {
        let mut mlp = net(act, 3);
        let x = inputs(rows, 3, 4);
        let c = inputs(rows, 2, 5);
        let mut tape = Tape::default();
        mlp.view().forward(&x, rows, &mut tape);
        let mut grad = vec![0.0; mlp.params.len()];
        mlp.view().backward(&mut tape, &c, Grads::params(&mut grad));
        for i in (0..grad.len()).step_by(5) {
            let h = 1e-2f32;
            let keep = mlp.params[i];
            mlp.params[i] = keep + h;
            let up = loss(&mlp, &x, rows, &c);
            mlp.params[i] = keep - h;
            let down = loss(&mlp, &x, rows, &c);
            mlp.params[i] = keep;
            let fd = (up - down) / (2.0 * h as f64);
            let tol = 2e-2 * (1.0 + fd.abs());
            assert!(
                (grad[i] as f64 - fd).abs() < tol,
                "{act:?} parameter {i}: {} vs {fd}",
                grad[i]
            );
        }
    }
}

/// Forward-mode tangents against central differences of the outputs.
#[test]
fn tangents_match_finite_differences() {
    let mlp = net(Activation::Silu, 6);
    let rows = 5;
    let x = inputs(rows, 3, 7);
    let basis: Vec<f32> = (0..rows).flat_map(|_| [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]).collect();
    let mut tape = Tape::default();
    // A tape used first for another batch size must not change the result.
    mlp.view()
        .forward_tangents(&inputs(9, 3, 1), 9, &[0.5; 9 * 3], 1, &mut tape);
    let (_, jv) = mlp.view().forward_tangents(&x, rows, &basis, 2, &mut tape);
    let jv = jv.to_vec();
    let h = 1e-2f32;
    for r in 0..rows {
        for j in 0..2 {
            let (mut up, mut down) = (x.clone(), x.clone());
            up[r * 3 + j] += h;
            down[r * 3 + j] -= h;
            let yu = mlp.view().forward(&up, rows, &mut tape).to_vec();
            let yd = mlp.view().forward(&down, rows, &mut tape).to_vec();
            for o in 0..2 {
                let fd = (yu[r * 2 + o] - yd[r * 2 + o]) / (2.0 * h);
                let got = jv[(r * 2 + j) * 2 + o];
                assert!((got - fd).abs() < 1e-3, "row {r} dir {j} out {o}: {got} vs {fd}");
            }
        }
    }
}

/// One hidden ReLU unit worked by hand.
#[test]
fn a_tiny_network_by_hand() {
    let shape = MlpShape {
        input: 2,
        hidden: vec![1],
        output: 1,
        activation: Activation::Relu,
    };
    // W0 = [1, −2]ᵀ, b0 = 0.5, W1 = [3], b1 = −1.
    let mlp = Mlp::from_params(shape, vec![1.0, -2.0, 0.5, 3.0, -1.0]).expect("sizes fit");
    let mut tape = Tape::default();
    // Row 1: z = 1 − 0 + 0.5 = 1.5 → y = 3.5; row 2: z = 0 − 2 + 0.5 < 0 → y = −1.
    assert_eq!(
        mlp.view().forward(&[1.0, 0.0, 0.0, 1.0], 2, &mut tape),
        &[3.5, -1.0]
    );
    let (mut grad, mut dx) = (vec![0.0; 5], vec![9.0; 4]);
    let grads = Grads {
        input: Some(&mut dx),
        params: ParamGrad::Overwrite(&mut grad),
    };
    mlp.view().backward(&mut tape, &[1.0, 1.0], grads);
    // Only row 1 passes the ReLU: ∂W0 = 3·x₁ = [3, 0], ∂b0 = 3, ∂W1 = 1.5, ∂b1 = 2,
    // ∂x₁ = 3·W0ᵀ = [3, −6], ∂x₂ = 0.
    assert_eq!(grad, vec![3.0, 0.0, 3.0, 1.5, 2.0]);
    assert_eq!(dx, vec![3.0, -6.0, 0.0, 0.0]);
    // Accumulating a second time doubles the parameter gradient; asking
    // only for ∂x leaves it alone.
    let again = Grads {
        input: None,
        params: ParamGrad::Accumulate(&mut grad),
    };
    mlp.view().backward(&mut tape, &[1.0, 1.0], again);
    assert_eq!(grad, vec![6.0, 0.0, 6.0, 3.0, 4.0]);
    mlp.view().vjp(&mut tape, &[2.0, 1.0], &mut dx);
    assert_eq!((grad[0], dx.as_slice()), (6.0, [6.0, -12.0, 0.0, 0.0].as_slice()));
}

#[test]
fn a_parameter_count_that_does_not_fit_is_refused() {
    let shape = MlpShape {
        input: 2,
        hidden: vec![3],
        output: 1,
        activation: Activation::Relu,
    };
    assert!(Mlp::from_params(shape.clone(), vec![0.0; 4]).is_err());
    assert!(
        Mlp::from_params(
            MlpShape {
                hidden: vec![0],
                ..shape
            },
            vec![]
        )
        .is_err()
    );
}

/// Input gradients against central differences of `L = Σ c ⊙ y` with
/// respect to each input, over three shards.
#[test]
fn input_gradients_match_finite_differences() {
    let rows = 2 * SHARD_ROWS + 9;
    for act in [Activation::Silu, Activation::Gelu, Activation::Elu] {
        let mlp = net(act, 8);
        let x = inputs(rows, 3, 9);
        let c = inputs(rows, 2, 10);
        let mut tape = Tape::default();
        mlp.view().forward(&x, rows, &mut tape);
        let mut dx = vec![0.0; x.len()];
        mlp.view().backward(&mut tape, &c, Grads::input(&mut dx));
        for i in (0..x.len()).step_by(7) {
            let h = 1e-2f32;
            let (mut up, mut down) = (x.clone(), x.clone());
            up[i] += h;
            down[i] -= h;
            let fd = (loss(&mlp, &up, rows, &c) - loss(&mlp, &down, rows, &c)) / (2.0 * h as f64);
            let tol = 2e-3 * (1.0 + fd.abs());
            assert!(
                (dx[i] as f64 - fd).abs() < tol,
                "{act:?} input {i}: {} vs {fd}",
                dx[i]
            );
        }
    }
}

/// Accumulating the gradients of two losses gives the gradient of their
/// sum, over three shards, whichever gradients are asked for together.
#[test]
fn accumulated_gradients_are_sums() {
    let rows = 2 * SHARD_ROWS + 9;
    let mlp = net(Activation::Gelu, 11);
    let x = inputs(rows, 3, 12);
    let (c1, c2) = (inputs(rows, 2, 13), inputs(rows, 2, 14));
    let sum: Vec<f32> = c1.iter().zip(&c2).map(|(a, b)| a + b).collect();
    let mut tape = Tape::default();
    mlp.view().forward(&x, rows, &mut tape);
    let n = mlp.params().len();
    let (mut acc, mut want, mut dx) = (vec![0.0; n], vec![0.0; n], vec![0.0; x.len()]);
    mlp.view().backward(&mut tape, &c1, Grads::params(&mut acc));
    let both = Grads {
        input: Some(&mut dx),
        params: ParamGrad::Accumulate(&mut acc),
    };
    mlp.view().backward(&mut tape, &c2, both);
    mlp.view().backward(&mut tape, &sum, Grads::params(&mut want));
    for (a, w) in acc.iter().zip(&want) {
        assert!((a - w).abs() < 1e-4 * (1.0 + w.abs()), "{a} vs {w}");
    }
    let mut alone = vec![0.0; x.len()];
    mlp.view().vjp(&mut tape, &c2, &mut alone);
    assert_eq!(dx, alone);
}

/// Two networks in one parameter vector give the bytes of two separate
/// perceptrons, outputs and gradients alike.
#[test]
fn networks_in_one_vector_match_separate_ones() {
    let shapes = [
        MlpShape {
            input: 3,
            hidden: vec![6],
            output: 2,
            activation: Activation::Silu,
        },
        MlpShape {
            input: 2,
            hidden: vec![5, 4],
            output: 1,
            activation: Activation::Elu,
        },
    ];
    let mut layout = ParamLayout::default();
    let ranges: Vec<_> = ["a", "b"]
        .iter()
        .zip(&shapes)
        .map(|(name, shape)| layout.push(name, shape.clone()).expect("valid shape"))
        .collect();
    assert!(layout.push("a", shapes[0].clone()).is_err());
    let params = layout.initialise(&mut ChaCha8Rng::seed_from_u64(15));
    let mut grad = vec![0.0; layout.len()];
    let rows = SHARD_ROWS + 3;
    for (i, (shape, range)) in shapes.iter().zip(&ranges).enumerate() {
        let alone = Mlp::from_params(shape.clone(), params[range.clone()].to_vec()).expect("fits");
        let (arch, found) = layout.find(["a", "b"][i]).expect("pushed");
        assert_eq!(&found, range);
        let view = MlpView::new(arch, &params[range.clone()]).expect("fits");
        let x = inputs(rows, shape.input, 16 + i as u64);
        let c = inputs(rows, shape.output, 18 + i as u64);
        let (mut t1, mut t2) = (Tape::default(), Tape::default());
        assert_eq!(
            view.forward(&x, rows, &mut t1),
            alone.view().forward(&x, rows, &mut t2)
        );
        let mut want = vec![0.0; alone.params().len()];
        alone.view().backward(&mut t2, &c, Grads::params(&mut want));
        view.backward(&mut t1, &c, Grads::params(&mut grad[range.clone()]));
        assert_eq!(&grad[range.clone()], want.as_slice());
    }
    assert_eq!(ranges[1].end, layout.len());
}

/// The layer spans address the layers a pass reads: doubling the last
/// layer's weights and zeroing its bias through them doubles `y − b`.
#[test]
fn layer_spans_address_the_weights() {
    let mut mlp = net(Activation::Silu, 20);
    let rows = 4;
    let x = inputs(rows, 3, 21);
    let mut tape = Tape::default();
    let y = mlp.view().forward(&x, rows, &mut tape).to_vec();
    let last = mlp.architecture().layers().last().expect("two layers").clone();
    assert_eq!(
        (last.fan_in, last.fan_out, last.bias.end),
        (5, 2, mlp.params().len())
    );
    let bias = mlp.params()[last.bias.clone()].to_vec();
    mlp.params_mut()[last.weights.clone()]
        .iter_mut()
        .for_each(|w| *w *= 2.0);
    mlp.params_mut()[last.bias.clone()].fill(0.0);
    let y2 = mlp.view().forward(&x, rows, &mut tape);
    for (i, (a, b)) in y.iter().zip(y2).enumerate() {
        let want = 2.0 * (a - bias[i % 2]);
        assert!((b - want).abs() < 1e-5, "{b} vs {want}");
    }
}
