//! Encoding refuses what would not read back; decoding names the field of
//! a bad value.

use super::*;
use crate::activation::Activation;
use crate::train::LossCurve;

/// A header as a one-window fit writes it, with `final_loss`.
fn header(final_loss: f64) -> ModelHeader {
    let training = TrainSummary {
        steps: 1,
        seconds: 0.0,
        final_loss,
        best_loss: 1.0,
        stopped_early: false,
        curve: LossCurve {
            steps: vec![1],
            loss: vec![1.0],
            terms: Vec::new(),
        },
        adjusted: Vec::new(),
        validation: None,
    };
    let columns = vec![ColumnInfo {
        name: "x".into(),
        kind: ColumnKind::Float,
    }];
    ModelHeader::new(Method::Mmd, columns, 3, 0, training)
}

/// A 1 → 1 network whose weight is `w`.
fn network(w: f32) -> Mlp {
    let shape = MlpShape {
        input: 1,
        hidden: Vec::new(),
        output: 1,
        activation: Activation::Silu,
    };
    Mlp::from_params(shape, vec![w, 0.0]).expect("a 1 -> 1 network")
}

/// What `encode` writes, `decode` reads; what could not be read back
/// (a NaN weight, a NaN loss in the header) is refused before writing,
/// naming the network or the field.
#[test]
fn only_what_reads_back_is_encoded() {
    let body = vec![1.5f64];
    let bytes = encode(&header(0.5), &body, &[("net", &network(2.0))]).expect("encodes");
    let mut decoded = decode(&bytes, Path::new("m.pf")).expect("decodes");
    assert_eq!(decoded.header, header(0.5));
    assert_eq!(decoded.body::<Vec<f64>>().expect("body"), body);
    let weights = encode(&header(0.5), &body, &[("net", &network(f32::NAN))]).expect_err("a NaN weight");
    assert!(matches!(weights, NeuralError::Unsaveable { .. }));
    assert!(weights.to_string().contains("network 'net'"), "{weights}");
    let loss = encode(&header(f64::NAN), &body, &[("net", &network(2.0))]).expect_err("a NaN loss");
    assert!(loss.to_string().contains("field 'training.final_loss'"), "{loss}");
    let in_body = encode(&header(0.5), &vec![f64::INFINITY], &[]).expect_err("an infinite body value");
    assert!(in_body.to_string().contains("field 'body.[0]'"), "{in_body}");
}

/// A `null` where a number belongs (a NaN written by an older build)
/// is named by its path, with what it stands for.
#[test]
fn a_null_number_is_named_by_its_field() {
    let bytes = encode(&header(0.25), &vec![1.5f64], &[("net", &network(2.0))]).expect("encodes");
    // The same length, so the safetensors layout stays valid.
    let (from, to) = (r#"\"final_loss\":0.25"#, r#"\"final_loss\":null"#);
    let at = bytes
        .windows(from.len())
        .position(|w| w == from.as_bytes())
        .expect("the header holds the loss");
    let mut out = bytes.clone();
    out[at..at + to.len()].copy_from_slice(to.as_bytes());
    let Err(err) = decode(&out, Path::new("m.pf")) else {
        panic!("a null loss was accepted")
    };
    let message = err.to_string();
    assert!(message.contains("m.pf"), "{message}");
    assert!(message.contains("field 'training.final_loss'"), "{message}");
    assert!(message.contains("NaN or infinite"), "{message}");
}

/// A header whose network is far wider than the file's tensors (a width
/// of 2^40, whose parameters would need terabytes) is refused by the
/// first tensor that does not match, before anything is allocated for it.
#[test]
fn a_network_wider_than_its_tensors_is_refused_without_allocating() {
    let bytes = encode(&header(0.5), &vec![1.5f64], &[("net", &network(2.0))]).expect("encodes");
    let file = decode(&bytes, Path::new("m.pf")).expect("decodes");
    let huge = MlpShape {
        input: 1,
        hidden: vec![1 << 40],
        output: 1,
        activation: Activation::Silu,
    };
    let err = super::network(&file.tensors, "net", &huge).expect_err("a shape the tensors do not hold");
    assert!(err.contains("tensor 'net.0.weight'"), "{err}");
    assert!(err.contains(&format!("{}", 1u64 << 40)), "{err}");
}
