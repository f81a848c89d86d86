"""Run as a JobStep by the least-privilege e2e test: the user's code must have no Kubernetes API access.

Prints what it found and exits 0 only when no service account token is mounted and the API refuses
an anonymous request for the namespace's Secrets and pods.
"""

import json
import os
import pathlib
import ssl
import sys
import urllib.error
import urllib.request

TOKEN_DIR = pathlib.Path("/var/run/secrets/kubernetes.io/serviceaccount")
found = {"token_mounted": (TOKEN_DIR / "token").exists(), "answers": {}}
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
print(json.dumps(found))
refused = all(code in (401, 403) or isinstance(code, str) for code in found["answers"].values())
sys.exit(0 if refused and not found["token_mounted"] else 1)
