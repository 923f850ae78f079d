"""csc's WSGI application, as gunicorn serves it, counting SQL on request.

A request that carries `X-Bench-Queries: 1` gets back `X-Bench-Queries: <n>`
(the statements the server ran for it, including authentication, sessions and
throttling) and `X-Bench-SQL-Ms` (their time). Other requests pass straight
through, so the timed runs measure the application alone.
"""

import time

from django.db import connection

from csc.wsgi import application as csc_application

HEADER = "HTTP_X_BENCH_QUERIES"


def application(environ, start_response):
    if environ.get(HEADER) != "1":
        return csc_application(environ, start_response)
    count, spent = 0, 0.0

    def counted(execute, sql, params, many, context):
        nonlocal count, spent
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            count += 1
            spent += time.perf_counter() - began

    def start(status, headers, exc_info=None):
        # Django calls this once the response is complete: every query has run.
        headers = [
            *headers,
            ("X-Bench-Queries", str(count)),
            ("X-Bench-SQL-Ms", f"{spent * 1000:.2f}"),
        ]
        return start_response(status, headers, exc_info)

    with connection.execute_wrapper(counted):
        return csc_application(environ, start)
