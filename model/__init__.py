"""Digit Lab models: architectures, presets, preprocessing, checkpoints and prediction (no Streamlit)."""
