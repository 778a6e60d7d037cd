"""The zip directory's size read from the file's end record (the zip format's own layout, no private zipfile name)."""

from __future__ import annotations

import io
import zipfile

from tracker.importing.files import _directory_size


def test_the_directory_size_is_read_from_the_end_record_behind_a_comment() -> None:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("a", "x" * 10)
        archive.writestr("bb", "y")
        archive.comment = b"PK a comment that is not a record"
    # A central directory entry is 46 bytes and its file name: 46 + 1 and 46 + 2.
    assert _directory_size(data) == 95


def test_a_file_with_no_end_record_has_no_directory() -> None:
    assert _directory_size(io.BytesIO(b"not a zip at all")) == 0
