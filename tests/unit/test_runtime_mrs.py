"""The MrsJobStep runtime's argument handling (the Spark run itself is tested on the cluster)."""

from wf2k8s.runtime import mrs


def test_mrs_argument_lists_are_comma_separated():
    assert mrs.split_args("--master,yarn-cluster, --conf,spark.x=1") == ["--master", "yarn-cluster", "--conf",
                                                                         "spark.x=1"]
    assert mrs.split_args("") == [] and mrs.split_args(None) == []


def test_placement_options_give_way_to_local_mode():
    assert mrs.submit_options(["--master", "yarn-cluster", "--conf", "spark.x=1"], "*") == [
        "--master", "local[*]", "--conf", "spark.x=1"]
    assert mrs.submit_options(["--master=yarn", "--deploy-mode", "cluster", "--num-executors", "4"], "2") == [
        "--master", "local[2]", "--num-executors", "4"]
    assert mrs.submit_options([], "*") == ["--master", "local[*]"]
