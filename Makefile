# Two commands matter (see README): `make run` and `make test`; `make check`
# is the quick loop while working, `make test-slow` what takes too long for CI.
# build-<LogicalId> targets are called by `sam build` (BuildMethod: makefile).

SHELL := /bin/bash
GO    ?= go

# LogicalId:directory under functions/:bootstrap size budget in bytes (make sizes; how each budget was set and rose: docs/decisions/bootstrap-budgets.md).
FUNCTIONS := \
	AgreementsFunction:agreements:11190000 \
	InstalmentDueFunction:instalment-due:13240000 \
	CheckInSenderFunction:checkin-sender:13380000 \
	SweepFunction:sweep:15290000 \
	SesEventsFunction:ses-events:13240000 \
	PaymentsFunction:payments:14630000 \
	InboundFunction:inbound:20320000 \
	CheckInsFunction:checkins:13640000 \
	MonitoringFunction:monitoring:9320000 \
	GrantsDataFunction:grants-data:10870000 \
	WebFunction:web:17810000

DEVSTACK := .local/bin/devstack

.PHONY: first-admin invoke test-bootstraps templ-check run check test test-static test-go test-slow sweep-capacity-full bench-tools test-calendar token advance deps lint bench bench-100k bench-go sizes initbench screenshots clean activate-receipt-rules fuzz reprocess-replies rebuild-aggregate cost iam

## run: the product on this machine (DynamoDB Local, SES viewer, API on :3000)
run: deps $(DEVSTACK)
	exec $(DEVSTACK) run

## invoke: one function's bootstrap under AWS's Lambda runtime emulator, with its template environment on the local stack (sam local invoke without Docker): make invoke FN=AgreementsFunction EVENT=events/agreements-get.json
# It uses make run's stack if one is running, else starts it for the one invocation (docs/deploying.md, sam local).
invoke: deps
	@[ -n "$(FN)" ] || { echo "FN= is required: a function's logical ID in template.yaml, e.g. FN=AgreementsFunction"; exit 2; }
	@$(GO) build -o .local/bin/invoke ./pkg/dev/stack/cmd/invoke && .local/bin/invoke -fn '$(FN)' $(if $(EVENT),-event '$(EVENT)')

## check: gofmt, go vet and every test that needs no emulator or browser (go test -short): about a minute
# go vet compiles every package, the functions' mains too (go build ./...
# would only add linking them); go test's own vet pass would repeat it.
check: templ-check
	@unformatted=$$(gofmt -l functions pkg); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) test -short -count=1 -vet=off ./...

## test: everything CI holds: gofmt, go vet, staticcheck, every test (the local stacks' in parallel), cfn-lint and the bootstrap sizes
# The static checks, the tests, cfn-lint and the sizes run side by side
# (-O: each one's output together, when it ends). Only the tests need the
# emulators' npm packages: on a fresh clone npm ci (about 22 s) runs while
# go vet compiles the packages the tests will.
test: templ-check
	@$(MAKE) --no-print-directory -j4 -O test-static test-go lint sizes

test-static:
	@unformatted=$$(gofmt -l functions pkg); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

# Every local-stack test's clock starts at a pinned time (-stack.start), and
# the short walks run again from inside the quiet period before 09:00
# (TestShortWalksFromTheQuietPeriod), so none depends on the day or hour CI
# starts. Every test binary of the run shares one DynamoDB Local
# (cmd/withdynamodb), a table per test. The stack tests run side by side:
# eight at a time, as they mostly wait on the emulators (pkg/dev/stack alone:
# 91 s with four, 72 s with eight, the same CPU; sixteen cost more CPU than
# they save); and three packages at a time on two cores, for the same reason
# (six: test-go 5 min 10 s instead of 5 min 37 s, but pkg/checkinqueue's
# timing tests then starve and fail on a loaded machine). The longest packages
# are named first, so go test builds and starts them first and the short ones
# fill in beside them (./... then adds the rest, once each). -vet=off: test-static's go vet
# ./... already vets every package with its tests; -ldflags=-w: no test binary
# needs its DWARF, and linking ~70 of them is CPU the tests can use. GOGC=400:
# the test binaries, compiler and linker collect garbage a quarter as often
# (memory is plentiful; with -w, test-go's CPU 7 min 13 s to 6 min 55 s at six packages at a time).
SLOW_FIRST := ./pkg/dev/stack ./pkg/dynamo ./pkg/service/ondynamodb ./pkg/checkinqueue ./pkg/httpapi
test-go: deps
	GOGC=400 $(GO) run ./pkg/dev/testenv/cmd/withdynamodb -- $(GO) test -count=1 -timeout 20m -p 3 -parallel 8 -vet=off -ldflags=-w $(SLOW_FIRST) ./...

