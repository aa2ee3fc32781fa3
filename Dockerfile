# Atelier in a container: one process, SQLite in the /data volume.
# For PostgreSQL set ATELIER_DATABASE_URL=postgresql+psycopg://user:pass@host/db
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    ATELIER_DATABASE_URL=sqlite:////data/atelier.db
WORKDIR /srv/atelier
# WeasyPrint (the PDF deliverable) needs Pango, HarfBuzz's subsetter and a font.
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY app ./app
COPY migrations ./migrations
COPY alembic.ini .
# The published JSON Schemas of the deliverable are served from docs/.
COPY docs/deliverable.schema.json docs/deliverable.md ./docs/
COPY docs/schemas ./docs/schemas
RUN useradd --system --home /srv/atelier atelier && mkdir /data && chown atelier /data
USER atelier
VOLUME /data
EXPOSE 8000
CMD ["python", "-m", "uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers", \
     "--ws-per-message-deflate", "false"]
