"""Bridges to the tools users already have: Hugging Face datasets, lm-evaluation-harness,
Label Studio and doccano. Each bridge is its own module; none is imported by the core."""
