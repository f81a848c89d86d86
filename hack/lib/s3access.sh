# shellcheck shell=bash
# Who may do what on the cluster's S3 server (versitygw with its internal IAM), shared by
# cluster-up.sh and kind-up.sh. wf2k8s's own phases, MLflow, KServe and Argo's artifact
# repository hold the root key; two accounts of role "user" hold less:
#   wf2k8s-jobs          the user's code (JobStep, MrsJobStep): read and write the data bucket,
#                        but never the model registry's files (mlflow/), never write datasets/
#                        (the dataset manager's) or argo-artifacts/ (Argo's); no other bucket, and
#                        it cannot create one
#   wf2k8s-label-studio  Label Studio's project storages: read datasets/, nothing else
# A "user" account reaches only what a bucket policy grants it; the policy below is the data
# bucket's. Secrets are generated once per cluster state (mode 600) and never committed.
# Needs: S3_ACCESS_KEY, S3_SECRET_KEY (root), S3_BUCKET, WF2K8S_STATE; _random_hex (manifests.sh).

S3_ACCOUNTS_FILE="${S3_ACCOUNTS_FILE:-${WF2K8S_STATE}/s3-accounts.env}"
S3_JOBS_ACCESS_KEY="wf2k8s-jobs"
S3_LABEL_STUDIO_ACCESS_KEY="wf2k8s-label-studio"

# ensure_s3_account_secrets: make ${S3_ACCOUNTS_FILE} once, then load the two secrets.
ensure_s3_account_secrets() {
  local f="${S3_ACCOUNTS_FILE}"
  if [[ ! -s "$f" ]]; then
    mkdir -p "$(dirname "$f")"
    (umask 077; printf 'S3_JOBS_SECRET_KEY=%s\nS3_LABEL_STUDIO_SECRET_KEY=%s\n' \
      "$(_random_hex 40)" "$(_random_hex 40)" > "${f}.tmp") && mv "${f}.tmp" "$f"
  fi
  chmod 600 "$f"
  S3_JOBS_SECRET_KEY="$(sed -n 's/^S3_JOBS_SECRET_KEY=//p' "$f")"
  S3_LABEL_STUDIO_SECRET_KEY="$(sed -n 's/^S3_LABEL_STUDIO_SECRET_KEY=//p' "$f")"
  [[ ${#S3_JOBS_SECRET_KEY} -eq 40 && ${#S3_LABEL_STUDIO_SECRET_KEY} -eq 40 ]] \
    || die "${f}: S3_JOBS_SECRET_KEY and S3_LABEL_STUDIO_SECRET_KEY (40 chars each) expected"
}

# s3_root_curl ARGS...: a request signed with the root key (the caller reads the status).
s3_root_curl() {
  curl -sS --aws-sigv4 "aws:amz:us-east-1:s3" --user "${S3_ACCESS_KEY}:${S3_SECRET_KEY}" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}

# _s3_account ADMIN_URL ACCESS SECRET ROLE: create the account, or set its secret and role.
_s3_account() {
  local admin="$1" access="$2" secret="$3" role="$4" code
  code="$(s3_root_curl -o /dev/null -w '%{http_code}' -X PATCH "${admin}/create-user" \
    --data-binary "<Account><Access>${access}</Access><Secret>${secret}</Secret><Role>${role}</Role></Account>")"
  [[ "$code" == 201 ]] && return 0
  code="$(s3_root_curl -o /dev/null -w '%{http_code}' -X PATCH "${admin}/update-user?access=${access}" \
    --data-binary "<MutableProps><Secret>${secret}</Secret><Role>${role}</Role></MutableProps>")"
  [[ "$code" == 200 ]] || die "S3 admin API at ${admin}: cannot create or update account ${access} (HTTP ${code})"
}

# s3_data_bucket_policy: the data bucket's policy (JSON), for the two accounts above.
s3_data_bucket_policy() {
  local b="arn:aws:s3:::${S3_BUCKET}" jobs="${S3_JOBS_ACCESS_KEY}" ls="${S3_LABEL_STUDIO_ACCESS_KEY}"
  cat <<JSON
{"Version": "2012-10-17", "Statement": [
  {"Sid": "JobsListTheBucket", "Effect": "Allow", "Principal": {"AWS": ["${jobs}"]},
   "Action": ["s3:ListBucket", "s3:GetBucketLocation"], "Resource": ["${b}"]},
  {"Sid": "JobsReadAndWriteData", "Effect": "Allow", "Principal": {"AWS": ["${jobs}"]},
   "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
              "s3:ListMultipartUploadParts"], "Resource": ["${b}/*"]},
  {"Sid": "JobsNeverTouchTheModelRegistry", "Effect": "Deny", "Principal": {"AWS": ["${jobs}"]},
   "Action": ["s3:*"], "Resource": ["${b}/mlflow/*"]},
  {"Sid": "JobsOnlyReadDatasetsAndArtifacts", "Effect": "Deny", "Principal": {"AWS": ["${jobs}"]},
   "Action": ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
   "Resource": ["${b}/datasets/*", "${b}/argo-artifacts/*"]},
  {"Sid": "LabelStudioListsDatasets", "Effect": "Allow", "Principal": {"AWS": ["${ls}"]},
   "Action": ["s3:ListBucket"], "Resource": ["${b}"], "Condition": {"StringLike": {"s3:prefix": ["datasets/*"]}}},
  {"Sid": "LabelStudioReadsDatasetSamples", "Effect": "Allow", "Principal": {"AWS": ["${ls}"]},
   "Action": ["s3:GetObject"], "Resource": ["${b}/datasets/*"]}
]}
JSON
}

# ensure_s3_access S3_URL ADMIN_URL: the accounts and the data bucket's policy (idempotent).
ensure_s3_access() {
  local s3="$1" admin="$2" code
  ensure_s3_account_secrets
  _s3_account "$admin" "${S3_JOBS_ACCESS_KEY}" "${S3_JOBS_SECRET_KEY}" user
  _s3_account "$admin" "${S3_LABEL_STUDIO_ACCESS_KEY}" "${S3_LABEL_STUDIO_SECRET_KEY}" user
  code="$(s3_data_bucket_policy | s3_root_curl -o /dev/null -w '%{http_code}' -X PUT \
    -H "Content-Type: application/json" --data-binary @- "${s3}/${S3_BUCKET}?policy=")"
  [[ "$code" == 200 || "$code" == 204 ]] || die "S3 at ${s3}: PUT policy of bucket ${S3_BUCKET} gave HTTP ${code}"
  log "S3: accounts ${S3_JOBS_ACCESS_KEY} and ${S3_LABEL_STUDIO_ACCESS_KEY}, policy of bucket ${S3_BUCKET} set"
}
