"""Settings of the stack floor: the product's own, with `stack_floor_urls` as the URLconf."""

from project.settings import *  # noqa: F403

ROOT_URLCONF = "project.bench.compare.stack_floor_urls"
