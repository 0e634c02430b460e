"""A local Neo4j 5.26 Community server run from Maven Central jars with the machine's Java.

It is Neo4j's own server (`org.neo4j.server.CommunityEntryPoint`) in a JVM we start ourselves,
with the `--add-opens` flags its launcher script would pass, authentication on and the Bolt
connector bound to the loopback address of NEO4J_URI. Everything lives under DOWNLINE_DATA_DIR
(the server's home), so several servers (a user's, the tests') can run side by side.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from neo4j.exceptions import AuthError, ServiceUnavailable

from downline.connection import driver_for
from downline.errors import DownlineError
from downline.localdb.jars import ensure_jars
from downline.localdb.store import StoreFolders
from downline.processes import pid_alive
from downline.settings import Settings

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
ADD_OPENS = (
    "java.base/java.nio",
    "java.base/java.io",
    "java.base/sun.nio.ch",
    "java.base/java.lang",
    "java.base/java.util",
    "java.base/java.util.concurrent",
)
# The flags Neo4j's own launcher passes by default (conf/neo4j.conf, server.jvm.additional).
JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+DisableExplicitGC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dfile.encoding=UTF-8",
)
# The offline importer works mostly off-heap; these bound its memory on a small machine.
IMPORTER_HEAP = "1g"
IMPORTER_OFF_HEAP = "2g"
MIN_PASSWORD_LENGTH = 8  # Neo4j's dbms.security.auth_minimum_password_length default


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    uri: str
    home: Path

    def describe(self) -> str:
        if self.running:
            return f"running (pid {self.pid}) at {self.uri}, data in {self.home}"
        return f"stopped (data in {self.home})"


def java_executable(settings: Settings) -> str:
    if settings.java:
        return settings.java
    java_home = os.environ.get("JAVA_HOME")
    return str(Path(java_home) / "bin" / "java") if java_home else "java"


def argfile_quote(value: str) -> str:
    """Quote one argument for a picocli @argfile, so a secret never appears on a command line."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class LocalNeo4j:
    """Start, stop and inspect the local server described by a Settings object."""

    def __init__(self, settings: Settings, log=print):
        if not settings.is_local:
            raise DownlineError(
                f"NEO4J_URI is {settings.neo4j_uri}: `downline db` manages only a local "
                "server on a loopback bolt:// address; that server is managed elsewhere"
            )
        self.settings = settings
        self.log = log
        self.home = settings.data_dir.resolve()
        self.log_dir = settings.log_dir.resolve()
        self.conf_dir = self.home / "conf"
        self.pid_file = self.home / "run" / "downline-neo4j.pid"
        self.console_log = self.log_dir / "console.log"
        self.store = StoreFolders(self.home, settings.neo4j_database)

    # --- configuration -------------------------------------------------------------------

    def render_conf(self) -> str:
        s = self.settings
        host = f"[{s.bolt_host}]" if ":" in s.bolt_host else s.bolt_host
        lines = {
            "dbms.security.auth_enabled": "true",
            "server.default_listen_address": host,
            "server.bolt.enabled": "true",
            "server.bolt.listen_address": f"{host}:{s.bolt_port}",
            "server.http.enabled": "false",
            "server.https.enabled": "false",
            "server.directories.data": str(self.home / "data"),
            "server.directories.logs": str(self.log_dir),
            "server.directories.run": str(self.home / "run"),
            "server.directories.import": str(self.home / "import"),
            "server.directories.plugins": str(self.home / "plugins"),
            "server.memory.pagecache.size": s.pagecache_size,
            "initial.dbms.default_database": s.neo4j_database,
            "dbms.usage_report.enabled": "false",
            "db.tx_log.rotation.retention_policy": "1G size",
        }
        return "".join(f"{key}={value}\n" for key, value in lines.items())

    def java_command(
        self, lib: Path, main_class: str, *args: str, heap: str | None = None
    ) -> list[str]:
        heap = heap or self.settings.heap_size
        return [
            java_executable(self.settings),
            f"-Xms{heap}",
            f"-Xmx{heap}",
            *(f"--add-opens={module}=ALL-UNNAMED" for module in ADD_OPENS),
            "--enable-native-access=ALL-UNNAMED",
            *JVM_FLAGS,
            "-cp",
            f"{lib}/*",
            main_class,
            *args,
        ]

    # --- state ---------------------------------------------------------------------------

    def _read_pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def _alive(self, pid: int) -> bool:
        """True if pid is this home's Neo4j and has not exited (zombies count as exited)."""
        proc = Path("/proc") / str(pid)
        if proc.exists():
            try:
                stat = (proc / "stat").read_text()
                cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                return False
            if stat.rsplit(")", 1)[-1].split()[0] == "Z":
                _reap(pid)
                return False
            return ENTRY_POINT in cmdline and str(self.home) in cmdline
        return pid_alive(pid)

    def status(self) -> ServerStatus:
        pid = self._read_pid()
        running = pid is not None and self._alive(pid)
        return ServerStatus(running, pid if running else None, self.settings.neo4j_uri, self.home)

    def log_tail(self, lines: int = 20) -> str:
        chunks = []
        for path in (self.log_dir / "neo4j.log", self.console_log):
            if path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()
                chunks.append(f"--- last lines of {path} ---\n" + "\n".join(text[-lines:]))
        return "\n".join(chunks) or f"(no log in {self.log_dir})"

    # --- password ------------------------------------------------------------------------

    def password(self) -> str:
        """The configured password, else the generated one, generated now if there is none."""
        existing = self.settings.password()
        if existing is None:
            existing = secrets.token_urlsafe(24)
            self.home.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.settings.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(existing + "\n")
            self.log(f"generated a password for the local server in {self.settings.password_file}")
        if len(existing) < MIN_PASSWORD_LENGTH:
            raise DownlineError(
                f"NEO4J_PASSWORD must have at least {MIN_PASSWORD_LENGTH} characters"
            )
        return existing

    def _set_initial_password(self, lib: Path, password: str) -> None:
        """Neo4j's `dbms set-initial-password`, fed through an argfile readable only by us."""
        argfile = self.home / "run" / "initial-password.args"
        fd = os.open(argfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(argfile_quote(password) + "\n")
        try:
            result = subprocess.run(
                self.java_command(lib, ADMIN_TOOL, "dbms", "set-initial-password", f"@{argfile}"),
                env=self._admin_env(),
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
            )
        finally:
            argfile.unlink(missing_ok=True)
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()[-1:]
            raise DownlineError("could not set the initial Neo4j password: " + " ".join(detail))

    def _admin_env(self) -> dict[str, str]:
        return {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.conf_dir)}

    def _prepare(self) -> Path:
        """Jars, folders and the configuration file; returns the jar folder."""
        lib = ensure_jars(self.settings.neo4j_lib, self.settings.neo4j_version, log=self.log)
        for folder in (self.conf_dir, self.home / "run", self.home / "import", self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)
        (self.conf_dir / "neo4j.conf").write_text(self.render_conf(), encoding="utf-8")
        return lib

    def import_full(self, args: list[str]) -> Path:
        """Replace the configured database with Neo4j's offline bulk importer
        (`neo4j-admin database import full`). The server must be stopped. The live store is
        set aside and comes back unless the import succeeded. Returns the importer's log; on
        failure the error carries its last lines."""
        if self.status().running:
            raise DownlineError("the bulk importer needs the local server stopped")
        lib = self._prepare()
        self.store.set_aside()
        try:
            log = self._run_importer(lib, args)
        except BaseException:
            self.store.put_back()
            raise
        self.store.discard_aside()
        return log

    def _run_importer(self, lib: Path, args: list[str]) -> Path:
        log = self.log_dir / "import.log"
        command = self.java_command(
            lib,
            ADMIN_TOOL,
            "database",
            "import",
            "full",
            self.settings.neo4j_database,
            "--overwrite-destination=true",
            f"--threads={os.cpu_count() or 1}",
            f"--max-off-heap-memory={IMPORTER_OFF_HEAP}",
            *args,
            heap=IMPORTER_HEAP,
        )
        with open(log, "w", encoding="utf-8") as output:
            result = subprocess.run(
                command,
                env=self._admin_env(),
                cwd=self.home,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        if result.returncode != 0:
            tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
            raise DownlineError(
                f"the bulk importer failed (exit {result.returncode}; log {log}): "
                + " | ".join(tail)
            )
        return log

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> float:
        """Start the server and return the seconds until Bolt answered with our credentials."""
        current = self.status()
        if current.running:
            self.log(f"already {current.describe()}")
            return 0.0
        if _port_open(self.settings.bolt_host, self.settings.bolt_port):
            raise DownlineError(
                f"port {self.settings.bolt_port} on {self.settings.bolt_host} is taken by "
                "another process: stop it or set NEO4J_URI to another port"
            )
        password = self.password()
        lib = self._prepare()
        if self.store.put_back():
            self.log("a bulk import was interrupted: the store from before it is back in place")
        if not (self.home / "data" / "databases" / "system").exists():
            self._set_initial_password(lib, password)

        began = time.monotonic()
        with open(self.console_log, "ab") as console:
            process = subprocess.Popen(
                self.java_command(
                    lib, ENTRY_POINT, f"--home-dir={self.home}", f"--config-dir={self.conf_dir}"
                ),
                cwd=self.home,
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid_file.write_text(f"{process.pid}\n")
        try:
            self._wait_for_bolt(process, password, began + self.settings.start_timeout)
        except DownlineError:
            self._terminate(process.pid, timeout=30)
            raise
        return time.monotonic() - began

    def _wait_for_bolt(self, process: subprocess.Popen, password: str, deadline: float) -> None:
        driver = driver_for(self.settings, password=password)
        try:
            while True:
                if process.poll() is not None:
                    raise DownlineError(
                        f"Neo4j exited with code {process.returncode} while starting\n"
                        + self.log_tail()
                    )
                try:
                    driver.verify_connectivity()
                    return
                except AuthError as error:
                    raise DownlineError(
                        f"Neo4j started but refused the password: the store in {self.home} "
                        "was created with another one (set NEO4J_PASSWORD to it)"
                    ) from error
                except (ServiceUnavailable, OSError):
                    pass
                if time.monotonic() > deadline:
                    raise DownlineError(
                        f"Neo4j did not answer on {self.settings.neo4j_uri} within "
                        f"{self.settings.start_timeout:.0f} s\n" + self.log_tail()
                    )
                time.sleep(0.25)
        finally:
            driver.close()

    def recreate_store(self) -> None:
        """Stop the server, delete the configured database's store and start again: Neo4j
        creates it empty (for a database that cannot come online)."""
        self.stop()
        self.store.remove()
        self.start()

    def stop(self, timeout: float = 120.0) -> bool:
        """Shut down cleanly (SIGTERM, Neo4j checkpoints); return False if it was not running."""
        current = self.status()
        if not current.running:
            self.pid_file.unlink(missing_ok=True)
            return False
        self._terminate(current.pid, timeout)
        return True

    def _terminate(self, pid: int, timeout: float) -> None:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + timeout
        while self._alive(pid):
            if time.monotonic() > deadline:
                self.log(f"Neo4j (pid {pid}) did not stop within {timeout:.0f} s: killing it")
                os.kill(pid, signal.SIGKILL)
                time.sleep(1)
                _reap(pid)
                break
            time.sleep(0.2)
        self.pid_file.unlink(missing_ok=True)


def _reap(pid: int) -> None:
    """Collect an exited child of this process, if it is one."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False
