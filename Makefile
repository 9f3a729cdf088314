# Hypha: the two commands are `make run` and `make test`.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
HYPHA_WERROR ?= OFF
JOBS ?= $(shell nproc)
HOST ?= 127.0.0.1
PORT ?= 8080
DATA_DIR ?= var/microblog
PYTHON ?= /usr/bin/python3

.PHONY: all deps build run test unit functional functional-cluster interop bench clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DHYPHA_WERROR=$(HYPHA_WERROR)

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/apps/microblog/hypha-microblog --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR)

unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

functional: build
	HYPHA_BUILD_DIR=$(abspath $(BUILD_DIR)) $(PYTHON) -m pytest -q tests/functional

# The same black-box suite against the microblog as a cluster of processes over
# a private RabbitMQ (HYPHA_CLUSTER=1; everything on 127.0.0.1, stopped by pid,
# then checked that nothing was left behind): tests/functional/run-cluster.sh.
functional-cluster: build
	PYTHON=$(PYTHON) bash tests/functional/run-cluster.sh $(BUILD_DIR) -q

# Nameko's own AMQP library (kombu) against Hypha on a private RabbitMQ.
interop: build
	HYPHA_BUILD_DIR=$(abspath $(BUILD_DIR)) $(PYTHON) -m pytest -q tests/interop

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	HYPHA_BUILD_DIR=$(abspath $(BUILD_DIR)) $(PYTHON) -m pytest -q tests/interop
	HYPHA_BUILD_DIR=$(abspath $(BUILD_DIR)) $(PYTHON) -m pytest -q tests/functional
	PYTHON=$(PYTHON) bash tests/functional/run-cluster.sh $(BUILD_DIR) -q

bench: build
	bash bench/run.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)

# make cluster: the microblog as a cluster of processes over a private RabbitMQ
# on 127.0.0.1 (scripts/rabbitmq-cluster.sh; data and logs in CLUSTER_DIR).
CLUSTER_DIR ?= var/cluster
.PHONY: cluster
cluster: build
	HOST=$(HOST) PORT=$(PORT) bash scripts/rabbitmq-cluster.sh $(BUILD_DIR) $(CLUSTER_DIR)
