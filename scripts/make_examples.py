"""Regenerate the shipped example datasets in data/ (all SIMULATED; see data/README.md).

Usage: .venv/bin/python scripts/make_examples.py [--out-dir DIR] [--overwrite]
"""

import argparse
from pathlib import Path

from bayes_zba.data.metadata import sidecar_path
from bayes_zba.simulate import simulate_to_file

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

#: paper I Table I sample 1: B_Σ = 7.8 e²/h K^-½, F0 = 4.2 e²/h K^-½ so A = (F0/B_Σ)²
#: (physics.md §3), G0 = 2829 e²/h (Fig. 7 caption), T_K ≥ 5 K, Δ < 1.4 K.
CU_SAMPLE1 = {
    "B_sigma": 7.8,
    "A": (4.2 / 7.8) ** 2,
    "a_geom": 0.8,
    "T_K": 8.0,
    "delta_med": 0.1,
    "delta_width": 0.5,
    "c_H": 0.0,
}
CU_SAMPLE1_NOTE = (
    "SIMULATED from published parameters of paper I Table I sample 1 (B_Σ = 7.8, F0 = 4.2, "
    "G0 = 2829 e²/h, Fig. 8 temperatures); NOT measured data"
)

#: file stem -> keyword arguments of simulate_to_file (data/README.md lists the CLI twins).
EXAMPLES: dict[str, dict] = {
    **{
        model: {"model": model, "seed": seed, "design": "default", "sample": f"sim-{model}"}
        for model, seed in (("2ck", 101), ("kr2", 102), ("kr1", 103), ("kk", 104), ("wam", 105))
    },
    "cu-sample1-like": {
        "model": "2ck",
        "seed": 1,
        "design": "fig8",
        "params": CU_SAMPLE1,
        "noise_sigma": 0.07,
        "sample": "cu-sample1-like",
        "notes": CU_SAMPLE1_NOTE,
    },
}


def make_examples(out_dir: Path, *, overwrite: bool) -> list[Path]:
    """Write every example as <out_dir>/<stem>.csv (+ .meta.json); returns the paths."""
    written = []
    for stem, arguments in EXAMPLES.items():
        path = out_dir / f"{stem}.csv"
        if overwrite:
            path.unlink(missing_ok=True)
            sidecar_path(path).unlink(missing_ok=True)
        simulate_to_file(path, **arguments)
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--overwrite", action="store_true", help="replace existing examples")
    arguments = parser.parse_args()
    for path in make_examples(arguments.out_dir, overwrite=arguments.overwrite):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
