"""The dashboard's entry point: page config and the pages. Run with ``streamlit run app.py``."""

import streamlit as st

from pages._page import run_page

st.set_page_config(page_title="Customer value: RFM segments and CLV", page_icon=":material/insights:", layout="wide")

run_page(st.navigation([
    st.Page("pages/segments.py", title="Segments", icon=":material/donut_small:", default=True),
    st.Page("pages/value.py", title="Lifetime value", icon=":material/payments:", url_path="lifetime-value"),
    st.Page("pages/predictions.py", title="Predictions", icon=":material/trending_up:", url_path="predictions"),
    st.Page("pages/retention.py", title="Retention", icon=":material/autorenew:", url_path="retention"),
    st.Page("pages/customers.py", title="Customers", icon=":material/group:", url_path="customers"),
    st.Page("pages/data.py", title="Your data", icon=":material/upload_file:", url_path="data"),
]))
