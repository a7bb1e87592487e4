"""Independent check of a kk SBC refit: the posterior of (Δ_med, s_Δ, q, ρ) by importance
sampling, with G0, the span and the curve offsets integrated out exactly, against NUTS.

Given the shape parameters, G is linear-Gaussian in (G0, span S, curve offsets) (physics.md §1
with kk's ΔG = S·shape/span of §5), so their integral is closed-form; (σ, τ_curve) are
integrated on a grid and (Δ_med, s_Δ, q, ρ) by importance sampling from a mixture of the
prior, a Student-t around the NUTS draws and one around the truth. The refit is the study's
own (same spec and seed). Run, from the repository root:
    .venv/bin/python docs/calibration/scripts/kk_collapsed_posterior.py STUDY_DIR INDEX [N]
"""

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import special, stats

from bayes_zba.data import load_dataset
from bayes_zba.models.builder import span_reference
from bayes_zba.models.config import load_config
from bayes_zba.models.scales import data_scales
from bayes_zba.physics import delta_g
from bayes_zba.studies.tasks import fit_from_spec

#: The kk priors this check implements (the frozen config of a default-design study).
EXPECTED_PRIORS = {
    "G0": "Normal",
    "dG": "Normal",
    "delta_med": "LogUniform",
    "delta_width": "Uniform",
    "q": "Beta",
    "rho": "LogNormal",
    "sigma": "HalfNormal",
    "tau_curve": "HalfNormal",
}
#: (σ, τ) grids, log-spaced. σ is fixed to 1/√(2n) (2% at n = 1500): its grid spans ±8 of that
#: around the least-squares σ of each θ in steps of ½ (the trapezoid rule on a near-Gaussian
#: integrand is then exact to ~1e-17). τ, loosely fixed by ~20 offsets (sd of ln τ ≈ 0.16):
#: 0.02-20 e²/h in steps of 0.18 in ln τ.
SIGMA_HALF_WIDTHS, SIGMA_GRID_POINTS = 8.0, 33
TAU_GRID = np.geomspace(0.02, 20.0, 40)
#: Mixture weights of the importance proposal: prior, around NUTS, around the truth.
PROPOSAL_WEIGHTS = (0.2, 0.4, 0.4)
#: Student-t proposals: degrees of freedom and the factor on the NUTS draws' sd.
PROPOSAL_DF, PROPOSAL_SCALE = 4, 2.0
SHAPE_NAMES = ("delta_med", "delta_width", "q", "rho")


@dataclass
class CollapsedKK:
    """kk data and priors with the linear part and (σ, τ) integrated out."""

    y: np.ndarray
    conditions: np.ndarray  # distinct (|V|, T) rows
    condition_index: np.ndarray
    reference: dict[str, np.ndarray]
    fixed_columns: np.ndarray  # G0 column, then an orthonormal sum-zero basis of the offsets
    priors: dict[str, dict[str, float]]

    def shape_column(self, theta: np.ndarray) -> np.ndarray:
        """ΔG per unit span at every point (kk's amplitude dG is set by the span S)."""
        params = dict(zip(SHAPE_NAMES, theta, strict=True)) | {"dG": 1.0}
        at = delta_g("kk", *self.conditions.T, np.zeros(len(self.conditions)), **params)
        ends = delta_g("kk", self.reference["V_mV"], self.reference["T_K"], 0.0, **params)
        return at[self.condition_index] / (ends[1] - ends[0])

    def log_evidence(self, theta: np.ndarray) -> float:
        """ln ∫ p(y | θ, G0, S, offsets, σ) p(G0) p(S) p(offsets | τ) p(σ) p(τ)."""
        shape = self.shape_column(theta)
        X = np.column_stack([self.fixed_columns[:, :1], shape, self.fixed_columns[:, 1:]])
        residual = self.y - self.priors["G0"]["mu"] - self.priors["dG"]["mu"] * shape
        sigma_grid = self._sigma_grid(X)
        s2, t2 = np.meshgrid(sigma_grid**2, TAU_GRID**2, indexing="ij")
        precision = np.empty((*s2.shape, X.shape[1]))
        precision[..., 0] = self.priors["G0"]["sigma"] ** -2
        precision[..., 1] = self.priors["dG"]["sigma"] ** -2
        precision[..., 2:] = 1.0 / t2[..., None]
        A = (X.T @ X) / s2[..., None, None] + precision[..., None] * np.eye(X.shape[1])
        b = (X.T @ residual) / s2[..., None]
        quadratic = np.einsum("...i,...i->...", b, np.linalg.solve(A, b[..., None])[..., 0])
        log_like = -0.5 * (
            len(self.y) * np.log(2 * np.pi * s2)
            - np.log(precision).sum(-1)
            + np.linalg.slogdet(A)[1]
            + residual @ residual / s2
            - quadratic
        )
        ln_s, ln_t = np.log(sigma_grid), np.log(TAU_GRID)
        log_sigma = stats.halfnorm.logpdf(sigma_grid, scale=self.priors["sigma"]["sigma"]) + ln_s
        log_tau = stats.halfnorm.logpdf(TAU_GRID, scale=self.priors["tau_curve"]["sigma"]) + ln_t
        total = log_like + log_sigma[:, None] + log_tau[None, :]
        top = total.max()
        inner = np.trapezoid(np.exp(total - top), ln_t, axis=1)
        return float(top + np.log(np.trapezoid(inner, ln_s)))

    def _sigma_grid(self, X: np.ndarray) -> np.ndarray:
        """σ values around the least-squares noise of this θ (SIGMA_HALF_WIDTHS)."""
        coefficients, *_ = np.linalg.lstsq(X, self.y, rcond=None)
        rss = np.sum((self.y - X @ coefficients) ** 2)
        centre = np.sqrt(rss / (len(self.y) - X.shape[1]))
        half = SIGMA_HALF_WIDTHS / np.sqrt(2 * len(self.y))
        return centre * np.exp(np.linspace(-half, half, SIGMA_GRID_POINTS))


