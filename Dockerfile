# Production image for Seniorene Omsorg: one image runs the web server
# (gunicorn, the default command), the Celery worker, Celery beat and the
# one-shot migrations; docker-compose.yml picks the command per service.
# Configuration comes from environment variables: see docs/configuration.md.

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1

# WeasyPrint's system libraries (libharfbuzz-subset0: without it every PDF page
# renders about 8x slower) and gettext for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        shared-mime-info \
        gettext \
    && rm -rf /var/lib/apt/lists/*

RUN pip install uv==0.13.9

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

ENV PATH="/app/.venv/bin:$PATH"

COPY . .
RUN uv sync --frozen --no-dev

# Translations and static files are built into the image. collectstatic needs
# DEBUG off (for the hashed, compressed manifest storage), which in turn needs
# a SECRET_KEY and ALLOWED_HOSTS: these dummy values exist only for this line.
RUN DEBUG=false \
    SECRET_KEY=build-only-dummy-secret-key-not-used-at-run-time-0123456789abcdef \
    ALLOWED_HOSTS=build \
    sh -c 'python manage.py compilemessages --ignore=.venv \
        && python manage.py collectstatic --noinput'

# Run as an unprivileged user. The code and static files stay owned by root
# (read-only for the app); only the private-files folder is the app's. A named
# volume mounted on /data/private starts with this folder's owner.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /home/app --create-home \
        --shell /usr/sbin/nologin app \
    && mkdir -p /data/private \
    && chown app:app /data/private \
    && chmod 0750 /data/private

# Safe defaults for a production image: DEBUG stays off unless asked for, so a
# container without SECRET_KEY/ALLOWED_HOSTS refuses to start.
ENV DEBUG=false \
    PRIVATE_MEDIA_ROOT=/data/private

USER app

EXPOSE 8000

CMD ["gunicorn", "seniorene.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
