# syntax=docker/dockerfile:1
# kro controller image: `kro controller` as a non-root user on a read-only root filesystem.

# --- build: a virtualenv with kro and its pinned dependencies (compilers stay in this stage)
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m venv /opt/kro \
 && /opt/kro/bin/pip install --no-compile . \
 && find /opt/kro -name '__pycache__' -prune -exec rm -rf {} +

# --- final: the interpreter and the virtualenv only
FROM python:3.11-slim-bookworm
LABEL org.opencontainers.image.title="kro" \
      org.opencontainers.image.description="kro controller: ResourceGraphDefinitions as live Kubernetes APIs" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /opt/kro /opt/kro
ENV PATH=/opt/kro/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
USER 65532:65532
EXPOSE 8078 8079
ENTRYPOINT ["kro"]
CMD ["controller", "--leader-elect"]
