//! Threat analysis: suggestion rules over the model, `check`, and SARIF output.
