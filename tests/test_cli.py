"""The command line: `run` and `inspect`, exit codes and one-line errors."""
import json
import math
import os
import re
import subprocess
import sys
import types

import pytest

import gd_explorer
from gd_explorer import cli
from gd_explorer.cli import build_parser, main
from gd_explorer.core import read_csv

ROSENBROCK = "(1-x)^2+100*(y-x^2)^2"


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, out, err, fragment=None):
    assert code == 2
    assert out == ""
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    assert lines[0].startswith("gd-explorer: error: ")
    assert "Traceback" not in err
    if fragment is not None:
        assert fragment in lines[0]


# --- run ------------------------------------------------------------------------------------------

def test_run_summary(capsys):
    # lr = 0.25 on x^2 + y^2 halves the point each step; |grad| = 2 sqrt(5) 0.5^t < 1e-6
    # first at t = 23 (2 sqrt(5) 0.5^22 = 1.07e-6)
    code, out, err = run_cli(capsys, "run", "x^2+y^2", "--start", "1,2", "--lr", "0.25",
                             "--steps", "100")
    assert code == 0 and err == ""
    lines = out.strip().split("\n")
    assert len(lines) == 1
    line = lines[0]
    assert line.startswith("status=converged steps=23 ")
    assert f"x={0.5 ** 23!r} y={2 * 0.5 ** 23!r}" in line
    assert f"f={0.5 ** 46 + 4 * 0.5 ** 46!r}" in line
    assert "(converged after 23 steps" in line


def test_run_max_steps_with_negative_start(capsys):
    # x^2 + y^2 from (-1, 2), lr 0.1: each step multiplies the point by 0.8
    code, out, _ = run_cli(capsys, "run", "x^2 + y^2", "--start", "-1,2", "--lr", "0.1",
                           "--steps", "3")
    assert code == 0
    x, y = -1.0, 2.0
    for _ in range(3):
        x, y = x - 0.1 * 2 * x, y - 0.1 * 2 * y
    assert out.startswith(f"status=max_steps steps=3 x={x!r} y={y!r} ")
    assert "max steps reached (3 steps)" in out


def test_run_negative_start_with_equals_and_negative_formula(capsys):
    code, out, _ = run_cli(capsys, "run", "-x^2", "--start=-1,2", "--lr=0.1", "--steps=2")
    assert code == 0
    # f = -x^2, grad -2x: x1 = -1 - 0.1*2 = -1.2, x2 = -1.2 - 0.1*2.4 = -1.44
    assert f"x={-1.2 - 0.1 * 2.4!r} y=2.0 " in out


def test_run_writes_csv(capsys, tmp_path):
    path = tmp_path / "run.csv"
    code, out, _ = run_cli(capsys, "run", "x^2 + 10*y^2", "--start", "1,1", "--lr", "0.01",
                           "--steps", "7", "--csv", str(path))
    assert code == 0 and "status=max_steps steps=7" in out
    text = path.read_text(encoding="utf-8")
    assert text.split("\n", 1)[0] == ("run,expression,optimizer,learning_rate,step,x,y,f,"
                                      "df_dx,df_dy,grad_norm,run_name,hyperparameters,schedule")
    rows = read_csv(path)
    assert [r["step"] for r in rows] == list(range(8))
    assert {r["expression"] for r in rows} == {"x^2 + 10*y^2"}
    assert {r["optimizer"] for r in rows} == {"gd"} and {r["run"] for r in rows} == {1}
    x, y = 1.0, 1.0
    for r in rows:
        assert (r["x"], r["y"]) == (x, y)
        x, y = x - 0.01 * (2 * x), y - 0.01 * (20 * y)


def test_run_diverged_still_exits_zero(capsys):
    code, out, _ = run_cli(capsys, "run", "x^2 + 10*y^2", "--start", "1,1", "--lr", "0.5",
                           "--steps", "1000")
    assert code == 0
    assert out.startswith("status=diverged ")
    assert "try a smaller learning rate" in out


def test_run_summary_counts_steps_like_its_stop_message(capsys):
    # x^2 + 10 y^2 from (1, 1) with lr 0.5: x -> 0 and y -> -9 y, so y = (-9)^n after n steps
    code, out, _ = run_cli(capsys, "run", "x^2 + 10*y^2", "--start", "1,1", "--lr", "0.5",
                           "--steps", "1000")
    assert code == 0
    n = int(re.search(r" steps=(\d+) ", out).group(1))
    assert f" x=0.0 y={float((-9) ** n)!r} " in out  # n rows after the start: n steps taken
    assert out.rstrip().endswith(f"(diverged after {n} steps (step {n + 1} ran away): "
                                 "try a smaller learning rate)")
    assert "at step" not in out


