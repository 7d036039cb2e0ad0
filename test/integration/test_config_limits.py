"""Configuration that cannot be honoured stops vigil before the program runs.

Each case drives the real binary and checks that the program never ran
(its marker file is absent), the exit status, and that the message names
what was wrong. `vigil replay` must not pass unreadable input for clean.
"""
import json

from vigil_runner import vigil_env, vigil_run

RULE = """- rule: Any exec
  desc: test
  condition: evt.type = execve
  output: exec %proc.name
  priority: NOTICE
"""


def run_touch(vigil_bin, args, tmp_path, env=None):
    """vigil ARGS -- touch MARKER; returns (process, whether the program ran)."""
    marker = tmp_path / "program-ran"
    proc = vigil_run(vigil_bin, *args, "--", "touch", marker, text=False, env=vigil_env(**(env or {})))
    return proc, marker.exists()


def rules_file(tmp_path):
    p = tmp_path / "r.yaml"
    p.write_text(RULE)
    return p


def test_65_rules_flags_say_the_limit(vigil_bin, tmp_path):
    r = rules_file(tmp_path)
    proc, ran = run_touch(vigil_bin, ["--rules", str(r)] * 65, tmp_path)
    assert proc.returncode == 2 and not ran, proc.stderr
    assert b"at most 64 --rules" in proc.stderr, proc.stderr
    assert b"not a command" not in proc.stderr
    proc, ran = run_touch(vigil_bin, ["--rules", str(r)] * 64, tmp_path)
    assert proc.returncode == 0 and ran, proc.stderr


def test_65_vigil_rules_files_are_an_error(vigil_bin, tmp_path):
    r = str(rules_file(tmp_path))
    proc, ran = run_touch(vigil_bin, [], tmp_path, {"VIGIL_RULES": ",".join([r] * 65)})
    assert proc.returncode == 2 and not ran, proc.stderr
    assert b"VIGIL_RULES: more than 64 rules files" in proc.stderr, proc.stderr


def test_replay_65_rules_say_the_limit(vigil_bin, tmp_path):
    r = str(rules_file(tmp_path))
    ev = tmp_path / "ev.ndjson"
    ev.write_text("")
    proc = vigil_run(vigil_bin, "replay", *["--rules", r] * 65, ev, text=False)
    assert proc.returncode == 2
    assert b"at most 64 --rules" in proc.stderr, proc.stderr


def test_unusable_explicit_spool_dir_stops_start(vigil_bin, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    cfg = tmp_path / "vigil.yaml"
    cfg.write_text(json.dumps({"outputs": ["https://127.0.0.1:9/alerts"],
                               "spool": {"dir": str(blocker / "spool")}}))
    proc, ran = run_touch(vigil_bin, ["--rules", str(rules_file(tmp_path)), "--config", str(cfg)],
                          tmp_path)
    assert proc.returncode == 2 and not ran, proc.stderr
    assert b"spool.dir" in proc.stderr and b"Not a directory" in proc.stderr, proc.stderr


def test_missing_fim_path_is_an_error(vigil_bin, tmp_path):
    missing = tmp_path / "no-such-dir"
    proc, ran = run_touch(vigil_bin, ["--rules", str(rules_file(tmp_path)), "--fim", str(missing)],
                          tmp_path)
    assert proc.returncode == 2 and not ran, proc.stderr
    assert f"--fim {missing}: No such file or directory".encode() in proc.stderr, proc.stderr
    proc, ran = run_touch(vigil_bin, ["--rules", str(rules_file(tmp_path)), "--fim", str(tmp_path)],
                          tmp_path)
    assert proc.returncode == 0 and ran, proc.stderr


def test_replay_exits_1_on_unreadable_lines(vigil_bin, tmp_path):
    r = str(rules_file(tmp_path))
    good = ('{"evt.num":1,"evt.rawtime":1,"evt.type":"execve","evt.source":"syscall",'
            '"evt.dir":"<","evt.res":0,"evt.arch":"x86_64","proc.pid":5,"proc.name":"sh"}\n')
    ev = tmp_path / "ev.ndjson"
    ev.write_text(good)
    clean = vigil_run(vigil_bin, "replay", "--rules", r, ev, text=False)
    assert clean.returncode == 0, clean.stderr
    assert b'"rule":"Any exec"' in clean.stdout
    ev.write_text(good + "{not json\n")
    bad = vigil_run(vigil_bin, "replay", "--rules", r, ev, text=False)
    assert bad.returncode == 1, bad.stderr
    assert b"1 unreadable line(s)" in bad.stderr
    assert b'"rule":"Any exec"' in bad.stdout  # the readable events still count
