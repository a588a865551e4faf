"""Both storage implementations keep the same keys and the same promises."""

import pytest

from editorbot.errors import AlreadyPublished
from editorbot.storage import FileStorage, open_storage, script_key


@pytest.fixture(params=["file", "s3"])
def storage(request, tmp_path):
    if request.param == "file":
        return open_storage(f"file://{tmp_path}")
    endpoint = request.getfixturevalue("s3_endpoint")
    return open_storage(f"s3://editorbot-test/{tmp_path.name}", s3_endpoint_url=endpoint)


def test_put_get_list_round_trip(storage):
    storage.put("audio/raw/2026/11/28/1-2.ogg", b"OggS...")
    storage.put("scripts/2026/11/28/1-2.json", b"{}")
    assert storage.get("audio/raw/2026/11/28/1-2.ogg") == b"OggS..."
    assert storage.exists("scripts/2026/11/28/1-2.json")
    assert not storage.exists("scripts/2026/11/28/9-9.json")
    assert storage.list("scripts/") == ["scripts/2026/11/28/1-2.json"]
    with pytest.raises(KeyError):
        storage.get("drafts/missing.json")


def test_publishing_twice_is_harmless_but_a_different_script_is_refused(storage):
    key = script_key("2026/11/28/1-2", "json")
    storage.put_once(key, b'{"v": 1}')
    storage.put_once(key, b'{"v": 1}')
    with pytest.raises(AlreadyPublished):
        storage.put_once(key, b'{"v": 2}')
    assert storage.get(key) == b'{"v": 1}'


@pytest.mark.parametrize("key", ["", "/etc/passwd", "a/../../b", "a//b"])
def test_keys_cannot_escape_the_store(tmp_path, key):
    with pytest.raises(ValueError):
        FileStorage(tmp_path).put(key, b"x")


def test_run_keys_that_could_escape_are_refused():
    with pytest.raises(ValueError):
        script_key("../../etc", "json")


def test_unknown_storage_url_is_explained():
    with pytest.raises(ValueError, match="file://DIR or s3://"):
        open_storage("ftp://example")
