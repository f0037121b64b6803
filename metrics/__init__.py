"""Metric definitions, rollups, statuses, Erlang C and chart builders. Never imports streamlit."""
