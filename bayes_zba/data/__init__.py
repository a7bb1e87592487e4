"""The data room: validated, tidy point-contact conductance data G(V, T, H) as a `Dataset`.

Loaders check the input once (every problem in one DataError); later rooms trust a Dataset.
"""

from bayes_zba.data.build import dataset_from_frame
from bayes_zba.data.dataset import Dataset, SampleInfo
from bayes_zba.data.errors import DataError, DataWarning, Problem
from bayes_zba.data.loaders import SUFFIXES, load_dataset, save_dataset
from bayes_zba.data.metadata import sidecar_path
from bayes_zba.data.schema import CANONICAL_COLUMNS, ColumnSpec
from bayes_zba.data.validation import MIN_POINTS_PER_CURVE

__all__ = [
    "CANONICAL_COLUMNS",
    "MIN_POINTS_PER_CURVE",
    "SUFFIXES",
    "ColumnSpec",
    "DataError",
    "DataWarning",
    "Dataset",
    "Problem",
    "SampleInfo",
    "dataset_from_frame",
    "load_dataset",
    "save_dataset",
    "sidecar_path",
]
