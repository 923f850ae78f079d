"""Settings for csc, read from the environment.

Nothing here differs between deployments except what the environment says.
With no environment at all the project runs embedded: SQLite, a filesystem
Celery broker, DEBUG on. Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS,
DATABASE_URL and REDIS_URL (see README.md).
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
VAR_DIR = Path(env.str("CSC_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: a fixed key so sessions survive restarts of `make run`.
    SECRET_KEY = "csc-development-only-key-not-for-production-use-0123456789abcdef"

# Resident ID numbers are encrypted at rest (csc/lib/crypto.py): Fernet keys,
# newest first (the first encrypts, all decrypt), and the key of the blind index
# that finds a number without decrypting.
PERSONAL_DATA_KEYS = env.list("PERSONAL_DATA_KEYS", default=[])
PERSONAL_DATA_INDEX_KEY = env.str("PERSONAL_DATA_INDEX_KEY", default="")
if not DEBUG and not (PERSONAL_DATA_KEYS and PERSONAL_DATA_INDEX_KEY):
    raise ImproperlyConfigured(
        "PERSONAL_DATA_KEYS and PERSONAL_DATA_INDEX_KEY must be set when DEBUG is off."
    )
# Development only: fixed keys, so the data of `make run` stays readable across restarts.
PERSONAL_DATA_KEYS = PERSONAL_DATA_KEYS or ["Y3NjLWRldmVsb3BtZW50LW9ubHktbm90LXNlY3JldCE="]
PERSONAL_DATA_INDEX_KEY = (
    PERSONAL_DATA_INDEX_KEY or "csc-development-only-index-key-not-for-production"
)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    "simple_history",
    "axes",
    # Our apps, bottom of the layering first (docs/architecture.md).
    "csc",
    "staffing",
    "intake",
    "sla",
    "worktickets",
    "complaints",
    "care",
    "knowledge",
    "quality",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csc.middleware.htmx_errors_as_banner",
    "csc.middleware.refuse_unstorable_text",
    "csc.middleware.htmx_sign_in_redirect",
    "csc.middleware.no_store_when_signed_in",
    "csc.middleware.ProductNotFoundPage",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into a 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "csc.urls"
WSGI_APPLICATION = "csc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csc.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite in var/ by default, PostgreSQL in production and tests.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'csc.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A connection dropped by a PostgreSQL restart is noticed and replaced on the
# next request instead of failing it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    # Web server and Celery worker share the file; wait instead of failing on a lock.
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
elif env.bool("DATABASE_POOL", default=False):
    # psycopg's connection pool, one per process and alias, instead of one
    # persistent connection per thread. For the web processes only: Celery's
    # prefork workers close the pool around every task.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=4),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env.bool(
    "DATABASE_JIT", default=False
):
    # PostgreSQL compiles a query whose estimated cost is high: ranking full-text
    # matches is estimated in millions, and compiling took 1.3 s of a 2 s
    # knowledge search. Every query here is a short read or write.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# Auto-assignment takes a team's agents on shift from the copy kept per process
# (staffing/on_shift.py, with the reference data's cache) and reads only their loads;
# with 0 it reads the agents with a statement of their own at each use.
ASSIGNMENT_ON_SHIFT_KEPT = env.bool("ASSIGNMENT_ON_SHIFT_KEPT", default=True)
# On PostgreSQL auto-assignment chooses the agent (their loads counted, their lock
# taken, their tickets counted again) in one call of a database function, whose plans
# the server keeps; 0 takes the same steps as the ORM's statements, each built and
# planned at each use. The two take the same locks: processes may differ.
ASSIGNMENT_CHOOSE_FUNCTION = env.bool("ASSIGNMENT_CHOOSE_FUNCTION", default=True)
# On PostgreSQL a new ticket to be assigned automatically writes its SLA clocks
# before the chosen agent's lock, which is then held over fewer statements;
# 0 writes them after the ticket, to re-measure the difference.
ASSIGNMENT_CLOCKS_BEFORE_LOCK = env.bool("ASSIGNMENT_CLOCKS_BEFORE_LOCK", default=True)
# Ticket numbers are counted on a second connection, in autocommit, whose
# commits do not wait for the disk (worktickets/numbering.py); with 0 they are
# counted in the creating transaction.
TICKET_NUMBERS_OUTSIDE_TRANSACTION = env.bool("TICKET_NUMBERS_OUTSIDE_TRANSACTION", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["numbers"] = {
        **DATABASES["default"],
        "OPTIONS": {
            **DATABASES["default"].get("OPTIONS", {}),
            "options": " ".join(
                [
                    DATABASES["default"].get("OPTIONS", {}).get("options", ""),
                    "-c synchronous_commit=off",
                ]
            ).strip(),
            "application_name": "csc ticket numbers",
        },
        "TEST": {"MIRROR": "default"},
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "staffing.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Networks webhook receivers may be in although not public (on-premise receivers),
# as addresses or CIDRs: "10.20.0.0/16,192.168.5.10". Nothing else private is allowed.
WEBHOOK_ALLOWED_NETWORKS = env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])
for _network in WEBHOOK_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"WEBHOOK_ALLOWED_NETWORKS: {_network!r} is not an address or a network."
        ) from None

# Failed logins allowed per username and per client address in the window.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=900)
# Reverse proxies in front of Django that append the client's address to
# X-Forwarded-For (csc.lib.addresses); BEHIND_TLS_PROXY means one.
TRUSTED_PROXY_COUNT = env.int(
    "TRUSTED_PROXY_COUNT", default=1 if env.bool("BEHIND_TLS_PROXY", default=False) else 0
)

# Sign-in throttling by django-axes, in the database (so it holds while Redis is
# down). Failures are counted per username AND client address: LOGIN_FAILURE_LIMIT
# of them lock that username out from that address only, so nobody can lock
# someone else out from elsewhere; the lock lifts LOGIN_FAILURE_WINDOW_SECONDS
# after the last failure, and a successful sign-in clears the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_FAILURE_WINDOW_SECONDS)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "csc.lib.addresses.client_address"
AXES_USERNAME_CALLABLE = "staffing.views.sign_in_username"
AXES_LOCKOUT_CALLABLE = "staffing.views.sign_in_locked_out"
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]

# Searches by phone or resident ID number allowed per person, and per API client,
# in the window (intake/searches.py): more are refused and the security-alert
# holders are told. An exact search answers found/not found, so unlimited ones
# rebuild masked numbers.
# The public address customers' survey links point to (care: SMS links).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://localhost:8000")
# Survey page requests allowed per client address and minute (public, no login).
SURVEY_PAGE_RATE_PER_MINUTE = env.int("SURVEY_PAGE_RATE_PER_MINUTE", default=30)
CUSTOMER_SEARCH_LIMIT = env.int("CUSTOMER_SEARCH_LIMIT", default=30)
CUSTOMER_SEARCH_CLIENT_LIMIT = env.int("CUSTOMER_SEARCH_CLIENT_LIMIT", default=600)
CUSTOMER_SEARCH_WINDOW_SECONDS = env.int("CUSTOMER_SEARCH_WINDOW_SECONDS", default=600)
# Knowledge search ranks at most this many matches per tier, the newest
# (knowledge/search.py): a common word matches most articles, and ranking
# them all cost 0.2 s for the search page and 1 s for ticket suggestions.
KNOWLEDGE_SEARCH_CANDIDATES = env.int("KNOWLEDGE_SEARCH_CANDIDATES", default=200)

# History: each tracked model's `history` manager class is made once, not on
# every read (csc/lib/history.py); 0 uses simple-history's own descriptor, to
# re-measure after an upgrade.
KEEP_HISTORY_MANAGERS = env.bool("KEEP_HISTORY_MANAGERS", default=True)

# Internationalisation: Chinese first, English complete.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
# Covering indexes (`include=`) are a PostgreSQL speed-up for the dashboard's counts;
# the embedded SQLite setup builds the same indexes without their extra columns.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# Static files served by whitenoise, from packages only (no CDN).
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names need `collectstatic` first; the image build runs it.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Stored files are served only by views that check permissions (csc.lib.files). Behind
# nginx, name an `internal` location aliasing MEDIA_ROOT here to have nginx send them.
MEDIA_INTERNAL_REDIRECT = env.str("MEDIA_INTERNAL_REDIRECT", default="")

# Cache: Redis when there is one, process memory otherwise.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="csc"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Reference data kept per process (csc.lib.reference); it needs a cache that every
# process shares, so it is off by default without Redis. Off: read on every use.
REFERENCE_CACHE_ENABLED = env.bool("REFERENCE_CACHE_ENABLED", default=bool(REDIS_URL))
# How long an API client's entry in the cache may go unconfirmed by its row
# (staffing.reference); 0 reads the row on every request.
API_CLIENT_CACHE_SECONDS = env.int("API_CLIENT_CACHE_SECONDS", default=60)

# Celery: Redis in production; a broker directory in var/ when embedded.
CELERY_BROKER_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        # Else kombu keeps its exchange tables in ./control, wherever the process runs.
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# The roster proposal (staffing.proposal): how long CP-SAT may search, with how many
# workers, and how many shifts an agent works in any 7 days.
ROSTER_PROPOSAL_SECONDS = env.int("ROSTER_PROPOSAL_SECONDS", default=30)
ROSTER_PROPOSAL_WORKERS = env.int("ROSTER_PROPOSAL_WORKERS", default=2)
ROSTER_MAX_SHIFTS_IN_7_DAYS = env.int("ROSTER_MAX_SHIFTS_IN_7_DAYS", default=5)

# How often the shift dashboard and the wallboards take their figures again.
DASHBOARD_REFRESH_SECONDS = env.int("DASHBOARD_REFRESH_SECONDS", default=15)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Email: console when embedded, SMTP from EMAIL_URL in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="csc@localhost")

# REST API (DESIGN.md §3).
# Output serializers render through one template per class (csc.lib.serializers);
# off: DRF builds every serializer's fields anew, as it does by default.
SERIALIZER_TEMPLATES = env.bool("SERIALIZER_TEMPLATES", default=True)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "staffing.api_auth.ApiClientTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["staffing.api_auth.HasResourceScope"],
    "DEFAULT_THROTTLE_CLASSES": ["staffing.api_auth.ApiClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_client": env.str("API_CLIENT_RATE", default="600/min")},
    "DEFAULT_SCHEMA_CLASS": "staffing.api_schema.AutoSchema",
    # JSON of bounded depth, without NUL or lone surrogates: csc.lib.parsers.
    "DEFAULT_PARSER_CLASSES": [
        "csc.lib.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "csc.lib.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "csc.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "csc API",
    # The front page and each resource's description: csc.api_docs.describe_api.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "csc.api_docs.describe_api",
    ],
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Operations are grouped by resource (customers, tickets, complaints…), the path
    # segment after this prefix, instead of one "v1" group.
    "SCHEMA_PATH_PREFIX": r"/api/v1/",
    # The token's security scheme is described by staffing.api_auth.ApiClientTokenScheme.
    # Choice sets that share a field name across serializers get explicit names.
    "ENUM_NAME_OVERRIDES": {
        "TicketKindEnum": "worktickets.choices.TicketKind",
        "TicketStatusEnum": "worktickets.choices.TicketStatus",
        "ProblemStatusEnum": "worktickets.choices.ProblemStatus",
        "ArticleKindEnum": "knowledge.choices.ArticleKind",
        "CustomerServiceStatusEnum": "intake.choices.ServiceStatus",
        "ChannelEnum": "intake.choices.Channel",
        "TeamKindEnum": "staffing.models.Team.Kind",
        "FeedbackChannelEnum": "complaints.choices.FeedbackChannel",
        "EvidenceKindEnum": "complaints.choices.EvidenceKind",
        "CompensationKindEnum": "complaints.choices.CompensationKind",
        "ExtensionMetricEnum": "complaints.choices.ExtensionMetric",
        "WebhookEventEnum": "staffing.models.WebhookEvent",
        "WebhookSubscribableEventEnum": "staffing.models.SUBSCRIBABLE_EVENT_CHOICES",
    },
}

# Security: strict unless DEBUG; every value can still be set explicitly.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Scripts and styles come from our own static files only: no inline script, no
# eval (htmx runs with allowEval off), inline <style> only with the request's
# nonce. Swagger UI at /api/docs/ relaxes styles for itself (csc/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz answers plain HTTP so load balancers can probe it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Every handler masks phone and ID numbers (csc/lib/log_scrub.py); Django's own
# loggers are routed through these handlers so none writes around the filter.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "scrub_personal_data": {"()": "csc.lib.log_scrub.PersonalDataScrubber"},
        "expected_refusals": {"()": "csc.lib.log_refusals.ExpectedRefusalFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["scrub_personal_data"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["scrub_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # A 403 or 400 raised in a view is one line, without its traceback.
        "django.request": {"filters": ["expected_refusals"], "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
    },
}

# Demo logins are refused outside DEBUG unless seed_demo is forced.
DEMO_PASSWORD = "csc-demo"
