"""Service configuration, read from config.yml next to the app."""
import os

import yaml

CONFIG_PATH = os.environ.get("PAYMENTS_CONFIG", "config.yml")


def load_config(path=CONFIG_PATH):
    with open(path) as handle:
        return yaml.load(handle, Loader=yaml.Loader)
