"""Colours shared by the views, so every view draws the same thing the same way."""
COLORMAP_NAME = "viridis"   # perceptually uniform
GRAD_COLOR = "#d62728"      # ∇f: red, uphill
NEG_GRAD_COLOR = "#1f77b4"  # −∇f: blue, downhill
U_COLOR = "#ff7f0e"         # the dial's direction u
TANGENT_COLOR = "#e377c2"   # level-curve tangent: pink
TRAJ_COLOR = "#ffdd00"      # descent trajectory
START_COLOR = "#d62728"
KEPT_COLORS = ("#ff9896", "#c5b0d5", "#f7b6d2", "#dbdb8d", "#9edae5", "#ffbb78")  # kept runs
CRITICAL_COLORS = {"minimum": "#2ca02c", "maximum": "#d62728", "saddle": "#ffffff",
                   "degenerate": "#bbbbbb"}  # critical points, by kind