def test_run_summary_of_a_first_step_out_of_the_domain(capsys):
    # log(x) from 0.5 with lr 1: x - 1/x = 0.5 - 2 = -1.5, where log is undefined
    code, out, _ = run_cli(capsys, "run", "log(x)", "--start", "0.5,0", "--lr", "1",
                           "--steps", "10")
    assert code == 0
    assert out == ("status=left_domain steps=0 x=0.5 y=0.0 f=-0.6931471805599453 "
                   "(stopped after 0 steps (step 1 left the domain of f))\n")


def test_run_other_optimizer(capsys):
    code, out, _ = run_cli(capsys, "run", "x^2+y^2", "--start", "1,1", "--lr", "0.1",
                           "--steps", "2000", "--optimizer", "momentum")
    assert code == 0 and out.startswith("status=converged")


# --- inspect --------------------------------------------------------------------------------------

def test_inspect_rosenbrock_with_angle(capsys):
    code, out, err = run_cli(capsys, "inspect", ROSENBROCK, "--at", "0.5,0.5", "--angle", "90")
    assert code == 0 and err == ""
    data = json.loads(out)  # strict JSON: no NaN or Infinity
    assert "NaN" not in out and "Infinity" not in out
    # f = 0.5^2 + 100*(0.5 - 0.25)^2 = 6.5
    assert data["f"] == 6.5
    assert data["point"] == [0.5, 0.5]
    assert data["expression"] == ROSENBROCK
    # grad = (-2(1 - x) - 400x(y - x^2), 200(y - x^2)) = (-1 - 50, 50)
    assert data["gradient"] == [-51.0, 50.0]
    assert data["grad_norm"] == pytest.approx(math.sqrt(51 ** 2 + 50 ** 2), rel=1e-15)
    # Hessian: (2 - 400y + 1200x^2, -400x; -400x, 200) = (102, -200; -200, 200)
    assert data["hessian"] == [[102.0, -200.0], [-200.0, 200.0]]
    assert data["angle_deg"] == 90.0
    assert data["u"] == pytest.approx([0.0, 1.0], abs=1e-15)
    # D_u f = grad . (0, 1) = 50 = |grad| cos(theta)
    assert data["directional_derivative"] == pytest.approx(50.0, rel=1e-14)
    assert data["cos_theta"] == pytest.approx(50 / math.sqrt(5101), rel=1e-12)
    assert data["theta_deg"] == pytest.approx(math.degrees(math.acos(50 / math.sqrt(5101))),
                                              rel=1e-12)
    # f(0.5, 0.5 + h) - f = 100((0.25 + h)^2 - 0.0625) = 50h + 100h^2: quotient = 50 + 100h
    quotients = data["limit_quotients"]
    assert [q["h"] for q in quotients] == [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6]
    for q in quotients:
        assert q["quotient"] == pytest.approx(50 + 100 * q["h"], rel=1e-8)


def test_inspect_without_angle(capsys):
    code, out, _ = run_cli(capsys, "inspect", "x^2 - y^2", "--at", "-1,-2")
    assert code == 0
    data = json.loads(out)
    assert data["point"] == [-1.0, -2.0]
    assert data["f"] == -3.0
    assert data["gradient"] == [-2.0, 4.0]
    assert data["grad_norm"] == pytest.approx(math.sqrt(20), rel=1e-15)
    assert data["hessian"] == [[2.0, 0.0], [0.0, -2.0]]
    assert "directional_derivative" not in data and "limit_quotients" not in data


def test_inspect_zero_gradient_is_null_not_nan(capsys):
    code, out, _ = run_cli(capsys, "inspect", "x^2 + y^2", "--at", "0,0", "--angle", "30")
    assert code == 0
    data = json.loads(out)
    assert data["gradient"] == [0.0, 0.0] and data["grad_norm"] == 0.0
    assert data["theta_deg"] is None and data["cos_theta"] is None
    assert data["directional_derivative"] == 0.0
    # f(h u) = h^2: the quotient is h
    for q in data["limit_quotients"]:
        assert q["quotient"] == pytest.approx(q["h"], rel=1e-12)


