"""Neo4j Community jars from Maven Central, resolved once per version into a local cache."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from importlib.resources import files
from pathlib import Path

from downline.errors import DownlineError

COMPLETE_MARKER = ".complete"


def lib_dir(cache: Path, version: str) -> Path:
    return cache.resolve() / version


def ensure_jars(cache: Path, version: str, log=print) -> Path:
    """Return the folder holding every jar of org.neo4j:neo4j:<version>, resolving it if needed.

    Maven copies into a temporary sibling which is renamed into place only when complete, so an
    interrupted download never leaves a half-filled folder that looks ready.
    """
    target = lib_dir(cache, version)
    if (target / COMPLETE_MARKER).is_file():
        return target
    mvn = shutil.which("mvn")
    if mvn is None:
        raise DownlineError("Maven (`mvn`) is needed to fetch Neo4j: apt-get install maven")
    target.parent.mkdir(parents=True, exist_ok=True)
    pom = files("downline.localdb").joinpath("pom.xml")
    log(f"fetching Neo4j {version} from Maven Central into {target} ...")
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{version}-") as tmp:
        staging = Path(tmp) / "lib"
        result = subprocess.run(
            [
                mvn,
                "-B",
                "-q",
                "-f",
                str(pom),
                f"-Dneo4j.version={version}",
                "dependency:copy-dependencies",
                f"-DoutputDirectory={staging}",
                "-DincludeScope=runtime",
            ],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        if result.returncode != 0 or not any(staging.glob("neo4j-server-*.jar")):
            tail = (result.stdout + result.stderr).strip().splitlines()[-5:]
            raise DownlineError(
                f"Maven could not resolve org.neo4j:neo4j:{version}: " + " | ".join(tail)
            )
        (staging / COMPLETE_MARKER).write_text(version + "\n", encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    return target
