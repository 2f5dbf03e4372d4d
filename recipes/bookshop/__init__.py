"""The bookshop: the demo domain and API every recipe is applied to, and the in-memory
sandbox its notebooks run in.

Copy units never import it; it imports them (through the views and urls of each recipe).
What tests and measures the recipes lives outside the package, in ``harness/``.
"""
