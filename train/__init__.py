"""Digit Lab training: MNIST data, the training engine, jobs and the CLI (no Streamlit)."""
