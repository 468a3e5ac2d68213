# The two commands a developer needs: `make run` and `make test`.
# Each installs what it needs on a fresh Debian machine by itself.

VENV := .venv
PYTHON ?= python3
PORT ?= 8000
# Debian packages the test suite drives for real (see docs/development.md, "Tests").
SYSTEM_PACKAGES := nginx-light bubblewrap chromium dnsmasq-base wrk gosu openssl curl zbar-tools shellcheck
# util-linux's unshare and iproute2's ip: Delta Chat's test runs in namespaces of its own.
SYSTEM_PACKAGES += util-linux iproute2
# Node runs Cloudron's manifest validator; some nodejs builds bundle npm, Debian's does not.
SYSTEM_PACKAGES += nodejs $(if $(shell command -v npm),,npm)
# The image tests build the Dockerfile without a Docker daemon (docs/image.md).
SYSTEM_PACKAGES += buildah mmdebstrap

# Compiled page translations (.mo, not committed) next to their .po sources.
TRANSLATIONS := $(patsubst %.po,%.mo,$(wildcard app/translations/*/LC_MESSAGES/messages.po))

.PHONY: run test check image system-deps clean translations messages bench

run: $(VENV)/.installed translations
	BIND=127.0.0.1:$(PORT) $(VENV)/bin/gunicorn -c gunicorn.conf.py 'app:create_app()'

test: check node_modules/.installed translations
	$(VENV)/bin/python -m pytest

# The quality gate alone, for a quick loop: lint, format, types, shell scripts.
check: $(VENV)/.installed system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	shellcheck start.sh .ci/run tests/image/image.sh

# The Dockerfile, unchanged, built on a Debian stand-in for cloudron/base
# (docs/image.md). `make test` builds it too, as its image tests need it;
# both share the cache in /var/tmp/mail-autoconfig-image.
image: system-deps
	tests/image/image.sh build

# Side by side with automx2 (docs/performance.md); installs wrk, nginx and a
# throw-away automx2 by itself. Under 10 minutes on 2 cores; not part of `test`.
bench: $(VENV)/.installed translations
	$(VENV)/bin/python -m bench $(BENCH_ARGS)

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Cloudron's own manifest validator, pinned by package-lock.json.
node_modules/.installed: package.json package-lock.json | system-deps
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

translations: $(TRANSLATIONS)

%.mo: %.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile -i $< -o $@

# After changing page strings or adding a language to app/i18n.py: collect the
# strings, start a catalogue for each new language, merge into every .po.
messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k lazy_gettext --no-location --sort-output -o app/translations/messages.pot .
	for lang in $$($(VENV)/bin/python -c 'from app.i18n import TRANSLATED; print(*TRANSLATED)'); do \
		test -f app/translations/$$lang/LC_MESSAGES/messages.po || \
		$(VENV)/bin/pybabel init -i app/translations/messages.pot -d app/translations -l $$lang --width 100; \
	done
	$(VENV)/bin/pybabel update -i app/translations/messages.pot -d app/translations --width 100 --ignore-obsolete

# apt-get only when a package is missing, so a warm machine starts at once.
system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis node_modules
