# Cloudron's base image (Ubuntu with Python 3 and gosu), pinned by digest so a
# rebuild gets exactly the image this package was tested against.
FROM cloudron/base:5.0.0@sha256:04fd70dbd8ad6149c19de39e35718e024417c3e01dc9c6637eaf4a41ec4e596c

# python3-venv brings ensurepip for the virtualenv. Versions come from the
# Ubuntu release of the digest-pinned base image, so they are not pinned again.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3-venv \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app/code

# Dependencies before code: this layer is rebuilt only when requirements change.
COPY requirements.txt /app/code/
RUN python3 -m venv /app/code/venv \
    && /app/code/venv/bin/pip install --no-cache-dir --disable-pip-version-check -r /app/code/requirements.txt

COPY gunicorn.conf.py config.example.toml start.sh /app/code/
COPY app /app/code/app
# /app/code is read-only at run time: compile the bytecode and the page
# translations (.po -> .mo; the .mo files are build output, not committed) now.
RUN /app/code/venv/bin/python -m compileall -q /app/code/app \
    && /app/code/venv/bin/pybabel compile -d /app/code/app/translations

EXPOSE 8000
CMD ["/app/code/start.sh"]
