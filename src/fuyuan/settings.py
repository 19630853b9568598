"""Django settings, read from the environment (see docs/deploy.md for every variable)."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
# The working folder holds the embedded database, uploads and generated keys. In a checkout it
# is <repo>/var; a deployment points FUYUAN_VAR_DIR elsewhere.
VAR_DIR = Path(os.environ.get("FUYUAN_VAR_DIR", PACKAGE_DIR.parent.parent / "var"))
REPO_DIR = PACKAGE_DIR.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# pytest (>= 8.2) sets PYTEST_VERSION for the whole session.
TESTING = env_bool("FUYUAN_TESTING", False) or "PYTEST_VERSION" in os.environ
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-only-for-make-run-and-tests"
    else:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if (DEBUG or TESTING) else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    # Before django.contrib.auth: its createsuperuser and changepassword are replaced by
    # commands that keep the three administrators separate (accounts/management/commands).
    "fuyuan.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "django_filters",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "fuyuan.core",
    "fuyuan.audit",
    "fuyuan.twofactor",
    "fuyuan.sso",
    "fuyuan.org",
    "fuyuan.notify",
    "fuyuan.matters",
    "fuyuan.documents",
    "fuyuan.meetings",
    "fuyuan.duallists",
    "fuyuan.liaison",
    "fuyuan.reporting",
    "fuyuan.litigation",
    "fuyuan.enforcement",
    "fuyuan.bankruptcy",
    "fuyuan.risks",
    "fuyuan.exchange",
    "fuyuan.dashboard",
    "fuyuan.assessment",
    "fuyuan.ops",
    "fuyuan.demo",
]

MIDDLEWARE = [
    # Outermost: one log line per request (ops.logging) and X-Request-ID on every answer.
    "fuyuan.ops.middleware.RequestLogMiddleware",
    # Next: the database out of reach answers 503 (rendered without the database or session).
    "fuyuan.core.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fuyuan.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the idle timeout: signing an idle session out leaves a message for the login page.
    "django.contrib.messages.middleware.MessageMiddleware",
    "fuyuan.accounts.middleware.IdleTimeoutMiddleware",
    # Before the password expiry: a session must pass its second factor before anything else.
    "fuyuan.twofactor.middleware.SecondFactorMiddleware",
    "fuyuan.accounts.middleware.PasswordExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Answers to signed-in users are never stored by browsers or proxies (core.cache_headers).
    "fuyuan.core.cache_headers.PrivatePagesMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fuyuan.audit.middleware.DeniedAuditMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fuyuan.urls"
# Widget templates in templates/django/forms carry Bootstrap's classes, so forms stay plain.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "fuyuan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "fuyuan.core.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'fuyuan.sqlite3'}"
# Tests close connections after each request so test databases can be dropped at the end.
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0 if TESTING else 60)}
# A kept connection is checked before each request reuses it: after the database restarted,
# the next request reconnects instead of failing on the dead connection.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE transactions and WAL let the web process and the worker share the file
        # without "database is locked" (ARCHITECTURE.md, "SQLite and PostgreSQL").
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": None}
else:
    # No JIT: pages run short queries whose row estimates can look expensive, and compiling
    # them cost some 45 ms of the ledger's query on a city's five years (docs/benchmarks.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# Database cache: shared by every process, so lockouts and rate limits hold across workers.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "fuyuan_cache",
    }
}

# --- Identity and sessions --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "fuyuan.accounts.backends.RoleAwareBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "fuyuan.accounts.passwords.CharacterClassValidator"},
]
# Days after which a password must be changed (等保 level 3: periodic change).
FUYUAN_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("FUYUAN_PASSWORD_MAX_AGE_DAYS", "90"))
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Idle sessions end after 30 minutes; the middleware enforces it so that polling requests
# (marked with the X-Fuyuan-Poll header) do not count as activity.
FUYUAN_IDLE_TIMEOUT_SECONDS = int(os.environ.get("FUYUAN_IDLE_TIMEOUT_SECONDS", "1800"))
# Activity is written to the session at most once a minute: a page that only reads then saves
# no session (three statements fewer per request); the idle timeout is exact to the minute.
# The tests write it on every request (0), so their query counts do not depend on the order.
FUYUAN_ACTIVITY_GRANULARITY_SECONDS = int(
    os.environ.get("FUYUAN_ACTIVITY_GRANULARITY_SECONDS", "0" if TESTING else "60")
)
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE = env_bool("FUYUAN_HTTPS", not (DEBUG or TESTING))
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
# HSTS behind HTTPS only: a year, subdomains included, no preload list (an intranet name).
# SecurityMiddleware sends it on HTTPS responses alone; with FUYUAN_HTTPS off it is never sent.
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Lockout by username: offices share one NAT address, so never by address alone.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# W006 asks for the address in the lockout key; leaving it out is the point (see above).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- Language and time --------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- REST API (docs/api.md) -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "fuyuan.exchange.auth.TokenAuthentication",
        # People signed in to the pages may use the API from the browser (CSRF enforced).
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["fuyuan.core.api_policy.ScopePermission"],
    "DEFAULT_THROTTLE_CLASSES": ["fuyuan.exchange.throttle.ClientRateThrottle"],
    "DEFAULT_FILTER_BACKENDS": ["fuyuan.core.api_policy.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "fuyuan.core.api_policy.Pagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "fuyuan.core.api_policy.JSONParser",  # DRF's, refusing over-deep nesting with a 400
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "fuyuan.core.api_schema.Schema",
    "EXCEPTION_HANDLER": "fuyuan.core.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "府院联动数字化平台 API",
    # Fixed text in the platform's working language (the schema is built once, not per
    # request, so it is not translated): matters, the mechanism's records, court business and
    # data exchange; the guide is docs/api.md.
    "DESCRIPTION": "督查事项、联动机制工作记录、法院业务与数据交换接口。"
    "使用说明与示例见 docs/api.md。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs are for people signed in and for system clients, not the public.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # One name per choice set where several fields share a name ("state", "kind", …).
    "ENUM_NAME_OVERRIDES": {
        "CaseStageEnum": "fuyuan.litigation.models.CaseStage",
        "HearingStateEnum": "fuyuan.litigation.models.HearingState",
        "DisputeStateEnum": "fuyuan.litigation.workflow.DISPUTE_WORKFLOW.choices",
        "RiskKindEnum": "fuyuan.risks.models.RiskKind",
        "RiskLevelEnum": "fuyuan.risks.models.RiskLevel",
        "RiskEventStateEnum": "fuyuan.risks.workflow.EVENT_WORKFLOW.choices",
        "ImportChannelEnum": "fuyuan.core.models.ImportChannel",
        "FeedbackActionEnum": "fuyuan.enforcement.models.FeedbackAction",
        "IdTypeEnum": "fuyuan.enforcement.models.IdType",
        "InquiryStateEnum": "fuyuan.enforcement.models.InquiryState",
        "ImportStateEnum": "fuyuan.core.models.ImportState",
        "IssueLevelEnum": "fuyuan.core.models.IssueLevel",
        "MatterStateEnum": "fuyuan.matters.workflow.MATTER_WORKFLOW.choices",
    },
}
# Default requests per minute of a system client (each client may have its own).
FUYUAN_API_RATE_PER_MINUTE = int(os.environ.get("FUYUAN_API_RATE_PER_MINUTE", "120"))
# File-drop exchange: the gateway writes into <root>/inbox/<feed>/, the platform writes export
# packages into <root>/outbox/<unit code>/ (docs/api.md).
FUYUAN_EXCHANGE_ROOT = Path(os.environ.get("FUYUAN_EXCHANGE_ROOT", VAR_DIR / "exchange"))
FUYUAN_EXCHANGE_SCAN_SECONDS = int(os.environ.get("FUYUAN_EXCHANGE_SCAN_SECONDS", "60"))
FUYUAN_EXCHANGE_SETTLE_SECONDS = int(os.environ.get("FUYUAN_EXCHANGE_SETTLE_SECONDS", "60"))
# The packages' signature: HMAC-SM3 with this key (32 bytes hex; else derived from SECRET_KEY),
# or another signer class (a cipher machine's SM2 service).
FUYUAN_PACKAGE_KEY = os.environ.get("FUYUAN_PACKAGE_KEY", "")
# The largest file pushed through the API (bytes; 200 MB by default).
FUYUAN_IMPORT_MAX_BYTES = int(os.environ.get("FUYUAN_IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))
FUYUAN_PACKAGE_SIGNER = os.environ.get(
    "FUYUAN_PACKAGE_SIGNER", "fuyuan.exchange.packages.HmacSm3Signer"
)

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("FUYUAN_STATIC_ROOT", VAR_DIR / "static"))
NODE_MODULES = Path(os.environ.get("FUYUAN_NODE_MODULES", REPO_DIR / "node_modules"))
# Front-end packages come from npm (package-lock.json) and are served by the app itself.
STATICFILES_DIRS = [
    PACKAGE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (DEBUG or TESTING)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Under `make run` and in tests whitenoise serves straight from the finders (node_modules and
# the apps' static folders); a deployment serves what collectstatic gathered.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG

# --- Content Security Policy: nothing inline, nothing from another host ---------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Background work ------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "FUYUAN_TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend",
        )
    }
}

# --- Dashboard figures (dashboard/snapshots.py) ---------------------------------------------
# The cockpit and the brief read figures computed at most this many seconds ago (the scheduler
# keeps the viewed ones fresh). 0 computes every page live, as the tests do.
FUYUAN_FIGURES_MAX_AGE_SECONDS = int(
    os.environ.get("FUYUAN_FIGURES_MAX_AGE_SECONDS", "0" if TESTING else "600")
)

# --- Personal data encryption (core.crypto) -----------------------------------------------
# Keys are hex strings: FUYUAN_DATA_KEYS="1:<32 hex>,2:<32 hex>" (the highest id encrypts),
# FUYUAN_INDEX_KEY="<64 hex>". `make run` generates a local pair in var/keys.env.
FUYUAN_CRYPTO_PROVIDER = os.environ.get(
    "FUYUAN_CRYPTO_PROVIDER", "fuyuan.core.crypto.SoftwareSM4Provider"
)
FUYUAN_DATA_KEYS = os.environ.get("FUYUAN_DATA_KEYS", "")
FUYUAN_INDEX_KEY = os.environ.get("FUYUAN_INDEX_KEY", "")
if TESTING and not FUYUAN_DATA_KEYS:
    FUYUAN_DATA_KEYS = "1:00112233445566778899aabbccddeeff"
    FUYUAN_INDEX_KEY = "0f" * 32

# --- Audit trail retention (audit.archive) ----------------------------------------------------
# Entries stay online at least 180 days (Cybersecurity Law §21: six months); older sealed ones
# are moved to verified archive files under VAR_DIR/audit-archive/ by `fuyuan audit archive`.
FUYUAN_AUDIT_RETENTION_DAYS = int(os.environ.get("FUYUAN_AUDIT_RETENTION_DAYS", "180"))
if FUYUAN_AUDIT_RETENTION_DAYS < 180:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("FUYUAN_AUDIT_RETENTION_DAYS must be at least 180 (six months).")

# --- Mail (real delivery channels come with [notify]) ----------------------------------------
if DEBUG and not os.environ.get("EMAIL_HOST"):
    # `make run` has no mail relay: mail lands as files in var/mail for a look.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "fuyuan@localhost")

# --- Logs (ops.logging): JSON lines by default when DEBUG is off, text lines under `make run`.
# One line per request from "fuyuan.request" (INFO); the tests keep it quiet.
FUYUAN_LOG_FORMAT = os.environ.get("FUYUAN_LOG_FORMAT", "text" if DEBUG else "json").lower()
if FUYUAN_LOG_FORMAT not in {"json", "text"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("FUYUAN_LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "fuyuan.ops.logging.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "fuyuan.ops.logging.JsonFormatter"},
        "text": {"()": "fuyuan.ops.logging.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": FUYUAN_LOG_FORMAT,
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "fuyuan.request": {
            "level": os.environ.get("FUYUAN_REQUEST_LOG_LEVEL", "WARNING" if TESTING else "INFO")
        }
    },
}

# --- notify (channels) ----------------------------------------------------------------------
# Where links in e-mails, SMS and messenger notes point (the platform's address as users see it).
FUYUAN_SITE_URL = os.environ.get("FUYUAN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Government SMS gateway: JSON POST {"phone", "content"}; empty URL = channel off.
FUYUAN_SMS_GATEWAY_URL = os.environ.get("FUYUAN_SMS_GATEWAY_URL", "")
FUYUAN_SMS_GATEWAY_USER = os.environ.get("FUYUAN_SMS_GATEWAY_USER", "")
FUYUAN_SMS_GATEWAY_PASSWORD = os.environ.get("FUYUAN_SMS_GATEWAY_PASSWORD", "")
FUYUAN_SMS_SIGN = os.environ.get("FUYUAN_SMS_SIGN", "府院联动")
# No SMS between these local times ("HH:MM-HH:MM"); held messages go out when the window ends.
FUYUAN_SMS_QUIET_HOURS = os.environ.get("FUYUAN_SMS_QUIET_HOURS", "22:00-07:00")
# Work messenger (政务钉钉 / 企业微信 open-platform shape): base URL, app key and secret, agent.
FUYUAN_MESSENGER_URL = os.environ.get("FUYUAN_MESSENGER_URL", "").rstrip("/")
FUYUAN_MESSENGER_APPKEY = os.environ.get("FUYUAN_MESSENGER_APPKEY", "")
FUYUAN_MESSENGER_APPSECRET = os.environ.get("FUYUAN_MESSENGER_APPSECRET", "")
FUYUAN_MESSENGER_AGENT_ID = os.environ.get("FUYUAN_MESSENGER_AGENT_ID", "")
# Messenger user ids by username ("zhang:0123,li:0456"); a username not listed is its own id.
FUYUAN_MESSENGER_USER_IDS = dict(
    item.split(":", 1) for item in env_list("FUYUAN_MESSENGER_USER_IDS") if ":" in item
)
FUYUAN_HTTP_TIMEOUT_SECONDS = float(os.environ.get("FUYUAN_HTTP_TIMEOUT_SECONDS", "10"))
# Delivery tries per message before it is marked failed; the worker retries with backoff.
FUYUAN_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("FUYUAN_NOTIFY_MAX_ATTEMPTS", "3"))
FUYUAN_NOTIFY_DELIVERY_INTERVAL_SECONDS = int(
    os.environ.get("FUYUAN_NOTIFY_DELIVERY_INTERVAL_SECONDS", "60")
)
# Automatic reminders: days before the deadline, and the local time the daily job runs.
FUYUAN_REMINDER_OFFSETS = tuple(
    int(days) for days in env_list("FUYUAN_REMINDER_OFFSETS", "7,3,1") if days.isdigit()
)
FUYUAN_REMINDER_TIME = os.environ.get("FUYUAN_REMINDER_TIME", "08:00")
# Scheduler tick and the reaper: a task running longer than this was left by a dead worker.
FUYUAN_SCHEDULER_TICK_SECONDS = int(os.environ.get("FUYUAN_SCHEDULER_TICK_SECONDS", "30"))
FUYUAN_TASK_STALE_AFTER_SECONDS = int(os.environ.get("FUYUAN_TASK_STALE_AFTER_SECONDS", "1800"))

# --- Single sign-on through OpenID Connect (fuyuan.sso; docs/deploy.md) -----------------------
# The government identity provider (or 政务钉钉-style 免登 in the same shape). SSO is off while
# no issuer is set. Discovery: <issuer>/.well-known/openid-configuration.
FUYUAN_OIDC_ISSUER = os.environ.get("FUYUAN_OIDC_ISSUER", "").rstrip("/")
FUYUAN_OIDC_CLIENT_ID = os.environ.get("FUYUAN_OIDC_CLIENT_ID", "")
FUYUAN_OIDC_CLIENT_SECRET = os.environ.get("FUYUAN_OIDC_CLIENT_SECRET", "")
FUYUAN_OIDC_SCOPES = os.environ.get("FUYUAN_OIDC_SCOPES", "openid profile")
FUYUAN_OIDC_USERNAME_CLAIM = os.environ.get("FUYUAN_OIDC_USERNAME_CLAIM", "preferred_username")
FUYUAN_OIDC_NAME = os.environ.get("FUYUAN_OIDC_NAME", "政务统一身份认证")
# client_secret_basic or client_secret_post; empty: basic unless the provider offers only post.
FUYUAN_OIDC_TOKEN_AUTH_METHOD = os.environ.get("FUYUAN_OIDC_TOKEN_AUTH_METHOD", "")
FUYUAN_OIDC_TIMEOUT_SECONDS = float(os.environ.get("FUYUAN_OIDC_TIMEOUT_SECONDS", "10"))
# How long the discovery document and the signing keys are kept (an unknown key id refetches).
FUYUAN_OIDC_CACHE_SECONDS = int(os.environ.get("FUYUAN_OIDC_CACHE_SECONDS", "3600"))
# --- ops: readiness (/ops/ready/) -------------------------------------------------------------
# The scheduler writes a heartbeat at every tick; the worker runs a heartbeat task every
# FUYUAN_WORKER_HEARTBEAT_SECONDS. Older than these limits, readiness reports them failed.
FUYUAN_SCHEDULER_MAX_SILENCE_SECONDS = int(
    os.environ.get(
        "FUYUAN_SCHEDULER_MAX_SILENCE_SECONDS", str(max(3 * FUYUAN_SCHEDULER_TICK_SECONDS, 120))
    )
)
FUYUAN_WORKER_HEARTBEAT_SECONDS = int(os.environ.get("FUYUAN_WORKER_HEARTBEAT_SECONDS", "60"))
FUYUAN_WORKER_MAX_SILENCE_SECONDS = int(
    os.environ.get(
        "FUYUAN_WORKER_MAX_SILENCE_SECONDS",
        str(max(5 * FUYUAN_WORKER_HEARTBEAT_SECONDS, FUYUAN_SCHEDULER_MAX_SILENCE_SECONDS + 60)),
    )
)

# --- Second factor at sign-in (fuyuan.twofactor; docs/architecture.md "Second factor") -------
# On by default; off while the test suite runs (its tests sign in with force_login), and the
# second-factor tests switch it on themselves.
FUYUAN_SECOND_FACTOR_ENFORCED = (
    False if TESTING else env_bool("FUYUAN_SECOND_FACTOR_ENFORCED", True)
)
# Failed second-factor codes in a row before signing in is locked, and for how long.
FUYUAN_SECOND_FACTOR_MAX_FAILURES = int(os.environ.get("FUYUAN_SECOND_FACTOR_MAX_FAILURES", "5"))
FUYUAN_SECOND_FACTOR_LOCK_MINUTES = int(os.environ.get("FUYUAN_SECOND_FACTOR_LOCK_MINUTES", "30"))
# SMS codes: valid this long, this many wrong tries, one per this many seconds, so many an hour.
FUYUAN_SMS_CODE_TTL_SECONDS = int(os.environ.get("FUYUAN_SMS_CODE_TTL_SECONDS", "300"))
FUYUAN_SMS_CODE_MAX_ATTEMPTS = int(os.environ.get("FUYUAN_SMS_CODE_MAX_ATTEMPTS", "3"))
FUYUAN_SMS_RESEND_SECONDS = int(os.environ.get("FUYUAN_SMS_RESEND_SECONDS", "60"))
FUYUAN_SMS_MAX_PER_HOUR = int(os.environ.get("FUYUAN_SMS_MAX_PER_HOUR", "5"))
# The name an authenticator app shows beside the account.
FUYUAN_TOTP_ISSUER = os.environ.get("FUYUAN_TOTP_ISSUER", "府院联动")
