"""``python -m recipes <command>``: the demo project's ``manage.py``."""

import os
import sys

from django.core.management import execute_from_command_line


def main() -> None:
    """Run a Django management command against the demo project's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recipes.settings")
    execute_from_command_line(["python -m recipes", *sys.argv[1:]])


if __name__ == "__main__":
    main()
