from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    """`{"object": "list", "data": [...], "has_more", "next", "previous"}`; follow `next` until null."""

    page_size = 20
    max_page_size = 100
    page_size_query_param = "limit"
    ordering = "-pk"

    def get_page_size(self, request):
        from rest_framework.exceptions import ValidationError

        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError({"limit": [f"Enter a whole number from 1 to {self.max_page_size}."]})
        return int(raw)

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.page_size_query_param:
                param["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size, "default": 20}
        return params

    def decode_cursor(self, request):
        from rest_framework.exceptions import NotFound, ValidationError

        if request.query_params.get(self.cursor_query_param) == "":
            raise ValidationError({"cursor": ["Invalid cursor: use the `next` link of the previous page."]})
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError({"cursor": ["Invalid cursor: use the `next` link of the previous page."]}) from None

    def get_paginated_response(self, data):
        from rest_framework.response import Response

        return Response({"object": "list", "data": data, "has_more": self.has_next,
                         "next": self.get_next_link(), "previous": self.get_previous_link()})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["object", "data", "has_more", "next", "previous"],
            "properties": {
                "object": {"type": "string", "enum": ["list"], "example": "list"},
                "data": schema,
                "has_more": {"type": "boolean", "example": True},
                "next": {"type": "string", "format": "uri", "nullable": True,
                         "description": "The next page, or null on the last page.",
                         "example": "https://prakerja.go.id/api/v1/orders?cursor=cD0yMDIwLTA1LTAy"},
                "previous": {"type": "string", "format": "uri", "nullable": True, "example": None},
            },
        }
