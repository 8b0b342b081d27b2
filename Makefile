# paved: one command runs every test (make test); see README.md.
#
# make test   gofmt check, go vet, paved check deploy/, govulncheck (offline, scripts/govulncheck.sh),
#             then every test with -race against SQLite,
#             a throwaway PostgreSQL (scripts/with-postgres.sh) and headless
#             Chromium (scripts/ensure-chromium.sh installs it when missing)
# make build  the paved binary in ./paved, with version, commit and date
# make run    build and serve the demo organisation on http://localhost:8080

GO      ?= go
# Builds and tests run on Go 1.27.3: Go 1.26.8's standard library has known
# vulnerabilities in net/http, crypto/tls, crypto/x509 and html/template
# (scripts/govulncheck.sh lists them). The go command fetches this toolchain
# from the Go module proxy the first time (about 76 MB); go.mod still says
# 1.26.8, so a plain `go run` on an older Go works for development.
export GOTOOLCHAIN := go1.27.3
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE    ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)

.PHONY: test fmt-check vet check-deploy vulncheck build run

# -timeout 30m: the web package's Chromium and race tests take about 17 minutes
# on a loaded 2-core machine, over go test's default of 10 per package.
test: fmt-check vet check-deploy vulncheck
	bash scripts/ensure-chromium.sh
	PAVED_TEST_POSTGRES_REQUIRED=1 PAVED_TEST_BROWSER_REQUIRED=1 \
		bash scripts/with-postgres.sh $(GO) test -race -count=1 -timeout 30m ./...

# gofmt -l lists files that need formatting; any output fails the build.
# testdata is left out: fixtures may be deliberately malformed.
fmt-check:
	@out="$$(find . -name '*.go' -not -path './.git/*' -not -path '*/testdata/*' -print0 | xargs -0 gofmt -l)"; \
	if [ -n "$$out" ]; then echo "gofmt: these files need formatting (run gofmt -w):"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# paved's own deployment manifests pass paved's own guard rails.
check-deploy:
	$(GO) run ./cmd/paved check deploy/

# Known vulnerabilities in the modules paved calls, and in the standard
# library of the toolchain above, fail the build; the database is built
# offline from golang.org/x/vulndb (pinned) and cached in GOCACHE.
vulncheck:
	GO=$(GO) PAVED_GOVULNCHECK_STRICT_STDLIB=1 bash scripts/govulncheck.sh

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o paved ./cmd/paved

run: build
	./paved serve --demo
