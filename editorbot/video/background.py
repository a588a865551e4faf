"""The background seam: what goes behind the text, chosen per plan by a provider."""

from abc import ABC, abstractmethod
from pathlib import Path

from editorbot.errors import EditorBotError
from editorbot.schemas import Script
from editorbot.video.plan import Background
from editorbot.video.style import family_style


class BackgroundProvider(ABC):
    """Chooses a script's background; an image model on a GPU would be one (docs/video.md)."""

    @abstractmethod
    def background(self, script: Script, family: str) -> Background: ...


class OfflineBackgrounds(BackgroundProvider):
    """The family's colour or gradient from styles.toml, or one brand image for every video."""

    def __init__(self, brand_image: Path | None = None) -> None:
        if brand_image is not None and not Path(brand_image).is_file():
            raise EditorBotError(
                f"The brand image {brand_image} does not exist; fix "
                "EDITORBOT_VIDEO_BACKGROUND_IMAGE or unset it to use the template's colours."
            )
        self.brand_image = brand_image

    def background(self, script: Script, family: str) -> Background:
        if self.brand_image is not None:
            return Background(kind="image", image=str(self.brand_image))
        return family_style(family).background
