"""Coefficients of the float tanh that the plain loops of recurrent cells use for their gates.

tanh(x) is approximated on [-L, L] by x * P(x^2) / Q(x^2), P and Q of degree 4 in x^2 with
P(0) = Q(0) = 1, and clamped to +-L outside, where L = 7.90531... is the point beyond which the
approximation would pass 1. The coefficients minimise the largest relative error on a grid of
[0, L] (Lawson's iteratively reweighted least squares, in the scaled variable (x/L)^2 to keep the
system well conditioned). The script then evaluates the float form exactly as the generated
Java does (Horner's rule in float, one division) on every fifth float of [2^-20, 20] and reports
the largest error in units in the last place of float, against tanh in double.

Usage: /usr/bin/python3 compiler/src/test/python/gate_functions.py
Prints the Java literals of codegen/Helpers.java's gateTanh. Deterministic; needs numpy only.
"""
import numpy as np

LIMIT = 7.90531110763549805
DEGREE = 4


def fit(degree, limit, iterations=100, points=60001):
    x = np.linspace(0, limit, points)[1:]
    s = (x / limit) ** 2
    y = np.tanh(x)
    f = y / x
    weights = np.ones_like(x) / len(x)
    best = None
    for _ in range(iterations):
        # P(s) - f Q(s) = 0 with Q(0) = 1; each row scaled by 1/f, so that the residual is relative.
        columns = [s ** i for i in range(degree + 1)] + [-f * s ** j for j in range(1, degree + 1)]
        a = np.vstack(columns).T
        scale = np.sqrt(weights) / f
        solution, *_ = np.linalg.lstsq(a * scale[:, None], f * scale, rcond=None)
        p = solution[: degree + 1]
        q = np.concatenate([[1.0], solution[degree + 1:]])
        error = np.abs(x * np.polyval(p[::-1], s) / np.polyval(q[::-1], s) - y) / y
        if best is None or error.max() < best[2]:
            best = (p, q, error.max())
        weights = weights * error
        weights /= weights.sum()
    p, q, error = best
    # Back from (x/L)^2 to x^2.
    return (np.array([p[i] / limit ** (2 * i) for i in range(degree + 1)]),
            np.array([q[i] / limit ** (2 * i) for i in range(degree + 1)]), error)


def horner(coefficients, t):
    result = np.full_like(t, coefficients[-1])
    for c in coefficients[-2::-1]:
        result = (result * t + c).astype(np.float32)
    return result


def gate_tanh(x, p, q):
    limit = np.float32(LIMIT)
    c = np.clip(x, -limit, limit).astype(np.float32)
    t = (c * c).astype(np.float32)
    return (c * horner(p, t) / horner(q, t)).astype(np.float32)


def main():
    p, q, error = fit(DEGREE, LIMIT)
    p32, q32 = p.astype(np.float32), q.astype(np.float32)
    low, high = np.float32(2.0 ** -20).view(np.int32), np.float32(20).view(np.int32)
    x = np.arange(low, high, 5, dtype=np.int32).view(np.float32)
    y = gate_tanh(x, p32, q32)
    reference = np.tanh(x.astype(np.float64))
    ulps = np.abs(y - reference) / np.spacing(reference.astype(np.float32)).astype(np.float64)
    print(f"relative error of the rational function in exact arithmetic: {error:.3g}")
    print(f"float evaluation: at most {ulps.max():.2f} ulp (at x = {x[ulps.argmax()]!r}), largest value {y.max()!r}")
    print("L =", repr(np.float32(LIMIT).item()) + "f")
    print("P =", ", ".join(repr(v.item()) + "f" for v in p32))
    print("Q =", ", ".join(repr(v.item()) + "f" for v in q32))


if __name__ == "__main__":
    main()
