"""Answer hostile requests with a 400 and a message, in the API's own format."""

from django.core.exceptions import SuspiciousOperation
from rest_framework.response import Response
from rest_framework.views import exception_handler


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Handle DRF's exceptions, and turn ``SuspiciousOperation`` into a JSON 400.

    Django raises ``TooManyFieldsSent`` when a query string has more parameters than
    ``DATA_UPLOAD_MAX_NUMBER_FIELDS``; left to Django, it becomes an HTML error page.
    """
    if isinstance(exc, SuspiciousOperation):
        return Response({"detail": str(exc)}, status=400)
    return exception_handler(exc, context)
