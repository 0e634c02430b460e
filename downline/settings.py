"""One typed settings object, read from the environment (and an optional `.env` file).

Every field names its environment variable and says what it is for; the README's settings
table is checked against these fields by a test, so a new setting cannot go undocumented.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _env(name: str, description: str, default, **kwargs):
    """A field bound to exactly one environment variable."""
    return Field(
        default,
        validation_alias=AliasChoices(name),
        description=description,
        json_schema_extra={"env": name},
        **kwargs,
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    neo4j_uri: str = _env(
        "NEO4J_URI",
        "Bolt URI of the Neo4j server. A loopback bolt:// URI is where `downline db start` "
        "listens; point it at any other server (neo4j://, neo4j+s://, Aura) to use that one.",
        "bolt://127.0.0.1:7687",
    )
    neo4j_user: str = _env("NEO4J_USER", "Neo4j user name.", "neo4j")
    neo4j_password: SecretStr | None = _env(
        "NEO4J_PASSWORD",
        "Neo4j password. When unset, `downline db start` generates one for the local server "
        "and keeps it (mode 0600) in the data folder. Never printed or logged.",
        None,
    )
    neo4j_database: str = _env("NEO4J_DATABASE", "Database name used by every query.", "neo4j")
    data_dir: Path = _env(
        "DOWNLINE_DATA_DIR",
        "Home of the local Neo4j: its store, neo4j.conf, pid file and generated password.",
        Path(".downline/data"),
    )
    log_dir: Path = _env(
        "DOWNLINE_LOG_DIR", "Folder of the local Neo4j's logs.", Path(".downline/logs")
    )
    neo4j_lib: Path = _env(
        "DOWNLINE_NEO4J_LIB",
        "Cache of Neo4j jars resolved by Maven, one sub-folder per version, shared by every "
        "local server.",
        Path(".downline/neo4j-lib"),
    )
    neo4j_version: str = _env(
        "DOWNLINE_NEO4J_VERSION",
        "Version of org.neo4j:neo4j (Community) fetched from Maven Central for the local server.",
        "5.26.30",
    )
    java: str = _env(
        "DOWNLINE_JAVA",
        "Java executable for the local server (Neo4j 5.26 runs on Java 17 or 21). "
        "Default: $JAVA_HOME/bin/java, else `java` on PATH.",
        "",
    )
    heap_size: str = _env(
        "DOWNLINE_NEO4J_HEAP",
        "JVM heap of the local server (-Xms and -Xmx).",
        "4g",
    )
    pagecache_size: str = _env(
        "DOWNLINE_NEO4J_PAGECACHE",
        "Page cache of the local server (server.memory.pagecache.size).",
        "4g",
    )
    start_timeout: float = _env(
        "DOWNLINE_START_TIMEOUT",
        "Seconds `downline db start` waits for Bolt to answer before it gives up.",
        120.0,
        gt=0,
    )
    ingest_batch_size: int = _env(
        "DOWNLINE_INGEST_BATCH_SIZE",
        "Rows per UNWIND write transaction of the ingest.",
        10_000,
        ge=1,
        le=200_000,
    )
    ingest_writers: int = _env(
        "DOWNLINE_INGEST_WRITERS",
        "Concurrent write transactions of the ingest for orders, customers and commissions.",
        2,
        ge=1,
        le=16,
    )
    future_tolerance_days: int = _env(
        "DOWNLINE_FUTURE_TOLERANCE_DAYS",
        "Days past today that an input date may lie before its row is rejected.",
        1,
        ge=0,
    )
    ingest_lock_ttl: float = _env(
        "DOWNLINE_INGEST_LOCK_TTL",
        "Seconds without a heartbeat after which another worker may take over the ingest lock.",
        120.0,
        gt=0,
    )
    snapshot_dir: Path = _env(
        "DOWNLINE_SNAPSHOT_DIR",
        "Folder of the analytics read model: a columnar snapshot of the facts that every ingest "
        "run replaces and the CLI and every dashboard worker memory-map (docs/read-model.md). "
        "Where the ingest and the dashboard run apart, share it (the compose file mounts one "
        "volume in both).",
        Path(".downline/snapshot"),
    )
    saved_queries_dir: Path | None = _env(
        "DOWNLINE_SAVED_QUERIES",
        "Folder of your own saved queries (.cypher files), beside the shipped ones.",
        None,
    )
    audit_log: Path = _env(
        "DOWNLINE_AUDIT_LOG",
        "JSON-lines file to which every saved or ad-hoc query run appends a record.",
        Path(".downline/logs/query-audit.jsonl"),
    )
    query_timeout: float = _env(
        "DOWNLINE_QUERY_TIMEOUT", "Seconds a saved or ad-hoc query may run.", 30.0, gt=0
    )
    query_row_limit: int = _env(
        "DOWNLINE_QUERY_ROW_LIMIT", "The most rows a saved or ad-hoc query returns.", 10_000, ge=1
    )
    dashboard_host: str = _env("DASHBOARD_HOST", "Address the dashboard binds to.", "127.0.0.1")
    dashboard_port: int = _env("DASHBOARD_PORT", "Port of the dashboard.", 8050, ge=1, le=65535)
    dashboard_user: str = _env(
        "DASHBOARD_USER",
        "Login name for the dashboard's basic-auth login; saved-query runs are audited under it.",
        "analyst",
    )
    dashboard_password: SecretStr | None = _env(
        "DASHBOARD_PASSWORD",
        "Password of the dashboard's login. Optional when it binds to a loopback address; the "
        "dashboard refuses any other address (and gunicorn's `dashboard.app:server` refuses to "
        "load unless DASHBOARD_HOST is loopback) without it. Serve it behind TLS.",
        None,
    )
    dashboard_cache_dir: Path = _env(
        "DASHBOARD_CACHE_DIR",
        "Folder of the dashboard's query cache, shared by every worker process on the host. "
        "Entries are keyed by the newest finished ingest run, so a finished run invalidates them.",
        Path(".downline/cache/dashboard"),
    )
    dashboard_warm_seconds: float = _env(
        "DASHBOARD_WARM_SECONDS",
        "How often the dashboard checks for a finished ingest run and then computes its pages' "
        "default views into the cache, so that no visitor waits for them (0: never).",
        30.0,
        ge=0,
    )
    dashboard_cache_seconds: int = _env(
        "DASHBOARD_CACHE_SECONDS",
        "Seconds a cached dashboard answer is kept (0: until the next ingest run).",
        86_400,
        ge=0,
    )

    @field_validator("neo4j_uri")
    @classmethod
    def _uri_has_no_credentials(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}:
            raise ValueError(f"unsupported scheme {parts.scheme!r}: use bolt:// or neo4j://")
        if parts.username or parts.password:
            raise ValueError("put credentials in NEO4J_USER / NEO4J_PASSWORD, not in the URI")
        if not parts.hostname:
            raise ValueError("the URI names no host")
        return value

    @property
    def bolt_host(self) -> str:
        return urlsplit(self.neo4j_uri).hostname or "127.0.0.1"

    @property
    def bolt_port(self) -> int:
        return urlsplit(self.neo4j_uri).port or 7687

    @property
    def is_local(self) -> bool:
        """True when the URI is a loopback bolt:// address that `db start` can serve."""
        return urlsplit(self.neo4j_uri).scheme == "bolt" and self.bolt_host in LOOPBACK_HOSTS

    @property
    def password_file(self) -> Path:
        return self.data_dir / ".neo4j-password"

    def password(self) -> str | None:
        """The configured password, else the one generated for the local server, else None."""
        if self.neo4j_password is not None:
            return self.neo4j_password.get_secret_value()
        if self.is_local and self.password_file.is_file():
            return self.password_file.read_text(encoding="utf-8").strip()
        return None


def env_names() -> dict[str, str]:
    """Environment variable name -> description, for docs and the settings test."""
    return {
        field.json_schema_extra["env"]: field.description
        for field in Settings.model_fields.values()
    }
