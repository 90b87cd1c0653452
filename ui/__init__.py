"""Streamlit glue shared by the pages: state binding, the device picker, the warm-up."""
