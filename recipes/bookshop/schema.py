"""The demo's OpenAPI schema, with the error answers every operation can give.

drf-spectacular documents the success status of each operation. DRF answers errors too,
always as JSON with a message, and a client generated from the schema should know them:
400 (bad input, per field), 401 and 403 (credentials), 404 (no such object or page), 406
(no renderer for ``Accept``), 414 (from the server, for a request line over its limit), and
for writes 415 (a body it cannot parse) and the
conditional recipe's 412 and 428.
"""

from typing import Any

from drf_spectacular.openapi import AutoSchema

MESSAGE = {
    "type": "object",
    "description": "``detail`` with a message, or a list of messages per field.",
    "additionalProperties": True,
}
EVERY_OPERATION = {
    400: "Bad input: a message per field, or too many query parameters.",
    401: "Credentials are missing or invalid.",
    403: "The caller may not do this.",
    404: "No such object, or no such page.",
    406: "No renderer for the Accept header.",
    414: "The request line is longer than the server accepts (gunicorn: 4094 bytes).",
}
WRITES = {
    412: "The object changed since the If-Match validator was issued.",
    415: "A request body in a media type the view does not parse.",
    428: "The view requires If-Match on writes.",
}


class AutoSchemaWithErrors(AutoSchema):
    """drf-spectacular's schema, plus the error statuses DRF answers with."""

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        bodies = super()._get_response_bodies(direction)
        errors = dict(EVERY_OPERATION)
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            errors |= WRITES
        for status, description in errors.items():
            bodies.setdefault(
                str(status),
                {
                    "description": description,
                    "content": {"application/json": {"schema": MESSAGE}},
                },
            )
        return bodies
