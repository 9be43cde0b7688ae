# Developer commands: make venv | test | run | lint | screenshots | clean
PYTHON := $(shell command -v python3.11 || command -v python3)
VENV := .venv

.PHONY: venv browser test run lint screenshots clean

venv: $(VENV)/.installed

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# pip runs again only when pyproject.toml is newer than the stamp
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

# The browser tests drive the system's Chromium (Debian package); Playwright's own download
# of a browser cannot be used here. Their accessibility scan is axe-core from the npm registry,
# pinned in package-lock.json and installed by `npm ci` (again only when the lock file changes).
# The PDF report (WeasyPrint) needs Pango and HarfBuzz.
PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
browser: node_modules/.installed
	@missing=$$(command -v chromium >/dev/null || echo chromium; \
	  if command -v dpkg-query >/dev/null; then for p in $(PDF_LIBS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done; fi); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "Missing: sudo apt-get install" $$missing >&2; exit 1; fi; fi

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; \
	  else echo "npm is missing: sudo apt-get install npm" >&2; exit 1; fi; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: venv browser
	$(VENV)/bin/python scripts/test.py

run: venv
	DEBUG=1 $(VENV)/bin/goszakaz run --demo

# docs/screenshots/: every parent and preschool page (and the staff's front pages) at 390 px and
# 1366 px, in Russian, from the demo on a free port (scripts/screenshots.py)
screenshots: venv browser
	DEBUG=1 $(VENV)/bin/python scripts/screenshots.py

lint: venv
	$(VENV)/bin/ruff check .
	DEBUG=1 $(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/python ../shared/tools/clause-coverage .
	# Django's deployment checks and the project's own, with production settings: any warning fails
	DEBUG=0 SECRET_KEY=$$($(VENV)/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  ALLOWED_HOSTS=goszakaz.example.kz GOSZAKAZ_PROXIES=1 \
	  CSRF_TRUSTED_ORIGINS=https://goszakaz.example.kz GOSZAKAZ_ADMIN_PATH=staff-area \
	  GOSZAKAZ_DATA_DIR=$$(mktemp -d) DATABASE_URL= \
	  $(VENV)/bin/goszakaz check --deploy --fail-level WARNING

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .hypothesis build
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name '*.egg-info' \) -prune \
		-exec rm -rf {} +