## test-slow: what CI does not run: the 100,000-agreement bench (with 100 and 5,000), the sweep's flat reads at 5,000 agreements, the go test benchmarks, the fuzz targets, every bootstrap under the Lambda runtime emulator and make initbench
test-slow: bench-100k sweep-capacity-full bench-tools bench-go fuzz test-bootstraps initbench

# TestEmulator (pkg/dev/rie: answers, errors and a failed init as Lambda reports
# them) and TestBootstrapsUnderTheEmulator: every function's bootstrap, built as sam build
# does, under the Lambda runtime emulator with its sample events on a seeded
# stack (make invoke for all of them). About 40 s of CPU with a warm build cache
# (16 s of it the eleven links), over 2 minutes cold: too much for make test.
test-bootstraps: deps
	INVOKE_BOOTSTRAPS=1 $(GO) test -count=1 -run '^(TestBootstrapsUnderTheEmulator|TestEmulator)$$' ./pkg/dev/rie ./pkg/dev/stack

# The bench's own tooling (its Pager pages as a plain client does), on 1,000 imported agreements.
bench-tools: deps
	BENCH_TOOLS=1 $(GO) test -count=1 ./pkg/dev/bench

# TestSweepReadsStayFlat at 100, 1,000 and 5,000 agreements (make test fills 100 and 1,000).
sweep-capacity-full: deps
	SWEEP_CAPACITY_FULL=1 $(GO) test -count=1 -run '^TestSweepReadsStayFlat$$' ./pkg/service/ondynamodb

# A start that catches a walk assuming working days or a send time passed:
# 07:30 in London on 23 December, the day before the default quiet period
# (TestShortWalksFromTheQuietPeriod's -stack.quiet).
QUIET_START := 2026-12-23T07:30:00Z
WALKS := ^(TestLateDigestOnTheStack|TestLateActivationSendsOneWelcome|TestCloseEarlySendsOneThankYou|TestAmendAmountsAndHelpOnTheStack|TestDemoProgramme|TestTerminationIsToldOnTheLocalStack|TestGrantsFilePublishedDaily|TestConversationCheckInOnTheStack|TestAgreementYear|TestStaffYearInTheBrowser)$$

## test-calendar: every local-stack test that walks the calendar, from inside the quiet period before 09:00
test-calendar: deps
	$(GO) test -count=1 -timeout 30m ./pkg/dev/stack -run '$(WALKS)' -stack.start=$(QUIET_START)

## token: a bearer token for the local API: make token ROLE=finance|programme|viewer|admin [PROGRAMMES=code1,code2] [USER=name] [TOKEN_USE=access]
# PROGRAMMES: the role holds in those programmes only (groups ROLE:code1, ROLE:code2); without it, in every programme.
ROLE ?= programme
TOKEN_USE ?= id
PROGRAMMES ?=
TOKEN_USER := $(if $(filter command line,$(origin USER)),$(USER),$(ROLE))
token: $(DEVSTACK)
	@$(DEVSTACK) token -role $(ROLE) -user $(TOKEN_USER) -token-use $(TOKEN_USE) -programmes '$(PROGRAMMES)'

## advance: while make run runs, move the local clock on DAYS days, firing what falls due
DAYS ?= 1
advance: $(DEVSTACK)
	@$(DEVSTACK) advance -days $(DAYS)

