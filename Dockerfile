# supportbot in a container: a static binary on a distroless base, run as a
# non-root user. Build: docker build --build-arg VERSION=v1.2.3 -t supportbot .
# Run: see examples/compose.yaml and docs/operations.md.
FROM golang:1.26 AS build
WORKDIR /src
# GOPROXY can point at a module mirror where proxy.golang.org is not
# reachable (docs/operations.md, "Building with a module mirror").
ARG GOPROXY=https://proxy.golang.org,direct
ENV GOPROXY=${GOPROXY} CGO_ENABLED=0 GOFLAGS=-trimpath
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
ARG COMMIT=unknown
RUN go build -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" -o /out/supportbot ./cmd/supportbot \
 && mkdir -p /out/data /out/session

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/supportbot /usr/local/bin/supportbot
COPY examples/container-config.yaml /etc/supportbot/config.yaml
# The data (database, files, media) and the WhatsApp session are separate
# volumes: the session is a secret that must never be restored from a
# backup, and the database is what backups and Litestream copy.
COPY --from=build --chown=65532:65532 --chmod=0700 /out/data /data
COPY --from=build --chown=65532:65532 --chmod=0700 /out/session /session
VOLUME ["/data", "/session"]
USER 65532:65532
# metrics.listen in the image's config: /metrics and /healthz on port 9090.
EXPOSE 9090
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/supportbot", "health", "-config", "/etc/supportbot/config.yaml"]
ENTRYPOINT ["/usr/local/bin/supportbot"]
CMD ["run", "-config", "/etc/supportbot/config.yaml", "-log-json"]
