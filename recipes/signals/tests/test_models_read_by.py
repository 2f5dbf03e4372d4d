"""What ``watch_serializer`` finds by itself, and what a page must still name by hand."""

from collections.abc import Iterable

import pytest
from django.contrib.auth import get_user_model
from rest_framework import serializers

from recipes.bookshop.models import Author, Book, Favorite
from recipes.bookshop.serializers import AuthorSerializer, BookSerializer
from recipes.versioned.signals import ModelInvalidator, models_read_by

User = get_user_model()


class FavoritedBookSerializer(BookSerializer):
    favorited_by = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(BookSerializer.Meta):
        fields = [*BookSerializer.Meta.fields, "favorited_by"]


class ReaderSerializer(serializers.ModelSerializer):
    favorite_books = FavoritedBookSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "favorite_books"]


class AuthorWithBooksSerializer(AuthorSerializer):
    books = serializers.StringRelatedField(many=True)

    class Meta(AuthorSerializer.Meta):
        fields = [*AuthorSerializer.Meta.fields, "books"]


def test_nested_serializers_are_followed_but_method_fields_are_not():
    """``average_rating`` reads reviews and ``is_favorite`` favourites, in code: the page
    says to watch those models by hand."""
    assert models_read_by(BookSerializer) == {Book, Author}


def test_many_to_many_fields_bring_their_through_table_from_either_side():
    assert models_read_by(FavoritedBookSerializer) == {Book, Author, Favorite, User}
    assert models_read_by(ReaderSerializer) == {User, Book, Author, Favorite}


def test_a_reverse_foreign_key_brings_the_rows_it_lists():
    assert models_read_by(AuthorWithBooksSerializer) == {Author, Book}


class RecordingInvalidator(ModelInvalidator):
    """Records what would be bumped, instead of bumping it."""

    def __init__(self) -> None:
        super().__init__(namespaces=None)
        self.bumped: list[set[str]] = []

    def bump_after_commit(self, names: Iterable[str]) -> None:
        self.bumped.append(set(names))


@pytest.mark.django_db
def test_writes_to_every_model_read_bump_the_names(book):
    invalidator = RecordingInvalidator()
    invalidator.watch_serializer(FavoritedBookSerializer, {"books"})
    reader = User.objects.create_user("reader")
    writes = {
        "nested author saved": lambda: book.author.save(),
        "m2m add": lambda: book.favorited_by.add(reader),
        "m2m clear, reversed": lambda: reader.favorite_books.clear(),
        "through row created": lambda: Favorite.objects.create(user=reader, book=book),
        "book deleted": lambda: book.delete(),
    }
    for name, write in writes.items():
        invalidator.bumped.clear()
        write()
        assert {"books"} in invalidator.bumped, name
