"""The SeedingMMM specification: a frozen, round-trippable description of the model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from seedmodel.transforms.components import (
    ADSTOCKS,
    SATURATIONS,
    Adstock,
    PriorSpec,
    Saturation,
    adstock_from,
    saturation_from,
)
from seedmodel.values import whole_number

__all__ = [
    "ADSTOCKS",
    "BASELINES",
    "BRAND_SPREADS",
    "BUDGET_REACTIONS",
    "CENTRED_PERIODS",
    "DEMAND_FAST",
    "DEMAND_MODES",
    "EFFECTS",
    "EFFECT_POOLINGS",
    "FESTIVALS",
    "FIXED_SPREADS",
    "HALOS",
    "INPUTS",
    "LEARNT_SPREAD_BRANDS",
    "LIFT_TRANSPORT",
    "LIKELIHOODS",
    "NOISES",
    "ORGANIC_ECHOES",
    "PROGRAMME_STORES",
    "RESIDUALS",
    "SATURATIONS",
    "SAVED_BEFORE",
    "SHARE_POOLINGS",
    "SHOCKS",
    "SPEC_FORMAT",
    "TERMS_SCALES",
    "TRENDS",
    "MediaSpec",
    "SeedingMMM",
]

#: What a channel's response is a function of: spend, or one of its notes' engagement
#: counts (``interactions`` = likes + collects + comments + shares + follows).
INPUTS = ("spend", "impressions", "reads", "interactions", "clicks")
DEMAND_MODES = ("latent", "control", "none")
DEMAND_FAST = ("none", "control")
RESIDUALS = ("ar1", "iid")
LIKELIHOODS = ("lognormal", "normal")
BASELINES = ("multiplicative", "additive")
TRENDS = ("smooth", "quadratic")
BUDGET_REACTIONS = ("control", "control_lags", "control_scales", "none")
SHOCKS = ("budget_factor", "link_budget_factor", "none", "weekly")
TERMS_SCALES = ("gmv", "baseline")
NOISES = ("normal", "student_t")
EFFECT_POOLINGS = ("none", "channels")
EFFECT_CENTRES = ("even", "spend", "between")
FESTIVALS = ("separate", "shared", "none")
EFFECTS = ("auto", "centred", "noncentred")
HALOS = ("zero", "store_size")
ORGANIC_ECHOES = ("none", "paid")
SHARE_POOLINGS = ("brands", "none")
BRAND_SPREADS = ("auto", "effect", "fixed", "learnt")
#: The spreads each ``brand_spreads`` value fixes at its prior's root mean square
#: (``auto`` resolves to ``effect`` or ``learnt`` by the number of brands).
FIXED_SPREADS = {
    "learnt": (),
    "effect": ("log_gross_sd",),
    "fixed": ("log_gross_sd", "log_half_sd"),
}
#: Fewest brands for ``brand_spreads="auto"`` to learn the brands' spreads from the data:
#: the default of ``SeedingMMM.learnt_spread_brands``. With two brands a spread is learnt
#: from one difference, and its funnel is where pooled two-brand fits diverged
#: (docs/benchmarks.md, *Twenty-ninth session*); with three its neck still drew the few
#: divergences that kept default fits from converging (*Thirty-second session*); with four
#: the learnt spread mixed slowest and one default fit ran out of its time budget after two
#: restarts (*Thirty-third session*); with five both default fits tried ran out of it after
#: two restarts, where the effects' spread fixed converged on all five family worlds
#: (*Thirty-seventh session*). Six or more brands were not measured either way and keep the
#: learnt spreads. (4 from format 12 until 2026-12-06's thirty-third session, 5 until
#: 2026-12-07's thirty-seventh; a format-12 spec always writes the value, so the change needs
#: no new format.)
LEARNT_SPREAD_BRANDS = 6
#: Fewest fitted periods per brand for ``effects="auto"`` to sample the brands' effects
#: centred (a year of daily data).
CENTRED_PERIODS = 365


@dataclass(frozen=True)
class MediaSpec:
    """How one channel's spend turns into GMV.

    Parameters
    ----------
    adstock : Adstock or str
        Carryover component, or its registered name (``"weibull"``, ``"geometric"``;
        :data:`~seedmodel.transforms.components.ADSTOCKS`). Weibull can peak weeks after
        spend (seeding); geometric peaks at once and decays (link clicks). Held as the
        component object.
    saturation : Saturation or str
        Diminishing-returns component, or its registered name (``"hill"``, ``"logistic"``,
        ``"hill_slope"``; :data:`~seedmodel.transforms.components.SATURATIONS`).
    max_lag_days : int
        Longest carryover in days.
    platform : str or None
        The channel's home platform, where its full effect lands (a link's target store);
        on other platforms it has a fraction of that, between -0.3 (cannibalisation) and 1
        (halo). Default: the platform the attribution feed credits most, else the one with
        the most GMV.
    input : {"spend", "impressions", "reads", "interactions", "clicks"}
        What the response is a function of. With an engagement count, GMV responds to the
        engagement the notes drew, and a first stage (cost per engagement, varying over
        time) turns a budget into engagement for plans: spend -> engagement -> GMV.
    """

    adstock: Adstock | str = "weibull"
    saturation: Saturation | str = "hill"
    max_lag_days: int = 60
    platform: str | None = None
    input: str = "spend"

    def __post_init__(self) -> None:
        if self.input not in INPUTS:
            raise ValueError(f"input must be one of {INPUTS}, got {self.input!r}")
        object.__setattr__(self, "adstock", adstock_from(self.adstock))
        object.__setattr__(self, "saturation", saturation_from(self.saturation))
        if self.max_lag_days < 1:
            raise ValueError("max_lag_days must be >= 1")

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form: components by their registered names."""
        return {
            "adstock": self.adstock.to_dict(),
            "saturation": self.saturation.to_dict(),
            "max_lag_days": self.max_lag_days,
            "platform": self.platform,
            "input": self.input,
        }


