"""ИС-Штаб: рабочее место штаба школы в день итогового собеседования."""
import os

__version__ = "0.1.0"

# pydantic looks for plugins by reading the entry points of every installed distribution
# the first time a model validates (on the start path: the settings, the exam day). We use
# none; the scan is 3–4 ms with a warm disk cache and ~40 ms cold (113 distributions here;
# more on an old school PC's slow disk). Set before pydantic reads it, for our worker
# processes too (they inherit the environment); an explicit setting is kept.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
