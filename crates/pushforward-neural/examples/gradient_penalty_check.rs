//! Writes small critics, inputs, weights and this crate's R1 penalty
//! results to a JSON file for `bench/reference/gradient_penalty_torch.py`,
//! which recomputes them with PyTorch's double backward:
//!
//! ```text
//! cargo run -p pushforward-neural --example gradient_penalty_check -- /tmp/gp.json
//! python3 bench/reference/gradient_penalty_torch.py /tmp/gp.json
//! ```
//! Each case is a 3 → 16 → 16 → 1 network with one activation on 300 rows
//! (three shards): `D(x)`, `∇ₓD(x)`, `Σ wᵣ ½‖∇ₓD(xᵣ)‖²` and its gradient
//! with respect to the parameters.

use std::error::Error;

use pushforward_neural::{Activation, Mlp, MlpShape, ParamGrad, Tape};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

const ROWS: usize = 300;
const INPUT: usize = 3;

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: gradient_penalty_check OUT.json")?;
    let mut rng = ChaCha8Rng::seed_from_u64(2018);
    let mut cases = Vec::new();
    for activation in Activation::ALL {
        let shape = MlpShape {
            input: INPUT,
            hidden: vec![16, 16],
            output: 1,
            activation,
        };
        let mlp = Mlp::new(shape.clone(), &mut rng)?;
        let x: Vec<f32> = (0..ROWS * INPUT).map(|_| rng.random_range(-2.0..2.0)).collect();
        let w: Vec<f32> = (0..ROWS).map(|_| rng.random_range(0.0..2.0)).collect();
        let mut tape = Tape::default();
        let mut g = vec![0.0f32; ROWS * INPUT];
        let d = mlp.view().input_gradient(&x, ROWS, &mut tape, &mut g)?.to_vec();
        let mut grad = vec![0.0f32; mlp.params().len()];
        let penalty = mlp
            .view()
            .r1_penalty(&x, ROWS, &w, &mut tape, ParamGrad::Overwrite(&mut grad))?;
        cases.push(json!({
            "activation": activation.name(),
            "input": shape.input,
            "hidden": shape.hidden,
            "params": mlp.params(),
            "x": x,
            "w": w,
            "d": d,
            "g": g,
            "penalty": penalty,
            "grad": grad,
        }));
    }
    std::fs::write(&path, serde_json::to_string(&json!({ "cases": cases }))?)?;
    println!("wrote {} cases to {path}", Activation::ALL.len());
    Ok(())
}