def collapsed_model(spec: dict) -> CollapsedKK:
    """The study's data set and frozen priors; exits unless they are the kk priors above."""
    config = load_config(spec["config"])
    table = load_dataset(spec["data"]).table
    wrong = {
        n: config.priors[n].dist for n, d in EXPECTED_PRIORS.items() if config.priors[n].dist != d
    }
    if wrong or config.model != "kk" or config.measurement.background_b2:
        sys.exit(f"this check implements kk with priors {EXPECTED_PRIORS}, no b2; got {wrong}")
    priors = config.resolved_priors(data_scales(table))
    bias = np.round(np.abs(table["V_mV"].to_numpy()), 12)
    conditions, index = np.unique(
        np.column_stack([bias, table["T_K"]]), axis=0, return_inverse=True
    )
    _, curve = np.unique(table["curve"].to_numpy(), return_inverse=True)
    n_curves = curve.max() + 1
    sum_zero = np.linalg.svd(np.eye(n_curves) - 1.0 / n_curves)[0][:, : n_curves - 1]
    fixed = np.column_stack([np.ones(len(table)), sum_zero[curve]])
    y = table["G_e2h"].to_numpy()
    return CollapsedKK(y, conditions, index.reshape(-1), span_reference(table), fixed, priors)


def to_sampler_scale(theta: np.ndarray) -> np.ndarray:
    """(Δ_med, s_Δ, q ≤ ½, ρ) -> (ln Δ_med, s_Δ, logit 2q, ln ρ), rows of draws."""
    delta_med, width, q, rho = np.atleast_2d(theta).T
    return np.column_stack([np.log(delta_med), width, special.logit(2 * q), np.log(rho)])


def from_sampler_scale(u: np.ndarray) -> np.ndarray:
    """The inverse of to_sampler_scale."""
    return np.column_stack([np.exp(u[:, 0]), u[:, 1], special.expit(u[:, 2]) / 2, np.exp(u[:, 3])])


def log_prior(model: CollapsedKK, u: np.ndarray) -> np.ndarray:
    """Prior density on the sampler scale; q folded onto (0, ½] (density 2 Beta(q))."""
    p = model.priors
    delta_med, width, q, _ = from_sampler_scale(u).T
    low, high = p["delta_med"]["lower"], p["delta_med"]["upper"]
    inside = (
        (delta_med > low) & (delta_med < high) & (width > 0) & (width < p["delta_width"]["upper"])
    )
    log_q = (
        np.log(2) + stats.beta.logpdf(q, p["q"]["alpha"], p["q"]["beta"]) + np.log(q * (1 - 2 * q))
    )
    log_rho = stats.norm.logpdf(u[:, 3], np.log(p["rho"]["median"]), p["rho"]["sigma"])
    flat = -np.log(np.log(high / low)) - np.log(p["delta_width"]["upper"])
    with np.errstate(invalid="ignore"):
        return np.where(inside, flat + log_q + log_rho, -np.inf)


