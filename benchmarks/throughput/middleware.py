"""Count the SQL queries a response took (the benchmark reads them from a header)."""

from django.db import connection


def count_queries(get_response):
    def middleware(request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = get_response(request)
            if getattr(response, "streaming", False):
                # A streamed body runs its queries while it is sent; collect it here so they count.
                response.streaming_content = [b"".join(response.streaming_content)]
        response["X-Bench-Queries"] = str(count)
        return response

    return middleware
