"""Weight Decay Lab's numeric core: problems, update rules, results. Never imports streamlit."""
