"""The e2e Spark program (a MrsJobStep boot file): counts the words of the text files under --mrs_input.

Writes --mrs_output as Spark JSON part files ({"word": ..., "count": ...}) and prints the app args
it was given, so the test can check both.
"""

import argparse

from pyspark.sql import SparkSession, functions as F

parser = argparse.ArgumentParser()
parser.add_argument("--mrs_input", required=True)
parser.add_argument("--mrs_output", required=True)
parser.add_argument("--min_count", type=int, default=1)
args, unknown = parser.parse_known_args()
spark = SparkSession.builder.appName("wf2k8s-e2e-wordcount").getOrCreate()
print("spark", spark.version, "master", spark.sparkContext.master, "unknown args", unknown)
words = (spark.read.text(args.mrs_input)
         .select(F.explode(F.split(F.lower(F.col("value")), r"\s+")).alias("word"))
         .where(F.col("word") != ""))
counts = words.groupBy("word").count().where(F.col("count") >= args.min_count)
counts.coalesce(1).write.json(args.mrs_output)
spark.stop()
