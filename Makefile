# make codegen: schema/ -> generated/ (commit the result); make test: what CI runs after npm ci.
.PHONY: codegen build test check-generated

codegen:
	node --require tsx/cjs codegen/main.ts

build:
	npm run build

test:
	npm test

# Fails when generated/ is not what `make codegen` writes from schema/.
check-generated: codegen
	git diff --exit-code --stat -- generated
	test -z "$$(git status --porcelain -- generated)"
