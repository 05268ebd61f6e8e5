"""The answer each intent gives, from the selected dataset: assigning an intent on the page teaches that answer."""

from application.learning.training_data import TrainingData
from domain.errors import ParrotError
from domain.spaces import Space


class IntentAnswers:
    def __init__(self, data: TrainingData) -> None:
        self._data = data

    async def __call__(self, space: Space) -> dict[str, str]:
        try:
            dataset = await self._data.selected(space)
        except ParrotError:
            # No dataset selected (or it is gone): intents are then known by name only.
            return {}
        return dict(dataset.answers)
