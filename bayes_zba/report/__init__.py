"""Reports: figures (matplotlib) and HTML + Markdown pages of fits and model comparisons.

Reports never fit; they read Fit and Ranking objects or their saved files (from_files).
"""

from bayes_zba.report.fit_report import write_fit_report
from bayes_zba.report.from_files import fit_report_from_files, ranking_report_from_files
from bayes_zba.report.ranking_report import write_ranking_report

__all__ = [
    "fit_report_from_files",
    "ranking_report_from_files",
    "write_fit_report",
    "write_ranking_report",
]