def prior_draws(model: CollapsedKK, rng: np.random.Generator, k: int) -> np.ndarray:
    """k prior draws of (Δ_med, s_Δ, folded q, ρ) on the sampler scale."""
    p = model.priors
    q = rng.beta(p["q"]["alpha"], p["q"]["beta"], k)
    theta = np.column_stack(
        [
            np.exp(
                rng.uniform(np.log(p["delta_med"]["lower"]), np.log(p["delta_med"]["upper"]), k)
            ),
            rng.uniform(0, p["delta_width"]["upper"], k),
            0.5 - np.abs(q - 0.5),
            rng.lognormal(np.log(p["rho"]["median"]), p["rho"]["sigma"], k),
        ]
    )
    return to_sampler_scale(theta)


def importance_sample(
    model: CollapsedKK, nuts_u: np.ndarray, truth_u: np.ndarray, n: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Draws on the sampler scale and their log importance weights."""
    rng = np.random.default_rng(seed)
    spread = np.cov(nuts_u, rowvar=False) * PROPOSAL_SCALE**2
    centred = [stats.multivariate_t(c, spread, df=PROPOSAL_DF) for c in (nuts_u.mean(0), truth_u)]
    counts = rng.multinomial(n, PROPOSAL_WEIGHTS)
    u = np.vstack(
        [
            prior_draws(model, rng, counts[0]),
            *(
                t.rvs(size=k, random_state=rng).reshape(k, 4)
                for t, k in zip(centred, counts[1:], strict=True)
            ),
        ]
    )
    prior = log_prior(model, u)
    with np.errstate(divide="ignore"):
        parts = [np.log(PROPOSAL_WEIGHTS[0]) + prior]
        parts += [
            np.log(w) + t.logpdf(u) for w, t in zip(PROPOSAL_WEIGHTS[1:], centred, strict=True)
        ]
    log_proposal = np.logaddexp.reduce(np.column_stack(parts), axis=1)
    log_weight = np.full(n, -np.inf)
    theta = from_sampler_scale(u)
    for j in np.flatnonzero(np.isfinite(prior)):
        log_weight[j] = model.log_evidence(theta[j]) + prior[j] - log_proposal[j]
    return u, log_weight


def weighted_quantiles(x: np.ndarray, w: np.ndarray, probs: tuple[float, ...]) -> np.ndarray:
    order = np.argsort(x)
    return x[order][np.searchsorted(np.cumsum(w[order]), probs)]


def main(study: str, index: int, n: int = 15000) -> None:
    spec = json.loads((Path(study) / "tasks" / f"sbc-{index:04d}.json").read_text())["spec"]
    model = collapsed_model(spec)
    posterior = fit_from_spec(spec).tree["posterior"].to_dataset()
    nuts = np.column_stack([posterior[name].values.ravel() for name in SHAPE_NAMES])
    nuts[:, 2] = np.clip(nuts[:, 2], 1e-9, 0.5 - 1e-9)
    truth = np.array([spec["truth"][name] for name in SHAPE_NAMES])
    u, log_weight = importance_sample(
        model, to_sampler_scale(nuts), to_sampler_scale(truth)[0], n, index
    )
    w = np.exp(log_weight - log_weight.max())
    w /= w.sum()
    theta = from_sampler_scale(u)
    print(
        f"data set {index}: {n} importance draws, Kish ESS {1 / (w**2).sum():.0f}, "
        f"largest weight {w.max():.4f}"
    )
    probs = (0.05, 0.25, 0.5, 0.75, 0.95)
    print("| quantity | truth | P(< truth) IS | P(< truth) NUTS | 5-25-50-75-95% IS | NUTS |")
    print("|---|---|---|---|---|---|")
    for k, name in enumerate(SHAPE_NAMES):
        below_is, below_nuts = w[theta[:, k] < truth[k]].sum(), (nuts[:, k] < truth[k]).mean()
        q_is = np.round(weighted_quantiles(theta[:, k], w, probs), 3)
        q_nuts = np.round(np.quantile(nuts[:, k], probs), 3)
        print(
            f"| {name} | {truth[k]:.3g} | {below_is:.4f} | {below_nuts:.4f} | {q_is} | {q_nuts} |"
        )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), *(int(a) for a in sys.argv[3:4]))
