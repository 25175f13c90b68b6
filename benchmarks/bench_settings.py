"""Settings for benchmarks: the product's, plus one bare view to measure the ceiling."""

from fortify_github.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bench_urls"