def test_inspect_outside_domain_gives_nulls(capsys):
    code, out, _ = run_cli(capsys, "inspect", "log(x) + sqrt(y)", "--at", "-1,-1", "--angle", "45")
    assert code == 0
    assert "NaN" not in out
    data = json.loads(out)
    assert data["f"] is None
    assert data["gradient"][1] is None  # 1/(2 sqrt(y)) is undefined for y < 0
    assert all(q["quotient"] is None for q in data["limit_quotients"])


# --- errors: exit 2, one line, no traceback ------------------------------------------------------

RUN_OK = ["--start", "1,2", "--lr", "0.1", "--steps", "10"]


@pytest.mark.parametrize("argv, fragment", [
    (["run", "x +", *RUN_OK], "ends too early"),
    (["run", "sinx", *RUN_OK], "sin(x)"),
    (["run", "__import__('os')", *RUN_OK], "'__'"),
    (["run", "x^2 \u2212 y", *RUN_OK], "U+2212"),
    (["run", "", *RUN_OK], "enter a formula"),
    (["inspect", "xy", "--at", "1,2"], "x*y"),
    (["run", "x^2", "--start", "1", "--lr", "0.1", "--steps", "10"], "--start must be two numbers"),
    (["run", "x^2", "--start", "a,b", "--lr", "0.1", "--steps", "10"], "--start"),
    (["run", "x^2", "--start", "1,2,3", "--lr", "0.1", "--steps", "10"], "--start"),
    (["run", "x^2", "--start", "nan,1", "--lr", "0.1", "--steps", "10"], "finite"),
    (["run", "x^2", "--start", "inf,1", "--lr", "0.1", "--steps", "10"], "finite"),
    (["run", "x^2", "--start", "1,2", "--lr", "abc", "--steps", "10"], "--lr"),
    (["run", "x^2", "--start", "1,2", "--lr", "0", "--steps", "10"], "learning rate"),
    (["run", "x^2", "--start", "1,2", "--lr", "-1", "--steps", "10"], "learning rate"),
    (["run", "x^2", "--start", "1,2", "--lr", "nan", "--steps", "10"], "learning rate"),
    (["run", "x^2", "--start", "1,2", "--lr", "1e400", "--steps", "10"], "learning rate"),
    (["run", "x^2", "--start", "1,2", "--lr", "0.1", "--steps", "0"], "number of steps"),
    (["run", "x^2", "--start", "1,2", "--lr", "0.1", "--steps", "2.5"], "--steps"),
    (["run", "x^2", "--start", "1,2", "--lr", "0.1", "--steps", "1000000000"], "number of steps"),
    (["run", "x^2", *RUN_OK, "--tol", "-1"], "tolerance"),
    (["run", "x^2", *RUN_OK, "--optimizer", "sgd"], "unknown optimizer"),
    (["run", "x^2", "--lr", "0.1", "--steps", "10"], "--start"),
    (["run", "x^2", "--start", "1,2", "--steps", "10"], "--lr"),
    (["run", "x^2", "--start", "1,2", "--lr", "0.1"], "--steps"),
    (["run"], "required"),
    (["run", "x^2", "--start"], "--start"),
    (["run", "x^2", *RUN_OK, "--bogus"], "unrecognized"),
    (["inspect", "x^2"], "--at"),
    (["inspect", "x^2", "--at", "1;2"], "--at must be two numbers"),
    (["inspect", "x^2", "--at", "1,2", "--angle", "north"], "--angle"),
    (["inspect", "x^2", "--at", "1,2", "--angle", "nan"], "--angle"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_exits_2_with_one_line(capsys, argv, fragment):
    code, out, err = run_cli(capsys, *argv)
    assert_one_line_error(code, out, err, fragment)


def test_csv_to_missing_folder(capsys, tmp_path):
    code, out, err = run_cli(capsys, "run", "x^2", *RUN_OK, "--csv",
                             str(tmp_path / "missing" / "out.csv"))
    assert_one_line_error(code, out, err, "folder does not exist")


# --- a real process -------------------------------------------------------------------------------

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _python(*args, cwd, gui_env=None):
    """gd-explorer in a new process, from this checkout (not an installed copy). With gui_env:
    no display variables but these."""
    env = dict(os.environ, PYTHONPATH=ROOT)
    env.pop("PYTHONWARNINGS", None)
    if gui_env is not None:
        for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
            env.pop(name, None)
        env.update(gui_env)
    return subprocess.run([sys.executable, "-m", "gd_explorer", *args], capture_output=True,
                          text=True, encoding="utf-8", cwd=cwd, env=env, timeout=120)


def test_subprocess_run_and_csv(tmp_path):
    path = tmp_path / "sub.csv"
    proc = _python("run", "(x - 1)^2 + (y + 2)^2", "--start", "-1,2", "--lr", "0.25",
                   "--steps", "100", "--csv", str(path), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    # the distance to the minimum (1, -2) halves each step: |grad| = 2 * sqrt(20) * 0.5^t
    # < 1e-6 first at t = 24
    assert proc.stdout.startswith("status=converged steps=24 ")
    assert len(proc.stdout.strip().split("\n")) == 1
    rows = read_csv(path)
    assert len(rows) == 25
    assert (rows[0]["x"], rows[0]["y"]) == (-1.0, 2.0)
    assert (rows[1]["x"], rows[1]["y"]) == (0.0, 0.0)  # -1 - 0.25*(-4), 2 - 0.25*8
    assert sorted(os.listdir(tmp_path)) == ["sub.csv"]


def test_subprocess_inspect_and_error(tmp_path):
    proc = _python("inspect", "x*y", "--at", "2,-3", "--angle", "180", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["f"] == -6.0 and data["gradient"] == [-3.0, 2.0]
    assert data["directional_derivative"] == pytest.approx(3.0, rel=1e-14)

    proc = _python("run", "open('x')", "--start", "1,2", "--lr", "0.1", "--steps", "5",
                   cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip("\n").split("\n")
    assert len(lines) == 1 and "unknown function 'open'" in lines[0]

    proc = _python("run", "x^2", "--start", "1,2", "--steps", "5", cwd=tmp_path)
    assert proc.returncode == 2
    assert len(proc.stderr.strip("\n").split("\n")) == 1 and "Traceback" not in proc.stderr


def test_window_without_a_display_is_a_one_line_error(tmp_path):
    proc = _python(gui_env={}, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "no display found" in proc.stderr
    shot = tmp_path / "shot.png"
    proc = _python("--screenshot", str(shot), gui_env={}, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10000
    assert proc.stderr == ""  # nothing to alarm a user


# --- help and version -----------------------------------------------------------------------------

def _parsers():
    parser = build_parser()
    yield "gd-explorer", parser
    sub = next(a for a in parser._actions if a.dest == "command")
    yield from sub.choices.items()


def test_every_option_and_command_has_a_sentence():
    for name, parser in _parsers():
        for action in parser._actions:
            assert action.help and action.help.strip(), (name, action.dest)
        sub = [a for a in parser._actions if a.dest == "command"]
        for choice in (sub[0]._choices_actions if sub else ()):
            assert choice.help and choice.help.strip(), (name, choice.dest)


@pytest.mark.parametrize("argv, fragments", [
    (["--help"], ["--version", "--screenshot PATH", ".png, .jpg or .jpeg", "run", "inspect",
                  "critical"]),
    (["run", "--help"], ["newton (default gd", "default 1e-6",
                         "1 to 10,000,000"]),
    (["inspect", "--help"], ["--angle DEG", "degrees from the x axis"]),
    (["critical", "--help"], ["--window X0,X1,Y0,Y1", "as JSON"]),
])
def test_help_lists_options_and_choices(capsys, argv, fragments):
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    assert info.value.code == 0 and err == ""
    for fragment in fragments:
        assert fragment in out, fragment


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    out, _ = capsys.readouterr()
    assert info.value.code == 0
    assert out == f"gd-explorer {gd_explorer.__version__}\n" == "gd-explorer 0.1.0\n"


# --- critical -------------------------------------------------------------------------------------

def test_critical_points_as_json(capsys):
    # x^3 - 3x + y^2: grad (3x^2 - 3, 2y) = 0 at (1, 0) and (-1, 0);
    # Hessian diag(6x, 2): (1, 0) minimum, f = -2, eigenvalues 2, 6;
    # (-1, 0) saddle, f = 2, eigenvalues -6, 2
    code, out, err = run_cli(capsys, "critical", "x^3 - 3*x + y^2", "--window", "-2,2,-2,2")
    assert code == 0 and err == ""
    data = json.loads(out, parse_constant=lambda c: pytest.fail(f"not strict JSON: {c}"))
    assert [p["kind"] for p in data] == ["minimum", "saddle"]
    for p, (x, f, eigen) in zip(data, [(1.0, -2.0, [2.0, 6.0]), (-1.0, 2.0, [-6.0, 2.0])]):
        assert set(p) == {"x", "y", "f", "kind", "eigenvalues"}
        assert p["x"] == pytest.approx(x, abs=1e-12) and p["y"] == pytest.approx(0.0, abs=1e-12)
        assert p["f"] == pytest.approx(f, abs=1e-12)
        assert p["eigenvalues"] == pytest.approx(eigen, abs=1e-9)


def test_critical_with_a_negative_window_and_none_found(capsys):
    code, out, _ = run_cli(capsys, "critical", "x + y", "--window", "-3,-1,-2,2")
    assert code == 0 and json.loads(out) == []


def test_critical_writes_null_for_undefined_eigenvalues(capsys, monkeypatch):
    # the coming critical_points returns a result with .points that carry eigenvalues
    point = types.SimpleNamespace(x=0.0, y=1.0, f=2.0, kind="degenerate",
                                  eigenvalues=(float("nan"), float("inf")))
    monkeypatch.setattr(cli, "critical_points",
                        lambda fn, xr, yr: types.SimpleNamespace(points=[point], total=1))
    code, out, _ = run_cli(capsys, "critical", "x^2", "--window", "-1,1,-1,1")
    assert code == 0 and "NaN" not in out and "Infinity" not in out
    assert json.loads(out) == [{"x": 0.0, "y": 1.0, "f": 2.0, "kind": "degenerate",
                                "eigenvalues": [None, None]}]


@pytest.mark.parametrize("argv, message", [
    (["critical", "x^2", "--window", "2,1,0,1"],
     "the x range must go from a smaller to a larger number"),
    (["critical", "x^2", "--window", "0,1,1,1"],
     "the y range must go from a smaller to a larger number"),
    (["critical", "x^2", "--window", "1,2,3"],
     "--window must be four numbers X0,X1,Y0,Y1, like -2,2,-1,3"),
    (["critical", "x^2", "--window", "a,b,c,d"],
     "--window must be four numbers X0,X1,Y0,Y1, like -2,2,-1,3"),
    (["critical", "x^2", "--window", "nan,1,0,1"], "the x range must be finite"),
    (["critical", "x^2"], "the following arguments are required: --window"),
    (["critical", "x y", "--window", "0,1,0,1"],
     "missing '*' between 'x' and 'y': write x*y (column 3)"),
])
def test_critical_bad_input(capsys, argv, message):
    code, out, err = run_cli(capsys, *argv)
    assert_one_line_error(code, out, err)
    assert err == f"gd-explorer: error: {message}\n"


# --- screenshots and displays ---------------------------------------------------------------------

def test_screenshot_jpg_is_a_real_jpeg(tmp_path):
    from PySide6.QtGui import QImage

    shot = tmp_path / "shot.JPG"
    proc = _python("--screenshot", str(shot), "--function", "x^2 - y^2", gui_env={}, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = shot.read_bytes()
    assert data[:3] == b"\xff\xd8\xff" and data[-2:] == b"\xff\xd9"  # JPEG start and end
    image = QImage()
    assert image.loadFromData(data, "JPEG")
    assert (image.width(), image.height()) == (1600, 1000)
    assert sorted(os.listdir(tmp_path)) == ["shot.JPG"]  # written atomically: no temp file left


@pytest.mark.parametrize("name", ["shot.gif", "shot.bmp", "shot", "shot.png.txt"])
def test_screenshot_other_suffixes_are_refused(capsys, tmp_path, name):
    code, out, err = run_cli(capsys, "--screenshot", str(tmp_path / name))
    assert_one_line_error(code, out, err, "--screenshot must end in .png, .jpg or .jpeg")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("gui_env, args, message", [
    ({"DISPLAY": ":77"}, [],
     "cannot open the display ':77': no X server answers there"),
    ({"DISPLAY": ":77"}, ["--screenshot", "shot.png"],
     "cannot open the display ':77': no X server answers there"),
    ({"QT_QPA_PLATFORM": "xcb"}, ["--screenshot", "shot.png"],
     "cannot open the display: DISPLAY is not set"),
])
def test_a_display_that_cannot_be_opened_is_one_line(tmp_path, gui_env, args, message):
    proc = _python(*args, gui_env=gui_env, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr  # not 134 (Qt's abort)
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"gd-explorer: error: {message}"), proc.stderr
    assert os.listdir(tmp_path) == []
