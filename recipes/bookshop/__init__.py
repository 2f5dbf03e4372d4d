"""The bookshop: the demo domain, API and support code every recipe is applied to.

Recipes never import it; it imports them (through the views and urls of each recipe).
"""
