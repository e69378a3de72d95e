"""Inference: from the schema model to value strategies, with a reason for each decision."""

from fixturekit.infer.plan import FieldPlan, ParentLink, SchemaPlan, TablePlan
from fixturekit.infer.rules import InferenceOptions, infer_column
from fixturekit.infer.tables import plan_schema, plan_table

__all__ = [
    "FieldPlan",
    "InferenceOptions",
    "ParentLink",
    "SchemaPlan",
    "TablePlan",
    "infer_column",
    "plan_schema",
    "plan_table",
]
