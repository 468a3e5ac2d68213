# The two commands a developer needs: `make run` and `make test`.
# Each installs what it needs on a fresh Debian machine by itself.

VENV := .venv
PYTHON ?= python3
PORT ?= 8000
# Debian packages the test suite drives for real (see README, "Tests").
SYSTEM_PACKAGES := nginx-light bubblewrap chromium chromium-driver dnsmasq-base wrk gosu openssl

.PHONY: run test system-deps clean bench

run: $(VENV)/.installed
	BIND=127.0.0.1:$(PORT) $(VENV)/bin/gunicorn -c gunicorn.conf.py 'app:create_app()'

test: $(VENV)/.installed system-deps
	$(VENV)/bin/python -m pytest

# Side by side with automx2 (README, "Performance"); installs wrk, nginx and a
# throw-away automx2 by itself. Under 10 minutes on 2 cores; not part of `test`.
bench: $(VENV)/.installed
	$(VENV)/bin/python bench/benchmark.py $(BENCH_ARGS)

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# apt-get only when a package is missing, so a warm machine starts at once.
system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
