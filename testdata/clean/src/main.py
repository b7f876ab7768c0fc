import os

# Configuration comes from the environment, never from the source.
DB_PASSWORD = os.getenv("DB_PASSWORD")
API_TOKEN = os.environ["API_TOKEN"]
password = "changeme"  # documented default for the local dev container
