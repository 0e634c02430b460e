"""The folders of one database in the local server's home, moved while the server is stopped.

Neo4j's offline importer deletes the store it replaces before it has written a new one, so an
import that fails (a header it refuses, a full disk, a kill) used to leave a database that never
comes online. The live store is set aside first and put back unless the import succeeded; a
store that cannot come online is recreated empty (Neo4j creates the default database's store
at start when its folders are missing).
"""

from __future__ import annotations

import shutil
from pathlib import Path

KINDS = ("databases", "transactions")  # Neo4j 5: data/databases/<db>, data/transactions/<db>


class StoreFolders:
    def __init__(self, home: Path, database: str):
        self.data = home / "data"
        self.database = database
        self.aside = self.data / "before-import" / database

    def _live(self, kind: str) -> Path:
        return self.data / kind / self.database

    def set_aside(self) -> None:
        """Move the live store out of the importer's way (first putting back what an earlier,
        killed import set aside: that is the last store that worked)."""
        self.put_back()
        self.aside.mkdir(parents=True, exist_ok=True)
        for kind in KINDS:
            if self._live(kind).exists():
                self._live(kind).rename(self.aside / kind)

    def put_back(self) -> bool:
        """The store set aside replaces what the importer left; False when nothing was aside."""
        if not self.aside.exists():
            return False
        for kind in KINDS:
            kept = self.aside / kind
            if kept.exists():  # kinds not moved yet (a kill between the two) are still live
                shutil.rmtree(self._live(kind), ignore_errors=True)
                self._live(kind).parent.mkdir(parents=True, exist_ok=True)
                kept.rename(self._live(kind))
        shutil.rmtree(self.aside)
        return True

    def discard_aside(self) -> None:
        """The import succeeded: the store it replaced goes."""
        shutil.rmtree(self.aside, ignore_errors=True)

    def remove(self) -> None:
        """Delete the store (the server stopped): the next start creates it empty."""
        for kind in KINDS:
            shutil.rmtree(self._live(kind), ignore_errors=True)
