# Mesa — the two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# Python 3.13 from .python-version through pyenv, else a python3.13 on PATH.
PYTHON_BASE := $(shell pyenv which python 2>/dev/null || command -v python3.13)
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/mesa
TEST_BROKER_URL ?= redis://127.0.0.1:6379/14
# Test processes (one test database each); a file runs whole in one process. 1 to debug with -x or pdb.
TEST_PROCESOS ?= 2

.PHONY: help run entorno-run test lint format venv deps-dev services chromium migrate demo clean check-deploy audit bench

help:
	@echo "make run   — instala, migra, carga la demo y sirve en http://127.0.0.1:$(PORT) con worker y beat"
	@echo "make test  — toda la suite contra PostgreSQL y Redis (prepara lo que falte)"
	@echo "make lint  — ruff, djLint y el contrato de capas (import-linter)"
	@echo "make bench — datos a escala nacional, cada página bajo carga contra un no-op, y avisos/s (bench/RESULTS.md)"
	@echo "make check-deploy — check --deploy con la configuración de producción; falla ante cualquier advertencia"
	@echo "make audit — dependencias fijadas contra una base de vulnerabilidades (pip-audit); dice si no pudo auditar"

$(VENV)/.instalado: requirements.txt .python-version
	@test -x "$(PYTHON_BASE)" || { echo "Falta Python 3.13 (pyenv install 3.13)"; exit 1; }
	@$(PYTHON_BASE) -c 'import sys; assert sys.version_info[:2] >= (3, 13), sys.version' \
		|| { echo "Se necesita Python 3.13 (ver .python-version)"; exit 1; }
	test -x $(PY) || $(PYTHON_BASE) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.instalado-dev: $(VENV)/.instalado requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.instalado

deps-dev: $(VENV)/.instalado-dev

# --- make run: embedded default (SQLite, filesystem broker, e-mail to var/mail) unless DATABASE_URL etc. are set.
# It is the demo people try, so it behaves as production does (DEBUG off: the Spanish 404/403/500 pages, hashed
# static files served by WhiteNoise) over plain http on this machine: no https redirect, HSTS or secure-only
# cookies, and a secret key kept in var/ so signed e-mail links outlive a restart. `make run DEBUG=1` gives
# Django's debug pages. `make entorno-run` prints this environment (tests/test_textos.py serves with it).
run entorno-run: export DEBUG ?= 0
run entorno-run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run entorno-run: export ALLOWED_HOSTS ?= 127.0.0.1,localhost,[::1]
run entorno-run: export EMAIL_URL ?= file://$(CURDIR)/var/mail
run entorno-run: export SECRET_KEY ?= $(shell mkdir -p var && { test -s var/clave-local || \
	od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >var/clave-local; } && cat var/clave-local)
run entorno-run: export SECURE_SSL_REDIRECT ?= 0
run entorno-run: export SESSION_COOKIE_SECURE ?= 0
run entorno-run: export CSRF_COOKIE_SECURE ?= 0
run entorno-run: export SECURE_HSTS_SECONDS ?= 0
run: venv
	mkdir -p var/mail
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py demo
	@echo "Mesa en http://127.0.0.1:$(PORT)/  (salud: http://127.0.0.1:$(PORT)/salud/)"
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" MESA_PORT=$(PORT) $(VENV)/bin/honcho start -f Procfile

entorno-run:
	@env | grep -E '^(DEBUG|SITE_URL|ALLOWED_HOSTS|EMAIL_URL|SECRET_KEY|SECURE_SSL_REDIRECT|SESSION_COOKIE_SECURE|CSRF_COOKIE_SECURE|SECURE_HSTS_SECONDS)=' | sort

migrate: export DEBUG ?= 1
migrate: venv
	$(PY) manage.py migrate --noinput

demo: export DEBUG ?= 1
demo: migrate
	$(PY) manage.py demo

# --- make test: PostgreSQL + Redis, started if they are down; Debian's Chromium for browser tests.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "Iniciando PostgreSQL…"; \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
		for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { echo "Iniciando Redis…"; \
		mkdir -p /var/lib/redis /var/log/redis; \
		redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
			--dir /var/lib/redis --logfile /var/log/redis/ci.log; \
		for i in $$(seq 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done; }

chromium:
	@command -v chromium >/dev/null || { echo "Instalando Chromium de Debian…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

test: deps-dev services chromium
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) $(PY) -m pytest -n $(TEST_PROCESOS) --dist loadfile $(PYTEST_ARGS)

# --- make bench: the national-scale benchmark (benchmarks/paginas.py; README "Rendimiento"). Seeds
# ESCALA_DATABASE_URL with manage.py sembrar_escala when it is empty, serves it with gunicorn on a free loopback port,
# measures every main page against a no-op page in the same run, then the notice benchmark; writes bench/RESULTS.md.
ESCALA_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/mesa_escala
ESCALA_BROKER_URL ?= redis://127.0.0.1:6379/12
bench: deps-dev services
	ESCALA_DATABASE_URL=$(ESCALA_DATABASE_URL) ESCALA_BROKER_URL=$(ESCALA_BROKER_URL) $(PY) benchmarks/paginas.py

lint: deps-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --lint
	$(VENV)/bin/lint-imports --no-cache

format: deps-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djlint templates --reformat

# --- make check-deploy: Django's deployment checks with production settings (DEBUG off, placeholder secret,
# defaults for everything else, nothing inherited from this shell); a warning fails it, as in CI.
check-deploy: venv
	env -i PATH="$$PATH" HOME="$$HOME" DEBUG=0 ALLOWED_HOSTS=mesa.ejemplo.cl \
		SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		EMAIL_URL='smtp://mesa:clave@smtp.ejemplo.cl:587?tls=1' \
		$(PY) manage.py check --deploy --fail-level WARNING

# --- make audit: pip-audit, installed only here, in a throwaway environment under var/ (never the project's),
# audits requirements*.txt. Exit 0: every dependency checked, none vulnerable; 1: vulnerabilities; 2: NOT audited
# (no vulnerability database answered for every dependency, e.g. from a machine that cannot reach one).
AUDIT_VENV := var/auditoria
audit:
	@test -x "$(PYTHON_BASE)" || { echo "Falta Python 3.13 (pyenv install 3.13)"; exit 1; }
	@$(PYTHON_BASE) -m venv $(AUDIT_VENV)
	@$(AUDIT_VENV)/bin/pip install --quiet --disable-pip-version-check --upgrade pip-audit 2>/dev/null \
		|| { echo "AUDITORÍA NO REALIZADA: no se pudo instalar pip-audit."; exit 2; }
	@$(AUDIT_VENV)/bin/python .ci/auditar_dependencias.py

clean:
	rm -rf var/celery var/mail var/staticfiles var/auditoria
