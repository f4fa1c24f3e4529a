"""Static checks of deploy/k8s and the service Dockerfiles: no cluster, no kubectl, no network.

They pin what the design fixes (ports, probes, non-root, no committed secrets, consumer replicas
<= partitions) so a manifest edit that breaks it fails here rather than in a cluster.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hssk_contracts.topics import ALL as TOPICS

yaml = pytest.importorskip("yaml", reason="PyYAML missing: add pyyaml to the root dev group")

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"

# name -> (python package, HTTP port, env prefix); design.md section 1.
SERVICES = {
    "identity": ("hssk_identity", 8001, "IDENTITY_"),
    "records": ("hssk_records", 8002, "RECORDS_"),
    "ingest-emr": ("hssk_ingest_emr", 8003, "INGEST_EMR_"),
    "notify": ("hssk_notify", 8004, "NOTIFY_"),
}
SKIP_DIRS = {".git", ".venv", ".hssk", "node_modules", "__pycache__"}


def _load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [d for d in yaml.safe_load_all(fh) if d is not None]


def _k8s_files() -> list[Path]:
    return sorted(K8S.rglob("*.yaml")) + sorted(K8S.rglob("*.yml"))


def _docs(kind: str, under: Path = K8S) -> list[dict]:
    files = [p for p in _k8s_files() if under in p.parents]
    return [d for p in files for d in _load(p) if d.get("kind") == kind]


def _by_name(kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in _docs(kind, K8S / "base")}


def _container(deployment: dict) -> dict:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


def test_every_yaml_parses() -> None:
    files = _k8s_files()
    assert files, "no YAML under deploy/k8s"
    for path in files:
        assert _load(path), f"{path} holds no YAML document"


def test_each_service_has_its_objects() -> None:
    for kind in (
        "ServiceAccount",
        "Deployment",
        "Service",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
    ):
        assert set(_by_name(kind)) == set(SERVICES), kind
    for account in _by_name("ServiceAccount").values():
        assert account["automountServiceAccountToken"] is False


@pytest.mark.parametrize("name", SERVICES)
def test_ports_match_the_service_table(name: str) -> None:
    _, port, prefix = SERVICES[name]
    deployment = _by_name("Deployment")[name]
    container = _container(deployment)
    assert [p["containerPort"] for p in container["ports"]] == [port]
    env = {e["name"]: e for e in container["env"]}
    assert env[f"{prefix}HTTP_PORT"]["value"] == str(port)
    assert env[f"{prefix}MONGO_URL"]["valueFrom"]["secretKeyRef"] == {
        "name": "hssk-mongo",
        "key": "url",
    }
    assert container["envFrom"][0]["prefix"] == prefix
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(port)
    assert annotations["prometheus.io/path"] == "/metrics"
    (service_port,) = _by_name("Service")[name]["spec"]["ports"]
    assert service_port["port"] == port
    assert service_port["targetPort"] in (port, "http")


@pytest.mark.parametrize("name", SERVICES)
def test_probes(name: str) -> None:
    container = _container(_by_name("Deployment")[name])
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"]["port"] in (SERVICES[name][1], "http")


@pytest.mark.parametrize("name", SERVICES)
def test_security_context(name: str) -> None:
    pod = _by_name("Deployment")[name]["spec"]["template"]["spec"]
    container = _container(_by_name("Deployment")[name])
    sc = container["securityContext"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert sc["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"]["drop"] == ["ALL"]
    assert pod["automountServiceAccountToken"] is False
    assert container["resources"]["requests"] and container["resources"]["limits"]


def test_no_secret_with_data_anywhere_in_the_repo() -> None:
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        for filename in filenames:
            if not filename.endswith((".yaml", ".yml")):
                continue
            path = Path(dirpath) / filename
            try:
                docs = _load(path)
            except yaml.YAMLError:
                if K8S in path.parents:
                    raise
                continue  # not a manifest (a template of someone else's); nothing to check
            for doc in docs:
                if isinstance(doc, dict) and doc.get("kind") == "Secret":
                    assert not doc.get("data") and not doc.get("stringData"), path


def test_only_dev_generates_a_secret_and_without_credentials() -> None:
    for path in K8S.rglob("kustomization.yaml"):
        generators = _load(path)[0].get("secretGenerator", [])
        if path.parent != K8S / "overlays" / "dev":
            assert not generators, f"{path}: secrets are created by the operator, not committed"
        for generator in generators:
            for literal in generator.get("literals", []):
                assert "@" not in literal, f"{path}: credentials in {literal!r}"
            assert not generator.get("files") and not generator.get("envs"), path


def _referenced_paths(kustomization: dict) -> list[str]:
    refs = list(kustomization.get("resources", [])) + list(kustomization.get("components", []))
    refs += [p["path"] for p in kustomization.get("patches", []) if "path" in p]
    refs += list(kustomization.get("patchesStrategicMerge", []))
    for key in ("configMapGenerator", "secretGenerator"):
        for generator in kustomization.get(key, []):
            refs += [f.split("=", 1)[-1] for f in generator.get("files", [])]
            refs += list(generator.get("envs", []))
    return refs


def test_everything_a_kustomization_lists_exists_and_nothing_is_orphaned() -> None:
    used: set[Path] = set()
    kustomizations = sorted(K8S.rglob("kustomization.yaml"))
    assert {p.parent.relative_to(K8S).as_posix() for p in kustomizations} >= {
        "base",
        "overlays/dev",
        "overlays/production",
        "components/strimzi-topics",
    }
    for path in kustomizations:
        used.add(path.resolve())
        for ref in _referenced_paths(_load(path)[0]):
            target = (path.parent / ref).resolve()
            assert target.exists(), f"{path}: {ref} does not exist"
            if target.is_dir():
                assert (target / "kustomization.yaml").is_file(), f"{path}: {ref} not kustomized"
            used.add(target)
    orphans = [p for p in _k8s_files() if p.resolve() not in used]
    assert not orphans, f"YAML no kustomization lists: {orphans}"


def test_hpa_never_exceeds_the_partitions_a_service_consumes() -> None:
    for name, hpa in _by_name("HorizontalPodAutoscaler").items():
        partitions = [t.partitions for t in TOPICS if name in t.consumers]
        assert partitions, f"{name} consumes no topic in the registry"
        spec = hpa["spec"]
        assert 1 <= spec["minReplicas"] <= spec["maxReplicas"] <= min(partitions) <= 6, name
        assert spec["scaleTargetRef"]["name"] == name
        (metric,) = spec["metrics"]
        assert metric["resource"]["name"] == "cpu"
        assert metric["resource"]["target"]["averageUtilization"] == 70


def test_strimzi_topics_match_the_registry() -> None:
    topics = {d["spec"]["topicName"]: d for d in _docs("KafkaTopic")}
    assert set(topics) == {t.name for t in TOPICS}
    for topic in TOPICS:
        doc = topics[topic.name]
        assert doc["apiVersion"] == "kafka.strimzi.io/v1beta2"
        assert doc["metadata"]["labels"]["strimzi.io/cluster"]
        assert doc["spec"]["partitions"] == topic.partitions, topic.name
        assert doc["spec"]["replicas"] == 3
        config = {k: str(v) for k, v in doc["spec"]["config"].items()}
        assert config == {**topic.config, "min.insync.replicas": "2"}, topic.name


def _config_literals(overlay: str) -> dict[str, str]:
    (generator,) = _load(K8S / "overlays" / overlay / "kustomization.yaml")[0]["configMapGenerator"]
    assert generator["name"] == "hssk-config" and generator["behavior"] == "merge"
    return dict(literal.split("=", 1) for literal in generator["literals"])


def test_overlays() -> None:
    dev = _config_literals("dev")
    assert dev["ENVIRONMENT"] == "dev"
    assert dev["KAFKA_BOOTSTRAP"] == "kafka:9092"
    prod = _config_literals("production")
    assert prod["ENVIRONMENT"] == "production"
    assert prod["JWKS_URL"].startswith("https://")
    assert prod["JWT_ISSUER"] != "hssk-dev-issuer"
    production = _load(K8S / "overlays" / "production" / "kustomization.yaml")[0]
    assert "../../components/strimzi-topics" in production["components"]
    assert "secretGenerator" not in production


@pytest.mark.parametrize("name", SERVICES)
def test_dockerfile(name: str) -> None:
    package, port, prefix = SERVICES[name]
    text = (ROOT / "services" / name / "Dockerfile").read_text(encoding="utf-8")
    assert text.count("FROM python:3.11-slim") == 2  # builder + runtime
    assert f"--package hssk-{name}" in text
    assert f"EXPOSE {port}\n" in text
    assert f"{prefix}HTTP_PORT={port}" in text
    assert "USER 10001:10001" in text
    assert f'ENTRYPOINT ["python", "-m", "{package}"]' in text


def test_dockerignore() -> None:
    lines = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".venv", ".hssk", "**/__pycache__", "bench/results", ".git"} <= lines
