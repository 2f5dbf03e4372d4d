# Appended after the shared settings: this project's lists are plain, not paginated.
del REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"], REST_FRAMEWORK["PAGE_SIZE"]
