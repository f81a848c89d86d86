#!/bin/sh
# wf2k8s runc wrapper, used by containerd only when this host lacks CAP_SYS_RESOURCE
# (some sandboxed VMs/containers drop it). Without that capability runc cannot lower
# oom_score_adj, and the kubelet asks for -998 on every pod sandbox, so every pod would
# fail with "can't get final child's PID from pipe". Clamp negative values to 0, then
# run the real runc unchanged.
bundle=""
prev=""
for a in "$@"; do
  case "$prev" in --bundle|-b) bundle="$a" ;; esac
  case "$a" in --bundle=*) bundle="${a#--bundle=}" ;; esac
  prev="$a"
done
if [ -n "$bundle" ] && [ -f "$bundle/config.json" ]; then
  sed -i 's/"oomScoreAdj":-[0-9][0-9]*/"oomScoreAdj":0/' "$bundle/config.json"
fi
exec REAL_RUNC "$@"
