"""Calibration studies: simulation-based calibration, model recovery and prior sensitivity.

Each study plans JSON task specs, runs them through bayes_zba.parallel and writes a JSON
summary with an HTML/Markdown report beside it.
"""

from bayes_zba.studies.recovery import run_recovery
from bayes_zba.studies.sbc import run_sbc
from bayes_zba.studies.sensitivity import run_sensitivity
from bayes_zba.studies.tasks import SamplerSettings, StudyOptions

__all__ = ["SamplerSettings", "StudyOptions", "run_recovery", "run_sbc", "run_sensitivity"]
