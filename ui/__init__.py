"""The Streamlit side of the pages: the cached loaders, the sidebar filters, sign-in and render helpers the
thin scripts in app_pages/ call. Only this layer and app_pages/ import streamlit."""
