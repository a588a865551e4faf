"""A draft's preview follows its text and buttons, which never wait for it (local runs)."""

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]

IDEA = "Che, la inflación está terrible. Ayer tomé el colectivo y el boleto costaba el doble."


def _is_preview(call) -> bool:
    return call.method == "sendVideo" and call.params["caption"].startswith("Preview of draft")


def test_a_decision_made_while_the_preview_renders_is_taken_and_the_preview_follows(
    creator, telegram, preview_ffmpeg, data_dir
):
    preview_ffmpeg.hold()  # the preview's render cannot end until released
    creator.send_text(IDEA)
    draft = creator.wait_draft()
    labels = [b["text"] for row in draft.params["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Approve", "Revise", "Reject"]

    creator.press(draft, "Approve")
    names = sorted(d.params["document"]["filename"] for d in creator.documents(2))
    assert [n.rsplit(".", 1)[1] for n in names] == ["json", "md"]  # published
    assert creator.sent("sendVideo") == []  # while the preview was still rendering
    assert not list(data_dir.glob("drafts/**/preview-0.mp4"))

    preview_ffmpeg.release()
    creator.wait_reply("Your videos are below", timeout=240, method="editMessageText")
    videos = creator.videos(3)
    (preview,) = [c for c in videos if _is_preview(c)]
    assert preview.params["caption"].startswith("Preview of draft 1")
    assert (preview.params["width"], preview.params["height"]) == (540, 960)
    assert telegram.calls.index(draft) < telegram.calls.index(preview)
    assert len(creator.sent("sendVideo")) == 3  # the preview once, 9:16, 16:9


def test_a_preview_that_fails_to_render_gets_a_sentence_and_the_draft_is_still_decided(
    creator, preview_ffmpeg, data_dir
):
    preview_ffmpeg.fail()
    creator.send_text(IDEA)
    draft = creator.wait_draft()
    creator.wait_reply("The preview of draft 1 could not be made")

    creator.press(draft, "Approve")
    creator.wait_reply("Your videos are below", timeout=240, method="editMessageText")
    videos = creator.videos(2)
    assert [(v.params["width"], v.params["height"]) for v in videos] == [(1080, 1920), (1920, 1080)]
    assert not any(_is_preview(c) for c in creator.sent("sendVideo"))
    assert len(list(data_dir.glob("scripts/**/*.json"))) == 1


def test_a_revision_gets_a_preview_of_the_revised_draft(creator, telegram):
    creator.send_text(IDEA)
    first = creator.wait_draft()
    creator.press(first, "Revise")
    creator.wait_reply("What should change?")
    creator.send_text("inflación -> subida de precios")
    second = creator.wait_draft(2)
    assert "subida de precios" in second.params["text"]

    previews = telegram.wait_for(lambda c: _is_preview(c) and creator._to_me(c), 180, count=2)
    captions = sorted(p.params["caption"][: len("Preview of draft 1")] for p in previews)
    assert captions == ["Preview of draft 1", "Preview of draft 2"]
    revised = next(p for p in previews if p.params["caption"].startswith("Preview of draft 2"))
    assert telegram.calls.index(second) < telegram.calls.index(revised)
    # Two drafts, two different videos: the second is made from the revised words.
    first_video, second_video = (p.params["video"]["data"] for p in previews)
    assert first_video != second_video
    creator.press(second, "Reject")
    creator.wait_reply("Rejected")