#: Defaults: seeding notes act over weeks; link notes within days.
SEEDING_MEDIA = MediaSpec("weibull", "hill", 60)
LINK_MEDIA = MediaSpec("geometric", "hill", 21)

#: The store each of RED's link programmes jumps to (docs/contract.md channel names): the home
#: platform of these channels unless their MediaSpec names another.
PROGRAMME_STORES = {"red_cat": "tmall", "red_jd": "jd"}


#: How far a channel's effect in a lift test's window may differ from its effect elsewhere,
#: as a share of the measured lift: the default of ``SeedingMMM.lift_transport``. Chosen
#: before measuring (one value tried); on the default world's 9 tested cells (seeds 1-3,
#: docs/mmm.md, *Lift tests*) it kept every interval covering where 0 lost two.
LIFT_TRANSPORT = 0.3

#: The spec format :meth:`SeedingMMM.to_dict` writes. Format 13 (2026-12-07) made
#: ``demand_fast`` "control" the default ("none" before it, which every spec saved earlier
#: meant, written or not); format 12 (2026-12-06) added
#: ``learnt_spread_brands`` (default 4, 5 since the thirty-third session, which every
#: format-12 spec writes; 3 before it); format 11 (2026-12-06) added
#: ``brand_spreads`` (default "auto"; "learnt" before it); format 10 (2026-12-05) added
#: ``organic_echo`` (default "none", as before it); format 9 (2026-12-04) added
#: ``effect_centre`` (default "even", as before it); format 8 (2026-12-04) added
#: ``share_pooling`` (default "none"; "brands" before it); format 7 (2026-12-04) added
#: ``effects`` (default "auto"; "noncentred" before it); format 6 (2026-12-03) added
#: ``festivals`` (default "separate", as before it); format 5 (2026-12-03) added
#: ``lift_transport`` (default 0.3; 0 before it); format 4 (2026-12-03) added
#: ``terms_scale`` (default "gmv"; "baseline" before it); format 3 (2026-12-03) added
#: ``shocks`` (default "none", as before it); format 2 (2026-12-02) writes every option;
#: format 1 left out options that did not exist yet.
SPEC_FORMAT = 13
#: Options whose meaning changed after format 1: option -> (the first format that wrote
#: today's meaning, the value a spec saved before it meant).
_CHANGED_IN = {
    "terms_scale": (4, "baseline"),
    "lift_transport": (5, 0.0),
    "effects": (7, "noncentred"),
    "share_pooling": (8, "brands"),
    "brand_spreads": (11, "learnt"),
    "learnt_spread_brands": (12, 3),
    "demand_fast": (13, "none"),
}
#: What format 1, which left out options that did not exist yet, meant by their absence.
_FORMAT_1 = {
    "knot_days": 14,
    "residual": "iid",
    "trend": "quadratic",
    "budget_reaction": "none",
    "shocks": "none",
}
#: Per format: what a spec saved in it without an option meant, where that differs from
#: today's default (the option's value before it existed or changed default).
SAVED_BEFORE: dict[int, dict[str, Any]] = {
    f: (_FORMAT_1 if f == 1 else {})
    | {name: value for name, (since, value) in _CHANGED_IN.items() if f < since}
    for f in range(1, SPEC_FORMAT)
}


