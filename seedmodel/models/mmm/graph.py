"""The SeedingMMM as a PyMC model. Same maths as ``response.py``, in PyTensor."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from seedmodel.models.mmm.distributions import Between
from seedmodel.models.mmm.inputs import ECHO_HALF_LIVES, MMMInputs
from seedmodel.models.mmm.priors import root_mean_square
from seedmodel.models.mmm.spec import CENTRED_PERIODS

__all__ = ["build_model"]


def build_model(inputs: MMMInputs, *, keep_mu: bool = False) -> pm.Model:
    """The PyMC model for ``inputs`` (see :class:`~seedmodel.models.mmm.spec.SeedingMMM`).

    Posterior variables read by the analysis, per channel ``c``: ``{c}__alpha`` (geometric)
    or ``{c}__shape`` and ``{c}__scale`` (Weibull, scale in periods); per brand x channel:
    ``half`` (saturation scale, in units of typical spend); per brand x channel x platform:
    ``beta`` (GMV at full saturation, in units of the brand x platform's mean GMV).
    ``keep_mu`` adds the expected GMV per period as the deterministic ``mu``.
    """
    inp = inputs
    B, C = len(inp.brands), len(inp.channels)
    T = inp.n_periods
    coords = {
        "brand": list(inp.brands),
        "channel": list(inp.channels),
        "platform": list(inp.platforms),
        "control": list(inp.control_names),
        "knot": np.arange(inp.basis.shape[1]),
        "date": np.arange(T),
        "fitted_date": np.arange(T - inp.holdout),
    }
    pooled = B > 1
    with pm.Model(coords=coords) as model:
        # media: adstock per channel, saturation per brand x channel, effect per platform.
        # One matrix-vector product per channel over its own lag matrix, as wide as its own
        # longest lag (a link channel's 21 days, not the seeding channel's 60): no padding,
        # transpose or copy of the big constants in the graph or its gradient.
        N = inp.x.shape[2]  # T + H
        weights = [_weights(inp, c) for c in range(C)]  # (L_c + 1,) each
        lags = [pm.Data(f"lags_{c}", inp.channel_lags(c)) for c in range(C)]
        carried = (
            pt.stack([lag @ w for lag, w in zip(lags, weights, strict=True)])
            .reshape((C, B, N))
            .transpose(1, 0, 2)
        )
        # effect at typical spend (x = 1): g >= 0 on the channel's home platform, times a
        # share in (-0.3, 1] on the others (a halo or a small cannibalisation, never a large
        # negative effect that would push expected GMV below zero). g and the
        # half-saturation are far less correlated than beta and half: sample those, derive
        # beta. (With a free share on every platform too, g and the shares formed a ridge.)
        g_centre, g_sd = np.log(inp.spec.effect_prior[0]), inp.spec.effect_prior[1]
        g_offset = _effect_offset(inp)  # where each channel's prior sits
        if inp.spec.effect_pooling == "channels":
            # the channels' effects share a level the data set: a brand whose media are
            # light pulls every channel's prior down, not only the one the data see best.
            # Level and spread split the prior's variance so a channel's marginal prior
            # keeps about the same width.
            level = pm.Normal("log_gross_level", g_centre, g_sd / np.sqrt(2.0))
            spread = pm.HalfNormal("log_gross_spread", g_sd / np.sqrt(2.0))
        if pooled:
            lh_mu = _prior(inp, "log_half").create("log_half_mu", dims="channel")
            lh_sd = _brand_spread(inp, "log_half_sd")
            lh_z = pm.Normal("log_half_z", 0.0, 1.0, dims=("brand", "channel"))
            log_half = lh_mu + lh_sd * lh_z
        if pooled and inp.spec.effect_pooling == "channels":
            lg_c = pm.Normal("log_gross_c", 0.0, 1.0, dims="channel")
            lg_mu = level + spread * lg_c
        elif pooled and inp.spec.effect_centre == "between":
            # the centre's uncertainty on the channel's mean over brands, whose prior scale
            # is fixed: on each brand's effect it would meet the learnt spread, and a
            # flat-topped prior with a spread near 0 has walls the sampler diverges on
            lg_mu = _between("log_gross_mu", g_centre, g_offset.mean(axis=0), g_sd, "channel")
            g_offset = 0.0  # each brand's own budget share is left to the learnt spread
        elif pooled:
            lg_mu = pm.Normal("log_gross_mu", g_centre, g_sd, dims="channel")
        if pooled:
            lg_sd = _brand_spread(inp, "log_gross_sd")
            log_gross = _brand_effects(inp, lg_mu + g_offset, lg_sd)
        else:
            log_half = _prior(inp, "log_half").create("log_half", dims=("brand", "channel"))
            if inp.spec.effect_pooling == "channels":
                lg_z = pm.Normal("log_gross_z", 0.0, 1.0, dims=("brand", "channel"))
                log_gross = level + g_offset + spread * lg_z
            elif inp.spec.effect_centre == "between":
                dims = ("brand", "channel")
                log_gross = _between("log_gross", g_centre, g_offset, g_sd, dims)
            else:
                log_gross = pm.Normal(
                    "log_gross", g_centre + g_offset, g_sd, dims=("brand", "channel")
                )
        half = pm.Deterministic("half", pt.exp(log_half), dims=("brand", "channel"))
        # each brand's own shares unless share_pooling="brands" (a spread learnt from a few
        # brands' weakly informed shares is a funnel)
        share = _platform_shares(inp, model, pooled and inp.spec.share_pooling == "brands")
        effect = pt.exp(log_gross)[:, :, None] * share
        curves = [inp.spec.media[c].saturation for c in inp.channels]
        shapes = [_saturation_params(inp, c) for c in range(C)]  # per-channel curve shapes
        at_one = pt.stack(
            [k.pt(pt.ones(B), half[:, c], **shapes[c]) for c, k in enumerate(curves)], axis=1
        )  # (B, C): saturation at typical spend
        beta = pm.Deterministic(
            "beta", effect / at_one[:, :, None], dims=("brand", "channel", "platform")
        )
        sat = pt.stack(
            [k.pt(carried[:, c], half[:, c, None], **shapes[c]) for c, k in enumerate(curves)],
            axis=1,
        )  # (B, C, T + H)
        contrib = (beta[:, :, :, None] * sat[:, :, None, :T]).sum(axis=1)  # (B, P, T)

        # baseline: calendar, trend, seasonality, demand, as factors of the level or added to it
        intercept = _prior(inp, "intercept").create("intercept", dims=("brand", "platform"))
        gamma = _prior(inp, "gamma").create("gamma", dims=("brand", "platform", "control"))
        controls = pm.Data("controls", np.ascontiguousarray(inp.controls.transpose(0, 2, 1)))
        terms = pt.matmul(gamma, controls) + _demand(inp, model)  # (B, P, K) @ (B, K, T)
        if inp.trend_basis is not None:
            terms = terms + _smooth_trend(inp, model)
        if inp.shock_basis is not None:
            terms = terms + _shocks(inp, model)
        if inp.spec.terms_scale == "gmv":
            terms = terms / _baseline_share(intercept, contrib[:, :, : T - inp.holdout])
        if inp.spec.baseline == "additive":
            # the same terms in units of the brand x platform's level, added to it
            base = pt.exp(intercept)[:, :, None] * (1.0 + terms)
        else:
            base = pt.exp(intercept[:, :, None] + terms)
        mu = pt.maximum(base + contrib, 1e-3)
        sigma = _prior(inp, "sigma").create("sigma", dims=("brand", "platform"))
        nu = _prior(inp, "nu").create("nu") if inp.spec.noise == "student_t" else None
        fitted = T - inp.holdout  # the last ``holdout`` periods are forecast, not fitted
        if inp.holdout or keep_mu:
            # expected GMV per period (scaled): kept for a forecast check, or computed from
            # a fit's draws afterwards (seedmodel.analysis.fitted), never stored with a fit
            pm.Deterministic("mu", mu, dims=("brand", "platform", "date"))
            mu = mu[:, :, :fitted]
        mask = inp.observed[:, :, :fitted]
        y = inp.y[:, :, :fitted]
        if inp.spec.likelihood == "normal":
            name, observed, expected = "gmv", pm.Data("gmv_data", y), mu
        else:
            # periods out of the likelihood (store not open, zero GMV) hold a placeholder
            name, expected = "log_gmv", pt.log(mu)
            observed = pm.Data("log_gmv_data", np.log(np.where(mask, y, 1.0)))
        rho = (
            _prior(inp, "rho").create("rho", dims=("brand", "platform"))
            if inp.spec.residual == "ar1"
            else None
        )
        if not mask.all():
            _masked_likelihood(name, observed - expected, sigma, mask, rho, nu)
        elif inp.spec.residual == "iid":
            noise = {} if nu is None else {"nu": nu}
            (pm.Normal if nu is None else pm.StudentT)(
                name,
                mu=expected,
                sigma=sigma[:, :, None],
                observed=observed,
                dims=("brand", "platform", "fitted_date"),
                **noise,
            )
        else:
            _ar1_likelihood(observed - expected, sigma, rho, nu)

        # lift tests: the model's own counterfactual over the test window, carryover included
        for i, lift in enumerate(inp.lifts):
            curve, shape = curves[lift.channel], shapes[lift.channel]
            a = carried[lift.brand, lift.channel]
            w = weights[lift.channel][: lift.window_lags.shape[1]]
            a_cf = a - pt.as_tensor(lift.window_lags) @ w
            h = half[lift.brand, lift.channel]
            diff = curve.pt(a, h, **shape) - curve.pt(a_cf, h, **shape)
            share = inp.gmv_scale[lift.brand] / inp.gmv_scale[lift.brand].sum()
            inc = (beta[lift.brand, lift.channel, :] * share).sum() * diff[lift.t0 :].sum()
            pm.Normal(f"lift_{i}", inc, lift.sd(inp.spec.lift_transport), observed=lift.value)
    return model


def _prior(inp: MMMInputs, name: str):
    """The prior of parameter ``name``: the spec's override, else :data:`PRIORS`."""
    return inp.spec.prior(name)


def _brand_spread(inp: MMMInputs, name: str):
    """The spread ``name`` of a brand-level quantity around the channel's mean across
    brands: the prior's root mean square where ``SeedingMMM.brand_spreads`` fixes it
    (:meth:`~seedmodel.models.mmm.spec.SeedingMMM.fixed_spreads`), else a parameter under
    its prior."""
    if name in inp.spec.fixed_spreads(len(inp.brands)):
        return root_mean_square(_prior(inp, name))
    return _prior(inp, name).create(name)


def _centred_effects(inp: MMMInputs) -> bool:
    """Whether the brands' effects are sampled centred: ``SeedingMMM.effects``, with
    ``auto`` deciding by how many periods the data hold (the fitted ones: a forecast
    check's refit, which holds the last quarter out, may take the other form)."""
    if inp.spec.effects == "auto":
        return inp.n_periods - inp.holdout >= CENTRED_PERIODS
    return inp.spec.effects == "centred"


def _effect_offset(inp: MMMInputs) -> np.ndarray | float:
    """Log shift of each channel's effect prior from ``effect_prior``'s median: 0
    (``effect_centre="even"``) or, (B, C), the log of the channel's spend weight
    (``"spend"``, and the far end of ``"between"``'s centres:
    :meth:`MMMInputs.spend_weights`), so that a channel carrying more of a brand's budget is
    expected to carry more of its GMV, at the same return per yuan."""
    if inp.spec.effect_centre in ("spend", "between"):
        return np.log(inp.spend_weights())
    return 0.0


def _between(name: str, centre: float, offset: np.ndarray, sd: float, dims):
    """A log effect whose prior centre lies anywhere from ``centre`` (the even prior's) to
    ``centre + offset`` (the spend-centred one's), at scale ``sd``
    (:class:`~seedmodel.models.mmm.distributions.Between`)."""
    low = centre + np.minimum(offset, 0.0)
    span = np.maximum(np.abs(offset), 1e-3)  # an even channel: Normal(centre, sd)
    return Between(name, low, span, sd, dims=dims)


def _brand_effects(inp: MMMInputs, mu, sd):
    """(B, C) each brand's log effect at typical spend around the channel's mean ``mu``
    with spread ``sd``: centred (``log_gross``) or as standardised offsets (``log_gross_z``),
    by :func:`_centred_effects`.

    A brand's own data usually pin its effect down, and then sampling the effect itself
    is the easier geometry: the offsets' form ties the mean, the spread and every offset
    into one narrow ridge (docs/benchmarks.md).
    """
    dims = ("brand", "channel")
    if _centred_effects(inp):
        return pm.Normal("log_gross", mu, sd, dims=dims)
    return mu + sd * pm.Normal("log_gross_z", 0.0, 1.0, dims=dims)


def _baseline_share(intercept, contrib):
    """(B, P, 1) the baseline level's share of expected GMV: exp(intercept) over itself
    plus the mean media contribution over the fitted periods.

    Dividing the baseline's terms by it measures them against expected GMV: with a share s,
    a term t moves the baseline's log by t / s and so expected GMV's log by about t, whatever
    share media carry. Without it, a large, near-constant media contribution damps every
    term's effect on GMV, and the room that leaves their coefficients is rewarded by the
    posterior (prior volume): an always-on channel's share drifts up (docs/mmm.md).

    The share is part of the baseline's parametrisation, computed from the spend the data
    hold: counterfactuals (ROI, plans, lift tests) keep the baseline as fitted and change
    only the media term.
    """
    level = pt.exp(intercept)
    return (level / (level + contrib.mean(axis=-1)))[:, :, None]


def _platform_shares(inp: MMMInputs, model: pm.Model, pooled: bool):
    """(B, C, P) each channel's effect on each platform relative to its home platform's
    effect, in each platform's own GMV units.

    In yuan, a channel's effect elsewhere is a share of its effect at home: in (-0.3, 1] for
    seeding notes (a small cannibalisation up to a full halo), in (-0.3, 0.3) for notes that
    link to one store, with priors centred on 0: no halo unless the data show one.
    Converted to the other platform's units by the ratio of the two platforms' mean GMV
    (pooled across brands when there are several).
    """
    B, P = len(inp.brands), len(inp.platforms)
    home = np.equal.outer(inp.home, np.arange(P))  # (C, P)
    c_idx, p_idx = np.nonzero(~home)
    share = pt.ones((B, len(inp.channels), P))
    if len(c_idx) == 0:
        return share
    model.add_coord(
        "cross",
        [f"{inp.channels[c]}:{inp.platforms[p]}" for c, p in zip(c_idx, p_idx, strict=True)],
    )
    # a link note sends its readers to one store: elsewhere its effect is within +-0.3 of
    # that; seeding notes without a link may lift both platforms (up to a full halo)
    top = np.where(inp.linked[c_idx], 0.3, 1.0)
    ratio = inp.gmv_scale[:, inp.home[c_idx]] / inp.gmv_scale[:, p_idx]  # (B, cross)
    centre = _share_centre(inp, c_idx, top, ratio)  # (cross,) or per brand (B, cross)
    if pooled:
        # the channel's mean logit centred on the brands' mean centre; a brand's own centre
        # (halo="store_size") shifts its logit from there
        mean_centre = centre if centre.ndim == 1 else centre.mean(axis=0)
        v_mu = _prior(inp, "share_logit").create("share_mu", mu=mean_centre, dims="cross")
        v_sd = _prior(inp, "share_sd").create("share_sd")
        v_z = pm.Normal("share_z", 0.0, 1.0, dims=("brand", "cross"))
        v = v_mu + v_sd * v_z
        if centre.ndim == 2:
            v = v + (centre - mean_centre)
    else:
        v = _prior(inp, "share_logit").create("share_logit", mu=centre, dims=("brand", "cross"))
    # data, not a constant of the graph: numba's compiled code then serves every dataset of
    # this shape (seedmodel.inference.numba_callbacks)
    ratio_data = pm.Data("platform_ratio", ratio, dims=("brand", "cross"))
    shares = (-0.3 + (0.3 + top) * pm.math.sigmoid(v)) * ratio_data
    return pt.set_subtensor(share[:, c_idx, p_idx], shares)


def _share_centre(
    inp: MMMInputs, c_idx: np.ndarray, top: np.ndarray, ratio: np.ndarray
) -> np.ndarray:
    """The logits at which the cross-platform shares' priors are centred: (cross,) a share
    of 0; or (B, cross), with ``halo="store_size"``, for channels without a link the other
    platform's mean GMV relative to the home platform's (``1 / ratio``), kept inside the
    share's range."""
    # share = -0.3 + (0.3 + top) * sigmoid(centre)
    if inp.spec.halo == "zero":
        return np.log(0.3 / top)  # a share of 0
    share = np.where(inp.linked[c_idx][None, :], 0.0, np.clip(1.0 / ratio, 0.0, 0.9))
    return np.log((share + 0.3) / (top - share))


def _smooth_trend(inp: MMMInputs, model: pm.Model):
    """(B, P, T) a random walk over spline knots per brand x platform, centred (the
    intercept holds the level); one step size, learnt from the data, for all of them."""
    model.add_coord("trend_knot", np.arange(inp.trend_basis.shape[1]))
    step = _prior(inp, "trend_step").create("trend_step")
    z = pm.Normal("trend_z", 0.0, 1.0, dims=("brand", "platform", "trend_knot"))
    walk = pt.cumsum(z, axis=-1) * step
    walk = walk - walk.mean(axis=-1, keepdims=True)
    return pt.matmul(walk, pt.as_tensor(inp.trend_basis.T))


def _shocks(inp: MMMInputs, model: pm.Model):
    """(B, P, T) fast demand the data do not measure (a promotion, a viral note, a
    competitor's sale): a smooth series with knots a week apart per brand x platform,
    independent across knots, whose size the data set (near 0 when there are none).

    Without it, weeks of demand that no control explains are left to the residual, whose
    day-to-day memory is too short for them, and to the one flexible component with a
    level: a slow, mostly-on seeding channel (docs/mmm.md).
    """
    model.add_coord("shock_knot", np.arange(inp.shock_basis.shape[1]))
    size = _prior(inp, "shock_sd").create("shock_sd")
    z = pm.Normal("shock_z", 0.0, 1.0, dims=("brand", "platform", "shock_knot"))
    return pt.matmul(z * size, pt.as_tensor(inp.shock_basis.T))


def _noise(sigma, nu):
    """The innovations' distribution: normal, or Student-t with ``nu`` degrees of freedom."""
    if nu is None:
        return pm.Normal.dist(0.0, sigma)
    return pm.StudentT.dist(nu=nu, mu=0.0, sigma=sigma)


def _ar1_likelihood(resid, sigma, rho, nu=None) -> None:
    """GMV residuals (B, P, T), on the likelihood's scale, as a stationary AR(1) per
    brand x platform.

    The first period has the stationary variance, later ones are innovations on the previous
    residual; ``sigma`` is the innovation scale, ``rho`` (B, P) the autocorrelation.
    """
    first = resid[:, :, 0] * pt.sqrt(1.0 - rho**2)
    innov = resid[:, :, 1:] - rho[:, :, None] * resid[:, :, :-1]
    logp = pm.logp(_noise(sigma, nu), first).sum() + pt.log(1.0 - rho**2).sum() / 2
    logp = logp + pm.logp(_noise(sigma[:, :, None], nu), innov).sum()
    pm.Potential("log_gmv", logp)


def _masked_likelihood(name: str, resid, sigma, mask: np.ndarray, rho, nu=None) -> None:
    """The likelihood over the periods in ``mask`` (B, P, T) only.

    AR(1) (``rho`` given): a period whose predecessor is in the mask is an innovation on it;
    the first of each run of masked-in periods has the stationary variance.
    """
    m = pt.as_tensor(mask.astype("float64"))
    if rho is None:
        logp = pm.logp(_noise(sigma[:, :, None], nu), resid)
        pm.Potential(name, (logp * m).sum())
        return
    prev = np.concatenate([np.zeros_like(mask[..., :1]), mask[..., :-1]], axis=-1)
    start = pt.as_tensor((mask & ~prev).astype("float64"))
    cont = pt.as_tensor((mask & prev).astype("float64"))
    shifted = pt.concatenate([pt.zeros_like(resid[:, :, :1]), resid[:, :, :-1]], axis=-1)
    stationary = resid * pt.sqrt(1.0 - rho[:, :, None] ** 2)
    innov = resid - rho[:, :, None] * shifted
    noise = _noise(sigma[:, :, None], nu)
    logp = (start * (pm.logp(noise, stationary) + pt.log(1.0 - rho[:, :, None] ** 2) / 2)).sum()
    logp = logp + (cont * pm.logp(noise, innov)).sum()
    pm.Potential(name, logp)


def _weights(inp: MMMInputs, c: int):
    """Channel ``c``'s lag weights from its carryover component's parameters (created here
    with the component's priors)."""
    channel = inp.channels[c]
    carryover = inp.spec.media[channel].adstock
    return carryover.pt_weights(carryover.variables(channel, inp.period_days), inp.max_lag[channel])


def _saturation_params(inp: MMMInputs, c: int) -> dict:
    """Channel ``c``'s saturation parameters beyond the half-saturation (none for Hill and
    logistic), created with the component's priors."""
    channel = inp.channels[c]
    return inp.spec.media[channel].saturation.variables(channel, inp.period_days)


def _demand(inp: MMMInputs, model: pm.Model):
    """Demand term of log baseline (B, P, T); adds the measurement model when latent."""
    mode = inp.spec.demand
    if mode == "none" or (inp.organic is None and inp.rates is None):
        return 0.0
    if mode == "control":
        cols = [] if inp.organic is None else [inp.organic[:, None, :]]
        if inp.rates is not None:
            cols.append(inp.rates)
        z = np.concatenate(cols, axis=1)  # (B, K, T)
        model.add_coord("signal", np.arange(z.shape[1]))
        delta = _prior(inp, "demand_control").create(
            "demand_coef", dims=("brand", "platform", "signal")
        )
        return pt.einsum("bkt,bpk->bpt", pt.as_tensor(z), delta)
    # latent: a smooth state per brand (cubic spline, knots every knot_days), measured with
    # noise by the demand signals; independent coefficients keep the geometry Gaussian
    w = _prior(inp, "demand_coef").create("demand_coef", dims=("brand", "knot"))
    state = w @ pm.Data("demand_basis", inp.basis.T)  # (B, T)
    if inp.organic is not None:
        # the signal is standardised, so the state carries its level: no offset to trade off
        o_sd = _prior(inp, "organic_sd").create("organic_sd", dims="brand")
        organic = pm.Data("organic_data", inp.organic)
        echo = _organic_echo(inp, model)
        pm.Normal("organic_obs", state + echo, o_sd[:, None], observed=organic)
        if inp.spec.organic_echo == "paid" and inp.rates is not None:
            # organic notes that may echo the campaigns no longer pin the state down alone:
            # the paid notes' reads per yuan measure it too, on a scale the data set
            _rate_measurement(inp, state, fix_first=False)
    else:
        # without organic notes, paid reads per yuan measure demand (they also carry content
        # quality and CPM, so they are used only when nothing better is there)
        _rate_measurement(inp, state, fix_first=True)
    loading = _prior(inp, "demand_loading").create("demand_loading", dims=("brand", "platform"))
    return loading[:, :, None] * state[:, None, :]


def _rate_measurement(inp: MMMInputs, state, *, fix_first: bool) -> None:
    """The paid notes' standardised log reads per yuan as noisy measurements of the state,
    per brand x channel an offset and a loading; ``fix_first``: the first channel's loading
    is 1, which fixes the state's sign and scale when nothing else measures it."""
    b_idx, c_idx, t_idx = np.nonzero(inp.rate_mask)
    r0 = _prior(inp, "rate_offset").create("rate_offset", dims=("brand", "channel"))
    load = _prior(inp, "rate_loading").create("rate_loading", dims=("brand", "channel"))
    if fix_first:
        load = pt.set_subtensor(load[:, 0], 1.0)
    r_sd = _prior(inp, "rate_sd").create("rate_sd", dims="channel")
    pm.Normal(
        "rate_obs",
        r0[b_idx, c_idx] + load[b_idx, c_idx] * state[b_idx, t_idx],
        r_sd[c_idx],
        observed=inp.rates[b_idx, c_idx, t_idx],
    )


def _organic_echo(inp: MMMInputs, model: pm.Model):
    """(B, T) the part of the organic signal that echoes the paid notes: each brand's
    coefficients on its paid inputs carried over at fixed half-lives
    (:func:`~seedmodel.models.mmm.inputs._echo_basis`); 0 with ``organic_echo="none"``."""
    if inp.echo_basis is None:
        return 0.0
    model.add_coord(
        "echo",
        [f"{c}:{d:g}d" for d in ECHO_HALF_LIVES for c in inp.channels],
    )
    coef = _prior(inp, "organic_echo").create("organic_echo", dims=("brand", "echo"))
    return (pt.as_tensor(inp.echo_basis) * coef[:, :, None]).sum(axis=1)
