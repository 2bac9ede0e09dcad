"""The visit pages, one module per concern; `visits/urls.py` names each view."""
