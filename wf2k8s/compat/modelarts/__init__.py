"""``modelarts``: so that unchanged ModelArts scripts run on wf2k8s (``from modelarts import workflow``)."""
