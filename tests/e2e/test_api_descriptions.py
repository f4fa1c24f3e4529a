"""Each service's OpenAPI, as an integrator's tooling reads it: Redocly CLI's `lint` with its
recommended rules (installed with npm into .hssk/cache, telemetry off) finds no error in the
document each running service serves; operation ids are the handlers' names; every error answer
is documented as what it is on the wire: an RFC 9457 problem, or on a FHIR path an
OperationOutcome."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from hssk_cli import stack
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("platform_up")
REDOCLY = "@redocly/cli@2.77.0"
CACHE = ROOT / ".hssk" / "cache" / "redocly-2.77.0"
QUIET = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
FHIR_PATHS, FHIR_JSON = ("/fhir/", "/v1/visits/fhir"), "application/fhir+json"  # OperationOutcomes
ALLOWED_WARNINGS = {"info-license"}  # the project has chosen no licence yet; none is invented


@pytest.fixture(scope="module")
def redocly() -> str:
    binary = CACHE / "node_modules" / ".bin" / "redocly"
    if not binary.exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install Redocly CLI, the OpenAPI linter"
        CACHE.mkdir(parents=True, exist_ok=True)
        command = [npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(CACHE)]
        subprocess.run([*command, REDOCLY], check=True, timeout=300, capture_output=True)
    return str(binary)


def lint(redocly: str, document: dict, tmp_path) -> dict:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document))
    done = subprocess.run(
        [redocly, "lint", str(path), "--format=json", "--extends=recommended"],
        capture_output=True, text=True, timeout=120, env={**os.environ, **QUIET},
    )  # fmt: skip
    return json.loads(done.stdout)


@pytest.mark.parametrize("service", [s.name for s in stack.SERVICES])
async def test_the_served_openapi_passes_the_linter(service, redocly, http, tmp_path):
    document = (await http.get(f"{stack.BY_NAME[service].url}/openapi.json")).json()
    found = lint(redocly, document, tmp_path)
    errors = [p for p in found["problems"] if p["severity"] == "error"]
    assert not errors, [(p["ruleId"], p["message"]) for p in errors]
    warned = {p["ruleId"] for p in found["problems"] if p["severity"] == "warn"}
    assert warned <= ALLOWED_WARNINGS
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert all(i.isidentifier() and not i.endswith(("_get", "_post")) for i in ids), ids
    for path, ops in document["paths"].items():
        errors = FHIR_JSON if path.startswith(FHIR_PATHS) else "application/problem+json"
        for op in ops.values():
            for status, answer in op["responses"].items():
                if status[0] in "45" and "content" in answer:
                    assert list(answer["content"]) == [errors], (path, status)
    broken = {**document, "servers": []}  # the linter does refuse a wrong document
    assert lint(redocly, broken, tmp_path)["totals"]["errors"] >= 1