@dataclass(frozen=True)
class SeedingMMM:
    """Bayesian marketing-mix model of RED channels' effect on GMV per platform.

    Per brand x platform, log GMV is Normal around ``log(baseline + media)``:

    - baseline = exp(intercept + trend + day of week + yearly Fourier + calendar events
      (pre-sale, sale, last day, post-sale dip as separate effects) + loading x demand state)
      (``baseline="additive"``: exp(intercept) x (1 + the same terms));
    - media = sum over channels of ``beta[brand, channel, platform] * saturation(adstock(spend))``
      with spend scaled by its brand x channel mean; ``beta`` is partially pooled across
      brands and may be negative on a platform (cannibalisation);
    - the demand state (``demand="latent"``) is a smooth latent series per brand, measured
      with noise by organic-note engagement (without organic notes, by paid reads per yuan),
      instead of putting the noisy proxies in as plain controls (``demand="control"``).

    Parameters
    ----------
    media : dict or None
        Channel -> MediaSpec. Channels not named get ``SEEDING_MEDIA`` when they have no link
        clicks and ``LINK_MEDIA`` when they do.
    demand : {"latent", "control", "none"}
        How organic buzz enters.
    knot_days : int
        Spacing of the demand state's spline knots (days; default 7). Viral bursts of buzz
        fade within a couple of weeks; a state that cannot follow them leaves their demand to
        the budgets that chase them (measured in docs/mmm.md).
    residual : {"ar1", "iid"}
        Day-to-day errors of log GMV: first-order autoregressive (the default; what the
        baseline misses lingers for days, and independent errors would overstate how much
        the data know) or independent.
    likelihood : {"lognormal", "normal"}
        Noise of GMV around ``baseline + media``: proportional to its level (``lognormal``,
        the default: a Double 11 day is noisier in yuan than a quiet Tuesday) or of constant
        size in yuan (``normal``, for data whose noise is additive, as in many synthetic MMM
        examples). The residual model applies on that scale.
    baseline : {"multiplicative", "additive"}
        How trend, seasonality, events and demand combine: as factors of one level
        (``multiplicative``, the default: a festival lifts a large brand by more yuan than a
        small one, and seasonality swings wider as the trend grows) or as terms added to it
        in yuan (``additive``: seasonality and events of the same size in yuan whatever the
        trend, as in many synthetic MMM examples and in PyMC-Marketing's and Robyn's models).
    trend : {"smooth", "quadratic"}
        The baseline's slow movement: a random walk over spline knots every
        ``trend_knot_days`` per brand x platform, whose step size the data set (``smooth``,
        the default: growth that bends, slows or shifts level, as brands' does), or a
        quadratic in time (``quadratic``, the first models' form). A slow, mostly-on channel
        whose budget grows faster than sales could otherwise stand in for the bends a
        quadratic cannot follow (docs/mmm.md, *Worlds nobody here designed*).
    trend_knot_days : int
        Spacing of the smooth trend's knots (days; default 91, a quarter).
    budget_reaction : {"control", "control_lags", "control_scales", "none"}
        ``control`` : each channel's day-to-day deviation of log spend from its planned
        level (a centred rolling median of live spend over ``plan_days``) enters the
        baseline as a control with a free coefficient per brand x platform: a control
        function for budgets that react to short demand shocks (a promotion, a viral note)
        the data do not measure. The channel's effect is then learnt from its planned
        variation (flights, levels, go-lives) rather than from day-to-day moves that may be
        reactions. The default from 2026-12-02 to 12-04; fits saved with it reload with it.
        ``control_scales`` (the default): the same, and per channel the planned level's own
        deviation from a slower level (a centred rolling median of live spend over
        ``4 * plan_days + 1`` days, about two months). Budgets that chase demand the data do
        not measure move the planned level too, since a fortnight's median still holds a
        shock's slower part. The channel's effect is then learnt from flights, go-lives,
        levels held for months and moves slower than two months.
        ``control_lags`` adds to ``control``, per channel, the mean deviation over the
        ``plan_days / 2`` periods before and after each period (budgets set ahead of demand
        or after it). Not a default (docs/mmm.md, *Sixth look*).
        ``none`` uses all of spend's variation (fits saved before these options).
        On 30 worlds drawn from wide ranges, ``control`` cut the median ROI error from 0.35 to
        0.29 and raised 90% coverage from 0.57 to 0.71; ``control_scales`` then cut it from
        0.18 to 0.16 and raised coverage from 0.84 to 0.87, and on 15 held-out worlds from
        0.27 to 0.26 and from 0.67 to 0.76 (docs/recovery_family.md; docs/mmm.md, *Twelfth
        look*). Its price where budgets chase nothing: on worlds from PyMC-Marketing's
        generator (weekly spend drawn independently) the median error is unchanged, but the
        always-on channel's worst errors grow from 0.15 to 0.22 and its intervals are about
        18% wider (docs/mmm.md, *Thirteenth look*); with budgets known to be set without
        looking at demand, ``control`` or ``none`` keep that variation.
    plan_days : int
        Window (days) of the planned level for the ``budget_reaction`` controls.
    effect_prior : (float, float)
        Prior of each channel's effect at its typical spend, as a share of the brand x
        platform's mean GMV: log-normal with this median and log-scale sd (with several
        brands, the prior of the channel's mean across brands). Unit-free: spend and GMV
        in any units give the same prior. Its lower tail is what lets a channel with no
        effect come out near 0.
    engagement : bool
        Channels not named in ``media`` respond to their notes' engagement instead of spend:
        reads for seeding notes, link clicks for link notes (see ``MediaSpec.input``).
    shocks : {"none", "weekly", "budget_factor", "link_budget_factor"}
        ``weekly`` adds to the log baseline a term for demand nobody measured that moves
        week to week (a promotion, a viral note): a spline with knots 7 days apart per brand
        x platform, independent across knots, its size learnt (daily data only). On family
        worlds it changed neither error nor coverage and halved the effective draws, so it
        is not the default; without the budget-reaction control it helped the seeding
        channel and hurt the link channels (docs/mmm.md, *Third look*).
        ``budget_factor`` adds a control: the common factor of the channels' log spend
        deviations from their slow planned level (``4 * plan_days + 1`` days), a one-factor
        AR(1) dynamic factor model Kalman-smoothed per brand
        (:func:`seedmodel.models.mmm.shock_factor.budget_shock_factor`): a measure of the
        shocks budgets chase, pooled over channels and neighbouring days. On 60 family
        worlds it cut the median ROI error from 0.184 to 0.160 at the same coverage, but
        lowered the seeding channel's coverage where budgets chase nothing, so it is not
        the default (docs/mmm.md, *Twenty-seventh look*). ``link_budget_factor``: the
        same from the budgets of the channels whose notes link to a store alone (they
        react within days; a seeding campaign's planned moves then do not read as shocks);
        over the 60 one-brand worlds it gave 0.164 / 0.817 against the default's 0.184 /
        0.817 with the seeding channel's median error 0.291 against 0.249, and on the 30
        two- and 15 three-brand worlds 0.224 / 0.789 and 0.191 / 0.711 against 0.219 /
        0.767 and 0.195 / 0.704; no channel improved beyond chance, so it is not the
        default either (docs/mmm.md, *Twenty-eighth look*).
    terms_scale : {"gmv", "baseline"}
        What the baseline's terms (trend, day of week, seasonality, events, demand state,
        controls) are measured against. ``gmv`` (the default): log expected GMV; the
        baseline's own log moves by the terms over its share of expected GMV, so a term of
        0.1 lifts expected GMV by about 10% however much of it media carry. ``baseline``
        (fits saved before this option): the baseline's own log. Under ``baseline``, a
        large, nearly constant media contribution damps every term's effect on GMV, which
        leaves the terms' coefficients less determined by the data; the posterior rewards
        that room (prior volume), so an always-on channel drifted to half of GMV on worlds
        where it had none or 6% (docs/mmm.md, *Fourth look*).

    noise : {"normal", "student_t"}
        Innovations of the residual: normal, or Student-t with degrees of freedom learnt
        (prior Gamma(2, 0.1)), for data with outlying days. Not the default: on family
        worlds it did not improve error or coverage (docs/mmm.md).
    effect_pooling : {"none", "channels"}
        ``channels``: the channels' effects at typical spend share a level learnt from the
        data (a brand whose media are light pulls every channel down), with the prior's
        variance split between the level and the spread. Not the default (docs/mmm.md).
    effect_centre : {"even", "spend", "between"}
        Where each channel's effect prior is centred. ``even``: every channel at
        ``effect_prior``'s median share of GMV at its typical spend, whatever its budget.
        ``spend``: that median times the channel's spend weight (its mean spend per live
        period over the brand's mean paid spend per channel and period), so that a channel
        carrying twice another's share of the budget is expected to carry twice its share
        of GMV, at the same return per yuan; the prior's total over a brand's channels is
        unchanged, and it is a ratio of spends, so free of the currency's unit. Not the
        default: on worlds 0-29 of the family it covered one more seeding cell but raised
        the median error from 0.159 to 0.172 and made one cell confidently wrong, a
        seeding channel carrying most of the budget at a low return, put six times too
        high (docs/mmm.md, *Fourteenth look*). ``between``: the centre anywhere from the
        even one to the spend-weighted one, uniformly (a normal of the same scale around a
        centre drawn from that range), for when it is not known whether a channel's budget
        follows its return; with several brands, on the channel's mean over the brands,
        with the spend weight averaged over them on the log scale. Not combined with
        ``effect_pooling="channels"``. Not the default (docs/mmm.md, *Twenty-first
        look*).
    lift_transport : float
        How far a channel's effect during a lift test's window may differ from its effect
        over the rest of the data, as a share of the measured lift: each test's likelihood
        has standard deviation ``hypot(se, lift_transport * value)`` instead of ``se``. A
        28-day test measures its month; the model carries that to every period with one
        response, so with 0 (fits saved before 2026-12-03's format 5) it claims that the
        test measured two years: on the default world's tested cells two of nine
        intervals lost the truth and the median error rose from 0.12 to 0.14; with 0.3 all
        nine covered, the median error fell to 0.11, and the intervals were 21% narrower
        than without the tests (docs/mmm.md, *Lift tests*).
    festivals : {"separate", "shared", "none"}
        The calendar's festival terms: each festival phase (pre-sale, sale, last day,
        post-sale dip, with their last days) with its own coefficient for 618 and for
        Double 11 (``separate``, the default), or one coefficient per phase that both
        festivals share (``shared``: six fewer free terms per brand x platform, at the cost
        of assuming that both lift GMV by the same factor). A seeding channel whose budget
        rises ahead of the festivals lands its effect on festival days, where free festival
        terms can take it. Not the default: on the world family it raised the median ROI
        error on worlds 0-29 from 0.163 to 0.198 and cut coverage from 0.82 to 0.76
        (docs/mmm.md, *Eighth look*). ``none`` leaves 618 and Double 11 without terms of
        their own (their lifts fall to the demand state and the residual): a measurement
        switch for how much the festival terms take from a seeding channel, not a model for
        real data. On family worlds 0-29 it raised the median ROI error from 0.171 to 0.290
        and cut coverage from 0.83 to 0.74; the seeding channel fell further below the truth
        (docs/mmm.md, *Ninth look*).
    effects : {"auto", "centred", "noncentred"}
        With several brands, how each brand's effect at typical spend is drawn around the
        channel's mean across brands: as itself (``centred``), or as a standardised offset
        scaled by the spread (``noncentred``, fits saved before 2026-12-04). ``auto`` (the
        default) takes ``centred`` when the data have at least :data:`CENTRED_PERIODS`
        fitted periods (a year of daily data) and ``noncentred`` otherwise. Where a brand's
        own data pin its effect down, the centred form is the easier geometry: on
        ``data/sample`` (two years daily) it needed 189 gradient evaluations per effective
        draw of the slowest parameter against 508, with the same ROIs to two decimals. On
        thin data the offsets are: a 3-brand, 2-year weekly world had 16 divergences
        centred and none with offsets (docs/benchmarks.md). Pooled cross-platform shares
        (``share_pooling="brands"``), which the data inform weakly, always take offsets
        (centred, they formed a funnel: 159 divergences on ``data/sample``). Estimates do
        not depend on it; speed does.
    share_pooling : {"none", "brands"}
        With several brands, whether a channel's cross-platform shares (its effect on the
        store it does not sell through, as a share of its effect at home) are each brand's
        own (``none``, the default: the same prior as with one brand) or drawn around a mean
        across brands with a learnt spread (``brands``, fits saved before 2026-12-04). The
        data inform these shares weakly, and a spread learnt from a few brands' weak shares
        is a funnel: on ``data/sample`` ``brands`` diverged in each of three 2,400-draw runs
        (1-3 times, before the rule's stop) and needed 1,400-1,600 draws per chain; ``none``
        never diverged and stopped at 800-1,200, with 26 of 27 ROI intervals covering the
        truth against 27 (docs/benchmarks.md, *Thirteenth session*).
    brand_spreads : {"auto", "learnt", "effect", "fixed"}
        With several brands, how far the brands' effects at typical spend and their
        half-saturations spread around each channel's mean across brands
        (``log_gross_sd``, ``log_half_sd``): learnt from the data under their priors
        (``learnt``, fits saved before 2026-12-06), or fixed at each prior's root mean
        square, so that each brand's prior around the mean keeps the variance the learnt
        spread gives it on average while the mean is still learnt from every brand:
        ``effect`` fixes the effects' spread and learns the half-saturations' (sampled as
        offsets), ``fixed`` fixes both. ``auto`` (the default) takes ``effect`` below
        ``learnt_spread_brands`` brands and ``learnt`` from that many on.
        Two brands show a spread through one difference, so its posterior is nearly its
        prior, and its funnel's neck (a spread near 0 with both brands' effects pinned to
        the mean) is where pooled two-brand fits diverged. On the 30 two-brand family
        worlds (500 x 2 draws) ``learnt`` diverged in 17 fits (886 divergences), ``effect``
        in none, with 10% fewer gradient evaluations, a median smallest bulk ESS of 171
        against 107, and the same ROIs within noise (median error 0.221 against 0.219,
        coverage 0.750 against 0.767, 2 confidently wrong cells against 3; mROI 0.364
        against 0.355). ``fixed`` also removed the divergences but raised the mROI error to
        0.394 (docs/mmm.md, *Twenty-ninth look*). Three brands inform the spread more
        (posterior median about 0.2-0.3 against the prior's 0.34), but its neck still drew
        the rare divergences (1 in 3,000 draws) that sent default fits up the step-size
        ladder; on the 15 three-brand family worlds ``effect`` diverged in no fit against 3,
        with median error 0.181 against 0.195 and coverage 0.741 against 0.704
        (docs/mmm.md, *Thirtieth look*). With four brands the ROIs were again the same
        within noise (10 worlds: 0.244 against 0.269, coverage 0.692 against 0.675) and the
        learnt spread mixed worst: a default fit of family-45 ran out of its 15 minutes
        after two restarts (33 divergences at 0.99) where ``effect`` converged in 142 s
        (*Thirty-first look*). With five brands (family worlds 55-59) the learnt spreads'
        default fits of family-55 and family-56 both ran out of their 15 minutes after two
        restarts (101 divergences at 0.99 in the second), where ``effect`` converged on all
        five in 102-522 s without a divergence; its ROIs covered 0.893 of 75 cells against
        0.853 for the learnt spreads at a fixed 500 x 2 draws, with a median error of 0.187
        against 0.159 (*Thirty-fifth look*). A fixed spread needs a prior with a finite
        second moment (HalfNormal, Gamma, LogNormal, Exponential).
    learnt_spread_brands : int
        Fewest brands from which ``brand_spreads="auto"`` learns the spreads (default
        :data:`LEARNT_SPREAD_BRANDS`, 6; it was 5 until the thirty-seventh session, 4
        until the thirty-third, and fits saved before format 12 meant 3).
    halo : {"zero", "store_size"}
        Where the prior of a channel without a link (小红星) centres its effect on the
        platforms other than its home, as a share of its home effect in yuan: at 0 (``zero``,
        the default: no halo unless the data show one), or at the other platform's size
        relative to the home platform's (``store_size``: readers of a seeding note buy where
        they usually buy, so JD gains in proportion to its share of the brand's GMV). The
        prior's width and range, (-0.3, 1], are the same. Link channels always centre on 0.
        Not the default: on family worlds 0-29 it moved the median ROI error from 0.181 to
        0.176 and coverage from 0.84 to 0.82, within the Monte Carlo spread, and left 红京's
        over-estimate as it was (docs/mmm.md, *Tenth look*).
    demand_fast : {"none", "control"}
        What becomes of the part of the organic signal the demand state's spline cannot
        follow (``demand="latent"`` with organic notes): moves from one period to the next,
        a promotion's days, a viral note's week. ``control`` (the default since format 13,
        2026-12-07) puts it in the baseline as one control column per brand (the organic
        signal less its projection on the state's spline basis), so that a demand measure
        precise enough to see such moves removes them from the media too, while the slow
        part stays with the state; ``none`` (the default before) leaves it to the
        measurement noise. On weekly data the state's knots are two weeks apart, so a
        measured week-to-week shock was smoothed away: on a stress world whose organic
        notes all but equal the shocks budgets chase, the median ROI error falls from 0.66
        to 0.29 (daily) and from 0.49 to 0.39 (weekly); on the 30 held-out family worlds,
        whose organic notes follow only the slow buzz, nothing changes beyond noise
        (docs/mmm.md, *Thirty-sixth look*).
    organic_echo : {"none", "paid"}
        What the organic notes measure when they measure the demand state
        (``demand="latent"``): demand alone (``none``, the default), or demand plus an
        echo of the paid notes (``paid``): users' own notes that the paid notes spark,
        which rise after a campaign whatever the demand. With ``paid`` each brand's organic
        signal also follows each paid channel's input carried over at two fixed speeds
        (half-lives of 3 and 21 days), with coefficients the data set, so the state is what
        organic notes show beyond the echo; without it an echo is read as demand, and the
        demand it seems to show takes GMV from the channel that sparked it. Because a smooth
        echo and smooth demand look alike in organic notes alone, ``paid`` also measures
        the state by the paid notes' reads per yuan (when the data have reads), each
        channel's loading set by the data. A research option, not the default, and not safe: on
        family worlds whose organic notes echo
        小红星 it lifts 小红星's coverage from 0.17 to 0.83, but where budgets chase buzz and
        nothing echoes it can credit the buzz to the channel (on the ``null_seeding``
        stress world a channel with no effect came out at ROI 5.9 [4.2, 7.7]), it is less
        accurate on worlds without an echo, and fits take about twice as many gradient
        evaluations (docs/mmm.md, *Nineteenth look*).
    priors : mapping of str to PriorSpec
        Overrides of the model's priors by parameter name
        (:data:`seedmodel.models.mmm.priors.PRIORS`), for prior-sensitivity studies, e.g.
        ``{"sigma": PriorSpec("HalfNormal", sigma=0.5)}``. Held as sorted (name, prior)
        pairs; :meth:`prior` gives the prior in effect. A fit file records them.

    Examples
    --------
    >>> spec = SeedingMMM(media={"little_red_star": MediaSpec("geometric", "logistic", 30)})
    >>> SeedingMMM.from_dict(spec.to_dict()) == spec
    True
    """

    media: dict[str, MediaSpec] = field(default_factory=dict)
    demand: str = "latent"
    demand_fast: str = "control"
    knot_days: int = 7
    residual: str = "ar1"
    engagement: bool = False
    likelihood: str = "lognormal"
    baseline: str = "multiplicative"
    trend: str = "smooth"
    trend_knot_days: int = 91
    budget_reaction: str = "control_scales"
    plan_days: int = 15
    effect_prior: tuple[float, float] = (0.05, 0.7)
    shocks: str = "none"
    terms_scale: str = "gmv"
    noise: str = "normal"
    effect_pooling: str = "none"
    effect_centre: str = "even"
    lift_transport: float = LIFT_TRANSPORT
    festivals: str = "separate"
    effects: str = "auto"
    halo: str = "zero"
    share_pooling: str = "none"
    organic_echo: str = "none"
    brand_spreads: str = "auto"
    learnt_spread_brands: int = LEARNT_SPREAD_BRANDS
    priors: Mapping[str, PriorSpec] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.demand not in DEMAND_MODES:
            raise ValueError(f"demand must be one of {DEMAND_MODES}, got {self.demand!r}")
        if self.demand_fast not in DEMAND_FAST:
            raise ValueError(f"demand_fast must be one of {DEMAND_FAST}, got {self.demand_fast!r}")
        if self.knot_days < 2:
            raise ValueError("knot_days must be >= 2")
        if self.residual not in RESIDUALS:
            raise ValueError(f"residual must be one of {RESIDUALS}, got {self.residual!r}")
        if self.likelihood not in LIKELIHOODS:
            raise ValueError(f"likelihood must be one of {LIKELIHOODS}, got {self.likelihood!r}")
        if self.baseline not in BASELINES:
            raise ValueError(f"baseline must be one of {BASELINES}, got {self.baseline!r}")
        if self.trend not in TRENDS:
            raise ValueError(f"trend must be one of {TRENDS}, got {self.trend!r}")
        if self.trend_knot_days < 7:
            raise ValueError("trend_knot_days must be >= 7")
        if self.budget_reaction not in BUDGET_REACTIONS:
            raise ValueError(
                f"budget_reaction must be one of {BUDGET_REACTIONS}, got {self.budget_reaction!r}"
            )
        if self.shocks not in SHOCKS:
            raise ValueError(f"shocks must be one of {SHOCKS}, got {self.shocks!r}")
        if self.terms_scale not in TERMS_SCALES:
            raise ValueError(f"terms_scale must be one of {TERMS_SCALES}, got {self.terms_scale!r}")
        if self.noise not in NOISES:
            raise ValueError(f"noise must be one of {NOISES}, got {self.noise!r}")
        if self.effect_pooling not in EFFECT_POOLINGS:
            raise ValueError(
                f"effect_pooling must be one of {EFFECT_POOLINGS}, got {self.effect_pooling!r}"
            )
        if self.effect_centre not in EFFECT_CENTRES:
            raise ValueError(
                f"effect_centre must be one of {EFFECT_CENTRES}, got {self.effect_centre!r}"
            )
        if self.effect_centre == "between" and self.effect_pooling != "none":
            raise ValueError(
                f"effect_centre='between' needs effect_pooling='none' (got {self.effect_pooling!r})"
            )
        if self.festivals not in FESTIVALS:
            raise ValueError(f"festivals must be one of {FESTIVALS}, got {self.festivals!r}")
        if self.effects not in EFFECTS:
            raise ValueError(f"effects must be one of {EFFECTS}, got {self.effects!r}")
        if self.halo not in HALOS:
            raise ValueError(f"halo must be one of {HALOS}, got {self.halo!r}")
        if self.organic_echo not in ORGANIC_ECHOES:
            raise ValueError(
                f"organic_echo must be one of {ORGANIC_ECHOES}, got {self.organic_echo!r}"
            )
        if self.organic_echo != "none" and self.demand != "latent":
            raise ValueError('organic_echo describes the latent demand state: use demand="latent"')
        if self.share_pooling not in SHARE_POOLINGS:
            raise ValueError(
                f"share_pooling must be one of {SHARE_POOLINGS}, got {self.share_pooling!r}"
            )
        if self.brand_spreads not in BRAND_SPREADS:
            raise ValueError(
                f"brand_spreads must be one of {BRAND_SPREADS}, got {self.brand_spreads!r}"
            )
        spread_brands = whole_number(self.learnt_spread_brands)
        if spread_brands is None or spread_brands < 2:
            raise ValueError(
                f"learnt_spread_brands must be an integer >= 2, got {self.learnt_spread_brands!r}"
            )
        object.__setattr__(self, "learnt_spread_brands", spread_brands)  # numpy's ints too
        if not 0.0 <= self.lift_transport < 10.0:
            raise ValueError(f"lift_transport must be in [0, 10), got {self.lift_transport!r}")
        if self.plan_days < 3:
            raise ValueError("plan_days must be >= 3")
        from seedmodel.models.mmm.priors import PRIORS

        overrides = dict(self.priors)
        unknown = sorted(set(overrides) - set(PRIORS))
        if unknown:
            raise ValueError(
                f"priors: {unknown[0]!r} is not a SeedingMMM parameter (one of {sorted(PRIORS)})"
            )
        for name, prior in overrides.items():
            if not isinstance(prior, PriorSpec):
                raise ValueError(f"priors: {name!r} must be a PriorSpec, got {prior!r}")
        # held as sorted pairs: a frozen spec stays hashable
        object.__setattr__(self, "priors", tuple(sorted(overrides.items())))
        # the spreads this spec fixes whatever the data ("auto" fixes the effects' only
        # with fewer brands than learnt_spread_brands: checked when the model is built)
        fixes = FIXED_SPREADS.get(self.brand_spreads, ())
        if fixes:
            from seedmodel.models.mmm.priors import root_mean_square

            for name in fixes:
                root_mean_square(self.prior(name))  # raises on a prior without one
        median, sd = self.effect_prior
        if not (0 < median < 1 and sd > 0):
            raise ValueError(
                "effect_prior must be (median share in (0, 1), log sd > 0), "
                f"got {self.effect_prior}"
            )
        object.__setattr__(self, "effect_prior", (float(median), float(sd)))

    def prior(self, name: str) -> PriorSpec:
        """The prior of the model parameter ``name`` (see
        :data:`seedmodel.models.mmm.priors.PRIORS`): this spec's override, else the default."""
        from seedmodel.models.mmm.priors import PRIORS

        return dict(self.priors).get(name, PRIORS[name])

    def __hash__(self) -> int:
        options = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "media"}
        return hash((tuple(sorted(self.media.items())), *options.values()))

    def _options(self) -> dict[str, Any]:
        """Every field but ``media``, in declaration order (plain values; ``priors`` as
        name -> plain prior)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "media"}
        out["priors"] = {name: prior.to_dict() for name, prior in self.priors}
        return out

    def brand_spreads_for(self, n_brands: int) -> str:
        """``brand_spreads`` on data with ``n_brands`` brands, ``auto`` resolved: ``learnt``,
        ``effect`` or ``fixed`` (``auto``: ``effect`` below ``learnt_spread_brands``).

        Examples
        --------
        >>> SeedingMMM().brand_spreads_for(5), SeedingMMM().brand_spreads_for(6)
        ('effect', 'learnt')
        """
        if self.brand_spreads != "auto":
            return self.brand_spreads
        return "effect" if n_brands < self.learnt_spread_brands else "learnt"

    def fixed_spreads(self, n_brands: int) -> tuple[str, ...]:
        """The brands' spreads this spec fixes on data with ``n_brands`` brands
        (:data:`FIXED_SPREADS` of :meth:`brand_spreads_for`).

        Examples
        --------
        >>> SeedingMMM().fixed_spreads(5), SeedingMMM().fixed_spreads(6)
        (('log_gross_sd',), ())
        """
        return FIXED_SPREADS[self.brand_spreads_for(n_brands)]

    def media_for(self, channel: str, has_clicks: bool) -> MediaSpec:
        """The channel's MediaSpec (explicit, else the default for its kind)."""
        if channel in self.media:
            return self.media[channel]
        default = LINK_MEDIA if has_clicks else SEEDING_MEDIA
        if self.engagement:
            return replace(default, input="clicks" if has_clicks else "reads")
        return default

    def resolved(self, channels: dict[str, bool]) -> SeedingMMM:
        """A copy naming a MediaSpec for every channel (channel -> has link clicks)."""
        return replace(self, media={c: self.media_for(c, k) for c, k in channels.items()})

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"media": {c: m.to_dict() for c, m in self.media.items()}, **self._options()}

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, format: int = SPEC_FORMAT) -> SeedingMMM:
        """Inverse of :meth:`to_dict`.

        Parameters
        ----------
        data : dict
            Options; a missing one takes today's default.
        format : int
            The format ``data`` was saved in (a fit file records it). An option missing
            from a spec of an older format did not exist when it was saved: it takes its
            value of that time (:data:`SAVED_BEFORE`), so an old fit reloads as it was
            fitted. In today's format a missing option takes today's default.

        Raises
        ------
        ValueError
            An option this version does not know (a spec from a newer seedmodel), or a
            format newer than :data:`SPEC_FORMAT`.
        """
        if not 1 <= format <= SPEC_FORMAT:
            raise ValueError(
                f"spec format {format} is not one this seedmodel reads (1..{SPEC_FORMAT}); "
                "it was written by a newer seedmodel: upgrade"
            )
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(
                f"spec option {unknown[0]!r} is unknown to this seedmodel (written by a newer "
                "one?): upgrade"
            )
        fallback = SAVED_BEFORE.get(format, {})
        options = {
            f.name: data.get(f.name, fallback.get(f.name, f.default))
            for f in fields(cls)
            if f.name not in ("media", "priors")
        }
        options["priors"] = {k: PriorSpec.from_dict(v) for k, v in data.get("priors", {}).items()}
        return cls(media={c: MediaSpec(**m) for c, m in data.get("media", {}).items()}, **options)

    def fit(self, data, **kwargs):
        """Fit to a Dataset; see :func:`seedmodel.fit.fit_mmm` for the options."""
        from seedmodel.fit import fit_mmm

        return fit_mmm(data, self, **kwargs)
