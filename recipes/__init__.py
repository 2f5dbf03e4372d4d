"""The DRF caching cookbook: one package per caching recipe, plus the bookshop demo they share.

Each recipe package (``recipes.<name>``) names the code a reader copies (``COPY_UNIT``: a
module named for what it holds, or the ``recipes.versioned`` folder), and holds the views and
urls that apply it to the bookshop, its tests and a ``__main__`` that runs its notebook in a
terminal.
``recipes.bookshop`` is the demo domain; ``recipes.settings`` and ``recipes.urls`` make the
demo project, run with ``python -m recipes <command>``.
"""
