"""The project's SQLite store: models, migrations, the run recorder and read-side queries.

Open it with ``open_database(project / ".spec_automation" / "state.db")``. Nothing here imports
Qt; every call is synchronous and meant to run on a worker thread.
"""

from spec_automation.store.database import Database, open_database
from spec_automation.store.errors import SchemaTooNewError, StoreError
from spec_automation.store.recorder import SqlRunRecorder

__all__ = ["Database", "SchemaTooNewError", "SqlRunRecorder", "StoreError", "open_database"]
