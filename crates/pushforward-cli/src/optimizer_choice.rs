//! The optimiser of a training command from `--optimizer`, `--lr` and
//! `--weight-decay`, over the defaults of the library.

use anyhow::bail;
use pushforward_neural::OptimizerConfig;

/// `engine` (the engine's own optimiser and settings) unless `chosen` names
/// another one, which starts from the library's defaults; then the rate
/// `lr` and the decoupled `weight_decay` (AdamW only) where given.
pub(crate) fn choose(
    engine: OptimizerConfig,
    chosen: Option<OptimizerConfig>,
    lr: Option<f64>,
    weight_decay: Option<f64>,
) -> anyhow::Result<OptimizerConfig> {
    let mut config = match chosen {
        Some(c) if c.name() != engine.name() => c,
        _ => engine,
    };
    if let Some(lr) = lr {
        config = config.with_lr(lr);
    }
    match (weight_decay, &mut config) {
        (Some(decay), OptimizerConfig::AdamW(c)) => c.weight_decay = decay,
        (Some(_), other) => bail!("--weight-decay applies to adamw, not {}", other.name()),
        (None, _) => {}
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pushforward_neural::AdamWConfig;

    #[test]
    fn the_engine_keeps_its_settings_and_another_starts_from_the_library() {
        let engine = OptimizerConfig::AdamW(AdamWConfig {
            lr: 0.04,
            weight_decay: 0.0,
            ..AdamWConfig::DEFAULT
        });
        let adamw = OptimizerConfig::default();
        let sgd = OptimizerConfig::ALL[0];
        assert_eq!(choose(engine, None, None, None).expect("valid"), engine);
        assert_eq!(choose(engine, Some(adamw), None, None).expect("valid"), engine);
        assert_eq!(choose(engine, Some(sgd), None, None).expect("valid"), sgd);
        assert_eq!(
            choose(engine, Some(sgd), Some(0.3), None).expect("valid").lr(),
            0.3
        );
        let decayed = choose(engine, None, Some(0.1), Some(0.5)).expect("valid");
        assert_eq!(
            decayed,
            OptimizerConfig::AdamW(AdamWConfig {
                lr: 0.1,
                weight_decay: 0.5,
                ..AdamWConfig::DEFAULT
            })
        );
        assert!(choose(engine, Some(sgd), None, Some(0.1)).is_err());
    }
}
