"""The public SDK: the ModelArts Workflow surface (``from modelarts import workflow as wf``)."""
