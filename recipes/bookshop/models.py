"""Authors, their books, readers' reviews and each user's favourites."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from recipes.versioned.signals import InvalidatingQuerySet

# Every model's manager announces its bulk writes (``update``, ``bulk_create``,
# ``bulk_update``), which send no signal otherwise; the signals recipe listens for them.
Manager = InvalidatingQuerySet.as_manager


class Author(models.Model):
    name = models.CharField(max_length=200)
    updated_at = models.DateTimeField(auto_now=True)

    objects = Manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Book(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, related_name="books", on_delete=models.CASCADE)
    published = models.DateField()
    price = models.DecimalField(max_digits=8, decimal_places=2)
    favorited_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Favorite", related_name="favorite_books"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = Manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class Review(models.Model):
    book = models.ForeignKey(Book, related_name="reviews", on_delete=models.CASCADE)
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = Manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.rating}/5 for {self.book_id}"


class Favorite(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="favorites", on_delete=models.CASCADE
    )
    book = models.ForeignKey(Book, related_name="favorites", on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = Manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "book"], name="one_favorite_per_user_book"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.book_id}"
