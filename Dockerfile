# One image for the web server, the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=saypro.settings.production \
    SAYPRO_VAR_DIR=/app/var

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY . .

# Static files are collected into the image and served by WhiteNoise; the key is a throwaway
# that exists only for this build step (production settings refuse to start without one).
RUN SECRET_KEY=collectstatic-only-throwaway-key python manage.py collectstatic --noinput \
    && useradd --system --create-home --uid 10001 saypro \
    && mkdir -p /app/var/media \
    && chown -R saypro:saypro /app/var

USER saypro

EXPOSE 8000

CMD ["gunicorn", "saypro.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--no-control-socket"]
