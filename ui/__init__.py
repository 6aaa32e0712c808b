"""Streamlit widgets and figure builders shared by the pages."""
