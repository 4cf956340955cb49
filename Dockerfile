# One image for web, Celery worker and Celery beat; configured only by environment variables.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=prakerja.settings.production

WORKDIR /app
RUN useradd --create-home --uid 1000 prakerja

COPY pyproject.toml README.md ./
COPY prakerja ./prakerja
COPY accounts ./accounts
COPY platforms ./platforms
COPY catalog ./catalog
COPY wallets ./wallets
COPY payments ./payments
COPY reports ./reports
COPY api ./api
RUN pip install .

COPY . .
# collectstatic needs settings but no real secrets or database.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media /app/private/platform-documents \
    && chown -R prakerja /app/media /app/private

USER prakerja
EXPOSE 8000
CMD ["gunicorn", "prakerja.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
