module wf2k8s.local/pause

go 1.22
