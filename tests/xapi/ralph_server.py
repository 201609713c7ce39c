"""Start Ralph's LRS API (FastAPI) with its file-system backend; run by .ralph-venv's Python.

Usage: python ralph_server.py PORT. Configuration comes from Ralph's environment variables
(RALPH_AUTH_FILE, RALPH_RUNSERVER_BACKEND=fs, RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH).

Why not `ralph runserver`: it runs uvicorn with reload=True, watching the working directory,
and Ralph 5.1.0's file-system LRS backend writes every POST with the "create" operation, which
refuses once its one file exists, so only the first POST to it is ever stored. Appending is
what the backend does for the operation type "append"; that one default is changed here,
everything else is Ralph's own server as an LMS would run it.
"""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402 - after the backend's default is set

uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="info")
