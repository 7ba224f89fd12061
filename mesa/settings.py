"""Mesa settings: one file, driven by environment variables (see .env.example).

With no environment at all it runs on the embedded default (SQLite, a filesystem
Celery broker and e-mail written to files, all under var/), so `make run` needs no
server. DATABASE_URL, CELERY_BROKER_URL and EMAIL_URL switch to PostgreSQL, Redis
and SMTP. With DEBUG off, SECRET_KEY and ALLOWED_HOSTS are required.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MESA_VAR_DIR", BASE_DIR / "var"))


def env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name, default=False):
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "si", "sí", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def env_int(name, default):
    return int(env(name, default))


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY es obligatorio cuando DEBUG está desactivado.")
    SECRET_KEY = "solo-para-desarrollo-local-no-usar-en-produccion-mesa"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS es obligatorio cuando DEBUG está desactivado.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "comunas.admin_sitio.AdminMesaConfig",  # django.contrib.admin, with two-step verification
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    # The project's apps, in layers: each imports only from the ones above it in this list (make lint).
    "nucleo",
    "comunas",
    "practicas",
    "diagnosticos",
    "planes",
    "mesa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "nucleo.middleware.SinCacheMiddleware",  # signed-in responses: Cache-Control private, no-store
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "comunas.middleware.DosFactoresMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "mesa.urls"
WSGI_APPLICATION = "mesa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "comunas.context_processors.organizacion_actual",
            ],
            # fecha_larga, dia_largo, fecha_corta, fecha_hora_corta and cantidad, in every template and e-mail.
            "builtins": ["nucleo.templatetags.formato"],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'mesa.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web process read while the worker writes.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------
AUTH_USER_MODEL = "comunas.Usuario"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inicio"
LOGOUT_REDIRECT_URL = "portada"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # un día
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "comunas.validators.PalabrasEvidentesValidator"},
]
# django-axes first: it refuses a locked-out account or address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout: 5 failures lock the account (whatever the address) and, separately, the address (whatever the
# account) for 15 minutes. The sign-in form posts the e-mail as "username".
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTOS", 15))
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "comunas.seguridad.usuario_para_axes"
AXES_CLIENT_IP_CALLABLE = "comunas.seguridad.ip_del_cliente"
AXES_LOCKOUT_CALLABLE = "comunas.seguridad.respuesta_bloqueo"
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = False  # a success from one account must not clear the failures counted for an address
# Behind a proxy the client address is the N-th from the right in X-Forwarded-For (0: use REMOTE_ADDR).
PROXIES_DE_CONFIANZA = env_int("PROXIES_DE_CONFIANZA", 1 if env_bool("BEHIND_PROXY", False) else 0)
# Two-step verification (django-otp): TOTP apps and single-use recovery codes.
OTP_TOTP_ISSUER = "Mesa"

# --- Language and time ---------------------------------------------------------------
LANGUAGE_CODE = "es-cl"
LOCALE_PATHS = [BASE_DIR / "locale"]  # Spanish for Django and third-party strings that lack it
LANGUAGES = [("es-cl", "Español (Chile)")]
FORMAT_MODULE_PATH = ["nucleo.formatos"]  # one way of writing dates and numbers (nucleo/formatos/es_CL)
TIME_ZONE = "America/Santiago"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", VAR_DIR / "staticfiles"))
MEDIA_ROOT = Path(env("MEDIA_ROOT", VAR_DIR / "media"))
# Practice attachments: size limit per file (served only through an access-checked view, never MEDIA_URL).
PRACTICAS_ADJUNTO_MAX_MB = env_int("PRACTICAS_ADJUNTO_MAX_MB", 10)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail -------------------------------------------------------------------
# EMAIL_URL: smtp://usuario:clave@host:587?tls=1 | smtps://host:465 | file:///ruta | console:// | locmem://
EMAIL_TIMEOUT_SECONDS = env_int("EMAIL_TIMEOUT", 15)


def _mailer_from_url(url):
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if parts.scheme in {"smtp", "smtps"}:
        options = {
            "host": parts.hostname,
            "port": parts.port,
            "username": unquote(parts.username) if parts.username else None,
            "password": unquote(parts.password) if parts.password else None,
            "use_ssl": parts.scheme == "smtps",
            "use_tls": parts.scheme == "smtp" and query.get("tls", "0") in {"1", "true"},
            "timeout": int(query.get("timeout", EMAIL_TIMEOUT_SECONDS)),
        }
        return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}
    if parts.scheme == "file":
        path = unquote(parts.path) or str(VAR_DIR / "mail")
        return {"BACKEND": "django.core.mail.backends.filebased.EmailBackend", "OPTIONS": {"file_path": path}}
    if parts.scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "locmem":
        return {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    raise ImproperlyConfigured(f"EMAIL_URL no reconocida: {parts.scheme}://…")


if not DEBUG and not env("EMAIL_URL"):
    # Without it production would quietly write every notice to files nobody reads.
    raise ImproperlyConfigured("EMAIL_URL es obligatorio cuando DEBUG está desactivado (p. ej. smtp://…).")
MAILERS = {"default": _mailer_from_url(env("EMAIL_URL", f"file://{VAR_DIR / 'mail'}"))}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Mesa <no-responder@mesa.localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
ADMINS = [("Administración", a) for a in env_list("ADMINS")]

# --- Celery -------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "filesystem://localhost//")
CELERY_BROKER_FOLDER = VAR_DIR / "celery" / "broker"
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER),
        "data_folder_out": str(CELERY_BROKER_FOLDER),
        "processed_folder": str(VAR_DIR / "celery" / "procesados"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# --- Cache: the rate limits of the public forms (comunas/limites.py) must be shared by every web process, so
# Redis when the broker is Redis (its own key prefix; never call cache.clear() there: it would empty the broker's
# database); else the process's memory, enough for the embedded default's single runserver process.
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CELERY_BROKER_URL,
            "KEY_PREFIX": "mesa-cache",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
# Beat ticks every minute; /salud/ calls beat late after this many seconds without a tick.
HEARTBEAT_INTERVAL = env_int("HEARTBEAT_INTERVAL", 60)
HEARTBEAT_TOLERANCIA = env_int("HEARTBEAT_TOLERANCIA", 180)
# Notices (nucleo.Aviso, nucleo/avisos.py, nucleo/services.py). A sender task claims AVISOS_LOTE due notices in
# one statement and sends them over one SMTP connection, for at most AVISOS_LOTE_SEGUNDOS, then hands over to
# the next; a fan-out starts up to AVISOS_ENVIADORES of them (about the workers' total concurrency). A server
# or connection failure pauses the batch and retries with exponential backoff (base and cap, seconds); only a
# recipient refused at RCPT with 5xx fails at once; after AVISOS_MAX_INTENTOS attempts a notice is "fallido".
# After DATA the final reply is awaited AVISOS_SMTP_ESPERA_FINAL seconds (RFC 5321 §4.5.3.2.6: 10 minutes).
# A claim is a lease of AVISOS_ENVIANDO_MAX_SEGUNDOS, renewed while its batch is sent, so it must outlast one
# message (connection, commands and the final wait); the sweeper frees an expired one. Beat sweeps every
# AVISOS_BARRIDO_INTERVALO seconds and starts senders when notices are due and none has run for
# AVISOS_REENCOLAR_SEGUNDOS. /salud/ calls notices late when the oldest queued one waits more than
# AVISOS_ATRASO_SEGUNDOS, and failing when more than AVISOS_FALLIDOS_TOLERADOS failed in the last hour.
AVISOS_LOTE = env_int("AVISOS_LOTE", 50)
AVISOS_LOTE_SEGUNDOS = env_int("AVISOS_LOTE_SEGUNDOS", 60)
AVISOS_ENVIADORES = env_int("AVISOS_ENVIADORES", 4)
AVISOS_SMTP_ESPERA_FINAL = env_int("AVISOS_SMTP_ESPERA_FINAL", 600)
AVISOS_BARRIDO_INTERVALO = env_int("AVISOS_BARRIDO_INTERVALO", 60)
AVISOS_REENCOLAR_SEGUNDOS = env_int("AVISOS_REENCOLAR_SEGUNDOS", 300)
AVISOS_ENVIANDO_MAX_SEGUNDOS = env_int(
    "AVISOS_ENVIANDO_MAX_SEGUNDOS", AVISOS_LOTE_SEGUNDOS + AVISOS_SMTP_ESPERA_FINAL + 4 * EMAIL_TIMEOUT_SECONDS + 60
)
AVISOS_ATRASO_SEGUNDOS = env_int("AVISOS_ATRASO_SEGUNDOS", 900)
AVISOS_FALLIDOS_TOLERADOS = env_int("AVISOS_FALLIDOS_TOLERADOS", 20)
AVISOS_BACKOFF_BASE = env_int("AVISOS_BACKOFF_BASE", 30)
AVISOS_BACKOFF_MAX = env_int("AVISOS_BACKOFF_MAX", 1800)
AVISOS_MAX_INTENTOS = env_int("AVISOS_MAX_INTENTOS", 10)
AVISOS_RESUMEN_HORA = env_int("AVISOS_RESUMEN_HORA", 8)  # daily digest, local time
# make bench (benchmarks/paginas.py) sets BENCH=1: a signed-in no-op page, /salud/noop/, is served as its yardstick.
BENCH = env_bool("BENCH", False)
# Indicator uploads previewed but never confirmed are deleted by beat (hourly) after this many hours.
IMPORTACIONES_RETENCION_HORAS = env_int("IMPORTACIONES_RETENCION_HORAS", 24)
# An indicator upload of more rows than this is confirmed by a worker, with a progress bar (fewer: in the request).
IMPORTACION_FILAS_EN_LINEA = env_int("IMPORTACION_FILAS_EN_LINEA", 5000)

# --- Security -------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # On by default so `check --deploy --fail-level WARNING` passes (CI runs it): the directive only allows the
    # domain owner to submit it to the browsers' preload list, which is what binds; set 0 to opt out (W021 then).
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"simple": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "simple"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
