"""The root error of the shared package.

WcnError
 └── shared.entities.FieldError is a ValueError raised for one bad field
"""


class WcnError(Exception):
    """An expected failure with a message fit to show a person."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)
