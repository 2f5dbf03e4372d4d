"""The bookshop API behind the response cache; ``settings.RESPONSE_CACHE`` says which paths."""

from recipes.bookshop import views as bookshop

from .response_cache import ResponseCacheMixin


# --8<-- [start:viewsets]
class BookViewSet(ResponseCacheMixin, bookshop.BookViewSet):
    pass


class AuthorViewSet(ResponseCacheMixin, bookshop.AuthorViewSet):
    pass


class ReviewViewSet(ResponseCacheMixin, bookshop.ReviewViewSet):
    pass


# --8<-- [end:viewsets]
