"""Run as a JobStep by the least-privilege e2e test: what can the user's code reach?

Prints one JSON object: whether a service account token is mounted, the API server's answer to an
anonymous request for the namespace's Secrets and pods, the S3 access key it was given, and the
S3 server's answer to each probe (reads and writes inside and outside what a job may touch). The
test decides what is right; the script exits 0 whatever it found.
"""

import json
import os
import pathlib
import ssl
import sys
import urllib.error
import urllib.request

# the runtime's own S3 client, from the zipapp the job template copies into every engine image
sys.path.insert(0, "/wf2k8s/bin/wf2k8s-runtime.pyz")
from wf2k8s.runtime.clients.s3 import S3, S3Error  # noqa: E402

TOKEN_DIR = pathlib.Path("/var/run/secrets/kubernetes.io/serviceaccount")
found = {"token_mounted": (TOKEN_DIR / "token").exists(), "answers": {}, "s3": {}}
host, port = os.environ.get("KUBERNETES_SERVICE_HOST"), os.environ.get("KUBERNETES_SERVICE_PORT", "443")
context = ssl.create_default_context()
context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # only the status matters here
for what in ("secrets", "pods"):
    url = f"https://{host}:{port}/api/v1/namespaces/wf2k8s/{what}"
    try:
        with urllib.request.urlopen(url, timeout=10, context=context) as answer:
            found["answers"][what] = answer.status
    except urllib.error.HTTPError as error:
        found["answers"][what] = error.code
    except OSError as error:
        found["answers"][what] = f"unreachable: {error}"

s3 = S3.from_env()
bucket, other_bucket = os.environ["WF2K8S_S3_BUCKET"], "wf2k8s-other"
found["access_key"] = s3.access_key
probes = {
    "write own data": lambda: s3.put(bucket, "e2e/privileges/written.txt", b"ok"),
    "read own data": lambda: s3.get(bucket, "e2e/privileges/written.txt"),
    "read a dataset": lambda: s3.get(bucket, "datasets/privileges/sample.txt"),
    "write a dataset": lambda: s3.put(bucket, "datasets/privileges/sample.txt", b"overwritten"),
    "read model files": lambda: s3.get(bucket, "mlflow/privileges/model.pkl"),
    "write model files": lambda: s3.put(bucket, "mlflow/privileges/model.pkl", b"overwritten"),
    "write Argo's artifacts": lambda: s3.put(bucket, "argo-artifacts/privileges/metrics.html", b"overwritten"),
    "read another bucket": lambda: s3.get(other_bucket, "secret.txt"),
    "write another bucket": lambda: s3.put(other_bucket, "secret.txt", b"overwritten"),
    "create a bucket": lambda: s3.request("PUT", "wf2k8s-made-by-a-job"),
}
for name, probe in probes.items():
    try:
        probe()
        found["s3"][name] = "allowed"
    except S3Error as error:
        found["s3"][name] = error.status or str(error)
print(json.dumps(found))
