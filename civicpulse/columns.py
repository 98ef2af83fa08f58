"""`parse.columns` of CSV connectors: the export's header for each field the parser reads."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ColumnName = Annotated[str, Field(min_length=1, max_length=200)]


class ColumnMapping(BaseModel):
    """Field -> export header; a connector subclasses it with its fields and the standard headers as
    defaults. An optional field may be null when the vendor's export has no such column."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*")
    @classmethod
    def _trimmed(cls, value: str | None) -> str | None:
        if value is not None and value != value.strip():
            raise ValueError(f"'{value}' has leading or trailing blanks (headers are read without them)")
        return value

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        seen: dict[str, str] = {}
        for field, column in self.model_dump().items():
            if column is None:
                continue
            if column in seen:
                raise ValueError(f"'{column}' is mapped to both {seen[column]} and {field}")
            seen[column] = field
        return self

    def header(self) -> tuple[str, ...]:
        """The export columns that must be present, in the standard export's order."""
        return tuple(column for column in self.model_dump().values() if column is not None)
