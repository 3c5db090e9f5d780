"""The risk ratio of two rates and its 95% interval, as plain functions.

Exposed days: `a` of `n1` were followed by the outcome; unexposed days: `c` of `n0`. The ratio is
(a / n1) / (c / n0); its 95% interval is computed on the log scale (the Katz log method):
log(RR) ± 1.959964 · sqrt(1/a − 1/n1 + 1/c − 1/n0). When any of the four cells a, b = n1 − a, c, d = n0 − c
is zero, 0.5 is added to every cell first (the Haldane-Anscombe correction), so the ratio and interval are
finite; the result says it was corrected. With no exposed or no unexposed days there is nothing to compare.

Sources: Katz D, Baptista J, Azen SP, Pike MC. Obtaining confidence intervals for the risk ratio in cohort
studies. Biometrics 1978;34:469-74; Rothman KJ, Greenland S, Lash TL. Modern Epidemiology, 3rd ed., ch. 14.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959964  # the standard normal quantile for a two-sided 95% interval
CORRECTION = 0.5


@dataclass(frozen=True)
class RiskRatio:
    """How many times as often the outcome followed exposed days as unexposed days."""

    a: int  # exposed days followed by the outcome
    n1: int  # exposed days
    c: int  # unexposed days followed by the outcome
    n0: int  # unexposed days
    ratio: float
    low: float  # the 95% interval
    high: float
    corrected: bool  # 0.5 was added to every cell because one was zero

    @property
    def exposed_rate(self) -> float:
        return self.a / self.n1

    @property
    def unexposed_rate(self) -> float:
        return self.c / self.n0


def risk_ratio(a: int, n1: int, c: int, n0: int) -> RiskRatio | None:
    """The ratio of a/n1 to c/n0 with its 95% log-method interval; None when n1 or n0 is zero."""
    if not (0 <= a <= n1 and 0 <= c <= n0):
        raise ValueError("counts out of range: need 0 <= a <= n1 and 0 <= c <= n0")
    if n1 == 0 or n0 == 0:
        return None
    corrected = 0 in (a, n1 - a, c, n0 - c)
    extra = CORRECTION if corrected else 0.0
    a_, c_ = a + extra, c + extra
    n1_, n0_ = n1 + 2 * extra, n0 + 2 * extra  # each row gains 0.5 in both of its cells
    ratio = (a_ / n1_) / (c_ / n0_)
    se = math.sqrt(1 / a_ - 1 / n1_ + 1 / c_ - 1 / n0_)
    log_ratio = math.log(ratio)
    return RiskRatio(a, n1, c, n0, ratio, math.exp(log_ratio - Z95 * se), math.exp(log_ratio + Z95 * se), corrected)
