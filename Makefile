# flexsync — build, test, demo and benchmark entry points.
# `make demo` and `make test` install what they need (Debian packages, as root) and build.

PREFIX ?= /usr/local
SWIFT ?= swift
DEB_PACKAGES := libxml2-dev libcurl4-openssl-dev libphonenumber-dev libicu-dev pkg-config
BIN_DEBUG = $(shell $(SWIFT) build --show-bin-path 2>/dev/null)
BIN_RELEASE = $(shell $(SWIFT) build -c release --show-bin-path 2>/dev/null)

.PHONY: deps demo-deps build release test lint tsan demo bench install clean

deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# The demo also opens its HTML report in headless Chromium (Debian's package) to check it renders.
demo-deps: deps
	@command -v chromium >/dev/null 2>&1 || { echo "deps: installing chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The code's layout (.swift-format: 4 spaces, 120 columns); `swift format format --in-place
# --recursive Sources Tests Package.swift` fixes nearly all of what it reports.
lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

test: deps lint
	$(SWIFT) build --build-tests
	FLEXSYNC_BIN_DIR="$(BIN_DEBUG)" $(SWIFT) test --skip-build

# The library's tests under the thread sanitizer, in a build folder of their own (about 4 minutes
# from scratch, so not part of `make test`).
tsan: deps
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	FLEXSYNC_BIN_DIR="$(BIN_DEBUG)" $(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan --filter FlexSyncTests

demo: release demo-deps
	FLEXSYNC_BIN_DIR="$(BIN_RELEASE)" ./examples/demo.sh

bench: release
	@python3 -c "import lxml" 2>/dev/null || pip install -q lxml 2>/dev/null || echo "bench: lxml unavailable; comparing with xml.etree only"
	@python3 -c "import phonenumbers" 2>/dev/null || pip install -q phonenumbers
	FLEXSYNC_BIN_DIR="$(BIN_RELEASE)" python3 bench/run.py

install: release
	install -d "$(PREFIX)/bin" "$(PREFIX)/share/flexsync/Mappings"
	install -m 0755 "$(BIN_RELEASE)/flexsync" "$(BIN_RELEASE)/taskrouter-emulator" "$(PREFIX)/bin/"
	cp -R Mappings/. "$(PREFIX)/share/flexsync/Mappings/"
	install -m 0755 cron/flexsync-cron "$(PREFIX)/bin/"
	install -d "$(PREFIX)/share/flexsync/systemd"
	install -m 0644 cron/flexsync-watch.service "$(PREFIX)/share/flexsync/systemd/"

clean:
	rm -rf .build bench/out demo-out bench-results.json
