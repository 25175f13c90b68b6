"""The embedded broker (``fortify_github.filesystem_broker``): a worker polling the queue
folder while another process writes messages only ever reads whole messages, in order."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from queue import Empty

from kombu import Connection

from fortify_github.filesystem_broker import Transport

MESSAGES = 60
#: Serialising this takes milliseconds: kombu's own transport creates the message's file
#: first and writes it after, so a poll in that window took an empty file.
ITEMS = list(range(100_000))


def connection(transport: type, folder: Path) -> Connection:
    return Connection(transport=transport, transport_options={
        "data_folder_in": str(folder), "data_folder_out": str(folder), "store_processed": False})


def publish(transport: type, folder: Path) -> None:
    with connection(transport, folder) as publisher:
        for number in range(MESSAGES):
            publisher.default_channel._put("scans", {"number": number, "items": ITEMS})


def drain_while_publishing(transport: type, folder: Path) -> list[int]:
    """Publish ``MESSAGES`` from another process while this one takes them as they come."""
    publisher = multiprocessing.get_context("fork").Process(
        target=publish, args=(transport, folder))
    received: list[int] = []
    with connection(transport, folder) as consumer:
        channel = consumer.default_channel
        publisher.start()
        try:
            while len(received) < MESSAGES and (publisher.is_alive() or any(folder.iterdir())):
                try:
                    message = channel._get("scans")
                except Empty:
                    continue
                assert message["items"] == ITEMS
                received.append(message["number"])
        finally:
            publisher.join(timeout=60)
    return received


def test_a_worker_never_reads_a_message_that_is_still_being_written(tmp_path):
    received = drain_while_publishing(Transport, tmp_path)
    assert received == list(range(MESSAGES))  # whole, once each, in the queue's order
    assert not list(tmp_path.iterdir())  # no partial file left behind
