import os, subprocess, sys  # deploy/: CDK app synth + assertions, offline (see deploy/test.sh)
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.exit(subprocess.call(["bash", os.path.join(root, "deploy", "test.sh")]))