## deps: what the commands need that is not Go: npm packages and Java
deps:
	@command -v java >/dev/null || { echo "Java 17 is needed for DynamoDB Local (apt-get install openjdk-17-jre-headless)"; exit 1; }
	@[ -d node_modules/amplify-dynamodb-simulator ] && [ -d node_modules/aws-ses-v2-local ] && [ -d node_modules/s3rver ] && [ -d node_modules/axe-core ] || npm ci --no-audit --no-fund
	@$(GO) mod download

$(DEVSTACK): $(shell find pkg functions -name '*.go' -not -name '*_test.go') go.mod go.sum template.yaml
	$(GO) build -o $@ ./pkg/dev/stack/cmd/devstack

## templ-check: the pages' generated Go (pkg/web/*_templ.go) is what go tool templ makes of their .templ files
templ-check:
	@tmp=$$(mktemp -d) && cp pkg/web/*.templ $$tmp/ && $(GO) tool templ generate -path $$tmp >/dev/null 2>&1 && \
	for f in $$tmp/*_templ.go; do cmp -s $$f pkg/web/$$(basename $$f) || { echo "pkg/web/$$(basename $$f) is stale: run go generate ./pkg/web"; rm -rf $$tmp; exit 1; }; done; rm -rf $$tmp

lint:
	@if command -v cfn-lint >/dev/null; then cfn-lint template.yaml && echo "cfn-lint: no errors"; \
	else echo "cfn-lint not installed (pip install cfn-lint); skipping the template check"; fi

## sizes: build every function for arm64, print each bootstrap's size, fail if one is over budget
sizes:
	@over=0; for f in $(FUNCTIONS); do \
		id=$${f%%:*}; budget=$${f##*:}; \
		$(MAKE) -s build-$$id ARTIFACTS_DIR=.local/build/$$id >/dev/null || exit 1; \
		size=$$(stat -c %s .local/build/$$id/bootstrap); verdict=ok; \
		if [ $$size -gt $$budget ]; then verdict="OVER BUDGET"; over=1; fi; \
		printf '%-24s %9d bytes  (budget %9d)  %s\n' $$id $$size $$budget "$$verdict"; \
	done; exit $$over

## initbench: each function's init (exec to its first poll for an event) as a ratio to a hello-world handler (INITBENCH_RUNS=11 each, median), each with the environment the template gives it
# Built as sam build does (build-<LogicalId>), but for this machine's
# architecture so they run here; the yardstick with the same flags.
INITBENCH_RUNS ?= 11
INITBENCH_DIR  := .local/build/initbench
initbench:
	@mkdir -p $(INITBENCH_DIR); arch=$$($(GO) env GOHOSTARCH); bins=hello=$(INITBENCH_DIR)/hello; \
	GOOS=linux GOARCH=$$arch CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags="-s -w" -o $(INITBENCH_DIR)/hello ./pkg/dev/stack/cmd/initbench/hello || exit 1; \
	for f in $(FUNCTIONS); do \
		id=$${f%%:*}; \
		$(MAKE) -s --no-print-directory build-$$id ARTIFACTS_DIR=$(CURDIR)/$(INITBENCH_DIR)/$$id BUILD_GOARCH=$$arch >/dev/null || exit 1; \
		bins="$$bins $$id=$(INITBENCH_DIR)/$$id/bootstrap"; \
	done; \
	$(GO) run ./pkg/dev/stack/cmd/initbench -n $(INITBENCH_RUNS) $(INITBENCH_FLAGS) $$bins

## screenshots: refresh the committed web app screenshots (make test leaves them alone)
screenshots: deps
	UPDATE_SCREENSHOTS=1 $(GO) test -count=1 -timeout 30m -run 'DemoProgramme|StaffYearInTheBrowser|EveryPageAtPhoneWidth' ./pkg/dev/stack

## fuzz: the email parser, reply tokens and the agreement create and PATCH routes (on DynamoDB Local) under go test -fuzz (FUZZTIME=60s each)
FUZZTIME ?= 60s
fuzz: deps
	$(GO) test -run '^$$' -fuzz FuzzCreateAgreement -fuzztime $(FUZZTIME) ./pkg/httpapi
	$(GO) test -run '^$$' -fuzz FuzzAmendAgreement -fuzztime $(FUZZTIME) ./pkg/httpapi
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./pkg/reply
	$(GO) test -run '^$$' -fuzz FuzzQuoteHeaderPatterns -fuzztime $(FUZZTIME) ./pkg/reply
	$(GO) test -run '^$$' -fuzz FuzzVerify -fuzztime $(FUZZTIME) ./pkg/replytoken

## bench: one table of read units (summary, quarantine, instalment list, export, sweep) and creates/s at 100 and 5,000 agreements, on a DynamoDB Local of its own (not part of make test)
bench: deps
	$(GO) run ./pkg/dev/bench/cmd/scalebench -sizes 100,5000

## bench-100k: the same table at 100, 5,000 and 100,000 agreements (27 minutes on 2 shared cores; DynamoDB Local peaks at 3.9 GB)
bench-100k: deps
	$(GO) run ./pkg/dev/bench/cmd/scalebench -sizes 100,5000,100000

## bench-go: the go test benchmarks against DynamoDB Local (not part of make test)
bench-go: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

## first-admin: the first administrator (Cognito emails them a temporary password): make first-admin EMAIL=ada@funder.example STAGE=prod
first-admin:
	@test -n "$(EMAIL)" || { echo "usage: make first-admin EMAIL=you@funder.example [STAGE=prod]"; exit 1; }; \
	pool=$$(aws cloudformation describe-stacks --stack-name partnership-grants-$(STAGE) \
		--query "Stacks[0].Outputs[?OutputKey=='UserPoolId'].OutputValue" --output text) || exit 1; \
	aws cognito-idp admin-get-user --user-pool-id "$$pool" --username "$(EMAIL)" >/dev/null 2>&1 || \
	aws cognito-idp admin-create-user --user-pool-id "$$pool" --username "$(EMAIL)" --desired-delivery-mediums EMAIL \
		--user-attributes Name=email,Value="$(EMAIL)" Name=email_verified,Value=true >/dev/null || exit 1; \
	aws cognito-idp admin-add-user-to-group --user-pool-id "$$pool" --username "$(EMAIL)" --group-name admin || exit 1; \
	echo "$(EMAIL) is an administrator: they sign in at the WebAppUrl output."

## activate-receipt-rules: make the stack's SES receipt rule set the active one (CloudFormation cannot); asks first, YES=1 does not
# An account has one active receipt rule set per region: activating this one
# deactivates whichever is active, and the mail its rules received (another
# domain, another stage's replies) stops arriving. So it shows the active one
# and asks, unless YES=1 says so on the command line.
STAGE ?= dev
CONFIRMED := $(if $(filter command line,$(origin YES)),$(YES))
activate-receipt-rules:
	@want=partnership-grants-$(STAGE); \
	active=$$(aws ses describe-active-receipt-rule-set --query Metadata.Name --output text) || exit 1; \
	if [ "$$active" = "$$want" ]; then echo "$$want is already the active receipt rule set."; exit 0; fi; \
	if [ -z "$$active" ] || [ "$$active" = None ]; then active="(none)"; fi; \
	echo "SES has ONE active receipt rule set per account and region: activating $$want replaces it."; \
	echo "Active now: $$active"; \
	if [ "$$active" != "(none)" ]; then echo "Its rules (these stop receiving mail):"; \
		aws ses describe-active-receipt-rule-set --query 'Rules[].[Name,join(`,`,Recipients || [`(all recipients)`])]' --output text | sed 's/^/  /'; fi; \
	if [ "$(CONFIRMED)" != 1 ]; then \
		read -r -p "Activate $$want in its place? [y/N] " answer || answer=; \
		case "$$answer" in [yY]|[yY][eE][sS]) ;; *) echo "Nothing changed."; exit 1;; esac; \
	fi; \
	aws ses set-active-receipt-rule-set --rule-set-name "$$want" && echo "$$want is now the active receipt rule set (it was $$active)."

## rebuild-aggregate: recount a programme's summary aggregate from its agreements on its next summary read: make rebuild-aggregate STAGE=prod PROGRAMME=community-2026
rebuild-aggregate:
	@[ -n "$(PROGRAMME)" ] || { echo "PROGRAMME= is required"; exit 1; }
	@table=$$(aws cloudformation describe-stack-resource --stack-name $(STACK) --logical-resource-id Table \
		--query StackResourceDetail.PhysicalResourceId --output text) || exit 1; \
	aws dynamodb delete-item --table-name "$$table" --key '{"PK":{"S":"PROG#$(PROGRAMME)"},"SK":{"S":"AGG#BUILT"}}' && \
	echo "The next summary of $(PROGRAMME) rebuilds its aggregate."

## reprocess-replies: handle stored replies that never reached a check-in or the quarantine
## (safe to run twice): make reprocess-replies STAGE=prod, or STAGE=local while make run runs
STACK ?= partnership-grants-$(STAGE)
reprocess-replies:
	@if [ "$(STAGE)" = local ]; then $(MAKE) -s $(DEVSTACK) && $(DEVSTACK) reprocess; exit; fi; \
	fn=$$(aws cloudformation describe-stack-resource --stack-name $(STACK) --logical-resource-id InboundFunction \
		--query StackResourceDetail.PhysicalResourceId --output text) || exit 1; \
	mkdir -p .local; next=; failed=0; \
	while :; do \
		err=$$(aws lambda invoke --function-name "$$fn" --cli-binary-format raw-in-base64-out --cli-read-timeout 0 \
			--payload "{\"reprocess\":{\"startAfter\":\"$$next\"}}" --query FunctionError --output text .local/reprocess.json) || exit 1; \
		cat .local/reprocess.json; echo; \
		[ "$$err" = None ] || exit 1; \
		grep -q '"failed"' .local/reprocess.json && failed=1; \
		next=$$(sed -n 's/.*"next":"\([^"]*\)".*/\1/p' .local/reprocess.json); \
		[ -n "$$next" ] || exit $$failed; \
	done

