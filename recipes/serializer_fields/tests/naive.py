"""The naive cached fields, as found in the wild: kept to show what they cost."""

from django.core.cache import cache
from django.utils.functional import cached_property

from recipes.bookshop import serializers as shop


# --8<-- [start:naive]
class AuthorSerializer(shop.AuthorSerializer):
    def get_book_count(self, author):
        key = f"author:{author.pk}:book_count"
        value = cache.get(key)  # one round trip per row
        if value is None:
            value = super().get_book_count(author)
            cache.set(key, value, 3600)
        return value

    def get_average_rating(self, author):
        key = f"author:{author.pk}:average_rating"
        value = cache.get(key)  # and one more per row
        if value is None:  # an author without reviews is never cached
            value = super().get_average_rating(author)
            cache.set(key, value, 3600)
        return value


# The naive version's other suggestion, a property on the Author model:
@cached_property
def book_count(self):  # lives as long as this instance: one request
    return self.books.count()


# --8<-- [end:naive]
