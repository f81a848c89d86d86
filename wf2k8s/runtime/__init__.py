"""The runtime: what runs inside phase containers. Standard library only, and it imports
nothing else of wf2k8s, so it ships as a zipapp any image with python3 can run."""
