"""Both storage implementations keep the same keys, the same layout and the same promises."""

import pytest

from editorbot.errors import AlreadyPublished
from editorbot.layout import PREFIXES, OutsideLayout
from editorbot.storage import FileStorage, open_storage, script_key


@pytest.fixture(params=["file", "s3"])
def storage(request, tmp_path):
    if request.param == "file":
        return open_storage(f"file://{tmp_path}")
    # S3 as the runner's role sees it: its statements only, enforced (harness/s3.py).
    bucket = request.getfixturevalue("s3_bucket")
    return open_storage(f"s3://{bucket}", s3_endpoint_url=request.getfixturevalue("s3_endpoint"))


def test_put_get_list_round_trip(storage):
    storage.put("audio/raw/2026/11/28/1-2.ogg", b"OggS...")
    storage.put("scripts/2026/11/28/1-2.json", b"{}")
    assert storage.get("audio/raw/2026/11/28/1-2.ogg") == b"OggS..."
    assert storage.exists("scripts/2026/11/28/1-2.json")
    assert not storage.exists("scripts/2026/11/28/9-9.json")
    # A key that only begins like another one is not that one.
    assert not storage.exists("scripts/2026/11/28/1-2.js")
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


OUTSIDE = ["bot/users/1.json", "audio/1.ogg", "scripts", "Scripts/1.json", "results"]


@pytest.mark.parametrize("key", OUTSIDE)
def test_every_method_refuses_a_key_outside_the_layout(storage, key):
    calls = {
        "put": lambda: storage.put(key, b"x"),
        "put_once": lambda: storage.put_once(key, b"x"),
        "get": lambda: storage.get(key),
        "exists": lambda: storage.exists(key),
        "list": lambda: storage.list(key),
        "location": lambda: storage.location(key),
    }
    for name, call in calls.items():
        with pytest.raises(OutsideLayout, match="outside the storage layout") as refused:
            call()
        assert "editorbot/layout.json" in str(refused.value), name
    # Nothing was written anywhere.
    assert all(storage.list(prefix) == [] for prefix in PREFIXES.values())


def test_a_listing_of_the_whole_store_is_outside_the_layout(storage):
    with pytest.raises(OutsideLayout):
        storage.list("")


def test_nothing_outside_the_layout_reaches_the_disk(tmp_path):
    with pytest.raises(OutsideLayout):
        FileStorage(tmp_path).put("bot/users/1.json", b"{}")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("key", ["", "/etc/passwd", "a/../../b", "a//b", "drafts/../../b"])
def test_keys_cannot_escape_the_store(tmp_path, key):
    with pytest.raises(ValueError):
        FileStorage(tmp_path).put(key, b"x")


def test_run_keys_that_could_escape_are_refused():
    with pytest.raises(ValueError):
        script_key("../../etc", "json")


def test_unknown_storage_url_is_explained():
    with pytest.raises(ValueError, match="file://DIR or s3://"):
        open_storage("ftp://example")


def test_s3_storage_is_a_whole_bucket():
    with pytest.raises(ValueError, match="bucket's root, where the containers' roles are granted"):
        open_storage("s3://editorbot-content/some/folder")