## iam: the local-stack tests (IAM_RUN= a -run pattern, default all of them) with each function's allowed AWS actions recorded, then per function the actions its policy allows that no test used (not part of make test)
IAM_RUN ?= .
iam: deps
	@mkdir -p .local; rm -f .local/iam-used.txt
	@$(GO) run ./pkg/dev/testenv/cmd/withdynamodb -- $(GO) test -count=1 -timeout 30m -vet=off ./pkg/dev/stack -run '$(IAM_RUN)' -iam.used=$(CURDIR)/.local/iam-used.txt; \
	status=$$?; $(GO) run ./pkg/dev/iam/cmd/iamreport -used .local/iam-used.txt && exit $$status

clean:
	rm -rf .local/bin .local/build .aws-sam

# One build-<LogicalId> target per function, as SAM's makefile builder wants.
# BUILD_GOARCH is the template's Architectures (arm64); make invoke and make
# initbench build the same way for this machine's, so the bootstraps run here.
BUILD_GOARCH ?= arm64
define build_function
.PHONY: build-$(1)
build-$(1):
	GOOS=linux GOARCH=$(BUILD_GOARCH) CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags="-s -w" -o $$(ARTIFACTS_DIR)/bootstrap ./functions/$(2)
endef
$(foreach f,$(FUNCTIONS),$(eval $(call build_function,$(word 1,$(subst :, ,$(f))),$(word 2,$(subst :, ,$(f))))))

## cost: what a year of N agreements costs in AWS (N=100 default): walks the year on the local stack, DynamoDB billed from item sizes, priced by service from pkg/dev/cost/prices.go (eu-west-2, dated), the fixed monthly cost apart (not part of make test; docs/scale.md quotes it)
# COST_FLAGS=-fixed prints only the template's fixed part, both ways of
# DetailedMonitoring; -step N moves the clock N days between the people's turns.
N ?= 100
COST_FLAGS ?=
cost: deps
	$(GO) run ./pkg/dev/cost/cmd/cost -n $(N) $(COST_FLAGS)
