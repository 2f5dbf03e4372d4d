"""The manual-keys recipe with the unchecked tag store, served only by the live race test.

``settings`` adds this package to the demo's recipes, under ``/api/manual-keys-unchecked/``.
"""

SLUG = "manual-keys-unchecked"
TITLE = "Manual keys, unchecked store (a pitfall)"
