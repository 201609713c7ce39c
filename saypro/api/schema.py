"""The OpenAPI schema says every answer an operation can give, refusals included.

Every operation can be refused for the token (401), its scopes or role (403), an object the
person may not see (404) or a throttle (429); writes also for bad input (400). Saying so lets a
client, and schemathesis in the tests, check every answer against the schema.
"""

from drf_spectacular.openapi import AutoSchema

ERROR_BODY = {
    "type": "object",
    "description": "`detail` for a refusal; for bad input, a list of messages per field (or `non_field_errors`).",
    "additionalProperties": True,
}
REFUSALS = {
    "401": "No token or session, or an unknown, expired or revoked token.",
    "403": "The token's scopes or the person's role do not allow this.",
    "404": "Nothing the person may see is there.",
    "429": "Too many requests; try again later.",
}
BAD_INPUT = {"400": "The input was refused; the messages say why, next to each field."}


class ApiSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        refusals = REFUSALS if self.method == "GET" and not self._has_query_params() else {**BAD_INPUT, **REFUSALS}
        for code, description in refusals.items():
            responses.setdefault(
                code, {"description": description, "content": {"application/json": {"schema": ERROR_BODY}}}
            )
        return responses

    def _has_query_params(self) -> bool:
        return bool(self._get_parameters())
