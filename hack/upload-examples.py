"""Upload the example catalog's algorithm code and the examples' code to the cluster's S3 server.

    python3 hack/upload-examples.py ENDPOINT BUCKET ACCESS_KEY SECRET_KEY

Uses the runtime's own S3 client (standard library), so it needs nothing installed.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "wf2k8s"))  # the runtime package alone: no hera needed here

from runtime.clients import S3  # noqa: E402

UPLOADS = {
    "examples/iris/code": ["catalog/algorithms/iris/", "examples/iris/code/"],
    "examples/image-classification/code": ["catalog/algorithms/image-classification/"],
}


def main(endpoint: str, bucket: str, access_key: str, secret_key: str) -> None:
    s3 = S3(endpoint, access_key, secret_key)
    s3.create_bucket(bucket)
    for source, prefixes in UPLOADS.items():
        for prefix in prefixes:
            count = s3.upload(ROOT / source, f"s3://{bucket}/{prefix}")
            print(f"uploaded {count} file(s) of {source} to s3://{bucket}/{prefix}", file=sys.stderr)
    s3.put(bucket, "examples/iris/data/README.txt", b"iris ships with scikit-learn; this input is a placeholder\n")


if __name__ == "__main__":
    main(*sys.argv[1:5])
