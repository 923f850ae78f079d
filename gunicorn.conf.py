"""gunicorn's settings beyond the command line (it reads ./gunicorn.conf.py).

The access log names the path only: a query string or a referrer may carry the
phone or ID number someone searched for (DOMAIN.md R-2), and the access log
is written by gunicorn, outside Django's scrubbing log filter.
"""

# Client, time, method, path (no query string), protocol, status, size, agent.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"'
