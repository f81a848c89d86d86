"""KServe's storage initializer: download SRC_URI into DEST_DIR (the init container KServe injects).

KServe runs it with the args ``SRC_URI DEST_DIR`` and the S3 settings as environment
(S3_ENDPOINT, AWS_ENDPOINT_URL, S3_USE_HTTPS, AWS_ACCESS_KEY_ID, ... from the service
account's secret).
"""

import logging
import sys

from kserve_storage import Storage

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

if __name__ == "__main__":
    if len(sys.argv) < 3 or len(sys.argv) % 2 != 1:
        sys.exit("usage: storage_initializer.py SRC_URI DEST_DIR [SRC_URI DEST_DIR ...]")
    for source, destination in zip(sys.argv[1::2], sys.argv[2::2]):
        logging.info("downloading %s to %s", source, destination)
        Storage.download(source, destination)
