"""Colours shared by the views, so every view draws the same thing the same way.

The rule for anything drawn over the colour map (lines, arrows, markers): a light core on a
black casing (a wider line, or a marker's outline). No single colour has 3:1 contrast against
every part of viridis (its dark end needs a light colour, its bright end a dark one, and its
middle defeats both), so the pair shares the work: at every colour of the map the core or the
casing has a WCAG contrast ratio of at least 3:1 against it. Black covers the map wherever its
luminance is 0.1 or more (from t ≈ 0.28 up); a core with luminance ≥ 0.4 covers the rest. A core
must also differ from every colour of the map (CIE ΔE ≥ 20), so that it never reads as a level.
tests/test_colors.py checks both for every drawn item against pyqtgraph's viridis samples.
"""
COLORMAP_NAME = "viridis"   # perceptually uniform
CASING_COLOR = "#000000"    # under every core below
GRAD_COLOR = "#ff8c8c"      # ∇f: light red, uphill
NEG_GRAD_COLOR = "#7fd4ff"  # −∇f: light blue, downhill
U_COLOR = "#e0a0ff"         # the dial's direction u: lavender
TANGENT_COLOR = "#ffb0d8"   # level-curve tangent: pink
START_COLOR = "#b3ffb3"     # the start point: light green
CURRENT_COLOR = "#ffffff"   # the current point

# Runs, each in its own colour, in this order: Okabe–Ito's orange and sky blue and Paul Tol's
# light-scheme pink, yellow and cyan, the members of those colour-blind-safe palettes that pass
# the rule above. Every pair stays apart (ΔE ≥ 15) under simulated protanopia, deuteranopia and
# tritanopia (tested).
RUN_COLORS = ("#e69f00", "#56b4e9", "#ffaabb", "#eedd88", "#99ddff")
TRAJ_COLOR = RUN_COLORS[0]   # the first run

# critical points by kind: minimum (low, as −∇f), maximum (high, as ∇f), saddle, degenerate
CRITICAL_COLORS = {"minimum": NEG_GRAD_COLOR, "maximum": GRAD_COLOR, "saddle": CURRENT_COLOR,
                   "degenerate": "#dddddd"}
LOWEST_COLOR = "#ffd27f"     # the lowest minimum found: a gold star behind its ▼

# 1-D mode, on the curve view's white background
SECANT_COLOR = "#ff7f0e"    # the secant through a and a + h (solid)
SLOPE_COLOR = "#2ca02c"     # the tangent at a, slope f'(a) (dashed)

# Slices through the point (3-D view) and the step ds of the total differential
TRACE_X_COLOR = "#ffb366"   # the trace y = b, f(x, b), slope f_x: apricot
TRACE_Y_COLOR = "#80ffff"   # the trace x = a, f(a, y), slope f_y: aqua
DS_COLOR = "#e6ff80"        # the step ds and the surface point above p + ds: lime
GAP_COLOR = "#ffffff"       # Δf − df: the gap from the plane up (or down) to the surface
