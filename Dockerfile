# syntax=docker/dockerfile:1
# Chatalot: one Node.js process serving the API, the WebSocket and the web client on port 8080.
# Multi-arch (linux/amd64, linux/arm64): every native dependency ships prebuilt for both, so each stage
# runs on the target platform and nothing is compiled. Build: docker build -t chatalot .
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.npm sh scripts/docker/build.sh /opt/chatalot

FROM node:20-bookworm-slim
# The V8 heap cap keeps the server inside a 1 GB box next to PostgreSQL (docs/self-hosting/README.md, measured).
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-old-space-size=384 \
    DATA_DIR=/app/data \
    LISTEN_ADDR=0.0.0.0:8080
WORKDIR /app
# The application stays root-owned and read-only for the server, which writes only to its data volume.
COPY --from=build /opt/chatalot /app
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME /app/data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["node", "scripts/docker/healthcheck.mjs"]
CMD ["node", "packages/server/dist/main.js"]
