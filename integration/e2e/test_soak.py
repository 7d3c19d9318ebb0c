"""The soak (integration/soak/soak.py), short: well-behaved and hostile traffic at once against one
meta-proxy process; RSS stays flat, fds return to the baseline, no crash, bystanders answered with a
bounded p99. SOAK_SECONDS sets the length (default 45); long runs: scripts/soak.sh."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOAK = os.path.join(HERE, "..", "soak", "soak.py")


def test_soak_short(tmp_path):
    seconds = os.environ.get("SOAK_SECONDS", "45")
    report = tmp_path / "soak.json"
    r = subprocess.run([sys.executable, SOAK, "--seconds", seconds, "--report", str(report)],
                       capture_output=True, text=True, timeout=float(seconds) + 240)
    assert r.returncode == 0, "soak failed:\n%s\n%s" % (r.stdout[-4000:], r.stderr[-4000:])
    assert report.exists()
