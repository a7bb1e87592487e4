"""Model recovery: data from each model's prior predictive, every model fitted, ranked, tallied.

recovery.json: confusion[true][leader] counts, mean stacking weights[true][model], verdict
label counts per true model, and one row per simulated dataset.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bayes_zba.files import write_json_atomically
from bayes_zba.models import load_config
from bayes_zba.parallel import finished_task_ids
from bayes_zba.physics.mechanisms import REGISTRY
from bayes_zba.report.publish import write_page
from bayes_zba.studies.design import (
    design_dataset,
    prior_predictive_replications,
    save_replications,
)
from bayes_zba.studies.pages import recovery_page
from bayes_zba.studies.tasks import (
    SamplerSettings,
    StudyOptions,
    fit_spec,
    fit_task,
    rank_spec,
    rank_task,
)

#: Verdict labels that claim a winner (bayes_zba.compare.verdict).
CONFIDENT_LABELS = ("decisive", "leaning")
#: A design fails recovery if data of one model give another a mean stacking weight this high.
WRONG_WEIGHT_LIMIT = 0.9


def plan_recovery(
    models: Sequence[str],
    n_per_model: int,
    design: str,
    out: Path,
    *,
    seed: int,
    sampler: SamplerSettings,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Simulate the datasets; return (fit specs: every dataset × model, rank specs: per dataset).

    Each true model draws from its prior predictive under its shipped config, on the design
    simulated from that model; every fit uses the shipped configs, as a user would.
    """
    fit_specs, rank_specs = [], []
    model_seeds = np.random.SeedSequence(seed).generate_state(len(models))
    for true_model, model_seed in zip(models, model_seeds, strict=True):
        design_data = design_dataset(true_model, design, int(model_seed))
        replications = prior_predictive_replications(
            design_data, true_model, load_config(true_model), n_per_model, int(model_seed)
        )
        paths = save_replications(replications, out / "data", prefix=true_model)
        for index, path in enumerate(paths):
            dataset_id = f"{true_model}-{index:03d}"
            per_model = {
                model: fit_spec(
                    f"fit-{dataset_id}-{model}",
                    path,
                    model,
                    model,
                    out / "fits" / dataset_id / f"{model}.nc",
                    seed=int(model_seed) + index,
                    sampler=sampler,
                )
                for model in models
            }
            fit_specs.extend(per_model.values())
            spec = rank_spec(
                f"rank-{dataset_id}", per_model, out / "rankings" / f"{dataset_id}.json"
            )
            rank_specs.append({**spec, "true_model": true_model})
    return fit_specs, rank_specs


def fits_still_needed(
    fit_specs: Sequence[dict[str, Any]],
    rank_specs: Sequence[Mapping[str, Any]],
    finished_ranks: set[str],
) -> list[dict[str, Any]]:
    """The fit specs some unfinished ranking reads; a finished ranking needs no fit file.

    Fit files are not kept in git, so a study resumed on a fresh checkout refits only the
    datasets it has not ranked yet, not every dataset it ever fitted.
    """
    needed = {
        fit["task_id"]
        for spec in rank_specs
        if spec["task_id"] not in finished_ranks
        for fit in spec["fit_specs"].values()
    }
    return [spec for spec in fit_specs if spec["task_id"] in needed]


def summarize_recovery(
    models: Sequence[str],
    rank_specs: Sequence[Mapping[str, Any]],
    rankings: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """recovery.json content from each dataset's true model and ranking.json."""
    confusion = {t: dict.fromkeys(models, 0) for t in models}
    weights: dict[str, dict[str, list[float]]] = {t: {m: [] for m in models} for t in models}
    verdicts: dict[str, dict[str, int]] = {t: {} for t in models}
    rows = []
    for spec, ranking in zip(rank_specs, rankings, strict=True):
        true_model, verdict = spec["true_model"], ranking["verdict"]
        confusion[true_model][verdict["leader"]] += 1
        for score in ranking["ranking"]:
            weights[true_model][score["model"]].append(score["weight_stacking"])
        verdicts[true_model][verdict["label"]] = verdicts[true_model].get(verdict["label"], 0) + 1
        rows.append(
            {
                "dataset": spec["task_id"].removeprefix("rank-"),
                "true_model": true_model,
                "leader": verdict["leader"],
                "label": verdict["label"],
                "winner": verdict["winner"],
                "weights": {s["model"]: s["weight_stacking"] for s in ranking["ranking"]},
            }
        )
    mean_weights = {
        t: {m: float(np.mean(w)) if w else None for m, w in per.items()}
        for t, per in weights.items()
    }
    return {
        "models": list(models),
        "n_datasets": len(rows),
        "confusion": confusion,
        "mean_weights": mean_weights,
        "worst_off_diagonal": worst_off_diagonal(confusion, mean_weights),
        "verdicts": verdicts,
        "recovered": {t: _fraction(confusion[t][t], sum(confusion[t].values())) for t in models},
        "confident_wrong": sum(
            r["label"] in CONFIDENT_LABELS and r["winner"] != [r["true_model"]] for r in rows
        ),
        "datasets": rows,
    }


def worst_off_diagonal(
    confusion: Mapping[str, Mapping[str, int]],
    mean_weights: Mapping[str, Mapping[str, float | None]],
) -> dict[str, Any]:
    """The off-diagonal cells with the most wrong leaders and the largest wrong mean weight.

    `weight_pass` is the issue's criterion: no true model's data give a wrong model a mean
    stacking weight of WRONG_WEIGHT_LIMIT or more.
    """
    cells = [(t, m) for t in confusion for m in confusion[t] if m != t]
    weighted = [(t, m) for t, m in cells if mean_weights[t][m] is not None]
    most_wrong = max(cells, key=lambda cell: confusion[cell[0]][cell[1]], default=None)
    heaviest = max(weighted, key=lambda cell: mean_weights[cell[0]][cell[1]], default=None)
    largest = mean_weights[heaviest[0]][heaviest[1]] if heaviest else None
    return {
        "count": most_wrong
        and {
            "true": most_wrong[0],
            "leader": most_wrong[1],
            "n": confusion[most_wrong[0]][most_wrong[1]],
        },
        "weight": heaviest and {"true": heaviest[0], "model": heaviest[1], "mean_weight": largest},
        "weight_limit": WRONG_WEIGHT_LIMIT,
        "weight_pass": largest is None or largest < WRONG_WEIGHT_LIMIT,
    }


def _fraction(count: int, total: int) -> float | None:
    return count / total if total else None


def run_recovery(
    n_per_model: int,
    design: str,
    out: Path,
    *,
    models: Sequence[str] | None = None,
    options: StudyOptions | None = None,
) -> dict[str, Any]:
    """Recovery study over `models` (default: all registered); writes recovery.json."""
    models = list(models or sorted(REGISTRY))
    out = Path(out)
    options = options or StudyOptions()
    fit_specs, rank_specs = plan_recovery(
        models, n_per_model, design, out, seed=options.seed, sampler=options.sampler
    )
    finished_ranks = finished_task_ids(rank_specs, rank_task, out)
    options.run(fits_still_needed(fit_specs, rank_specs, finished_ranks), fit_task, out)
    rankings = options.run(rank_specs, rank_task, out)
    summary = {
        **summarize_recovery(models, rank_specs, rankings),
        **options.provenance(),
        "n_per_model": n_per_model,
        "design": design,
    }
    write_json_atomically(out / "recovery.json", summary, sort_keys=True)
    write_page(recovery_page(summary), out, "recovery")
    return summary
