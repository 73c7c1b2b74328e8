"""The one definition of every entity that syncs: its kind (which decides its merge rule),
its fields, and which of them identify a person. Both stores and both ends of the protocol
are built from this registry. Each domain declares its entities in its own module here; this
package gathers them."""

from __future__ import annotations

from typing import Any

from shared.entities import care, core, handover, medication
from shared.entities.core import NATIONS, NOTE_CATEGORIES, ROLES
from shared.entities.model import (
    EntityType,
    FieldError,
    FieldSpec,
    FieldType,
    Kind,
    validate_against,
)

__all__ = [
    "ENTITIES",
    "EVENT_ENTITIES",
    "NATIONS",
    "NOTE_CATEGORIES",
    "ROLES",
    "EntityType",
    "FieldError",
    "FieldSpec",
    "FieldType",
    "Kind",
    "validate_fields",
]


def _gather(*groups: tuple[EntityType, ...]) -> dict[str, EntityType]:
    registry: dict[str, EntityType] = {}
    for group in groups:
        for entity in group:
            if entity.name in registry:
                raise ValueError(f"entity {entity.name!r} is declared twice")
            registry[entity.name] = entity
    return registry


ENTITIES: dict[str, EntityType] = _gather(
    core.ENTITY_TYPES, care.ENTITY_TYPES, medication.ENTITY_TYPES, handover.ENTITY_TYPES
)
EVENT_ENTITIES = frozenset(n for n, e in ENTITIES.items() if e.kind is Kind.EVENT)


def validate_fields(entity_name: str, fields: dict[str, Any], *, partial: bool) -> None:
    """Raise FieldError for the first field that does not fit; ``partial`` for updates."""
    validate_against(ENTITIES, entity_name, fields, partial=partial)
