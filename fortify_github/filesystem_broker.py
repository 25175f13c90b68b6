"""kombu's file-system transport (the embedded default's broker), writing messages atomically.

kombu writes a message straight into the queue folder (create the file, lock it, write) and
a consumer takes one by moving it out of the folder and reading it. The lock does not stop a
move, so a worker polling every 0.1 s can take a file that is still empty and die on its JSON
(the suite saw ``bin/run``'s worker do so at start-up). Here a message is written under a
name no consumer picks up and renamed into the queue once whole: a rename within one folder
is atomic, so a consumer sees the complete message or none.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

#: Appended to a message's name while it is written; consumers only take ``<queue>.msg``.
PARTIAL_SUFFIX = ".partial"


class Channel(filesystem.Channel):
    # (kombu's own file-system channel already differs from its base class here)
    def _put(  # type: ignore[override]
            self, queue: str, payload: dict[str, Any], **kwargs: Any) -> None:
        """Put ``payload`` onto ``queue``: written aside, then renamed into the folder."""
        # kombu's naming: the time prefix keeps the queue in order (consumers sort by name).
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + PARTIAL_SUFFIX
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.remove(partial)
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
